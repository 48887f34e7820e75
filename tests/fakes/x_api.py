"""A fake X API v2 on loopback: ``POST /2/tweets`` as X answers it, with scriptable failures.

Real tweepy talks to it through ``X_API_BASE`` (see :mod:`bot.posting.targets.x_client`). By default
it behaves like X: it wants an OAuth 1.0a ``Authorization`` header (401 otherwise), creates the
tweet (201 with an id, rate-limit headers) and refuses the same text twice with X's 403 duplicate
body. :meth:`FakeX.script` queues answers for the next requests (429, 401, 500, a delay longer than
the client's timeout...). Every request is recorded in :attr:`FakeX.requests`.
"""

from __future__ import annotations

import itertools
import time
from collections import deque

from tests.fakes.loopback import Answer, LoopbackFake, Request

DUPLICATE_BODY = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
UNAUTHORIZED_BODY = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
PERMISSION_BODY = {
    "title": "Forbidden",
    "type": "about:blank",
    "status": 403,
    "detail": "You are not permitted to perform this action.",
}
SERVER_ERROR_BODY = {"title": "Internal Server Error", "type": "about:blank", "status": 500}
TOO_MANY_BODY = {"title": "Too Many Requests", "type": "about:blank", "status": 429}


def duplicate() -> Answer:
    return Answer(403, DUPLICATE_BODY)


def rate_limited(reset: int, user_day_remaining: int | None = None, day_reset: int = 0) -> Answer:
    headers = {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(reset),
    }
    if user_day_remaining is not None:
        headers |= {
            "x-user-limit-24hour-limit": "17",
            "x-user-limit-24hour-remaining": str(user_day_remaining),
            "x-user-limit-24hour-reset": str(day_reset),
        }
    return Answer(429, TOO_MANY_BODY, headers)


def unauthorized() -> Answer:
    return Answer(401, UNAUTHORIZED_BODY)


def forbidden() -> Answer:
    return Answer(403, PERMISSION_BODY)


def server_error() -> Answer:
    return Answer(500, SERVER_ERROR_BODY)


def slow(delay: float, create: bool = True) -> Answer:
    """Answer 201 after ``delay`` seconds (a client with a shorter timeout gives up first)."""
    return Answer(201, None, delay=delay, create=create)


class FakeX(LoopbackFake):
    """Start with ``with FakeX() as x:``; point ``X_API_BASE`` at :attr:`base_url`."""

    def __init__(self) -> None:
        super().__init__()
        self.tweets: dict[str, str] = {}  # id -> text, in posting order
        self._script: deque[Answer] = deque()
        self._ids = itertools.count(1_860_000_000_000_000_001)

    def script(self, *answers: Answer) -> None:
        with self.lock:
            self._script.extend(answers)

    def posted_texts(self) -> list[str]:
        with self.lock:
            return list(self.tweets.values())

    def tweet_requests(self) -> list[Request]:
        return self.requests_to("/2/tweets")

    def _create(self, text: str) -> dict:
        tweet_id = str(next(self._ids))
        self.tweets[tweet_id] = text
        return {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}

    def answer(self, request: Request) -> Answer:
        if request.path != "/2/tweets" or request.method != "POST":
            return Answer(404, {"title": "Not Found Error", "status": 404})
        auth = request.headers.get("authorization", "")
        if not (auth.startswith("OAuth ") and "oauth_signature=" in auth):
            return unauthorized()
        text = (request.body or {}).get("text", "")
        if self._script:
            answer = self._script.popleft()
            if answer.create:
                answer.body = self._create(text)
            return answer
        if text in self.tweets.values():
            return duplicate()
        headers = {
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "99",
            "x-rate-limit-reset": str(int(time.time()) + 900),
            "x-user-limit-24hour-limit": "17",
            "x-user-limit-24hour-remaining": str(17 - len(self.tweets) - 1),
            "x-user-limit-24hour-reset": str(int(time.time()) + 86_400),
        }
        return Answer(201, self._create(text), headers)
