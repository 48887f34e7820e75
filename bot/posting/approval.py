"""The moderators' approval queue: a human picks what goes to the public targets.

With ``APPROVAL_CHANNEL_ID`` set, a slot's deliveries to the targets that need approval
(``APPROVAL_TARGETS``; default: every target but the Discord channels) are ``held`` in the ledger
and the slot's ``APPROVAL_CANDIDATES`` best memes (distinct, all through the content filter) go to
the moderators' channel as one message with a button each, Reject and Another. The other targets
get the first candidate at once, as without approval. An admin's choice is decided in the ledger
(:class:`~bot.posting.drafts.DraftBook`, one transaction) and the held deliveries are then sent
by the slot runner, once each. A draft not decided within ``APPROVAL_MAX_AGE`` expires: nothing
is posted late. The Discord side (message, buttons, who may press) is :mod:`bot.cogs.approval`;
this module knows nothing of Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.posting.drafts import ANOTHER, APPROVE, Decision, Draft, DraftBook
from bot.posting.ledger import utcnow
from pipeline.env import EnvSection, setting
from pipeline.errors import UserError

if TYPE_CHECKING:
    from bot.posting.slots import SlotRunner

log = logging.getLogger(__name__)

REMOTE_TARGETS = ("x", "bluesky", "mastodon")
# How often the queue looks for drafts to expire when none is due sooner.
SWEEP_SECONDS = 60.0


def _targets_key(key: str, raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(p.strip().lower() for p in raw.split(",") if p.strip()))
    for name in names:
        channel = name.removeprefix("discord:")
        if name not in (*REMOTE_TARGETS, "discord") and not (name != channel and channel.isdigit()):
            raise UserError(
                f"{key}={raw!r}: {name!r} is not a target: use x, bluesky, mastodon, discord "
                "(every channel) or discord:<channel id>, separated by commas"
            )
    return names


@dataclass(frozen=True)
class ApprovalSettings(EnvSection):
    """The moderators' approval queue (``APPROVAL_<FIELD>``); off while no channel is set."""

    ENV_PREFIX = "APPROVAL_"

    channel_id: int | None = setting(None, low=1)
    candidates: int = setting(3, low=1, high=5)
    targets: tuple[str, ...] = setting((), parse=_targets_key)
    max_age: timedelta = timedelta(hours=6)

    def needs_approval(self, target: str) -> bool:
        """Whether ``target`` (a ledger name) waits for a moderator (when the queue is on)."""
        if not self.targets:
            return target in REMOTE_TARGETS
        return target in self.targets or (
            target.startswith("discord:") and "discord" in self.targets
        )


class Announcer(Protocol):
    """Shows drafts to the moderators (the Discord cog; tests may bring their own)."""

    async def show(self, draft: Draft) -> tuple[int, int] | None:
        """Post a new draft; (channel id, message id), or None when it could not be shown."""
        ...

    async def update(self, draft: Draft, summary: str | None = None) -> None:
        """Show the draft as it now stands (new candidates, a decision; ``summary``: where the
        approved text went)."""
        ...


