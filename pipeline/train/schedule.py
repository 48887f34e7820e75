"""Learning rate: linear warmup, then cosine decay to ``min_ratio`` of the peak at the end.

How far along the cosine a run is comes from its :class:`Plan`: a number of steps, a time
budget (``--time-limit``), or both (whichever ends first). ``--resume`` with a larger ``--steps``
or a new ``--time-limit`` re-plans: the cosine goes on from where it is to the new end.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any


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


@dataclass(frozen=True)
class Plan:
    """Where the run ends (``steps``, ``minutes`` of training) and, once extended, where the
    current stretch of the schedule started: at ``from_step`` / ``from_seconds``, with the
    cosine at ``from_progress``. A run never extended starts at 0, 0.0, 0.0."""

    steps: int
    minutes: float | None = None
    from_step: int = 0
    from_seconds: float = 0.0
    from_progress: float = 0.0

    def done(self, step: int, seconds: float) -> float:
        """Fraction of the current stretch done after ``step`` steps and ``seconds`` of
        training (1: the run is over)."""
        done = _fraction(step - self.from_step, self.steps - self.from_step)
        if self.minutes:
            clock = _fraction(seconds - self.from_seconds, self.minutes * 60 - self.from_seconds)
            done = max(done, clock)
        return done

    def progress(self, step: int, seconds: float) -> float:
        """Fraction of the cosine done: where the learning rate is."""
        return self.from_progress + (1.0 - self.from_progress) * self.done(step, seconds)

    def projected_steps(self, step: int, seconds: float) -> int:
        """The step count the run will end at, at the pace so far (for the progress bar)."""
        done = max(self.done(step, seconds), 1e-9)
        return min(self.steps, max(step, round(self.from_step + (step - self.from_step) / done)))

    def extended(self, step: int, seconds: float, steps: int, minutes: float | None) -> Plan:
        """The plan going on from ``step`` / ``seconds`` to a new end: the cosine continues
        from its current point (no jump in the learning rate) and reaches its floor there."""
        if (steps, minutes) == (self.steps, self.minutes):
            return self
        now = min(1.0, self.progress(step, seconds))
        return Plan(steps, minutes, step, seconds, now)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _fraction(done: float, planned: float) -> float:
    return 1.0 if planned <= 0 else done / planned
