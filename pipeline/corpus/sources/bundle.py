"""One view over the three ways an export arrives: a folder, a ``.zip`` or a ``.tar.gz``.

Readers ask for members by name (``data/tweets.js``, ``outbox.json``) whatever the container;
members are streamed, never extracted to disk.
"""

from __future__ import annotations

import contextlib
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pipeline.errors import UserError


class Bundle:
    """Named members of a folder, zip or tar archive, opened as binary streams."""

    def __init__(self, path: Path, *, recursive: bool = True) -> None:
        """``recursive=False`` lists only a folder's own files (the folder a lone file sits in)."""
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        try:
            if self.path.is_dir():
                found = self.path.rglob("*") if recursive else self.path.iterdir()
                names = [p.relative_to(self.path).as_posix() for p in found if p.is_file()]
            elif zipfile.is_zipfile(self.path):
                self._zip = zipfile.ZipFile(self.path)
                names = [n for n in self._zip.namelist() if not n.endswith("/")]
            else:
                self._tar = tarfile.open(self.path, "r:*")  # noqa: SIM115 (closed by close())
                names = [m.name for m in self._tar.getmembers() if m.isfile()]
        except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
            raise UserError(f"{self.path}: cannot read this archive ({exc})") from exc
        self.names: list[str] = sorted(names)

    def find(self, *suffixes: str) -> list[str]:
        """Members whose path is one of ``suffixes`` or ends in ``/`` + one of them."""
        return [n for n in self.names if any(n == s or n.endswith("/" + s) for s in suffixes)]

    @contextlib.contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        if self._zip is not None:
            with self._zip.open(name) as handle:
                yield handle
        elif self._tar is not None:
            handle = self._tar.extractfile(name)
            if handle is None:
                raise UserError(f"{self.path}: {name} is not a file in this archive")
            with handle:
                yield handle
        else:
            with open(self.path / name, "rb") as handle:
                yield handle

    def read(self, name: str) -> bytes:
        with self.open(name) as handle:
            return handle.read()

    def where(self, name: str) -> str:
        """How to name a member in an error message."""
        return f"{self.path}:{name}" if not self.path.is_dir() else str(self.path / name)

    def close(self) -> None:
        for archive in (self._zip, self._tar):
            if archive is not None:
                archive.close()
