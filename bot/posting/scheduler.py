"""Scheduled posts: APScheduler 3 (``AsyncIOScheduler``) in the bot's running loop.

:class:`PostScheduler` is the bot's :class:`bot.posting.poster.Poster`: ``/deepciso post``,
``pause``, ``resume`` and ``status`` call it. It fires slots on a cron expression or an interval
(with optional jitter), hands each to :class:`bot.posting.slots.SlotRunner`, and plans retries.
After a restart, the slots missed while the bot was down are posted once (the latest, when it is
within ``SCHEDULE_GRACE``) or skipped, with a log line either way. Pausing survives restarts (it is
kept in the ledger).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from bot.posting.ledger import iso, parse_iso, utcnow
from bot.posting.settings import cron_trigger
from bot.posting.slots import X_TARGET, SlotRunner

log = logging.getLogger(__name__)

POST_JOB = "deepciso-post"
RETRY_JOB = "deepciso-retry"
MAX_MISSED_COUNT = 10_000


class PostScheduler:
    """Schedules a :class:`SlotRunner`. ``await start()`` inside the running loop (the bot's
    ``setup_hook``), ``await stop()`` at shutdown."""

    def __init__(self, runner: SlotRunner) -> None:
        self.runner = runner
        self.settings = runner.settings
        self.ledger = runner.ledger  # owned: closed by stop()
        self._aps = None
        self._startup: asyncio.Task | None = None

    # -- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start APScheduler in this loop; recovery and catch-up run in the background."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._aps = AsyncIOScheduler(timezone=self.settings.timezone)
        self._aps.start()
        self._startup = asyncio.create_task(self._recover_and_catch_up())
        self._startup.add_done_callback(_log_failure)
        if self.approval is not None:
            self.approval.start()
        log.info(
            "scheduled posts: %s, to %s",
            self.settings.describe(),
            ", ".join(self.runner.targets) or "no target",
        )

    async def ready(self) -> None:
        """Wait until start-up recovery and catch-up are done."""
        if self._startup is not None:
            await asyncio.shield(self._startup)

    async def stop(self, wait: float = 10.0) -> None:
        """Stop scheduling; a slot that is sending gets ``wait`` seconds to finish, then the
        ledger is closed (a send still in flight then is settled at the next start)."""
        if self.approval is not None:
            await self.approval.stop()
        if self._startup is not None and not self._startup.done():
            self._startup.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._startup
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        self._aps = None
        try:  # held from here on: nothing writes the ledger once it is closed
            await asyncio.wait_for(self.runner.lock.acquire(), wait)
        except TimeoutError:
            log.warning("a scheduled post was still sending at shutdown; the next start settles it")
            return
        self.ledger.close()

    async def _recover_and_catch_up(self) -> None:
        now = utcnow()
        for text in self.ledger.recent_posted_texts(self.settings.recent_texts):
            await self.runner.remember(text)
        await self.runner.recover()
        if self.settings.scheduled:
            anchors = [self.ledger.last_slot_time(), parse_iso(self.ledger.state("anchor"))]
            anchor = max((a for a in anchors if a is not None), default=None)
            if anchor is not None and not self.paused:
                await self._catch_up(anchor, now)
            self.ledger.set_state("anchor", iso(now))
            self._add_post_job(now)
        self._plan_retry()

    # -- the schedule --------------------------------------------------------------------

    def _trigger(self, now: datetime, jitter: bool = True):
        from apscheduler.triggers.interval import IntervalTrigger

        settings = self.settings
        spread = settings.jitter_seconds if jitter else None
        if settings.cron is not None:
            return cron_trigger(settings.cron, settings.timezone, spread)
        last = self.ledger.last_slot_time()
        start = now + settings.interval
        if last is not None and last + settings.interval > now:
            start = last + settings.interval
        return IntervalTrigger(
            seconds=settings.interval.total_seconds(),
            start_date=start,
            timezone=settings.timezone,
            jitter=spread or None,
        )

    def _add_post_job(self, now: datetime) -> None:
        job = self._aps.add_job(
            self._scheduled_slot,
            self._trigger(now),
            id=POST_JOB,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(self.settings.grace.total_seconds())),
        )
        if self.paused:
            job.pause()

    def _missed(self, anchor: datetime, now: datetime) -> tuple[int, datetime | None]:
        """How many slots fell in (anchor, now], and the latest of them."""
        interval = self.settings.interval
        if interval is not None:
            count = int((now - anchor) / interval)
            return count, (anchor + count * interval if count else None)
        trigger = cron_trigger(self.settings.cron, self.settings.timezone)
        count, latest, moment = 0, None, anchor
        while count < MAX_MISSED_COUNT:
            moment = trigger.get_next_fire_time(moment, now)
            if moment is None or moment > now:
                break
            count, latest = count + 1, moment
        return count, latest

    async def _catch_up(self, anchor: datetime, now: datetime) -> None:
        count, latest = self._missed(anchor, now)
        if latest is None:
            return
        grace = self.settings.grace
        if now - latest <= grace:
            log.info(
                "%d slot(s) missed while the bot was down; posting the one of %s once now",
                count,
                latest.isoformat(timespec="seconds"),
            )
            await self.runner.run("catch-up", latest)
        else:
            reason = f"missed while the bot was down, older than the grace period ({grace})"
            log.warning(
                "skipping %d slot(s) missed while the bot was down (latest %s): older than "
                "the grace period %s (SCHEDULE_GRACE)",
                count,
                latest.isoformat(timespec="seconds"),
                grace,
            )
            self.runner.skip("missed", latest, reason)

    async def _scheduled_slot(self) -> None:
        await self.runner.run("scheduled", utcnow())
        self._plan_retry()

    def _plan_retry(self) -> None:
        if self._aps is None:
            return
        when = self.ledger.next_retry_at()
        if when is None:
            if self._aps.get_job(RETRY_JOB) is not None:
                self._aps.remove_job(RETRY_JOB)
            return
        self._aps.add_job(
            self._retry,
            "date",
            run_date=when,
            id=RETRY_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            # planned again from inside a running retry: that one must not block it (the
            # runner's lock serialises them, and a retry pass only sends what is due)
            max_instances=4,
        )

    async def _retry(self) -> None:
        await self.runner.retry_due()
        self._plan_retry()

    async def send_due(self) -> None:
        """Send every delivery that is due now (an approved draft's), then plan retries."""
        await self._retry()

    @property
    def approval(self):
        """The moderators' approval queue (:mod:`bot.posting.approval`), or None."""
        return self.runner.approval

    # -- bot.posting.poster.Poster ---------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.ledger.state("paused") == "1"

    async def post_now(self) -> str:
        """Post one meme to every target now (even while paused); a one-line summary."""
        slot_id = await self.runner.run("manual", utcnow())
        self._plan_retry()
        return self.runner.summary(slot_id)

    def pause(self) -> None:
        self.ledger.set_state("paused", "1")
        job = self._aps.get_job(POST_JOB) if self._aps is not None else None
        if job is not None:
            job.pause()
        log.info("scheduled posts paused")

    def resume(self) -> None:
        self.ledger.set_state("paused", "0")
        self.ledger.set_state("anchor", iso(utcnow()))  # slots skipped while paused stay skipped
        job = self._aps.get_job(POST_JOB) if self._aps is not None else None
        if job is not None:
            job.resume()
        log.info("scheduled posts resumed")

    def upcoming(self, count: int = 3) -> list[datetime]:
        job = self._aps.get_job(POST_JOB) if self._aps is not None else None
        if job is None or job.next_run_time is None:
            return []
        times = [job.next_run_time]
        while len(times) < count:
            following = job.trigger.get_next_fire_time(times[-1], times[-1])
            if following is None:
                break
            times.append(following)
        return times

    def status_lines(self) -> list[str]:
        lines = []
        lines.append(f"Schedule: {self.settings.describe()}")
        for name, target in self.runner.targets.items():
            limit = getattr(target, "max_length", None)
            health = "ok" + (f" (posts up to {limit} characters)" if limit else "")
            lines.append(
                f"{name}: " + (health if target.problem is None else f"unhealthy: {target.problem}")
            )
        x = self.runner.targets.get(X_TARGET)
        if x is not None:
            today = self.runner.x_posts_today()
            limits = getattr(x, "limits", None)
            lines.append(
                f"X today: {today} of {self.settings.x_daily_budget} posts"
                + (f"; {limits.describe()}" if limits is not None else "")
            )
        counts = self.ledger.status_counts()
        waiting = sum(counts.get(s, 0) for s in ("pending", "retrying", "sending"))
        retry = self.ledger.next_retry_at()
        lines.append(
            f"Ledger: {counts.get('posted', 0)} posted, {waiting} waiting, "
            f"{counts.get('failed', 0)} failed, {counts.get('skipped', 0)} skipped"
            + (f"; next retry {retry.isoformat(timespec='seconds')}" if retry else "")
        )
        if self.approval is not None:
            lines.append(self.approval.status_line())
        for post in self.ledger.last_posts(3):
            text = (post.text or "")[:60]
            lines.append(
                f"Last post: {post.posted_at.isoformat(timespec='minutes')} to {post.target}: "
                f"{text!r}"
            )
        return lines


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("scheduled posts: start-up recovery failed", exc_info=task.exception())
