"""Generic dumps: CSV or JSONL with documented names, and plain text, one post a line.

Columns/keys (case-insensitive): ``text`` (required); ``author``, ``created_at``, ``likes``,
``reposts``, ``id``, ``language`` (optional). Without an ``author`` the whole file is one author
named after the file; without ``likes``/``reposts`` every post counts as "top".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.corpus.sources.post import Post, ReadContext, handle, to_int
from pipeline.corpus.sources.textfile import csv_rows, open_text
from pipeline.corpus.sources.tweet_jsonl import json_lines
from pipeline.errors import UserError

COLUMNS = ("text", "author", "created_at", "likes", "reposts", "id", "language")


def _post(row: dict, default_author: str) -> Post:
    author = row.get("author", default_author) if "author" in row else default_author
    return Post(
        id=str(row.get("id") or ""),
        author=handle(author),
        text=str(row.get("text") or ""),
        created=row.get("created_at"),
        likes=to_int(row.get("likes")),
        reposts=to_int(row.get("reposts")),
        language=(str(row["language"]).lower() or None) if row.get("language") else None,
    )


def read_csv(path: Path, ctx: ReadContext) -> Iterator[Post]:
    for number, row in enumerate(csv_rows(path)):
        if number == 0 and "text" not in row:
            raise UserError(f"{path}: a generic CSV needs a 'text' column; found {', '.join(row)}")
        yield _post(row, path.stem)


def read_jsonl(path: Path, ctx: ReadContext) -> Iterator[Post]:
    for item in json_lines(path):
        yield _post({k.lower(): v for k, v in item.items()}, path.stem)


def read_text(path: Path, ctx: ReadContext) -> Iterator[Post]:
    author = handle(path.stem)
    with open_text(path) as handle_:
        for line in handle_:
            if line.strip():
                yield Post(id="", author=author, text=line.rstrip("\r\n"))