class ApprovalQueue:
    """The drafts of one runner's ledger; on once an :class:`Announcer` is attached."""

    def __init__(
        self,
        settings: ApprovalSettings,
        runner: SlotRunner,
        send_due: Callable[[], Awaitable[None]],
    ) -> None:
        self.settings = settings
        self.runner = runner
        self.drafts = DraftBook(runner.ledger)
        self.send_due = send_due  # sends due deliveries (the approved ones) and plans retries
        self.announcer: Announcer | None = None
        self._sweeper: asyncio.Task | None = None
        self._wake = asyncio.Event()  # a new draft: its expiry may be the next one

    @property
    def active(self) -> bool:
        return self.settings.channel_id is not None and self.announcer is not None

    def held(self, targets: Iterable[str]) -> tuple[str, ...]:
        """Which of ``targets`` a new slot holds for approval (none while the queue is off)."""
        if not self.active:
            return ()
        return tuple(t for t in targets if self.settings.needs_approval(t))

    def expires_at(self, now: datetime | None = None) -> datetime:
        return (now or utcnow()) + self.settings.max_age

    async def present(self, slot_id: int, texts: list[str]) -> None:
        """Store the current round's candidates and show them (a new message, or the draft's
        message edited after Another)."""
        draft = self.drafts.draft(slot_id)
        if draft is None or draft.status != "pending":
            return
        self.drafts.add_candidates(slot_id, draft.round, texts)
        self._wake.set()
        draft = self.drafts.draft(slot_id)
        if self.announcer is None:
            log.warning("slot %d: a draft waits for approval but nothing can show it", slot_id)
            return
        try:
            if draft.message_id is not None:
                await self.announcer.update(draft)
                return
            shown = await self.announcer.show(draft)
        except Exception:  # Discord unreachable: the slot's other targets still post
            log.exception("slot %d: could not show the draft; it expires unless decided", slot_id)
            return
        if shown is not None:  # moderators get the whole APPROVAL_MAX_AGE from now on
            self.drafts.set_message(slot_id, *shown, expires_at=self.expires_at())
            self._wake.set()
        log.info("slot %d: %d candidate(s) wait for approval", slot_id, len(texts))

    def decide(self, slot_id: int, round_number: int, action: str, **who) -> Decision:
        """Record one press (see :meth:`DraftBook.decide`); an approval is sent by
        :meth:`send_approved`, which the caller awaits after answering the press."""
        decision = self.drafts.decide(slot_id, round_number, *_action(action), **who)
        log.info(
            "slot %d: %s by %s: %s",
            slot_id,
            action,
            who.get("user_name") or who.get("user_id"),
            decision.reason,
        )
        if decision.accepted and decision.action != ANOTHER:
            self.runner.ledger.finish_slot(slot_id)
        return decision

    async def send_approved(self, slot_id: int) -> str:
        """Send the approved text to the held targets (once: the ledger says what is due); a
        one-line summary of where it went."""
        await self.send_due()
        return self.summary(slot_id)

    async def another(self, slot_id: int) -> None:
        """New candidates for a draft whose round was just advanced (Another)."""
        try:
            texts = await self.runner.candidates(slot_id, self.settings.candidates)
        except Exception:  # the worker stopped...: the draft stays, with Reject and Another
            log.exception("slot %d: generating other candidates failed", slot_id)
            texts = []
        await self.present(slot_id, texts)

    def summary(self, slot_id: int) -> str:
        """Where the slot's held targets stand (posted, failed, skipped...)."""
        parts = []
        for d in self.runner.ledger.deliveries(slot_id):
            if not self.settings.needs_approval(d.target):
                continue
            state = d.status + (f" (id {d.remote_id})" if d.remote_id else "")
            parts.append(f"{d.target}: {state}" + (f" ({d.error})" if d.error else ""))
        return "; ".join(parts)

    # -- expiry --------------------------------------------------------------------------

    async def expire_due(self) -> list[int]:
        """Expire the drafts whose time is up and show them as expired; their slot ids."""
        expired = self.drafts.expire_due()
        for slot_id in expired:
            self.runner.ledger.finish_slot(slot_id)
            log.warning("slot %d: not approved within %s; expired", slot_id, self.settings.max_age)
            draft = self.drafts.draft(slot_id)
            if self.announcer is not None and draft is not None and draft.message_id is not None:
                try:
                    await self.announcer.update(draft)
                except Exception:  # the channel is gone: the ledger is what counts
                    log.exception("slot %d: could not show the draft as expired", slot_id)
        return expired

    def start(self) -> None:
        """Expire overdue drafts now and keep doing it (in the running loop)."""
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    async def _sweep(self) -> None:
        while True:
            try:
                await self.expire_due()
            except Exception:
                log.exception("approval queue: expiring drafts failed")
            due = self.drafts.next_expiry()
            wait = SWEEP_SECONDS
            if due is not None:
                wait = min(wait, max(0.05, (due - utcnow()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()

    # -- reporting -----------------------------------------------------------------------

    def status_line(self) -> str:
        counts = self.drafts.counts()
        order = ("pending", "approved", "rejected", "expired", "skipped")
        where = f"channel {self.settings.channel_id}" if self.active else "off"
        return f"Approval queue ({where}): " + ", ".join(f"{counts.get(s, 0)} {s}" for s in order)


def _action(action: str) -> tuple[str, int | None]:
    """A button's choice (``"2"``, ``"reject"``, ``"another"``) as (action, candidate)."""
    if action.isdigit():
        return APPROVE, int(action)
    return action, None
