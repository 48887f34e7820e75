"""One cog per bot feature. Their slash commands all live under the one ``/deepciso`` group.

A cog joins the bot's group in ``cog_load`` (:func:`join_group`); ``bot.add_cog(cog,
override=True)`` then registers the shared group with the command tree once per cog.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands


def join_group(cog: commands.Cog, group: app_commands.Group) -> None:
    for command in cog.__cog_app_commands__:
        group.add_command(command)


def leave_group(cog: commands.Cog, group: app_commands.Group) -> None:
    for command in cog.__cog_app_commands__:
        group.remove_command(command.name)


async def tell(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral message to the invoking user, whether or not the interaction was answered."""
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


async def tell_after_defer(interaction: discord.Interaction, text: str) -> None:
    """Replace a public "thinking..." placeholder by an ephemeral message only the user sees."""
    await interaction.delete_original_response()
    await interaction.followup.send(text, ephemeral=True)
