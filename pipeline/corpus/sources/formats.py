"""The registry of supported formats: ``--format`` names, readers and per-format cleaning."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.corpus.sources import (
    bluesky_car,
    discord_export,
    generic,
    legacy_csv,
    mastodon_outbox,
    tweet_jsonl,
    twint,
    x_archive,
)
from pipeline.corpus.sources.post import Post, ReadContext

Reader = Callable[[Path, ReadContext], Iterator[Post]]


@dataclass(frozen=True)
class Format:
    """One export format: its ``--format`` name, how the report names it, its reader."""

    name: str
    label: str
    read: Reader
    clean: Callable[[str], str] | None = None  # applied before the common cleaner


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("twint", "Twint SQLite database", twint.read),
    Format("x-archive", "X account archive (tweets.js)", x_archive.read),
    Format("twitter-csv", "legacy Twitter archive (tweets.csv)", legacy_csv.read),
    Format("twscrape", "twscrape / snscrape JSONL", tweet_jsonl.read_scraped),
    Format("twitter-api-v2", "Twitter API v2 JSONL", tweet_jsonl.read_api_v2),
    Format("discord-json", "DiscordChatExporter JSON", discord_export.read_json,
           discord_export.clean_markup),
    Format("discord-csv", "DiscordChatExporter CSV", discord_export.read_csv,
           discord_export.clean_markup),
    Format("mastodon", "Mastodon archive (outbox.json)", mastodon_outbox.read),
    Format("bluesky", "Bluesky repository (.car)", bluesky_car.read),
    Format("csv", "generic CSV", generic.read_csv),
    Format("jsonl", "generic JSONL", generic.read_jsonl),
    Format("text", "plain text, one post a line", generic.read_text),
)}  # fmt: skip


def known_formats() -> str:
    """The list an error message gives when a file is of no known format."""
    return ", ".join(FORMATS)
