"""Exports of every supported format, written by the tests themselves to the documented
structures (docs/sources.md and ../shared/docs/export-formats.md); no real posts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import libipld

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def x_tweet(
    tweet_id: int,
    text: str,
    likes: int = 0,
    retweets: int = 0,
    *,
    created: str = "Wed Oct 10 20:19:24 +0000 2018",
    lang: str = "en",
) -> dict:
    """One ``tweets.js`` item: every number a string, as X writes them."""
    return {"tweet": {
        "edit_info": {"initial": {"editTweetIds": [str(tweet_id)], "editsRemaining": "5",
                                  "isEditEligible": False}},
        "retweeted": False, "source": "<a href=\"https://mobile.twitter.com\">Web</a>",
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [],
                     "urls": [{"url": "https://t.co/abc", "indices": ["0", "1"]}]},
        "display_text_range": ["0", str(len(text))], "favorite_count": str(likes),
        "id_str": str(tweet_id), "truncated": False, "retweet_count": str(retweets),
        "id": str(tweet_id), "created_at": created, "favorited": False,
        "full_text": text, "lang": lang,
    }}  # fmt: skip


def _js(name: str, items: list) -> str:
    return f"window.YTD.{name}.part0 = " + json.dumps(items, indent=2, ensure_ascii=False)


def x_archive_files(tweets: list[dict], notes: list[dict] = (), owner: str = "Owner_Name",
                    naming: str = "tweets") -> dict[str, str]:  # fmt: skip
    """``{member name: text}`` of an archive: manifest, tweets (or 2020's ``tweet``), notes."""
    manifest = {"userInfo": {"accountId": "42", "userName": owner, "displayName": "Owner"},
                "archiveInfo": {"sizeBytes": "1", "isPartialArchive": False},
                "dataTypes": {naming: {"files": [{"fileName": f"data/{naming}.js",
                                                  "globalName": f"YTD.{naming}.part0",
                                                  "count": str(len(tweets))}]}}}  # fmt: skip
    return {
        "Your archive.html": "<html></html>",
        "data/manifest.js": "window.__THAR_CONFIG = " + json.dumps(manifest, indent=2),
        f"data/{naming}.js": _js(naming, tweets),
        "data/note-tweet.js": _js("note_tweet", [{"noteTweet": n} for n in notes]) if notes
        else "window.YTD.note_tweet.part0 = [ ]",
        "data/README.txt": "field glossary",
    }  # fmt: skip


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def write_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def write_tar_gz(path: Path, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


LEGACY_2013 = [
    "tweet_id",
    "in_reply_to_status_id",
    "in_reply_to_user_id",
    "retweeted_status_id",
    "retweeted_status_user_id",
    "timestamp",
    "source",
    "text",
    "expanded_urls",
]
LEGACY_2015 = ["tweet_id", "in_reply_to_status_id", "in_reply_to_user_id", "timestamp", "source",
               "text", "retweeted_status_id", "retweeted_status_user_id",
               "retweeted_status_timestamp", "expanded_urls"]  # fmt: skip


def write_legacy_csv(path: Path, rows: list[dict], header: list[str]) -> Path:
    """Every field quoted; rows without ``expanded_urls`` are ragged (one field short)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for row in rows:
            values = [row.get(name, "") for name in header]
            writer.writerow(values if row.get("expanded_urls") else values[:-1])
    return path


def scraped(
    tweet_id: int,
    user: str,
    text: str,
    likes: int,
    retweets: int,
    *,
    date: str = "2026-07-08 21:59:10+00:00",
    retweeted: dict | None = None,
) -> dict:
    """A twscrape line (``Tweet.json()``)."""
    return {"id": tweet_id, "id_str": str(tweet_id), "url": f"https://x.com/{user}/status/1",
            "date": date, "user": {"id": 1, "username": user, "displayname": user.title(),
                                   "_type": "snscrape.modules.twitter.User"},
            "lang": "en", "rawContent": text, "replyCount": 0, "retweetCount": retweets,
            "likeCount": likes, "quoteCount": 0, "viewCount": None, "links": [],
            "retweetedTweet": retweeted, "quotedTweet": None,
            "_type": "snscrape.modules.twitter.Tweet"}  # fmt: skip


def v2_tweet(tweet_id: int, author_id: str, text: str, likes: int, retweets: int,
             kind: str | None = None) -> dict:  # fmt: skip
    tweet = {"author_id": author_id, "conversation_id": str(tweet_id),
             "created_at": "2021-11-30T23:57:10.000Z", "id": str(tweet_id), "lang": "de",
             "public_metrics": {"like_count": likes, "quote_count": 0, "reply_count": 0,
                                "retweet_count": retweets}, "text": text}  # fmt: skip
    if kind:
        tweet["referenced_tweets"] = [{"id": "1", "type": kind}]
    return tweet


def write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), "utf-8")
    return path


def dce_message(message_id: int, author: str, content: str, reactions: list[int] = (), *,
                kind: str = "Default", bot: bool = False,
                timestamp: str = "2018-05-20T16:09:51.118-05:00") -> dict:  # fmt: skip
    """A DiscordChatExporter message; the first reaction is a custom emoji, the rest unicode."""
    return {"id": str(message_id), "type": kind, "timestamp": timestamp,
            "timestampEdited": None, "callEndedTimestamp": None, "isPinned": False,
            "content": content,
            "author": {"id": str(1000 + len(author)), "name": author, "discriminator": "0000",
                       "nickname": author.title(), "color": None, "isBot": bot,
                       "avatarUrl": "https://cdn.discordapp.com/avatars/1.png"},
            "attachments": [], "embeds": [], "stickers": [],
            "reactions": [{"emoji": {"id": "464662216386412545" if i == 0 else (None if i % 2
                                     else ""), "name": "paul" if i == 0 else "❤",
                                     "isAnimated": False, "imageUrl": ""}, "count": count}
                          for i, count in enumerate(reactions)],
            "mentions": []}  # fmt: skip


def write_dce_json(path: Path, messages: list[dict], *, channel_type: str = "GuildTextChat",
                   guild_id: str = "253601524398293010") -> Path:  # fmt: skip
    export = {"guild": {"id": guild_id, "name": "Guild", "iconUrl": ""},
              "channel": {"id": "5", "type": channel_type, "categoryId": "6", "category": "Chat",
                          "name": "general", "topic": None},
              "dateRange": {"after": None, "before": None}, "exportedAt": "2026-01-01T00:00:00Z",
              "messages": messages, "messageCount": len(messages)}  # fmt: skip
    path.write_text(json.dumps(export, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def write_dce_csv(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    """``(author id, author, date, content, reactions)`` rows, every value quoted like DCE."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(["AuthorID", "Author", "Date", "Content", "Attachments", "Reactions"])
        for author_id, author, date, content, reactions in rows:
            writer.writerow([author_id, author, date, content, "", reactions])
    return path


def note_activity(status: int, html: str, *, to: list[str], cc: list[str] = (),
                  likes: int | None = None, shares: int | None = None,
                  published: str = "2024-09-01T04:55:02Z", lang: str = "en") -> dict:  # fmt: skip
    """A Mastodon ``Create`` activity; ``likes``/``shares`` only in the 2026 format."""
    base = "https://social.example/ap/users/110/statuses"
    note = {"id": f"{base}/{status}", "type": "Note", "summary": None, "inReplyTo": None,
            "published": published, "url": f"https://social.example/@me/{status}",
            "attributedTo": "https://social.example/ap/users/110", "to": to, "cc": list(cc),
            "sensitive": False, "content": html, "contentMap": {lang: html}, "attachment": [],
            "tag": []}  # fmt: skip
    if likes is not None:
        note["likes"] = {"type": "Collection", "totalItems": likes}
        note["shares"] = {"type": "Collection", "totalItems": shares or 0}
    return {"id": f"{base}/{status}/activity", "type": "Create",
            "actor": "https://social.example/ap/users/110", "published": published,
            "to": to, "cc": list(cc), "object": note}  # fmt: skip


def outbox_files(activities: list[dict], username: str = "Zapdos") -> dict[str, str]:
    outbox = {"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json",
              "type": "OrderedCollection", "totalItems": len(activities) - 1,
              "orderedItems": activities}  # fmt: skip
    actor = {"type": "Person", "preferredUsername": username, "id": "https://social.example/u"}
    return {"outbox.json": json.dumps(outbox), "actor.json": json.dumps(actor),
            "likes.json": "{}"}  # fmt: skip


def _cid(block: bytes) -> bytes:
    """A CIDv1, dag-cbor codec, sha2-256: the kind of link a repository uses."""
    return b"\x01\x71\x12\x20" + hashlib.sha256(block).digest()


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def write_car(path: Path, records: dict[str, dict], did: str = "did:plc:testowner",
              root_is_commit: bool = True) -> Path:  # fmt: skip
    """A CAR v1 repository: a commit, a three-node MST (left subtree, root entries, a right
    subtree under the last entry) and the records, all DAG-CBOR encoded by libipld."""
    blocks: list[tuple[bytes, bytes]] = []

    def put(value: dict) -> bytes:
        data = libipld.encode_dag_cbor(value)
        blocks.append((_cid(data), data))
        return blocks[-1][0]

    def node(keys: list[str], left: bytes | None = None, last_right: bytes | None = None):
        entries, previous = [], b""
        for key in keys:
            raw = key.encode()
            pairs = zip(previous, raw, strict=False)
            shared = next((i for i, (a, b) in enumerate(pairs) if a != b),
                          min(len(previous), len(raw)))  # fmt: skip
            entries.append({"p": shared, "k": raw[shared:], "v": put(records[key]), "t": None})
            previous = raw
        if entries and last_right is not None:
            entries[-1]["t"] = last_right
        return put({"l": left, "e": entries})

    keys = sorted(records)
    third = max(1, len(keys) // 3)
    left = node(keys[:third]) if len(keys) > 2 else None
    right = node(keys[2 * third :]) if len(keys) > 2 else None
    middle = keys[third : 2 * third] if len(keys) > 2 else keys
    root = node(middle, left, right)
    commit = put({"did": did, "version": 3, "data": root, "rev": "3ljlyqit2uk2l", "prev": None,
                  "sig": b"\x00" * 64}) if root_is_commit else root  # fmt: skip
    header = libipld.encode_dag_cbor({"version": 1, "roots": [commit]})
    with open(path, "wb") as handle:
        handle.write(_varint(len(header)) + header)
        for cid, data in blocks:
            handle.write(_varint(len(cid) + len(data)) + cid + data)
    return path


def bsky_post(text: str, *, links: list[tuple[int, int]] = (), langs: list[str] = ("en",),
              created: str = "2024-02-22T04:44:48.360Z") -> dict:  # fmt: skip
    return {"$type": "app.bsky.feed.post", "text": text, "langs": list(langs),
            "createdAt": created,
            "facets": [{"$type": "app.bsky.richtext.facet",
                        "index": {"byteStart": start, "byteEnd": end},
                        "features": [{"$type": "app.bsky.richtext.facet#link",
                                      "uri": "https://example.com/long"}]}
                       for start, end in links]}  # fmt: skip
