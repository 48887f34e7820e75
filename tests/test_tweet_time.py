from datetime import UTC, datetime

import pytest

from pipeline.corpus.tweet_time import parse_created_at, parse_date_time, zone_offset


@pytest.mark.parametrize(
    "value, expected",
    [
        (1585372921000, datetime(2020, 3, 28, 5, 22, 1, tzinfo=UTC)),  # Twint 2.1.x ms
        (1540000000, datetime(2018, 10, 20, 1, 46, 40, tzinfo=UTC)),  # late-2018 seconds
        ("1585372921000", datetime(2020, 3, 28, 5, 22, 1, tzinfo=UTC)),
        ("2019-12-31 21:04:53 IST", datetime(2019, 12, 31, 15, 34, 53, tzinfo=UTC)),
        ("2012-07-19 10:09:53 MDT", datetime(2012, 7, 19, 16, 9, 53, tzinfo=UTC)),
        ("2023-01-08 11:24:55 PST", datetime(2023, 1, 8, 19, 24, 55, tzinfo=UTC)),
        ("2020-10-12 10:00:00 -04", datetime(2020, 10, 12, 14, 0, tzinfo=UTC)),
        ("2020-10-12 10:00:00 +0530", datetime(2020, 10, 12, 4, 30, tzinfo=UTC)),
        ("2020-10-12 10:00:00 India Standard Time", datetime(2020, 10, 12, 4, 30, tzinfo=UTC)),
        ("10-10-2020 10:00:00 CET", datetime(2020, 10, 10, 9, 0, tzinfo=UTC)),  # 2-day window
        ("2020-10-12 10:00:00", datetime(2020, 10, 12, 10, 0, tzinfo=UTC)),
    ],
)
def test_parse_created_at(value, expected):
    assert parse_created_at(value) == expected


def test_unknown_zone_name_uses_the_timezone_column_then_utc():
    assert parse_created_at("2020-10-12 10:00:00 XYZT", fallback_zone="+0200") == datetime(
        2020, 10, 12, 8, 0, tzinfo=UTC
    )
    assert parse_created_at("2020-10-12 10:00:00 XYZT").hour == 10


@pytest.mark.parametrize("value", [None, "", "yesterday", "2020-13-45 99:00:00 UTC"])
def test_unparseable_values_are_none(value):
    assert parse_created_at(value) is None


def test_old_generation_date_and_time():
    assert parse_date_time("2018-05-01", "23:30:00", "-04") == datetime(
        2018, 5, 2, 3, 30, tzinfo=UTC
    )
    assert parse_date_time(None, None, None) is None


def test_zone_offsets():
    assert zone_offset("+05:30") == 330 and zone_offset("UTC-3") == -180
    assert zone_offset("nonsense") is None and zone_offset("") is None
