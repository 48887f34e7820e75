"""A fake X API v2 on loopback: ``POST /2/tweets`` as X answers it, with scriptable failures.

Real tweepy talks to it through ``X_API_BASE`` (see :mod:`bot.posting.targets.x_client`). By default
it behaves like X: it wants an OAuth 1.0a ``Authorization`` header (401 otherwise), creates the
tweet (201 with an id, rate-limit headers) and refuses the same text twice with X's 403 duplicate
body. :meth:`FakeX.script` queues answers for the next requests (429, 401, 500, a delay longer than
the client's timeout...). Every request is recorded in :attr:`FakeX.requests`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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


@dataclass
class Answer:
    """One scripted answer. ``create`` posts the tweet anyway (a timeout after X accepted)."""

    status: int
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    create: bool = False


@dataclass
class XRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.monotonic)


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


class FakeX:
    """Start with ``with FakeX() as x:``; point ``X_API_BASE`` at :attr:`base_url`."""

    def __init__(self) -> None:
        self.requests: list[XRequest] = []
        self.tweets: dict[str, str] = {}  # id -> text, in posting order
        self._script: deque[Answer] = deque()
        self._ids = itertools.count(1_860_000_000_000_000_001)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeX:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def script(self, *answers: Answer) -> None:
        with self._lock:
            self._script.extend(answers)

    def posted_texts(self) -> list[str]:
        with self._lock:
            return list(self.tweets.values())

    def tweet_requests(self) -> list[XRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == "/2/tweets"]

    def _create(self, text: str) -> dict:
        tweet_id = str(next(self._ids))
        self.tweets[tweet_id] = text
        return {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}

    def _answer(self, request: XRequest) -> Answer:
        with self._lock:
            self.requests.append(request)
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

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                request = XRequest(
                    "POST",
                    self.path.split("?")[0],
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                answer = fake._answer(request)
                time.sleep(answer.delay)
                payload = json.dumps(answer.body or {}).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("content-type", "application/json; charset=utf-8")
                    self.send_header("content-length", str(len(payload)))
                    for key, value in answer.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): as on a real network

            do_GET = do_POST

            def log_message(self, format: str, *args) -> None:
                pass

        return Handler
