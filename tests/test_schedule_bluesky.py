"""Real atproto against the fake PDS on loopback: one session, every answer one post error."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.posting.errors import PostRejected, RateLimited, TargetUnhealthy, TransientError
from bot.posting.targets.bluesky import BlueskyTarget
from tests.fakes import bluesky_server as pds_api
from tests.fakes.bluesky_server import (
    APP_PASSWORD,
    CREATE_RECORD,
    CREATE_SESSION,
    DID,
    HANDLE,
    REFRESH_SESSION,
)
from tests.fixtures_schedule import loop_ticks_while_failing
from tests.fixtures_targets import (  # noqa: F401 (fixtures)
    bluesky_settings,
    bluesky_target_fixture,
    fake_bluesky_fixture,
)

pytestmark = pytest.mark.timeout(30)


def send(target: BlueskyTarget, text: str) -> str:
    return asyncio.run(target.send(text))


def test_post_creates_one_record_with_one_login(fake_bluesky, bluesky_target, tmp_path):
    first = send(bluesky_target, "gm frens, number go up")
    second = send(bluesky_target, "patch tuesday, again")
    assert first.startswith(f"at://{DID}/app.bsky.feed.post/") and first != second
    assert fake_bluesky.posted_texts() == ["gm frens, number go up", "patch tuesday, again"]
    (login,) = fake_bluesky.calls(CREATE_SESSION)
    assert login.body == {"identifier": HANDLE, "password": APP_PASSWORD}
    record = fake_bluesky.calls(CREATE_RECORD)[0].body
    assert record["repo"] == DID and record["record"]["$type"] == "app.bsky.feed.post"
    session_file = tmp_path / "bluesky.session"
    assert session_file.stat().st_mode & 0o777 == 0o600
    assert bluesky_target.problem is None


def test_a_restart_resumes_the_saved_session(fake_bluesky, tmp_path):
    settings = bluesky_settings(fake_bluesky, tmp_path)
    send(BlueskyTarget.from_settings(settings), "before the restart")
    send(BlueskyTarget.from_settings(settings), "after the restart")
    assert len(fake_bluesky.calls(CREATE_SESSION)) == 1
    assert fake_bluesky.posted_texts() == ["before the restart", "after the restart"]


def test_an_expiring_session_is_refreshed_not_logged_in_again(
    fake_bluesky, bluesky_target, tmp_path
):
    fake_bluesky.access_ttl = 60  # atproto refreshes 15 minutes before expiry: at every call
    send(bluesky_target, "one")
    saved = (tmp_path / "bluesky.session").read_text()
    send(bluesky_target, "two")
    assert len(fake_bluesky.calls(CREATE_SESSION)) == 1
    assert len(fake_bluesky.calls(REFRESH_SESSION)) == 2  # one before each post
    assert (tmp_path / "bluesky.session").read_text() != saved  # the refreshed one is kept
    assert fake_bluesky.posted_texts() == ["one", "two"]


def test_a_revoked_session_is_replaced_by_a_fresh_login(fake_bluesky, bluesky_target, tmp_path):
    send(bluesky_target, "one")
    fake_bluesky.revoke_sessions()
    send(bluesky_target, "two")
    assert len(fake_bluesky.calls(CREATE_SESSION)) == 2
    assert fake_bluesky.posted_texts() == ["one", "two"]
    assert bluesky_target.problem is None


def test_wrong_app_password_marks_bluesky_unhealthy(fake_bluesky, tmp_path, caplog):
    wrong = "zzzz-zzzz-zzzz-zzzz"
    target = BlueskyTarget.from_settings(
        bluesky_settings(fake_bluesky, tmp_path, app_password=wrong)
    )
    with pytest.raises(TargetUnhealthy, match="AuthenticationRequired"):
        send(target, "hello")
    assert "BLUESKY_APP_PASSWORD" in target.problem
    assert any("Bluesky target unhealthy" in r.getMessage() for r in caplog.records)
    assert wrong not in caplog.text and fake_bluesky.records == {}


def test_a_revoked_app_password_marks_bluesky_unhealthy(fake_bluesky, bluesky_target):
    send(bluesky_target, "one")
    fake_bluesky.revoke_sessions()
    fake_bluesky.password = "newp-assw-ord0-0000"  # the old one was revoked
    with pytest.raises(TargetUnhealthy):
        send(bluesky_target, "two")
    assert fake_bluesky.posted_texts() == ["one"]


def test_rate_limit_gives_the_ratelimit_reset_time(fake_bluesky, bluesky_target):
    reset = int(time.time()) + 900
    fake_bluesky.script(CREATE_RECORD, pds_api.rate_limited(reset))
    with pytest.raises(RateLimited, match="policy 5000;w=3600") as caught:
        send(bluesky_target, "too fast")
    assert caught.value.retry_at == datetime.fromtimestamp(reset, UTC)
    assert fake_bluesky.records == {}


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(fake_bluesky, bluesky_target, status):
    fake_bluesky.script(CREATE_RECORD, pds_api.server_error(status))
    with pytest.raises(TransientError, match="server error"):
        send(bluesky_target, "hello")
    assert bluesky_target.problem is None


def test_timeout_is_transient_and_loop_stays_free(fake_bluesky, bluesky_target):
    fake_bluesky.script(CREATE_RECORD, pds_api.slow(2.0))
    ticks = loop_ticks_while_failing(
        lambda: bluesky_target.send("slow network"), TransientError, "timed out"
    )
    assert ticks >= 10  # the loop ran while atproto waited (timeout 0.5 s)


def test_connection_refused_is_transient(tmp_path):
    from tests.fixtures_targets import bluesky_settings as make

    class Nowhere:
        base_url = "http://127.0.0.1:9"

    target = BlueskyTarget.from_settings(make(Nowhere(), tmp_path))
    with pytest.raises(TransientError, match="connection failed"):
        send(target, "nobody home")


def test_over_300_graphemes_is_rejected_for_good(fake_bluesky, bluesky_target):
    with pytest.raises(PostRejected, match="300 graphemes"):
        send(bluesky_target, "ab" * 151)
    send(bluesky_target, "👍🏽" * 300)  # 300 graphemes (600 code points) fit
    assert len(fake_bluesky.records) == 1


def test_find_post_looks_at_the_accounts_latest_records(fake_bluesky, bluesky_target, caplog):
    before = datetime.now(UTC)
    uri = send(bluesky_target, "maybe it landed")

    async def find(text, since):
        return await bluesky_target.find_post(text, since)

    assert asyncio.run(find("maybe it landed", before)) == uri
    assert asyncio.run(find("never posted", before)) is None
    assert asyncio.run(find("maybe it landed", before + timedelta(hours=1))) is None
    odd = {"$type": "app.bsky.feed.post", "text": "odd clock", "createdAt": "yesterday"}
    fake_bluesky.records[f"at://{DID}/app.bsky.feed.post/3zzzzzzzzzzzz"] = odd
    assert asyncio.run(find("odd clock", before)) is None  # another client's bad createdAt
    with caplog.at_level(logging.DEBUG):
        asyncio.run(find("maybe it landed", before))
    assert APP_PASSWORD not in caplog.text


def test_prepare_logs_in_once_and_finds_wrong_credentials_early(fake_bluesky, tmp_path):
    target = BlueskyTarget.from_settings(bluesky_settings(fake_bluesky, tmp_path))
    asyncio.run(target.prepare())
    asyncio.run(target.prepare())
    assert len(fake_bluesky.calls(CREATE_SESSION)) == 1 and target.problem is None
    assert fake_bluesky.records == {}

    resumed = BlueskyTarget.from_settings(bluesky_settings(fake_bluesky, tmp_path))
    asyncio.run(resumed.prepare())  # the saved session: no request at all
    assert len(fake_bluesky.requests) == 1

    wrong = bluesky_settings(fake_bluesky, tmp_path / "other", app_password="zzzz-zzzz-zzzz-zzzz")
    refused = BlueskyTarget.from_settings(wrong)
    asyncio.run(refused.prepare())
    assert "BLUESKY_APP_PASSWORD" in refused.problem


def test_prepare_on_an_unreachable_server_waits_for_the_send(tmp_path):
    class Nowhere:
        base_url = "http://127.0.0.1:9"

    target = BlueskyTarget.from_settings(bluesky_settings(Nowhere(), tmp_path))
    asyncio.run(target.prepare())
    assert target.problem is None and target.session.did is None


@pytest.mark.parametrize(
    "damage", ["", "not a session", f"{HANDLE}:::{DID}:::x.y.z:::a.b.c:::http://127.0.0.1:9"]
)
def test_a_damaged_session_file_means_a_fresh_login(fake_bluesky, tmp_path, damage):
    settings = bluesky_settings(fake_bluesky, tmp_path)
    settings.session_path.write_text(damage)
    send(BlueskyTarget.from_settings(settings), "after the damage")
    assert len(fake_bluesky.calls(CREATE_SESSION)) == 1
    assert fake_bluesky.posted_texts() == ["after the damage"]


def test_a_refused_refresh_is_replaced_by_a_fresh_login(fake_bluesky, bluesky_target):
    fake_bluesky.access_ttl = 60  # every call refreshes first
    send(bluesky_target, "one")
    fake_bluesky.revoke_sessions()  # refreshSession now answers 400 ExpiredToken
    send(bluesky_target, "two")
    assert len(fake_bluesky.calls(CREATE_SESSION)) == 2
    assert fake_bluesky.posted_texts() == ["one", "two"]
