"""The generation worker: one thread owns the model, the event loop only awaits results.

Prompts go into a bounded queue (full: :class:`WorkerBusy` at once, nothing hangs). The worker
thread takes the first waiting prompt plus whatever else arrived with it (up to ``batch_size``,
waiting at most ``batch_wait`` for company) and runs them as one ``Generator.generate`` call; the
content filter checks each prompt's candidates against that prompt, with more rounds for the prompts
that have no clean meme yet (:func:`~pipeline.contentfilter.clean_memes`). A caller that stops
waiting (:class:`WorkerTimeout`) leaves the worker running; its prompt is skipped if not yet
started.

Hot reload loads the new model in another thread, beside the old one, then swaps it in between
batches: prompts already queued finish, a model that fails to load leaves the old one serving.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pipeline.contentfilter import (
    CleanResult,
    ContentFilter,
    LengthRules,
    Target,
    clean_memes,
    reason_code,
)
from pipeline.generate.generator import Generator, SamplingSettings

log = logging.getLogger(__name__)

T = TypeVar("T")
Loader = Callable[[Path], Generator]


class WorkerError(Exception):
    """A prompt could not be answered; the message is fit to show the user."""


class WorkerBusy(WorkerError):
    """The queue is full."""


class WorkerTimeout(WorkerError):
    """The answer did not come within the request timeout (the worker carries on)."""


class NoCleanMeme(WorkerError):
    """No candidate passed the content filter."""


class ReloadFailed(Exception):
    """The new model could not be loaded; the old one keeps serving."""


@dataclass(frozen=True)
class WorkerSettings:
    """How the worker batches and waits (from the serving settings, ``bot.serving.services``);
    candidates per prompt are the filter's settings."""

    queue_size: int
    batch_size: int
    batch_wait: float  # seconds the first prompt of a batch waits for company
    timeout: float
    sampling: SamplingSettings
    target: Target


@dataclass(frozen=True)
class Meme:
    """A filtered answer and the model that made it."""

    prompt: str
    text: str
    model_dir: Path
    trained_at: str | None
    candidates: int


@dataclass
class WorkerStats:
    batches: int = 0
    answered: int = 0
    skipped: int = 0  # timed out before the worker reached them
    busy: int = 0
    timeouts: int = 0
    failures: int = 0
    reloads: int = 0
    largest_batch: int = 0
    last_batch_seconds: float = 0.0


@dataclass
class _Prompt:
    text: str
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop


@dataclass
class _Call:
    fn: Callable[[], Any]
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop


_STOP = object()


