"""The registry of supported formats: ``--format`` names, readers and per-format cleaning.

Readers are named, not imported: the command line lists the formats without loading them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.corpus.sources.post import Post, ReadContext

Reader = Callable[[Path, ReadContext], Iterator[Post]]


@dataclass(frozen=True)
class Format:
    """One export format: its ``--format`` name, how the report names it, its reader
    (``module:function`` in this package) and an optional cleaner applied before the common
    one."""

    name: str
    label: str
    reader: str
    cleaner: str | None = None

    @property
    def read(self) -> Reader:
        return _resolve(self.reader)

    @property
    def clean(self) -> Callable[[str], str] | None:
        return _resolve(self.cleaner) if self.cleaner else None


def _resolve(name: str):
    module, function = name.split(":")
    return getattr(importlib.import_module(f"pipeline.corpus.sources.{module}"), function)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("twint", "Twint SQLite database", "twint:read"),
    Format("x-archive", "X account archive (tweets.js)", "x_archive:read"),
    Format("twitter-csv", "legacy Twitter archive (tweets.csv)", "legacy_csv:read"),
    Format("twscrape", "twscrape / snscrape JSONL", "tweet_jsonl:read_scraped"),
    Format("twitter-api-v2", "Twitter API v2 JSONL", "tweet_jsonl:read_api_v2"),
    Format("discord-json", "DiscordChatExporter JSON", "discord_export:read_json",
           "discord_export:clean_markup"),
    Format("discord-csv", "DiscordChatExporter CSV", "discord_export:read_csv",
           "discord_export:clean_markup"),
    Format("mastodon", "Mastodon archive (outbox.json)", "mastodon_outbox:read"),
    Format("bluesky", "Bluesky repository (.car)", "bluesky_car:read"),
    Format("csv", "generic CSV", "generic:read_csv"),
    Format("jsonl", "generic JSONL", "generic:read_jsonl"),
    Format("text", "plain text, one post a line", "generic:read_text"),
)}  # fmt: skip


def known_formats() -> str:
    """The list an error message gives when a file is of no known format."""
    return ", ".join(FORMATS)
