"""Scheduled posts through the whole bot: real discord.py against the simulated Discord, real
tweepy against the fake X, the real worker, model and content filter."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest

from bot.posting.ledger import Ledger, utcnow
from tests.fakes.discord_server import FakeDiscord, pinged_ids
from tests.fakes.x_api import FakeX
from tests.fixtures_bot import TOKEN, running_bot, tiny_model
from tests.fixtures_schedule import X_ENV as SCHEDULE_X_ENV

pytestmark = pytest.mark.timeout(120)

X_ENV = {**SCHEDULE_X_ENV, "X_TIMEOUT_SECONDS": "5"}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("schedule") / "trained_model")


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 90))


@contextlib.asynccontextmanager
async def scheduled_world(model_dir, tmp_path, x: FakeX | None = None, other_channels=(), **env):
    """The fake Discord, then the bot with scheduling keys in its environment: it posts to the
    fake's channel (and ``other_channels``, and X when ``x`` is given)."""
    async with FakeDiscord() as fake:
        channels = [fake.channel_id, *other_channels]
        environ = {
            "SCHEDULE_DISCORD_CHANNEL_IDS": ",".join(str(c) for c in channels),
            "LEDGER_PATH": str(tmp_path / "ledger.db"),
            **env,
        }
        if x is not None:
            environ |= {"SCHEDULE_POST_TO_X": "true", "X_API_BASE": x.base_url, **X_ENV}
        async with running_bot(model_dir, fake=fake, environ=environ) as world:
            await world.bot.poster.ready()
            yield world


def posts(fake: FakeDiscord) -> list[dict]:
    return fake.channel_messages.get(fake.channel_id, [])


def test_scheduled_posts_reach_discord_and_x(model_dir, tmp_path):
    async def scenario():
        with FakeX() as x:
            async with scheduled_world(model_dir, tmp_path, x=x, SCHEDULE_INTERVAL="1s") as world:
                fake = world.discord
                await fake.wait_until(lambda: len(posts(fake)) >= 2, 30)
                await asyncio.sleep(0.3)  # let X's send of the same slot finish
                ledger_rows = world.bot.poster.ledger.deliveries()
                upcoming = world.bot.poster.upcoming(2)
            return posts(fake), x.posted_texts(), ledger_rows, upcoming

    sent, tweeted, deliveries, upcoming = run(scenario())
    texts = [m["content"] for m in sent]
    assert texts[:2] == tweeted[:2]  # the same meme to every target, slot after slot
    assert len(set(texts)) == len(texts)  # never the same meme twice
    for message in sent:
        assert message["allowed_mentions"] == {"parse": []}
        assert pinged_ids(message["content"], message["allowed_mentions"]) == set()
        assert message["nonce"]
    message_ids = {d.remote_id for d in deliveries if d.target.startswith("discord:")}
    assert {m["id"] for m in sent} <= message_ids
    assert upcoming[0] < upcoming[1]


def test_admin_post_pause_resume_and_status(model_dir, tmp_path):
    async def scenario():
        async with scheduled_world(model_dir, tmp_path, SCHEDULE_CRON="0 4 * * *") as world:
            fake, admin = world.discord, world.admin

            async def command(name: str) -> str:
                return (await (await fake.invoke(admin, f"deepciso {name}")).wait(30)).content

            posted = await command("post")
            paused = await command("pause")
            status_paused = await command("status")
            resumed = await command("resume")
            status = await command("status")
            return posted, paused, status_paused, resumed, status, posts(fake)

    posted, paused, status_paused, resumed, status, sent = run(scenario())
    (message,) = sent
    assert posted.startswith(f"discord:{message['channel_id']}: posted (id {message['id']})")
    assert paused == "Scheduled posts paused." and resumed == "Scheduled posts resumed."
    assert "Scheduled posts: paused; next: none" in status_paused
    assert "Scheduled posts: running; next: " in status and "T04:00" in status
    assert "Schedule: cron '0 4 * * *' (UTC)" in status
    assert "Last post:" in status and "Ledger: 1 posted" in status


