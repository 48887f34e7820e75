"""Degenerate output: a word or phrase looping, a character pattern looping, or no words.

Small language models fall into loops (``the the the the``, ``to the moon to the moon ...``,
``!!!!!!!!!!!!!!!!``) or emit nothing but punctuation and emoji. Judged on the canonical
reading (:mod:`.canonical`), so a loop disguised with invisible or look-alike characters is
still a loop. A long phrase (``LONG_PHRASE_WORDS`` words or more, up to ``MAX_PHRASE_WORDS``)
said twice in a row is a loop too.
"""

from __future__ import annotations

import re

from pipeline.contentfilter.canonical import canonical_text

MAX_PHRASE_WORDS = 32
LONG_PHRASE_WORDS = 5
_TOKEN = re.compile(r"\S+")
_CHAR_LOOP = re.compile(r"(.{1,4}?)\1{11,}", re.DOTALL)  # a 1-4 character unit, 12+ times


def longest_loop(
    tokens: list[str], max_phrase: int = 6, min_phrase: int = 1
) -> tuple[int, int, int]:
    """(repeats, phrase length, start) of the longest back-to-back repetition of a phrase of
    ``min_phrase`` to ``max_phrase`` tokens.

    A phrase of ``size`` tokens repeated ``r`` times is a stretch where each token equals the
    one ``size`` places on, ``size * (r - 1)`` long: one linear scan per phrase length.
    """
    best = (1, 1, 0)
    for size in range(min_phrase, min(max_phrase, len(tokens) // 2) + 1):
        run = 0
        for i in range(len(tokens) - size):
            run = run + 1 if tokens[i] == tokens[i + size] else 0
            repeats = run // size + 1
            if repeats > best[0]:
                best = (repeats, size, i + 1 - run)
    return best


def degenerate_reasons(text: str, max_repeats: int) -> list[str]:
    """``degenerate`` reasons: no letters or digits, a phrase repeated more than
    ``max_repeats`` times in a row (a long phrase: twice), or a short character pattern
    repeated 12+ times."""
    text = canonical_text(text)
    if not any(ch.isalnum() for ch in text):
        return ["degenerate: no letters or digits"]
    tokens = [t.strip(".,;:!?\"'()") or t for t in _TOKEN.findall(text)]
    short = longest_loop(tokens, LONG_PHRASE_WORDS - 1)
    long = longest_loop(tokens, MAX_PHRASE_WORDS, LONG_PHRASE_WORDS)
    for (repeats, size, start), limit in ((short, max_repeats), (long, 1)):
        if repeats > limit:
            phrase = " ".join(tokens[start : start + size])
            return [f"degenerate: {phrase!r} repeats {repeats} times in a row"]
    if loop := _CHAR_LOOP.search(text):
        unit = loop.group(1)
        return [f"degenerate: {unit!r} repeats {len(loop.group(0)) // len(unit)} times"]
    return []
