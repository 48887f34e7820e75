"""Mastodon's settings section, ``MASTODON_<FIELD>`` (apart from the client: reading it
imports no Mastodon.py). Posting to Mastodon is switched on by ``SCHEDULE_POST_TO_MASTODON``."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.env import EnvSection, setting, url
from pipeline.errors import UserError

VISIBILITIES = ("public", "unlisted")


def visibility(key: str, raw: str) -> str:
    if raw.lower() not in VISIBILITIES:
        raise UserError(f"{key}={raw!r}: use one of {', '.join(VISIBILITIES)}; fix it in .env")
    return raw.lower()


@dataclass(frozen=True)
class MastodonSettings(EnvSection):
    """The instance, the account's token, how posts are shown, how long to wait."""

    ENV_PREFIX = "MASTODON_"

    api_base_url: str = setting("", parse=url("http", "https"))  # e.g. https://mastodon.social
    access_token: str = setting("", secret=True)  # Preferences > Development
    # unlisted: on the profile and to followers, kept out of the public timelines
    visibility: str = setting("unlisted", parse=visibility)
    timeout_seconds: float = setting(20.0, low=0.1)

    def missing(self) -> list[str]:
        """The keys a Mastodon target needs that are empty."""
        return [
            self.ENV_PREFIX + name.upper()
            for name in ("api_base_url", "access_token")
            if not getattr(self, name)
        ]
