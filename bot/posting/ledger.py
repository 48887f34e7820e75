"""The post ledger: every scheduled slot and every send attempt per target, in one SQLite file.

A slot is one scheduled meme; it has one delivery per target (``discord:<channel id>``, ``x``,
``bluesky``, ``mastodon``) and each delivery has one row per attempt. The ledger is committed
*before* a send (the delivery becomes ``sending``) and *after* it (``posted``, ``retrying``,
``failed``...), so after a crash a delivery left in ``sending`` is known to be in doubt and is
never blindly sent again.

Delivery statuses: ``held`` (waiting for a moderator's approval, see
:mod:`bot.posting.approval`), ``pending`` (not sent yet, or waiting for a rate-limit reset),
``sending`` (a send is in flight, or was when the process died), ``posted``, ``retrying``
(a transient failure; ``next_retry_at`` says when), ``failed`` and ``skipped`` (final).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

from bot.posting.ledger_records import (
    Attempt,
    Delivery,
    Slot,
    attempt_from_row,
    delivery_from_row,
    iso,
    parse_iso,
    slot_from_row,
    utcnow,
)
from bot.posting.ledger_schema import _MIGRATIONS

DEFAULT_LEDGER_PATH = Path("deepciso-ledger.db")

FINAL_STATUSES = ("posted", "failed", "skipped")



class Ledger:
    """One SQLite file (WAL, fully synced commits); safe to use from the loop and threads."""

    def __init__(self, path: Path | str = DEFAULT_LEDGER_PATH) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        """Bring the file's schema to :data:`SCHEMA_VERSION`, one committed step at a time."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in _MIGRATIONS:
            if version < number:
                self._db.executescript(
                    f"BEGIN IMMEDIATE;{script}PRAGMA user_version = {number};COMMIT;"
                )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One committed write transaction (``BEGIN IMMEDIATE``: other writers, in this process
        or another, wait); rolled back if the block raises."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _write(self, statements: Iterable[tuple[str, tuple]]) -> list[int]:
        """Run statements in one committed transaction; the last row ids, in order."""
        with self.transaction() as db:
            return [db.execute(sql, params).lastrowid for sql, params in statements]

    def open_slot(
        self,
        scheduled_at: datetime,
        kind: str,
        targets: Iterable[str],
        now: datetime | None = None,
        *,
        held: Iterable[str] = (),
        expires_at: datetime | None = None,
    ) -> int:
        """Record a new slot with one pending delivery per target; its id. Targets in ``held``
        wait for a moderator (``held``, with a pending draft that expires at ``expires_at``)."""
        stamp = iso(now or utcnow())
        held = set(held)
        with self.transaction() as db:
            slot_id = db.execute(
                "INSERT INTO slots (scheduled_at, kind, created_at) VALUES (?, ?, ?)",
                (iso(scheduled_at), kind, stamp),
            ).lastrowid
            for target in targets:
                db.execute(
                    "INSERT INTO deliveries (slot_id, target, status, updated_at) "
                    "VALUES (?, ?, ?, ?)",
                    (slot_id, target, "held" if target in held else "pending", stamp),
                )
            if held:
                db.execute(
                    "INSERT INTO drafts (slot_id, created_at, expires_at) VALUES (?, ?, ?)",
                    (slot_id, stamp, iso(expires_at or utcnow())),
                )
        return slot_id

    def set_slot_text(self, slot_id: int, text: str, candidates: int) -> None:
        """The slot's meme; deliveries without a text of their own get it."""
        self._write(
            [
                (
                    "UPDATE slots SET text = ?, candidates = ? WHERE id = ?",
                    (text, candidates, slot_id),
                ),
                (
                    "UPDATE deliveries SET text = ? WHERE slot_id = ? AND text IS NULL",
                    (text, slot_id),
                ),
            ]
        )

    def replace_delivery_text(self, delivery_id: int, text: str) -> None:
        """A regenerated text for one target (after X refused a duplicate)."""
        self._write(
            [
                (
                    "UPDATE deliveries SET text = ?, regenerated = regenerated + 1 WHERE id = ?",
                    (text, delivery_id),
                )
            ]
        )

    def record_rejections(self, slot_id: int, counts: Mapping[str, int]) -> None:
        self._write(
            (
                "INSERT INTO rejections (slot_id, reason, count) VALUES (?, ?, ?) "
                "ON CONFLICT (slot_id, reason) DO UPDATE SET count = count + excluded.count",
                (slot_id, reason, count),
            )
            for reason, count in counts.items()
        )

    def begin_attempt(self, delivery_id: int, text: str, now: datetime | None = None) -> int:
        """Committed before the send: the delivery is ``sending``; the new attempt's id."""
        stamp = iso(now or utcnow())
        return self._write(
            [
                (
                    "UPDATE deliveries SET status = 'sending', tries = tries + 1, "
                    "next_retry_at = NULL, updated_at = ? WHERE id = ?",
                    (stamp, delivery_id),
                ),
                (
                    "INSERT INTO attempts (delivery_id, text, started_at) VALUES (?, ?, ?)",
                    (delivery_id, text, stamp),
                ),
            ]
        )[1]

    def finish_attempt(
        self,
        attempt_id: int,
        *,
        outcome: str,
        status: str,
        remote_id: str | None = None,
        error: str | None = None,
        next_retry_at: datetime | None = None,
        now: datetime | None = None,
    ) -> None:
        """Committed after the send: the attempt's outcome and the delivery's new status."""
        stamp = iso(now or utcnow())
        retry = None if next_retry_at is None else iso(next_retry_at)
        posted = stamp if status == "posted" else None
        self._write(
            [
                (
                    "UPDATE attempts SET finished_at = ?, outcome = ?, remote_id = ?, error = ? "
                    "WHERE id = ?",
                    (stamp, outcome, remote_id, error, attempt_id),
                ),
                (
                    "UPDATE deliveries SET status = ?, remote_id = COALESCE(?, remote_id), "
                    "error = ?, next_retry_at = ?, updated_at = ?, "
                    "posted_at = COALESCE(?, posted_at) "
                    "WHERE id = (SELECT delivery_id FROM attempts WHERE id = ?)",
                    (status, remote_id, error, retry, stamp, posted, attempt_id),
                ),
            ]
        )

    def set_delivery(
        self,
        delivery_id: int,
        status: str,
        error: str | None = None,
        next_retry_at: datetime | None = None,
        now: datetime | None = None,
    ) -> None:
        """Change a delivery without an attempt (skipped, failed before sending, deferred)."""
        retry = None if next_retry_at is None else iso(next_retry_at)
        self._write(
            [
                (
                    "UPDATE deliveries SET status = ?, error = ?, next_retry_at = ?, "
                    "updated_at = ? WHERE id = ?",
                    (status, error, retry, iso(now or utcnow()), delivery_id),
                )
            ]
        )

    def finish_slot(
        self,
        slot_id: int,
        status: str | None = None,
        error: str | None = None,
        now: datetime | None = None,
    ) -> str:
        """Close the slot when every delivery is final (or force ``status``); its status."""
        stamp = iso(now or utcnow())
        with self._lock:
            if status is None:
                open_count = self._db.execute(
                    "SELECT COUNT(*) FROM deliveries WHERE slot_id = ? AND status NOT IN "
                    f"({','.join('?' * len(FINAL_STATUSES))})",
                    (slot_id, *FINAL_STATUSES),
                ).fetchone()[0]
                status = "open" if open_count else "done"
            self._db.execute(
                "UPDATE slots SET status = ?, error = COALESCE(?, error), finished_at = ? "
                "WHERE id = ?",
                (status, error, None if status == "open" else stamp, slot_id),
            )
        return status

    def skip_slot(self, slot_id: int, reason: str, now: datetime | None = None) -> None:
        """Give up a slot: its unfinished deliveries become ``skipped`` with ``reason``."""
        stamp = iso(now or utcnow())
        self._write(
            [
                (
                    "UPDATE deliveries SET status = 'skipped', error = ?, next_retry_at = NULL, "
                    "updated_at = ? WHERE slot_id = ? AND status NOT IN ('posted', 'failed')",
                    (reason, stamp, slot_id),
                ),
                (
                    "UPDATE drafts SET status = 'skipped' WHERE slot_id = ? AND status = 'pending'",
                    (slot_id,),
                ),
                (
                    "UPDATE slots SET status = CASE WHEN EXISTS (SELECT 1 FROM deliveries "
                    "WHERE slot_id = slots.id AND status = 'posted') THEN 'done' ELSE 'skipped' "
                    "END, error = ?, finished_at = ? WHERE id = ?",
                    (reason, stamp, slot_id),
                ),
            ]
        )

    def set_state(self, key: str, value: str) -> None:
        self._write(
            [
                (
                    "INSERT INTO state (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
            ]
        )

    # -- reading -------------------------------------------------------------------------

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """The rows of one read-only query."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def state(self, key: str, default: str | None = None) -> str | None:
        rows = self.rows("SELECT value FROM state WHERE key = ?", (key,))
        return rows[0]["value"] if rows else default

    def slot(self, slot_id: int) -> Slot:
        return slot_from_row(self.rows("SELECT * FROM slots WHERE id = ?", (slot_id,))[0])

    def slots(self) -> list[Slot]:
        return [slot_from_row(r) for r in self.rows("SELECT * FROM slots ORDER BY id")]

    def open_slots(self) -> list[Slot]:
        return [slot_from_row(r) for r in self.rows("SELECT * FROM slots WHERE status = 'open'")]

    def last_slot_time(self) -> datetime | None:
        rows = self.rows("SELECT MAX(scheduled_at) AS t FROM slots")
        return parse_iso(rows[0]["t"])

    def delivery(self, delivery_id: int) -> Delivery:
        (row,) = self.rows("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
        return delivery_from_row(row)

    def deliveries(self, slot_id: int | None = None) -> list[Delivery]:
        if slot_id is None:
            rows = self.rows("SELECT * FROM deliveries ORDER BY id")
        else:
            rows = self.rows("SELECT * FROM deliveries WHERE slot_id = ? ORDER BY id", (slot_id,))
        return [delivery_from_row(r) for r in rows]

    def attempts(self, delivery_id: int | None = None) -> list[Attempt]:
        if delivery_id is None:
            rows = self.rows("SELECT * FROM attempts ORDER BY id")
        else:
            rows = self.rows(
                "SELECT * FROM attempts WHERE delivery_id = ? ORDER BY id", (delivery_id,)
            )
        return [attempt_from_row(r) for r in rows]

    def waiting(self) -> list[Delivery]:
        """Deliveries not final yet (pending, sending, retrying), oldest first."""
        rows = self.rows(
            "SELECT * FROM deliveries WHERE status IN ('pending', 'sending', 'retrying') "
            "ORDER BY id"
        )
        return [delivery_from_row(r) for r in rows]

    def next_retry_at(self) -> datetime | None:
        rows = self.rows(
            "SELECT MIN(next_retry_at) AS t FROM deliveries "
            "WHERE status IN ('pending', 'retrying') AND next_retry_at IS NOT NULL"
        )
        return parse_iso(rows[0]["t"])

    def recent_posted_texts(self, limit: int) -> list[str]:
        """The last ``limit`` distinct posted texts, oldest first (to seed the novelty check)."""
        rows = self.rows(
            "SELECT text, MAX(posted_at) AS t FROM deliveries WHERE status = 'posted' "
            "AND text IS NOT NULL GROUP BY text ORDER BY t DESC LIMIT ?",
            (limit,),
        )
        return [r["text"] for r in reversed(rows)]

    def last_posts(self, limit: int = 5) -> list[Delivery]:
        rows = self.rows(
            "SELECT * FROM deliveries WHERE status = 'posted' ORDER BY posted_at DESC LIMIT ?",
            (limit,),
        )
        return [delivery_from_row(r) for r in rows]

    def posts_since(self, target: str, since: datetime) -> int:
        """Posts to ``target`` since ``since``, counting a send in flight (for budgets)."""
        rows = self.rows(
            "SELECT COUNT(*) AS n FROM deliveries WHERE target = ? AND "
            "((status = 'posted' AND posted_at >= ?) OR status = 'sending')",
            (target, iso(since)),
        )
        return rows[0]["n"]

    def status_counts(self) -> dict[str, int]:
        rows = self.rows("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status")
        return {r["status"]: r["n"] for r in rows}

    def rejection_totals(self) -> dict[str, int]:
        rows = self.rows(
            "SELECT reason, SUM(count) AS n FROM rejections GROUP BY reason ORDER BY reason"
        )
        return {r["reason"]: r["n"] for r in rows}
