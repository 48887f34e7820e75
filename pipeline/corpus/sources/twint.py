"""A Twint database as a stream of posts, for builds that merge it with other exports.

A Twint database alone goes through :mod:`pipeline.corpus` (SQL, fastest); this reader maps the
same detected columns (every generation) to :class:`Post` records.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.corpus.sources.post import Post, ReadContext, handle, to_int
from pipeline.corpus.twint_schema import detect_columns, open_database


def read(path: Path, ctx: ReadContext) -> Iterator[Post]:
    conn = open_database(path)
    try:
        c = detect_columns(conn, path)
        created = c.created_at or (
            f"{c.date} || ' ' || coalesce({c.time}, '00:00:00') || ' ' || "
            f"coalesce({c.timezone or 'NULL'}, '')"
            if c.date
            else "NULL"
        )
        cursor = conn.execute(
            f"SELECT id, {c.author}, coalesce(tweet, ''), {created}, {c.likes}, {c.retweets}, "
            f"{c.language or 'NULL'}, {c.retweet_flag or 'NULL'} FROM tweets"
        )
        for tweet_id, author, text, when, likes, retweets, language, flag in cursor:
            yield Post(
                id=str(tweet_id),
                author=handle(author),
                text=text,
                created=when,
                likes=to_int(likes) or 0,
                reposts=to_int(retweets) or 0,
                language=(language or "").lower() if c.language else None,
                repost=str(flag) in ("1", "True"),
            )
    finally:
        conn.close()
