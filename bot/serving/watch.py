"""Notice a newer model in ``MODEL_DIR`` (``deepciso train`` swaps the folder in atomically)
and hot-reload it. Enabled with ``BOT_WATCH_MODEL=true``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from bot.serving.worker import GenerationWorker, ReloadFailed

log = logging.getLogger(__name__)

WATCHED_FILES = ("deepciso.json", "config.json", "model.safetensors")


def model_signature(model_dir: Path) -> tuple | None:
    """What changes when a new model is written: the files' modification times and sizes."""
    try:
        stats = [(Path(model_dir) / name).stat() for name in WATCHED_FILES]
    except FileNotFoundError:  # missing, or mid-swap: look again next time
        return None
    return tuple((s.st_mtime_ns, s.st_size) for s in stats)


class ModelWatcher:
    """Polls ``worker.model_dir`` every ``interval`` seconds; reloads when its files change.

    A model that fails to load is reported once and not retried until it changes again.
    """

    def __init__(self, worker: GenerationWorker, interval: float) -> None:
        self.worker = worker
        self.interval = interval
        self.seen = model_signature(worker.model_dir)
        self._task: asyncio.Task | None = None

    def start(self) -> ModelWatcher:
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="model-watch")
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def check(self) -> bool:
        """Reload if the folder changed since last seen; True when a new model now serves."""
        signature = model_signature(self.worker.model_dir)
        if signature is None or signature == self.seen:
            return False
        self.seen = signature
        log.info("a newer model appeared in %s; reloading", self.worker.model_dir)
        try:
            await self.worker.reload()
        except ReloadFailed as exc:
            log.warning("not switching to the new model: %s", exc)
            return False
        return True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.check()
