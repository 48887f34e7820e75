"""Tweets one JSON object a line: twscrape / snscrape (``rawContent``, ``likeCount``...) and the
Twitter API v2 (``public_metrics``; also whole response pages ``{"data": [...], "includes"}``).

twscrape also writes the quoted and replied-to tweets as lines of their own (other authors'),
and a retweet line copies the original's ``retweetCount``: retweets are marked and dropped by
default. API v2 tweets name only an ``author_id`` unless the page's ``includes.users`` was kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pipeline.corpus.sources.post import Post, ReadContext, handle, to_int
from pipeline.corpus.sources.textfile import open_text
from pipeline.errors import UserError


def json_lines(path: Path) -> Iterator[dict]:
    """Each non-blank line as an object; a bad line is one error naming its number."""
    with open_text(path) as handle_:
        for number, line in enumerate(handle_, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(
                    f"{path}: line {number} is not JSON ({exc.msg}); is the file cut short?"
                ) from exc
            if isinstance(item, dict):
                yield item


def read_scraped(path: Path, ctx: ReadContext) -> Iterator[Post]:
    """twscrape / snscrape lines."""
    for item in json_lines(path):
        user = item.get("user") or {}
        text = item.get("rawContent") or item.get("content") or item.get("renderedContent") or ""
        yield Post(
            id=str(item.get("id_str") or item.get("id") or ""),
            author=handle(user.get("username")),
            text=text,
            created=item.get("date"),
            likes=to_int(item.get("likeCount")),
            reposts=to_int(item.get("retweetCount")),
            language=item.get("lang"),
            repost=bool(item.get("retweetedTweet")),
        )


def read_api_v2(path: Path, ctx: ReadContext) -> Iterator[Post]:
    """API v2 tweets: one a line, one response page a line (``data`` a list), or one streamed
    tweet a line (``data`` an object), with the authors' usernames from ``includes.users``."""
    for item in json_lines(path):
        data = item.get("data")
        if data is None:
            yield _v2_post(item, {})
            continue
        users = {u.get("id"): u.get("username")
                 for u in (item.get("includes") or {}).get("users", [])}  # fmt: skip
        for tweet in data if isinstance(data, list) else [data]:
            yield _v2_post(tweet, users)


def _v2_post(tweet: dict, users: dict) -> Post:
    metrics = tweet.get("public_metrics") or {}
    author_id = tweet.get("author_id")
    kinds = {ref.get("type") for ref in tweet.get("referenced_tweets") or []}
    text = tweet.get("text") or ""
    return Post(
        id=str(tweet.get("id") or ""),
        author=handle(users.get(author_id) or tweet.get("username") or author_id),
        text=text,
        created=tweet.get("created_at"),
        likes=to_int(metrics.get("like_count")),
        reposts=to_int(metrics.get("retweet_count")),
        language=tweet.get("lang"),
        repost="retweeted" in kinds,
    )
