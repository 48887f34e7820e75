"""A ``Mastodon.py`` client, and what the instance allows per post.

The client never sleeps on a rate limit (``ratelimit_method="throw"``: a 429 is raised and
the post waits in the ledger for the reset) and gives every request a timeout. The length
limit is the instance's own ``configuration.statuses.max_characters`` (``/api/v2/instance``,
or ``/api/v1/instance`` on servers without v2; Pleroma-style ``max_toot_chars`` too).
"""

from __future__ import annotations

import hashlib

from mastodon import Mastodon, MastodonNotFoundError

from bot.posting.targets.mastodon_settings import MastodonSettings


def make_client(settings: MastodonSettings) -> Mastodon:
    return Mastodon(
        access_token=settings.access_token,
        api_base_url=settings.api_base_url,
        request_timeout=settings.timeout_seconds,
        ratelimit_method="throw",
        version_check_mode="none",
    )


def instance_max_characters(client: Mastodon) -> int | None:
    """The instance's longest post in characters, or None when it does not say."""
    try:
        instance = client.instance_v2()
    except MastodonNotFoundError:  # before Mastodon 4.0
        instance = client.instance_v1()
    statuses = (instance.get("configuration") or {}).get("statuses") or {}
    limit = statuses.get("max_characters") or instance.get("max_toot_chars")
    return int(limit) if isinstance(limit, int | str) and str(limit).isdigit() else None


def idempotency_key(target: str, nonce: str | None, text: str) -> str:
    """The same key for every try of one delivery (slot and target, in ``nonce``) of one
    text, so that the instance creates the post once however often the send is repeated."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"deepciso-{target}-{nonce or 'manual'}-{digest}"
