"""Mastodon's ``MASTODON_*`` keys (kept apart from the client: reading them imports no
Mastodon.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from bot.posting.env_section import SectionError, section_from_env

ENV_PREFIX = "MASTODON_"
VISIBILITIES = ("public", "unlisted")


@dataclass(frozen=True)
class MastodonSettings:
    """The ``MASTODON_*`` keys: the instance, the account's token, how posts are shown."""

    api_base_url: str = ""  # e.g. https://mastodon.social
    access_token: str = field(default="", repr=False)  # Preferences > Development
    visibility: str = "unlisted"  # unlisted: on the profile, not in public timelines
    timeout_seconds: float = 20.0

    def __post_init__(self) -> None:
        base = urlparse(self.api_base_url)
        if self.api_base_url and (base.scheme not in ("http", "https") or not base.netloc):
            raise SectionError("api_base_url", "is not an http or https URL")
        if self.visibility not in VISIBILITIES:
            raise SectionError("visibility", f"must be one of {', '.join(VISIBILITIES)}")
        if not self.timeout_seconds > 0:
            raise SectionError("timeout_seconds", "must be above 0")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> MastodonSettings:
        return section_from_env(cls, ENV_PREFIX, environ, {"visibility": str.lower})

    def missing(self) -> list[str]:
        """The keys a Mastodon target needs that are empty."""
        return [
            ENV_PREFIX + name.upper()
            for name in ("api_base_url", "access_token")
            if not getattr(self, name)
        ]
