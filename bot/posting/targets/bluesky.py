"""Post a text to Bluesky with ``atproto``'s ``Client.send_post`` in a thread; failures become
post errors.

Bluesky has no refusal of duplicates, so a send that may have landed (it timed out, or the
process died during it) is not simply repeated: :meth:`BlueskyTarget.find_post` looks for the
text among the account's own latest records first (``com.atproto.repo.listRecords``, which the
account's server answers itself, at once after a write). Wrong credentials (401, or a refresh
token the server no longer takes and a fresh login that fails) mark the target unhealthy;
:meth:`BlueskyTarget.prepare` logs in before the first meme, so that they are known early.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from atproto import Client
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError

from bot.posting.errors import (
    PostRejected,
    RateLimited,
    TargetUnhealthy,
    TransientError,
)
from bot.posting.targets.base import mark_unhealthy
from bot.posting.targets.bluesky_client import BlueskySession, make_client
from bot.posting.targets.bluesky_settings import BlueskySettings
from pipeline.contentfilter.length import BLUESKY_MAX_GRAPHEMES

log = logging.getLogger(__name__)

BLUESKY_TARGET = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
# The XRPC errors (sent with 400) that mean "this session is no longer valid".
SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
# How many of the account's latest posts the doubt check reads, and the clock slack it allows.
RECENT_RECORDS = 50
CLOCK_SLACK = timedelta(minutes=1)

T = TypeVar("T")


def _error_name(exc: RequestErrorBase) -> str | None:
    content = exc.response.content if exc.response is not None else None
    return content.error if isinstance(content, XrpcError) else None


def _session_refused(exc: Exception) -> bool:
    if isinstance(exc, UnauthorizedError):
        return True
    return isinstance(exc, BadRequestError) and _error_name(exc) in SESSION_ERRORS


def _did(did: str) -> str:
    return did


def _created_at(stamp: str | None) -> datetime | None:
    """A record's ``createdAt`` (set by the client that wrote it: it may be malformed)."""
    try:
        moment = datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _status(exc: RequestErrorBase) -> int | None:
    return exc.response.status_code if exc.response is not None else None


class BlueskyTarget:
    """One Bluesky account; ``problem`` is set (and stays) once Bluesky refused the login."""

    name = BLUESKY_TARGET
    max_length = BLUESKY_MAX_GRAPHEMES

    def __init__(self, client: Client, settings: BlueskySettings) -> None:
        self.client = client
        self.session = BlueskySession(client, settings)
        self.problem: str | None = None

    @classmethod
    def from_settings(cls, settings: BlueskySettings) -> BlueskyTarget:
        """For the account of ``BLUESKY_HANDLE`` on ``BLUESKY_SERVICE``."""
        return cls(make_client(settings), settings)

    async def prepare(self) -> None:
        """Log in before the first meme is made (a saved session costs no request): wrong
        credentials make the target unhealthy before a meme is generated for it. Other
        failures are only logged; the send tries again."""
        if self.session.did is not None or self.problem is not None:
            return
        try:
            await self._call(_did)
        except TargetUnhealthy:
            return  # ``problem`` says why
        except (TransientError, RateLimited, PostRejected) as exc:
            log.warning("Bluesky: cannot log in yet (%s); trying again at the send", exc)

    async def send(self, text: str, nonce: str | None = None) -> str:
        """Post ``text``; the new post's ``at://`` URI. ``nonce`` is unused (Bluesky has none)."""
        return await self._call(self._post, text)

    async def find_post(self, text: str, since: datetime) -> str | None:
        """The URI of a post of the account with exactly ``text`` made since ``since``."""
        return await self._call(self._find, text, since)

    # -- in a worker thread -----------------------------------------------------------------

    def _post(self, did: str, text: str) -> str:
        return self.client.send_post(text, profile_identify=did).uri

    def _find(self, did: str, text: str, since: datetime) -> str | None:
        answer = self.client.com.atproto.repo.list_records(
            {"repo": did, "collection": POST_COLLECTION, "limit": RECENT_RECORDS}
        )
        for record in answer.records:
            if getattr(record.value, "text", None) != text:
                continue
            created = _created_at(getattr(record.value, "created_at", None))
            if created is not None and created >= since - CLOCK_SLACK:
                return record.uri
        return None

    def _with_session(self, call: Callable[..., T], *args) -> T:
        """``call(did, *args)``, logging in first; once more after a fresh login when the
        server refused the session (it expired, or was revoked)."""
        did = self.session.ensure()
        try:
            return call(did, *args)
        except (UnauthorizedError, BadRequestError) as exc:
            if not _session_refused(exc):
                raise
            log.info("Bluesky refused the session (%s); logging in again", exc)
        self.session.forget()
        return call(self.session.login(), *args)

    # -- on the loop ------------------------------------------------------------------------

    async def _call(self, call: Callable[..., T], *args) -> T:
        try:
            return await asyncio.to_thread(self._with_session, call, *args)
        except RateLimitExceededError as exc:
            raise self._rate_limited(exc) from None
        except UnauthorizedError as exc:
            raise self._unhealthy(exc) from None
        except BadRequestError as exc:
            if _session_refused(exc):
                raise self._unhealthy(exc) from None
            raise PostRejected(f"Bluesky refused the post: {exc}") from None
        except InvokeTimeoutError:
            raise TransientError("Bluesky timed out") from None
        except NetworkError as exc:
            if exc.response is None:
                cause = type(exc.__cause__).__name__ if exc.__cause__ else "no answer"
                raise TransientError(f"Bluesky connection failed: {cause}") from None
            raise TransientError(f"Bluesky server error: {exc}") from None
        except RequestException as exc:
            if (_status(exc) or 0) >= 500:
                raise TransientError(f"Bluesky server error: {exc}") from None
            raise PostRejected(f"Bluesky refused the request: {exc}") from None

    def _rate_limited(self, exc: RateLimitExceededError) -> RateLimited:
        retry_at = exc.reset_at
        if retry_at is None and exc.retry_after is not None:
            retry_at = datetime.now(UTC) + timedelta(seconds=exc.retry_after)
        policy = f"policy {exc.policy}, " if exc.policy else ""
        return RateLimited.until(
            f"Bluesky rate limit reached ({policy}{exc.remaining} left)", retry_at
        )

    def _unhealthy(self, exc: RequestErrorBase) -> TargetUnhealthy:
        return mark_unhealthy(
            self,
            "Bluesky",
            f"Bluesky refused the login ({exc}): check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD "
            "in .env (an app password that was revoked must be replaced), then restart the bot",
        )
