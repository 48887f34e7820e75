"""How long ``deepciso tokenizer`` takes on the real tweets, and how much of the vocabulary fills.

    flock /tmp/deepciso-bench.lock python bench/tokenizer_speed.py [--runs 5]

Uses the shared cashtag DB's English tweets (lowercased, links and @mentions removed, the
same selection as bench/train_throughput.py) or ``--corpus model.txt``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_throughput import SHARED_DB, corpus_from_db

from pipeline.paths import validation_path
from pipeline.train.data import pack, utf8_bytes
from pipeline.train.tokenizer import DEFAULT_VOCAB_SIZE, read_lines, train_tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=SHARED_DB)
    parser.add_argument("--corpus", type=Path, help="a model.txt (and its model.valid.txt)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, DEFAULT_VOCAB_SIZE, 16000,
                                                                   50000])  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or corpus_from_db(args.db, Path(tmp))
        lines, valid = read_lines(corpus), read_lines(validation_path(corpus))
    print(f"{len(lines)} tweets, {utf8_bytes(lines) / 1e6:.2f} MB")
    for size in args.sizes:
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            tokenizer = train_tokenizer(lines, size)
            times.append(time.perf_counter() - started)
        ids = [item.ids for item in tokenizer.encode_batch(valid)]
        per_token = utf8_bytes(valid) / (len(pack(ids, 0)) - 1)
        print(f"vocab {size:6d}: {tokenizer.get_vocab_size():6d} filled, "
              f"{per_token:.2f} validation bytes/token, median {statistics.median(times):.1f}s "
              f"of {args.runs} runs")  # fmt: skip


if __name__ == "__main__":
    main()
