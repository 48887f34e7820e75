"""How long the post ledger's synced SQLite commits hold the event loop.

The scheduler writes the ledger from the loop (a few commits per slot, each fsynced). This
prints the median and worst time of one commit and of a whole two-target slot's writes, over
several runs on a ledger file in the current folder (the disk the bot would use).

    flock /tmp/deepciso-bench.lock python bench/ledger_writes.py [--slots 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.posting.ledger import Ledger, utcnow  # noqa: E402


def one_run(folder: Path, slots: int) -> tuple[list[float], list[float]]:
    book = Ledger(folder / "bench-ledger.db")
    commits, per_slot = [], []
    try:
        for number in range(slots):
            slot_start = time.perf_counter()

            def timed(fn, *args, **kwargs):
                start = time.perf_counter()
                result = fn(*args, **kwargs)
                commits.append(time.perf_counter() - start)
                return result

            slot_id = timed(book.open_slot, utcnow(), "scheduled", ["discord:1", "x"])
            timed(book.set_slot_text, slot_id, f"meme {number} goes up only", 2)
            for delivery in book.deliveries(slot_id):
                attempt = timed(book.begin_attempt, delivery.id, "meme")
                timed(book.finish_attempt, attempt, outcome="posted", status="posted")
            timed(book.finish_slot, slot_id)
            per_slot.append(time.perf_counter() - slot_start)
    finally:
        book.close()
    return commits, per_slot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    commit_medians, commit_worst, slot_medians = [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(dir=".", prefix=".bench-ledger-") as folder:
            commits, per_slot = one_run(Path(folder), args.slots)
        commit_medians.append(statistics.median(commits))
        commit_worst.append(max(commits))
        slot_medians.append(statistics.median(per_slot))
    print(f"ledger commits ({args.runs} runs x {args.slots} two-target slots, synced WAL):")
    print(f"  one commit: median {statistics.median(commit_medians) * 1000:.2f} ms")
    print(f"  one commit: worst, median over runs {statistics.median(commit_worst) * 1000:.1f} ms")
    print(f"  one slot's ledger writes: median {statistics.median(slot_medians) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
