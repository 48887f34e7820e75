"""Run one slot: one filtered meme, the same text to every target, every step in the ledger.

The ledger is written before each send (``sending``) and after it, so :meth:`SlotRunner.recover`
can finish a slot a crash interrupted without posting anything twice: a send left in doubt is
repeated only to a target that refuses a second copy itself (X refuses duplicate text; Discord
returns the first message for a repeated nonce within a few minutes; Mastodon the first status
for a repeated ``Idempotency-Key`` within an hour) or that can look for it first (Bluesky: the
account's latest posts are searched for the text, see ``find_post``); otherwise it is marked
failed and named in the log.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.posting.errors import (
    DuplicateText,
    PostError,
    RateLimited,
    TransientError,
)
from bot.posting.ledger import Delivery, Ledger, utcnow
from bot.posting.settings import ScheduleSettings
from bot.posting.targets.base import PostTarget
from pipeline.contentfilter.length import LengthRules
from pipeline.contentfilter.verdict import Target, reason_code

log = logging.getLogger(__name__)

X_TARGET = "x"
# How long after a send its target still recognises a repeat of it (see the module docstring).
RESEND_WINDOWS = {
    "x": timedelta(hours=24),
    "discord": timedelta(minutes=2),
    "mastodon": timedelta(hours=1),
}
MAYBE_LANDED = ("transient", "in_doubt")


class MemeResult(Protocol):
    """The content filter's ``CleanResult``: the text to post (None: nothing passed)."""

    text: str | None
    rejected: list[tuple[str, tuple[str, ...]]]
    candidates: int
    passed: list[str]  # every candidate that passed, ``text`` first


# (every target's length rules the meme must meet[, how many clean memes are wanted when more
# than one]) -> filtered memes
MakeMeme = Callable[..., Awaitable[MemeResult]]


def _resend_window(target: str) -> timedelta | None:
    return RESEND_WINDOWS.get(target.split(":", 1)[0])


