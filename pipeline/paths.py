"""File names the pipeline's steps agree on."""

from __future__ import annotations

from pathlib import Path

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
