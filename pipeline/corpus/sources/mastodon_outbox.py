"""Mastodon's account archive: ``outbox.json`` alone, its folder, or the archive (zip/tar.gz).

Only public (``to`` holds ``#Public``) and unlisted (``cc`` holds it) posts are read; followers-
only and direct posts are always left out (the outbox holds them too). Boosts (``Announce``)
carry no text and are skipped. The 2026 format's ``likes``/``shares`` totals are the counts;
older archives have none. The author is ``actor.json``'s ``preferredUsername``, else the end of
the actor URI.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pipeline.corpus.sources.bundle import Bundle
from pipeline.corpus.sources.html_text import html_to_text
from pipeline.corpus.sources.jsonstream import items
from pipeline.corpus.sources.post import Post, ReadContext, handle, to_int
from pipeline.errors import UserError

PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})
POST_TYPES = frozenset({"Note", "Question", "Article", "Page"})


def read(path: Path, ctx: ReadContext) -> Iterator[Post]:
    alone = path.is_file() and path.suffix == ".json"
    bundle = Bundle(path.parent, recursive=False) if alone else Bundle(path)
    try:
        outboxes = [path.name] if alone else bundle.find("outbox.json")
        if not outboxes:
            raise UserError(f"{path}: no outbox.json in it; is this a Mastodon archive?")
        owner = _owner(bundle)
        with bundle.open(outboxes[0]) as stream:
            for activity in items(stream, "orderedItems.item", bundle.where(outboxes[0])):
                post = _post(activity, owner)
                if post is not None:
                    yield post
    finally:
        bundle.close()


def _owner(bundle: Bundle) -> str | None:
    for name in bundle.find("actor.json"):
        try:
            actor = json.loads(bundle.read(name))
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return handle(actor.get("preferredUsername")) or None
    return None


def _post(activity: dict, owner: str | None) -> Post | None:
    kind = activity.get("type")
    note = activity.get("object")
    actor = activity.get("actor") or ""
    author = owner or handle(str(actor).rstrip("/").rsplit("/", 1)[-1])
    if kind == "Announce":
        return Post(id=str(activity.get("id") or ""), author=author, text="", drop="retweet",
                    created=activity.get("published"), repost=True)  # fmt: skip
    if kind != "Create" or not isinstance(note, dict) or note.get("type") not in POST_TYPES:
        return None
    visible = PUBLIC & (set(_list(note.get("to") or activity.get("to")))
                        | set(_list(note.get("cc") or activity.get("cc"))))  # fmt: skip
    languages = list((note.get("contentMap") or {}).keys())
    return Post(
        id=str(note.get("id") or activity.get("id") or ""),
        author=author,
        text=html_to_text(note.get("content") or ""),
        created=note.get("published") or activity.get("published"),
        likes=to_int((note.get("likes") or {}).get("totalItems")),
        reposts=to_int((note.get("shares") or {}).get("totalItems")),
        language=languages[0].lower() if len(languages) == 1 else None,
        drop=None if visible else "private",
    )


def _list(value: object) -> list:
    return value if isinstance(value, list) else [value] if value else []
