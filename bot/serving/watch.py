"""Notice a newer model in ``MODEL_DIR`` (``deepciso train`` swaps the folder in atomically)
and hot-reload it. Enabled with ``BOT_WATCH_MODEL=true``."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.serving.worker import GenerationWorker, ReloadFailed
from pipeline import model_folder

log = logging.getLogger(__name__)


class ModelWatcher:
    """Polls ``worker.model_dir`` every ``interval`` seconds; reloads when its files change.

    A model that fails to load is reported once and not retried until it changes again.
    """

    def __init__(self, worker: GenerationWorker, interval: float) -> None:
        self.worker = worker
        self.interval = interval
        self.seen = model_folder.signature(worker.model_dir)
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
        signature = model_folder.signature(self.worker.model_dir)
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
