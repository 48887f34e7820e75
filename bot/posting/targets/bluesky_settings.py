"""Bluesky's ``BLUESKY_*`` keys (kept apart from the client: reading them imports no atproto)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bot.posting.env_section import SectionError, section_from_env

ENV_PREFIX = "BLUESKY_"
# Bluesky's app passwords are four groups of four lowercase letters or digits.
APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")


@dataclass(frozen=True)
class BlueskySettings:
    """The ``BLUESKY_*`` keys: the account, where its server is, how long to wait for it."""

    handle: str = ""  # e.g. deepciso.bsky.social
    app_password: str = field(default="", repr=False)  # Settings > Privacy and security
    service: str = "https://bsky.social"  # the account's server (its PDS or bsky.social)
    timeout_seconds: float = 20.0
    session_path: Path = Path("deepciso-bluesky.session")  # the saved session (a secret)

    def __post_init__(self) -> None:
        if self.app_password and not APP_PASSWORD.match(self.app_password):
            raise SectionError(
                "app_password",
                "is not an app password (four groups of four letters or digits, "
                "xxxx-xxxx-xxxx-xxxx); never use the account password: make an app password "
                "under Settings > Privacy and security > App passwords",
            )
        service = urlparse(self.service)
        if service.scheme not in ("http", "https") or not service.netloc:
            raise SectionError("service", "is not an http or https URL")
        if not self.timeout_seconds > 0:
            raise SectionError("timeout_seconds", "must be above 0")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> BlueskySettings:
        return section_from_env(cls, ENV_PREFIX, environ)

    def missing(self) -> list[str]:
        """The keys a Bluesky target needs that are empty."""
        return [
            ENV_PREFIX + name.upper()
            for name in ("handle", "app_password")
            if not getattr(self, name)
        ]
