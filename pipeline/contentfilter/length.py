"""Length per target: a minimum everywhere, 2,000 characters on Discord, 280 weighted on X,
300 graphemes on Bluesky, the instance's limit (500 by default) on Mastodon.

These rules are not ordered: 200 CJK characters fit a Mastodon instance's 250 but weigh 400 on
X, and 250 ASCII letters fit X but not that instance. A text going to several targets is
checked against each of them (:class:`LengthRules`), and each refusal names its target.

Bluesky and Mastodon both count grapheme clusters (what a reader sees as one character: an
emoji with its modifiers, a letter with its accents); they are counted with ``regex``'s
``\\X``, which follows Unicode's segmentation rules, rather than with a hand-written table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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


TargetLimit = tuple[Target, int | None]  # a target and its own limit (None: its usual one)


@dataclass(frozen=True, init=False)
class LengthRules:
    """Every target a text goes to, each with its own limit where it has one (a Mastodon
    instance's ``max_characters``; None: the target's usual limit). A text passes only if it
    fits them all. Repeated pairs (several Discord channels) count once; order is kept."""

    limits: tuple[TargetLimit, ...]

    def __init__(self, limits: Iterable[TargetLimit]) -> None:
        unique = tuple(dict.fromkeys((Target(target), own) for target, own in limits))
        if not unique:
            raise ValueError("LengthRules needs at least one target")
        object.__setattr__(self, "limits", unique)

    @classmethod
    def of(cls, target: Target | LengthRules, max_length: int | None = None) -> LengthRules:
        """``target`` itself when it is already a :class:`LengthRules` (then ``max_length``
        must be None), else the one target with its own limit."""
        if isinstance(target, LengthRules):
            if max_length is not None:
                raise ValueError("max_length belongs in LengthRules when several targets are given")
            return target
        return cls([(target, max_length)])

    @property
    def kinds(self) -> tuple[str, ...]:
        """The targets' names (``"x"``, ``"mastodon"``...), in order, each once."""
        return tuple(dict.fromkeys(target.value for target, _ in self.limits))

    def reasons(self, text: str, min_chars: int) -> list[str]:
        """``too_short`` once, then a ``too_long`` reason naming each target ``text`` exceeds."""
        reasons = []
        if len(text) < min_chars:
            reasons.append(f"too_short: {len(text)} characters, fewer than {min_chars}")
        for target, own in self.limits:
            if (reason := _too_long(text, target, own)) is not None:
                reasons.append(reason)
        return reasons


def _too_long(text: str, target: Target, max_length: int | None) -> str | None:
    if target is Target.DISCORD and (n := discord_length(text)) > DISCORD_MAX_CHARS:
        return f"too_long: {n} characters, Discord allows {DISCORD_MAX_CHARS}"
    if target is Target.X and (n := x_weighted_length(text)) > X_MAX_WEIGHTED:
        return f"too_long: weighted length {n}, X allows {X_MAX_WEIGHTED}"
    if target is Target.BLUESKY:
        limit = BLUESKY_MAX_GRAPHEMES if max_length is None else max_length
        if (n := grapheme_length(text)) > limit:
            return f"too_long: {n} graphemes, Bluesky allows {limit}"
    if target is Target.MASTODON:
        limit = MASTODON_DEFAULT_MAX_CHARS if max_length is None else max_length
        if (n := grapheme_length(text)) > limit:
            return f"too_long: {n} characters, the Mastodon instance allows {limit}"
    return None


def length_reasons(
    text: str, target: Target | LengthRules, min_chars: int, max_length: int | None = None
) -> list[str]:
    """``too_short``/``too_long`` reasons for ``text`` posted to ``target`` (one target, or
    :class:`LengthRules` for several); ``max_length`` replaces one target's usual limit with
    its own (a Mastodon instance's)."""
    return LengthRules.of(target, max_length).reasons(text, min_chars)
