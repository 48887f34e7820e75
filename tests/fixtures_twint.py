"""Twint databases of every schema generation, written by the tests themselves.

``make_db(path, generation, rows)`` takes rows as dicts with the fields below (missing ones get
Twint's defaults) and writes them with that generation's real column names and types.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipeline.corpus.twint_schema import NEWEST_TWEETS_DDL

# Generation A/B (Twint 1.1.x): user, likes, retweets, date + time, a retweet flag.
OLD_DDL = """CREATE TABLE tweets (id integer primary key, user_id integer, date text, time text,
    timezone text, location text, user text, tweet text, replies integer, likes integer,
    retweets integer, hashtags text, link text, retweet bool, user_rt text, mentions text,
    date_update text not null)"""
# Generation B-s: the same, keyed on (id, search_name), so one tweet id repeats.
SEARCH_NAME_DDL = """CREATE TABLE tweets (id integer not null, user_id integer, date text,
    time text, timezone text, location text, user text, tweet text, replies integer,
    likes integer, retweets integer, hashtags text, link text, retweet bool, user_rt text,
    mentions text, date_update text not null, search_name text not null,
    PRIMARY KEY (id, search_name))"""
# Generation F (Twint 2.1.20, last PyPI): screen_name, likes_count, created_at epoch ms.
PYPI_DDL = """CREATE TABLE tweets (id integer not null, id_str text not null, tweet text default '',
    conversation_id text not null, created_at integer not null, date text not null,
    time text not null, timezone text not null, place text default '', replies_count integer,
    likes_count integer, retweets_count integer, user_id integer not null,
    user_id_str text not null, screen_name text not null, name text default '', link text,
    mentions text, hashtags text, cashtags text, urls text, photos text, quote_url text,
    video integer, geo text, near text, source text, time_update integer not null,
    `translate` text default '', trans_src text default '', trans_dest text default '',
    PRIMARY KEY (id))"""

GENERATIONS = {
    "old": OLD_DDL,
    "search_name": SEARCH_NAME_DDL,
    "pypi": PYPI_DDL,
    "newest": NEWEST_TWEETS_DDL,
}


def _row_for(generation: str, row: dict) -> dict:
    tweet_id = row["id"]
    if generation in ("old", "search_name"):
        out = {
            "id": tweet_id, "user": row.get("author"), "tweet": row.get("text"),
            "likes": row.get("likes"), "retweets": row.get("retweets"),
            "date": row.get("date", "2018-05-01"), "time": row.get("time", "12:00:00"),
            "timezone": row.get("timezone", "UTC"), "retweet": row.get("retweet", 0),
            "date_update": "2018-05-28 14:03:11.123456",
        }  # fmt: skip
        if generation == "search_name":
            out["search_name"] = row.get("search_name", "default")
        return out
    out = {
        "id": tweet_id, "id_str": str(tweet_id), "tweet": row.get("text"),
        "conversation_id": str(tweet_id), "created_at": row.get("created_at", 1585372921000),
        "date": row.get("date", "2020-03-28"), "time": row.get("time", "01:22:01"),
        "timezone": row.get("timezone", "+0000"), "likes_count": row.get("likes"),
        "retweets_count": row.get("retweets"), "user_id": 1, "user_id_str": "1",
        "screen_name": row.get("author"), "time_update": 0,
    }  # fmt: skip
    if generation == "newest":
        out["language"] = row.get("language", "en")
    return out


def make_db(path: Path, generation: str, rows: list[dict]) -> Path:
    """Write ``rows`` into a new database of ``generation`` (old, search_name, pypi, newest)."""
    conn = sqlite3.connect(path)
    conn.execute(GENERATIONS[generation])
    for row in rows:
        values = _row_for(generation, row)
        names = ", ".join(f"`{k}`" for k in values)
        conn.execute(
            f"INSERT INTO tweets ({names}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )
    conn.commit()
    conn.close()
    return Path(path)
