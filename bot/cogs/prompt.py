"""``/deepciso prompt``: a meme that starts with the user's words."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.cogs import GroupCog
from bot.replies import tell, tell_after_defer
from bot.serving.prompts import PromptRejected
from bot.serving.worker import WorkerError

if TYPE_CHECKING:
    from bot.app import DeepcisoBot

log = logging.getLogger(__name__)


def _cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    """One prompt per user per ``BOT_COOLDOWN_SECONDS`` (read at run time; 0 turns it off)."""
    seconds = interaction.client.settings.serving.cooldown_seconds  # type: ignore[attr-defined]
    return app_commands.Cooldown(1, seconds) if seconds > 0 else None


class PromptCog(GroupCog):
    bot: DeepcisoBot

    @app_commands.command(name="prompt", description="Make a meme that starts with your words")
    @app_commands.describe(text="The first words of the meme")
    @app_commands.checks.dynamic_cooldown(_cooldown, key=lambda i: i.user.id)
    async def prompt(self, interaction: discord.Interaction, text: str) -> None:
        worker = self.bot.worker
        try:
            # the filter's check is CPU work: keep it off the loop (a burst of prompts would
            # otherwise stall the gateway for ~1 ms each; bench/bot_load.py)
            prompt = await asyncio.to_thread(self.bot.gate.admit, text)
            pending = worker.submit(prompt)
        except (PromptRejected, WorkerError) as exc:
            await tell(interaction, str(exc))
            return
        await interaction.response.defer(thinking=True)  # within Discord's 3 seconds
        try:
            meme = await worker.result(pending)
        except WorkerError as exc:
            await tell_after_defer(interaction, str(exc))
            return
        log.info(
            "answered interaction %s with the model trained %s", interaction.id, meme.trained_at
        )
        await interaction.edit_original_response(content=meme.text)


async def setup(bot: DeepcisoBot) -> None:
    await bot.add_cog(PromptCog(bot), override=True)
