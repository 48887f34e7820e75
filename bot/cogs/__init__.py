"""One cog per bot feature. Their slash commands all live under the one ``/deepciso`` group.

A cog (:class:`GroupCog`) joins the bot's group in ``cog_load``; ``bot.add_cog(cog,
override=True)`` then registers the shared group with the command tree once per cog.
"""

from __future__ import annotations

from discord.ext import commands


class GroupCog(commands.Cog):
    """A feature of the bot whose slash commands join its one ``/deepciso`` group."""

    def __init__(self, bot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        for command in self.__cog_app_commands__:
            self.bot.group.add_command(command)

    async def cog_unload(self) -> None:
        for command in self.__cog_app_commands__:
            self.bot.group.remove_command(command.name)
