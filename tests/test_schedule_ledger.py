"""The post ledger on a real SQLite file: statuses, attempts, queries for status and novelty."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from bot.posting.ledger import Ledger, utcnow
from tests.fixtures_schedule import ledger_fixture  # noqa: F401


def posted_slot(book: Ledger, text: str, targets=("discord:1", "x")) -> int:
    slot_id = book.open_slot(utcnow(), "scheduled", targets)
    book.set_slot_text(slot_id, text, 3)
    for delivery in book.deliveries(slot_id):
        attempt = book.begin_attempt(delivery.id, text)
        book.finish_attempt(attempt, outcome="posted", status="posted", remote_id=f"id-{text}")
    book.finish_slot(slot_id)
    return slot_id


def test_every_step_is_on_disk_before_the_next(ledger, tmp_path):
    slot_id = ledger.open_slot(utcnow(), "scheduled", ["discord:1", "x"])
    ledger.set_slot_text(slot_id, "gm", 2)
    x = ledger.deliveries(slot_id)[1]
    attempt = ledger.begin_attempt(x.id, "gm")
    # another connection (another process after a crash) sees the send in flight
    other = sqlite3.connect(tmp_path / "ledger.db")
    assert other.execute(
        "SELECT status, tries FROM deliveries WHERE id = ?", (x.id,)
    ).fetchone() == (
        "sending",
        1,
    )
    ledger.finish_attempt(attempt, outcome="posted", status="posted", remote_id="42")
    assert other.execute(
        "SELECT status, remote_id FROM deliveries WHERE id = ?", (x.id,)
    ).fetchone() == (
        "posted",
        "42",
    )
    other.close()
    assert ledger.finish_slot(slot_id) == "open"  # discord:1 still pending
    assert [d.status for d in ledger.waiting()] == ["pending"]


def test_recent_texts_last_posts_and_counts(ledger):
    for text in ("one", "two", "three"):
        posted_slot(ledger, text)
    assert ledger.recent_posted_texts(2) == ["two", "three"]
    assert [d.text for d in ledger.last_posts(2)] == ["three", "three"]
    assert ledger.posts_since("x", utcnow() - timedelta(minutes=1)) == 3
    assert ledger.posts_since("x", utcnow() + timedelta(minutes=1)) == 0
    assert ledger.status_counts() == {"posted": 6}
    assert {s.status for s in ledger.slots()} == {"done"}


def test_retry_times_rejections_and_state(ledger):
    slot_id = ledger.open_slot(utcnow(), "scheduled", ["x"])
    ledger.set_slot_text(slot_id, "later", 1)
    (x,) = ledger.deliveries(slot_id)
    attempt = ledger.begin_attempt(x.id, "later")
    when = utcnow() + timedelta(minutes=15)
    ledger.finish_attempt(attempt, outcome="rate_limited", status="pending", next_retry_at=when)
    assert ledger.next_retry_at() == when.replace(microsecond=when.microsecond)
    ledger.record_rejections(slot_id, {"profanity": 2})
    ledger.record_rejections(slot_id, {"profanity": 1, "too_long": 1})
    assert ledger.rejection_totals() == {"profanity": 3, "too_long": 1}
    ledger.set_state("paused", "1")
    assert ledger.state("paused") == "1" and ledger.state("missing", "no") == "no"


def test_skipping_a_slot_keeps_what_was_posted(ledger):
    slot_id = ledger.open_slot(utcnow(), "scheduled", ["discord:1", "x"])
    ledger.set_slot_text(slot_id, "half", 1)
    first = ledger.deliveries(slot_id)[0]
    attempt = ledger.begin_attempt(first.id, "half")
    ledger.finish_attempt(attempt, outcome="posted", status="posted", remote_id="9")
    ledger.skip_slot(slot_id, "too old")
    assert [d.status for d in ledger.deliveries(slot_id)] == ["posted", "skipped"]
    assert ledger.slot(slot_id).status == "done"
