"""The whole bot posting one meme to Discord, Bluesky and Mastodon: real discord.py against
the simulated Discord, real atproto and Mastodon.py against the fakes, the real worker, model
and content filter (checking the Mastodon instance's own limit)."""

from __future__ import annotations

import asyncio

import pytest

from pipeline.contentfilter.length import grapheme_length
from tests.fakes.bluesky_server import APP_PASSWORD, HANDLE, FakeBluesky
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.mastodon_server import TOKEN, FakeMastodon
from tests.fixtures_bot import running_bot, tiny_model

pytestmark = pytest.mark.timeout(120)

INSTANCE_LIMIT = 150  # a small instance: the filter must hold memes to it


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("all-targets") / "trained_model")


def post_one_slot(model_dir, tmp_path, instance_limit: int):
    """The bot with Discord, Bluesky and Mastodon targets posts one slot now; the summary,
    status, ledger rows and rejection counts, Discord's messages and both fakes."""

    async def scenario():
        with FakeBluesky() as pds, FakeMastodon(max_characters=instance_limit) as instance:
            async with FakeDiscord() as fake:
                environ = {
                    "SCHEDULE_DISCORD_CHANNEL_IDS": str(fake.channel_id),
                    "LEDGER_PATH": str(tmp_path / "ledger.db"),
                    "SCHEDULE_POST_TO_BLUESKY": "true",
                    "BLUESKY_HANDLE": HANDLE,
                    "BLUESKY_APP_PASSWORD": APP_PASSWORD,
                    "BLUESKY_SERVICE": pds.base_url,
                    "BLUESKY_SESSION_PATH": str(tmp_path / "bluesky.session"),
                    "SCHEDULE_POST_TO_MASTODON": "true",
                    "MASTODON_API_BASE_URL": instance.base_url,
                    "MASTODON_ACCESS_TOKEN": TOKEN,
                    "MASTODON_VISIBILITY": "public",
                }
                async with running_bot(model_dir, fake=fake, environ=environ) as world:
                    poster = world.bot.poster
                    await poster.ready()
                    summary = await poster.post_now()
                    status = await (await fake.invoke(world.admin, "deepciso status")).wait(30)
                    deliveries = poster.ledger.deliveries()
                    rejections = poster.ledger.rejection_totals()
                messages = fake.channel_messages.get(fake.channel_id, [])
            return summary, status.content, deliveries, rejections, messages, pds, instance

    return asyncio.run(asyncio.wait_for(scenario(), 90))


def test_a_slot_reaches_discord_bluesky_and_mastodon(model_dir, tmp_path):
    summary, status, deliveries, _, messages, pds, instance = post_one_slot(
        model_dir, tmp_path, INSTANCE_LIMIT
    )
    assert all(d.status == "posted" for d in deliveries), summary
    (message,) = messages
    text = message["content"]
    assert pds.posted_texts() == [text] == instance.posted_texts()
    assert grapheme_length(text) <= INSTANCE_LIMIT
    (status_row,) = instance.statuses.values()
    assert status_row["visibility"] == "public"
    assert "bluesky: ok (posts up to 300 characters)" in status
    assert f"mastodon: ok (posts up to {INSTANCE_LIMIT} characters)" in status
    assert {d.target for d in deliveries} == {
        f"discord:{message['channel_id']}",
        "bluesky",
        "mastodon",
    }


def test_the_instance_limit_reaches_the_content_filter(model_dir, tmp_path):
    # 9 characters: below the filter's 10-character minimum, so no meme can fit
    summary, _, deliveries, rejections, messages, pds, instance = post_one_slot(
        model_dir, tmp_path, 9
    )
    assert summary.startswith("Nothing posted: no meme passed the filter")
    assert rejections["too_long"] >= 1
    assert all(d.status == "skipped" for d in deliveries)
    assert messages == [] and pds.records == {} and instance.statuses == {}
