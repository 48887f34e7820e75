"""Settings for scheduled posts, X and the post ledger, read from ``.env`` (see ``.env.example``).

A malformed key raises :class:`~pipeline.errors.UserError` with one line naming it. Slots come
from ``SCHEDULE_CRON`` or ``SCHEDULE_INTERVAL``; they go to ``SCHEDULE_DISCORD_CHANNEL_IDS``
and, with ``SCHEDULE_POST_TO_X``, to X.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.posting.ledger import DEFAULT_LEDGER_PATH
from bot.posting.targets.x_client import XCredentials
from bot.settings import _Reader  # the bot's typed .env reader: one-line errors per key
from pipeline.errors import UserError

X_KEYS = ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd]?)$")


@dataclass(frozen=True)
class ScheduleSettings:
    """When to post, where, and how hard to retry; defaults suit one post every few hours."""

    cron: str | None = None
    interval: timedelta | None = None
    timezone: tzinfo = UTC
    jitter_seconds: int = 0
    grace: timedelta = timedelta(hours=1)
    discord_channel_ids: tuple[int, ...] = ()
    post_to_x: bool = False
    x_credentials: XCredentials | None = None
    x_api_base: str | None = None
    x_daily_budget: int = 10
    x_timeout_seconds: float = 20.0
    max_tries: int = 4
    retry_base_seconds: float = 60.0
    ledger_path: Path = DEFAULT_LEDGER_PATH
    recent_texts: int = 200

    @property
    def targets(self) -> tuple[str, ...]:
        """Ledger names of the targets: ``discord:<channel id>`` ..., then ``x``."""
        names = tuple(f"discord:{c}" for c in self.discord_channel_ids)
        return (*names, "x") if self.post_to_x else names

    @property
    def scheduled(self) -> bool:
        """A cron expression or an interval is set (posting also needs a target)."""
        return self.cron is not None or self.interval is not None

    def describe(self) -> str:
        if not self.scheduled:
            return "no schedule (SCHEDULE_CRON or SCHEDULE_INTERVAL); /deepciso post still works"
        when = f"cron '{self.cron}'" if self.cron else f"every {self.interval}"
        return f"{when} ({self.timezone})"


def load_schedule_settings(env: Mapping[str, str]) -> ScheduleSettings:
    """Read and check every scheduling key in ``env`` (``.env`` overlaid by the environment)."""
    value = {k: v.strip() for k, v in env.items() if v is not None and v.strip()}
    read = _Reader(value)
    cron = value.get("SCHEDULE_CRON")
    interval = _duration(value, "SCHEDULE_INTERVAL")
    if cron and interval:
        raise UserError("SCHEDULE_CRON and SCHEDULE_INTERVAL are both set: keep one of them")
    timezone = _timezone(value.get("SCHEDULE_TIMEZONE", "UTC"))
    if cron:
        _check_cron(cron, timezone)
    post_to_x = read.boolean("SCHEDULE_POST_TO_X", False)
    credentials = None
    if post_to_x:
        missing = [k for k in X_KEYS if k not in value]
        if missing:
            raise UserError(
                f"{missing[0]} is missing: SCHEDULE_POST_TO_X is on, so put the four X keys "
                f"({', '.join(X_KEYS)}) in .env, or set SCHEDULE_POST_TO_X=false"
            )
        credentials = XCredentials(*(value[k] for k in X_KEYS))
    grace = _duration(value, "SCHEDULE_GRACE")
    return ScheduleSettings(
        cron=cron,
        interval=interval,
        timezone=timezone,
        jitter_seconds=read.integer("SCHEDULE_JITTER_SECONDS", 0, 0),
        grace=timedelta(hours=1) if grace is None else grace,
        discord_channel_ids=tuple(sorted(read.ids("SCHEDULE_DISCORD_CHANNEL_IDS"))),
        post_to_x=post_to_x,
        x_credentials=credentials,
        x_api_base=read.url("X_API_BASE", ("http", "https")),
        x_daily_budget=read.integer("X_DAILY_BUDGET", 10, 0),
        x_timeout_seconds=read.number("X_TIMEOUT_SECONDS", 20.0, 0.1),
        max_tries=read.integer("POST_MAX_TRIES", 4, 1),
        retry_base_seconds=read.number("POST_RETRY_BASE_SECONDS", 60.0, 0.0),
        ledger_path=Path(value.get("LEDGER_PATH", str(DEFAULT_LEDGER_PATH))),
    )


def _duration(value: Mapping[str, str], key: str) -> timedelta | None:
    raw = value.get(key)
    if raw is None:
        return None
    match = _DURATION.match(raw.lower())
    if not match or float(match.group(1)) <= 0:
        raise UserError(f"{key}={raw!r} is not a duration: use e.g. 30s, 15m, 4h or 1d")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2) or "m"])


def _timezone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"SCHEDULE_TIMEZONE={name!r} is not a known time zone: use an IANA name "
            "such as UTC or Europe/Berlin"
        ) from None


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _weekday(token: str) -> int:
    if token.isdigit() and int(token) <= 7:
        return int(token) % 7
    if token[:3] in _WEEKDAYS:
        return _WEEKDAYS.index(token[:3])
    raise ValueError(f"bad weekday {token!r}")


def standard_weekdays(field: str) -> str:
    """A crontab weekday field (0 or 7 = Sunday) as APScheduler 3 names (it counts 0 = Monday)."""
    days: set[int] = set()
    for part in field.lower().split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spec == "*":
            first, last = 0, 6
        elif "-" in spec:
            low, high = spec.split("-", 1)
            first, last = _weekday(low), int(high) if high == "7" else _weekday(high)
        else:
            first = last = _weekday(spec)
        if last < first or step < 1:
            raise ValueError(f"bad weekday range {part!r}")
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_WEEKDAYS[d] for d in sorted(days))


def cron_trigger(expression: str, timezone: tzinfo, jitter: int | None = None):
    """An APScheduler ``CronTrigger`` with standard crontab meaning (weekdays as in cron)."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{len(fields)} fields instead of 5")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=standard_weekdays(weekday),
        timezone=timezone,
        jitter=jitter or None,
    )


def _check_cron(expression: str, timezone: tzinfo) -> None:
    try:
        cron_trigger(expression, timezone)
    except ValueError as exc:
        raise UserError(
            f"SCHEDULE_CRON={expression!r} is not a cron expression ({exc}): use five fields, "
            "minute hour day month weekday, e.g. '0 */4 * * *'"
        ) from None
