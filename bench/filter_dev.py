"""Content filter on the adversarial development set: success per class, and speed.

Usage: python bench/filter_dev.py [--runs 5] [--misses]

Reads ``bench/data/filter_dev.tsv`` (format and classes documented at its top) and prints, for
each class, the share of texts handled as the class requires (see :func:`succeeded`), then
the median time per check over the whole set. ``--misses`` lists every failure. This is the
set the filter was tuned on: the honest figures come from a held-out set.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.filter_quality import median_seconds
from pipeline.contentfilter import ContentFilter, FilterSettings, Target
from pipeline.contentfilter.hygiene import strip_unsafe
from pipeline.contentfilter.pings import find_pings_and_links

DEV = Path(__file__).resolve().parent / "data" / "filter_dev.tsv"
PROFANITY_CLASSES = ("lookalike", "separator", "vocabulary", "markdown", "slur")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[tnr\\])")
_SIMPLE = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def unescape(text: str) -> str:
    """``\\u200b`` -> U+200B, ``\\t`` -> tab: the escapes of the dev set's texts."""
    return _ESCAPE.sub(
        lambda m: _SIMPLE.get(m.group(1)) or chr(int(m.group(1)[1:], 16)), text
    )


def load_dev(path: Path = DEV) -> dict[str, list[str]]:
    """``{class: [text, ...]}`` from the dev set, escapes decoded."""
    classes: dict[str, list[str]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, text = line.split("\t", 1)
            classes[name].append(unescape(text))
    return dict(classes)


def succeeded(content_filter: ContentFilter, name: str, text: str) -> bool:
    """Whether the filter handled ``text`` of class ``name`` as it must."""
    verdict = content_filter.check(text, Target.DISCORD)
    if name in PROFANITY_CLASSES:
        return bool(content_filter.profanity.reasons(text))
    if name in ("ping", "link"):  # refused, or passed with something cut out and none left
        removed = verdict.text != " ".join(text.split())
        return not verdict.passed or (removed and not find_pings_and_links(verdict.text).found)
    if name == "degenerate":
        return any(r.startswith("degenerate") for r in verdict.reasons)
    if name == "hygiene":
        return strip_unsafe(verdict.text) == verdict.text and "\r" not in verdict.text
    return verdict.passed  # clean


def dev_report(content_filter: ContentFilter, runs: int, misses: bool = False) -> None:
    """Print success per class on the dev set, and the median time per check over it."""
    classes = load_dev()
    print(f"dev set {DEV.name} ({sum(map(len, classes.values()))} texts, tuned on):")
    for name, texts in classes.items():
        failed = [t for t in texts if not succeeded(content_filter, name, t)]
        done = len(texts) - len(failed)
        if name == "clean":
            print(f"  {name:<11} false positives {len(failed) / len(texts):6.1%} "
                  f"({len(failed)}/{len(texts)})")
        else:
            print(f"  {name:<11} handled         {done / len(texts):6.1%} ({done}/{len(texts)})")
        for text in failed if misses else ():
            print(f"    missed: {text!r} -> {content_filter.check(text).reasons}")
    tweets = [t for group in classes.values() for t in group if len(t) <= 280]
    for target in (Target.DISCORD, Target.X):
        content_filter.check("warm up: é 🚀 x.com", target)  # X's parser imports lazily
        seconds = median_seconds(lambda t, g=target: content_filter.check(t, g), tweets, runs)
        print(f"time per check on the dev set ({target.value}): {seconds * 1e6:.0f} us (median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timing runs (median)")
    parser.add_argument("--misses", action="store_true", help="list every failure")
    args = parser.parse_args()
    dev_report(ContentFilter(FilterSettings()), args.runs, args.misses)


if __name__ == "__main__":
    main()
