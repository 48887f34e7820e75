"""The Discord bot: an ``AutoShardedBot`` with the ``/deepciso`` group, cogs, and the worker.

Intents and allowed mentions are set once here: slash commands need only the ``guilds`` intent,
and ``AllowedMentions.none()`` means no message the bot sends ever pings anyone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.posting import poster as posting
from bot.posting.build import build_poster
from bot.posting.poster import Poster
from bot.posting.scheduler import PostScheduler
from bot.replies import tell
from bot.serving.looplag import LoopLagMonitor
from bot.serving.prompts import PromptGate
from bot.serving.services import open_worker, prompt_gate
from bot.serving.watch import ModelWatcher
from bot.serving.worker import GenerationWorker
from bot.settings import DiscordSettings, Settings
from pipeline.contentfilter import Target
from pipeline.errors import UserError

log = logging.getLogger(__name__)

COGS: tuple[str, ...] = ("bot.cogs.prompt", "bot.cogs.admin", "bot.cogs.approval")
INTENTS = discord.Intents(guilds=True)
ALLOWED_MENTIONS = discord.AllowedMentions.none()
# Concurrent HTTP connections to Discord. discord.py's default is unlimited: a burst of 100
# prompts would open (and TLS-handshake) 100 sockets on the event loop; 16 reused keep-alive
# connections acknowledge the same burst with far less loop time (bench/bot_load.py).
HTTP_CONNECTIONS = 16
# The bot never joins voice: no warnings about voice libraries it does not need.
discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False


def use_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at ``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL`` when they are set."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class DeepcisoTree(app_commands.CommandTree):
    """Turns command errors into a short ephemeral message; unexpected ones are logged."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        original = getattr(error, "original", error)
        if isinstance(error, app_commands.CommandOnCooldown):
            retry_at = int(time.time() + error.retry_after + 0.999)
            text = f"Easy there: you can ask again <t:{retry_at}:R>."
        elif isinstance(error, app_commands.CheckFailure):
            text = str(error)
        elif isinstance(original, posting.PostingNotConfigured):
            text = str(original)
        else:
            log.error("command %s failed", interaction.command, exc_info=original)
            text = "Something went wrong on my side; the admins can find it in the log."
        with contextlib.suppress(discord.HTTPException):
            await tell(interaction, text)


class DeepcisoBot(commands.AutoShardedBot):
    """The bot process's Discord side; the worker (and poster) are made outside and passed in."""

    def __init__(
        self,
        settings: Settings,
        worker: GenerationWorker,
        gate: PromptGate,
        *,
        poster: Poster | None = None,
        sync: bool = False,
        sync_guild: int | None = None,
        **options,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=INTENTS,
            allowed_mentions=ALLOWED_MENTIONS,
            help_command=None,
            tree_cls=DeepcisoTree,
            connector=aiohttp.TCPConnector(limit=HTTP_CONNECTIONS),
            **options,
        )
        self.settings = settings
        self.worker = worker
        self.gate = gate
        self.poster = poster
        self.started = time.monotonic()
        self.lag = LoopLagMonitor(interval=0.05)
        self.watcher: ModelWatcher | None = None
        self.group = app_commands.Group(
            name="deepciso", description="Memes in the voice of this community", guild_only=True
        )
        self._sync = sync
        self._sync_guild = sync_guild

    async def setup_hook(self) -> None:
        if self.settings.discord.gateway_url:
            self._override_gateway(self.settings.discord.gateway_url)
        for extension in COGS:
            await self.load_extension(extension)
        self.lag.start()
        serving = self.settings.serving
        if serving.watch_model:
            self.watcher = ModelWatcher(self.worker, serving.watch_seconds).start()
        if self._sync:
            await self.sync_commands(self._sync_guild)
        if self.poster is None:
            self.poster = build_poster(self.settings, self.worker, client=self)
        if isinstance(self.poster, PostScheduler):
            if self.poster.approval is not None:
                self.get_cog("ApprovalCog").attach(self.poster.approval)
            await self.poster.start()  # in the running loop; discord.py is logged in by now

    def _override_gateway(self, url: str) -> None:
        """AutoShardedBot asks ``/gateway/bot`` for the gateway; answer with ``url`` instead."""
        ask = self.http.get_bot_gateway

        async def get_bot_gateway():
            shards, _discord_url, limits = await ask()
            return shards, url, limits

        self.http.get_bot_gateway = get_bot_gateway  # type: ignore[method-assign]

    async def sync_commands(self, guild_id: int | None = None) -> list[app_commands.AppCommand]:
        """Register ``/deepciso`` with Discord: globally, or in one guild (instant, for testing)."""
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        where = f"guild {guild_id}" if guild_id else "all guilds (may take up to an hour)"
        log.info("synced %d command(s) to %s", len(synced), where)
        return synced

    async def on_ready(self) -> None:
        log.info(
            "ready as %s in %d guild(s), %d shard(s)",
            self.user,
            len(self.guilds),
            self.shard_count or 1,
        )

    async def close(self) -> None:
        if isinstance(self.poster, PostScheduler):
            await self.poster.stop()
        if self.watcher is not None:
            await self.watcher.stop()
        await self.lag.stop()
        await super().close()


async def run_bot(settings: Settings, *, sync: bool = False, sync_guild: int | None = None):
    """Load the model, connect, serve until stopped (Ctrl-C or SIGTERM)."""
    use_endpoints(settings.discord)
    worker = await open_worker(settings, Target.DISCORD)
    try:
        gate = prompt_gate(settings, Target.DISCORD)
        bot = DeepcisoBot(settings, worker, gate, sync=sync, sync_guild=sync_guild)
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows; not main thread
            loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
        async with bot:
            try:
                await bot.start(settings.discord.token or "")
            except discord.LoginFailure:
                raise UserError(
                    "DISCORD_TOKEN was refused by Discord: copy the bot token again from the "
                    "Developer Portal into .env"
                ) from None
            except (aiohttp.ClientConnectionError, discord.GatewayNotFound) as exc:
                raise UserError(
                    f"cannot reach Discord at {discord.http.Route.BASE} ({exc}); check the "
                    "network or DISCORD_API_BASE"
                ) from None
    finally:
        await worker.close()
