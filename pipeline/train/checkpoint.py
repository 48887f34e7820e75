"""Saving: the resumable training state (``checkpoint.pt``) and the model folder, both atomic.

A kill at any moment leaves the previous checkpoint and the previous model folder loadable.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from pipeline.atomic import atomic_dir, atomic_write
from pipeline.errors import UserError
from pipeline.model_folder import write_metadata
from pipeline.train.lora import merged
from pipeline.train.text import TextCodec

CHECKPOINT_FILE = "checkpoint.pt"
CHECKPOINT_FORMAT = 1


def rng_states() -> dict[str, Any]:
    states = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def restore_rng(states: dict[str, Any]) -> None:
    random.setstate(states["python"])
    np.random.set_state(states["numpy"])
    torch.set_rng_state(states["torch"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def save_state(path: Path, state: dict[str, Any]) -> None:
    """``torch.save`` to a temporary file beside ``path``, then rename it over ``path``."""
    with atomic_write(Path(path), "wb") as handle:
        torch.save({"format": CHECKPOINT_FORMAT, **state}, handle)


def load_state(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no checkpoint to resume; start without --resume")
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:
        raise UserError(f"{path}: not a readable checkpoint ({type(exc).__name__})") from exc
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise UserError(f"{path}: not a deepciso training checkpoint")
    return state


def save_model(
    out: Path, model: torch.nn.Module, codec: TextCodec, metadata: dict[str, Any]
) -> None:
    """Write the self-contained model folder (weights, configs, tokenizer, deepciso.json);
    LoRA adapters are merged into the weights."""
    info = {
        "format": 1,
        **metadata,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tokenizer": codec.saved_name,
    }
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    with atomic_dir(Path(out)) as folder:
        with merged(model) as (plain, state):
            plain.save_pretrained(folder, state_dict=state, safe_serialization=True)
        codec.save(folder)
        write_metadata(folder, info)
