"""Run the real bot (discord.py, worker, filter, tiny model) against the loopback Discord fake."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import discord

from bot.app import DeepcisoBot, use_endpoints
from bot.serving.services import open_worker, prompt_gate
from bot.serving.worker import GenerationWorker
from bot.settings import Settings
from pipeline.contentfilter import Target
from tests.fakes.discord_server import FAKE_TOKEN, FakeDiscord, FakeUser
from tests.fixtures_model import SAMPLE_LINES, make_tiny_model_dir

TOKEN = FAKE_TOKEN


def tiny_model(path: Path, trained_at: str = "2026-01-01T00:00:00+00:00", seed: int = 0) -> Path:
    return make_tiny_model_dir(path, seed=seed, metadata={"trained_at": trained_at})


# Ten words of a training line: more than the filter's 8-word novelty run.
QUOTE = " ".join(SAMPLE_LINES[1].split()[:10])


def quoting_model(folder: Path) -> Path:
    """A tiny model whose ``deepciso.json`` names the corpus it was trained on, so the bot's
    novelty check knows the training lines (``QUOTE`` quotes one of them)."""
    corpus = folder / "model.txt"
    folder.mkdir(parents=True, exist_ok=True)
    corpus.write_text("\n".join(SAMPLE_LINES) + "\n", encoding="utf-8")
    metadata = {"trained_at": "2026-01-01T00:00:00+00:00", "corpus": str(corpus)}
    return make_tiny_model_dir(folder / "trained_model", metadata=metadata)


def bot_settings(model_dir: Path, environ: dict | None = None, **overrides) -> Settings:
    """The settings ``environ`` (keys as in .env) gives, for a fast test bot serving
    ``model_dir``; ``overrides`` name fields of the Discord or serving section
    (``discord_token`` is the Discord section's ``token``)."""
    settings = Settings.from_env(environ or {})
    values = dict(
        token=TOKEN, model_dir=model_dir, cooldown_seconds=0, batch_wait_ms=5,
        request_timeout_seconds=30, max_new_tokens=20,
    )  # fmt: skip
    values.update(overrides)
    if "discord_token" in values:
        values["token"] = values.pop("discord_token")
    sections = {}
    for name in ("discord", "serving"):
        section = getattr(settings, name)
        own = {f.name for f in dataclasses.fields(section)}
        sections[name] = dataclasses.replace(
            section, **{k: v for k, v in values.items() if k in own}
        )
        values = {k: v for k, v in values.items() if k not in own}
    if values:
        raise TypeError(f"no such setting: {', '.join(values)}")
    return dataclasses.replace(settings, **sections)


@dataclasses.dataclass
class BotWorld:
    """The fake Discord, the running bot, and users to act with."""

    discord: FakeDiscord
    bot: DeepcisoBot
    admin: FakeUser
    member: FakeUser

    @property
    def worker(self) -> GenerationWorker:
        return self.bot.worker


@contextlib.asynccontextmanager
async def endpoints_restored() -> AsyncIterator[None]:
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    try:
        yield
    finally:
        discord.http.Route.BASE = base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@contextlib.asynccontextmanager
async def started_bot(settings: Settings, sync_guild: int | None = None, **options):
    """The real bot (worker, filter, discord.py) for ``settings``, connected and ready."""
    use_endpoints(settings.discord)
    worker = await open_worker(settings, Target.DISCORD)
    bot = DeepcisoBot(
        settings,
        worker,
        prompt_gate(settings, Target.DISCORD),
        sync=sync_guild is not None,
        sync_guild=sync_guild,
        guild_ready_timeout=0.05,
        **options,
    )
    task = asyncio.create_task(bot.start(TOKEN))
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
        await asyncio.wait({task, ready}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # raise what stopped the bot
        assert ready.done(), "the bot did not become ready"
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)
        await worker.close()


@contextlib.asynccontextmanager
async def running_bot(
    model_dir: Path,
    *,
    sync: bool = True,
    fake: FakeDiscord | None = None,
    **overrides,
) -> AsyncIterator[BotWorld]:
    """Start the fake (unless one already runs), then the bot pointed at it (DISCORD_API_BASE),
    connected and (``sync``) with its commands synced to the fake's guild."""
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(endpoints_restored())
        if fake is None:
            fake = await stack.enter_async_context(FakeDiscord())
        admin_role = fake.add_role("meme admins")
        admin = fake.add_user("admin", roles=[admin_role])
        member = fake.add_user("member")
        settings = bot_settings(
            model_dir,
            api_base=fake.api_base,
            admin_role_ids=frozenset({admin_role}),
            **overrides,
        )
        guild = fake.guild_id if sync else None
        async with started_bot(settings, guild) as bot:
            yield BotWorld(fake, bot, admin, member)


@contextlib.asynccontextmanager
async def blocked(worker: GenerationWorker) -> AsyncIterator[threading.Event]:
    """Keep the worker thread busy (a call that waits) until the block exits or is released."""
    release, entered = threading.Event(), threading.Event()

    def hold(_generator, _filter) -> None:
        entered.set()
        release.wait(30)

    call = asyncio.create_task(worker.run(hold))
    await asyncio.to_thread(entered.wait, 10)
    try:
        yield release
    finally:
        release.set()
        await call
