"""Scheduled posts for the bot process: the targets, the ledger and the worker, put together.

:func:`build_poster` makes the :class:`~bot.posting.scheduler.PostScheduler` the bot
(``setup_hook``) and console mode start: memes come from the generation worker through the content
filter (``GenerationWorker.generate_post``), posted texts feed the filter's novelty check on the
worker thread, and the targets are the configured Discord channels, X, Bluesky and Mastodon (or,
in console mode, the terminal).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, TextIO

from bot.posting.approval import ApprovalQueue
from bot.posting.ledger import Ledger
from bot.posting.scheduler import PostScheduler
from bot.posting.settings import ScheduleSettings
from bot.posting.slots import SlotRunner
from bot.posting.targets.base import PostTarget
from bot.posting.targets.console import ConsoleTarget
from bot.serving.worker import GenerationWorker
from pipeline.contentfilter import LengthRules
from pipeline.errors import UserError

if TYPE_CHECKING:
    from bot.settings import Settings


def open_ledger(settings: ScheduleSettings) -> Ledger:
    try:
        return Ledger(settings.ledger_path)
    except (sqlite3.Error, OSError) as exc:
        raise UserError(
            f"LEDGER_PATH={settings.ledger_path}: cannot open the post ledger ({exc}); "
            "choose another path in .env"
        ) from None


def remote_targets(settings: Settings, client) -> list[PostTarget]:
    """The configured Discord channels (of ``client``), X, Bluesky and Mastodon."""
    from bot.posting.targets.bluesky import BlueskyTarget
    from bot.posting.targets.discord import DiscordChannelTarget
    from bot.posting.targets.mastodon import MastodonTarget
    from bot.posting.targets.x import XTarget

    posting = settings.posting
    targets: list[PostTarget] = [
        DiscordChannelTarget(client, channel) for channel in posting.discord_channel_ids
    ]
    if posting.post_to_x:
        targets.append(XTarget.from_settings(posting))
    if posting.post_to_bluesky:
        targets.append(BlueskyTarget.from_settings(settings.bluesky))
    if posting.post_to_mastodon:
        targets.append(MastodonTarget.from_settings(settings.mastodon))
    return targets


def build_poster(
    settings: Settings,
    worker: GenerationWorker,
    *,
    client=None,
    console: TextIO | None = None,
) -> PostScheduler | None:
    """The scheduler for Discord ``client`` (channels, X, Bluesky, Mastodon) or for the
    ``console``; None when there is nowhere to post (no channel, no other target, no console)."""
    posting = settings.posting
    if console is not None:
        targets: list[PostTarget] = [ConsoleTarget(console)]
    else:
        targets = remote_targets(settings, client)
    if not targets:
        return None

    async def make_meme(lengths: LengthRules, wanted: int = 1):
        return await worker.generate_post(lengths, wanted=wanted)

    async def remember(text: str) -> None:
        await worker.run(lambda _generator, content_filter: content_filter.remember_posted(text))

    runner = SlotRunner(posting, open_ledger(posting), targets, make_meme, remember)
    scheduler = PostScheduler(runner)
    if console is None and settings.approval.channel_id is not None:
        # on once the Discord cog attaches its announcer (bot.cogs.approval)
        runner.approval = ApprovalQueue(settings.approval, runner, scheduler.send_due)
    return scheduler
