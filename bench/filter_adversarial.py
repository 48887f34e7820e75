"""Content filter against the adversarial labelled set: blocked share per class, leaks, speed.

Usage: python bench/filter_adversarial.py [--runs 5] [--json PATH] [--set TSV] [--corpus TXT]

Reads ``bench/data/filter_adversarial.tsv`` (written before the filter hardening, never to be
tuned on), builds ``ContentFilter(corpus=bench/data/filter_adversarial_corpus.txt)`` and checks
every text for Discord and X. The judging is independent of the filter's internals:

- ``block``: the text must be rejected. For the ``ping`` and ``link`` classes a passed text also
  counts as blocked when the posted text (``Verdict.text``) has no ping and no link by this
  script's own strict detector, ``leaks()``.
- ``strip``: rejected, or passed with no control, ANSI, NUL, bidi or line-separator character
  left (``control_leaks()``).
- ``clean``: must pass; a rejection is a false positive.

Targets printed next to the figures: ``slur``, ``ping``, ``link`` 100% blocked; every
``profanity_*`` class >= 97%; clean false positives <= 3%; median ``check()`` time on
tweet-length texts (<= 280 characters) < 1 ms. Classes without a stated target show ``-``.
The TLD list comes from ``publicsuffixlist`` (its bundled copy of the Public Suffix List, ICANN
section, which tracks the IANA root zone); Unicode properties come from ``regex``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import ipaddress
import json
import statistics
import sys
import time
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import regex

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.atomic import atomic_write
from pipeline.contentfilter import ContentFilter, Target
from pipeline.errors import UserError

HERE = Path(__file__).resolve().parent
SET = HERE / "data" / "filter_adversarial.tsv"
CORPUS = HERE / "data" / "filter_adversarial_corpus.txt"
LABELS = ("block", "clean", "strip")
CLASS_MINIMUMS = {
    "slur": 45,
    "profanity_invisible": 20,
    "profanity_confusable": 25,
    "profanity_separator": 20,
    "profanity_vocabulary": 25,
    "profanity_markdown": 15,
    "ping": 30,
    "link": 35,
    "hygiene": 15,
    "degenerate": 10,
    "copy": 10,
    "clean": 110,
}
MIN_ROWS = 320
PING_LINK = ("ping", "link")
TWEET_CHARS = 280
TARGET_CHECK_MS = 1.0
TARGET_CLEAN_FP = 0.03


def target_share(klass: str) -> float | None:
    """The blocked share a class must reach (passed share for ``clean``), or None."""
    if klass in ("slur", *PING_LINK):
        return 1.0
    if klass.startswith("profanity_"):
        return 0.97
    if klass == "clean":
        return 1.0 - TARGET_CLEAN_FP
    return None


@dataclass(frozen=True)
class Row:
    """One labelled text of the set."""

    label: str
    klass: str
    text: str
    line: int


def decode_escapes(field: str) -> str:
    """Decode the Python backslash escapes of a TSV text field (``\\\\`` is one backslash).

    Characters outside Latin-1 may also be written as they are. An unknown escape such as
    ``\\*`` raises ``ValueError`` (write ``\\\\*``).
    """
    raw = field.encode("latin-1", "backslashreplace")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return raw.decode("unicode_escape")
        except (UnicodeDecodeError, DeprecationWarning) as exc:
            raise ValueError(f"bad backslash escape ({exc})") from exc


def load_set(path: Path) -> list[Row]:
    """The rows of the labelled TSV ``path``; a malformed line raises ``UserError``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the labelled set ({exc}); check --set") from exc
    rows = []
    for number, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        where = f"{path}:{number}"
        if len(fields) != 3:
            raise UserError(f"{where}: expected label<TAB>class<TAB>text; fix that line")
        label, klass, field = fields
        if label not in LABELS or klass not in CLASS_MINIMUMS:
            raise UserError(f"{where}: unknown label {label!r} or class {klass!r}; fix that line")
        try:
            text = decode_escapes(field)
        except ValueError as exc:
            raise UserError(f"{where}: {exc}; escape a literal backslash as \\\\") from exc
        rows.append(Row(label, klass, text, number))
    return rows


# --- the leak detector --------------------------------------------------------------------------

_INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cf}]")
_MARKDOWN = regex.compile(r"[|*_~`\\]")
_IDEOGRAPHIC_DOTS = regex.compile(r"[\u3002\uff61\ufe12]")
_SPACE_BEFORE_DOT = regex.compile(r"(?<=\w)\s+\.(?=\w)")
_DEFANGS = (
    (regex.compile(r"\s*[\[({<]\s*(?:\.|dot)\s*[\])}>]\s*", regex.I), "."),
    (regex.compile(r"\s+dot\s+", regex.I), "."),
    (regex.compile(r"\s*[\[({<]\s*at\s*[\])}>]\s*", regex.I), "@"),
    (regex.compile(r"\s+slash\s+", regex.I), "/"),
    (regex.compile(r"\bh(?:xx|\*\*)p", regex.I), "http"),
)
_PINGS = regex.compile(r"@(?:everyone|here)\b", regex.I)
_MENTIONS = regex.compile(r"<(?:@|#|id:)")
_HANDLE = regex.compile(r"@\w+")
_URL_MARKS = regex.compile(r"://|\bwww\.", regex.I)
_IPV4 = regex.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]*\w)")
_IPV6_CANDIDATE = regex.compile(r"(?<![\w:])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:]*")
_DOMAIN = regex.compile(r"(?<=[\w-])\.([^\W\d_][\w-]*)(?![\w-])")
_CONTROL = regex.compile(r"[\p{Cc}\p{Bidi_Control}\u2028\u2029]")


@functools.cache
def root_zone_tlds() -> frozenset[str]:
    """Every top-level domain in the ICANN section of the bundled Public Suffix List.

    Both the Unicode and the ``xn--`` form of internationalised TLDs are included.
    """
    from publicsuffixlist import PSLFILE

    tlds: set[str] = set()
    icann = False
    for line in Path(PSLFILE).read_text(encoding="utf-8").splitlines():
        if "===BEGIN ICANN DOMAINS===" in line:
            icann = True
        elif "===END ICANN DOMAINS===" in line:
            break
        elif icann and line and not line.startswith("//"):
            tld = line.strip().lstrip("!*.").rsplit(".", 1)[-1].casefold()
            tlds.add(tld)
            with contextlib.suppress(UnicodeError):
                tlds.add(tld.encode("idna").decode("ascii"))
    return frozenset(tlds)


