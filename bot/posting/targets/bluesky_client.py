"""An ``atproto`` client that logs in once and keeps its session.

The session (access and refresh tokens) is created once with the handle and app password,
refreshed by ``atproto``'s ``Client`` before its access token expires, and saved to
``BLUESKY_SESSION_PATH`` (mode 0600, written atomically) whenever it changes, so a restart
resumes it instead of logging in again. A saved session that the server no longer accepts
is dropped and replaced by a fresh login.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from atproto import Client, Session, SessionEvent
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError

from bot.posting.targets.bluesky_settings import BlueskySettings
from pipeline.atomic import atomic_path

log = logging.getLogger(__name__)


class SessionStore:
    """The saved session string of one handle (a secret: readable by its owner only)."""

    def __init__(self, path: Path, handle: str) -> None:
        self.path = Path(path)
        self.handle = handle

    def load(self) -> str | None:
        """The saved session of this handle, or None (none saved, or another account's)."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        try:
            saved = Session.decode(text)
            saved.access_jwt_payload  # noqa: B018 (decodes both tokens: a damaged file fails)
            saved.refresh_jwt_payload  # noqa: B018
        except (ValueError, AtProtocolError):
            log.warning("Bluesky: the saved session in %s is damaged; logging in again", self.path)
            return None
        return text if saved.handle.lower() == self.handle.lower() else None

    def save(self, session_string: str) -> None:
        try:
            with atomic_path(self.path) as tmp:
                os.chmod(tmp, 0o600)
                tmp.write_text(session_string, encoding="utf-8")
        except OSError as exc:  # posting goes on; the next start logs in again
            log.warning("cannot save the Bluesky session to %s: %s", self.path, exc.strerror)

    def forget(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()


def make_client(settings: BlueskySettings) -> Client:
    """An ``atproto`` ``Client`` for ``BLUESKY_SERVICE`` with the request timeout set."""
    return Client(base_url=settings.service, request=Request(timeout=settings.timeout_seconds))


class BlueskySession:
    """Logs ``client`` in on first use (from the saved session when there is one) and saves
    every new or refreshed session. Blocking: call it from a worker thread."""

    def __init__(self, client: Client, settings: BlueskySettings) -> None:
        self.client = client
        self.settings = settings
        self.store = SessionStore(settings.session_path, settings.handle)
        self.did: str | None = None
        client.on_session_change(self._changed)

    def _changed(self, event: SessionEvent, session: Session) -> None:
        self.did = session.did
        if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
            self.store.save(session.encode())

    def ensure(self) -> str:
        """The account's DID, logging in first if needed."""
        if self.did is None:
            saved = self.store.load()
            if saved is not None:
                self.client.login(session_string=saved, fetch_bsky_profile=False)
                log.info("Bluesky: resumed the saved session of %s", self.settings.handle)
            else:
                self.login()
        return self.did

    def login(self) -> str:
        """A new session from the handle and app password (createSession)."""
        self.did = None
        self.client.login(
            self.settings.handle, self.settings.app_password, fetch_bsky_profile=False
        )
        log.info("Bluesky: logged in as %s", self.settings.handle)
        return self.did

    def forget(self) -> None:
        """Drop the session (the server refused it): the next use logs in again."""
        self.did = None
        self.store.forget()
