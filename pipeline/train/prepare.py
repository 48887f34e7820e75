"""Everything checked before training writes a byte (HF ``run_clm.py``-style early validation).

Bad input becomes one :class:`~pipeline.errors.UserError` line; the model folder, the
checkpoint and the tokenizer file stay as they were.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from pipeline.atomic import ensure_writable_dir
from pipeline.errors import UserError
from pipeline.model_folder import TOKENIZER_FILE, context_length, has_config
from pipeline.paths import refuse_overwrite, validation_path
from pipeline.train import lora
from pipeline.train import model as models
from pipeline.train.checkpoint import CHECKPOINT_FILE, load_state
from pipeline.train.config import DEFAULT_BLOCK_SIZE, PRESETS, TrainConfig
from pipeline.train.data import BlockSampler, CorpusSplit, ValidationSet, load_split, pack
from pipeline.train.device import Precision, choose
from pipeline.train.distributed import SINGLE, World
from pipeline.train.schedule import Plan
from pipeline.train.text import TextCodec
from pipeline.train.tokenizer import ensure_tokenizer, file_sha256

log = logging.getLogger(__name__)

# Settings a resumed run may change: they do not alter the sequence of updates.
SESSION_FIELDS = frozenset(
    {
        "corpus",
        "tokenizer",
        "out",
        "run_dir",
        "session_steps",
        "eval_every",
        "patience",
        "log_every",
        "sample_every",
        "checkpoint_every",
        "checkpoint_minutes",
        "device",
        "precision",
        "num_threads",
        "resume",
        "overwrite",
    }
)


FLAGS = frozenset({"resume", "overwrite"})
# Settings a resumed run may change by re-planning the schedule: see Plan.extended.
PLAN_FIELDS = frozenset({"steps", "time_limit"})
# --resume --time-limit M without --steps: the clock alone ends the run.
NO_STEP_LIMIT = 2**31 - 1


@dataclass
class Run:
    """A checked, ready-to-train run."""

    config: TrainConfig
    codec: TextCodec
    split: CorpusSplit
    sampler: BlockSampler
    valid: ValidationSet
    model: torch.nn.Module
    precision: Precision
    corpus_sha256: str
    state: dict[str, Any] | None  # the checkpoint to resume from
    plan: Plan  # where the learning-rate schedule ends

    @property
    def checkpoint_path(self) -> Path:
        return self.config.run_path / CHECKPOINT_FILE


def prepare(config: TrainConfig, world: World = SINGLE, given: frozenset[str] | None = None) -> Run:
    _check_inputs_kept(config)  # again below with a resumed run's own paths
    _check_out(config.out)
    checkpoint = config.run_path / CHECKPOINT_FILE
    state = None
    plan = Plan(config.steps, config.time_limit)
    if config.resume:
        state = load_state(checkpoint)
        config = _resumed_config(config, state, given)
        plan = _resumed_plan(config, state)
    elif checkpoint.exists() and not config.overwrite:
        raise UserError(
            f"{checkpoint}: an earlier run's checkpoint is there; continue it with --resume "
            "or pass --overwrite to start over"
        )
    _check_inputs_kept(config)
    config = _with_block_size(config)
    _check_numbers(config)
    precision = choose(config.device, config.precision, world.local_rank)
    if world.is_main:
        ensure_writable_dir(config.out.parent)
    split = load_split(config.corpus)
    corpus_sha256 = file_sha256(config.corpus)
    if state is not None and state.get("corpus_sha256") != corpus_sha256:
        log.warning("%s changed since the checkpoint: the resumed run differs", config.corpus)
    if config.base_model and state is None:  # the model first: is it one at all?
        model = _model(config, None, state)
        codec = _codec(config, resuming=False)
    else:
        codec = _codec(config, resuming=state is not None)
        model = _model(config, codec, state)
    if state is not None and codec.fingerprint != state["tokenizer_sha256"]:
        raise UserError(
            f"tokenizer {codec.source} is not the one this run was trained with; pass the "
            "original with --tokenizer"
        )
    models.check_vocabulary(model, codec)
    if config.block_size > context_length(model.config):
        raise UserError(
            f"--block-size {config.block_size} exceeds the model's context "
            f"{context_length(model.config)}; pass a smaller one"
        )
    sampler = BlockSampler(
        pack(codec.encode(split.train), codec.eos_id),
        config.block_size,
        config.batch_size,
        config.seed,
    )
    valid = ValidationSet.build(
        split.valid, codec.encode(split.valid), codec.eos_id, config.block_size, config.eval_tokens
    )
    if world.is_main:
        ensure_writable_dir(config.run_path)
    return Run(config, codec, split, sampler, valid, model, precision, corpus_sha256, state, plan)


def _with_block_size(config: TrainConfig) -> TrainConfig:
    """The default block, shortened to a from-scratch preset's context (a base model's
    context is checked once it is loaded)."""
    context = PRESETS[config.preset_name].context
    if config.block_size is None:
        fits = DEFAULT_BLOCK_SIZE if config.base_model else context
        return dataclasses.replace(config, block_size=min(DEFAULT_BLOCK_SIZE, fits))
    if config.block_size > context and not config.base_model:
        raise UserError(
            f"--block-size {config.block_size} exceeds the {config.preset_name} preset's "
            f"context {context}"
        )
    return config


def _check_numbers(config: TrainConfig) -> None:
    positive = (
        "steps",
        "block_size",
        "batch_size",
        "eval_every",
        "log_every",
        "eval_tokens",
        "checkpoint_every",
        "vocab_size",
    )
    for name in positive:
        if getattr(config, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1")
    if not 0.0 <= (config.dropout or 0.0) < 1.0:
        raise UserError("--dropout must be in [0, 1)")
    if config.time_limit is not None and config.time_limit <= 0:
        raise UserError("--time-limit must be a positive number of minutes")
    if config.lora_rank is not None and (config.lora_rank < 1 or not config.base_model):
        raise UserError(
            "--lora-rank adapts a pretrained model: a rank of 1 or more and --base-model"
        )
    if config.lora_alpha is not None and not config.lora_rank:
        raise UserError("--lora-alpha scales LoRA adapters: pass --lora-rank too")


def _check_inputs_kept(config: TrainConfig) -> None:
    """The model folder and the run folder are replaced or written into: neither may be, hold
    or lie inside the corpus, its validation file, the tokenizer or the base model folder."""
    base = Path(config.base_model) if config.base_model else None
    inputs = {
        "--corpus": config.corpus,
        "the validation file of --corpus": validation_path(config.corpus),
        "--tokenizer": config.tokenizer,
        "--base-model": base if base is not None and base.exists() else None,
    }
    refuse_overwrite(inputs, {"--out": config.out, "the run folder --run-dir": config.run_path})


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not has_config(out):
        names = {p.name for p in out.iterdir()}
        if names - {"README.md"}:
            raise UserError(f"{out}: a folder that is not a model; choose another --out")


def _resumed_config(
    config: TrainConfig, state: dict[str, Any], given: frozenset[str] | None
) -> TrainConfig:
    """The checkpoint's settings, with this session's; a conflicting setting is an error."""
    saved = TrainConfig(
        **{
            key: Path(value)
            if key in ("corpus", "out", "tokenizer", "run_dir") and value
            else value
            for key, value in state["config"].items()
        }
    )
    if config.preset and config.preset != saved.preset_name:
        raise UserError(
            f"--resume: the checkpoint is of the {saved.preset_name} preset, not {config.preset}; "
            f"pass --preset {saved.preset_name} or start over with --overwrite"
        )
    if given is None:
        defaults = TrainConfig()
        given = frozenset(
            item.name
            for item in dataclasses.fields(TrainConfig)
            if getattr(config, item.name) != getattr(defaults, item.name)
        )
    changes = _new_end(config, saved, state, given)
    for item in dataclasses.fields(TrainConfig):
        mine, theirs = getattr(config, item.name), getattr(saved, item.name)
        if item.name in PLAN_FIELDS:
            continue
        if item.name in SESSION_FIELDS:  # this session's when given, else the run's
            changes[item.name] = mine if item.name in given or item.name in FLAGS else theirs
        elif item.name != "preset" and item.name in given and mine != theirs:
            raise UserError(
                f"--resume: --{item.name.replace('_', '-')} {mine} differs from the run's "
                f"{theirs}; leave it out or start over with --overwrite"
            )
    return dataclasses.replace(saved, **changes)


def _new_end(
    config: TrainConfig, saved: TrainConfig, state: dict[str, Any], given: frozenset[str]
) -> dict[str, Any]:
    """``steps`` and ``time_limit`` of a resumed run: the run's, or a new end when given.

    A new ``--steps`` alone ends the run there (an earlier ``--time-limit`` no longer
    applies); a new ``--time-limit`` alone lets the clock end it. An end already passed is
    an error.
    """
    new_steps = "steps" in given and config.steps != saved.steps
    new_time = "time_limit" in given and config.time_limit != saved.time_limit
    if not (new_steps or new_time):
        return {"steps": saved.steps, "time_limit": saved.time_limit}
    done_steps, done_seconds = state["step"], state["train_seconds"]
    if new_steps and config.steps < done_steps:
        raise UserError(
            f"--resume --steps {config.steps}: the run already took {done_steps} steps; "
            "pass more to continue it, or start over with --overwrite"
        )
    if new_time and config.time_limit is not None and config.time_limit * 60 < done_seconds:
        raise UserError(
            f"--resume --time-limit {config.time_limit:g}: the run already trained "
            f"{done_seconds / 60:.1f} minutes; pass more to continue it, or start over with "
            "--overwrite"
        )
    return {
        "steps": config.steps if new_steps else NO_STEP_LIMIT,
        "time_limit": config.time_limit if new_time else None,
    }


def _resumed_plan(config: TrainConfig, state: dict[str, Any]) -> Plan:
    """The checkpoint's schedule, re-planned to the new end when the run is extended."""
    if "plan" in state:
        saved = Plan(**state["plan"])
    else:  # a checkpoint from before plans were saved: never extended
        saved = Plan(state["config"]["steps"], state["config"]["time_limit"])
    plan = saved.extended(state["step"], state["train_seconds"], config.steps, config.time_limit)
    if plan is not saved:
        state["evals_since_best"] = 0  # a new plan: patience counts afresh
        log.info(
            "extending the run from step %d: the schedule now ends at %s",
            state["step"],
            f"{config.time_limit:g} minutes" if config.time_limit else f"step {config.steps}",
        )
    return plan


