"""Event-loop lag: how late a short sleep wakes up. High lag means something blocks the loop."""

from __future__ import annotations

import asyncio
import contextlib
import time


class LoopLagMonitor:
    """Wakes every ``interval`` seconds and records how late it woke (max and count)."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.max_lag = 0.0
        self.samples = 0
        self._task: asyncio.Task | None = None

    def start(self) -> LoopLagMonitor:
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="loop-lag")
        return self

    async def stop(self) -> float:
        """Stop watching; returns the largest lag seen, in seconds."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        return self.max_lag

    def reset(self) -> None:
        self.max_lag, self.samples = 0.0, 0

    async def _watch(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            lag = time.perf_counter() - before - self.interval
            self.max_lag = max(self.max_lag, lag)
            self.samples += 1
