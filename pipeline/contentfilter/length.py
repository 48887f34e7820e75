"""Length per target: a minimum everywhere, 2,000 characters on Discord, 280 weighted on X,
300 graphemes on Bluesky, the instance's limit (500 by default) on Mastodon.

Bluesky and Mastodon both count grapheme clusters (what a reader sees as one character: an
emoji with its modifiers, a letter with its accents); they are counted with ``regex``'s
``\\X``, which follows Unicode's segmentation rules, rather than with a hand-written table.
"""

from __future__ import annotations

import regex

from pipeline.contentfilter.verdict import Target
from pipeline.contentfilter.xlength import X_MAX_WEIGHTED, x_weighted_length

DISCORD_MAX_CHARS = 2000
BLUESKY_MAX_GRAPHEMES = 300
MASTODON_DEFAULT_MAX_CHARS = 500  # Mastodon's default; an instance may say otherwise
_GRAPHEME = regex.compile(r"\X")


def discord_length(text: str) -> int:
    """Discord's count, taken as UTF-16 code units (never below the code-point count)."""
    return len(text.encode("utf-16-le")) // 2


def grapheme_length(text: str) -> int:
    """User-perceived characters (extended grapheme clusters), as Bluesky and Mastodon count."""
    return len(_GRAPHEME.findall(text))


def length_reasons(
    text: str, target: Target, min_chars: int, max_length: int | None = None
) -> list[str]:
    """``too_short``/``too_long`` reasons for ``text`` posted to ``target``; ``max_length``
    replaces Mastodon's default limit with the instance's."""
    reasons = []
    if len(text) < min_chars:
        reasons.append(f"too_short: {len(text)} characters, fewer than {min_chars}")
    if target is Target.DISCORD and (n := discord_length(text)) > DISCORD_MAX_CHARS:
        reasons.append(f"too_long: {n} characters, Discord allows {DISCORD_MAX_CHARS}")
    elif target is Target.X and (n := x_weighted_length(text)) > X_MAX_WEIGHTED:
        reasons.append(f"too_long: weighted length {n}, X allows {X_MAX_WEIGHTED}")
    elif target is Target.BLUESKY and (n := grapheme_length(text)) > BLUESKY_MAX_GRAPHEMES:
        reasons.append(f"too_long: {n} graphemes, Bluesky allows {BLUESKY_MAX_GRAPHEMES}")
    elif target is Target.MASTODON:
        limit = MASTODON_DEFAULT_MAX_CHARS if max_length is None else max_length
        if (n := grapheme_length(text)) > limit:
            reasons.append(f"too_long: {n} characters, the Mastodon instance allows {limit}")
    return reasons
