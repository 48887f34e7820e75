"""A Bluesky repository export (``.car``, from Settings -> Export my data), read with the
``atproto`` package's CAR reader (``atproto_core.car.CAR``, over ``libipld``).

The reader gives the root (the commit) and the blocks; the repository's Merkle search tree is
walked here to pair each record with its key ``<collection>/<rkey>``: only
``app.bsky.feed.post`` records are posts (their id is the rkey). Links are cut out of the text
by the byte ranges of their ``#link`` facets (UTF-8 offsets). A repository holds no counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.corpus.sources.post import Post, ReadContext, handle
from pipeline.errors import UserError

POST = "app.bsky.feed.post"
LINK = "app.bsky.richtext.facet#link"


def read(path: Path, ctx: ReadContext) -> Iterator[Post]:
    from atproto_core.car import CAR
    from atproto_core.cid import CID

    try:
        car = CAR.from_bytes(path.read_bytes())
    except (ValueError, RecursionError, TypeError) as exc:
        raise UserError(f"{path}: not a readable CAR file ({exc}); export it again") from exc
    commit = car.blocks.get(car.root) if car.root is not None else None
    if not isinstance(commit, dict) or "data" not in commit or "did" not in commit:
        raise UserError(
            f"{path}: this CAR is not a Bluesky repository (its root is not a commit); "
            "use Settings -> Export my data -> Download CAR file"
        )
    author = handle(commit["did"])

    def block(link: object) -> dict | None:
        if not isinstance(link, bytes):
            return None
        found = car.blocks.get(CID.from_decoded_bytes(link))
        return found if isinstance(found, dict) else None

    for key, record in walk_mst(commit["data"], block):
        if key.startswith(POST + "/") and record.get("$type") == POST:
            languages = record.get("langs") or []
            yield Post(
                id=key.rsplit("/", 1)[1],
                author=author,
                text=without_links(record.get("text") or "", record.get("facets") or []),
                created=record.get("createdAt"),
                language=languages[0].lower() if languages else None,
            )


def walk_mst(root: object, block: Callable[[object], dict | None]) -> Iterator[tuple[str, dict]]:
    """``(key, record)`` for every record of the tree, in key order (iterative, no recursion).

    A node is ``{"l": left subtree, "e": [{"p": shared prefix length, "k": key suffix,
    "v": record, "t": right subtree}]}``. A node seen twice (a malformed, cyclic tree) is
    walked once.
    """
    stack: list[tuple[str, object]] = [("node", root)]
    seen: set[bytes] = set()
    while stack:
        kind, item = stack.pop()
        if kind == "record":
            yield item  # type: ignore[misc]
            continue
        if not isinstance(item, bytes) or item in seen:
            continue
        seen.add(item)
        node = block(item)
        if node is None:
            continue
        pending: list[tuple[str, object]] = []
        if node.get("l"):
            pending.append(("node", node["l"]))
        key = b""
        for entry in node.get("e") or []:
            key = key[: entry.get("p", 0)] + entry.get("k", b"")
            record = block(entry.get("v"))
            if record is not None:
                pending.append(("record", (key.decode("utf-8", "replace"), record)))
            if entry.get("t"):
                pending.append(("node", entry["t"]))
        stack.extend(reversed(pending))


def without_links(text: str, facets: list) -> str:
    """``text`` with the byte ranges of its link facets removed."""
    ranges = sorted(
        (f["index"]["byteStart"], f["index"]["byteEnd"])
        for f in facets
        if isinstance(f, dict) and isinstance(f.get("index"), dict)
        and any(feature.get("$type") == LINK for feature in f.get("features") or [])
    )  # fmt: skip
    if not ranges:
        return text
    data, out, at = text.encode("utf-8"), [], 0
    for start, end in ranges:
        if start >= at:
            out.append(data[at:start])
            at = max(at, end)
    out.append(data[at:])
    return b" ".join(out).decode("utf-8", "replace")
