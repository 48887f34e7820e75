"""Stream JSON arrays of any size with ijson (its C backend), one item in memory at a time.

X archive files are JavaScript (``window.YTD.tweets.part0 = [ ... ]``): the prefix up to the
first ``[`` is skipped and the rest streamed as plain JSON. Malformed or truncated JSON becomes
one :class:`~pipeline.errors.UserError` line naming the file.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import IO

import ijson

from pipeline.errors import UserError

_CHUNK = 1 << 16


class _Prepended:
    """A read-only binary stream: ``head`` bytes first, then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head, self._stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson probes read(0) to tell bytes from text
            return b""
        if self._head:
            data, self._head = self._head, b""
            return data
        return self._stream.read(size)


def skip_to(stream: IO[bytes], marker: bytes, where: str) -> _Prepended:
    """Drop everything before the first ``marker`` byte (``[`` or ``{``); keep the marker."""
    while chunk := stream.read(_CHUNK):
        at = chunk.find(marker)
        if at >= 0:
            return _Prepended(chunk[at:], stream)
    raise UserError(f"{where}: no JSON {marker.decode()} found; is this file truncated?")


@contextlib.contextmanager
def json_errors(where: str) -> Iterator[None]:
    """Turn a parser's error on bad or truncated JSON into one line for the operator."""
    try:
        yield
    except (ijson.JSONError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        detail = str(exc).strip().splitlines()[0][:80] if str(exc).strip() else type(exc).__name__
        raise UserError(
            f"{where}: the JSON is malformed or cut short ({detail}); export it again"
        ) from exc


def items(stream: IO[bytes], prefix: str, where: str) -> Iterator[dict]:
    """The objects under ``prefix`` (``item`` for a top-level array), streamed."""
    with json_errors(where):
        yield from ijson.items(stream, prefix, use_float=True)


def js_array(stream: IO[bytes], where: str) -> Iterator[dict]:
    """The items of a ``window.YTD.x.partN = [ ... ]`` file (or of a bare JSON array)."""
    return items(skip_to(stream, b"[", where), "item", where)


def js_object(data: bytes, where: str) -> dict:
    """A small ``window.__THAR_CONFIG = { ... }`` file (the archive's manifest) as a dict."""
    at = data.find(b"{")
    with json_errors(where):
        if at < 0:
            raise json.JSONDecodeError("no object", data.decode("utf-8", "replace"), 0)
        return json.loads(data[at:].rstrip().rstrip(b";"))
