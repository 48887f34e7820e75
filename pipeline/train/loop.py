"""The training loop: flat and readable, nanoGPT-style.

Per step: learning rate from the schedule, one batch, forward/backward, clip, AdamW. Every few
steps a CSV row; every ``eval_every`` a validation (the best model is saved, early stopping
counts); samples, checkpoints (by steps or minutes) and a clean stop on Ctrl-C in between.
"""

from __future__ import annotations

import logging
import math
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

import torch

from pipeline.train import distributed
from pipeline.train.checkpoint import restore_rng, rng_states, save_model, save_state
from pipeline.train.config import TrainConfig
from pipeline.train.device import Precision
from pipeline.train.evaluate import samples, token_loss, validation_loss
from pipeline.train.logbook import Logbook
from pipeline.train.model import optimizer as make_optimizer
from pipeline.train.prepare import Run, prepare
from pipeline.train.schedule import learning_rate

log = logging.getLogger(__name__)


@dataclass
class Result:
    steps: int
    tokens: int
    best_val_loss: float
    best_val_bpb: float
    stopped: str  # "planned", "time", "session", "early", "interrupted"


class StopFlag:
    """Ctrl-C asks the loop to stop at the next step boundary, with a checkpoint; a second
    Ctrl-C interrupts at once."""

    def __init__(self) -> None:
        self.raised = False
        self._previous: Any = None

    def __enter__(self) -> StopFlag:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.raised = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        log.warning("Ctrl-C: stopping after this step with a checkpoint (again: stop at once)")

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def training_step(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scaler: torch.amp.GradScaler,
    precision: Precision,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    grad_clip: float,
) -> float:
    """One optimizer step on one batch (autocast, loss scaling, clipping); returns the loss."""
    inputs, targets = inputs.to(precision.device), targets.to(precision.device)
    with precision.autocast():
        loss = token_loss(model, inputs, targets)
    scaler.scale(loss).backward()
    if grad_clip:
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    scaler.step(optimizer)
    scaler.update()
    optimizer.zero_grad(set_to_none=True)
    return loss.item()


def _lora_metadata(config: TrainConfig) -> dict[str, Any]:
    """deepciso.json's record of LoRA fine-tuning (nothing without it)."""
    if not config.lora_rank:
        return {}
    return {"lora_rank": config.lora_rank, "lora_alpha": config.lora_scale}


def train(config: TrainConfig, given: frozenset[str] | None = None) -> Result:
    """Train as ``config`` says; returns the run's figures. Raises KeyboardInterrupt on Ctrl-C.

    ``given``: the settings the user chose (None: those that differ from the defaults); with
    ``--resume`` they must agree with the checkpoint's.
    """
    world = distributed.start(cuda=config.device.startswith("cuda") or None)
    try:
        if config.num_threads:
            torch.set_num_threads(config.num_threads)
        return _train(prepare(config, world, given), world)
    finally:
        distributed.stop(world)


