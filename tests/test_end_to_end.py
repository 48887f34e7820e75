"""The whole system once: sample Twint DB -> corpus -> tiny model -> the bot on the simulated
Discord and the fake X (loopback) -> a /deepciso prompt answered and a scheduled slot posted to
both, as the ledger records."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.cli import main
from bot.posting.ledger import Ledger
from pipeline.corpus.sample_db import make_sample_db
from tests.fakes.discord_server import FakeDiscord, pinged_ids
from tests.fakes.x_api import FakeX
from tests.fixtures_bot import running_bot
from tests.fixtures_schedule import X_ENV

pytestmark = pytest.mark.timeout(300)


def test_from_twint_database_to_posts_on_discord_and_x(tmp_path):
    db = make_sample_db(tmp_path / "sample.twint.db", tweets=4000, authors=120)
    corpus, model_dir = tmp_path / "model.txt", tmp_path / "trained_model"
    assert main(["build", "--db", str(db), "--out", str(corpus), "--quiet"]) == 0
    assert main(["--log-level", "WARNING", "train", "--corpus", str(corpus), "--out",
                 str(model_dir), "--preset", "tiny", "--steps", "60", "--eval-every", "20",
                 "--sample-every", "0"]) == 0  # fmt: skip
    trained = json.loads((model_dir / "deepciso.json").read_text())
    assert trained["preset"] == "tiny" and trained["val_bits_per_byte"] > 0
    ledger_path = tmp_path / "ledger.db"

    async def scenario():
        with FakeX() as x:
            async with FakeDiscord() as fake:
                environ = {
                    "SCHEDULE_DISCORD_CHANNEL_IDS": str(fake.channel_id),
                    "SCHEDULE_INTERVAL": "2s",
                    "SCHEDULE_POST_TO_X": "true",
                    "X_API_BASE": x.base_url,
                    "LEDGER_PATH": str(ledger_path),
                    **X_ENV,
                }
                async with running_bot(model_dir, fake=fake, environ=environ) as world:
                    await world.bot.poster.ready()
                    answer = await world.discord.invoke(
                        world.member, "deepciso prompt", text="the intern"
                    )
                    await answer.wait(60)
                    await fake.wait_until(lambda: fake.channel_messages.get(fake.channel_id), 60)
                    for _ in range(100):  # the same slot's send to X follows Discord's
                        if x.posted_texts():
                            break
                        await asyncio.sleep(0.1)
                posted = fake.channel_messages[fake.channel_id]
                return answer, fake.channel_id, posted, x.posted_texts()

    answer, channel_id, channel_posts, tweets = asyncio.run(scenario())
    assert answer.deferred and answer.defer_delay < 3
    assert answer.content.startswith("the intern") and not answer.ephemeral
    first = channel_posts[0]
    assert first["allowed_mentions"] == {"parse": []}
    assert pinged_ids(first["content"], first["allowed_mentions"]) == set()
    assert tweets and tweets[0] == first["content"]

    ledger = Ledger(ledger_path)
    try:
        slot = ledger.slots()[0]
        deliveries = {d.target: d for d in ledger.deliveries(slot.id)}
    finally:
        ledger.close()
    assert slot.text == first["content"]
    assert deliveries[f"discord:{channel_id}"].status == "posted"
    assert deliveries[f"discord:{channel_id}"].remote_id == first["id"]
    assert deliveries["x"].status == "posted" and deliveries["x"].remote_id
