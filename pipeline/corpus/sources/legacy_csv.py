"""The legacy Twitter archive's ``tweets.csv`` (2012-2018): read by header name, since the 2013
and 2015 exports order the columns differently; no engagement counts at all.

The author is the ``screen_name`` in ``data/js/user_details.js`` beside the CSV when present.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.corpus.sources.post import Post, ReadContext, handle
from pipeline.corpus.sources.textfile import csv_rows

REQUIRED = {"tweet_id", "timestamp", "text"}
_SCREEN_NAME = re.compile(rb'"screen_name"\s*:\s*"([^"]+)"')


def read(path: Path, ctx: ReadContext) -> Iterator[Post]:
    author = _owner(path, ctx)
    for row in csv_rows(path):
        text = row.get("text", "")
        yield Post(
            id=row.get("tweet_id", ""),
            author=author,
            text=text,
            created=row.get("timestamp"),
            repost=bool(row.get("retweeted_status_id")),
        )


def _owner(path: Path, ctx: ReadContext) -> str:
    details = path.parent / "data" / "js" / "user_details.js"
    if details.is_file():
        match = _SCREEN_NAME.search(details.read_bytes())
        if match:
            return handle(match.group(1).decode("utf-8", "replace"))
    ctx.warn(f"{path}: no data/js/user_details.js beside it; the author is '{path.parent.name}'")
    return handle(path.parent.name)
