"""Scheduled and manual posts through the real scheduler, real tweepy and the fake X API."""

from __future__ import annotations

import asyncio
import io
import itertools
import time
from datetime import timedelta

import pytest

from bot.posting.ledger import Ledger
from tests.fakes import x_api
from tests.fixtures_schedule import (  # fixtures: fake_x
    MemeSource,
    fake_x_fixture,  # noqa: F401
    make_targets,
    running_scheduler,
    schedule_settings,
    wait_for,
)

pytestmark = pytest.mark.timeout(60)


def x_delivery(book, slot_id):
    return next(d for d in book.deliveries(slot_id) if d.target == "x")


def post_until_x_is(settings, status: str, memes=None):
    """Post one slot now and wait for X's delivery to reach ``status``; its attempts, the
    delivery and the slot, as the ledger has them."""

    async def main():
        targets = make_targets(settings)
        async with running_scheduler(settings, targets, memes or MemeSource()) as sch:
            await sch.post_now()
            slot_id = sch.ledger.slots()[-1].id
            await wait_for(lambda: x_delivery(sch.ledger, slot_id).status == status, 5)
            delivery = x_delivery(sch.ledger, slot_id)
            return sch.ledger.attempts(delivery.id), delivery, sch.ledger.slot(slot_id)

    return asyncio.run(main())


def test_interval_slots_post_one_meme_to_every_target(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x, interval=timedelta(seconds=0.4))
    console = io.StringIO()
    memes = MemeSource()
    remembered = []

    async def main():
        async with running_scheduler(
            settings, make_targets(settings, console), memes, remembered.append
        ) as scheduler:
            assert scheduler.upcoming(3)[0] < scheduler.upcoming(3)[1]
            await wait_for(lambda: len(fake_x.tweets) >= 2)
            await asyncio.sleep(0.1)
            return scheduler.ledger.slots(), scheduler.ledger.deliveries()

    slots, deliveries = asyncio.run(main())
    done = [s for s in slots if s.status == "done"]
    assert len(done) >= 2 and all(s.kind == "scheduled" for s in slots)
    texts = [s.text for s in done]
    for text in texts[:2]:
        assert f"[scheduled post] {text}" in console.getvalue()
        assert text in fake_x.posted_texts()
    posted_ids = {d.remote_id for d in deliveries if d.target == "x" and d.status == "posted"}
    assert posted_ids <= set(fake_x.tweets)
    assert set(memes.kinds) == {"x"}  # generated against X's limits
    assert len(memes.kinds) == len(slots)  # one meme per slot
    assert remembered[:2] == texts[:2]


def test_pause_stops_slots_and_survives_a_restart(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x, interval=timedelta(seconds=0.3))
    memes = MemeSource()

    async def main():
        async with running_scheduler(settings, make_targets(settings), memes) as scheduler:
            scheduler.pause()
            assert scheduler.paused and scheduler.upcoming() == []
            await asyncio.sleep(0.8)
            assert fake_x.tweets == {}
        async with running_scheduler(settings, make_targets(settings), memes) as scheduler:
            assert scheduler.paused
            await asyncio.sleep(0.5)
            assert fake_x.tweets == {}  # no catch-up for slots skipped while paused
            scheduler.resume()
            assert not scheduler.paused and scheduler.upcoming()
            await wait_for(lambda: len(fake_x.tweets) == 1)

    asyncio.run(main())


def test_post_now_while_paused_and_summary(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x)

    async def main():
        async with running_scheduler(settings, make_targets(settings), MemeSource()) as scheduler:
            scheduler.pause()
            return await scheduler.post_now(), scheduler.status_lines()

    summary, status = asyncio.run(main())
    (tweet_id,) = fake_x.tweets
    assert summary == f"console: posted (id console-1); x: posted (id {tweet_id})"
    assert "x: ok" in status
    assert any(line.startswith("X today: 1 of 10 posts; ") for line in status)
    assert any("Last post:" in line and "meme number 1" in line for line in status)


def test_duplicate_regenerates_once_for_x_only(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x)
    console = io.StringIO()
    memes = MemeSource()
    fake_x.script(x_api.duplicate())

    async def main():
        async with running_scheduler(settings, make_targets(settings, console), memes) as sch:
            await sch.post_now()
            return x_delivery(sch.ledger, sch.ledger.slots()[-1].id)

    delivery = asyncio.run(main())
    assert memes.kinds == ["x", "x"]
    assert fake_x.posted_texts() == ["meme number 2 goes up only"]
    assert "[scheduled post] meme number 1 goes up only" in console.getvalue()
    assert delivery.status == "posted" and delivery.regenerated == 1
    assert [len(fake_x.tweet_requests())] == [2]


def test_duplicate_twice_fails_the_x_delivery(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x)
    fake_x.script(x_api.duplicate(), x_api.duplicate())

    async def main():
        async with running_scheduler(settings, make_targets(settings), MemeSource()) as sch:
            summary = await sch.post_now()
            return summary, sch.ledger.slots()[-1]

    summary, slot = asyncio.run(main())
    assert "x: failed" in summary and "(twice)" in summary
    assert "console: posted" in summary
    assert slot.status == "done" and fake_x.tweets == {}


def test_rate_limit_keeps_the_post_pending_until_the_reset(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x)
    fake_x.script(x_api.rate_limited(int(time.time()) + 1))

    async def main():
        async with running_scheduler(settings, make_targets(settings), MemeSource()) as sch:
            summary = await sch.post_now()
            slot_id = sch.ledger.slots()[-1].id
            waiting = x_delivery(sch.ledger, slot_id)
            assert "x: pending" in summary and "retrying at" in summary
            assert waiting.next_retry_at is not None
            assert any("next retry" in line for line in sch.status_lines())
            await wait_for(lambda: x_delivery(sch.ledger, slot_id).status == "posted", 5)
            return waiting, sch.ledger.slot(slot_id)

    waiting, slot = asyncio.run(main())
    assert waiting.status == "pending"
    assert fake_x.posted_texts() == [slot.text] and slot.status == "done"


