"""Crashes and restarts: a slot killed midway is finished without a double post; missed slots
are posted once within the grace period, skipped beyond it."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import timedelta

import pytest

from bot.posting.ledger import Ledger, iso, utcnow
from tests.fakes import x_api
from tests.fixtures_schedule import (
    MemeSource,
    fake_x_fixture,  # noqa: F401
    kill_when,
    make_targets,
    running_scheduler,
    schedule_settings,
    start_child,
)

pytestmark = pytest.mark.timeout(90)


def restart(settings, console, memes=None):
    async def main():
        async with running_scheduler(
            settings, make_targets(settings, console), memes or MemeSource("after restart")
        ) as scheduler:
            return scheduler.ledger.slots(), scheduler.ledger.deliveries()

    return asyncio.run(main())


def test_killed_while_sending_to_x_posts_nothing_twice(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x)
    fake_x.script(x_api.slow(60, create=True))  # X creates the tweet, then the process dies
    child = start_child(settings.ledger_path, fake_x)
    output = kill_when(child, lambda: len(fake_x.tweets) == 1)
    assert output.count("[scheduled post] meme number 1") == 1

    book = Ledger(settings.ledger_path)
    by_target = {d.target: d for d in book.deliveries()}
    assert by_target["console"].status == "posted" and by_target["x"].status == "sending"
    book.close()

    console = io.StringIO()
    memes = MemeSource("after restart")
    (slot,), deliveries = restart(settings, console, memes)
    assert console.getvalue() == ""  # the console post is not repeated
    assert memes.kinds == []  # the slot keeps its meme
    assert fake_x.posted_texts() == [slot.text]  # X holds one copy
    assert slot.status == "done"
    assert {d.target: d.status for d in deliveries} == {"console": "posted", "x": "posted"}
    book = Ledger(settings.ledger_path)
    x_attempts = book.attempts(by_target["x"].id)
    assert [a.outcome for a in x_attempts] == ["in_doubt", "duplicate"]
    assert len(book.attempts(by_target["console"].id)) == 1
    book.close()


def test_killed_while_generating_posts_the_slot_once_after_restart(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x)
    child = start_child(settings.ledger_path, fake_x, meme_delay=60)

    def slot_opened() -> bool:
        if not settings.ledger_path.exists():
            return False
        book = Ledger(settings.ledger_path)
        try:
            return bool(book.slots())
        finally:
            book.close()

    kill_when(child, slot_opened)
    assert fake_x.tweet_requests() == []
    console = io.StringIO()
    memes = MemeSource("after restart")
    (slot,), deliveries = restart(settings, console, memes)
    assert memes.kinds == ["x"]
    assert slot.status == "done" and slot.text == "after restart number 1 goes up only"
    assert console.getvalue().count(slot.text) == 1
    assert fake_x.posted_texts() == [slot.text]
    assert all(d.status == "posted" and d.tries == 1 for d in deliveries)


def test_in_doubt_send_without_a_safe_resend_is_not_repeated(tmp_path, caplog):
    settings = schedule_settings(tmp_path)
    book = Ledger(settings.ledger_path)
    slot_id = book.open_slot(utcnow(), "scheduled", ["console"])
    book.set_slot_text(slot_id, "maybe posted", 1)
    (delivery,) = book.deliveries(slot_id)
    book.begin_attempt(delivery.id, "maybe posted")  # ...and the process died here
    book.close()

    console = io.StringIO()
    with caplog.at_level(logging.ERROR):
        (slot,), (after,) = restart(settings, console)
    assert console.getvalue() == ""
    assert after.status == "failed" and "not repeated" in after.error
    assert "may or may not have been posted" in caplog.text
    assert slot.status == "done"


def test_missed_interval_slots_are_posted_once_within_grace(tmp_path, fake_x, caplog):
    settings = schedule_settings(tmp_path, fake_x, interval=timedelta(minutes=1))
    book = Ledger(settings.ledger_path)
    book.set_state("anchor", iso(utcnow() - timedelta(minutes=5, seconds=30)))
    book.close()

    async def main():
        async with running_scheduler(settings, make_targets(settings), MemeSource()) as sch:
            return sch.ledger.slots(), sch.upcoming(1)

    with caplog.at_level(logging.INFO):
        slots, (following,) = asyncio.run(main())
    assert [(s.kind, s.status) for s in slots] == [("catch-up", "done")]
    assert len(fake_x.tweets) == 1
    assert "5 slot(s) missed while the bot was down" in caplog.text
    assert following == slots[0].scheduled_at + timedelta(minutes=1)  # the grid goes on
    assert following > utcnow()


def test_missed_cron_slots_beyond_grace_are_skipped_with_a_log_line(tmp_path, fake_x, caplog):
    settings = schedule_settings(tmp_path, fake_x, cron="*/15 * * * *", grace=timedelta(seconds=1))
    book = Ledger(settings.ledger_path)
    book.set_state("anchor", iso(utcnow() - timedelta(hours=2)))
    book.close()

    async def main():
        async with running_scheduler(settings, make_targets(settings), MemeSource()) as sch:
            return sch.ledger.slots(), sch.ledger.deliveries()

    with caplog.at_level(logging.WARNING):
        (slot,), deliveries = asyncio.run(main())
    assert fake_x.tweet_requests() == []
    assert slot.kind == "missed" and slot.status == "skipped"
    assert slot.scheduled_at.minute % 15 == 0
    assert all(d.status == "skipped" for d in deliveries)
    assert "skipping 8 slot(s) missed while the bot was down" in caplog.text
    assert "older than the grace period" in caplog.text


def test_recent_posts_seed_the_novelty_check_after_a_restart(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x)

    async def post_two():
        async with running_scheduler(settings, make_targets(settings), MemeSource()) as sch:
            await sch.post_now()
            await sch.post_now()

    asyncio.run(post_two())
    remembered = []

    async def main():
        async with running_scheduler(
            settings, make_targets(settings), MemeSource(), remembered.append
        ):
            pass

    asyncio.run(main())
    assert remembered == ["meme number 1 goes up only", "meme number 2 goes up only"]
