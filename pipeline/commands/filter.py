"""Check texts against the content filter, one per line, before going live.

Reads FILE (or standard input) and prints, for each non-empty line, PASS with the text as it
would be posted, or FAIL with the reasons. Input is UTF-8: a line that is not valid UTF-8 is
not checked but printed as SKIP and counted in the summary (the other lines go on). Settings
come from .env / the environment (DEEPCISO_FILTER_* keys, see .env.example); the options below
override them.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from pipeline.commands.argtypes import fraction, is_utf8
from pipeline.errors import UserError

NAME = "filter"
HELP = "check texts (one per line) against the content filter"
NOT_UTF8 = "not valid UTF-8 text; convert the input to UTF-8"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", type=Path, help="texts, one per line (default: stdin)")
    parser.add_argument(
        "--target", choices=("discord", "x", "console"), default="discord",
        help="where the texts would go: length limits differ (default: discord)",
    )  # fmt: skip
    parser.add_argument(
        "--corpus", type=Path, help="model.txt: also reject texts that copy a training tweet"
    )
    parser.add_argument("--jsonl", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--threshold", type=fraction(low_open=True), help="profanity classifier threshold (0-1]"
    )
    parser.add_argument("--blocked-words", type=Path, help="file of extra blocked words")
    parser.add_argument("--allowed-words", type=Path, help="file of allowed words")
    parser.add_argument("--links", choices=("remove", "reject"), help="pings and links policy")


def read_lines(path: Path | None) -> Iterator[tuple[int, str]]:
    """(line number, text) for every non-empty line of ``path`` or standard input, read as
    UTF-8; bytes that are not UTF-8 stay in the text as lone surrogates (see ``is_utf8``)."""
    if path is None or str(path) == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:  # a text stream without bytes underneath (tests)
            yield from _numbered(sys.stdin)
            return
        stdin = io.TextIOWrapper(buffer, encoding="utf-8", errors="surrogateescape")
        try:
            yield from _numbered(stdin)
        finally:
            stdin.detach()  # sys.stdin keeps its buffer open
        return
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            yield from _numbered(handle)
    except OSError as exc:
        raise UserError(f"cannot read {path} ({exc.strerror}); give a readable text file") from None


def _numbered(handle: TextIO) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(handle, start=1):
        if line.strip():
            yield number, line.rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from pipeline.contentfilter import ContentFilter, FilterSettings, Target
    from pipeline.contentfilter.hygiene import strip_unsafe
    from pipeline.env import read_env

    if args.file is not None and str(args.file) != "-" and not args.file.is_file():
        what = "is a folder" if args.file.is_dir() else "does not exist"
        raise UserError(f"{args.file} {what}; give a text file with one text per line")
    settings = FilterSettings.from_env(read_env())
    overrides = {
        "profanity_threshold": args.threshold,
        "blocked_words": args.blocked_words,
        "allowed_words": args.allowed_words,
        "links": args.links,
    }
    given = {key: value for key, value in overrides.items() if value is not None}
    settings = dataclasses.replace(settings, **given)
    content_filter = ContentFilter(settings, corpus=args.corpus)
    target = Target(args.target)
    passed = skipped = 0
    lines = tqdm(
        read_lines(args.file), desc="checking", unit=" lines", file=sys.stderr, disable=None
    )
    for number, text in lines:
        if not is_utf8(text):
            skipped += 1
            skip = {"line": number, "passed": False, "skipped": NOT_UTF8}
            print(json.dumps(skip) if args.jsonl else f"SKIP {number}: {NOT_UTF8}")
            continue
        verdict = content_filter.check(text, target)
        text = strip_unsafe(text)  # echoed: no control, ANSI or bidi character
        passed += verdict.passed
        if args.jsonl:
            record = {"line": number, "text": text, "passed": verdict.passed}
            record |= {"cleaned": verdict.text, "reasons": list(verdict.reasons)}
            print(json.dumps(record, ensure_ascii=False))
        elif verdict.passed:
            print(f"PASS {number}: {verdict.text}")
        else:
            print(f"FAIL {number}: {text}\n     " + "\n     ".join(verdict.reasons))
    checked = content_filter.checked
    counts = Counter(content_filter.rejections)
    why = ", ".join(f"{code} {n}" for code, n in counts.most_common())
    print(
        f"{checked} checked, {passed} passed, {checked - passed} rejected"
        + (f" ({why})" if why else "")
        + (f", {skipped} skipped ({NOT_UTF8})" if skipped else ""),
        file=sys.stderr,
    )
    return 0
