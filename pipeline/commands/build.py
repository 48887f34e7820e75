"""Build the training corpus (model.txt) from a Twint SQLite database.

For each author, every tweet is scored as retweet-weight x retweets + likes and the tweets at or
above that author's percentile are kept, cleaned (leading @mentions, links, HTML entities,
whitespace), lowercased, and written one per line; a validation file and a JSON report are
written beside it.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from pipeline.commands.argtypes import fraction, non_negative_float, positive_int

NAME = "build"
HELP = "build model.txt from a Twint SQLite database"


def _csv_set(value: str) -> frozenset[str]:
    return frozenset(part.strip().lstrip("@").lower() for part in value.split(",") if part.strip())


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2019-12-31") from None


def configure(parser: argparse.ArgumentParser) -> None:
    from pipeline.corpus.build import BuildOptions

    d = BuildOptions(db=Path())
    parser.add_argument("--db", type=Path, required=True, help="Twint SQLite database")
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

    check_paths(args.db, args.out)
    fields = set(BuildOptions.__dataclass_fields__)
    options = BuildOptions(**{k: v for k, v in vars(args).items() if k in fields})
    report = build_corpus(options, progress=not args.quiet)
    if not args.quiet:
        print(report.summary())
    return 0


def check_paths(db: Path, out: Path) -> None:
    """Before any work: the corpus, its validation file and report never replace the database,
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
    paths.refuse_overwrite({"--db": db}, outputs)
