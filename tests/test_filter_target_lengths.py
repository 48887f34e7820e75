"""The length rule for Bluesky (300 graphemes) and Mastodon (the instance's limit)."""

from __future__ import annotations

import pytest

from pipeline.contentfilter import ContentFilter, Target, generate_clean
from pipeline.contentfilter.length import (
    BLUESKY_MAX_GRAPHEMES,
    MASTODON_DEFAULT_MAX_CHARS,
    grapheme_length,
    length_reasons,
)


@pytest.mark.parametrize(
    ("text", "graphemes"),
    [
        ("abc", 3),
        ("👨‍👩‍👧", 1),  # a ZWJ family: five code points
        ("👍🏽", 1),  # a skin-tone modifier
        ("🇩🇪", 1),  # a flag: two regional indicators
        ("e\u0301", 1),  # e + combining acute accent
        ("\r\n", 1),
        ("日本語", 3),
    ],
)
def test_graphemes_are_what_a_reader_sees_as_one_character(text, graphemes):
    assert grapheme_length(text) == graphemes


def test_bluesky_allows_300_graphemes_not_300_code_points():
    assert length_reasons("👍🏽" * BLUESKY_MAX_GRAPHEMES, Target.BLUESKY, 10) == []
    assert length_reasons("e\u0301" * 300, Target.BLUESKY, 10) == []  # 600 code points
    (reason,) = length_reasons("a" * 301, Target.BLUESKY, 10)
    assert reason == "too_long: 301 graphemes, Bluesky allows 300"
    assert length_reasons("👍🏽" * 150, Target.X, 10)  # X weighs each emoji 2: too long there


def test_mastodon_uses_the_instance_limit_or_500():
    assert length_reasons("x" * MASTODON_DEFAULT_MAX_CHARS, Target.MASTODON, 10) == []
    (reason,) = length_reasons("x" * 501, Target.MASTODON, 10)
    assert reason == "too_long: 501 characters, the Mastodon instance allows 500"
    (reason,) = length_reasons("x" * 121, Target.MASTODON, 10, max_length=120)
    assert reason.endswith("the Mastodon instance allows 120")
    assert length_reasons("x" * 900, Target.MASTODON, 10, max_length=1000) == []
    assert length_reasons("short", Target.MASTODON, 10)[0].startswith("too_short:")


def test_the_filter_and_generate_clean_pass_the_instance_limit_on():
    content_filter = ContentFilter()
    text = (  # 139 characters, no phrase said twice (a repeated long phrase is degenerate)
        "patch tuesday again and the firewall is on fire, the printer is jammed, "
        "the vpn is down and the auditors want screenshots of every log line"
    )
    assert content_filter.check(text, Target.MASTODON).passed
    verdict = content_filter.check(text, Target.MASTODON, max_length=100)
    assert not verdict.passed and verdict.reasons[0].startswith("too_long:")

    batches = iter([[text], ["patch tuesday again, firewall on fire"]])
    result = generate_clean(
        lambda n: next(batches), content_filter, target=Target.MASTODON, max_length=100
    )
    assert result.text == "patch tuesday again, firewall on fire" and result.candidates == 2


def test_targets_are_named_as_the_scheduler_names_them():
    assert Target("bluesky") is Target.BLUESKY and Target("mastodon") is Target.MASTODON
