"""Synthetic exports for the corpus bench: an X archive ``tweets.js`` and a DiscordChatExporter
JSON channel, written streaming from the sample Twint rows (the project's own joke texts).

Records follow the real structures (docs/sources.md): X's pretty-printed ``{"tweet": {...}}``
items with string numbers, entities and edit info; DCE messages with author objects, reactions,
attachments, some bots and system messages.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from pipeline.atomic import atomic_write
from pipeline.corpus.sample_db import sample_rows

_SOURCE = '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>'


def cached(name: str, posts: int, writer) -> Path:
    """Write the file once into the temp folder; later benches reuse it."""
    path = Path(tempfile.gettempdir()) / f"deepciso-bench-{posts}-{name}"
    if not path.exists():
        print(f"making {path} ({posts:,} posts)...", flush=True)
        writer(path, posts)
    return path


def _x_time(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


def write_x_tweets_js(path: Path, posts: int) -> None:
    """``tweets.js`` (``window.YTD.tweets.part0 = [...]``) with a ``manifest.js`` beside it."""
    path.mkdir(parents=True, exist_ok=True)
    manifest = {"userInfo": {"accountId": "1", "userName": "bench_owner"},
                "dataTypes": {"tweets": {"files": [{"fileName": "data/tweets.js",
                                                   "globalName": "YTD.tweets.part0",
                                                   "count": str(posts)}]}}}  # fmt: skip
    (path / "data").mkdir(exist_ok=True)
    (path / "data" / "manifest.js").write_text(
        "window.__THAR_CONFIG = " + json.dumps(manifest, indent=2), encoding="utf-8"
    )
    with atomic_write(path / "data" / "tweets.js") as out:
        out.write("window.YTD.tweets.part0 = [")
        for n, row in enumerate(sample_rows(posts, authors=max(300, posts // 50))):
            tweet_id, text, language, likes, retweets, epoch_ms = (
                row[1], row[2], row[3], row[11], row[12], row[29]
            )  # fmt: skip
            record = {"tweet": {
                "edit_info": {"initial": {"editTweetIds": [tweet_id], "editsRemaining": "5",
                                          "editableUntil": "2026-02-10T18:33:16.000Z",
                                          "isEditEligible": False}},
                "retweeted": False, "source": _SOURCE,
                "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
                "display_text_range": ["0", str(len(text))], "favorite_count": str(likes),
                "id_str": tweet_id, "truncated": False, "retweet_count": str(retweets),
                "id": tweet_id, "created_at": _x_time(epoch_ms), "favorited": False,
                "full_text": text, "lang": language,
            }}  # fmt: skip
            out.write(("," if n else "") + "\n" + json.dumps(record, indent=2, ensure_ascii=False))
        out.write("\n]")


def write_discord_json(path: Path, posts: int) -> None:
    """One DCE channel file; 1 message in 100 is a bot's, 1 in 200 a system message."""
    header = {"guild": {"id": "253601524398293010", "name": "Bench", "iconUrl": ""},
              "channel": {"id": "1", "type": "GuildTextChat", "categoryId": "2",
                          "category": "Chat", "name": "general", "topic": None},
              "dateRange": {"after": None, "before": None}}  # fmt: skip
    with atomic_write(path) as out:
        out.write(json.dumps(header, indent=2)[:-2] + ',\n  "messages": [')
        for n, row in enumerate(sample_rows(posts, authors=max(300, posts // 50))):
            likes = row[11]
            reactions = [
                {
                    "emoji": {
                        "id": "",
                        "name": "🔥",
                        "isAnimated": False,
                        "imageUrl": "https://twemoji/1f525.svg",
                    },
                    "count": likes,
                }
            ]
            if likes > 3:
                reactions.append({"emoji": {"id": "782589696621805568", "name": "kekw",
                                            "isAnimated": False, "imageUrl": ""},
                                  "count": likes // 3})  # fmt: skip
            message = {
                "id": row[1], "type": "ThreadCreated" if n % 200 == 7 else "Default",
                "timestamp": datetime.fromtimestamp(row[29] / 1000, tz=UTC).isoformat(
                    timespec="milliseconds"),
                "timestampEdited": None, "callEndedTimestamp": None, "isPinned": False,
                "content": row[2].replace("https://t.co/", "https://example.com/"),
                "author": {"id": str(row[13]), "name": row[15], "discriminator": "0000",
                           "nickname": row[16], "color": None, "isBot": n % 100 == 3,
                           "avatarUrl": "https://cdn.discordapp.com/embed/avatars/0.png"},
                "attachments": [], "embeds": [], "stickers": [],
                "reactions": reactions if likes else [], "mentions": [],
            }  # fmt: skip
            out.write(("," if n else "") + "\n    " + json.dumps(message, ensure_ascii=False))
        out.write(f'\n  ],\n  "messageCount": {posts}\n}}\n')
