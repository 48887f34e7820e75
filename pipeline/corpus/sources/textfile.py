"""Open text exports (CSV, JSONL, plain text) as decoded lines, with one error line on bad bytes."""

from __future__ import annotations

import contextlib
import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pipeline.errors import UserError

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a post may be long; the default is 128 KiB


@contextlib.contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    """``path`` as UTF-8 text (a BOM is dropped), newlines kept inside quoted CSV fields."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield handle
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: is not UTF-8 text ({exc.reason}); save it as UTF-8") from exc


def csv_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows as dicts keyed by the lowercased, trimmed header; short (ragged) rows padded."""
    with open_text(path) as handle:
        yield from csv_stream_rows(handle, str(path))


def csv_stream_rows(handle: IO[str], where: str) -> Iterator[dict[str, str]]:
    """:func:`csv_rows` of an open text stream (a member of a zip, for instance)."""
    reader = csv.reader(handle)
    try:
        header = [name.strip().lower() for name in next(reader)]
        for row in reader:
            if row:
                yield dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))
    except StopIteration:
        return
    except csv.Error as exc:
        raise UserError(f"{where}: line {reader.line_num}: bad CSV ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise UserError(f"{where}: is not UTF-8 text ({exc.reason}); save it as UTF-8") from exc


def text_stream(binary: IO[bytes]) -> IO[str]:
    """A binary stream (an archive member) as UTF-8 text, BOM dropped, CSV newlines kept."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def first_line(path: Path, limit: int = 1 << 16) -> str:
    """The start of the file's first line, decoded leniently (for format detection)."""
    with open(path, "rb") as handle:
        data = handle.read(limit)
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="replace").readline()