def test_unauthorized_x_is_marked_unhealthy_and_discord_goes_on(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x)
    memes = MemeSource()
    fake_x.script(x_api.unauthorized())

    async def main():
        async with running_scheduler(settings, make_targets(settings), memes) as sch:
            first = await sch.post_now()
            second = await sch.post_now()
            return first, second, sch.status_lines()

    first, second, status = asyncio.run(main())
    assert "console: posted" in first and "x: failed" in first and "401" in first
    assert "console: posted" in second and "x: skipped" in second
    assert len(fake_x.tweet_requests()) == 1  # no more calls with bad keys
    assert memes.kinds == ["x", "discord"]  # X's limits no longer apply
    assert any(line.startswith("x: unhealthy: X refused the credentials (401") for line in status)


def test_server_errors_retry_with_backoff_then_post(tmp_path, fake_x):
    fake_x.script(x_api.server_error(), x_api.server_error())
    attempts, _, _ = post_until_x_is(schedule_settings(tmp_path, fake_x), "posted")
    assert [a.outcome for a in attempts] == ["transient", "transient", "posted"]
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4  # 0.2 s, then doubled
    assert len(fake_x.tweets) == 1


def test_retries_are_bounded(tmp_path, fake_x):
    fake_x.script(*[x_api.server_error()] * 3)
    settings = schedule_settings(tmp_path, fake_x, max_tries=2)
    _, delivery, slot = post_until_x_is(settings, "failed")
    assert delivery.tries == 2 and "gave up after 2 tries" in delivery.error
    assert slot.status == "done" and len(fake_x.tweet_requests()) == 2


def test_timeout_that_landed_is_not_posted_twice(tmp_path, fake_x):
    memes = MemeSource()
    fake_x.script(x_api.slow(1.5, create=True))  # X took the tweet, the client gave up
    attempts, _, _ = post_until_x_is(schedule_settings(tmp_path, fake_x), "posted", memes)
    assert [a.outcome for a in attempts] == ["transient", "duplicate"]
    assert len(fake_x.tweets) == 1 and memes.kinds == ["x"]  # no second meme sent


def test_daily_budget_skips_x(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x, x_daily_budget=1)

    async def main():
        async with running_scheduler(settings, make_targets(settings), MemeSource()) as sch:
            await sch.post_now()
            return await sch.post_now(), sch.status_lines()

    second, status = asyncio.run(main())
    assert "x: skipped (X daily budget of 1 posts reached" in second
    assert "console: posted" in second
    assert len(fake_x.tweets) == 1
    assert any(line.startswith("X today: 1 of 1 posts") for line in status)


def test_nothing_passes_the_filter(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x)

    async def nothing(kind):
        from tests.fixtures_schedule import Meme

        return Meme(None, [("x", ("profanity: x",)), ("y", ("too_long: 300",))], candidates=16)

    async def main():
        async with running_scheduler(settings, make_targets(settings), nothing) as sch:
            return await sch.post_now(), sch.ledger.rejection_totals()

    summary, rejections = asyncio.run(main())
    assert summary == "Nothing posted: no meme passed the filter (16 candidates tried)"
    assert rejections == {"profanity": 1, "too_long": 1}
    assert fake_x.tweet_requests() == []


def test_a_failing_generator_skips_the_slot_and_the_schedule_goes_on(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x)
    remembered = []

    async def broken(kind):
        raise RuntimeError("The meme generator is not running.")

    async def remember(text):  # async, as the bot's worker call is
        remembered.append(text)

    async def main():
        async with running_scheduler(settings, make_targets(settings), broken) as sch:
            first = await sch.post_now()
            sch.runner.make_meme = MemeSource()
            second = await sch.post_now()
            return first, second

    async def run():
        async with running_scheduler(settings, make_targets(settings), MemeSource(), remember):
            pass

    first, second = asyncio.run(main())
    assert first == "Nothing posted: generating the meme failed: The meme generator is not running."
    assert "x: posted" in second and len(fake_x.tweets) == 1
    asyncio.run(run())
    assert remembered == ["meme number 1 goes up only"]


def test_rate_limits_do_not_use_up_the_tries(tmp_path, fake_x):
    soon = int(time.time())
    fake_x.script(x_api.rate_limited(soon), x_api.rate_limited(soon), x_api.server_error())
    settings = schedule_settings(tmp_path, fake_x, max_tries=2)
    attempts, _, _ = post_until_x_is(settings, "posted")
    outcomes = ["rate_limited", "rate_limited", "transient", "posted"]
    assert [a.outcome for a in attempts] == outcomes


def test_stop_lets_a_slot_in_flight_finish(tmp_path, fake_x):
    settings = schedule_settings(tmp_path, fake_x, x_timeout_seconds=5.0)
    fake_x.script(x_api.slow(0.5, create=True))

    async def main():
        async with running_scheduler(settings, make_targets(settings), MemeSource()) as sch:
            posting = asyncio.create_task(sch.post_now())
            await wait_for(lambda: len(fake_x.tweet_requests()) == 1)
        return await posting  # stop() waited for it

    assert "x: posted" in asyncio.run(main())
    with Ledger(settings.ledger_path) as book:
        assert [d.status for d in book.deliveries()] == ["posted", "posted"]
