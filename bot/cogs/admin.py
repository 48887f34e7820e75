"""Admin commands: ``/deepciso status|post|reload|pause|resume``.

Who is an admin is read at run time from ``DISCORD_ADMIN_IDS`` and ``DISCORD_ADMIN_ROLE_IDS``;
anyone else is refused ephemerally and nothing happens. (Discord honours
``default_member_permissions`` only on top-level commands, so it cannot hide these
subcommands of ``/deepciso`` without hiding ``/deepciso prompt`` too; the run-time check is
what guards them.)
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.cogs import GroupCog
from bot.posting import poster as posting
from bot.serving.worker import ReloadFailed
from bot.status import status_lines

if TYPE_CHECKING:
    from bot.app import DeepcisoBot

log = logging.getLogger(__name__)


class NotAdmin(app_commands.CheckFailure):
    """The user is neither a configured admin nor holds an admin role."""


def admin_user(interaction: discord.Interaction) -> bool:
    """Whether the user is in ``DISCORD_ADMIN_IDS`` or holds a ``DISCORD_ADMIN_ROLE_IDS`` role
    (commands and the approval queue's buttons alike)."""
    settings = interaction.client.settings.discord  # type: ignore[attr-defined]
    if interaction.user.id in settings.admin_ids:
        return True
    roles = getattr(interaction.user, "roles", ())
    return any(role.id in settings.admin_role_ids for role in roles)


def is_admin(interaction: discord.Interaction) -> bool:
    if admin_user(interaction):
        return True
    log.info("refused admin command from user %s", interaction.user.id)
    raise NotAdmin("Only DeepCISO admins can use this command; nothing was changed.")


admin_only = app_commands.check(is_admin)


class AdminCog(GroupCog):
    bot: DeepcisoBot

    @app_commands.command(name="status", description="Admin: model, queue, filter, posts, uptime")
    @admin_only
    async def status(self, interaction: discord.Interaction) -> None:
        bot = self.bot
        lines = status_lines(bot.worker, bot.poster, bot.started, bot.lag)
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @app_commands.command(name="reload", description="Admin: load the newest trained model")
    @admin_only
    async def reload(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        old = self.bot.worker.serving_dir
        try:
            info = await self.bot.worker.reload()
        except ReloadFailed as exc:
            text = f"Reload failed, still serving {old}: {exc}"
        else:
            text = (
                f"Now serving {self.bot.worker.serving_dir} "
                f"(trained {info.get('trained_at', 'unknown')})."
            )
        await interaction.edit_original_response(content=text)

    @app_commands.command(name="post", description="Admin: post a scheduled meme now")
    @admin_only
    async def post(self, interaction: discord.Interaction) -> None:
        poster = posting.require(self.bot.poster)
        await interaction.response.defer(ephemeral=True, thinking=True)
        summary = await poster.post_now()
        await interaction.edit_original_response(content=summary)

    @app_commands.command(name="pause", description="Admin: pause scheduled posts")
    @admin_only
    async def pause(self, interaction: discord.Interaction) -> None:
        posting.require(self.bot.poster).pause()
        await interaction.response.send_message("Scheduled posts paused.", ephemeral=True)

    @app_commands.command(name="resume", description="Admin: resume scheduled posts")
    @admin_only
    async def resume(self, interaction: discord.Interaction) -> None:
        posting.require(self.bot.poster).resume()
        await interaction.response.send_message("Scheduled posts resumed.", ephemeral=True)


async def setup(bot: DeepcisoBot) -> None:
    await bot.add_cog(AdminCog(bot), override=True)
