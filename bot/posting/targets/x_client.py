"""A tweepy v2 client (OAuth 1.0a user context) with a timeout and an overridable base URL.

tweepy has no base-URL option and no timeout, so a ``requests`` transport adapter is mounted
on the client's session for ``https://api.twitter.com`` and ``https://api.x.com``. It runs
after OAuth signing: it points the already signed request at ``X_API_BASE`` (when set) and
gives every request a timeout. ``wait_on_rate_limit`` stays off: a 429 is raised, never slept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import requests
import tweepy
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

X_HOSTS = ("https://api.twitter.com", "https://api.x.com")


@dataclass(frozen=True)
class XCredentials:
    """The four OAuth 1.0a user-context keys (consumer key/secret, access token/secret)."""

    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)


class XBaseAdapter(HTTPAdapter):
    """Sends X API requests to ``base`` (scheme, host and path prefix) with a default timeout."""

    def __init__(self, base: str | None, timeout: float) -> None:
        super().__init__(max_retries=0)
        self.base = urlsplit(base.rstrip("/")) if base else None
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        if self.base is not None:
            url = urlsplit(request.url)
            request.url = urlunsplit(
                (self.base.scheme, self.base.netloc, self.base.path + url.path, url.query, "")
            )
            kwargs["proxies"] = get_environ_proxies(request.url)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def make_client(
    credentials: XCredentials, base: str | None, timeout: float
) -> tweepy.Client:
    """A ``tweepy.Client`` returning raw ``requests.Response`` objects (headers included)."""
    client = tweepy.Client(
        consumer_key=credentials.api_key,
        consumer_secret=credentials.api_secret,
        access_token=credentials.access_token,
        access_token_secret=credentials.access_token_secret,
        return_type=requests.Response,
        wait_on_rate_limit=False,
    )
    adapter = XBaseAdapter(base, timeout)
    for host in X_HOSTS:
        client.session.mount(host, adapter)
    return client


def _int(headers, key: str) -> int | None:
    value = headers.get(key)
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def _time(headers, key: str) -> datetime | None:
    seconds = _int(headers, key)
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class XLimits:
    """X's rate-limit headers: the 15-minute window and the user's and app's 24-hour caps."""

    remaining: int | None = None
    reset_at: datetime | None = None
    user_day_remaining: int | None = None
    user_day_reset_at: datetime | None = None
    app_day_remaining: int | None = None
    app_day_reset_at: datetime | None = None

    @classmethod
    def from_headers(cls, headers) -> XLimits:
        return cls(
            remaining=_int(headers, "x-rate-limit-remaining"),
            reset_at=_time(headers, "x-rate-limit-reset"),
            user_day_remaining=_int(headers, "x-user-limit-24hour-remaining"),
            user_day_reset_at=_time(headers, "x-user-limit-24hour-reset"),
            app_day_remaining=_int(headers, "x-app-limit-24hour-remaining"),
            app_day_reset_at=_time(headers, "x-app-limit-24hour-reset"),
        )

    def retry_at(self, fallback: datetime) -> datetime:
        """When a rate-limited post may be sent again: the latest reset of a spent window."""
        resets = [self.reset_at]
        if self.user_day_remaining == 0:
            resets.append(self.user_day_reset_at)
        if self.app_day_remaining == 0:
            resets.append(self.app_day_reset_at)
        known = [r for r in resets if r is not None]
        return max(known) if known else fallback

    def describe(self) -> str:
        parts = []
        if self.remaining is not None:
            parts.append(f"{self.remaining} left in this window")
        if self.user_day_remaining is not None:
            parts.append(f"user 24h cap: {self.user_day_remaining} left")
        if self.app_day_remaining is not None:
            parts.append(f"app 24h cap: {self.app_day_remaining} left")
        return ", ".join(parts) or "no limit headers seen"
