"""Build the training corpus (model.txt) from a Twint SQLite database or from exports.

Inputs (``--input``, repeatable, merged into one corpus; format detected from the content or
forced with ``--format``): Twint SQLite, the X account archive, the legacy tweets.csv, twscrape /
snscrape and API v2 JSONL, DiscordChatExporter JSON/CSV, Mastodon and Bluesky exports, generic
CSV/JSONL and plain text (see docs/sources.md).

For each author, every tweet is scored as retweet-weight x retweets + likes and the tweets at or
above that author's percentile are kept, cleaned (leading @mentions, links, HTML entities,
e-mail addresses and phone numbers, whitespace), lowercased, and written one per line; a
validation file and a JSON report are written beside it.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from pipeline.commands.argtypes import fraction, non_negative_float, positive_int

NAME = "build"
HELP = "build model.txt from a Twint database or social-media exports"


def _csv_set(value: str) -> frozenset[str]:
    return frozenset(part.strip().lstrip("@").lower() for part in value.split(",") if part.strip())


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2019-12-31") from None


def _handles_file(value: str) -> frozenset[str]:
    """One handle a line (``@`` optional); blank lines and ``#`` comments ignored."""
    try:
        lines = Path(value).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise argparse.ArgumentTypeError(f"{value}: cannot read this file ({exc})") from None
    return _csv_set(",".join(line for line in lines if not line.lstrip().startswith("#")))


def configure(parser: argparse.ArgumentParser) -> None:
    from pipeline.corpus.build import BuildOptions
    from pipeline.corpus.sources.formats import FORMATS

    d = BuildOptions(db=Path())
    parser.add_argument("--db", type=Path, help="Twint SQLite database (same as --input)")
    parser.add_argument(
        "--input", type=Path, action="append", default=[], dest="inputs", metavar="PATH",
        help="an export file, archive or folder; repeat to merge several (see docs/sources.md)",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=list(FORMATS), metavar="NAME",
        help=f"read every --input as this format instead of detecting it: {', '.join(FORMATS)}",
    )  # fmt: skip
    parser.add_argument(
        "--include-private", action="store_true",
        help="keep Discord direct and group messages (left out by default)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=d.out, help="corpus file (default %(default)s)")
    parser.add_argument(
        "--percentile", type=fraction(0, 100), default=d.percentile,
        help="keep each author's tweets scoring at or above this percentile (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--retweet-weight", type=non_negative_float, default=d.retweet_weight,
        help="score = weight x retweets + likes (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--min-words", type=positive_int, default=d.min_words,
        help="drop cleaned tweets with fewer words (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--keep-case", action="store_false", dest="lowercase", help="do not lowercase"
    )
    parser.add_argument(
        "--language", type=_csv_set, default=d.languages, dest="languages",
        help="keep only these language codes, e.g. en,es (needs a language column)",
    )  # fmt: skip
    parser.add_argument("--since", type=_day, help="first day to keep (UTC, YYYY-MM-DD)")
    parser.add_argument("--until", type=_day, help="last day to keep (UTC, YYYY-MM-DD)")
    parser.add_argument(
        "--authors", type=_csv_set, default=d.authors, help="keep only these authors (a,b,c)"
    )
    parser.add_argument(
        "--exclude-authors", type=_csv_set, default=d.exclude_authors, help="drop these authors"
    )
    parser.add_argument(
        "--authors-file", type=_handles_file, help="keep only the authors in this file (one a line)"
    )
    parser.add_argument(
        "--exclude-authors-file", type=_handles_file, help="drop the authors in this file"
    )
    parser.add_argument(
        "--keep-retweets", action="store_false", dest="drop_retweets",
        help="keep 'RT @...' retweets (dropped by default)",
    )  # fmt: skip
    parser.add_argument(
        "--keep-duplicates", action="store_false", dest="drop_duplicates",
        help="keep tweets that are identical after cleaning (dropped by default)",
    )  # fmt: skip
    parser.add_argument(
        "--validation", type=fraction(high_open=True), default=d.validation_fraction,
        dest="validation_fraction",
        help="share of tweets held out for validation, by tweet id hash (default %(default)s)",
    )  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def run(args: argparse.Namespace) -> int:
    from pipeline.corpus.build import BuildOptions, build_corpus
    from pipeline.errors import UserError

    inputs = ([args.db] if args.db else []) + list(args.inputs)
    if not inputs:
        raise UserError("nothing to read: pass --input PATH (or --db for a Twint database)")
    check_paths(inputs, args.db, args.out)
    fields = set(BuildOptions.__dataclass_fields__)
    values = {k: v for k, v in vars(args).items() if k in fields}
    values["authors"] = args.authors | (args.authors_file or frozenset())
    values["exclude_authors"] = args.exclude_authors | (args.exclude_authors_file or frozenset())
    options = BuildOptions(**{**values, "db": inputs[0]})
    lone_twint = len(inputs) == 1 and (args.db is not None or _is_sqlite(inputs[0]))
    if lone_twint and args.format in (None, "twint"):
        report = build_corpus(options, progress=not args.quiet)
    else:
        from pipeline.corpus.sources.merge import build_from_inputs

        forced = args.format
        specs = [(path, "twint" if path == args.db else forced) for path in inputs]
        report = build_from_inputs(
            specs, options, include_private=args.include_private, progress=not args.quiet
        )
    if not args.quiet:
        print(report.summary())
    return 0


def check_paths(inputs: list[Path], db: Path | None, out: Path) -> None:
    """Before any work: the corpus, its validation file and report never replace an input,
    and ``--out`` names a file, not a folder."""
    from pipeline import paths
    from pipeline.errors import UserError

    outputs = {
        "--out": out,
        "the validation file of --out": paths.validation_path(out),
        "the report of --out": paths.report_path(out),
    }
    for label, path in outputs.items():
        if path.is_dir():
            raise UserError(
                f"{label} {path} is a folder; pass --out with a file name such as "
                f"{paths.DEFAULT_CORPUS}"
            )
    for path in inputs:
        paths.refuse_overwrite({"--db" if path == db else "--input": path}, outputs)

def _is_sqlite(path: Path) -> bool:
    """A lone Twint database takes the SQL path (pipeline.corpus), the fastest."""
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False
