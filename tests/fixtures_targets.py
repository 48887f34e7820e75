"""Fixtures for the Bluesky and Mastodon targets: the fake PDS and instance, real clients
pointed at them, and a child process to kill in the middle of a send."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from bot.posting.settings import ScheduleSettings
from bot.posting.targets.bluesky import BlueskyTarget
from bot.posting.targets.bluesky_settings import BlueskySettings
from bot.posting.targets.mastodon import MastodonTarget
from bot.posting.targets.mastodon_settings import MastodonSettings
from bot.settings import Settings
from tests.fakes.bluesky_server import APP_PASSWORD, HANDLE, FakeBluesky
from tests.fakes.mastodon_server import TOKEN, FakeMastodon
from tests.fixtures_schedule import MemeSource, make_targets, running_scheduler

TIMEOUT = 0.5  # seconds: the fakes' slow answers take longer


def bluesky_settings(pds: FakeBluesky, tmp_path: Path, **overrides) -> BlueskySettings:
    values = dict(
        handle=HANDLE,
        app_password=APP_PASSWORD,
        service=pds.base_url,
        timeout_seconds=TIMEOUT,
        session_path=tmp_path / "bluesky.session",
    )
    return BlueskySettings(**(values | overrides))


def mastodon_settings(instance: FakeMastodon, **overrides) -> MastodonSettings:
    values = dict(api_base_url=instance.base_url, access_token=TOKEN, timeout_seconds=TIMEOUT)
    return MastodonSettings(**(values | overrides))


@pytest.fixture(name="fake_bluesky")
def fake_bluesky_fixture():
    with FakeBluesky() as server:
        yield server


@pytest.fixture(name="fake_mastodon")
def fake_mastodon_fixture():
    with FakeMastodon() as server:
        yield server


@pytest.fixture(name="bluesky_target")
def bluesky_target_fixture(fake_bluesky, tmp_path) -> BlueskyTarget:
    return BlueskyTarget.from_settings(bluesky_settings(fake_bluesky, tmp_path))


@pytest.fixture(name="mastodon_target")
def mastodon_target_fixture(fake_mastodon) -> MastodonTarget:
    return MastodonTarget.from_settings(mastodon_settings(fake_mastodon))


def targets_settings(
    tmp_path: Path,
    pds: FakeBluesky | None = None,
    instance: FakeMastodon | None = None,
    timeout: float = TIMEOUT,
    **overrides,
) -> Settings:
    """Settings posting to the console, and to ``pds`` and ``instance`` if given;
    ``overrides`` are posting fields."""
    posting: dict = dict(retry_base_seconds=0.2, ledger_path=tmp_path / "ledger.db")
    sections: dict = {}
    if pds is not None:
        posting["post_to_bluesky"] = True
        sections["bluesky"] = bluesky_settings(pds, tmp_path, timeout_seconds=timeout)
    if instance is not None:
        posting["post_to_mastodon"] = True
        sections["mastodon"] = mastodon_settings(instance, timeout_seconds=timeout)
    return Settings(posting=ScheduleSettings(**(posting | overrides)), **sections)


def all_targets(settings: Settings, console=None) -> list:
    """The console, then Bluesky and Mastodon as the settings say (real clients)."""
    targets = make_targets(settings.posting, console)
    if settings.posting.post_to_bluesky:
        targets.append(BlueskyTarget.from_settings(settings.bluesky))
    if settings.posting.post_to_mastodon:
        targets.append(MastodonTarget.from_settings(settings.mastodon))
    return targets


def post_once(settings: Settings, console=None, memes=None):
    """Start the scheduler (recovery runs), post one slot now, stop; the summary, the ledger's
    slots and deliveries."""

    async def main():
        async with running_scheduler(
            settings.posting, all_targets(settings, console), memes or MemeSource()
        ) as scheduler:
            summary = await scheduler.post_now()
            return summary, scheduler.ledger.slots(), scheduler.ledger.deliveries()

    return asyncio.run(main())


def restart(settings: Settings, console=None, memes=None):
    """Start the scheduler (recovery and retries run), stop; the ledger's slots, deliveries."""

    async def main():
        async with running_scheduler(
            settings.posting, all_targets(settings, console), memes or MemeSource("after restart")
        ) as scheduler:
            return scheduler.ledger.slots(), scheduler.ledger.deliveries()

    return asyncio.run(main())


def child_post_now(settings_repr: dict) -> None:
    """Run in a child process: post one slot now to the console and the given targets."""
    tmp_path = Path(settings_repr["tmp_path"])
    pds = _Remote(settings_repr.get("pds"))
    instance = _Remote(settings_repr.get("instance"))
    settings = targets_settings(
        tmp_path,
        pds if pds.base_url else None,
        instance if instance.base_url else None,
        timeout=60.0,
    )

    async def main() -> None:
        async with running_scheduler(
            settings.posting, all_targets(settings, sys.stdout), MemeSource()
        ) as scheduler:
            print(await scheduler.post_now(), flush=True)

    asyncio.run(main())


class _Remote:
    """Stands in for a fake server in the child: only its address is needed."""

    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url


def start_child(
    tmp_path: Path, pds: FakeBluesky | None = None, instance: FakeMastodon | None = None
) -> subprocess.Popen:
    spec = {
        "tmp_path": str(tmp_path),
        "pds": pds.base_url if pds else None,
        "instance": instance.base_url if instance else None,
    }
    code = f"from tests.fixtures_targets import child_post_now; child_post_now({spec!r})"
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