def reader_form(text: str) -> str:
    """``text`` as a reader (or a linkifier) sees it: NFKC, no invisibles, no markdown, refanged."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _MARKDOWN.sub("", text)
    text = _IDEOGRAPHIC_DOTS.sub(".", text)
    for pattern, replacement in _DEFANGS:
        text = pattern.sub(replacement, text)
    return _SPACE_BEFORE_DOT.sub(".", text)


def _is_ip(candidate: str) -> bool:
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def leaks(text: str) -> list[str]:
    """Every ping, mention, handle, URL, IP address or domain a reader could still use."""
    seen = reader_form(text)
    found = [f"ping {m}" for m in _PINGS.findall(seen)]
    found += [f"mention {m}" for m in _MENTIONS.findall(seen)]
    found += [f"handle {m}" for m in _HANDLE.findall(seen) if not _PINGS.fullmatch(m)]
    found += [f"url {m}" for m in _URL_MARKS.findall(seen)]
    found += [f"ip {m}" for m in _IPV4.findall(seen) if _is_ip(m)]
    found += [
        f"ip {m.strip(':')}"
        for m in _IPV6_CANDIDATE.findall(seen)
        if _is_ip(m) or _is_ip(m.rstrip(":"))
    ]
    tlds = root_zone_tlds()
    found += [f"domain .{tld}" for tld in _DOMAIN.findall(seen) if tld.casefold() in tlds]
    return found


def control_leaks(text: str) -> list[str]:
    """Control (other than newline and tab), bidi-control and line-separator characters."""
    return [f"U+{ord(c):04X}" for c in _CONTROL.findall(text) if c not in "\n\t"]


# --- judging ------------------------------------------------------------------------------------


def judge(row: Row, passed: bool, posted: str) -> bool:
    """Whether the filter handled ``row`` correctly, given its verdict."""
    if row.label == "clean":
        return passed
    if not passed:
        return True
    if row.label == "strip":
        return not control_leaks(posted)
    return row.klass in PING_LINK and not leaks(posted)


def evaluate(content_filter: ContentFilter, rows: list[Row], target: Target) -> dict:
    """Per-class figures and failures for one target."""
    classes: dict[str, dict] = {}
    for row in rows:
        verdict = content_filter.check(row.text, target)
        entry = classes.setdefault(row.klass, {"n": 0, "ok": 0, "rejected": 0, "failures": []})
        entry["n"] += 1
        entry["rejected"] += not verdict.passed
        if judge(row, verdict.passed, verdict.text):
            entry["ok"] += 1
        else:
            entry["failures"].append(
                {
                    "line": row.line,
                    "text": row.text,
                    "posted": verdict.text,
                    "reasons": list(verdict.reasons),
                }
            )
    for klass, entry in classes.items():
        entry["share"] = entry["ok"] / entry["n"]
        entry["target"] = target_share(klass)
        entry["met"] = None if entry["target"] is None else entry["share"] >= entry["target"]
    return classes


def median_check_ms(content_filter: ContentFilter, texts: list[str], runs: int) -> float:
    """Median over ``runs`` of the mean milliseconds of one ``check()`` (both targets)."""
    means = []
    for _ in range(runs):
        started = time.perf_counter()
        for text in texts:
            content_filter.check(text, Target.DISCORD)
            content_filter.check(text, Target.X)
        means.append((time.perf_counter() - started) / (2 * len(texts)) * 1000)
    return statistics.median(means)


def print_report(results: dict) -> None:
    """The per-class table, the failures, the false-positive rate and the speed."""
    print(f"{'class':22} {'target':8} {'n':>4} {'ok':>4} {'share':>7} {'rej':>4} {'fail':>4}  goal")
    for klass in CLASS_MINIMUMS:
        for target, classes in results["targets"].items():
            e = classes.get(klass)
            if e is None:
                continue
            goal = (
                "-"
                if e["target"] is None
                else (f">= {e['target']:.0%} {'met' if e['met'] else 'MISSED'}")
            )
            print(
                f"{klass:22} {target:8} {e['n']:4d} {e['ok']:4d} {e['share']:7.1%} "
                f"{e['rejected']:4d} {len(e['failures']):4d}  {goal}"
            )
    print("\n(ok = blocked; for clean, passed; fail = leaks or false positives)")
    for klass in CLASS_MINIMUMS:
        for target, classes in results["targets"].items():
            failures = classes.get(klass, {}).get("failures", [])
            if failures:
                print(f"\n{klass} / {target}: {len(failures)} failure(s), first 10:")
                for f in failures[:10]:
                    print(
                        f"  line {f['line']}: {f['text']!r} -> posted {f['posted']!r}",
                        *f["reasons"],
                    )
    print()
    for target, rate in results["clean_false_positive_rate"].items():
        verdict = "met" if rate <= TARGET_CLEAN_FP else "MISSED"
        print(
            f"clean false-positive rate ({target}): {rate:.1%}  "
            f"(target <= {TARGET_CLEAN_FP:.0%}, {verdict})"
        )
    check_ms = results["check_median_ms"]
    verdict = "met" if check_ms < TARGET_CHECK_MS else "MISSED"
    print(
        f"check() median on {results['timed_texts']} tweet-length texts: {check_ms:.3f} ms "
        f"(target < {TARGET_CHECK_MS:g} ms, {verdict})"
    )


def run(set_path: Path, corpus: Path, runs: int) -> dict:
    """Check every row for both targets and time the tweet-length ones."""
    if runs < 1:
        raise UserError(f"--runs {runs}: give at least 1")
    rows = load_set(set_path)
    if not corpus.is_file():
        raise UserError(f"{corpus}: corpus file not found; check --corpus")
    content_filter = ContentFilter(corpus=corpus)
    targets = {"discord": Target.DISCORD, "x": Target.X}
    results: dict = {"set": str(set_path), "rows": len(rows), "targets": {}}
    for name, target in targets.items():
        results["targets"][name] = evaluate(content_filter, rows, target)
    results["clean_false_positive_rate"] = {
        name: 1.0 - classes["clean"]["share"] for name, classes in results["targets"].items()
    }
    timed = [row.text for row in rows if len(row.text) <= TWEET_CHARS]
    results["timed_texts"] = len(timed)
    results["check_median_ms"] = median_check_ms(content_filter, timed, runs)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timing runs (median of means)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--set", type=Path, default=SET, help="labelled TSV")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="novelty corpus lines")
    args = parser.parse_args()
    try:
        results = run(args.set, args.corpus, args.runs)
        print_report(results)
        if args.json:
            with atomic_write(args.json) as handle:
                json.dump(results, handle, ensure_ascii=False, indent=1)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_status)


if __name__ == "__main__":
    main()
