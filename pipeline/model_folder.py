"""The trained model folder's contract: its file names, its metadata file, its context length.

``deepciso train`` writes a folder through this module, loading (:mod:`pipeline.generate`) and
the bot's model watcher read it through it. A folder holds ``config.json`` and
``model.safetensors`` (transformers' own), the tokenizer (``aitextgen.tokenizer.json``, or a
fine-tuned model's ``tokenizer.json``) and ``deepciso.json``: what training knows about the
model (when, on which corpus, its validation loss). aitextgen folders have no ``deepciso.json``
and may keep the tokenizer beside the folder or in the working directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.atomic import atomic_write
from pipeline.errors import UserError

METADATA_FILE = "deepciso.json"
CONFIG_FILE = "config.json"
SAFETENSORS_FILE = "model.safetensors"
PICKLE_FILE = "pytorch_model.bin"  # older folders; read without pickle code
TOKENIZER_FILE = "aitextgen.tokenizer.json"  # ours and aitextgen's (also beside the corpus)
HF_TOKENIZER_FILE = "tokenizer.json"  # a fine-tuned pretrained model's own
# A new model rewrites these three (a folder being swapped in may lack one for a moment).
SIGNATURE_FILES = (METADATA_FILE, CONFIG_FILE, SAFETENSORS_FILE)
FALLBACK_CONTEXT_LENGTH = 1024  # GPT-2's, for a config that names none


def has_config(folder: Path) -> bool:
    """Whether ``folder`` holds a model's ``config.json``."""
    return (Path(folder) / CONFIG_FILE).is_file()


def read_metadata(model_dir: Path) -> dict[str, Any]:
    """``deepciso.json`` as a dict; ``{}`` when absent (aitextgen folders have none)."""
    path = Path(model_dir) / METADATA_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not valid JSON ({exc}); fix or delete the file") from exc
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object; fix or delete the file")
    return data


def write_metadata(folder: Path, info: dict[str, Any]) -> None:
    """Write ``deepciso.json`` into ``folder`` (atomically)."""
    with atomic_write(Path(folder) / METADATA_FILE, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(info, indent=2) + "\n")


def signature(model_dir: Path) -> tuple | None:
    """What changes when a new model is written: the files' modification times and sizes;
    ``None`` while one is missing (absent, or mid-swap)."""
    try:
        stats = [(Path(model_dir) / name).stat() for name in SIGNATURE_FILES]
    except FileNotFoundError:
        return None
    return tuple((s.st_mtime_ns, s.st_size) for s in stats)


def context_length(config: Any) -> int:
    """The longest sequence a model's position embeddings allow, from its transformers config
    (GPT-2: ``n_positions``; GPT-Neo: ``max_position_embeddings``; old configs: ``n_ctx``)."""
    for name in ("n_positions", "max_position_embeddings", "n_ctx"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return FALLBACK_CONTEXT_LENGTH
