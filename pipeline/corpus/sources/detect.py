"""Which format a path holds, decided from its content (never from its name alone).

A folder or archive is an X archive (``tweets.js``/``tweet.js``) or a Mastodon archive
(``outbox.json``); any other folder is expanded into its files, grouped by format (a folder of
DiscordChatExporter channel files is one source). Plain text is recognised by ``.txt`` only:
anything else unrecognised is an error naming the formats read.
"""

from __future__ import annotations

import json
import tarfile
import zipfile
from pathlib import Path

from pipeline.corpus.sources.bundle import Bundle
from pipeline.corpus.sources.discord_export import CSV_HEADER
from pipeline.corpus.sources.formats import known_formats
from pipeline.corpus.sources.legacy_csv import CSV_NAME as LEGACY_CSV
from pipeline.corpus.sources.legacy_csv import DETAILS as LEGACY_DETAILS
from pipeline.corpus.sources.legacy_csv import REQUIRED as LEGACY_COLUMNS
from pipeline.corpus.sources.textfile import first_line
from pipeline.corpus.sources.x_archive import is_tweet_part
from pipeline.errors import UserError

_SNIFF = 1 << 16
_FILE_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson", ".csv", ".js", ".car", ".txt", ".db"})


def detect(path: Path) -> str:
    """The format name of one file or archive; :class:`UserError` when it is of none."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file or folder; check the --input path")
    if path.is_dir() or zipfile.is_zipfile(path) or _is_tar(path):
        return _detect_bundle(path)
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF)
    name = _detect_bytes(path, head)
    if name is None:
        raise UserError(f"{path}: not a format deepciso reads (it reads: {known_formats()})")
    return name


def expand(path: Path) -> list[tuple[str, list[Path]]]:
    """``[(format, files)]`` for one ``--input``: a folder of loose exports gives one group per
    format found; anything else is one group of itself."""
    path = Path(path)
    if not path.is_dir() or _bundle_format(path) is not None:
        return [(detect(path), [path])]
    groups: dict[str, list[Path]] = {}
    for file in export_files(path):
        try:
            groups.setdefault(detect(file), []).append(file)
        except UserError:
            continue
    if not groups:
        raise UserError(f"{path}: no file of a known format in this folder ({known_formats()})")
    return list(groups.items())


def export_files(folder: Path) -> list[Path]:
    """The files of a folder that may be exports, by suffix, in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and p.suffix.lower() in _FILE_SUFFIXES)  # fmt: skip


def _is_tar(path: Path) -> bool:
    try:
        return path.is_file() and tarfile.is_tarfile(path)
    except OSError:
        return False


def _bundle_format(path: Path) -> str | None:
    bundle = Bundle(path)
    try:
        if bundle.find("outbox.json"):
            return "mastodon"
        if any(is_tweet_part(name) for name in bundle.names):
            return "x-archive"
        if bundle.find(LEGACY_CSV) and bundle.find(LEGACY_DETAILS):
            return "twitter-csv"
        return None
    finally:
        bundle.close()


def _detect_bundle(path: Path) -> str:
    name = _bundle_format(path)
    if name is None:
        kind = "folder" if path.is_dir() else "archive"
        raise UserError(
            f"{path}: this {kind} is not an X archive (data/tweets.js), a Mastodon archive "
            f"(outbox.json) or a legacy Twitter archive (tweets.csv); pass the export files "
            f"themselves ({known_formats()})"
        )
    return name


def _detect_bytes(path: Path, head: bytes) -> str | None:
    if head.startswith(b"SQLite format 3\x00"):
        return "twint"
    if _looks_like_car(head):
        return "bluesky"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"window.YTD.") or text.startswith(b"window.__THAR"):
        return "x-archive"
    if text.startswith(b"{"):
        return _detect_json(path, text)
    line = first_line(path).strip()
    header = [c.strip().strip('"').lower() for c in line.split(",")]
    if tuple(header[:4]) == CSV_HEADER:
        return "discord-csv"
    if set(header) >= LEGACY_COLUMNS:
        return "twitter-csv"
    if "text" in header and path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() == ".txt" and _is_text(head):
        return "text"
    return None


def _detect_json(path: Path, text: bytes) -> str | None:
    """A whole-file JSON object (DCE, Mastodon) or JSON lines (twscrape, API v2, generic)."""
    start = text[:4096]
    if b'"guild"' in start and (b'"channel"' in start or b'"messages"' in start):
        return "discord-json"
    if b'"orderedItems"' in text or (b'"@context"' in start and b'"OrderedCollection"' in text):
        return "mastodon"
    try:
        first = json.loads(first_line(path))
    except json.JSONDecodeError:
        return None
    if not isinstance(first, dict):
        return None
    keys = set(first)
    if keys & {"rawContent", "renderedContent", "likeCount"} or str(
        first.get("_type", "")
    ).startswith("snscrape"):
        return "twscrape"
    if keys & {"public_metrics", "author_id"} or isinstance(first.get("data"), list | dict):
        return "twitter-api-v2"
    if "text" in {k.lower() for k in keys}:
        return "jsonl"
    return None


def _looks_like_car(head: bytes) -> bool:
    """CAR v1: a varint header length, then a DAG-CBOR map holding ``roots`` and ``version``."""
    if len(head) < 12 or head[0] >= 0x80 or head[1] & 0xF0 != 0xA0:
        return False
    return b"roots" in head[: head[0] + 1] and b"version" in head[: head[0] + 1]


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut by the sniff window
    return b"\x00" not in head
