"""Train a GPT on the corpus from scratch (presets small, seed, neo-125m, tiny) or fine-tune a
pretrained causal LM (--base-model); the best-validation model lands in trained_model/.

Multi-process data parallel: torchrun --nproc-per-node N -m pipeline train ...
"""

from __future__ import annotations

import argparse

NAME = "train"
HELP = "train the model (model.txt -> trained_model/), resumable with --resume"


def configure(parser: argparse.ArgumentParser) -> None:
    from pipeline.train.config import add_arguments

    add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from pipeline.train.config import from_args
    from pipeline.train.loop import train

    config, given = from_args(args)
    train(config, given)
    return 0
