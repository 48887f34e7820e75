"""Novelty: refuse a text that reproduces a training tweet or a recent post.

A text copies a line when, after normalisation (folded words, punctuation, pings and links
dropped), it is the same word sequence, or when it shares a run of ``run_words`` consecutive
words with one line. :class:`CorpusIndex` keeps a sorted array of 64-bit hashes of every line
and every run (about 8 bytes a run), built once; a check hashes the text's few runs and
looks them up with one binary search: microseconds.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.contentfilter.normalize import words
from pipeline.contentfilter.pings import find_pings_and_links
from pipeline.errors import UserError

log = logging.getLogger(__name__)


def fingerprints(text: str, run_words: int) -> tuple[int, list[int]]:
    """Hash of the whole normalised word sequence, and hashes of its ``run_words``-word runs.

    ``text`` is taken as checked (pings and links already removed)."""
    sequence = words(text)
    runs = []
    if run_words > 0:
        runs = [
            hash(" ".join(sequence[i : i + run_words]))
            for i in range(len(sequence) - run_words + 1)
        ]
    return hash(" ".join(sequence)), runs


class CorpusIndex:
    """Hashes of a corpus's lines and word runs, for :meth:`copies`."""

    def __init__(self, lines: Iterable[str], run_words: int = 8) -> None:
        self.run_words = run_words
        whole, runs = [], []
        for line in lines:
            if line.strip():
                line_hash, line_runs = fingerprints(find_pings_and_links(line).remainder, run_words)
                whole.append(line_hash)
                runs.extend(line_runs)
        self.lines = len(whole)
        self._whole = np.unique(np.array(whole, dtype=np.int64))
        self._runs = np.unique(np.array(runs, dtype=np.int64))

    @classmethod
    def from_file(cls, path: Path, run_words: int = 8) -> CorpusIndex:
        """Index a ``model.txt`` (one tweet a line); cached per file content and run length."""
        path = Path(path)
        try:
            stat = path.stat()
        except OSError:
            raise UserError(
                f"corpus {path} does not exist; pass the model.txt the model was trained on"
            ) from None
        return _cached_index(path.resolve(), stat.st_mtime_ns, stat.st_size, run_words)

    @property
    def nbytes(self) -> int:
        return int(self._whole.nbytes + self._runs.nbytes)

    def copies(self, text: str) -> str | None:
        """Why ``text`` reproduces a corpus line, or ``None`` when it does not."""
        line_hash, runs = fingerprints(text, self.run_words)
        if _contains(self._whole, [line_hash]):
            return "same words as a line of the corpus"
        if runs and _contains(self._runs, runs):
            return f"shares a run of {self.run_words} words with a line of the corpus"
        return None


def _contains(sorted_hashes: np.ndarray, queries: list[int]) -> bool:
    if not len(sorted_hashes):
        return False
    query = np.array(queries, dtype=np.int64)
    at = np.searchsorted(sorted_hashes, query)
    at[at == len(sorted_hashes)] = 0
    return bool(np.any(sorted_hashes[at] == query))


@lru_cache(maxsize=2)
def _cached_index(path: Path, mtime_ns: int, size: int, run_words: int) -> CorpusIndex:
    started = time.perf_counter()
    try:
        with open(path, encoding="utf-8") as handle:
            index = CorpusIndex(handle, run_words)
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read corpus {path} ({exc}); expected UTF-8 text") from None
    log.info(
        "novelty index: %d lines, %.1f MB, built in %.1f s",
        index.lines,
        index.nbytes / 1e6,
        time.perf_counter() - started,
    )
    return index


class RecentPosts:
    """The last ``size`` posted texts, for refusing a repeat (same words or a shared run)."""

    def __init__(self, size: int = 200, run_words: int = 8) -> None:
        self.run_words = run_words
        self._posts: deque[tuple[int, list[int]]] = deque()
        self._size = size
        self._counts: Counter[int] = Counter()

    def add(self, text: str) -> None:
        if self._size <= 0:
            return
        entry = fingerprints(text, self.run_words)
        self._posts.append(entry)
        self._counts.update([entry[0], *entry[1]])
        if len(self._posts) > self._size:
            old_hash, old_runs = self._posts.popleft()
            self._counts.subtract([old_hash, *old_runs])
            self._counts += Counter()  # drop zero counts

    def repeats(self, text: str) -> str | None:
        """Why ``text`` repeats a recent post, or ``None``."""
        line_hash, runs = fingerprints(text, self.run_words)
        if self._counts[line_hash] > 0:
            return "same words as a recent post"
        if any(self._counts[run] > 0 for run in runs):
            return f"shares a run of {self.run_words} words with a recent post"
        return None

    def __len__(self) -> int:
        return len(self._posts)
