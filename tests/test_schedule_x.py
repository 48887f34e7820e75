"""Real tweepy against the fake X API on loopback: every answer maps to one post error."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from bot.posting.errors import (
    DuplicateText,
    PostRejected,
    RateLimited,
    TargetUnhealthy,
    TransientError,
)
from bot.posting.targets.x import XTarget
from tests.fakes import x_api
from tests.fixtures_schedule import fake_x_fixture, x_target_fixture  # noqa: F401 (fixtures)

pytestmark = pytest.mark.timeout(30)


def send(target: XTarget, text: str) -> str:
    return asyncio.run(target.send(text))


def test_created_tweet_returns_its_id_and_signed_request(fake_x, x_target):
    tweet_id = send(x_target, "gm frens, number go up")
    assert fake_x.tweets == {tweet_id: "gm frens, number go up"}
    (request,) = fake_x.tweet_requests()
    assert request.body == {"text": "gm frens, number go up"}
    assert request.headers["authorization"].startswith("OAuth ")
    assert 'oauth_consumer_key="consumer-key"' in request.headers["authorization"]
    assert x_target.limits.user_day_remaining == 16
    assert x_target.problem is None


def test_duplicate_is_its_own_error_and_target_stays_healthy(fake_x, x_target):
    fake_x.script(x_api.duplicate())
    with pytest.raises(DuplicateText, match="duplicate content"):
        send(x_target, "same old meme")
    assert x_target.problem is None
    assert fake_x.tweets == {}


def test_rate_limit_gives_the_reset_time(fake_x, x_target):
    reset = int(time.time()) + 600
    fake_x.script(x_api.rate_limited(reset))
    with pytest.raises(RateLimited) as caught:
        send(x_target, "too fast")
    assert caught.value.retry_at == datetime.fromtimestamp(reset, UTC)
    assert x_target.limits.remaining == 0


def test_rate_limit_waits_for_a_spent_24_hour_cap(fake_x, x_target):
    reset = int(time.time()) + 600
    day_reset = int(time.time()) + 20_000
    fake_x.script(x_api.rate_limited(reset, user_day_remaining=0, day_reset=day_reset))
    with pytest.raises(RateLimited, match="user 24h cap: 0 left") as caught:
        send(x_target, "too many today")
    assert caught.value.retry_at == datetime.fromtimestamp(day_reset, UTC)


@pytest.mark.parametrize("answer", [x_api.unauthorized(), x_api.forbidden()])
def test_401_and_403_permission_mark_x_unhealthy(fake_x, x_target, answer, caplog):
    fake_x.script(answer)
    with pytest.raises(TargetUnhealthy):
        send(x_target, "hello")
    assert "X_* keys in .env" in x_target.problem
    assert str(answer.status) in x_target.problem
    assert any("X target unhealthy" in r.getMessage() for r in caplog.records)
    assert "consumer-secret" not in caplog.text and "access-secret" not in caplog.text


def test_server_error_is_transient(fake_x, x_target):
    fake_x.script(x_api.server_error())
    with pytest.raises(TransientError, match="500"):
        send(x_target, "hello")


def test_timeout_is_transient_and_loop_stays_free(fake_x, x_target):
    fake_x.script(x_api.slow(2.0))

    async def main() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        with pytest.raises(TransientError, match="timed out"):
            await x_target.send("slow network")
        task.cancel()
        return ticks

    assert asyncio.run(main()) >= 10  # the loop ran while tweepy waited (timeout 0.5 s)


def test_connection_refused_is_transient():
    from bot.posting.targets.x_client import make_client
    from tests.fixtures_schedule import CREDENTIALS

    target = XTarget(make_client(CREDENTIALS, base="http://127.0.0.1:9", timeout=0.5))
    with pytest.raises(TransientError, match="connection failed"):
        send(target, "nobody home")


def test_bad_request_is_rejected_for_good(fake_x, x_target):
    fake_x.script(x_api.Answer(400, {"errors": [{"message": "text too long"}], "status": 400}))
    with pytest.raises(PostRejected, match="too long"):
        send(x_target, "x" * 300)


def test_unsigned_request_is_refused_by_the_fake(fake_x):
    import requests

    answer = requests.post(f"{fake_x.base_url}/2/tweets", json={"text": "hi"}, timeout=5)
    assert answer.status_code == 401