class GenerationWorker:
    """Owns one :class:`Generator` on a dedicated thread; see the module docstring."""

    def __init__(
        self,
        generator: Generator,
        content_filter: ContentFilter,
        settings: WorkerSettings,
        *,
        loader: Loader = Generator.load,
        model_dir: Path | None = None,
    ) -> None:
        self._generator = generator
        self._filter = content_filter
        self.settings = settings
        self._loader = loader
        self.model_dir = Path(model_dir or generator.model_dir)  # where reload looks
        self.stats = WorkerStats()
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._held: collections.deque = collections.deque()
        self._pending = 0
        self._reload_lock = asyncio.Lock()
        self._thread = threading.Thread(target=self._serve, name="deepciso-generator", daemon=True)
        self._started = False
        self._stopping = threading.Event()

    @classmethod
    async def open(
        cls,
        model_dir: Path,
        content_filter: ContentFilter | Callable[[Generator], ContentFilter],
        settings: WorkerSettings,
        *,
        loader: Loader = Generator.load,
    ) -> GenerationWorker:
        """Load the model (off the loop) and start the worker thread.

        ``content_filter`` may be a function of the loaded generator (to use its corpus).
        """
        generator = await asyncio.to_thread(loader, Path(model_dir))
        if callable(content_filter) and not isinstance(content_filter, ContentFilter):
            content_filter = content_filter(generator)
        worker = cls(generator, content_filter, settings, loader=loader, model_dir=model_dir)
        worker.start()
        return worker

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self._started = True
        self._thread.start()

    async def close(self) -> None:
        """Stop after the current batch; waiting prompts are failed, not left hanging."""
        if not self._started:
            return
        self._stopping.set()
        self._inbox.put(_STOP)
        await asyncio.to_thread(self._thread.join)
        self._started = False

    @property
    def running(self) -> bool:
        return self._started and self._thread.is_alive()

    # ------------------------------------------------------------------ what the loop sees
    @property
    def generator_info(self) -> dict:
        """The serving model's ``deepciso.json`` plus what loading found."""
        return dict(self._generator.info)

    @property
    def serving_dir(self) -> Path:
        return Path(self._generator.model_dir)

    @property
    def queue_depth(self) -> int:
        """Prompts accepted and not answered yet (waiting or being generated)."""
        return self._pending

    @property
    def content_filter(self) -> ContentFilter:
        return self._filter

    def rejections(self) -> dict[str, int]:
        """Filter rejections by reason (a copy, atomic under the GIL)."""
        return dict(self._filter.rejections)

    # ------------------------------------------------------------------ prompts
    def submit(self, prompt: str) -> asyncio.Future:
        """Queue one prompt; raises :class:`WorkerBusy` at once when the queue is full."""
        if not self.running:
            raise WorkerError("The meme generator is not running; try again in a minute.")
        if self._pending >= self.settings.queue_size:
            self.stats.busy += 1
            raise WorkerBusy("The bot is busy making other memes; try again in a minute.")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending += 1
        future.add_done_callback(self._release)
        self._inbox.put(_Prompt(prompt, future, loop))
        return future

    def _release(self, _future: asyncio.Future) -> None:
        self._pending -= 1

    async def result(self, future: asyncio.Future) -> Meme:
        """Wait for a submitted prompt's meme, at most the request timeout."""
        try:
            return await asyncio.wait_for(future, self.settings.timeout)
        except TimeoutError:
            self.stats.timeouts += 1
            raise WorkerTimeout(
                f"That took longer than {self.settings.timeout:g} s, so I gave up; "
                "please try again."
            ) from None

    async def generate(self, prompt: str) -> Meme:
        return await self.result(self.submit(prompt))

    # ------------------------------------------------------------------ calls on the worker
    async def run(self, fn: Callable[[Generator, ContentFilter], T]) -> T:
        """Run ``fn(generator, content_filter)`` on the worker thread, between batches.

        This is how other features (scheduled posts) use the model without sharing it.
        """
        return await self._call(lambda: fn(self._generator, self._filter))

    async def generate_post(
        self, target: Target | LengthRules, max_length: int | None = None, wanted: int = 1
    ) -> CleanResult:
        """Filtered texts without a prompt, for a scheduled post to ``target``: one target
        (whose own length limit, such as a Mastodon instance's, is ``max_length``) or
        :class:`LengthRules`, every target the post goes to (it must fit them all); ``wanted``
        of them when they can be found (the approval queue's candidates)."""

        def make(generator: Generator, content_filter: ContentFilter) -> CleanResult:
            return clean_memes(
                generator,
                (),
                content_filter,
                target,
                self.settings.sampling,
                max_length=max_length,
                wanted=wanted,
            )[0]

        return await self.run(make)

    async def _call(self, fn: Callable[[], T]) -> T:
        if not self.running:
            raise WorkerError("The meme generator is not running.")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._inbox.put(_Call(fn, future, loop))
        return await future

    # ------------------------------------------------------------------ hot reload
    async def reload(self, model_dir: Path | None = None) -> dict:
        """Load ``model_dir`` (default: the configured folder) beside the old model, then swap.

        Returns the new model's info; raises :class:`ReloadFailed` (old model still serving).
        """
        path = Path(model_dir or self.model_dir)
        async with self._reload_lock:
            try:
                new = await asyncio.to_thread(self._loader, path)
            except Exception as exc:
                log.warning("reload of %s failed, still serving the old model: %s", path, exc)
                raise ReloadFailed(f"{path}: {exc}") from exc
            old_dir = await self._call(lambda: self._swap(new))
            log.info("model reloaded: %s (was %s)", new.model_dir, old_dir)
            return dict(new.info)

    def _swap(self, new: Generator) -> Path:
        old, self._generator = self._generator, new
        self.stats.reloads += 1
        return Path(old.model_dir)

    # ------------------------------------------------------------------ the thread
    def _serve(self) -> None:
        while True:
            item = self._next(None)
            if item is _STOP or self._stopping.is_set():
                self._held.appendleft(item)
                break
            if isinstance(item, _Call):
                self._run_call(item)
                continue
            self._run_batch(self._gather(item))
        while True:  # fail what is left instead of leaving callers waiting
            try:
                item = self._held.popleft() if self._held else self._inbox.get_nowait()
            except queue.Empty:
                return
            if item is not _STOP:
                _resolve(item, error=WorkerError("The bot is shutting down."))

    def _next(self, timeout: float | None) -> Any:
        if self._held:
            return self._held.popleft()
        return self._inbox.get(timeout=timeout)

    def _gather(self, first: _Prompt) -> list[_Prompt]:
        """The first prompt plus those that arrive with it (up to batch_size)."""
        batch = [first]
        deadline = time.monotonic() + self.settings.batch_wait
        while len(batch) < self.settings.batch_size:
            try:
                item = self._next(max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if not isinstance(item, _Prompt):
                self._held.appendleft(item)  # calls and stop run after this batch
                break
            batch.append(item)
        return batch

    def _run_call(self, call: _Call) -> None:
        try:
            result = call.fn()
        except Exception as exc:
            _resolve(call, error=exc)
        else:
            _resolve(call, result=result)

    def _run_batch(self, batch: list[_Prompt]) -> None:
        live = [p for p in batch if not p.future.done()]
        self.stats.skipped += len(batch) - len(live)
        if not live:
            return
        started = time.perf_counter()
        generator = self._generator
        try:
            results = clean_memes(
                generator,
                [p.text for p in live],
                self._filter,
                self.settings.target,
                self.settings.sampling,
            )
        except Exception as exc:
            log.exception("generation failed for a batch of %d", len(live))
            self.stats.failures += len(live)
            for prompt in live:
                _resolve(prompt, error=WorkerError(f"The generator failed: {exc}"))
            return
        self.stats.batches += 1
        self.stats.largest_batch = max(self.stats.largest_batch, len(live))
        for prompt, result in zip(live, results, strict=True):
            if prompt.future.done():  # the caller stopped waiting
                continue
            if result.text is None:
                _resolve(prompt, error=_no_clean_meme(result))
                continue
            self.stats.answered += 1
            meme = Meme(
                prompt=prompt.text,
                text=result.text,
                model_dir=Path(generator.model_dir),
                trained_at=generator.info.get("trained_at"),
                candidates=result.candidates,
            )
            _resolve(prompt, result=meme)
        self.stats.last_batch_seconds = time.perf_counter() - started


def _no_clean_meme(result: CleanResult) -> NoCleanMeme:
    reasons = collections.Counter(reason_code(r) for _, why in result.rejected for r in why)
    common = ", ".join(reason for reason, _ in reasons.most_common(3)) or "none passed"
    return NoCleanMeme(
        f"None of the {result.candidates} memes I made for that prompt passed the "
        f"content filter ({common}); try another prompt."
    )


def _resolve(item: _Prompt | _Call, *, result: Any = None, error: BaseException | None = None):
    """Complete ``item``'s future from the worker thread, unless the caller stopped waiting."""

    def complete() -> None:
        if item.future.done():
            return
        if error is not None:
            item.future.set_exception(error)
        else:
            item.future.set_result(result)

    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting any more
        item.loop.call_soon_threadsafe(complete)
