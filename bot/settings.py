"""The bot's settings, read once at start-up from ``.env`` (python-dotenv) and the environment.

Every key is documented in ``.env.example``. A missing or malformed key raises
:class:`~pipeline.errors.UserError` with one line naming it, so ``deepciso bot`` exits 2
before touching Discord or the model. The token is never part of a repr or a log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pipeline.env import read_env
from pipeline.errors import UserError
from pipeline.paths import DEFAULT_MODEL_DIR


@dataclass(frozen=True)
class BotSettings:
    """What the bot process needs; defaults suit a 2-core box serving one community."""

    discord_token: str | None = field(default=None, repr=False)
    model_dir: Path = DEFAULT_MODEL_DIR
    admin_ids: frozenset[int] = frozenset()
    admin_role_ids: frozenset[int] = frozenset()
    api_base: str | None = None  # DISCORD_API_BASE: a Discord-compatible REST base
    gateway_url: str | None = None  # DISCORD_GATEWAY_URL: its gateway
    prompt_max_chars: int = 200
    cooldown_seconds: float = 30.0
    queue_size: int = 16
    batch_size: int = 8
    batch_wait_ms: int = 20
    request_timeout_seconds: float = 60.0
    max_new_tokens: int = 60
    temperature: float = 0.9
    int8: bool = False
    num_threads: int | None = None
    watch_model: bool = False
    watch_seconds: float = 30.0
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)


def load_settings(
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    require_token: bool = True,
) -> BotSettings:
    """Read and validate every bot key; ``require_token=False`` for console mode."""
    env = read_env(env_file, environ)
    reader = _Reader(env)
    token = env.get("DISCORD_TOKEN", "").strip() or None
    if require_token and token is None:
        raise UserError(
            "DISCORD_TOKEN is missing: put your bot token in .env (see .env.example), "
            "or try the bot without Discord: deepciso bot --console"
        )
    return BotSettings(
        discord_token=token,
        model_dir=Path(env.get("MODEL_DIR", "").strip() or DEFAULT_MODEL_DIR),
        admin_ids=reader.ids("DISCORD_ADMIN_IDS"),
        admin_role_ids=reader.ids("DISCORD_ADMIN_ROLE_IDS"),
        api_base=reader.url("DISCORD_API_BASE", ("http", "https")),
        gateway_url=reader.url("DISCORD_GATEWAY_URL", ("ws", "wss")),
        prompt_max_chars=reader.integer("BOT_PROMPT_MAX_CHARS", 200, 1, 1500),
        cooldown_seconds=reader.number("BOT_COOLDOWN_SECONDS", 30.0, 0.0),
        queue_size=reader.integer("BOT_QUEUE_SIZE", 16, 1),
        batch_size=reader.integer("BOT_BATCH_SIZE", 8, 1),
        batch_wait_ms=reader.integer("BOT_BATCH_WAIT_MS", 20, 0, 1000),
        request_timeout_seconds=reader.number("BOT_REQUEST_TIMEOUT_SECONDS", 60.0, 0.1),
        max_new_tokens=reader.integer("BOT_MAX_NEW_TOKENS", 60, 1, 1024),
        temperature=reader.number("BOT_TEMPERATURE", 0.9, 0.01),
        int8=reader.boolean("BOT_INT8", False),
        num_threads=reader.integer("BOT_NUM_THREADS", None, 1),
        watch_model=reader.boolean("BOT_WATCH_MODEL", False),
        watch_seconds=reader.number("BOT_WATCH_SECONDS", 30.0, 1.0),
        environ=env,
    )


class _Reader:
    """Typed access to env values; every failure is one line naming the key."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def _raw(self, key: str) -> str | None:
        value = self.env.get(key, "").strip()
        return value or None

    def integer(self, key: str, default: int | None, low: int, high: int | None = None) -> Any:
        raw = self._raw(key)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise UserError(f"{key}={raw!r} is not a whole number; fix it in .env") from None
        if value < low or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise UserError(f"{key}={value} is out of range: use a number {span}")
        return value

    def number(self, key: str, default: float, low: float) -> float:
        raw = self._raw(key)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise UserError(f"{key}={raw!r} is not a number; fix it in .env") from None
        if not value >= low:  # also refuses nan
            raise UserError(f"{key}={raw} is out of range: use a number of at least {low:g}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        raw = self._raw(key)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise UserError(f"{key}={raw!r} is not true or false; fix it in .env")

    def ids(self, key: str) -> frozenset[int]:
        raw = self._raw(key)
        if raw is None:
            return frozenset()
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise UserError(
                f"{key}={raw!r} is malformed: use Discord ids (numbers) separated by commas"
            )
        return frozenset(int(p) for p in parts)

    def url(self, key: str, schemes: tuple[str, ...]) -> str | None:
        raw = self._raw(key)
        if raw is None:
            return None
        parsed = urlparse(raw)
        if parsed.scheme not in schemes or not parsed.netloc:
            raise UserError(f"{key}={raw!r} is not a {' or '.join(schemes)} URL; fix it in .env")
        return raw.rstrip("/")
