"""Post a text to X with ``tweepy.Client.create_tweet`` in a thread; failures become post errors.

The event loop only awaits: the blocking ``requests`` call runs in a worker thread. Each HTTP
failure maps to one exception of :mod:`bot.posting.errors`; 401 and 403 (other than a duplicate)
also mark the target unhealthy, which the scheduler shows in status and stops posting to.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import requests
import tweepy

from bot.posting.errors import (
    DuplicateText,
    PostRejected,
    RateLimited,
    TargetUnhealthy,
    TransientError,
)
from bot.posting.settings import ScheduleSettings
from bot.posting.targets.x_client import XLimits, make_client

log = logging.getLogger(__name__)

X_TARGET = "x"
DUPLICATE_MARKERS = ("duplicate content", "status is a duplicate")
DUPLICATE_CODE = 187
RATE_LIMIT_FALLBACK = timedelta(minutes=15)


def _reason(exc: tweepy.HTTPException) -> str:
    messages = "; ".join(str(m) for m in exc.api_messages) or exc.response.reason or "no detail"
    return f"{exc.response.status_code} {messages}"


def _is_duplicate(exc: tweepy.Forbidden) -> bool:
    text = " ".join(str(m) for m in exc.api_messages).lower()
    return DUPLICATE_CODE in exc.api_codes or any(m in text for m in DUPLICATE_MARKERS)


class XTarget:
    """One X account; ``problem`` is set (and stays) once X refused the credentials."""

    name = X_TARGET

    def __init__(self, client: tweepy.Client) -> None:
        self.client = client
        self.problem: str | None = None
        self.limits = XLimits()

    @classmethod
    def from_settings(cls, settings: ScheduleSettings) -> XTarget:
        """For the account of the four ``X_*`` keys, at ``X_API_BASE`` if set."""
        return cls(
            make_client(settings.x_credentials, settings.x_api_base, settings.x_timeout_seconds)
        )

    async def send(self, text: str, nonce: str | None = None) -> str:
        """Post ``text``; the new tweet's id. ``nonce`` is unused: X rejects exact duplicates."""
        try:
            response = await asyncio.to_thread(self.client.create_tweet, text=text)
        except tweepy.TooManyRequests as exc:
            self.limits = XLimits.from_headers(exc.response.headers)
            now = datetime.now(UTC)
            retry_at = self.limits.retry_at(now + RATE_LIMIT_FALLBACK)
            raise RateLimited(
                f"X rate limit reached ({self.limits.describe()}); "
                f"retrying at {retry_at.isoformat(timespec='seconds')}",
                retry_at,
            ) from None
        except tweepy.Forbidden as exc:
            if _is_duplicate(exc):
                raise DuplicateText(f"X refused a duplicate: {_reason(exc)}") from None
            raise self._unhealthy(exc) from None
        except tweepy.Unauthorized as exc:
            raise self._unhealthy(exc) from None
        except tweepy.TwitterServerError as exc:
            raise TransientError(f"X server error: {_reason(exc)}") from None
        except tweepy.HTTPException as exc:
            raise PostRejected(f"X refused the post: {_reason(exc)}") from None
        except requests.Timeout as exc:
            raise TransientError(f"X timed out: {type(exc).__name__}") from None
        except requests.RequestException as exc:
            raise TransientError(f"X connection failed: {type(exc).__name__}") from None
        self.limits = XLimits.from_headers(response.headers)
        try:
            return str(response.json()["data"]["id"])
        except (ValueError, KeyError, TypeError):
            raise PostRejected(
                f"X answered {response.status_code} without a tweet id; not retried"
            ) from None

    def _unhealthy(self, exc: tweepy.HTTPException) -> TargetUnhealthy:
        self.problem = (
            f"X refused the credentials ({_reason(exc)}): check the four X_* keys in .env "
            "and the app's read and write permission, then restart the bot"
        )
        log.error("X target unhealthy: %s", self.problem)
        return TargetUnhealthy(self.problem)
