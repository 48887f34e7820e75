"""The settings: ``.env`` (python-dotenv) and the environment, read once at start-up into one
typed :class:`Settings` made of sections.

Each section is a frozen dataclass whose fields are its keys (see :mod:`pipeline.env`): the
default is the field's, the key derives from the field's name, and ``.env.example`` lists every
key with its default (a test keeps them equal). A malformed key raises
:class:`~pipeline.errors.UserError` with one line naming it, so ``deepciso bot`` exits 2 before
touching Discord or the model. Secrets (the Discord token, the X keys) are never part of a repr
or a log line; a key in ``.env`` that no section knows is logged as a warning with the closest
known key, never with its value.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.posting.approval import ApprovalSettings
from bot.posting.settings import ScheduleSettings, check_target_keys
from bot.posting.targets.bluesky_settings import BlueskySettings
from bot.posting.targets.mastodon_settings import MastodonSettings
from pipeline.cli import LOG_LEVEL_ENV
from pipeline.contentfilter import FilterSettings
from pipeline.env import EnvSection, env_path, read_env_file, setting, url, walk_keys
from pipeline.errors import UserError
from pipeline.generate.generator import SamplingSettings
from pipeline.paths import DEFAULT_MODEL_DIR

log = logging.getLogger(__name__)

# A bot token: three base64url parts separated by dots (user id, timestamp, signature).
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{16,}")


def discord_token(key: str, raw: str) -> str:
    """``raw`` if it has a bot token's shape; the value itself never reaches the message."""
    if not _TOKEN_SHAPE.fullmatch(raw):
        hint = "remove the 'Bot ' in front" if raw.lower().startswith("bot ") else "copy it again"
        raise UserError(
            f"{key} does not look like a bot token (three base64url parts joined by dots, no "
            f"spaces): {hint} from the Developer Portal (Bot > Reset Token) into .env"
        )
    return raw


@dataclass(frozen=True)
class DiscordSettings(EnvSection):
    """The Discord connection and who the admins are (``DISCORD_<FIELD>``)."""

    ENV_PREFIX = "DISCORD_"

    token: str | None = setting(None, parse=discord_token, secret=True)
    admin_ids: frozenset[int] = frozenset()
    admin_role_ids: frozenset[int] = frozenset()
    api_base: str | None = setting(None, parse=url("http", "https"))  # a compatible server
    gateway_url: str | None = setting(None, parse=url("ws", "wss"))  # and its gateway


@dataclass(frozen=True)
class ServingSettings(EnvSection):
    """The model the bot serves and how (``BOT_<FIELD>``, and ``MODEL_DIR``); defaults suit a
    2-core box serving one community."""

    ENV_PREFIX = "BOT_"

    model_dir: Path = setting(DEFAULT_MODEL_DIR, prefix="")
    prompt_max_chars: int = setting(200, low=1, high=1500)
    cooldown_seconds: float = setting(30.0, low=0.0)
    queue_size: int = setting(16, low=1)
    batch_size: int = setting(8, low=1)
    batch_wait_ms: int = setting(20, low=0, high=1000)
    request_timeout_seconds: float = setting(60.0, low=0.1)
    max_new_tokens: int = setting(SamplingSettings.max_new_tokens, low=1, high=1024)
    temperature: float = setting(SamplingSettings.temperature, low=0.01)
    int8: bool = False
    num_threads: int | None = setting(None, low=1)
    watch_model: bool = False
    watch_seconds: float = setting(30.0, low=1.0)


@dataclass(frozen=True)
class Settings:
    """Everything the bot process reads from ``.env``, one section per room."""

    discord: DiscordSettings = field(default_factory=DiscordSettings)
    serving: ServingSettings = field(default_factory=ServingSettings)
    filter: FilterSettings = field(default_factory=FilterSettings)
    posting: ScheduleSettings = field(default_factory=ScheduleSettings)
    bluesky: BlueskySettings = field(default_factory=BlueskySettings)
    mastodon: MastodonSettings = field(default_factory=MastodonSettings)
    approval: ApprovalSettings = field(default_factory=ApprovalSettings)

    def __post_init__(self) -> None:
        check_target_keys(self.posting, self.bluesky, self.mastodon)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        posting = ScheduleSettings.from_env(env)
        filtering = FilterSettings.from_env(env)
        return cls(
            discord=DiscordSettings.from_env(env),
            serving=ServingSettings.from_env(env),
            filter=filtering,
            posting=dataclasses.replace(posting, recent_texts=filtering.recent_posts),
            bluesky=BlueskySettings.from_env(env),
            mastodon=MastodonSettings.from_env(env),
            approval=ApprovalSettings.from_env(env),
        )


def known_keys() -> set[str]:
    """Every key a section reads, plus the log level (read before the settings)."""
    return {key for key, _ in walk_keys(Settings)} | {LOG_LEVEL_ENV}


def warn_unknown_keys(keys: set[str] | list[str], where: Path) -> None:
    """A WARNING for each key of ``where`` that looks like ours (one of our prefixes) but is no
    setting: the closest known key is named, the value never."""
    known = known_keys()
    prefixes = {key.split("_", 1)[0] + "_" for key in known}
    for key in sorted(keys):
        if key in known or not key.startswith(tuple(prefixes)):
            continue
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean {close[0]}?" if close else "see .env.example for the keys"
        log.warning("%s: %s is not a setting and is ignored; %s", where, key, hint)


def load_settings(
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    require_token: bool = True,
) -> Settings:
    """Read ``.env`` (or ``env_file``) once, overlaid by ``environ`` (default: the process
    environment), and check every key; ``require_token=False`` for console mode."""
    from_file = read_env_file(env_file)
    warn_unknown_keys(set(from_file), env_path(env_file))
    env = {**from_file, **(os.environ if environ is None else environ)}
    settings = Settings.from_env(env)
    if require_token and settings.discord.token is None:
        raise UserError(
            "DISCORD_TOKEN is missing: put your bot token in .env (see .env.example), "
            "or try the bot without Discord: deepciso bot --console"
        )
    return settings
