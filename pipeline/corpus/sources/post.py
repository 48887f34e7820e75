"""The one record every reader yields, whatever the export looked like."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Post:
    """A post as read, before any filtering or cleaning.

    ``likes``/``reposts`` are ``None`` where the export carries no counts (every post of such
    a source then counts as "top"). ``created`` stays raw text (or an epoch number) and is
    parsed only when a date filter asks. ``drop`` names the stage that removes the post when the
    reader already knows it must go (``private``, ``bot``, ``system``, ``retweet``).
    """

    id: str
    author: str
    text: str
    created: object = None
    likes: int | None = None
    reposts: int | None = None
    language: str | None = None
    repost: bool = False
    drop: str | None = None


def to_int(value: object) -> int | None:
    """A count as X, Mastodon or a CSV spells it ("12", 12, "", None) -> int or None."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return None


def handle(value: object) -> str:
    """An author key: trimmed, without a leading ``@``, lowercased."""
    return str(value or "").strip().lstrip("@").lower()


@dataclass
class ReadContext:
    """What a reader is told (``include_private``) and what it tells back (``warnings``)."""

    include_private: bool = False
    warnings: list[str] | None = None

    def warn(self, text: str) -> None:
        if self.warnings is not None:
            self.warnings.append(text)
