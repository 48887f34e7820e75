"""Parse every date spelling the supported exports use into an aware UTC datetime.

X/Twitter API ``Wed Oct 10 20:19:24 +0000 2018``; ISO-8601 with ``T`` or a space, ``Z`` or an
offset and any number of fractional digits (Bluesky, Mastodon, DiscordChatExporter with the
exporter's local offset); the legacy archive's ``2013-03-25 00:16:47 +0000``; epoch numbers
(Twint); old DiscordChatExporter CSV ``01-Jan-20 01:33 AM``; Twint's zone names.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.corpus.tweet_time import parse_created_at

_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
)}  # fmt: skip


def parse_time(value: object) -> datetime | None:
    """Any supported spelling -> aware UTC datetime; ``None`` when it cannot be read."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return parse_created_at(value)
    text = str(value).strip()
    when = _x_time(text) or _iso_time(text) or parse_created_at(text) or _legacy_dce(text)
    return when


def _aware(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _x_time(text: str) -> datetime | None:
    """``Wed Oct 10 20:19:24 +0000 2018`` without strptime (a million of them must be fast)."""
    parts = text.split()
    if len(parts) != 6 or parts[1] not in _MONTHS:
        return None
    try:
        hh, mm, ss = (int(p) for p in parts[3].split(":"))
        offset = parts[4]
        local = datetime(int(parts[5]), _MONTHS[parts[1]], int(parts[2]), hh, mm, ss)
        return _aware(datetime.fromisoformat(f"{local.isoformat()}{offset[:3]}:{offset[3:]}"))
    except ValueError:
        return None


def _iso_time(text: str) -> datetime | None:
    try:
        return _aware(datetime.fromisoformat(text))
    except ValueError:
        return None


def _legacy_dce(text: str) -> datetime | None:
    for pattern in ("%d-%b-%y %I:%M %p", "%d/%m/%Y %H:%M", "%m/%d/%Y %I:%M %p"):
        try:
            return _aware(datetime.strptime(text, pattern))
        except ValueError:
            continue
    return None
