"""Output hygiene: no control, ANSI or bidi character in what the filter passes; a prompt with
a lone surrogate is refused in one line; the filter never raises on any string."""

from __future__ import annotations

import random

import pytest

from bot.cli import main
from bot.serving.prompts import PromptGate, PromptRejected
from pipeline.contentfilter import Target
from pipeline.contentfilter.hygiene import UnsafePrompt, sanitize_prompt, strip_unsafe
from tests.fixtures_filter import default_filter

CONTROLS = [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]
BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
UNSAFE = [chr(c) for c in CONTROLS + BIDI]


@pytest.mark.parametrize(
    "text",
    ["alert\x1b[1;31m in red\x1b[0m at the soc",
     "\x1b]8;;http://x\x07a hyperlink escape\x1b]8;;\x07",
     "nul\x00 in the middle of a meme", "a c1 \x9b2J clear screen in a meme",
     "an \u202eoverride\u202c in the meme text", "an \u2067isolate\u2069 in the meme text",
     "bell\x07 and backspace\x08 in the meme", "form\x0cfeed and vertical\x0btab in it"],
)  # fmt: skip
def test_no_control_or_bidi_character_survives_in_the_verdict(text):
    verdict = default_filter().check(text)
    assert not any(c in verdict.text for c in UNSAFE), repr(verdict.text)
    assert "[1;31m" not in verdict.text and "]8;;" not in verdict.text


def test_newlines_tabs_and_emoji_joiners_are_kept():
    text = "line one\nline\ttwo 👩\u200d💻 ok"
    assert strip_unsafe(text) == text


def test_a_lone_surrogate_is_refused_with_one_clear_line():
    with pytest.raises(UnsafePrompt) as caught:
        sanitize_prompt("log4j is \ud800 back")
    message = str(caught.value)
    assert "\n" not in message and "surrogate" in message
    assert sanitize_prompt("plain \x1b[2Jprompt\u202e") == "plain prompt"


def test_the_prompt_gate_refuses_a_lone_surrogate_and_cleans_controls():
    gate = PromptGate(default_filter(), max_chars=200, target=Target.DISCORD)
    with pytest.raises(PromptRejected, match="surrogate"):
        gate.admit("the printer \udfff is")
    assert gate.admit("the \x1b[31mprinter\u2066 is") == "the printer is"


def test_generate_refuses_a_lone_surrogate_prompt_without_a_traceback(tmp_path, capsys):
    status = main(["generate", "--model", str(tmp_path / "none"), "--prompt", "hi \ud800"])
    err = capsys.readouterr().err
    assert status == 2
    assert "--prompt" in err and "Traceback" not in err


def test_generate_strips_control_characters_from_prompts():
    from pipeline.commands.generate import sanitized_prompts

    assert sanitized_prompts(["log4j \x1b[31mis\u202e", "plain"]) == ["log4j is", "plain"]


def test_the_filter_never_raises_on_random_strings():
    rng = random.Random(17)
    alphabet = [chr(c) for c in range(0x0, 0x3000)] + ["\ud800", "\udfff", "\U0001f680", "@", "."]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        for target in Target:
            verdict = default_filter().check(text, target, prompt=text[:10])
            assert not any(c in verdict.text for c in UNSAFE)
            assert not any("\ud800" <= c <= "\udfff" for c in verdict.text)
