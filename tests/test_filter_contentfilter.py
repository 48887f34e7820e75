"""ContentFilter: the rules together, settings from the environment, counts, recent posts."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from pipeline.contentfilter import (
    ContentFilter,
    FilterSettings,
    Target,
    Verdict,
    reason_code,
)
from pipeline.errors import UserError
from tests.fixtures_filter import LONG_TEXT, default_filter, write_lines


def codes(verdict: Verdict) -> list[str]:
    return [reason_code(r) for r in verdict.reasons]


def test_clean_text_passes_unchanged():
    verdict = default_filter().check("  mapping the attack to the kill chain helps the blue team ")
    assert verdict == Verdict(True, "mapping the attack to the kill chain helps the blue team", ())


def test_pings_and_links_are_removed_when_the_rest_stands():
    verdict = default_filter().check("@everyone the $aapl dip is a gift https://t.co/x <@123>")
    assert verdict.passed
    assert verdict.text == "the $aapl dip is a gift"


def test_text_of_nothing_but_pings_and_links_is_rejected():
    verdict = default_filter().check("@here https://discord.gg/abc <#42> !!")
    assert codes(verdict) == ["pings_or_links"]
    assert "@here" in verdict.reasons[0]
    assert codes(default_filter().check("@here https://discord.gg/abc hi")) == ["too_short"]


def test_links_policy_reject_refuses_any_link():
    strict = ContentFilter(FilterSettings(links="reject"))
    verdict = strict.check("the $aapl dip is a gift https://t.co/x")
    assert codes(verdict) == ["pings_or_links"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("what the f*ck is the fed doing", "profanity"),
        ("you stupid idiot, it was a phishing link", "profanity"),
        ("tiny", "too_short"),
        ("the the the the the market", "degenerate"),
        ("🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀", "degenerate"),
    ],
)
def test_each_rule_gives_its_reason(text, code):
    assert code in codes(default_filter().check(text))


def test_length_depends_on_the_target():
    text = LONG_TEXT
    assert default_filter().check(text, Target.DISCORD).passed
    assert codes(default_filter().check(text, Target.X)) == ["too_long"]
    assert default_filter().check(text, Target.CONSOLE).passed


def test_rejections_are_counted_by_reason_code():
    content_filter = ContentFilter()
    for text in ["tiny", "tiny!", "what the f*ck, tiny", "a clean enough meme about stonks"]:
        content_filter.check(text)
    assert content_filter.checked == 4
    assert content_filter.rejections == {"too_short": 2, "profanity": 1}


def test_novelty_against_the_corpus(tmp_path):
    corpus = write_lines(
        tmp_path / "model.txt",
        ["patch tuesday again and the printer is still the biggest threat"],
    )
    content_filter = ContentFilter(corpus=corpus)
    copied = content_filter.check("PATCH TUESDAY AGAIN and the printer is still the biggest threat")
    assert codes(copied) == ["copies_training"]
    partly = content_filter.check("wow, again and the printer is still the biggest threat to us")
    assert codes(partly) == ["copies_training"]
    assert content_filter.check("patch tuesday again and the coffee machine broke").passed


def test_a_prompt_quoting_the_corpus_does_not_make_every_output_a_copy(tmp_path):
    line = "zero trust means i trust nobody including this meeting invite"
    content_filter = ContentFilter(corpus=write_lines(tmp_path / "model.txt", [line]))
    output = f"{line} and my coffee machine"
    assert codes(content_filter.check(output)) == ["copies_training"]
    assert content_filter.check(output, prompt=line).passed
    assert content_filter.check(f"{line}ment and my coffee", prompt=line).passed  # glued word
    # what the model wrote after the prompt still counts
    copying = f"{line} today"
    assert "run of 8 words" in content_filter.check(copying, prompt="zero trust means").reasons[0]
    assert not content_filter.check(line, prompt=line).passed  # an exact copy stays one
    # a prompt the text does not start with changes nothing
    assert not content_filter.check(output, prompt="something else entirely").passed


def test_remember_posted_refuses_repeats():
    content_filter = ContentFilter(recent=["already posted this meme about the market"])
    assert codes(content_filter.check("Already posted this meme about the market!")) == [
        "repeats_recent"
    ]
    content_filter.remember_posted("a brand new meme about patch tuesday printers")
    assert not content_filter.check("a brand new meme about patch tuesday printers").passed
    assert content_filter.check("another meme about something else entirely").passed


def test_operator_word_lists(tmp_path):
    blocked = write_lines(tmp_path / "blocked.txt", ["# ours", "stonks", "rug pull*"])
    allowed = write_lines(tmp_path / "allowed.txt", ["sucks"])
    content_filter = ContentFilter(FilterSettings(blocked_words=blocked, allowed_words=allowed))
    assert "stonks" in content_filter.check("only stonks go up today, friends").reasons[0]
    assert "st*nks" in content_filter.check("only st*nks go up today, friends").reasons[0]
    assert not content_filter.check("that was a rug pulling exercise").passed
    assert content_filter.check("this stock sucks").passed
    assert not ContentFilter().check("this stock sucks").passed  # classifier: about 0.98


def test_threshold_changes_what_the_classifier_rejects():
    text = "damn, $nvda up 10 percent again"  # classifier: about 0.88
    assert not ContentFilter(FilterSettings(profanity_threshold=0.5)).check(text).passed
    assert ContentFilter(FilterSettings(profanity_threshold=0.95)).check(text).passed


def test_from_env_reads_every_key(tmp_path):
    blocked = write_lines(tmp_path / "blocked.txt", ["stonks"])
    environ = {
        "DEEPCISO_FILTER_PROFANITY_THRESHOLD": "0.75",
        "DEEPCISO_FILTER_BLOCKED_WORDS": str(blocked),
        "DEEPCISO_FILTER_ALLOWED_WORDS": "",
        "DEEPCISO_FILTER_MIN_CHARS": "3",
        "DEEPCISO_FILTER_LINKS": "Reject",
        "DEEPCISO_FILTER_NOVELTY_WORDS": "6",
        "DEEPCISO_FILTER_RECENT_POSTS": "10",
        "DEEPCISO_FILTER_MAX_REPEATS": "2",
        "DEEPCISO_FILTER_BATCH_SIZE": "8",
        "DEEPCISO_FILTER_MAX_CANDIDATES": "32",
        "UNRELATED": "x",
    }
    settings = FilterSettings.from_env(environ)
    assert settings == FilterSettings(0.75, blocked, None, 3, "reject", 6, 10, 2, 8, 32)
    content_filter = ContentFilter.from_env(environ)
    assert content_filter.settings == settings
    assert not content_filter.check("stonks!").passed
    assert content_filter.check("ok go").passed


def test_documented_keys_match_the_settings():
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text(encoding="utf-8")
    for field in dataclasses.fields(FilterSettings):
        assert f"DEEPCISO_FILTER_{field.name.upper()}=" in example


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("DEEPCISO_FILTER_PROFANITY_THRESHOLD", "high", "not a valid value"),
        ("DEEPCISO_FILTER_PROFANITY_THRESHOLD", "0", "above 0"),
        ("DEEPCISO_FILTER_LINKS", "drop", "'remove' or 'reject'"),
        ("DEEPCISO_FILTER_MIN_CHARS", "-1", "0 or more"),
        ("DEEPCISO_FILTER_MAX_CANDIDATES", "0", "1 or more"),
    ],
)
def test_bad_env_values_are_one_line_user_errors(key, value, message):
    with pytest.raises(UserError, match=message) as error:
        FilterSettings.from_env({key: value})
    assert key in str(error.value) and "\n" not in str(error.value)


def test_missing_word_list_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match=r"blocked words file .* does not exist"):
        ContentFilter(FilterSettings(blocked_words=tmp_path / "nope.txt"))


def test_checks_from_many_threads_are_all_counted():
    content_filter = ContentFilter()

    def work():
        for _ in range(50):
            content_filter.check("tiny")
            content_filter.remember_posted("a meme about the market today and tomorrow")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert content_filter.checked == 200
    assert content_filter.rejections["too_short"] == 200
