"""Wall time and peak memory of the whole ``deepciso build`` command.

    python bench/build_corpus.py                      # synthetic 1,000,000-tweet Twint DB
    python bench/build_corpus.py --db ../shared/data/ccic-cashtag.twint.db
    python bench/build_corpus.py --synthetic x-archive    # 1,000,000-tweet X archive tweets.js
    python bench/build_corpus.py --synthetic discord      # 1,000,000-message DCE JSON export
    python bench/build_corpus.py --input PATH             # any export deepciso build reads

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


def synthetic_input(kind: str, posts: int) -> Path:
    """The synthetic export of ``kind`` (made once, cached in the temp folder)."""
    from bench.synthetic_exports import cached, write_discord_json, write_x_tweets_js

    if kind == "twint":
        return synthetic_db(posts)
    if kind == "x-archive":
        return cached("x-archive", posts, write_x_tweets_js) / "data" / "tweets.js"
    return cached("discord.json", posts, write_discord_json)


def run_once(db: Path, out: Path, flag: str = "--db") -> tuple[float, float, float]:
    """(wall seconds, peak RSS MB, CPU seconds) of one ``deepciso build`` process.

    CPU seconds (user + system) tell a slow run on a busy shared machine from a slow program.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", flag, str(db), "--out", str(out), "--quiet"],
        cwd=ROOT,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"deepciso build failed with status {status}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a Twint DB (default: synthetic)")
    parser.add_argument("--input", type=Path, help="any export, read with --input")
    parser.add_argument(
        "--synthetic", choices=("twint", "x-archive", "discord"), default="twint",
        help="the synthetic input when neither --db nor --input is given (default twint)",
    )  # fmt: skip
    parser.add_argument("--tweets", type=int, default=1_000_000, help="synthetic input size")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = args.db or args.input or synthetic_input(args.synthetic, args.tweets)
    flag = "--db" if args.db or (not args.input and args.synthetic == "twint") else "--input"
    with tempfile.TemporaryDirectory() as tmp:
        results = [run_once(db, Path(tmp) / "model.txt", flag) for _ in range(args.runs)]
    walls, rss, cpu = zip(*results, strict=True)
    print(f"input: {db} ({db.stat().st_size / 2**20:.0f} MB)")
    print(f"runs: {args.runs}; wall s: {', '.join(f'{w:.2f}' for w in walls)}")
    print(f"median wall: {statistics.median(walls):.2f} s; median peak RSS: "
          f"{statistics.median(rss):.0f} MB (max {max(rss):.0f} MB); "
          f"median CPU: {statistics.median(cpu):.2f} s; load average at the end: "
          f"{os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
