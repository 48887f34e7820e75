"""The text of ``/deepciso status`` (and console ``/status``): model, queue, filter, posts."""

from __future__ import annotations

import time
from datetime import timedelta

from bot.posting.poster import Poster
from bot.serving.looplag import LoopLagMonitor
from bot.serving.worker import GenerationWorker


def status_lines(
    worker: GenerationWorker,
    poster: Poster | None,
    started: float,
    lag: LoopLagMonitor | None = None,
) -> list[str]:
    """Short human lines; no secrets (the token never reaches this far)."""
    info = worker.generator_info
    bpb = info.get("val_bits_per_byte")
    lines = [
        f"Model: {worker.serving_dir} (trained {info.get('trained_at', 'unknown')}, "
        f"validation {f'{bpb:.3f} bits/byte' if isinstance(bpb, int | float) else 'n/a'}, "
        f"preset {info.get('preset', 'unknown')})",
        f"Queue: {worker.queue_depth} waiting of {worker.settings.queue_size}; "
        f"{worker.stats.answered} answered in {worker.stats.batches} batches "
        f"(largest {worker.stats.largest_batch}), {worker.stats.busy} told busy, "
        f"{worker.stats.timeouts} timed out, {worker.stats.reloads} reloads",
    ]
    rejections = worker.rejections()
    lines.append(
        "Filter rejections: "
        + (", ".join(f"{k} {v}" for k, v in sorted(rejections.items())) or "none")
    )
    if poster is None:
        lines.append("Scheduled posts: not set up")
    else:
        upcoming = ", ".join(t.isoformat(timespec="minutes") for t in poster.upcoming(3))
        state = "paused" if poster.paused else "running"
        lines.append(f"Scheduled posts: {state}; next: {upcoming or 'none'}")
        lines.extend(poster.status_lines())
    uptime = timedelta(seconds=int(time.monotonic() - started))
    lag_text = f", max loop lag {lag.max_lag * 1000:.0f} ms" if lag is not None else ""
    lines.append(f"Uptime: {uptime}{lag_text}")
    return lines
