"""A fake Bluesky PDS on loopback: the XRPC calls DeepCISO makes, answered as a PDS answers.

Real ``atproto`` talks to it through ``BLUESKY_SERVICE``. ``createSession`` checks the handle
and app password (401 ``AuthenticationRequired`` otherwise) and hands out JWTs that expire
after :attr:`FakeBluesky.access_ttl` seconds; ``refreshSession`` swaps a refresh token for new
ones (400 ``ExpiredToken`` for a revoked one); ``createRecord`` wants a live access token
(400 ``ExpiredToken``/``InvalidToken``, 401 ``AuthMissing``) and refuses a text over 300
graphemes as ``InvalidRequest``; ``listRecords`` and ``getAuthorFeed`` give the account's
posts, newest first. :meth:`FakeBluesky.script` queues answers for the next calls of one
method (429 with ``ratelimit-*`` headers, 500, a slow answer...).
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections import defaultdict, deque

import regex

from tests.fakes.loopback import Answer, LoopbackFake, Request

HANDLE = "deepciso.test"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
DID = "did:plc:deepcisotestaccount0"
CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
CREATE_SESSION = "com.atproto.server.createSession"
REFRESH_SESSION = "com.atproto.server.refreshSession"
CREATE_RECORD = "com.atproto.repo.createRecord"
LIST_RECORDS = "com.atproto.repo.listRecords"
AUTHOR_FEED = "app.bsky.feed.getAuthorFeed"
MAX_GRAPHEMES = 300
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def xrpc_error(status: int, error: str, message: str, headers: dict | None = None) -> Answer:
    return Answer(status, {"error": error, "message": message}, headers or {})


def rate_limited(reset: int, policy: str = "5000;w=3600") -> Answer:
    return xrpc_error(
        429,
        "RateLimitExceeded",
        "Rate Limit Exceeded",
        {
            "ratelimit-limit": policy.split(";")[0],
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(reset),
            "ratelimit-policy": policy,
        },
    )


def server_error(status: int = 500) -> Answer:
    return xrpc_error(status, "InternalServerError", "Internal Server Error")


def slow(delay: float, create: bool = True) -> Answer:
    """Answer after ``delay`` seconds; ``create``: the record is written first."""
    return Answer(200, None, delay=delay, create=create)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _tid(number: int) -> str:
    digits = []
    for _ in range(13):
        number, rest = divmod(number, 32)
        digits.append(_TID_ALPHABET[rest])
    return "".join(reversed(digits))


class FakeBluesky(LoopbackFake):
    """Start with ``with FakeBluesky() as pds:``; point ``BLUESKY_SERVICE`` at :attr:`base_url`."""

    def __init__(self, handle: str = HANDLE, password: str = APP_PASSWORD) -> None:
        super().__init__()
        self.handle = handle
        self.password = password
        self.access_ttl = 7200  # seconds; atproto refreshes 15 minutes before expiry
        self.records: dict[str, dict] = {}  # uri -> record, in posting order
        self._access: dict[str, float] = {}  # live access token -> expiry
        self._refresh: set[str] = set()
        self._scripts: dict[str, deque[Answer]] = defaultdict(deque)
        self._tokens = itertools.count(1)
        self._rkeys = itertools.count(1_700_000_000_000_000)

    def script(self, method: str, *answers: Answer) -> None:
        """Queue answers for the next calls of XRPC ``method`` (its NSID)."""
        with self.lock:
            self._scripts[method].extend(answers)

    def revoke_sessions(self) -> None:
        """Invalidate every token (the app password was revoked and made anew)."""
        with self.lock:
            self._access.clear()
            self._refresh.clear()

    def calls(self, method: str) -> list[Request]:
        return self.requests_to(f"/xrpc/{method}")

    def posted_texts(self) -> list[str]:
        with self.lock:
            return [r["text"] for r in self.records.values()]

    # -- answering --------------------------------------------------------------------------

    def answer(self, request: Request) -> Answer:
        method = request.path.removeprefix("/xrpc/")
        handlers = {
            CREATE_SESSION: self._create_session,
            REFRESH_SESSION: self._refresh_session,
            CREATE_RECORD: self._create_record,
            LIST_RECORDS: self._list_records,
            AUTHOR_FEED: self._author_feed,
        }
        if method not in handlers:
            return xrpc_error(501, "MethodNotImplemented", f"Method Not Implemented: {method}")
        if method != CREATE_SESSION and (refused := self._auth(request, method)):
            return refused
        if self._scripts[method]:
            answer = self._scripts[method].popleft()
            if answer.create:
                answer.body = handlers[method](request).body
            return answer
        return handlers[method](request)

    def _token(self, kind: str, ttl: float) -> str:
        now = int(time.time())
        payload = {"scope": kind, "sub": DID, "iat": now, "exp": now + int(ttl)}
        payload["jti"] = str(next(self._tokens))
        return f"{_b64({'typ': 'JWT', 'alg': 'HS256'})}.{_b64(payload)}.c2lnbmF0dXJl"

    def _session(self) -> Answer:
        access = self._token("com.atproto.appPass", self.access_ttl)
        refresh = self._token("com.atproto.refresh", 90 * 86_400)
        self._access[access] = time.time() + self.access_ttl
        self._refresh.add(refresh)
        body = {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.handle,
            "did": DID,
            "active": True,
        }
        return Answer(200, body)

    def _auth(self, request: Request, method: str) -> Answer | None:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return xrpc_error(401, "AuthMissing", "Authentication Required")
        token = auth.removeprefix("Bearer ")
        if method == REFRESH_SESSION:
            if token not in self._refresh:
                return xrpc_error(400, "ExpiredToken", "Token has been revoked")
            return None
        expiry = self._access.get(token)
        if expiry is None:
            return xrpc_error(400, "InvalidToken", "Token could not be verified")
        if expiry < time.time():
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return None

    def _create_session(self, request: Request) -> Answer:
        body = request.body or {}
        identifier = str(body.get("identifier", "")).lower()
        if identifier not in (self.handle, DID) or body.get("password") != self.password:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return self._session()

    def _refresh_session(self, request: Request) -> Answer:
        token = request.headers["authorization"].removeprefix("Bearer ")
        self._refresh.discard(token)  # a refresh token is used once
        return self._session()

    def _create_record(self, request: Request) -> Answer:
        body = request.body or {}
        if body.get("repo") not in (DID, self.handle):
            return xrpc_error(403, "InvalidRequest", "Cannot write to another account's repo")
        record = body.get("record") or {}
        text = record.get("text", "")
        if len(regex.findall(r"\X", text)) > MAX_GRAPHEMES:
            return xrpc_error(
                400,
                "InvalidRequest",
                "Invalid app.bsky.feed.post record: Record/text must not be longer than "
                f"{MAX_GRAPHEMES} graphemes",
            )
        uri = f"at://{DID}/{body.get('collection')}/{_tid(next(self._rkeys))}"
        self.records[uri] = record
        return Answer(200, {"uri": uri, "cid": CID, "validationStatus": "valid"}, _limit_headers())

    def _newest(self, limit: int) -> list[tuple[str, dict]]:
        return list(reversed(self.records.items()))[:limit]

    def _list_records(self, request: Request) -> Answer:
        limit = int(request.query.get("limit", ["50"])[0])
        records = [{"uri": u, "cid": CID, "value": r} for u, r in self._newest(limit)]
        return Answer(200, {"records": records})

    def _author_feed(self, request: Request) -> Answer:
        limit = int(request.query.get("limit", ["50"])[0])
        author = {"did": DID, "handle": self.handle}
        feed = [
            {
                "post": {
                    "uri": u,
                    "cid": CID,
                    "author": author,
                    "record": r,
                    "indexedAt": r.get("createdAt"),
                }
            }
            for u, r in self._newest(limit)
        ]
        return Answer(200, {"feed": feed})


def _limit_headers() -> dict[str, str]:
    return {
        "ratelimit-limit": "5000",
        "ratelimit-remaining": "4999",
        "ratelimit-reset": str(int(time.time()) + 3600),
        "ratelimit-policy": "5000;w=3600",
    }
