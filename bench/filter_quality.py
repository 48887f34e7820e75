"""Content filter quality and speed: recall on profane texts, false positives on clean ones.

Usage: python bench/filter_quality.py [--runs 5] [--db PATH]

Reads three labelled sets of texts written for this project: ``bench/data/filter_labelled.tsv``
(written while building the filter), ``filter_holdout.tsv`` (written after; its misses then
led to changes) and ``filter_fresh.tsv`` (written last, never tuned on: the honest figure), and
prints recall on ``profane`` (target >= 0.95), the false-positive rate on ``clean``
(target <= 5%), the rate on ``mild`` (borderline, no target), a threshold sweep, the
median time per check, and the adversarial dev set's figures per class and time per check
(``bench/filter_dev.py``). With the real Twint database (``../shared/data``) it also times the
novelty index on the 46k-tweet corpus and counts how many real tweets the profanity rule
rejects.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.contentfilter import ContentFilter, FilterSettings, Target
from pipeline.contentfilter.novelty import CorpusIndex
from pipeline.contentfilter.pings import find_pings_and_links

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "data" / "filter_labelled.tsv"
HOLDOUT = HERE / "data" / "filter_holdout.tsv"
FRESH = HERE / "data" / "filter_fresh.tsv"
FRESH2 = HERE / "data" / "filter_fresh2.tsv"
DEFAULT_DB = HERE.parents[1] / "shared" / "data" / "ccic-cashtag.twint.db"


def load_labelled(path: Path) -> dict[str, list[str]]:
    """``{"clean": [...], "profane": [...], "mild": [...]}`` from the TSV file."""
    sets: dict[str, list[str]] = {"clean": [], "profane": [], "mild": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            label, text = line.split("\t", 1)
            sets[label].append(text)
    return sets


def profanity_rate(content_filter: ContentFilter, texts: list[str]) -> tuple[float, list[str]]:
    """Share of ``texts`` the profanity rule rejects, and those it rejects."""
    hits = [t for t in texts if content_filter.profanity.reasons(t)]
    return len(hits) / len(texts), hits


def median_seconds(func, items, runs: int) -> float:
    """Median over ``runs`` of the mean time of ``func(item)``."""
    means = []
    for _ in range(runs):
        started = time.perf_counter()
        for item in items:
            func(item)
        means.append((time.perf_counter() - started) / len(items))
    return statistics.median(means)


def report(content_filter: ContentFilter, name: str, sets: dict[str, list[str]]) -> None:
    """Recall, false positives and misses of ``content_filter`` on one labelled set."""
    counts = ", ".join(f"{len(v)} {k}" for k, v in sets.items() if v)
    print(f"{name} ({counts}):")
    recall, caught = profanity_rate(content_filter, sets["profane"])
    by_list = sum("blocked word" in content_filter.profanity.reasons(t)[0] for t in caught)
    rejected_clean = [t for t in sets["clean"] if not content_filter.check(t).passed]
    print(
        f"  recall on profane:        {recall:.3f} (target >= 0.95; word lists caught {by_list},"
        f" the classifier {len(caught) - by_list})"
    )
    print(
        f"  false positives on clean: {len(rejected_clean) / len(sets['clean']):.1%} "
        f"({len(rejected_clean)}/{len(sets['clean'])}, any rule; target <= 5%)"
    )
    if sets["mild"]:
        print(f"  mild texts rejected:      {profanity_rate(content_filter, sets['mild'])[0]:.1%}")
    for text in sets["profane"]:
        if text not in caught:
            print(f"  missed profane: {text}")
    for text in rejected_clean:
        print(f"  rejected clean: {text} -> {content_filter.check(text).reasons}")


def quality(runs: int) -> None:
    sets = (LABELLED, HOLDOUT, FRESH, FRESH2)
    tuned, holdout, fresh, fresh2 = (load_labelled(p) for p in sets)
    started = time.perf_counter()
    content_filter = ContentFilter(FilterSettings())
    print(f"filter built in {time.perf_counter() - started:.2f} s (classifier + word lists)")
    report(content_filter, "tuning set filter_labelled.tsv", tuned)
    report(content_filter, "first held-out set filter_holdout.tsv (then tuned on)", holdout)
    report(content_filter, "fresh held-out set filter_fresh.tsv (then tuned on)", fresh)
    report(content_filter, "second fresh set filter_fresh2.tsv (never tuned on)", fresh2)
    print("threshold sweep on all sets (recall / clean false positives / mild rejected):")
    both = {k: tuned[k] + holdout[k] + fresh[k] + fresh2[k] for k in tuned}
    for threshold in (0.5, 0.7, 0.8, 0.9, 0.95, 0.99):
        swept = ContentFilter(FilterSettings(profanity_threshold=threshold))
        rates = [profanity_rate(swept, both[k])[0] for k in ("profane", "clean", "mild")]
        print(f"  {threshold:.2f}: {rates[0]:.3f} / {rates[1]:.1%} / {rates[2]:.1%}")
    texts = both["clean"] + both["profane"]
    for target in (Target.DISCORD, Target.X):
        content_filter.check(texts[0] + ".é", target)  # warm up (X's parser imports lazily)
        seconds = median_seconds(lambda t, g=target: content_filter.check(t, g), texts, runs)
        print(f"time per check ({target.value}, no corpus): {seconds * 1e6:.0f} us (median)")
    from bench.filter_dev import dev_report  # imports this module's median_seconds

    dev_report(content_filter, runs)


def real_corpus(db: Path, runs: int) -> None:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        tweets = [row[0] for row in connection.execute("SELECT tweet FROM tweets")]
    lines = [re.sub(r"\s+", " ", t).strip().lower() for t in tweets if t and t.strip()]
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "model.txt"
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        builds = []
        for _ in range(max(1, runs // 2)):
            started = time.perf_counter()
            index = CorpusIndex(corpus.read_text(encoding="utf-8").splitlines())
            builds.append(time.perf_counter() - started)
        print(
            f"novelty index on {index.lines} real tweets: built in "
            f"{statistics.median(builds):.1f} s (median), {index.nbytes / 1e6:.1f} MB"
        )
        # As ContentFilter.check does: pings and links are removed before the novelty check.
        copies = [find_pings_and_links(t).remainder for t in lines[::200]]
        fresh = [" ".join(reversed(t.split())) for t in copies]
        print(
            f"novelty check: {median_seconds(index.copies, copies, runs) * 1e6:.0f} us on copied "
            f"lines, {median_seconds(index.copies, fresh, runs) * 1e6:.0f} us on new text "
            f"(median); caught {sum(index.copies(t) is not None for t in copies)}/{len(copies)}"
            f" copies, {sum(index.copies(t) is not None for t in fresh)}/{len(fresh)} false"
        )
        content_filter = ContentFilter(FilterSettings(), corpus=corpus)
        sample = lines[::10]
        seconds = median_seconds(lambda t: content_filter.check(t, Target.X), sample, runs)
        print(f"time per full check (x, with the 46k-line corpus): {seconds * 1e6:.0f} us (median)")
    rate, hits = profanity_rate(content_filter, sample)
    print(f"real tweets rejected for profanity: {rate:.2%} of {len(sample)} (every 10th tweet)")
    for text in hits[:8]:
        print(f"  e.g. {text[:100]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timing runs (median)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="Twint database")
    args = parser.parse_args()
    quality(args.runs)
    if args.db.exists():
        real_corpus(args.db, args.runs)
    else:
        print(f"{args.db} not found: real-corpus figures skipped")


if __name__ == "__main__":
    main()
