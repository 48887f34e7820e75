"""The per-format text and date helpers: dates of every export, privacy scrubbing, markup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.corpus.cleaning import clean_tweet
from pipeline.corpus.privacy import scrub
from pipeline.corpus.sources.discord_export import clean_markup
from pipeline.corpus.sources.html_text import html_to_text
from pipeline.corpus.sources.times import parse_time

WHEN = datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)


@pytest.mark.parametrize("value", [
    "Wed Oct 10 20:19:24 +0000 2018",          # X archive, API v1.1
    "Wed Oct 10 22:19:24 +0200 2018",
    "2018-10-10T20:19:24Z",                    # Mastodon
    "2018-10-10T20:19:24.000Z",                # API v2, Bluesky
    "2018-10-10 20:19:24+00:00",               # twscrape
    "2018-10-10T15:19:24.1234567-05:00",       # DiscordChatExporter, exporter's offset
    "2018-10-10 20:19:24 +0000",               # legacy tweets.csv
    "2018-10-10 21:19:24 CET",                 # Twint zone name
    1539202764000,                             # Twint epoch ms
    "1539202764",
])  # fmt: skip
def test_every_date_spelling(value):
    assert parse_time(value).replace(microsecond=0) == WHEN


def test_unreadable_and_old_dce_dates():
    assert parse_time("01-Jan-20 01:33 AM") == datetime(2020, 1, 1, 1, 33, tzinfo=UTC)
    assert parse_time("yesterday") is None and parse_time("") is None and parse_time(None) is None


@pytest.mark.parametrize("text,expected", [
    ("write to ann.lee+memes@example.co.uk today", "write to today"),
    ("call +44 20 7946 0958 or (415) 555-2671 now", "call or now"),
    ("or +33 6 12 34 56 78, 415.555.2671 and 4155552671 too", "or , and too"),
    ("id 1234567890123456789 at 10:00 on 2019-12-31, 0.00001234 btc", None),
    ("we patched 2019-12-31 and paid $1,250,000.00 for 1234567 btc", None),
    ("@ann hi", None),
])  # fmt: skip
def test_privacy_scrub(text, expected):
    assert " ".join(scrub(text).split()) == (expected or text)


@pytest.mark.parametrize("text,expected", [
    ("@name. thanks a lot", "thanks a lot"),
    ("@name! @other: hello there", "hello there"),
    ("@jacob.gold kaw kaw", "kaw kaw"),
    ("@ann@mastodon.social hi all", "hi all"),
    ("email me@example.org ok", "email ok"),
    ("mid @name. stays", "mid @name. stays"),
])  # fmt: skip
def test_leading_mentions_and_privacy_in_the_common_cleaner(text, expected):
    assert clean_tweet(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("<@!123> <@&45> <#678> <t:1700000000:R> hi", "hi"),
    ("lol <a:dance:123456> :kekw: at 12:30:45", "lol at 12:30:45"),
    ("> quoted line\n# heading\nplain", "quoted line heading plain"),
    ("`inline` and ```\nblock\n``` and ||spoiler|| and ~~gone~~ __u__",
     "inline and and spoiler and gone u"),
])  # fmt: skip
def test_discord_markup(text, expected):
    assert " ".join(clean_markup(text).split()) == expected


def test_mastodon_html():
    html = (
        '<p>a &amp; b<br>c</p><p><a href="https://x.example/y" rel="nofollow">'
        '<span class="invisible">https://</span>x.example/y</a> '
        '<a href="https://s/tags/t" class="mention hashtag">#<span>t</span></a></p>'
    )
    assert html_to_text(html).split() == ["a", "&", "b", "c", "https://x.example/y", "#t"]
    assert html_to_text("plain text") == "plain text"
