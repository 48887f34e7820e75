"""A fake Mastodon instance on loopback: the REST calls DeepCISO makes, answered as Mastodon
answers them.

Real ``Mastodon.py`` talks to it through ``MASTODON_API_BASE_URL``. ``/api/v2/instance`` (and
``/api/v1/instance``) give ``configuration.statuses.max_characters``;
``/api/v1/accounts/verify_credentials`` and ``POST /api/v1/statuses`` want the bearer token
(401 ``The access token is invalid`` otherwise; 403 for a token without ``write:statuses``,
or, on ``verify_credentials``, without a read scope: the default token has only
``write:statuses``, as docs/posting-targets.md recommends);
a status over the limit gets 422; a repeated ``Idempotency-Key`` gets the status it made
first (Mastodon keeps the keys for an hour). :meth:`FakeMastodon.script` queues answers for
the next ``POST /api/v1/statuses`` (429 with ``X-RateLimit-*`` headers, 5xx, a slow answer).
"""

from __future__ import annotations

import html
import itertools
import time
from collections import deque
from datetime import UTC, datetime

import regex

from tests.fakes.loopback import Answer, LoopbackFake, Request

TOKEN = "fake-mastodon-access-token"
STATUSES = "/api/v1/statuses"
VERIFY = "/api/v1/accounts/verify_credentials"
IDEMPOTENCY_TTL = 3600  # seconds, as Mastodon keeps an Idempotency-Key
ACCOUNT = {
    "id": "109000000000000001",
    "username": "deepciso",
    "acct": "deepciso",
    "display_name": "DeepCISO",
    "url": "https://mastodon.test/@deepciso",
    "created_at": "2026-01-01T00:00:00.000Z",
    "bot": True,
    "locked": False,
    "note": "",
    "avatar": "",
    "header": "",
    "followers_count": 0,
    "following_count": 0,
    "statuses_count": 0,
}


def error(status: int, message: str, headers: dict | None = None) -> Answer:
    return Answer(status, {"error": message}, headers or {})


def rate_limited(reset: float) -> Answer:
    """429 with Mastodon's headers: the reset is an ISO 8601 time."""
    when = datetime.fromtimestamp(reset, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": when}
    return error(429, "Too many requests", headers)


def server_error(status: int = 500) -> Answer:
    return error(status, "We're sorry, but something went wrong on our end.")


def slow(delay: float, create: bool = True) -> Answer:
    """Answer after ``delay`` seconds; ``create``: the status is made first."""
    return Answer(200, None, delay=delay, create=create)


class FakeMastodon(LoopbackFake):
    """Start with ``with FakeMastodon() as instance:``; point ``MASTODON_API_BASE_URL`` at
    :attr:`base_url`."""

    def __init__(self, max_characters: int = 500, v2: bool = True) -> None:
        super().__init__()
        self.max_characters = max_characters
        self.v2 = v2  # False: an older server without /api/v2/instance
        self.tokens = {TOKEN: ("write:statuses",)}  # token -> its scopes
        self.statuses: dict[str, dict] = {}  # id -> status, in posting order
        self._keys: dict[tuple[str, str], tuple[str, float]] = {}  # (token, key) -> (id, at)
        self._script: deque[Answer] = deque()
        self._ids = itertools.count(113_000_000_000_000_001)

    def script(self, *answers: Answer) -> None:
        with self.lock:
            self._script.extend(answers)

    def revoke(self, token: str = TOKEN) -> None:
        with self.lock:
            self.tokens.pop(token, None)

    def posted_texts(self) -> list[str]:
        with self.lock:
            return [s["text"] for s in self.statuses.values()]

    def status_requests(self) -> list[Request]:
        return self.requests_to(STATUSES, "POST")

    # -- answering --------------------------------------------------------------------------

    def answer(self, request: Request) -> Answer:
        if request.method == "GET" and request.path in ("/api/v1/instance", "/api/v2/instance"):
            if request.path.startswith("/api/v2") and not self.v2:
                return error(404, "Record not found")
            return Answer(200, self._instance(request.path.startswith("/api/v2")))
        if request.path not in (VERIFY, STATUSES):
            return error(404, "Record not found")
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        scopes = self.tokens.get(token)
        if scopes is None:
            return error(401, "The access token is invalid")
        if request.path == VERIFY:
            if not {"read", "read:accounts", "profile"} & set(scopes):
                return error(403, "This action is outside the authorized scopes")
            return Answer(200, ACCOUNT | {"source": {"privacy": "public"}})
        if request.method != "POST":
            return error(404, "Record not found")
        if not {"write", "write:statuses"} & set(scopes):
            return error(403, "This action is outside the authorized scopes")
        if self._script:
            answer = self._script.popleft()
            if answer.create:
                answer.body = self._post(request, token).body
            return answer
        return self._post(request, token)

    def _instance(self, v2: bool) -> dict:
        statuses = {
            "max_characters": self.max_characters,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        }
        info = {"title": "Fake Mastodon", "version": "4.3.0", "configuration": {}}
        info["configuration"]["statuses"] = statuses
        if v2:
            return info | {"domain": "mastodon.test", "source_url": "", "description": ""}
        return info | {"uri": "mastodon.test", "short_description": "", "description": ""}

    def _post(self, request: Request, token: str) -> Answer:
        body = request.body or {}
        text = str(body.get("status", ""))
        key = request.headers.get("idempotency-key")
        now = time.time()
        if key is not None:
            known = self._keys.get((token, key))
            if known is not None and now - known[1] < IDEMPOTENCY_TTL:
                return Answer(200, self.statuses[known[0]]["json"])
        if len(regex.findall(r"\X", text)) > self.max_characters:
            return error(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        status_id = str(next(self._ids))
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
        json_body = {
            "id": status_id,
            "uri": f"https://mastodon.test/users/deepciso/statuses/{status_id}",
            "url": f"https://mastodon.test/@deepciso/{status_id}",
            "created_at": created,
            "content": f"<p>{html.escape(text)}</p>",
            "visibility": body.get("visibility", "public"),
            "sensitive": False,
            "spoiler_text": "",
            "account": ACCOUNT,
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "reblogs_count": 0,
            "favourites_count": 0,
            "replies_count": 0,
        }
        self.statuses[status_id] = {
            "text": text,
            "visibility": json_body["visibility"],
            "key": key,
            "json": json_body,
        }
        if key is not None:
            self._keys[(token, key)] = (status_id, now)
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"}
        return Answer(200, json_body, headers)
