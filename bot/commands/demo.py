"""Run the whole DeepCISO job offline on a built-in sample: no tokens, no downloads.

In a work folder (``demo/``): make the sample Twint database, build the corpus, train the
tokenizer and a small model (about 5 minutes on 2 CPU cores), print a handful of filtered memes,
and run one scheduled-post cycle as a dry run. Re-running reuses what is already there;
``--fresh`` starts over.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

NAME = "demo"
HELP = "run the whole job offline on a built-in sample database"

PROMPTS = ("the intern", "zero trust is", "patch tuesday")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workdir", type=Path, default=Path("demo"), help="where the demo writes (%(default)s)"
    )
    parser.add_argument("--fresh", action="store_true", help="delete the work folder first")
    parser.add_argument(
        "--minutes", type=float, default=4.0, help="training time (default %(default)s)"
    )
    parser.add_argument(
        "--preset", default="small", help="model preset to train (default %(default)s)"
    )
    parser.add_argument("--memes", type=int, default=3, help="memes to show per prompt")


def run(args: argparse.Namespace) -> int:
    from bot.commands.demo_steps import Demo

    if args.fresh and args.workdir.exists():
        shutil.rmtree(args.workdir)
    demo = Demo(args.workdir, minutes=args.minutes, preset=args.preset)
    demo.sample_database()
    demo.corpus()
    demo.tokenizer()
    demo.model()
    demo.memes(PROMPTS, per_prompt=args.memes)
    demo.scheduled_post()
    demo.goodbye()
    return 0
