"""A JSON HTTP server on loopback for the fake APIs: scripted answers, recorded requests.

A fake subclasses :class:`LoopbackFake` and implements :meth:`LoopbackFake.answer`, which
turns one :class:`Request` into one :class:`Answer` (under the fake's lock). An answer can be
delayed (a client with a shorter timeout gives up first: a slow network) and can come with
headers. Start with ``with Fake() as fake:``; :attr:`base_url` is where it listens.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    """One answer. ``create`` asks the fake to carry out the request anyway (it landed, then
    the answer was slow or lost)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    create: bool = False


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.monotonic)


class LoopbackFake:
    """The server and its bookkeeping; subclasses say how to answer."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def requests_to(self, path: str, method: str | None = None) -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if r.path == path and (method is None or r.method == method)
            ]

    def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    def _answer(self, request: Request) -> Answer:
        with self.lock:
            self.requests.append(request)
            return self.answer(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
                url = urlsplit(self.path)
                request = Request(
                    self.command,
                    url.path.rstrip("/") or "/",
                    parse_qs(url.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                answer = fake._answer(request)
                time.sleep(answer.delay)
                payload = json.dumps(answer.body if answer.body is not None else {}).encode()
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

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args) -> None:
                pass

        return Handler