class SlotRunner:
    """Owns the sending: one slot (or retry pass) at a time, serialised by a lock."""

    def __init__(
        self,
        settings: ScheduleSettings,
        ledger: Ledger,
        targets: Sequence[PostTarget],
        make_meme: MakeMeme,
        on_posted: Callable[[str], Awaitable[None] | None] | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.targets = {t.name: t for t in targets}
        self.make_meme = make_meme
        self.on_posted = on_posted
        self.lock = asyncio.Lock()
        self._remembered: set[str] = set()
        self.approval = None  # a bot.posting.approval.ApprovalQueue: holds some targets

    def _hold(self) -> dict:
        """``open_slot``'s arguments for the targets that wait for a moderator, if any."""
        held = self.approval.held(self.targets) if self.approval is not None else ()
        return {"held": held, "expires_at": self.approval.expires_at()} if held else {}

    # -- slots ---------------------------------------------------------------------------

    async def run(self, kind: str, scheduled_at: datetime) -> int:
        """Open a slot for every configured target, generate, send; the slot id."""
        async with self.lock:
            slot_id = self.ledger.open_slot(scheduled_at, kind, self.targets, **self._hold())
            await self._complete(slot_id)
            return slot_id

    def skip(self, kind: str, scheduled_at: datetime, reason: str) -> int:
        """Record a slot that will not be posted (missed beyond the grace period)."""
        slot_id = self.ledger.open_slot(scheduled_at, kind, self.targets)
        self.ledger.skip_slot(slot_id, reason)
        return slot_id

    def length_rules(self) -> LengthRules:
        """The length limits the meme must meet: every target it will be sent to (a healthy one,
        or a Discord channel, which is tried even with a problem), each with its own limit
        where it has one (a Mastodon instance's ``max_length``). All of them, not the
        "strictest": the targets count differently (X weighs CJK and emoji 2, Bluesky and
        Mastodon count graphemes), so no one limit implies the others. With no such target,
        every configured one's."""
        sending = [
            name
            for name, target in self.targets.items()
            if target.problem is None or name.startswith("discord:")
        ]
        return LengthRules(
            (Target(name.split(":", 1)[0]), getattr(self.targets[name], "max_length", None))
            for name in sending or self.targets
        )

    async def _prepare_targets(self) -> None:
        """Let targets that learn their limits from the server (Mastodon) do it now."""
        for target in self.targets.values():
            prepare = getattr(target, "prepare", None)
            if prepare is not None:
                await prepare()

    async def _complete(self, slot_id: int) -> None:
        if self.ledger.slot(slot_id).text is None:
            draft = self.approval.drafts.draft(slot_id) if self.approval is not None else None
            wanted = self.approval.settings.candidates if draft is not None else 1
            try:
                result = await self._generate(slot_id, wanted)
            except Exception as exc:  # the worker stopped, the model failed...
                log.exception("slot %d: generating the meme failed", slot_id)
                self.ledger.skip_slot(slot_id, f"generating the meme failed: {exc}")
                return
            if result.text is None:
                self.ledger.skip_slot(
                    slot_id, f"no meme passed the filter ({result.candidates} candidates tried)"
                )
                return
            self.ledger.set_slot_text(slot_id, result.text, result.candidates)
            if draft is not None:
                await self.approval.present(slot_id, _distinct(result, wanted))
        for delivery in self.ledger.deliveries(slot_id):
            if delivery.status == "pending" and delivery.next_retry_at is None:
                await self._deliver(delivery)
        self.ledger.finish_slot(slot_id)

    async def candidates(self, slot_id: int, wanted: int) -> list[str]:
        """Up to ``wanted`` new distinct clean memes for ``slot_id`` (a moderator's Another)."""
        async with self.lock:
            return _distinct(await self._generate(slot_id, wanted), wanted)

    async def _generate(self, slot_id: int, wanted: int = 1) -> MemeResult:
        await self._prepare_targets()
        more = (wanted,) if wanted > 1 else ()  # (a one-meme source need not take it)
        result = await self.make_meme(self.length_rules(), *more)
        codes = Counter(  # once per candidate, even when several targets refused it
            code for _, reasons in result.rejected for code in set(map(reason_code, reasons))
        )
        self.ledger.record_rejections(slot_id, codes)
        if result.text is None:
            log.warning(
                "slot %d: no meme passed the filter (%d candidates; %s)",
                slot_id,
                result.candidates,
                dict(codes),
            )
        return result

    # -- one delivery --------------------------------------------------------------------

    def _refusal(self, delivery: Delivery, target: PostTarget | None) -> str | None:
        """Why this delivery must not be sent at all (None: send it)."""
        if target is None:
            return f"{delivery.target} is no longer a configured target"
        if delivery.target.startswith("discord:"):
            return None  # a Discord channel with a problem is tried again: it may be fixed
        if target.problem is not None:
            return target.problem
        if delivery.target == X_TARGET and self.x_posts_today() >= self.settings.x_daily_budget:
            return (
                f"X daily budget of {self.settings.x_daily_budget} posts reached (X_DAILY_BUDGET)"
            )
        return None

    def x_posts_today(self) -> int:
        """Posts to X since midnight in the schedule's time zone (sends in flight count)."""
        midnight = datetime.now(self.settings.timezone).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return self.ledger.posts_since(X_TARGET, midnight)

    async def _deliver(self, delivery: Delivery) -> None:
        target = self.targets.get(delivery.target)
        refusal = self._refusal(delivery, target)
        if refusal is not None:
            self.ledger.set_delivery(delivery.id, "skipped", refusal)
            log.warning(
                "slot %d: not posting to %s: %s", delivery.slot_id, delivery.target, refusal
            )
            return
        text = delivery.text
        attempt = self.ledger.begin_attempt(delivery.id, text)
        try:
            remote_id, found = await self._send(target, delivery, text)
        except RateLimited as exc:
            self.ledger.finish_attempt(
                attempt,
                outcome=exc.outcome,
                status="pending",
                error=str(exc),
                next_retry_at=exc.retry_at,
            )
            log.warning("slot %d: %s: %s", delivery.slot_id, delivery.target, exc)
        except DuplicateText as exc:
            await self._duplicate(delivery, attempt, exc)
        except TransientError as exc:
            self._transient(delivery, attempt, exc)
        except PostError as exc:
            self.ledger.finish_attempt(
                attempt, outcome=exc.outcome, status="failed", error=str(exc)
            )
            log.error("slot %d: %s failed: %s", delivery.slot_id, delivery.target, exc)
        except Exception as exc:  # a bug: record it, never retry in a loop
            log.exception("slot %d: posting to %s crashed", delivery.slot_id, delivery.target)
            self.ledger.finish_attempt(
                attempt, outcome="error", status="failed", error=f"{type(exc).__name__}: {exc}"
            )
        else:
            self.ledger.finish_attempt(
                attempt,
                outcome="found" if found else "posted",
                status="posted",
                remote_id=remote_id,
                error="already posted by an earlier attempt (found among the account's posts)"
                if found
                else None,
            )
            log.info(
                "slot %d: %s %s (id %s)",
                delivery.slot_id,
                "found the earlier post on" if found else "posted to",
                delivery.target,
                remote_id,
            )
            await self.remember(text)

    async def _send(self, target: PostTarget, delivery: Delivery, text: str) -> tuple[str, bool]:
        """Send ``text``; (remote id, whether it was found already posted). A target with
        ``find_post`` is searched first when an earlier try of this text may have landed."""
        find_post = getattr(target, "find_post", None)
        if find_post is not None:
            doubtful = [
                a
                for a in self.ledger.attempts(delivery.id)[:-1]
                if a.text == text and a.outcome in MAYBE_LANDED
            ]
            if doubtful and (found := await find_post(text, doubtful[0].started_at)):
                return found, True
        slot_time = self.ledger.slot(delivery.slot_id).scheduled_at
        nonce = f"{int(slot_time.timestamp())}-{delivery.id}"
        return await target.send(text, nonce=nonce), False

    def _transient(self, delivery: Delivery, attempt: int, exc: TransientError) -> None:
        earlier = self.ledger.attempts(delivery.id)[:-1]
        tries = 1 + sum(a.outcome == exc.outcome for a in earlier)  # rate limits do not count
        if tries >= self.settings.max_tries:
            self.ledger.finish_attempt(
                attempt,
                outcome=exc.outcome,
                status="failed",
                error=f"{exc} (gave up after {tries} tries; POST_MAX_TRIES)",
            )
            log.error(
                "slot %d: %s failed after %d tries: %s",
                delivery.slot_id,
                delivery.target,
                tries,
                exc,
            )
            return
        delay = timedelta(seconds=self.settings.retry_base_seconds * 2 ** (tries - 1))
        self.ledger.finish_attempt(
            attempt,
            outcome=exc.outcome,
            status="retrying",
            error=str(exc),
            next_retry_at=utcnow() + delay,
        )
        log.warning(
            "slot %d: %s: %s; try %d of %d in %s",
            delivery.slot_id,
            delivery.target,
            exc,
            tries + 1,
            self.settings.max_tries,
            delay,
        )

    async def _duplicate(self, delivery: Delivery, attempt: int, exc: DuplicateText) -> None:
        earlier = [
            a
            for a in self.ledger.attempts(delivery.id)
            if a.id != attempt and a.text == delivery.text and a.outcome in MAYBE_LANDED
        ]
        if earlier:  # the send that timed out or was interrupted did go through
            self.ledger.finish_attempt(
                attempt,
                outcome=exc.outcome,
                status="posted",
                error="already posted by an earlier attempt (the target refused a second copy)",
            )
            log.info("slot %d: %s already had this post", delivery.slot_id, delivery.target)
            await self.remember(delivery.text)
            return
        if delivery.regenerated or self._approved(delivery.slot_id):
            self.ledger.finish_attempt(
                attempt, outcome=exc.outcome, status="failed", error=f"{exc} (twice)"
            )
            log.error(
                "slot %d: %s refused two texts as duplicates", delivery.slot_id, delivery.target
            )
            return
        self.ledger.finish_attempt(attempt, outcome=exc.outcome, status="pending", error=str(exc))
        log.warning("slot %d: %s; generating a new text once", delivery.slot_id, exc)
        result = await self._generate(delivery.slot_id)
        if result.text is None:
            self.ledger.set_delivery(
                delivery.id, "failed", "no new meme passed the filter after a duplicate"
            )
            return
        self.ledger.replace_delivery_text(delivery.id, result.text)
        await self._deliver(self.ledger.delivery(delivery.id))

    def _approved(self, slot_id: int) -> bool:
        """A moderator chose this slot's text: it is never swapped for an unseen one."""
        return self.approval is not None and self.approval.drafts.draft(slot_id) is not None

    async def remember(self, text: str) -> None:
        """Tell the novelty check (``on_posted``) about a posted text, once."""
        if self.on_posted is not None and text not in self._remembered:
            self._remembered.add(text)
            done = self.on_posted(text)
            if inspect.isawaitable(done):
                await done

    # -- retries and restarts ------------------------------------------------------------

    async def retry_due(self) -> None:
        """Send every delivery whose retry time has come."""
        async with self.lock:
            await self._retry_due()

    async def _retry_due(self) -> None:
        now = utcnow()
        slots = set()
        for delivery in self.ledger.waiting():
            due = delivery.next_retry_at is not None and delivery.next_retry_at <= now
            if delivery.status in ("pending", "retrying") and due:
                await self._deliver(delivery)
                slots.add(delivery.slot_id)
        for slot_id in slots:
            self.ledger.finish_slot(slot_id)

    async def recover(self) -> None:
        """After a start: settle sends left in doubt, then finish or skip interrupted slots."""
        async with self.lock:
            now = utcnow()
            for delivery in self.ledger.waiting():
                if delivery.status == "sending":
                    self._settle_in_doubt(delivery, now)
            for slot in self.ledger.open_slots():
                if now - slot.scheduled_at <= self.settings.grace:
                    log.info("slot %d was interrupted by a restart: finishing it", slot.id)
                    await self._complete(slot.id)
                else:
                    self._expire(slot.id)
            await self._retry_due()

    def _settle_in_doubt(self, delivery: Delivery, now: datetime) -> None:
        attempt = self.ledger.attempts(delivery.id)[-1]
        window = _resend_window(delivery.target)
        searchable = hasattr(self.targets.get(delivery.target), "find_post")
        if searchable or (window is not None and now - attempt.started_at <= window):
            self.ledger.finish_attempt(
                attempt.id,
                outcome="in_doubt",
                status="pending",
                error="interrupted while sending; "
                + (
                    "looking for it among the account's posts before sending again"
                    if searchable
                    else "sending the same post again (the target refuses a second copy)"
                ),
                next_retry_at=now,
            )
            log.warning(
                "slot %d: the send to %s was interrupted; repeating it safely",
                delivery.slot_id,
                delivery.target,
            )
            return
        self.ledger.finish_attempt(
            attempt.id,
            outcome="in_doubt",
            status="failed",
            error="interrupted while sending; not repeated, to avoid a double post",
        )
        log.error(
            "slot %d: the send to %s was interrupted and may or may not have been posted; "
            "not repeated, to avoid a double post: check it by hand",
            delivery.slot_id,
            delivery.target,
        )

    def _expire(self, slot_id: int) -> None:
        reason = "the bot was down past the grace period (SCHEDULE_GRACE)"
        for delivery in self.ledger.deliveries(slot_id):
            if delivery.status == "pending" and delivery.next_retry_at is None:
                self.ledger.set_delivery(delivery.id, "skipped", reason)
        if self.ledger.slot(slot_id).text is None:
            self.ledger.skip_slot(slot_id, reason)
        else:
            self.ledger.finish_slot(slot_id)
        log.warning("slot %d was interrupted and is too old now: %s", slot_id, reason)

    # -- reporting -----------------------------------------------------------------------

    def summary(self, slot_id: int) -> str:
        """One line: where the slot's post went, and what failed."""
        slot = self.ledger.slot(slot_id)
        if slot.status == "skipped":
            return f"Nothing posted: {slot.error}"
        parts = []
        for d in self.ledger.deliveries(slot_id):
            if d.status == "posted":
                parts.append(
                    f"{d.target}: posted" + (f" (id {d.remote_id})" if d.remote_id else "")
                )
            else:
                parts.append(f"{d.target}: {d.status}" + (f" ({d.error})" if d.error else ""))
        return "; ".join(parts)


def _distinct(result: MemeResult, wanted: int) -> list[str]:
    """The first ``wanted`` distinct texts that passed, ``result.text`` first."""
    passed = getattr(result, "passed", None) or ([result.text] if result.text else [])
    return list(dict.fromkeys(passed))[:wanted]
