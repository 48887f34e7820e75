"""Bluesky and Mastodon through the real slot runner and ledger: one meme everywhere, the
every target's limit, retries, unhealthy targets, and a process killed mid-send (no double post)."""

from __future__ import annotations

import asyncio
import io
import time

import pytest

from bot.posting.ledger import Ledger
from pipeline.contentfilter import LengthRules, Target
from tests.fakes import bluesky_server as pds_api
from tests.fakes import mastodon_server as instance_api
from tests.fakes.bluesky_server import CREATE_RECORD, CREATE_SESSION, FakeBluesky
from tests.fakes.mastodon_server import FakeMastodon
from tests.fixtures_schedule import MemeSource, kill_when, running_scheduler, wait_for
from tests.fixtures_targets import (  # noqa: F401 (fixtures)
    all_targets,
    fake_bluesky_fixture,
    fake_mastodon_fixture,
    post_once,
    restart,
    start_child,
    targets_settings,
)

pytestmark = pytest.mark.timeout(90)


def by_target(deliveries) -> dict:
    return {d.target: d for d in deliveries}


def attempts_of(settings, delivery) -> list[str]:
    book = Ledger(settings.posting.ledger_path)
    try:
        return [a.outcome for a in book.attempts(delivery.id)]
    finally:
        book.close()


def test_one_meme_goes_to_console_bluesky_and_mastodon(tmp_path, fake_bluesky, fake_mastodon):
    settings = targets_settings(tmp_path, fake_bluesky, fake_mastodon)
    console, memes = io.StringIO(), MemeSource()
    summary, (slot,), deliveries = post_once(settings, console, memes)
    assert slot.status == "done"
    assert fake_bluesky.posted_texts() == [slot.text] == fake_mastodon.posted_texts()
    assert f"[scheduled post] {slot.text}" in console.getvalue()
    rows = by_target(deliveries)
    assert {name: d.status for name, d in rows.items()} == dict.fromkeys(
        ("console", "bluesky", "mastodon"), "posted"
    )
    assert rows["bluesky"].remote_id in fake_bluesky.records
    assert rows["mastodon"].remote_id in fake_mastodon.statuses
    assert f"bluesky: posted (id {rows['bluesky'].remote_id})" in summary
    # every target's own limit: Bluesky's 300 graphemes, the instance's 500
    assert memes.lengths == [
        LengthRules([(Target.CONSOLE, None), (Target.BLUESKY, 300), (Target.MASTODON, 500)])
    ]


def test_a_small_mastodon_limit_is_what_the_meme_must_meet(tmp_path, fake_bluesky):
    with FakeMastodon(max_characters=120) as instance:
        settings = targets_settings(tmp_path, fake_bluesky, instance)
        memes = MemeSource()
        post_once(settings, memes=memes)
    assert (Target.MASTODON, 120) in memes.lengths[0].limits


def post_until(settings, target: str, status: str):
    """Post one slot now and let the scheduler retry until ``target``'s delivery reaches
    ``status``; the summary, the slot, the delivery and its attempts' outcomes."""

    async def main():
        async with running_scheduler(settings.posting, all_targets(settings), MemeSource()) as sch:
            summary = await sch.post_now()
            (slot,) = sch.ledger.slots()

            def row():
                return by_target(sch.ledger.deliveries(slot.id))[target]

            await wait_for(lambda: row().status == status, 10)
            outcomes = [a.outcome for a in sch.ledger.attempts(row().id)]
            return summary, sch.ledger.slot(slot.id), row(), outcomes

    return asyncio.run(main())


def test_a_timeout_after_bluesky_took_the_post_is_not_posted_twice(tmp_path, fake_bluesky):
    settings = targets_settings(tmp_path, fake_bluesky)
    fake_bluesky.script(CREATE_RECORD, pds_api.slow(2.0, create=True))
    summary, slot, row, outcomes = post_until(settings, "bluesky", "posted")
    assert "bluesky: retrying (Bluesky timed out)" in summary
    assert fake_bluesky.posted_texts() == [slot.text]
    assert outcomes == ["transient", "found"]
    assert row.remote_id == next(iter(fake_bluesky.records))


def test_a_rate_limited_bluesky_post_waits_for_the_reset(tmp_path, fake_bluesky):
    settings = targets_settings(tmp_path, fake_bluesky)
    reset = int(time.time()) + 3600
    fake_bluesky.script(CREATE_RECORD, pds_api.rate_limited(reset))
    _, _, deliveries = post_once(settings)
    row = by_target(deliveries)["bluesky"]
    assert row.status == "pending" and int(row.next_retry_at.timestamp()) == reset
    assert fake_bluesky.records == {}


