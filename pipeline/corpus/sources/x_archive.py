"""The X account archive: the ``.zip`` as X delivers it, its ``data/`` folder, or a bare
``tweets.js`` / ``tweet.js`` (2019-2022 naming), including split ``tweets-partN.js`` files.

Every number is a string; a retweet is the owner's own tweet whose text starts ``RT @`` (its
counts are always "0"). A long post is cut in ``tweets.js`` and complete in ``note-tweet.js``,
whose ``noteTweetId`` is *not* the tweet's id: notes are paired with their tweet by the creation
second plus the start of the text (leading reply mentions left out, as the note leaves them).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.corpus.sources.bundle import Bundle
from pipeline.corpus.sources.jsonstream import js_array, js_object
from pipeline.corpus.sources.post import Post, ReadContext, handle, to_int
from pipeline.corpus.sources.times import parse_time
from pipeline.errors import UserError

TWEET_FILES = ("tweets.js", "tweet.js")
_PART = re.compile(r"(?:^|/)tweets?(?:-part\d+)?\.js$")
_LEADING = re.compile(r"^(?:\.?@\w+[:,.;!?]*\s+)+")
_TCO = re.compile(r"\s*https://t\.co/\S+$")
_PREFIX_CHARS = 40


def is_tweet_part(name: str) -> bool:
    return bool(_PART.search(name))


def read(path: Path, ctx: ReadContext) -> Iterator[Post]:
    """Posts of one archive (zip, its folder, its ``data/`` folder, or one ``tweets.js``)."""
    if path.is_file() and path.suffix == ".js":
        bundle, parts = Bundle(path.parent, recursive=False), [path.name]
    else:
        bundle = Bundle(path)
        parts = _tweet_parts(bundle)
    try:
        author = _owner(bundle, ctx, path)
        notes = _notes(bundle)
        for part in parts:
            with bundle.open(part) as stream:
                for item in js_array(stream, bundle.where(part)):
                    tweet = item.get("tweet", item)
                    text = tweet.get("full_text") or tweet.get("text")
                    if text is not None:
                        yield _post(tweet, text, author, notes)
    finally:
        bundle.close()


def _tweet_parts(bundle: Bundle) -> list[str]:
    """The tweet files the manifest lists (``dataTypes.tweets.files``), else every part found."""
    manifests = bundle.find("manifest.js")
    if manifests:
        config = js_object(bundle.read(manifests[0]), bundle.where(manifests[0]))
        types = config.get("dataTypes", {})
        listed = [f["fileName"] for key in ("tweets", "tweet")
                  for f in types.get(key, {}).get("files", [])]  # fmt: skip
        base = manifests[0].removesuffix("manifest.js").removesuffix("data/")
        found = [base + name for name in listed if base + name in bundle.names]
        if found:
            return found
    parts = [n for n in bundle.names if is_tweet_part(n) and "deleted" not in n]
    if not parts:
        raise UserError(
            f"{bundle.path}: no data/tweets.js or data/tweet.js in it; "
            "is this an X archive (the .zip from 'Download an archive of your data')?"
        )
    return parts


def _owner(bundle: Bundle, ctx: ReadContext, path: Path) -> str:
    """The archive owner's handle from ``manifest.js`` (or ``account.js``)."""
    for name in bundle.find("manifest.js"):
        config = js_object(bundle.read(name), bundle.where(name))
        user = config.get("userInfo", {}).get("userName")
        if user:
            return handle(user)
    for name in bundle.find("account.js"):
        data = bundle.read(name)
        at = data.find(b"[")
        if at >= 0:
            account = js_object(data[at + 1 :].strip().rstrip(b"]"), bundle.where(name))
            user = account.get("account", {}).get("username")
            if user:
                return handle(user)
    ctx.warn(f"{path}: no manifest.js beside the tweets; the author is named '{path.stem}'")
    return handle(path.stem)


def _notes(bundle: Bundle) -> dict[str, list[str]]:
    """Note-tweet texts by creation second (``2023-10-13T14:58:50``)."""
    notes: dict[str, list[str]] = {}
    for name in bundle.find("note-tweet.js"):
        with bundle.open(name) as stream:
            for item in js_array(stream, bundle.where(name)):
                note = item.get("noteTweet", item)
                text = (note.get("core") or {}).get("text")
                when = parse_time(note.get("createdAt"))
                if text and when:
                    notes.setdefault(when.strftime("%Y-%m-%dT%H:%M:%S"), []).append(text)
    return notes


def _post(tweet: dict, text: str, author: str, notes: dict[str, list[str]]) -> Post:
    get = tweet.get
    if notes:
        text = _full_text(text, get("created_at"), notes)
    likes, reposts = get("favorite_count"), get("retweet_count")
    return Post(
        get("id_str") or str(get("id") or ""),
        author,
        text,
        get("created_at"),
        int(likes) if likes.__class__ is str and likes.isdigit() else to_int(likes),
        int(reposts) if reposts.__class__ is str and reposts.isdigit() else to_int(reposts),
        get("lang"),
        get("retweeted") is True,  # the "RT @" text is checked by the build
    )


def _full_text(text: str, created: object, notes: dict[str, list[str]]) -> str:
    """The note's complete text when this tweet is a cut long post, else ``text``."""
    when = parse_time(created)
    candidates = notes.get(when.strftime("%Y-%m-%dT%H:%M:%S")) if when else None
    if not candidates:
        return text
    start = _comparable(_TCO.sub("", html.unescape(text)).rstrip("…"))[:_PREFIX_CHARS]
    for note in candidates:
        if _comparable(note).startswith(start):
            return note
    return text


def _comparable(text: str) -> str:
    return " ".join(_LEADING.sub("", text.strip() + " ").split())
