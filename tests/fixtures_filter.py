"""Content filter fixtures: one shared default filter (loading the classifier takes a second)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pipeline.contentfilter import ContentFilter, FilterSettings

REAL_DB = Path(__file__).resolve().parents[2] / "shared" / "data" / "ccic-cashtag.twint.db"


@cache
def default_filter() -> ContentFilter:
    """One filter with default settings and no corpus, shared: never remember posts on it."""
    return ContentFilter(FilterSettings())


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


# 318 characters of ordinary words, no phrase said twice (a repeated phrase is degenerate): too
# long for X, fine for Discord.
LONG_TEXT = (
    "the market is up today and the printer is still down, so the blue team drinks cold coffee "
    "while auditors ask for one more spreadsheet about patch levels nobody reads; meanwhile the "
    "red team found another default password on a forgotten staging box and everyone pretends "
    "this quarter will be different from the last three quarters"
)
