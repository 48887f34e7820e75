"""Pick the next token of each row from the model's logits: penalty, temperature, top-k, top-p.

Plain tensor functions, one step at a time, so the generation loop stays short. They follow the
Hugging Face processors' meaning (CTRL repetition penalty; top-k, then top-p on what is left).
"""

from __future__ import annotations

import torch


def penalize_repeats(logits: torch.Tensor, seen: torch.Tensor, penalty: float) -> torch.Tensor:
    """Make tokens already in a row less likely: divide positive logits, multiply negative ones.

    ``seen`` is a boolean ``(batch, vocab)`` mask of the tokens in each row's context.
    """
    if penalty == 1.0:
        return logits
    penalized = torch.where(logits > 0, logits / penalty, logits * penalty)
    return torch.where(seen, penalized, logits)


def sample_next(
    logits: torch.Tensor,
    *,
    temperature: float,
    top_k: int,
    top_p: float,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """One token id per row, shape ``(batch, 1)``; ``temperature == 0`` means greedy."""
    if temperature == 0:
        return logits.argmax(dim=-1, keepdim=True)
    logits = logits / temperature
    if 0 < top_k < logits.shape[-1]:
        values, candidates = torch.topk(logits, top_k, dim=-1)  # sorted, largest first
    else:
        values, candidates = torch.sort(logits, dim=-1, descending=True)
    probs = torch.softmax(values, dim=-1)
    if top_p < 1.0:
        # Keep the smallest set of candidates whose mass reaches top_p (always the first one).
        mass_before = torch.cumsum(probs, dim=-1) - probs
        probs = probs.masked_fill(mass_before >= top_p, 0.0)
    choice = torch.multinomial(probs, num_samples=1, generator=generator)
    return candidates.gather(-1, choice)
