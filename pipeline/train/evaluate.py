"""Validation loss (nats per token, bits per byte) and a few samples to eyeball progress."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pipeline.model_folder import context_length
from pipeline.train import distributed
from pipeline.train.data import ValidationSet
from pipeline.train.device import Precision
from pipeline.train.text import TextCodec

# Logits one validation batch may hold: 16 blocks of 128 for an 8,000-entry vocabulary, fewer
# blocks for a large one (a 49,152-entry vocabulary's 16 blocks would take 400 MB in fp32).
LOGITS_PER_BATCH = 16 * 128 * 8192


def token_loss(model: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of next-token predictions, computed in fp32."""
    logits = model(input_ids=inputs, use_cache=False).logits
    return F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), targets.reshape(-1))


@torch.no_grad()
def validation_loss(
    model: torch.nn.Module,
    valid: ValidationSet,
    precision: Precision,
    world: distributed.World = distributed.SINGLE,
    batch_size: int = 16,
) -> float:
    """Mean nats per token over the validation blocks (shared out among the processes)."""
    was_training = model.training
    model.eval()
    per_block = len(valid.blocks[0]) * model.config.vocab_size
    batch_size = max(1, min(batch_size, LOGITS_PER_BATCH // per_block))
    total = torch.zeros(2, dtype=torch.float64, device=precision.device)
    mine = valid.blocks[world.rank :: world.size]
    full = [block for block in mine if len(block) == len(valid.blocks[0])]
    batches = [torch.stack(full[i : i + batch_size]) for i in range(0, len(full), batch_size)]
    batches += [block.unsqueeze(0) for block in mine if len(block) != len(valid.blocks[0])]
    for batch in batches:
        batch = batch.to(precision.device)
        with precision.autocast():
            loss = token_loss(model, batch[:, :-1], batch[:, 1:])
        count = batch[:, 1:].numel()
        total += torch.tensor(
            [loss.item() * count, count], dtype=torch.float64, device=total.device
        )
    if world.active:
        torch.distributed.all_reduce(total)
    model.train(was_training)
    return float(total[0] / total[1])


@torch.no_grad()
def samples(
    model: torch.nn.Module,
    codec: TextCodec,
    device: torch.device,
    n: int = 3,
    seed: int = 0,
    max_new_tokens: int = 40,
) -> list[str]:
    """``n`` tweets sampled from nothing; the training run's random state is left untouched."""
    was_training = model.training
    model.eval()
    limit = min(max_new_tokens, context_length(model.config) - 1)
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        start = torch.full((n, 1), codec.eos_id, dtype=torch.long, device=device)
        out = model.generate(
            start,
            do_sample=True,
            top_k=50,
            max_new_tokens=limit,
            pad_token_id=codec.eos_id,
            eos_token_id=codec.eos_id,
            attention_mask=torch.ones_like(start),
        )
    model.train(was_training)
    return [codec.decode(row[1:].tolist()).strip() for row in out]
