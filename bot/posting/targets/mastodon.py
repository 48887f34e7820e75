"""Post a text to Mastodon with ``Mastodon.status_post`` in a thread; failures become post
errors.

Every try of a delivery carries the same ``Idempotency-Key`` (:func:`idempotency_key`): the
instance remembers it for an hour and answers a repeat with the post it already made, so a
retry after a timeout or a crash never posts twice. Before the first post,
:meth:`MastodonTarget.prepare` checks the token (``verify_credentials``) and reads the
instance's length limit, which the content filter then checks against. A 401 (a revoked
token) or a 403 on posting (a token without ``write:statuses``) marks the target unhealthy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from bot.posting.errors import (
    PostRejected,
    RateLimited,
    TargetUnhealthy,
    TransientError,
)
from bot.posting.targets.base import mark_unhealthy
from bot.posting.targets.mastodon_client import (
    idempotency_key,
    instance_max_characters,
    make_client,
)
from bot.posting.targets.mastodon_settings import MastodonSettings
from pipeline.contentfilter.length import MASTODON_DEFAULT_MAX_CHARS

log = logging.getLogger(__name__)

MASTODON_TARGET = "mastodon"
T = TypeVar("T")


def _reason(exc: MastodonAPIError) -> str:
    """``Mastodon.py``'s error args are (text, status, reason, error message)."""
    parts = [str(a) for a in exc.args[1:] if a not in (None, "")]
    return " ".join(parts) or str(exc)


def _status(exc: MastodonAPIError) -> int | None:
    return exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None


class MastodonTarget:
    """One Mastodon account; ``problem`` is set (and stays) once the instance refused the
    token; ``max_length`` is the instance's limit once :meth:`prepare` has read it."""

    name = MASTODON_TARGET

    def __init__(self, client: Mastodon, settings: MastodonSettings) -> None:
        self.client = client
        self.settings = settings
        self.problem: str | None = None
        self.max_length = MASTODON_DEFAULT_MAX_CHARS
        self.prepared = False

    @classmethod
    def from_settings(cls, settings: MastodonSettings) -> MastodonTarget:
        """For the account of ``MASTODON_ACCESS_TOKEN`` on ``MASTODON_API_BASE_URL``."""
        return cls(make_client(settings), settings)

    async def prepare(self) -> None:
        """Check the token and read the instance's length limit, once (again after a
        failure); a network failure keeps the default limit and is only logged."""
        if self.prepared or self.problem is not None:
            return
        try:
            limit = await self._call(self._check)
        except TransientError as exc:
            log.warning("Mastodon: cannot read the instance's limits yet (%s)", exc)
            return
        except (TargetUnhealthy, RateLimited, PostRejected):
            return  # an unhealthy target says why in its problem; the rest waits
        if limit is not None:
            self.max_length = limit
        self.prepared = True
        log.info("Mastodon: the instance allows %d characters a post", self.max_length)

    async def send(self, text: str, nonce: str | None = None) -> str:
        """Post ``text`` with the delivery's idempotency key; the status id."""
        key = idempotency_key(self.name, nonce, text)
        status = await self._call(self._post, text, key)
        return str(status["id"])

    # -- in a worker thread -----------------------------------------------------------------

    def _check(self) -> int | None:
        try:
            self.client.account_verify_credentials()
        except MastodonAPIError as exc:
            if _status(exc) != 403:
                raise  # 403: a live token without a read scope (write:statuses is enough)
        return instance_max_characters(self.client)

    def _post(self, text: str, key: str):
        return self.client.status_post(
            text, visibility=self.settings.visibility, idempotency_key=key
        )

    # -- on the loop ------------------------------------------------------------------------

    async def _call(self, call: Callable[..., T], *args) -> T:
        try:
            return await asyncio.to_thread(call, *args)
        except MastodonRatelimitError:
            raise self._rate_limited() from None
        except MastodonUnauthorizedError as exc:
            raise self._unhealthy(_reason(exc)) from None
        except MastodonNotFoundError as exc:
            raise self._unhealthy(
                f"{_reason(exc)}: no Mastodon API at MASTODON_API_BASE_URL"
            ) from None
        except MastodonServerError as exc:
            raise TransientError(f"Mastodon server error: {_reason(exc)}") from None
        except MastodonNetworkError as exc:
            kind = "timed out" if "timed out" in str(exc).lower() else "connection failed"
            cause = type(exc.__context__).__name__ if exc.__context__ else "no answer"
            raise TransientError(f"Mastodon {kind}: {cause}") from None
        except MastodonAPIError as exc:
            if _status(exc) == 403:
                raise self._unhealthy(_reason(exc)) from None
            raise PostRejected(f"Mastodon refused the post: {_reason(exc)}") from None
        except MastodonError as exc:
            raise PostRejected(f"Mastodon client error: {type(exc).__name__}: {exc}") from None

    def _rate_limited(self) -> RateLimited:
        reset = self.client.ratelimit_reset
        return RateLimited.until(
            f"Mastodon rate limit reached ({self.client.ratelimit_limit} per window)",
            datetime.fromtimestamp(reset, UTC) if reset else None,
        )

    def _unhealthy(self, reason: str) -> TargetUnhealthy:
        return mark_unhealthy(
            self,
            "Mastodon",
            f"Mastodon refused the token ({reason}): check MASTODON_ACCESS_TOKEN (an application "
            "with the write:statuses scope) and MASTODON_API_BASE_URL in .env, then restart "
            "the bot",
        )
