"""Real Mastodon.py against the fake instance on loopback: the instance's limit, one post per
Idempotency-Key, every answer one post error."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from bot.posting.errors import PostRejected, RateLimited, TargetUnhealthy, TransientError
from bot.posting.targets.mastodon import MastodonTarget
from bot.posting.targets.mastodon_client import idempotency_key
from tests.fakes import mastodon_server as instance_api
from tests.fakes.mastodon_server import TOKEN, FakeMastodon
from tests.fixtures_schedule import loop_ticks_while_failing
from tests.fixtures_targets import (  # noqa: F401 (fixtures)
    fake_mastodon_fixture,
    mastodon_settings,
    mastodon_target_fixture,
)

pytestmark = pytest.mark.timeout(30)


def send(target: MastodonTarget, text: str, nonce: str | None = "1700000000-1") -> str:
    return asyncio.run(target.send(text, nonce))


def test_post_is_unlisted_with_a_bearer_token_and_an_idempotency_key(
    fake_mastodon, mastodon_target
):
    status_id = send(mastodon_target, "gm frens, number go up")
    (request,) = fake_mastodon.status_requests()
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.body["status"] == "gm frens, number go up"
    assert request.body["visibility"] == "unlisted"
    key = request.headers["idempotency-key"]
    assert key == idempotency_key("mastodon", "1700000000-1", "gm frens, number go up")
    assert fake_mastodon.statuses[status_id]["text"] == "gm frens, number go up"


def test_public_visibility_is_honoured(fake_mastodon):
    target = MastodonTarget.from_settings(mastodon_settings(fake_mastodon, visibility="public"))
    status_id = send(target, "for everyone")
    assert fake_mastodon.statuses[status_id]["visibility"] == "public"


def test_a_repeated_send_of_one_delivery_makes_one_status(fake_mastodon, mastodon_target):
    first = send(mastodon_target, "only once please")
    again = send(mastodon_target, "only once please")
    other_slot = send(mastodon_target, "only once please", nonce="1700003600-7")
    assert first == again and other_slot != first
    assert fake_mastodon.posted_texts() == ["only once please", "only once please"]
    keys = [r.headers["idempotency-key"] for r in fake_mastodon.status_requests()]
    assert keys[0] == keys[1] != keys[2]


@pytest.mark.parametrize("v2", [True, False])
def test_prepare_reads_the_instances_length_limit(v2):
    """The default token has only write:statuses: verify_credentials answers 403, which is
    no problem (the token is live); the limit comes from the instance."""
    with FakeMastodon(max_characters=1234, v2=v2) as instance:
        target = MastodonTarget.from_settings(mastodon_settings(instance))
        assert target.max_length == 500  # Mastodon's default until the instance says
        asyncio.run(target.prepare())
        asyncio.run(target.prepare())  # once is enough
        paths = [r.path for r in instance.requests]
    assert target.max_length == 1234 and target.problem is None
    expected = ["/api/v1/accounts/verify_credentials", "/api/v2/instance"]
    assert paths == expected + ([] if v2 else ["/api/v1/instance"])


def test_prepare_accepts_a_token_with_read_scope_too(fake_mastodon, mastodon_target):
    fake_mastodon.tokens[TOKEN] = ("read", "write")
    asyncio.run(mastodon_target.prepare())
    assert mastodon_target.prepared and mastodon_target.problem is None
    assert len(fake_mastodon.requests_to("/api/v1/accounts/verify_credentials")) == 1


def test_prepare_with_a_revoked_token_marks_mastodon_unhealthy(fake_mastodon, caplog):
    fake_mastodon.revoke()
    target = MastodonTarget.from_settings(mastodon_settings(fake_mastodon))
    asyncio.run(target.prepare())
    assert "401" in target.problem and "MASTODON_ACCESS_TOKEN" in target.problem
    assert TOKEN not in caplog.text


def test_prepare_on_an_unreachable_instance_keeps_the_default_and_tries_later(fake_mastodon):
    target = MastodonTarget.from_settings(
        mastodon_settings(fake_mastodon, api_base_url="http://127.0.0.1:9")
    )
    asyncio.run(target.prepare())
    assert target.max_length == 500 and target.problem is None and not target.prepared


def test_a_revoked_token_marks_mastodon_unhealthy(fake_mastodon, mastodon_target, caplog):
    send(mastodon_target, "one")
    fake_mastodon.revoke()
    with pytest.raises(TargetUnhealthy, match="The access token is invalid"):
        send(mastodon_target, "two")
    assert "write:statuses" in mastodon_target.problem
    assert any("Mastodon target unhealthy" in r.getMessage() for r in caplog.records)
    assert TOKEN not in caplog.text


def test_a_token_without_write_scope_marks_mastodon_unhealthy(fake_mastodon, mastodon_target):
    fake_mastodon.tokens[TOKEN] = ("read",)
    with pytest.raises(TargetUnhealthy, match="outside the authorized scopes"):
        send(mastodon_target, "hello")
    assert fake_mastodon.statuses == {}


def test_rate_limit_gives_the_reset_time(fake_mastodon, mastodon_target):
    reset = int(time.time()) + 600
    fake_mastodon.script(instance_api.rate_limited(reset))
    with pytest.raises(RateLimited) as caught:
        send(mastodon_target, "too fast")
    # Mastodon.py corrects the reset by the server's Date header (whole seconds)
    assert abs((caught.value.retry_at - datetime.fromtimestamp(reset, UTC)).total_seconds()) < 2
    assert mastodon_target.problem is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(fake_mastodon, mastodon_target, status):
    fake_mastodon.script(instance_api.server_error(status))
    with pytest.raises(TransientError, match=f"server error: {status}"):
        send(mastodon_target, "hello")


def test_timeout_is_transient_and_the_retry_makes_no_second_status(fake_mastodon, mastodon_target):
    fake_mastodon.script(instance_api.slow(2.0, create=True))  # made, but the answer is late
    ticks = loop_ticks_while_failing(
        lambda: mastodon_target.send("slow network", "1700000000-3"), TransientError, "timed out"
    )
    assert ticks >= 10  # the loop ran while Mastodon.py waited (timeout 0.5 s)
    first = next(iter(fake_mastodon.statuses))
    assert send(mastodon_target, "slow network", "1700000000-3") == first
    assert fake_mastodon.posted_texts() == ["slow network"]


def test_connection_refused_is_transient(fake_mastodon):
    target = MastodonTarget.from_settings(
        mastodon_settings(fake_mastodon, api_base_url="http://127.0.0.1:9")
    )
    with pytest.raises(TransientError, match="connection failed"):
        send(target, "nobody home")


def test_over_the_instance_limit_is_rejected_for_good():
    with FakeMastodon(max_characters=100) as instance:
        target = MastodonTarget.from_settings(mastodon_settings(instance))
        with pytest.raises(PostRejected, match="character limit of 100"):
            send(target, "x" * 101)
        assert instance.statuses == {}
