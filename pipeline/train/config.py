"""Model presets and the training settings: every default lives here, once.

``TrainConfig`` doubles as the command line (HF ``run_clm.py``-style argument dataclass): each
field becomes ``--field-name`` with its help text, see :func:`add_arguments`.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.commands.argtypes import (
    fraction,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
)
from pipeline.paths import DEFAULT_CORPUS, DEFAULT_MODEL_DIR
from pipeline.train.tokenizer import DEFAULT_VOCAB_SIZE


@dataclass(frozen=True)
class Preset:
    """A from-scratch architecture. ``context`` is the longest block it accepts."""

    name: str
    architecture: str  # "gpt2" or "gpt_neo"
    n_embd: int
    n_layer: int
    n_head: int
    context: int
    dropout: float = 0.0


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("tiny", "gpt2", n_embd=32, n_layer=2, n_head=2, context=64),
        # the original demo's model: GPT-2, 256 wide, 8 layers, 8 heads, context 500, no dropout
        Preset("seed", "gpt2", n_embd=256, n_layer=8, n_head=8, context=500),
        # the default: half the seed model's depth. On a 2-core CPU it learns tweets faster in
        # the first hour than the seed model (bench/train_throughput.py, docs/benchmarks.md)
        Preset("small", "gpt2", n_embd=256, n_layer=4, n_head=4, context=500),
        # the GPT-Neo 125M architecture (alternating global/local attention, window 256)
        Preset("neo-125m", "gpt_neo", n_embd=768, n_layer=12, n_head=12, context=2048),
    )
}
DEFAULT_PRESET = "small"
SCRATCH_LEARNING_RATE = 2e-3
FINE_TUNE_LEARNING_RATE = 5e-5
LORA_LEARNING_RATE = 2e-4  # adapters start at zero and are small: they take a larger step
LORA_ALPHA_PER_RANK = 2  # --lora-alpha defaults to twice the rank
# Tweets are ~30 tokens: blocks of 128 hold several, and cost far less than the original 500.
DEFAULT_BLOCK_SIZE = 128


def _option(help: str, type: Any = None, **extra: Any) -> dict[str, Any]:
    """Field metadata that makes a command-line option (``type`` None: a flag)."""
    return {"help": help, "type": type, **extra}


@dataclass
class TrainConfig:
    """Everything ``deepciso train`` can be told; a checkpoint stores it for ``--resume``."""

    corpus: Path = field(
        default=DEFAULT_CORPUS,
        metadata=_option("one tweet a line; model.valid.txt beside it", Path),
    )
    out: Path = field(
        default=DEFAULT_MODEL_DIR,
        metadata=_option("the saved model folder (best validation loss)", Path),
    )
    preset: str | None = field(
        default=None,
        metadata=_option(f"model size (default {DEFAULT_PRESET})", str, choices=sorted(PRESETS)),
    )
    base_model: str | None = field(
        default=None,
        metadata=_option(
            "fine-tune this pretrained causal LM (folder or hub id) with its tokenizer", str
        ),
    )
    lora_rank: int | None = field(
        default=None,
        metadata=_option(
            "fine-tune --base-model with LoRA adapters of this rank (peft), merged on save",
            positive_int,
        ),
    )
    lora_alpha: float | None = field(
        default=None,
        metadata=_option("LoRA scaling alpha (default: twice the rank)", positive_float),
    )
    tokenizer: Path | None = field(
        default=None,
        metadata=_option(
            "tokenizers JSON (default: aitextgen.tokenizer.json by the corpus, made if missing)",
            Path,
        ),
    )
    vocab_size: int = field(
        default=DEFAULT_VOCAB_SIZE,
        metadata=_option("vocabulary of a tokenizer made on the fly", positive_int),
    )
    steps: int = field(
        default=3000,
        metadata=_option("planned optimizer steps (the schedule spans them)", positive_int),
    )
    time_limit: float | None = field(
        default=None,
        metadata=_option(
            "minutes of training (validation excluded); the schedule then spans this time",
            positive_float,
        ),
    )
    session_steps: int | None = field(
        default=None,
        metadata=_option(
            "stop after this many steps in this session (checkpointed; continue: --resume)",
            positive_int,
        ),
    )
    n_embd: int | None = field(
        default=None, metadata=_option("width (overrides the preset)", positive_int)
    )
    n_layer: int | None = field(
        default=None, metadata=_option("layers (overrides the preset)", positive_int)
    )
    n_head: int | None = field(
        default=None, metadata=_option("attention heads (overrides the preset)", positive_int)
    )
    dropout: float | None = field(
        default=None,
        metadata=_option("dropout (default: the preset's, 0 for seed)", fraction(high_open=True)),
    )
    block_size: int | None = field(
        default=None,
        metadata=_option(
            f"tokens per training block, the model's context (default {DEFAULT_BLOCK_SIZE}, "
            "or the preset's context if shorter)",
            positive_int,
        ),
    )
    batch_size: int = field(
        default=8, metadata=_option("blocks per step (per process)", positive_int)
    )
    learning_rate: float | None = field(
        default=None,
        metadata=_option(
            f"peak learning rate (default {SCRATCH_LEARNING_RATE:g}, "
            f"fine-tuning {FINE_TUNE_LEARNING_RATE:g}, LoRA {LORA_LEARNING_RATE:g})",
            positive_float,
        ),
    )
    min_lr_ratio: float = field(
        default=0.1, metadata=_option("final learning rate as a fraction of the peak", fraction())
    )
    warmup_steps: int = field(default=50, metadata=_option("linear warmup steps", non_negative_int))
    weight_decay: float = field(
        default=0.1, metadata=_option("AdamW weight decay (matrices only)", non_negative_float)
    )
    grad_clip: float = field(
        default=1.0, metadata=_option("clip the gradient norm to this (0: off)", non_negative_float)
    )
    eval_every: int = field(default=250, metadata=_option("validate every N steps", positive_int))
    eval_tokens: int = field(
        default=65536,
        metadata=_option("validate on up to this many tokens of the validation file", positive_int),
    )
    patience: int = field(
        default=4,
        metadata=_option(
            "stop after N validations without improvement (0: never)", non_negative_int
        ),
    )
    log_every: int = field(
        default=10, metadata=_option("write a CSV row every N steps", positive_int)
    )
    sample_every: int = field(
        default=500, metadata=_option("print samples every N steps (0: never)", non_negative_int)
    )
    checkpoint_every: int = field(
        default=500, metadata=_option("checkpoint every N steps", positive_int)
    )
    checkpoint_minutes: float = field(
        default=10.0, metadata=_option("...and at least every N minutes", positive_float)
    )
    run_dir: Path | None = field(
        default=None,
        metadata=_option(
            "checkpoint, CSV log and loss plot (default: runs/<out name> beside --out)", Path
        ),
    )
    seed: int = field(default=1234, metadata=_option("random seed", non_negative_int))
    device: str = field(default="auto", metadata=_option("auto, cpu or cuda[:N]", str))
    precision: str = field(
        default="auto",
        metadata=_option(
            "auto (bf16 where the hardware has it, fp16 on older GPUs), fp32, bf16, fp16",
            str,
            choices=["auto", "fp32", "bf16", "fp16"],
        ),
    )
    num_threads: int | None = field(
        default=None, metadata=_option("CPU threads for torch (default: torch's)", positive_int)
    )
    resume: bool = field(
        default=False, metadata=_option("continue the run whose checkpoint is in the run folder")
    )
    overwrite: bool = field(
        default=False,
        metadata=_option("start over even though a checkpoint of an earlier run exists"),
    )

    @property
    def preset_name(self) -> str:
        return self.preset or DEFAULT_PRESET

    @property
    def peak_lr(self) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        if self.lora_rank:
            return LORA_LEARNING_RATE
        return FINE_TUNE_LEARNING_RATE if self.base_model else SCRATCH_LEARNING_RATE

    @property
    def lora_scale(self) -> float:
        """LoRA's alpha: --lora-alpha, or twice the rank."""
        return self.lora_alpha or float(LORA_ALPHA_PER_RANK * (self.lora_rank or 0))

    @property
    def run_path(self) -> Path:
        return self.run_dir or self.out.parent / "runs" / self.out.name

    def to_dict(self) -> dict[str, Any]:
        return {
            key: str(value) if isinstance(value, Path) else value
            for key, value in dataclasses.asdict(self).items()
        }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One ``--option`` per :class:`TrainConfig` field, default and help from the field."""
    for item in dataclasses.fields(TrainConfig):
        meta = item.metadata
        flag = "--" + item.name.replace("_", "-")
        if meta["type"] is None:
            parser.add_argument(
                flag, action="store_true", default=argparse.SUPPRESS, help=meta["help"]
            )
            continue
        default = item.default
        shown = "" if default is None else f" (default {default})"
        parser.add_argument(
            flag,
            type=meta["type"],
            default=argparse.SUPPRESS,  # absent unless given: see from_args
            choices=meta.get("choices"),
            help=meta["help"] + shown,
        )


def from_args(args: argparse.Namespace) -> tuple[TrainConfig, frozenset[str]]:
    """The settings, and which of them the command line gave (``--resume`` checks those)."""
    given = {item.name: getattr(args, item.name) for item in dataclasses.fields(TrainConfig)
             if hasattr(args, item.name)}  # fmt: skip
    return TrainConfig(**given), frozenset(given)
