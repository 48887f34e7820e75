"""Run the whole DeepCISO job offline on a built-in sample: no tokens, no downloads.

Makes the sample Twint database and builds the corpus from it in a work folder (``demo/``).
Re-running reuses what is already there; ``--fresh`` starts over.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

NAME = "demo"
HELP = "run the whole job offline on a built-in sample database"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workdir", type=Path, default=Path("demo"), help="where the demo writes (%(default)s)"
    )
    parser.add_argument("--fresh", action="store_true", help="delete the work folder first")


def run(args: argparse.Namespace) -> int:
    from pipeline.corpus import BuildOptions, build_corpus
    from pipeline.sample_db import make_sample_db

    workdir: Path = args.workdir
    if args.fresh and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    db = workdir / "sample.twint.db"
    corpus = workdir / "model.txt"
    print("1. sample Twint database")
    if db.exists():
        print(f"   reusing {db}")
    else:
        make_sample_db(db)
        print(f"   wrote {db}")
    print("2. corpus")
    if corpus.exists():
        print(f"   reusing {corpus}")
    else:
        report = build_corpus(BuildOptions(db=db, out=corpus))
        print("   " + report.summary().replace("\n", "\n   "))
    print(f"\nDone. The corpus is {corpus}; the report is {corpus.with_suffix('.report.json')}.")
    return 0