def _train(run: Run, world: distributed.World) -> Result:
    config, device = run.config, run.precision.device
    model = run.model.to(device)
    model.train()
    raw_model = model
    if world.active:
        model = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None
        )
    optimizer = make_optimizer(raw_model, config.peak_lr, config.weight_decay)
    scaler = run.precision.grad_scaler()
    step, tokens, train_seconds = 0, 0, 0.0
    best_loss, best_bpb, evals_since_best = math.inf, math.nan, 0
    if run.state is not None:
        state = run.state
        optimizer.load_state_dict(state["optimizer"])
        scaler.load_state_dict(state["scaler"])
        step, tokens, train_seconds = state["step"], state["tokens"], state["train_seconds"]
        best_loss, best_bpb = state["best_val_loss"], state["best_val_bpb"]
        evals_since_best = state["evals_since_best"]
        run.sampler.position = state["data_position"]
        restore_rng(state["rng"])
        log.info("resuming %s at step %d", run.checkpoint_path, step)
    else:
        torch.manual_seed(config.seed)
    logbook = Logbook(config.run_path, keep_until_step=step) if world.is_main else None
    n_params = sum(p.numel() for p in raw_model.parameters())
    if world.is_main:
        log.info(
            "%s: %.2fM parameters, vocabulary %d, block %d, batch %d x %d process(es), %s on %s; "
            "%d training tokens a pass, validation on %d tokens (%s)",
            config.base_model or config.preset_name,
            n_params / 1e6,
            run.codec.vocab_size,
            config.block_size,
            config.batch_size,
            world.size,
            run.precision.name,
            device,
            run.sampler.tokens_per_epoch,
            run.valid.tokens,
            run.split.valid_source,
        )

    def checkpoint() -> None:
        if not world.is_main:
            return
        save_state(
            run.checkpoint_path,
            {
                "config": config.to_dict(),
                "preset": config.preset_name,
                "model_config": raw_model.config.to_dict(),
                "model": raw_model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scaler": scaler.state_dict(),
                "tokenizer_sha256": run.codec.fingerprint,
                "corpus_sha256": run.corpus_sha256,
                "step": step,
                "tokens": tokens,
                "train_seconds": train_seconds,
                "best_val_loss": best_loss,
                "best_val_bpb": best_bpb,
                "evals_since_best": evals_since_best,
                "data_position": run.sampler.position,
                "plan": run.plan.to_dict(),
                "rng": rng_states(),
            },
        )

    def validate() -> bool:
        """Validation figures into the log; saves the model when best. True: stop early."""
        nonlocal best_loss, best_bpb, evals_since_best
        loss = validation_loss(raw_model, run.valid, run.precision, world)
        bpb = run.valid.bits_per_byte(loss)
        if loss < best_loss:
            best_loss, best_bpb, evals_since_best = loss, bpb, 0
            if world.is_main:
                save_model(
                    config.out,
                    raw_model,
                    run.codec,
                    {
                        "preset": None if config.base_model else config.preset_name,
                        "base_model": config.base_model,
                        **_lora_metadata(config),
                        "corpus": str(config.corpus),
                        "corpus_sha256": run.corpus_sha256,
                        "steps": step,
                        "tokens": tokens,
                        "val_loss_nats": round(loss, 5),
                        "val_bits_per_byte": round(bpb, 5),
                    },
                )
        else:
            evals_since_best += 1
        if logbook:
            logbook.add(
                step=step,
                tokens=tokens,
                lr=lr,
                val_loss=loss,
                val_bpb=bpb,
                train_seconds=train_seconds,
                elapsed_s=time.perf_counter() - started,
            )
            logbook.plot()
            log.info(
                "step %d: validation %.4f nats/token, %.4f bits/byte%s",
                step,
                loss,
                bpb,
                " (best, saved)" if evals_since_best == 0 else "",
            )
        return bool(config.patience) and evals_since_best >= config.patience

    from tqdm.auto import tqdm

    bar = tqdm(
        total=config.steps,
        initial=step,
        unit="step",
        disable=not world.is_main,
        dynamic_ncols=True,
        mininterval=1.0,
    )
    started = last_checkpoint = time.perf_counter()
    window_loss, window_steps, window_tokens, window_seconds = 0.0, 0, 0, 0.0
    session_start, stopped, lr = step, "planned", config.peak_lr
    with StopFlag() as stop:
        while True:
            if run.plan.done(step, train_seconds) >= 1.0:
                stopped = "time" if step < config.steps else "planned"
                break
            if config.session_steps and step - session_start >= config.session_steps:
                stopped = "session"
                break
            tick = time.perf_counter()
            lr = learning_rate(
                step,
                run.plan.progress(step, train_seconds),
                peak=config.peak_lr,
                warmup_steps=config.warmup_steps,
                min_ratio=config.min_lr_ratio,
            )
            for group in optimizer.param_groups:
                group["lr"] = lr
            inputs, targets = run.sampler.batch(world.rank, world.size)
            loss_value = training_step(
                model, optimizer, scaler, run.precision, inputs, targets, config.grad_clip
            )
            step += 1
            tokens += inputs.numel() * world.size
            seconds = time.perf_counter() - tick
            train_seconds += seconds
            if world.active:  # one clock for all processes: same schedule, same stop
                train_seconds = distributed.mean(train_seconds, world, device)
            window_loss += loss_value
            window_steps += 1
            window_tokens += inputs.numel() * world.size
            window_seconds += seconds
            bar.update(1)
            if config.time_limit:  # the clock may end the run first: project its step count
                bar.total = run.plan.projected_steps(step, train_seconds)
            if step % config.log_every == 0:
                rate = window_tokens / max(window_seconds, 1e-9)
                train_loss = distributed.mean(window_loss / window_steps, world, device)
                bar.set_postfix(loss=f"{train_loss:.3f}", tok_s=f"{rate:,.0f}", refresh=False)
                if logbook:
                    logbook.add(
                        step=step,
                        tokens=tokens,
                        lr=lr,
                        train_loss=train_loss,
                        tokens_per_s=rate,
                        train_seconds=train_seconds,
                        elapsed_s=time.perf_counter() - started,
                    )
                window_loss, window_steps, window_tokens, window_seconds = 0.0, 0, 0, 0.0
            if step % config.eval_every == 0 and validate():
                stopped = "early"
                log.info("no improvement in %d validations: stopping early", config.patience)
                break
            if config.sample_every and step % config.sample_every == 0 and world.is_main:
                for text in samples(raw_model, run.codec, device, seed=step):
                    bar.write(f"  sample @{step}: {text}")
            minutes = (time.perf_counter() - last_checkpoint) / 60
            if step % config.checkpoint_every == 0 or minutes >= config.checkpoint_minutes:
                checkpoint()
                last_checkpoint = time.perf_counter()
            if distributed.any_true(stop.raised, world, device):
                stopped = "interrupted"
                break
    bar.close()
    if stopped in ("planned", "time") and step % config.eval_every:
        validate()
    checkpoint()
    if world.is_main:
        log.info("checkpoint: %s (continue with --resume)", run.checkpoint_path)
    if world.active:
        checksum = sum(float(p.detach().double().sum()) for p in raw_model.parameters())
        log.info("rank %d/%d: parameter checksum %.10e", world.rank, world.size, checksum)
    if stopped == "interrupted":
        raise KeyboardInterrupt
    if world.is_main:
        log.info(
            "best validation %.4f nats/token, %.4f bits/byte: saved in %s (stopped: %s)",
            best_loss,
            best_bpb,
            config.out,
            stopped,
        )
    return Result(step, tokens, best_loss, best_bpb, stopped)
