"""What a check returns: the target, the verdict, and reason strings.

A reason is ``"<code>: <detail>"``; the code (``profanity``, ``too_short``, ``too_long``,
``pings_or_links``, ``copies_training``, ``repeats_recent``, ``degenerate``) is what
``ContentFilter.rejections`` counts, the detail is for people.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Target(enum.Enum):
    """Where a text goes; the length limits depend on it."""

    DISCORD = "discord"
    X = "x"
    CONSOLE = "console"
    BLUESKY = "bluesky"
    MASTODON = "mastodon"


@dataclass(frozen=True)
class Verdict:
    """``passed``: may be posted; ``text``: the cleaned text to post; ``reasons``: why not."""

    passed: bool
    text: str
    reasons: tuple[str, ...]


def reason_code(reason: str) -> str:
    """``"too_long: weighted length 300, X allows 280"`` -> ``"too_long"``."""
    return reason.split(":", 1)[0]
