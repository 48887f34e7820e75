"""Learning rate: linear warmup, then cosine decay to ``min_ratio`` of the peak at the end."""

from __future__ import annotations

import math


def learning_rate(
    step: int, progress: float, *, peak: float, warmup_steps: int, min_ratio: float
) -> float:
    """``step``: optimizer steps taken; ``progress``: fraction of the planned run done (0..1).

    The plan is a number of steps, or a time budget with ``--time-limit``.
    """
    if step < warmup_steps:
        return peak * (step + 1) / warmup_steps
    cosine = 0.5 * (1.0 + math.cos(math.pi * min(1.0, max(0.0, progress))))
    return peak * (min_ratio + (1.0 - min_ratio) * cosine)
