"""Bluesky's settings section, ``BLUESKY_<FIELD>`` (apart from the client: reading it imports
no atproto). Posting to Bluesky is switched on by ``SCHEDULE_POST_TO_BLUESKY``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.env import EnvSection, setting, url
from pipeline.errors import UserError

# Bluesky's app passwords are four groups of four lowercase letters or digits.
APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")


def app_password(key: str, raw: str) -> str:
    """``raw`` if it has an app password's shape; the value itself never reaches the message
    (an account password would give the bot the whole account)."""
    if not APP_PASSWORD.match(raw):
        raise UserError(
            f"{key} is not an app password (four groups of four letters or digits, "
            "xxxx-xxxx-xxxx-xxxx); never use the account password: make an app password under "
            "Settings > Privacy and security > App passwords (docs/posting-targets.md)"
        )
    return raw


@dataclass(frozen=True)
class BlueskySettings(EnvSection):
    """The account, where its server is, how long to wait for it, where its session is kept."""

    ENV_PREFIX = "BLUESKY_"

    handle: str = ""  # e.g. deepciso.bsky.social
    app_password: str = setting("", parse=app_password, secret=True)
    service: str = setting("https://bsky.social", parse=url("http", "https"))  # or the PDS
    timeout_seconds: float = setting(20.0, low=0.1)
    session_path: Path = Path("deepciso-bluesky.session")  # the saved session (a secret)

    def missing(self) -> list[str]:
        """The keys a Bluesky target needs that are empty."""
        return [
            self.ENV_PREFIX + name.upper()
            for name in ("handle", "app_password")
            if not getattr(self, name)
        ]
