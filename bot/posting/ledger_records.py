"""The post ledger's records (slots, deliveries, attempts) and its time format."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """A fixed-width UTC timestamp: text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def parse_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Slot:
    id: int
    scheduled_at: datetime
    kind: str
    status: str
    text: str | None
    error: str | None


@dataclass(frozen=True)
class Delivery:
    id: int
    slot_id: int
    target: str
    text: str | None
    status: str
    remote_id: str | None
    error: str | None
    tries: int
    regenerated: int
    next_retry_at: datetime | None
    updated_at: datetime
    posted_at: datetime | None


@dataclass(frozen=True)
class Attempt:
    id: int
    delivery_id: int
    text: str
    started_at: datetime
    outcome: str | None
    remote_id: str | None
    error: str | None


def slot_from_row(row: sqlite3.Row) -> Slot:
    return Slot(
        row["id"],
        parse_iso(row["scheduled_at"]),
        row["kind"],
        row["status"],
        row["text"],
        row["error"],
    )


def delivery_from_row(row: sqlite3.Row) -> Delivery:
    return Delivery(
        row["id"],
        row["slot_id"],
        row["target"],
        row["text"],
        row["status"],
        row["remote_id"],
        row["error"],
        row["tries"],
        row["regenerated"],
        parse_iso(row["next_retry_at"]),
        parse_iso(row["updated_at"]),
        parse_iso(row["posted_at"]),
    )


def attempt_from_row(row: sqlite3.Row) -> Attempt:
    return Attempt(
        row["id"],
        row["delivery_id"],
        row["text"],
        parse_iso(row["started_at"]),
        row["outcome"],
        row["remote_id"],
        row["error"],
    )
