"""Drafts awaiting a moderator, in the post ledger's SQLite file (tables ``drafts``,
``draft_candidates`` and ``decisions``; see :mod:`bot.posting.ledger` for the schema).

A slot whose targets need approval gets a draft (``pending``) when it opens; its held
deliveries wait in the ledger as ``held``. Every decision is one ``BEGIN IMMEDIATE`` transaction
that reads the draft and changes it only if it is still pending, in the same round, and not
expired: two admins pressing at once, or one pressing twice, get one ``approved`` and one
refusal, whatever process they run in. Approving turns the held deliveries into due ``pending``
ones carrying the chosen text (the runner then sends them once, as any delivery); rejecting
and expiring turn them ``skipped``. Every press is recorded in ``decisions``, refused or not.

Draft statuses: ``pending``, ``approved``, ``rejected``, ``expired``, ``skipped`` (the slot
itself was skipped: nothing passed the filter).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.posting.ledger import Ledger, iso, parse_iso, utcnow

APPROVE, REJECT, ANOTHER, EXPIRE = "approve", "reject", "another", "expire"
ACCEPTED = "accepted"


@dataclass(frozen=True)
class Draft:
    slot_id: int
    status: str
    round: int
    candidates: tuple[str, ...]
    scheduled_at: datetime
    expires_at: datetime
    channel_id: int | None
    message_id: int | None
    decided_by: int | None
    decided_name: str | None
    decided_at: datetime | None
    choice: int | None
    text: str | None


@dataclass(frozen=True)
class Decision:
    """One press: ``accepted`` (the draft changed) or refused with ``reason``; ``draft`` as
    it stands after the decision."""

    action: str
    accepted: bool
    reason: str
    draft: Draft | None


@dataclass(frozen=True)
class DecisionRecord:
    slot_id: int
    round: int
    action: str
    choice: int | None
    user_id: int | None
    user_name: str | None
    at: datetime
    outcome: str


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


class DraftBook:
    """The drafts of one :class:`Ledger` (its connection, lock and transactions)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    # -- reading -------------------------------------------------------------------------

    def _draft(self, db: sqlite3.Connection, slot_id: int) -> Draft | None:
        row = db.execute(
            "SELECT d.*, s.scheduled_at FROM drafts d JOIN slots s ON s.id = d.slot_id "
            "WHERE d.slot_id = ?",
            (slot_id,),
        ).fetchone()
        if row is None:
            return None
        texts = db.execute(
            "SELECT text FROM draft_candidates WHERE slot_id = ? AND round = ? ORDER BY position",
            (slot_id, row["round"]),
        ).fetchall()
        return Draft(
            slot_id=row["slot_id"],
            status=row["status"],
            round=row["round"],
            candidates=tuple(t["text"] for t in texts),
            scheduled_at=parse_iso(row["scheduled_at"]),
            expires_at=parse_iso(row["expires_at"]),
            channel_id=_int(row["channel_id"]),
            message_id=_int(row["message_id"]),
            decided_by=_int(row["decided_by"]),
            decided_name=row["decided_name"],
            decided_at=parse_iso(row["decided_at"]),
            choice=row["choice"],
            text=row["text"],
        )

    def draft(self, slot_id: int) -> Draft | None:
        with self.ledger.transaction() as db:
            return self._draft(db, slot_id)

    def pending(self) -> list[Draft]:
        """Drafts still waiting for a decision, oldest first."""
        rows = self.ledger.rows(
            "SELECT slot_id FROM drafts WHERE status = 'pending' ORDER BY slot_id"
        )
        return [d for r in rows if (d := self.draft(r["slot_id"])) is not None]

    def counts(self) -> dict[str, int]:
        rows = self.ledger.rows("SELECT status, COUNT(*) AS n FROM drafts GROUP BY status")
        return {r["status"]: r["n"] for r in rows}

    def next_expiry(self) -> datetime | None:
        rows = self.ledger.rows("SELECT MIN(expires_at) AS t FROM drafts WHERE status = 'pending'")
        return parse_iso(rows[0]["t"])

    def decisions(self, slot_id: int | None = None) -> list[DecisionRecord]:
        where, params = ("WHERE slot_id = ?", (slot_id,)) if slot_id is not None else ("", ())
        rows = self.ledger.rows(f"SELECT * FROM decisions {where} ORDER BY id", params)
        return [
            DecisionRecord(
                r["slot_id"],
                r["round"],
                r["action"],
                r["choice"],
                _int(r["user_id"]),
                r["user_name"],
                parse_iso(r["at"]),
                r["outcome"],
            )
            for r in rows
        ]

    # -- writing -------------------------------------------------------------------------

    def add_candidates(self, slot_id: int, round_number: int, texts: list[str]) -> None:
        with self.ledger.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO draft_candidates (slot_id, round, position, text) "
                "VALUES (?, ?, ?, ?)",
                [(slot_id, round_number, i, t) for i, t in enumerate(texts, 1)],
            )

    def set_message(
        self, slot_id: int, channel_id: int, message_id: int, expires_at: datetime
    ) -> None:
        """The draft's message is shown: the moderators' clock starts now (``expires_at``)."""
        with self.ledger.transaction() as db:
            db.execute(
                "UPDATE drafts SET channel_id = ?, message_id = ?, expires_at = ? "
                "WHERE slot_id = ? AND status = 'pending'",
                (str(channel_id), str(message_id), iso(expires_at), slot_id),
            )

    def decide(
        self,
        slot_id: int,
        round_number: int,
        action: str,
        choice: int | None = None,
        *,
        user_id: int | None = None,
        user_name: str | None = None,
        now: datetime | None = None,
    ) -> Decision:
        """Apply one press (``approve`` with candidate ``choice``, ``reject`` or ``another``)
        if the draft is still pending, in ``round_number`` and not expired; recorded either
        way, in the same transaction."""
        stamp = iso(now or utcnow())
        with self.ledger.transaction() as db:
            draft = self._draft(db, slot_id)
            reason = self._refusal(db, draft, round_number, action, choice, stamp)
            if reason is None:
                self._apply(db, draft, action, choice, stamp, user_id, user_name)
            if draft is not None:  # (a decision row needs its draft)
                db.execute(
                    "INSERT INTO decisions (slot_id, round, action, choice, user_id, user_name, "
                    "at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        slot_id,
                        round_number,
                        action,
                        choice,
                        None if user_id is None else str(user_id),
                        user_name,
                        stamp,
                        reason or ACCEPTED,
                    ),
                )
            after = self._draft(db, slot_id)
        return Decision(action, reason is None, reason or ACCEPTED, after)

    def _refusal(
        self,
        db: sqlite3.Connection,
        draft: Draft | None,
        round_number: int,
        action: str,
        choice: int | None,
        stamp: str,
    ) -> str | None:
        if draft is None:
            return "there is no such draft"
        if draft.status == "pending" and iso(draft.expires_at) <= stamp:
            self._expire(db, draft.slot_id, stamp)
            return "this draft expired (APPROVAL_MAX_AGE) before the decision; nothing was posted"
        if draft.status != "pending":
            who = f" by {draft.decided_name}" if draft.decided_name else ""
            return f"this draft was already {draft.status}{who}; nothing more was done"
        if draft.round != round_number:
            return "these candidates were replaced by newer ones; use the latest message"
        if action == APPROVE and not (choice and 1 <= choice <= len(draft.candidates)):
            return f"there is no candidate {choice} in this draft"
        return None

    def _apply(
        self,
        db: sqlite3.Connection,
        draft: Draft,
        action: str,
        choice: int | None,
        stamp: str,
        user_id: int | None,
        user_name: str | None,
    ) -> None:
        slot_id = draft.slot_id
        if action == ANOTHER:
            db.execute("UPDATE drafts SET round = round + 1 WHERE slot_id = ?", (slot_id,))
            return
        text = draft.candidates[choice - 1] if action == APPROVE else None
        db.execute(
            "UPDATE drafts SET status = ?, decided_by = ?, decided_name = ?, decided_at = ?, "
            "choice = ?, text = ? WHERE slot_id = ? AND status = 'pending'",
            (
                "approved" if action == APPROVE else "rejected",
                None if user_id is None else str(user_id),
                user_name,
                stamp,
                choice,
                text,
                slot_id,
            ),
        )
        if action == APPROVE:  # due now: the runner's next pass sends them, once each
            db.execute(
                "UPDATE deliveries SET status = 'pending', text = ?, next_retry_at = ?, "
                "updated_at = ? WHERE slot_id = ? AND status = 'held'",
                (text, stamp, stamp, slot_id),
            )
        else:
            db.execute(
                "UPDATE deliveries SET status = 'skipped', error = ?, updated_at = ? "
                "WHERE slot_id = ? AND status = 'held'",
                (f"rejected by {user_name or 'a moderator'}", stamp, slot_id),
            )

    def _expire(self, db: sqlite3.Connection, slot_id: int, stamp: str) -> None:
        db.execute(
            "UPDATE drafts SET status = 'expired', decided_at = ? "
            "WHERE slot_id = ? AND status = 'pending'",
            (stamp, slot_id),
        )
        db.execute(
            "UPDATE deliveries SET status = 'skipped', error = ?, updated_at = ? "
            "WHERE slot_id = ? AND status = 'held'",
            ("not approved within APPROVAL_MAX_AGE", stamp, slot_id),
        )

    def expire_due(self, now: datetime | None = None) -> list[int]:
        """Expire every pending draft whose time is up (recorded as decisions); their slots."""
        stamp = iso(now or utcnow())
        with self.ledger.transaction() as db:
            rows = db.execute(
                "SELECT slot_id, round FROM drafts WHERE status = 'pending' AND expires_at <= ?",
                (stamp,),
            ).fetchall()
            for row in rows:
                self._expire(db, row["slot_id"], stamp)
                db.execute(
                    "INSERT INTO decisions (slot_id, round, action, at, outcome) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (row["slot_id"], row["round"], EXPIRE, stamp, ACCEPTED),
                )
        return [r["slot_id"] for r in rows]
