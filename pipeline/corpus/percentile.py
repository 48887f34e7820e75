"""The per-author engagement cut-off."""

from __future__ import annotations

import math
from collections.abc import Sequence


def linear_percentile(values: Sequence[float], percent: float) -> float:
    """``numpy.percentile(values, percent)`` with the default linear method, without numpy.

    Matches numpy bit for bit, including its two-sided interpolation (``b - (b - a) * (1 - t)``
    when ``t >= 0.5``), so the boundary of "score at or above the 85th percentile" is the same.
    """
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = (percent / 100) * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    t = position - below
    a, b = ordered[below], ordered[above]
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t
