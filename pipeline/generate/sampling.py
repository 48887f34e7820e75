"""Pick the next token of each row from the model's logits: penalty, temperature, top-k, top-p.

Plain tensor functions, one step at a time, so the generation loop stays short. They follow the
Hugging Face processors' meaning (CTRL repetition penalty; top-k, then top-p on what is left).
Each touches the whole vocabulary at most once (top-k's pass): on GPT-Neo's 50,257 entries every
full-width operation costs tens of microseconds a token.
"""

from __future__ import annotations

import torch


def penalize_repeats(
    logits: torch.Tensor, context: torch.Tensor, penalty: float, ignore_id: int = -1
) -> torch.Tensor:
    """Make tokens already in a row less likely: divide positive logits, multiply negative ones.

    ``context`` is a ``(batch, n)`` tensor of the token ids in each row's context (repeats do
    no harm); ``ignore_id`` marks padding there, and is never penalized itself.
    """
    if penalty == 1.0 or context.shape[1] == 0:
        return logits
    before = logits.gather(1, context)
    after = torch.where(before > 0, before / penalty, before * penalty)
    return logits.scatter(1, context, torch.where(context == ignore_id, before, after))


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
    if 0 < top_k < logits.shape[-1]:
        values, candidates = torch.topk(logits, top_k, dim=-1)  # sorted, largest first
    else:
        values, candidates = torch.sort(logits, dim=-1, descending=True)
    probs = torch.softmax(values / temperature, dim=-1)  # only the candidates need scaling
    mass = torch.cumsum(probs, dim=-1)
    if top_p < 1.0:
        # Keep the smallest set of candidates whose mass reaches top_p (always the first one).
        probs = probs.masked_fill(mass - probs >= top_p, 0.0)
        mass = torch.cumsum(probs, dim=-1)
    # Inverse-CDF draw: the first candidate whose cumulative mass passes a uniform point
    # (torch.multinomial does the same in several times the time on short rows).
    point = torch.rand(probs.shape[0], 1, generator=generator) * mass[:, -1:]
    choice = (mass <= point).sum(dim=-1, keepdim=True).clamp(max=probs.shape[-1] - 1)
    return candidates.gather(-1, choice)
