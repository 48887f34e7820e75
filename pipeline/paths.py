"""File names the pipeline's steps agree on."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pipeline.errors import UserError

DEFAULT_CORPUS = Path("model.txt")
DEFAULT_MODEL_DIR = Path("trained_model")


def validation_path(corpus: Path) -> Path:
    """``model.txt`` -> ``model.valid.txt``: the held-out split written beside the corpus."""
    corpus = Path(corpus)
    return corpus.with_name(f"{corpus.stem}.valid{corpus.suffix or '.txt'}")


def report_path(corpus: Path) -> Path:
    """``model.txt`` -> ``model.report.json``: what the corpus builder kept and removed."""
    corpus = Path(corpus)
    return corpus.with_name(f"{corpus.stem}.report.json")


def refuse_overwrite(
    inputs: Mapping[str, Path | str | None], outputs: Mapping[str, Path | str | None]
) -> None:
    """Raise a one-line UserError when an output would write over an input.

    Keys name each path for the message ("--db", "the validation file"); None values are
    skipped. Paths are compared after following symlinks, and existing files by device and
    inode (hard links), and a folder output may neither hold an input (it is replaced as a
    whole) nor lie inside an input folder. Call it before any work.
    """
    for out_label, out in outputs.items():
        for in_label, source in inputs.items():
            if out is None or source is None:
                continue
            relation = _overlap(Path(out), Path(source))
            if relation:
                raise UserError(
                    f"{out_label} {out} {relation} {in_label} {source}: the command would write "
                    f"over its own input; choose another {out_label.split()[-1]}"
                )


def _overlap(out: Path, source: Path) -> str | None:
    """How ``out`` overlaps ``source`` ("is", "holds", "is inside"), or None."""
    a, b = _resolved(out), _resolved(source)
    if a == b or _same_inode(a, b):
        return "is"
    if a in b.parents:
        return "holds"
    if b in a.parents and b.is_dir():
        return "is inside"
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare the path as written
        return path.absolute()


def _same_inode(a: Path, b: Path) -> bool:
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:  # one of them does not exist (yet)
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)
