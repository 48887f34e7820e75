"""LoRA fine-tuning with ``peft``: low-rank adapters on a pretrained base's projections are
trained while the base stays frozen, and merged into the weights when the model is saved, so
the model folder is a plain one (no adapter files; the bot loads it like any other).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import torch

from pipeline.errors import UserError

log = logging.getLogger(__name__)

_LLAMA_LIKE = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
# Every projection of the attention and the MLP (adapting all of them trains better than
# attention alone, the peft default); the embeddings and the output head stay as they are.
TARGET_MODULES: dict[str, tuple[str, ...]] = {
    "gpt2": ("c_attn", "c_proj", "c_fc"),  # transformers' Conv1D layers
    "gpt_neo": ("q_proj", "k_proj", "v_proj", "out_proj", "c_fc", "c_proj"),
    "llama": _LLAMA_LIKE,
    "mistral": _LLAMA_LIKE,
    "qwen2": _LLAMA_LIKE,
    "qwen3": _LLAMA_LIKE,
}
ANY_ARCHITECTURE = "all-linear"  # peft: every linear layer but the output head


def wrap(model: torch.nn.Module, rank: int, alpha: float) -> torch.nn.Module:
    """``model`` with LoRA adapters of ``rank``; only the adapters train."""
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as exc:
        raise UserError("--lora-rank needs the peft package: pip install 'deepciso[lora]'") from exc
    model_type = model.config.model_type
    targets: Any = list(TARGET_MODULES.get(model_type, ())) or ANY_ARCHITECTURE
    settings = LoraConfig(
        r=rank,
        lora_alpha=alpha,
        lora_dropout=0.0,
        target_modules=targets,
        fan_in_fan_out=model_type == "gpt2",
        task_type="CAUSAL_LM",
    )
    try:
        adapted = get_peft_model(model, settings)
    except ValueError as exc:
        raise UserError(f"--lora-rank: cannot adapt a {model_type} model ({exc})") from exc
    trainable = sum(p.numel() for p in adapted.parameters() if p.requires_grad)
    total = sum(p.numel() for p in adapted.parameters())
    log.info(
        "LoRA rank %d, alpha %g on %s: %.2fM of %.1fM parameters train",
        rank,
        alpha,
        targets if isinstance(targets, str) else ", ".join(targets),
        trainable / 1e6,
        total / 1e6,
    )
    return adapted


def is_adapted(model: torch.nn.Module) -> bool:
    return hasattr(model, "merge_and_unload")


@contextlib.contextmanager
def merged(
    model: torch.nn.Module,
) -> Iterator[tuple[torch.nn.Module, dict[str, torch.Tensor] | None]]:
    """What to save as a plain model: (the model, its state dict). With adapters: the base
    model, with them folded into its weights for the time of the ``with`` (in place: no copy
    of the model in memory) and its tensors under their plain names; they are taken out
    again after. A model without adapters: itself, and None (its own state dict)."""
    if not is_adapted(model):
        yield model, None
        return
    model.merge_adapter()
    try:
        base = model.get_base_model()
        state = {
            key.replace(".base_layer.", "."): value
            for key, value in base.state_dict().items()
            if ".lora_" not in key
        }
        yield base, state
    finally:
        model.unmerge_adapter()
