"""One text, several targets: a scheduled meme must fit every target's own length rule (X's
weighted 280, a Mastodon instance's graphemes...), and each refusal names its target."""

from __future__ import annotations

import pytest

from pipeline.contentfilter import ContentFilter, LengthRules, Target, generate_clean
from pipeline.contentfilter.length import grapheme_length, length_reasons
from pipeline.contentfilter.xlength import x_weighted_length

INSTANCE = 250  # a small Mastodon instance
X_AND_MASTODON = LengthRules([(Target.X, None), (Target.MASTODON, INSTANCE)])

# 200 different CJK ideographs: 200 graphemes (fits the instance), weighted 400 on X
CJK = "".join(chr(0x4E00 + 37 * i) for i in range(200))
# words and 140 different emoji: 229 graphemes (fits the instance), weighted 369 on X
EMOJI = "patch tuesday again " + " ".join(chr(0x1F600 + i) + chr(0x1F300 + i) for i in range(70))
# 273 ASCII characters: weighted 273 (fits X), too long for the instance
LONG_ASCII = (
    "patch tuesday again and the firewall is on fire, the printer is jammed, the vpn is down "
    "and the auditors want screenshots of every log line; meanwhile the intern rebooted "
    "production, the backups were never tested, the sso vendor is down and legal asks for a "
    "summary by noon"
)
FITS_BOTH = "patch tuesday again and the firewall is on fire, the vpn is down"


@pytest.fixture(name="content_filter")
def content_filter_fixture() -> ContentFilter:
    return ContentFilter()


@pytest.mark.parametrize("text", [CJK, EMOJI], ids=["cjk", "emoji"])
def test_a_text_within_the_instance_limit_is_refused_for_x(content_filter, text):
    assert grapheme_length(text) <= INSTANCE < x_weighted_length(text)
    assert content_filter.check(text, Target.MASTODON, max_length=INSTANCE).passed  # alone
    verdict = content_filter.check(text, X_AND_MASTODON)
    assert not verdict.passed
    assert verdict.reasons == (
        f"too_long: weighted length {x_weighted_length(text)}, X allows 280",
    )


def test_a_text_within_x_is_refused_for_the_instance(content_filter):
    assert INSTANCE < grapheme_length(LONG_ASCII) == x_weighted_length(LONG_ASCII) <= 280
    assert content_filter.check(LONG_ASCII, Target.X).passed  # alone
    verdict = content_filter.check(LONG_ASCII, X_AND_MASTODON)
    assert verdict.reasons == (
        f"too_long: {len(LONG_ASCII)} characters, the Mastodon instance allows {INSTANCE}",
    )


def test_a_text_over_every_limit_names_every_target():
    text = "x" * 2100
    reasons = length_reasons(
        text, LengthRules([(Target.DISCORD, None), *X_AND_MASTODON.limits]), 10
    )
    assert reasons == [
        "too_long: 2100 characters, Discord allows 2000",
        "too_long: weighted length 2100, X allows 280",
        "too_long: 2100 characters, the Mastodon instance allows 250",
    ]


def test_a_text_that_fits_every_target_passes(content_filter):
    verdict = content_filter.check(FITS_BOTH, X_AND_MASTODON)
    assert verdict.passed and verdict.text == FITS_BOTH


def test_clean_memes_keeps_the_first_candidate_that_fits_them_all(content_filter):
    candidates = iter([[CJK], [EMOJI], [LONG_ASCII], [FITS_BOTH]])
    result = generate_clean(lambda n: next(candidates), content_filter, target=X_AND_MASTODON)
    assert result.text == FITS_BOTH and result.candidates == 4
    assert [reasons[0].split(",")[-1] for _, reasons in result.rejected] == [
        " X allows 280",
        " X allows 280",
        f" the Mastodon instance allows {INSTANCE}",
    ]


def test_length_rules_count_each_target_once_and_need_one():
    channels = LengthRules([(Target.DISCORD, None), (Target.DISCORD, None), (Target.X, None)])
    assert channels.limits == ((Target.DISCORD, None), (Target.X, None))
    assert channels.kinds == ("discord", "x")
    assert LengthRules.of(Target.MASTODON, 99).limits == ((Target.MASTODON, 99),)
    assert LengthRules.of(channels) is channels
    with pytest.raises(ValueError, match="at least one target"):
        LengthRules([])
    with pytest.raises(ValueError, match="max_length belongs in LengthRules"):
        ContentFilter().check(FITS_BOTH, channels, max_length=100)


def test_a_bluesky_target_may_carry_its_own_limit():
    assert length_reasons("a" * 300, Target.BLUESKY, 10) == []
    (reason,) = length_reasons("a" * 300, LengthRules([(Target.BLUESKY, 200)]), 10)
    assert reason == "too_long: 300 graphemes, Bluesky allows 200"
