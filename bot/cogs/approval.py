"""The approval queue on Discord: the moderators' message, its buttons, and ``/deepciso queue``.

Each draft is one message in ``APPROVAL_CHANNEL_ID`` with a button per candidate, Reject and
Another. The buttons are a :class:`discord.ui.DynamicItem` template registered when the cog
loads: their ``custom_id`` (``deepciso:draft:<slot>:<round>:<choice>``) carries everything a
press needs, so a message posted before a restart still works after it. Only admins (the same
``DISCORD_ADMIN_IDS`` / ``DISCORD_ADMIN_ROLE_IDS`` as the admin commands) may press; anyone else
is told so privately. What a press does is decided in the ledger
(:mod:`bot.posting.approval`), never here.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.cogs import GroupCog
from bot.cogs.admin import admin_only, admin_user
from bot.posting.approval import ApprovalQueue
from bot.posting.drafts import ANOTHER, APPROVE, Draft
from bot.replies import tell

if TYPE_CHECKING:
    from bot.app import DeepcisoBot

log = logging.getLogger(__name__)

CUSTOM_ID = r"deepciso:draft:(?P<slot>[0-9]+):(?P<round>[0-9]+):(?P<choice>[0-9]+|reject|another)"
NOT_ADMIN = "Only DeepCISO admins can decide on drafts; nothing was posted."
QUEUE_OFF = "The approval queue is not set up in this bot (APPROVAL_CHANNEL_ID); nothing was done."
CONTENT_LIMIT = 2000  # Discord's limit on a message's content


def _when(moment) -> str:
    return f"<t:{int(moment.timestamp())}:f>"


def _quote(text: str, limit: int) -> str:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "\n".join("> " + line for line in text.splitlines() or [""])


def render(draft: Draft, queue: ApprovalQueue, note: str | None = None) -> str:
    """The message the moderators see for ``draft`` as it stands (``note``: a line about what
    is happening now, e.g. "posting…")."""
    head = f"**Draft for the slot of {_when(draft.scheduled_at)}** (slot {draft.slot_id})"
    who = f"<@{draft.decided_by}> ({draft.decided_name})" if draft.decided_by else "nobody"
    if draft.status == "pending":
        targets = ", ".join(t for t in queue.runner.targets if queue.settings.needs_approval(t))
        lines = [
            f"{head}: pick one to post to {targets or 'the public targets'}. Expires "
            f"<t:{int(draft.expires_at.timestamp())}:R>."
        ]
        room = (CONTENT_LIMIT - 400) // max(1, len(draft.candidates))
        for number, text in enumerate(draft.candidates, 1):
            lines.append(f"**{number}.**\n{_quote(text, room)}")
        if not draft.candidates:
            lines.append("No clean meme this time: press Another to try again, or Reject.")
    elif draft.status == "approved":
        lines = [
            f"{head}: candidate {draft.choice} **approved** by {who} at {_when(draft.decided_at)}.",
            _quote(draft.text or "", CONTENT_LIMIT - 600),
            f"Posted: {queue.summary(draft.slot_id) or 'no target'}",
        ]
    elif draft.status == "rejected":
        lines = [f"{head}: **rejected** by {who} at {_when(draft.decided_at)}. Nothing was posted."]
    elif draft.status == "expired":
        lines = [
            f"{head}: **expired** at {_when(draft.decided_at or draft.expires_at)}, not decided "
            f"within {queue.settings.max_age} (APPROVAL_MAX_AGE). Nothing was posted."
        ]
    else:
        lines = [f"{head}: {draft.status}. Nothing was posted."]
    if note:
        lines.append(note)
    return "\n".join(lines)[:CONTENT_LIMIT]


class DraftButton(discord.ui.DynamicItem[discord.ui.Button], template=CUSTOM_ID):
    """One button of a draft: a candidate's number, ``reject`` or ``another``."""

    def __init__(self, slot_id: int, round_number: int, choice: str) -> None:
        if choice.isdigit():
            label, style = f"Post {choice}", discord.ButtonStyle.success
        elif choice == "reject":
            label, style = "Reject", discord.ButtonStyle.danger
        else:
            label, style = "Another", discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label,
                style=style,
                custom_id=f"deepciso:draft:{slot_id}:{round_number}:{choice}",
            )
        )
        self.slot_id, self.round, self.choice = slot_id, round_number, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> DraftButton:
        return cls(int(match["slot"]), int(match["round"]), match["choice"])

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if admin_user(interaction):
            return True
        log.info("refused a draft button from user %s", interaction.user.id)
        await tell(interaction, NOT_ADMIN)
        return False

    async def callback(self, interaction: discord.Interaction) -> None:
        queue = _queue(interaction.client)
        if queue is None:
            await tell(interaction, QUEUE_OFF)
            return
        user = interaction.user
        decision = queue.decide(
            self.slot_id, self.round, self.choice, user_id=user.id, user_name=user.display_name
        )
        if not decision.accepted:
            await tell(interaction, f"Not done: {decision.reason}.")
            return
        draft = decision.draft
        if decision.action == ANOTHER:
            note = f"{user.display_name} asked for other candidates; generating…"
            await interaction.response.edit_message(content=render(draft, queue, note), view=None)
            await queue.another(self.slot_id)  # the message is edited with the new ones
        elif decision.action == APPROVE:
            note = "Posting…"
            await interaction.response.edit_message(content=render(draft, queue, note), view=None)
            await queue.send_approved(self.slot_id)
            await queue.announcer.update(queue.drafts.draft(self.slot_id))
        else:
            await interaction.response.edit_message(content=render(draft, queue), view=None)


