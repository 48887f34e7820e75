"""Next-token choice: repetition penalty, temperature, top-k and top-p on real tensors."""

from __future__ import annotations

import math

import torch

from pipeline.generate.sampling import penalize_repeats, sample_next


def draws(logits: list[float], times: int = 2000, **settings) -> torch.Tensor:
    rows = torch.tensor([logits]).repeat(times, 1)
    generator = torch.Generator().manual_seed(0)
    return sample_next(rows, generator=generator, **settings).squeeze(1)


def test_top_k_keeps_only_the_k_best():
    chosen = draws([3.0, 2.9, 2.8, 0.0, 0.0], temperature=1.0, top_k=2, top_p=1.0)
    assert set(chosen.tolist()) == {0, 1}


def test_top_p_keeps_the_smallest_set_reaching_p():
    # probabilities 0.6, 0.3, 0.1: p=0.8 keeps the first two, p=0.5 only the first
    logits = [math.log(0.6), math.log(0.3), math.log(0.1)]
    assert set(draws(logits, temperature=1.0, top_k=0, top_p=0.8).tolist()) == {0, 1}
    assert set(draws(logits, temperature=1.0, top_k=0, top_p=0.5).tolist()) == {0}


def test_sampling_follows_the_distribution():
    logits = [math.log(0.5), math.log(0.3), math.log(0.2)]
    chosen = draws(logits, times=8000, temperature=1.0, top_k=0, top_p=1.0)
    shares = torch.bincount(chosen, minlength=3).float() / len(chosen)
    torch.testing.assert_close(shares, torch.tensor([0.5, 0.3, 0.2]), atol=0.02, rtol=0)
    # top-k renormalizes what it keeps: 0.5 and 0.3 become 0.625 and 0.375
    kept = draws(logits, times=8000, temperature=1.0, top_k=2, top_p=1.0)
    assert abs((kept == 0).float().mean().item() - 0.625) < 0.02


def test_low_temperature_sharpens_and_zero_is_greedy():
    logits = [1.0, 0.5, 0.0]
    cold = (draws(logits, temperature=0.1, top_k=0, top_p=1.0) == 0).float().mean()
    assert cold.item() > 0.99
    assert draws(logits, times=3, temperature=0, top_k=0, top_p=1.0).tolist() == [0, 0, 0]


def test_repetition_penalty_divides_positive_and_multiplies_negative_logits():
    logits = torch.tensor([[2.0, -2.0, 1.0, 3.0], [2.0, -2.0, 1.0, 3.0]])
    # row 0 saw tokens 0 and 1 (0 twice); row 1 saw token 2, then padding (3 is ignore_id)
    context = torch.tensor([[0, 1, 0], [2, 3, 3]])
    penalized = penalize_repeats(logits, context, 2.0, ignore_id=3)
    assert penalized.tolist() == [[1.0, -4.0, 1.0, 3.0], [2.0, -2.0, 0.5, 3.0]]
    assert logits.tolist()[0] == [2.0, -2.0, 1.0, 3.0]  # the input is left alone
    assert penalize_repeats(logits, context, 1.0) is logits
    assert penalize_repeats(logits, context[:, :0], 2.0) is logits


def test_temperature_scales_before_top_p():
    # probabilities 0.6, 0.3, 0.1 at temperature 1; at 0.5 they sharpen to 0.78, 0.20, 0.02,
    # so top_p 0.75 keeps only the first
    logits = [math.log(0.6), math.log(0.3), math.log(0.1)]
    assert set(draws(logits, temperature=1.0, top_k=0, top_p=0.75).tolist()) == {0, 1}
    assert set(draws(logits, temperature=0.5, top_k=0, top_p=0.75).tolist()) == {0}
