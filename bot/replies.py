"""Private replies to a slash command, shared by the app (error replies) and the cogs."""

from __future__ import annotations

import discord


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