def draft_view(draft: Draft) -> discord.ui.View:
    """The buttons of a pending draft (a persistent view: no timeout, every item has an id)."""
    view = discord.ui.View(timeout=None)
    choices = [str(n) for n in range(1, len(draft.candidates) + 1)] + ["reject", "another"]
    for choice in choices:
        view.add_item(DraftButton(draft.slot_id, draft.round, choice))
    return view


class DiscordAnnouncer:
    """Shows drafts in the moderators' channel (:class:`bot.posting.approval.Announcer`)."""

    def __init__(self, client: discord.Client, queue: ApprovalQueue) -> None:
        self.client = client
        self.queue = queue

    async def show(self, draft: Draft) -> tuple[int, int] | None:
        channel_id = self.queue.settings.channel_id
        channel = self.client.get_partial_messageable(channel_id)
        try:
            message = await channel.send(
                render(draft, self.queue),
                view=draft_view(draft),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as exc:
            log.error(
                "slot %d: cannot show the draft in APPROVAL_CHANNEL_ID %s (%s %s): give the bot "
                "View Channel and Send Messages there; the draft expires unless decided",
                draft.slot_id,
                channel_id,
                exc.status,
                exc.text,
            )
            return None
        return channel_id, message.id

    async def update(self, draft: Draft, summary: str | None = None) -> None:
        channel = self.client.get_partial_messageable(draft.channel_id)
        pending = draft.status == "pending"
        await channel.get_partial_message(draft.message_id).edit(
            content=render(draft, self.queue, summary),
            view=draft_view(draft) if pending else None,
            allowed_mentions=discord.AllowedMentions.none(),
        )


def _queue(client: discord.Client) -> ApprovalQueue | None:
    poster = getattr(client, "poster", None)
    return getattr(poster, "approval", None)


class ApprovalCog(GroupCog):
    bot: DeepcisoBot

    async def cog_load(self) -> None:
        await super().cog_load()
        self.bot.add_dynamic_items(DraftButton)  # presses on messages from before a restart

    def attach(self, queue: ApprovalQueue) -> None:
        """Turn the queue on: its drafts are shown in the moderators' channel from now on."""
        queue.announcer = DiscordAnnouncer(self.bot, queue)

    @app_commands.command(name="queue", description="Admin: drafts waiting for approval")
    @admin_only
    async def queue(self, interaction: discord.Interaction) -> None:
        approval = _queue(self.bot)
        if approval is None:
            await tell(interaction, QUEUE_OFF)
            return
        drafts = approval.drafts.pending()
        lines = [f"{len(drafts)} draft(s) waiting for approval."]
        for draft in drafts:
            where = (
                f"https://discord.com/channels/{interaction.guild_id}/{draft.channel_id}/"
                f"{draft.message_id}"
                if draft.message_id
                else "not shown (see the log)"
            )
            lines.append(
                f"Slot {draft.slot_id} of {_when(draft.scheduled_at)}: "
                f"{len(draft.candidates)} candidate(s), expires "
                f"<t:{int(draft.expires_at.timestamp())}:R>, {where}"
            )
        await interaction.response.send_message("\n".join(lines)[:CONTENT_LIMIT], ephemeral=True)


async def setup(bot: DeepcisoBot) -> None:
    await bot.add_cog(ApprovalCog(bot), override=True)
