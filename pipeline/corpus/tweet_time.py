"""Parse the many ways Twint stored when a tweet was posted into an aware UTC datetime.

``created_at`` is epoch milliseconds (or seconds, in late 2018) as an INTEGER, or TEXT like
``2019-12-31 21:04:53 IST`` whose zone is the scraper's local name. Python's ``%Z`` only knows
UTC, GMT and the reading machine's own zone, so zone names are resolved here from a table, from
numeric offsets (``-04``, ``+0530``), or from the row's ``timezone`` column; unknown names count
as UTC (an error of hours, harmless for a date filter).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

# Minutes east of UTC. ``IST`` is ambiguous (India, Israel, Ireland): India, by far the most
# common in Twint data; the row's numeric ``timezone`` column is not used for a known name
# because it is the scraper's offset at scrape time, not the tweet's (MST rows carry -0700 too).
ZONE_OFFSETS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "IST": 330, "CET": 60,
    "CEST": 120, "MET": 60, "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180, "TRT": 180,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600, "AST": -240,
    "ADT": -180, "NST": -210, "NDT": -150, "BRT": -180, "ART": -180, "PKT": 300, "NPT": 345,
    "ICT": 420, "WIB": 420, "SGT": 480, "HKT": 480, "PHT": 480, "AWST": 480, "JST": 540,
    "KST": 540, "ACST": 570, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780, "SAST": 120,
    "WAT": 60, "CAT": 120, "EAT": 180, "GST": 240,
    # Windows spells the zone out.
    "COORDINATED UNIVERSAL TIME": 0, "GMT STANDARD TIME": 0, "GMT DAYLIGHT TIME": 60,
    "INDIA STANDARD TIME": 330, "W. EUROPE STANDARD TIME": 60, "W. EUROPE DAYLIGHT TIME": 120,
    "CENTRAL EUROPE STANDARD TIME": 60, "ROMANCE STANDARD TIME": 60,
    "EASTERN STANDARD TIME": -300, "EASTERN DAYLIGHT TIME": -240,
    "CENTRAL STANDARD TIME": -360, "CENTRAL DAYLIGHT TIME": -300,
    "MOUNTAIN STANDARD TIME": -420, "MOUNTAIN DAYLIGHT TIME": -360,
    "PACIFIC STANDARD TIME": -480, "PACIFIC DAYLIGHT TIME": -420,
    "TOKYO STANDARD TIME": 540, "CHINA STANDARD TIME": 480, "AUS EASTERN STANDARD TIME": 600,
}  # fmt: skip

_NUMERIC_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$", re.IGNORECASE)
_YMD = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*(.*)$")
_DMY = re.compile(r"^\s*(\d{2})-(\d{2})-(\d{4})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*(.*)$")
_MS_THRESHOLD = 100_000_000_000  # epoch seconds reach this in the year 5138; ms passed it in 1973


def zone_offset(name: str | None) -> int | None:
    """Minutes east of UTC for a zone name or numeric offset; ``None`` when unknown."""
    if not name or not name.strip():
        return None
    name = name.strip()
    if name.upper() in ZONE_OFFSETS:
        return ZONE_OFFSETS[name.upper()]
    match = _NUMERIC_OFFSET.match(name)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes or 0)
    return -total if sign == "-" else total


def parse_created_at(value: object, fallback_zone: str | None = None) -> datetime | None:
    """``created_at`` (int epoch s/ms, or text with a zone) -> aware UTC datetime, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        seconds = number / 1000 if number >= _MS_THRESHOLD else number
        return datetime.fromtimestamp(seconds, tz=UTC)
    text = str(value)
    match = _YMD.match(text)
    if match:
        year, month, day, hh, mm, ss, zone = match.groups()
    else:
        match = _DMY.match(text)
        if not match:
            return None
        day, month, year, hh, mm, ss, zone = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hh), int(mm), int(ss))
    except ValueError:
        return None
    return _to_utc(local, zone, fallback_zone)


def parse_date_time(date: object, time: object, zone: str | None) -> datetime | None:
    """The old generations' ``date`` ('%Y-%m-%d') + ``time`` ('%H:%M:%S') -> aware UTC."""
    if not date:
        return None
    return parse_created_at(f"{date} {time or '00:00:00'}", fallback_zone=zone)


def _to_utc(local: datetime, zone: str, fallback_zone: str | None) -> datetime:
    offset = zone_offset(zone)
    if offset is None:
        offset = zone_offset(fallback_zone) or 0
    return local.replace(tzinfo=timezone(timedelta(minutes=offset))).astimezone(UTC)