def test_missing_channel_or_permission_is_shown_and_x_still_posts(model_dir, tmp_path):
    async def scenario():
        with FakeX() as x:
            async with scheduled_world(model_dir, tmp_path, x=x, other_channels=[4242]) as world:
                fake = world.discord
                fake.forbidden_channels.add(fake.channel_id)
                summary = await world.bot.poster.post_now()
                status = await (await fake.invoke(world.admin, "deepciso status")).wait(30)
            return summary, status.content, x.posted_texts(), posts(fake), fake.channel_id

    summary, status, tweeted, sent, channel = run(scenario())
    assert len(tweeted) == 1 and "x: posted" in summary
    assert sent == []
    assert f"discord:{channel}: unhealthy: missing permission to post" in status
    assert "discord:4242: unhealthy: channel 4242 not found: check SCHEDULE_DISCORD" in status
    assert "discord:4242: failed" in summary


def test_send_in_doubt_after_a_crash_is_not_posted_twice_to_discord(model_dir, tmp_path):
    """The bot died after Discord created the message and before the ledger recorded it."""
    ledger_path = tmp_path / "ledger.db"

    async def scenario():
        async with FakeDiscord() as fake:
            book = Ledger(ledger_path)
            slot_time = utcnow()
            slot_id = book.open_slot(slot_time, "scheduled", [f"discord:{fake.channel_id}"])
            book.set_slot_text(slot_id, "patch tuesday again, number go up", 1)
            (delivery,) = book.deliveries(slot_id)
            book.begin_attempt(delivery.id, "patch tuesday again, number go up")
            book.close()
            nonce = f"{int(slot_time.timestamp())}-{delivery.id}"
            async with aiohttp.ClientSession() as http:
                await http.post(
                    f"{fake.api_base}/channels/{fake.channel_id}/messages",
                    json={
                        "content": "patch tuesday again, number go up",
                        "nonce": nonce,
                        "enforce_nonce": True,
                    },
                    headers={"Authorization": f"Bot {TOKEN}"},
                )
            environ = {
                "SCHEDULE_DISCORD_CHANNEL_IDS": str(fake.channel_id),
                "LEDGER_PATH": str(ledger_path),
            }
            async with running_bot(model_dir, fake=fake, environ=environ) as world:
                await world.bot.poster.ready()
                rows = world.bot.poster.ledger.deliveries()
                attempts = world.bot.poster.ledger.attempts(delivery.id)
            return posts(fake), rows, attempts

    sent, (row,), attempts = run(scenario())
    assert [m["content"] for m in sent] == ["patch tuesday again, number go up"]
    assert row.status == "posted" and row.remote_id == sent[0]["id"]
    assert [a.outcome for a in attempts] == ["in_doubt", "posted"]


class SlowInput:
    """A terminal where the user types ``/post`` after a while, then ``/quit``."""

    def __init__(self, lines, pause: float) -> None:
        self.lines, self.pause = list(lines), pause

    def readline(self) -> str:
        import time

        time.sleep(self.pause)
        return self.lines.pop(0) if self.lines else ""


def test_console_prints_scheduled_posts(model_dir, tmp_path):
    import io

    from bot.console import run_console
    from tests.fixtures_bot import bot_settings

    environ = {"SCHEDULE_INTERVAL": "1s", "LEDGER_PATH": str(tmp_path / "ledger.db")}
    settings = bot_settings(model_dir, environ, discord_token=None)
    out = io.StringIO()
    assert run(run_console(settings, SlowInput(["/post\n", "/quit\n"], 1.5), out)) == 0
    printed = out.getvalue()
    assert printed.count("[scheduled post] ") >= 2
    assert "console: posted (id console-" in printed  # the answer to /post
