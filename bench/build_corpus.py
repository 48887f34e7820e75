"""Wall time and peak memory of the whole ``deepciso build`` command.

    python bench/build_corpus.py                      # synthetic 1,000,000-tweet Twint DB
    python bench/build_corpus.py --db ../shared/data/ccic-cashtag.twint.db

Each run is a fresh ``python -m pipeline build`` process (imports included); the figures are
medians over ``--runs`` runs, peak RSS from the kernel's accounting of that process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def synthetic_db(tweets: int) -> Path:
    """A newest-schema Twint DB with ``tweets`` rows, made once and cached in the temp folder."""
    from pipeline.corpus.sample_db import make_sample_db

    path = Path(tempfile.gettempdir()) / f"deepciso-bench-{tweets}.twint.db"
    if not path.exists():
        print(f"making {path} ({tweets:,} tweets)...", flush=True)
        make_sample_db(path, tweets=tweets, authors=max(300, tweets // 50))
    return path


def run_once(db: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one ``deepciso build`` process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", "--db", str(db), "--out", str(out), "--quiet"],
        cwd=ROOT,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"deepciso build failed with status {status}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a Twint DB (default: synthetic)")
    parser.add_argument("--tweets", type=int, default=1_000_000, help="synthetic DB size")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = args.db or synthetic_db(args.tweets)
    with tempfile.TemporaryDirectory() as tmp:
        results = [run_once(db, Path(tmp) / "model.txt") for _ in range(args.runs)]
    walls, rss = zip(*results, strict=True)
    print(f"database: {db} ({db.stat().st_size / 2**20:.0f} MB)")
    print(f"runs: {args.runs}; wall s: {', '.join(f'{w:.2f}' for w in walls)}")
    print(f"median wall: {statistics.median(walls):.2f} s; median peak RSS: "
          f"{statistics.median(rss):.0f} MB (max {max(rss):.0f} MB)")  # fmt: skip


if __name__ == "__main__":
    main()
