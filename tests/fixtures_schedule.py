"""Fixtures for scheduled posts: the fake X API, a tweepy client pointed at it, a ledger."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.posting.ledger import Ledger
from bot.posting.scheduler import PostScheduler
from bot.posting.settings import X_KEYS, ScheduleSettings
from bot.posting.slots import SlotRunner
from bot.posting.targets.console import ConsoleTarget
from bot.posting.targets.x import XTarget
from bot.posting.targets.x_client import XCredentials, make_client
from pipeline.contentfilter import LengthRules
from tests.fakes.x_api import FakeX

CREDENTIALS = XCredentials("consumer-key", "consumer-secret", "access-token", "access-secret")
# The same keys as .env entries, for tests that start the whole bot.
X_ENV = dict(zip(X_KEYS, dataclasses.astuple(CREDENTIALS), strict=True))
# The same keys as ScheduleSettings fields (x_api_key=...).
X_FIELDS = {key.lower(): value for key, value in X_ENV.items()}


@pytest.fixture(name="fake_x")
def fake_x_fixture():
    with FakeX() as server:
        yield server


@pytest.fixture(name="x_target")
def x_target_fixture(fake_x: FakeX) -> XTarget:
    return XTarget(make_client(CREDENTIALS, base=fake_x.base_url, timeout=0.5))


@pytest.fixture(name="ledger")
def ledger_fixture(tmp_path):
    book = Ledger(tmp_path / "ledger.db")
    yield book
    book.close()


@dataclass
class Meme:
    """The shape of the content filter's ``CleanResult``."""

    text: str | None
    rejected: list = field(default_factory=list)
    candidates: int = 1
    passed: list = field(default_factory=list)


class MemeSource:
    """Hands out fresh texts in order (the generation worker's place in these tests)."""

    def __init__(self, prefix: str = "meme", delay: float = 0.0) -> None:
        self.prefix = prefix
        self.delay = delay
        self.lengths: list[LengthRules] = []  # what each meme had to fit
        self.kinds: list[tuple[str, ...]] = []  # the targets' kinds, per meme

    async def __call__(self, lengths: LengthRules, wanted: int = 1) -> Meme:
        self.lengths.append(lengths)
        self.kinds.append(lengths.kinds)
        if self.delay:
            await asyncio.sleep(self.delay)
        number = len(self.kinds)
        return Meme(
            f"{self.prefix} number {number} goes up only",
            rejected=[("bad one", ("profanity: damn",))],
            candidates=2,
        )


def schedule_settings(tmp_path: Path, fake_x: FakeX | None = None, **overrides) -> ScheduleSettings:
    values = dict(
        post_to_x=fake_x is not None,
        x_api_base=fake_x.base_url if fake_x is not None else None,
        x_timeout_seconds=0.5,
        retry_base_seconds=0.2,
        ledger_path=tmp_path / "ledger.db",
    )
    if fake_x is not None:
        values.update(X_FIELDS)
    values.update(overrides)
    return ScheduleSettings(**values)


def make_targets(settings: ScheduleSettings, console: io.StringIO | None = None) -> list:
    targets: list = [ConsoleTarget(console or io.StringIO())]
    if settings.post_to_x:
        targets.append(XTarget.from_settings(settings))
    return targets


def loop_ticks_while_failing(send, error: type[Exception], match: str) -> int:
    """Run ``send()`` (a coroutine function expected to raise ``error`` matching ``match``) in
    a fresh loop beside a 10 ms ticker; how often the ticker ran meanwhile (a client blocking
    the loop would leave it at zero)."""

    async def main() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        try:
            with pytest.raises(error, match=match):
                await send()
        finally:
            task.cancel()
        return ticks

    return asyncio.run(main())


async def wait_for(condition, timeout: float = 5.0, step: float = 0.02) -> None:
    """Poll ``condition()`` until it is true; fail the test after ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(step)


@contextlib.asynccontextmanager
async def running_scheduler(settings: ScheduleSettings, targets: list, memes, on_posted=None):
    """A started :class:`PostScheduler` on its own ledger connection, stopped afterwards."""
    book = Ledger(settings.ledger_path)
    scheduler = PostScheduler(SlotRunner(settings, book, targets, memes, on_posted))
    await scheduler.start()
    try:
        await scheduler.ready()
        yield scheduler
    finally:
        await scheduler.stop()


def child_post_now(ledger_path: str, x_base: str, meme_delay: float) -> None:
    """Run in a child process: post one slot now (console + X); the test kills it midway."""
    settings = ScheduleSettings(
        post_to_x=True,
        **X_FIELDS,
        x_api_base=x_base,
        x_timeout_seconds=60.0,
        ledger_path=Path(ledger_path),
    )

    async def main() -> None:
        async with running_scheduler(
            settings, make_targets(settings, sys.stdout), MemeSource(delay=meme_delay)
        ) as scheduler:
            print(await scheduler.post_now(), flush=True)

    asyncio.run(main())


def start_child(ledger_path: Path, fake_x: FakeX, meme_delay: float = 0.0) -> subprocess.Popen:
    code = (
        "from tests.fixtures_schedule import child_post_now; "
        f"child_post_now({str(ledger_path)!r}, {fake_x.base_url!r}, {meme_delay!r})"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def kill_when(child: subprocess.Popen, condition, timeout: float = 30.0) -> str:
    """SIGKILL ``child`` (no clean-up runs) once ``condition()`` holds; its output so far."""
    deadline = time.monotonic() + timeout
    while not condition():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            raise AssertionError(f"child ended or hung first:\n{child.communicate()[0]}")
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    return child.communicate(timeout=10)[0]