def test_mastodon_server_errors_are_retried_with_the_same_key(tmp_path, fake_mastodon):
    settings = targets_settings(tmp_path, instance=fake_mastodon)
    fake_mastodon.script(instance_api.server_error(503), instance_api.slow(2.0, create=True))
    summary, slot, row, outcomes = post_until(settings, "mastodon", "posted")
    assert "mastodon: retrying (Mastodon server error: 503" in summary
    assert outcomes == ["transient", "transient", "posted"]
    assert fake_mastodon.posted_texts() == [slot.text]
    assert row.remote_id == next(iter(fake_mastodon.statuses))
    keys = {r.headers["idempotency-key"] for r in fake_mastodon.status_requests()}
    assert len(keys) == 1


def test_bluesky_gives_up_after_the_bounded_tries(tmp_path, fake_bluesky):
    settings = targets_settings(tmp_path, fake_bluesky, max_tries=3)
    fake_bluesky.script(CREATE_RECORD, *[pds_api.server_error(503)] * 3)
    _, _, row, outcomes = post_until(settings, "bluesky", "failed")
    assert outcomes == ["transient"] * 3 and "gave up after 3 tries" in row.error
    assert fake_bluesky.records == {}


def test_unhealthy_targets_are_skipped_and_the_rest_still_posts(tmp_path, fake_mastodon):
    with FakeBluesky(password="abcd-abcd-abcd-abcd") as wrong_password:
        fake_mastodon.revoke()
        settings = targets_settings(tmp_path, wrong_password, fake_mastodon)
        console, memes = io.StringIO(), MemeSource()
        summary, _, deliveries = post_once(settings, console, memes)
    assert "bluesky: skipped (Bluesky refused the login" in summary
    rows = by_target(deliveries)
    assert rows["console"].status == "posted"
    # both were found out before the meme was made (the login, the token check): skipped, and
    # the meme was made for the console alone
    assert rows["bluesky"].status == "skipped" and "BLUESKY_APP_PASSWORD" in rows["bluesky"].error
    assert rows["mastodon"].status == "skipped" and "401" in rows["mastodon"].error
    assert memes.kinds == [("console",)]
    assert wrong_password.records == {}
    assert fake_mastodon.statuses == {}


def test_killed_while_sending_to_bluesky_posts_nothing_twice(tmp_path, fake_bluesky):
    fake_bluesky.script(CREATE_RECORD, pds_api.slow(60, create=True))  # taken, then the crash
    child = start_child(tmp_path, pds=fake_bluesky)
    output = kill_when(child, lambda: len(fake_bluesky.records) == 1)
    assert output.count("[scheduled post] meme number 1") == 1

    settings = targets_settings(tmp_path, fake_bluesky)
    console, memes = io.StringIO(), MemeSource("after restart")
    (slot,), deliveries = restart(settings, console, memes)
    assert console.getvalue() == "" and memes.kinds == []  # nothing else is repeated
    assert fake_bluesky.posted_texts() == [slot.text]  # one copy on Bluesky
    row = by_target(deliveries)["bluesky"]
    assert row.status == "posted" and slot.status == "done"
    assert attempts_of(settings, row) == ["in_doubt", "found"]
    assert len(fake_bluesky.calls(CREATE_SESSION)) == 1  # the restart resumed the session


def test_killed_before_bluesky_took_the_post_sends_it_once_after_restart(tmp_path, fake_bluesky):
    fake_bluesky.script(CREATE_RECORD, pds_api.slow(60, create=False))  # never taken
    child = start_child(tmp_path, pds=fake_bluesky)
    kill_when(child, lambda: len(fake_bluesky.calls(CREATE_RECORD)) == 1)
    assert fake_bluesky.records == {}

    settings = targets_settings(tmp_path, fake_bluesky)
    (slot,), deliveries = restart(settings)
    row = by_target(deliveries)["bluesky"]
    assert row.status == "posted" and fake_bluesky.posted_texts() == [slot.text]
    assert attempts_of(settings, row) == ["in_doubt", "posted"]


def test_killed_while_sending_to_mastodon_posts_nothing_twice(tmp_path, fake_mastodon):
    fake_mastodon.script(instance_api.slow(60, create=True))
    child = start_child(tmp_path, instance=fake_mastodon)
    kill_when(child, lambda: len(fake_mastodon.statuses) == 1)

    settings = targets_settings(tmp_path, instance=fake_mastodon)
    (slot,), deliveries = restart(settings)
    row = by_target(deliveries)["mastodon"]
    assert row.status == "posted" and slot.status == "done"
    assert fake_mastodon.posted_texts() == [slot.text]  # the resend got the first status
    assert row.remote_id == next(iter(fake_mastodon.statuses))
    assert attempts_of(settings, row) == ["in_doubt", "posted"]
    first, resend = fake_mastodon.status_requests()
    assert first.headers["idempotency-key"] == resend.headers["idempotency-key"]
