"""The posting section of the settings: scheduled posts, X and the post ledger (``.env.example``).

A malformed key raises :class:`~pipeline.errors.UserError` with one line naming it. Slots come
from ``SCHEDULE_CRON`` or ``SCHEDULE_INTERVAL``; they go to ``SCHEDULE_DISCORD_CHANNEL_IDS``
and, with ``SCHEDULE_POST_TO_X``, to X.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.posting.ledger import DEFAULT_LEDGER_PATH
from bot.posting.targets.x_client import XCredentials
from pipeline.contentfilter import FilterSettings
from pipeline.env import EnvSection, setting, url
from pipeline.errors import UserError

UTC_ZONE = ZoneInfo("UTC")
X_KEYS = ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")


def _timezone_key(key: str, raw: str) -> tzinfo:
    return _timezone(raw)


def _cron_key(key: str, raw: str) -> str:
    _check_cron(raw)
    return raw


@dataclass(frozen=True)
class ScheduleSettings(EnvSection):
    """When to post, where, and how hard to retry; defaults suit one post every few hours.

    Keys: ``SCHEDULE_<FIELD>``; ``POST_MAX_TRIES``, ``POST_RETRY_BASE_SECONDS``, the ``X_*``
    keys and ``LEDGER_PATH`` name their own families.
    """

    ENV_PREFIX = "SCHEDULE_"

    cron: str | None = setting(None, parse=_cron_key)
    interval: timedelta | None = None
    timezone: tzinfo = setting(UTC_ZONE, parse=_timezone_key)
    jitter_seconds: int = setting(0, low=0)
    grace: timedelta = timedelta(hours=1)
    discord_channel_ids: tuple[int, ...] = ()
    post_to_x: bool = False
    x_api_key: str | None = setting(None, prefix="", secret=True)
    x_api_secret: str | None = setting(None, prefix="", secret=True)
    x_access_token: str | None = setting(None, prefix="", secret=True)
    x_access_token_secret: str | None = setting(None, prefix="", secret=True)
    x_api_base: str | None = setting(None, prefix="", parse=url("http", "https"))
    x_daily_budget: int = setting(10, prefix="", low=0)
    x_timeout_seconds: float = setting(20.0, prefix="", low=0.1)
    max_tries: int = setting(4, prefix="POST_", low=1)
    retry_base_seconds: float = setting(60.0, prefix="POST_", low=0.0)
    ledger_path: Path = setting(DEFAULT_LEDGER_PATH, prefix="")
    # How many posted texts the novelty check remembers: the filter's DEEPCISO_FILTER_RECENT_POSTS.
    recent_texts: int = setting(FilterSettings.recent_posts, from_env=False)

    def __post_init__(self) -> None:
        if self.cron and self.interval:
            raise UserError("SCHEDULE_CRON and SCHEDULE_INTERVAL are both set: keep one of them")
        if self.post_to_x and self.x_credentials is None:
            missing = next(k for k in X_KEYS if not getattr(self, k.lower()))
            raise UserError(
                f"{missing} is missing: SCHEDULE_POST_TO_X is on, so put the four X keys "
                f"({', '.join(X_KEYS)}) in .env, or set SCHEDULE_POST_TO_X=false"
            )

    @property
    def x_credentials(self) -> XCredentials | None:
        """The four X keys, when all are set."""
        keys = (self.x_api_key, self.x_api_secret, self.x_access_token, self.x_access_token_secret)
        return XCredentials(*keys) if all(keys) else None

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


def _check_cron(expression: str) -> None:
    try:
        cron_trigger(expression, UTC_ZONE)
    except ValueError as exc:
        raise UserError(
            f"SCHEDULE_CRON={expression!r} is not a cron expression ({exc}): use five fields, "
            "minute hour day month weekday, e.g. '0 */4 * * *'"
        ) from None