def _codec(config: TrainConfig, resuming: bool) -> TextCodec:
    if config.tokenizer:
        return TextCodec.from_file(config.tokenizer)
    if config.base_model:
        return models.load_base_codec(config.base_model)
    path = config.corpus.with_name(TOKENIZER_FILE)
    if not resuming:
        ensure_tokenizer(path, config.corpus, config.vocab_size)
    return TextCodec.from_file(path)


def _model(
    config: TrainConfig, codec: TextCodec | None, state: dict[str, Any] | None
) -> torch.nn.Module:
    if state is not None:
        model = _adapted(config, models.from_config_dict(state["model_config"]))
        model.load_state_dict(state["model"])
        if config.base_model and config.dropout is not None:
            models.set_dropout(model, config.dropout)
        return model
    return _adapted(config, _new_model(config, codec))


def _adapted(config: TrainConfig, model: torch.nn.Module) -> torch.nn.Module:
    if not config.lora_rank:
        return model
    return lora.wrap(model, config.lora_rank, config.lora_scale)


def _new_model(config: TrainConfig, codec: TextCodec | None) -> torch.nn.Module:
    if config.base_model:
        if config.preset or config.n_embd or config.n_layer or config.n_head:
            raise UserError(
                "--base-model brings its own architecture: leave out --preset and sizes"
            )
        model = models.load_base(config.base_model)
        if config.dropout is not None:
            models.set_dropout(model, config.dropout)
        return model
    preset = PRESETS[config.preset_name]
    assert codec is not None
    return models.build(
        models.scratch_config(preset, config, codec.vocab_size, codec.eos_id), config.seed
    )
