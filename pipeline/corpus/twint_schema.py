"""Open a Twint SQLite database and work out which generation of the ``tweets`` table it has.

Twint changed the table many times (see ``../shared/docs/twint-schema.md``): generations A/B name
the columns ``user``, ``likes``, ``retweets`` and keep the time in ``date`` + ``time``; C and later
name them ``screen_name``, ``likes_count``, ``retweets_count`` and add ``created_at``; G and H add
``language`` (and H ``thumbnail``); B-s keys rows on ``(id, search_name)``, so ids repeat.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import UserError

# Twint master's ``tweets`` table (generation H), as ``twint/storage/db.py`` creates it.
NEWEST_TWEETS_DDL = """
CREATE TABLE IF NOT EXISTS tweets (
    id integer not null, id_str text not null, tweet text default '', language text default '',
    conversation_id text not null, created_at integer not null, date text not null,
    time text not null, timezone text not null, place text default '',
    replies_count integer, likes_count integer, retweets_count integer,
    user_id integer not null, user_id_str text not null, screen_name text not null,
    name text default '', link text, mentions text, hashtags text, cashtags text,
    urls text, photos text, thumbnail text, quote_url text, video integer, geo text,
    near text, source text, time_update integer not null, `translate` text default '',
    trans_src text default '', trans_dest text default '',
    PRIMARY KEY (id))
"""


@dataclass(frozen=True)
class TweetColumns:
    """Where each field the corpus builder needs lives in this database's ``tweets`` table."""

    generation: str
    author: str
    likes: str
    retweets: str
    created_at: str | None
    date: str | None
    time: str | None
    timezone: str | None
    language: str | None
    retweet_flag: str | None
    id_is_key: bool = True  # False where ids can repeat (B-s keys rows on id + search_name)

    @property
    def has_time(self) -> bool:
        return self.created_at is not None or self.date is not None


_NEW_REQUIRED = ("id", "tweet", "screen_name", "likes_count", "retweets_count")
_OLD_REQUIRED = ("id", "tweet", "user", "likes", "retweets")


def open_database(path: Path) -> sqlite3.Connection:
    """Open ``path`` read-only, failing with one line when it is missing or not SQLite."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file; pass --db with a Twint SQLite database")
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not a Twint SQLite database file")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        conn.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path}: not a SQLite database ({exc})") from exc
    return conn


def detect_columns(conn: sqlite3.Connection, path: Path) -> TweetColumns:
    """Read ``PRAGMA table_info(tweets)`` and map this generation's columns to our fields."""
    table = list(conn.execute("PRAGMA table_info(tweets)"))
    names = {row[1].lower() for row in table}
    if not names:
        raise UserError(f"{path}: has no 'tweets' table; is this a database made by Twint?")

    def col(name: str) -> str | None:
        return f'"{name}"' if name in names else None

    if "screen_name" in names:
        required, generation = _NEW_REQUIRED, "C-F (screen_name, likes_count, created_at)"
        if "language" in names:
            generation = "H (newest)" if "thumbnail" in names else "G (language)"
    elif "user" in names:
        required, generation = _OLD_REQUIRED, "A/B (user, likes, date + time)"
        if "search_name" in names:
            generation = "B-s (user, likes, keyed on id + search_name)"
    else:
        raise UserError(
            f"{path}: table 'tweets' has no author column (screen_name or user); "
            f"found: {', '.join(sorted(names))}"
        )
    missing = [name for name in required if name not in names]
    if missing:
        raise UserError(
            f"{path}: table 'tweets' lacks the columns {', '.join(missing)} "
            f"(found: {', '.join(sorted(names))})"
        )
    new = required is _NEW_REQUIRED
    return TweetColumns(
        generation=generation,
        author=col("screen_name" if new else "user"),
        likes=col("likes_count" if new else "likes"),
        retweets=col("retweets_count" if new else "retweets"),
        created_at=col("created_at"),
        date=col("date"),
        time=col("time"),
        timezone=col("timezone"),
        language=col("language"),
        retweet_flag=col("retweet"),
        id_is_key=[row[1].lower() for row in table if row[5]] == ["id"],
    )
