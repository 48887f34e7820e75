"""The legacy Twitter archive (2012-2018): its ``tweets.csv`` alone, its folder or its ``.zip``.

The CSV is read by header name, since the 2013 and 2015 exports order the columns differently;
it has no engagement counts at all. The author is the ``screen_name`` in
``data/js/user_details.js`` beside the CSV when present.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.corpus.sources.bundle import Bundle
from pipeline.corpus.sources.post import Post, ReadContext, handle
from pipeline.corpus.sources.textfile import csv_stream_rows, text_stream

REQUIRED = {"tweet_id", "timestamp", "text"}
CSV_NAME = "tweets.csv"
DETAILS = "user_details.js"
_SCREEN_NAME = re.compile(rb'"screen_name"\s*:\s*"([^"]+)"')


def read(path: Path, ctx: ReadContext) -> Iterator[Post]:
    alone = path.is_file() and path.suffix.lower() == ".csv"
    bundle = Bundle(path.parent) if alone else Bundle(path)
    try:
        name = path.name if alone else (bundle.find(CSV_NAME) or [CSV_NAME])[0]
        author = _owner(bundle, name, ctx)
        with bundle.open(name) as binary, text_stream(binary) as text:
            for row in csv_stream_rows(text, bundle.where(name)):
                yield Post(
                    id=row.get("tweet_id", ""),
                    author=author,
                    text=row.get("text", ""),
                    created=row.get("timestamp"),
                    repost=bool(row.get("retweeted_status_id")),
                )
    finally:
        bundle.close()


def _owner(bundle: Bundle, csv_name: str, ctx: ReadContext) -> str:
    """``screen_name`` from ``data/js/user_details.js`` beside the CSV, else the folder name."""
    base = csv_name[: -len(Path(csv_name).name)]
    details = f"{base}data/js/{DETAILS}"
    if details in bundle.names:
        match = _SCREEN_NAME.search(bundle.read(details))
        if match:
            return handle(match.group(1).decode("utf-8", "replace"))
    fallback = Path(csv_name).parent.name or bundle.path.stem
    ctx.warn(f"{bundle.where(csv_name)}: no data/js/{DETAILS} beside it; the author is "
             f"'{fallback}'")  # fmt: skip
    return handle(fallback)
