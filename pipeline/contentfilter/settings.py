"""Filter settings, from ``.env``/the environment (keys ``DEEPCISO_FILTER_*``)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.env import EnvSection
from pipeline.errors import UserError

ENV_PREFIX = "DEEPCISO_FILTER_"
LINK_POLICIES = ("remove", "reject")


@dataclass(frozen=True)
class FilterSettings(EnvSection):
    """Every knob of the content filter; the defaults are the measured ones (README)."""

    ENV_PREFIX = ENV_PREFIX

    profanity_threshold: float = 0.9  # classifier probability at or above which text fails
    blocked_words: Path | None = None  # operator's extra blocked words, one per line
    allowed_words: Path | None = None  # operator's allowed words (never count as profanity)
    min_chars: int = 10  # shorter texts (after removing pings and links) fail
    links: str = "remove"  # pings and links: "remove" them, or "reject" the text
    novelty_words: int = 8  # a run this many words long shared with model.txt fails (0: off)
    recent_posts: int = 200  # how many posted texts remember_posted keeps (0: off)
    max_repeats: int = 3  # a word or phrase repeated more times in a row fails
    batch_size: int = 4  # generate_clean: candidates asked for at once
    max_candidates: int = 16  # generate_clean: give up after this many

    def __post_init__(self) -> None:
        if problem := _problem(dataclasses.asdict(self)):
            raise UserError(f"FilterSettings.{problem[0]} {problem[1]}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> FilterSettings:
        """Settings from ``DEEPCISO_FILTER_<FIELD>`` keys; unset or empty keys keep defaults."""
        values, raws = {}, {}
        for field in dataclasses.fields(cls):
            key = ENV_PREFIX + field.name.upper()
            raw = environ.get(key, "").strip()
            if raw:
                values[field.name] = _parse(key, raw, _PARSERS[field.name])
                raws[field.name] = raw
        if problem := _problem({**dataclasses.asdict(cls()), **values}):
            field, message = problem
            key = ENV_PREFIX + field.upper()
            raise UserError(f"{key}={raws[field]!r}: {message}; fix it in .env")
        return cls(**values)


def _problem(values: Mapping[str, object]) -> tuple[str, str] | None:
    """The first invalid field and what it must be, or ``None``."""
    if not 0.0 < values["profanity_threshold"] <= 1.0:
        return "profanity_threshold", "must be above 0 and at most 1 (default 0.9)"
    if values["links"] not in LINK_POLICIES:
        return "links", "must be 'remove' or 'reject'"
    for name in ("min_chars", "novelty_words", "recent_posts"):
        if values[name] < 0:
            return name, "must be 0 or more"
    for name in ("max_repeats", "batch_size", "max_candidates"):
        if values[name] < 1:
            return name, "must be 1 or more"
    return None


def _parse(key: str, raw: str, parser: Callable[[str], object]) -> object:
    try:
        return parser(raw)
    except ValueError:
        raise UserError(f"{key}={raw!r} is not a valid value; see .env.example") from None


_PARSERS: dict[str, Callable[[str], object]] = {
    "profanity_threshold": float,
    "blocked_words": Path,
    "allowed_words": Path,
    "min_chars": int,
    "links": str.lower,
    "novelty_words": int,
    "recent_posts": int,
    "max_repeats": int,
    "batch_size": int,
    "max_candidates": int,
}
