"""The moderators' approval queue through the whole bot: real discord.py against the simulated
Discord (button presses are MESSAGE_COMPONENT interactions), real Mastodon.py against the fake
instance (the target that needs approval), a real SQLite ledger, the real worker, tiny model and
content filter."""

from __future__ import annotations

import asyncio
import contextlib
import copy

import pytest

from bot.posting.drafts import DraftBook
from bot.posting.ledger import Ledger
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.mastodon_server import TOKEN, FakeMastodon
from tests.fixtures_bot import running_bot, tiny_model

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("approval") / "trained_model")


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 150))


@contextlib.asynccontextmanager
async def approval_world(model_dir, tmp_path, fake, instance, **env):
    """The bot posting to the fake's channel (at once) and to Mastodon (after approval); the
    drafts go to a moderators' channel of their own."""
    environ = {
        "SCHEDULE_DISCORD_CHANNEL_IDS": str(fake.channel_id),
        "LEDGER_PATH": str(tmp_path / "ledger.db"),
        "SCHEDULE_POST_TO_MASTODON": "true",
        "MASTODON_API_BASE_URL": instance.base_url,
        "MASTODON_ACCESS_TOKEN": TOKEN,
        "APPROVAL_CHANNEL_ID": str(fake.approval_channel),
        **env,
    }
    async with running_bot(model_dir, fake=fake, environ=environ) as world:
        await world.bot.poster.ready()
        yield world


@contextlib.asynccontextmanager
async def fakes():
    with FakeMastodon() as instance:
        async with FakeDiscord() as fake:
            fake.approval_channel = fake.add_channel("moderators")
            yield fake, instance


def drafts_shown(fake: FakeDiscord) -> list[dict]:
    return fake.channel_messages.get(fake.approval_channel, [])


def buttons(message: dict) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row["components"]]


def button(message: dict, choice: str) -> str:
    (custom_id,) = [b for b in buttons(message) if b.endswith(f":{choice}")]
    return custom_id


async def a_draft(world) -> dict:
    """Post a slot now; the moderators' message for it."""
    await world.bot.poster.post_now()
    await world.discord.wait_until(lambda: drafts_shown(world.discord), 30)
    (message,) = drafts_shown(world.discord)
    return message


def test_an_admin_approves_and_the_meme_is_posted_once(model_dir, tmp_path):
    async def scenario():
        async with fakes() as (fake, instance):
            async with approval_world(model_dir, tmp_path, fake, instance) as world:
                message = await a_draft(world)
                shown = copy.deepcopy(message)
                public = list(fake.channel_messages[fake.channel_id])
                queue = await (await fake.invoke(world.admin, "deepciso queue")).wait(30)
                status = await (await fake.invoke(world.admin, "deepciso status")).wait(30)
                # a member is refused privately, and nothing is posted
                refused = await (await fake.press(world.member, shown, button(shown, "1"))).wait()
                await asyncio.sleep(0.3)
                after_refusal = instance.posted_texts()
                # two admins (or one double click) press at once
                other = fake.add_user("admin 2", roles=world.admin.roles)
                first = await fake.press(world.admin, shown, button(shown, "1"))
                second = await fake.press(other, shown, button(shown, "1"))
                await first.wait(30)
                await second.wait(30)
                await fake.wait_until(lambda: "Posted: mastodon: posted" in message["content"], 30)
                await asyncio.sleep(0.5)
                deliveries = world.bot.poster.ledger.deliveries()
                book = DraftBook(world.bot.poster.ledger)
                decisions, (slot,) = book.decisions(), world.bot.poster.ledger.slots()
                candidates = book.draft(slot.id).candidates
            return (
                shown, public, queue, status, refused, after_refusal, first, second,
                instance.posted_texts(), message, deliveries, decisions, world.admin, other,
                candidates,
            )  # fmt: skip

    (
        shown, public, queue, status, refused, after_refusal, first, second, posted, message,
        deliveries, decisions, admin, other, candidates,
    ) = run(scenario())  # fmt: skip
    # the moderators' message: the candidates, a button each, Reject and Another
    assert "pick one to post to mastodon" in shown["content"]
    choices = [b.rsplit(":", 1)[1] for b in buttons(shown)]
    assert choices[-2:] == ["reject", "another"] and choices[0] == "1"
    assert len(choices) - 2 == len(candidates) == len(set(candidates)) and len(candidates) <= 3
    for number, candidate in enumerate(candidates, 1):
        quoted = "\n".join("> " + line for line in candidate.splitlines())
        assert f"**{number}.**\n{quoted}" in shown["content"]
    assert shown["allowed_mentions"] == {"parse": []}
    # the Discord channel (no approval needed) got the first candidate at once
    (public_post,) = public
    assert public_post["content"] == candidates[0]
    assert "1 draft(s) waiting for approval." in queue.content and queue.ephemeral
    assert "Approval queue (channel " in status.content and "1 pending" in status.content
    assert refused.ephemeral and "Only DeepCISO admins" in refused.content
    assert after_refusal == []
    # exactly one press won: it updated the message (type 7); the other was told privately
    winner, loser = (first, second) if first.callback["type"] == 7 else (second, first)
    assert winner.callback["type"] == 7 and loser.ephemeral
    assert "already approved" in loser.content
    (text,) = posted  # posted once
    assert text == candidates[0]  # the chosen one
    assert "candidate 1 **approved** by <@" in message["content"]
    assert "Posted: mastodon: posted (id" in message["content"]
    assert buttons(message) == []
    mastodon = next(d for d in deliveries if d.target == "mastodon")
    assert mastodon.status == "posted" and mastodon.text == text
    outcomes = sorted(d.outcome for d in decisions)
    assert outcomes[0] == "accepted" and outcomes[1].startswith("this draft was already approved")
    accepted = next(d for d in decisions if d.outcome == "accepted")
    assert accepted.action == "approve" and accepted.choice == 1
    assert accepted.user_id in (admin.id, other.id)


def test_another_replaces_the_candidates_and_reject_posts_nothing(model_dir, tmp_path):
    async def scenario():
        async with fakes() as (fake, instance):
            async with approval_world(model_dir, tmp_path, fake, instance) as world:
                message = await a_draft(world)
                first_round = copy.deepcopy(message)
                another = await fake.press(world.admin, message, button(message, "another"))
                await another.wait(30)
                await fake.wait_until(lambda: any(":2:" in b for b in buttons(message)), 60)
                second_round = copy.deepcopy(message)
                stale = await fake.press(world.admin, first_round, button(first_round, "1"))
                await stale.wait(30)
                reject = await fake.press(world.admin, message, button(message, "reject"))
                await reject.wait(30)
                await asyncio.sleep(0.5)
                deliveries = world.bot.poster.ledger.deliveries()
                decisions = DraftBook(world.bot.poster.ledger).decisions()
            return (
                first_round, another, second_round, stale, reject, message, deliveries,
                decisions, instance.posted_texts(),
            )  # fmt: skip

    first, another, second, stale, reject, message, deliveries, decisions, posted = run(scenario())
    assert another.callback["type"] == 7
    assert all(":1:" in b for b in buttons(first)) and all(":2:" in b for b in buttons(second))
    assert "pick one to post to" in second["content"]
    assert stale.ephemeral and "replaced by newer ones" in stale.content
    assert reject.callback["type"] == 7 and "**rejected** by <@" in message["content"]
    assert buttons(message) == []
    assert posted == []
    mastodon = next(d for d in deliveries if d.target == "mastodon")
    assert mastodon.status == "skipped" and mastodon.error.startswith("rejected by")
    assert [(d.action, d.round, d.outcome[:8]) for d in decisions] == [
        ("another", 1, "accepted"),
        ("approve", 1, "these ca"),
        ("reject", 2, "accepted"),
    ]


def test_an_expired_draft_is_never_posted(model_dir, tmp_path):
    async def scenario():
        async with fakes() as (fake, instance):
            async with approval_world(
                model_dir, tmp_path, fake, instance, APPROVAL_MAX_AGE="3s"
            ) as world:
                message = await a_draft(world)
                shown = copy.deepcopy(message)
                await fake.wait_until(lambda: "**expired**" in message["content"], 30)
                late = await (await fake.press(world.admin, shown, button(shown, "1"))).wait(30)
                await asyncio.sleep(0.5)
                deliveries = world.bot.poster.ledger.deliveries()
                decisions = DraftBook(world.bot.poster.ledger).decisions()
            return message, late, deliveries, decisions, instance.posted_texts()

    message, late, deliveries, decisions, posted = run(scenario())
    assert buttons(message) == [] and "Nothing was posted" in message["content"]
    assert late.ephemeral and "expired" in late.content
    assert posted == []
    mastodon = next(d for d in deliveries if d.target == "mastodon")
    assert mastodon.status == "skipped" and "APPROVAL_MAX_AGE" in mastodon.error
    assert [d.action for d in decisions] == ["expire", "approve"]
    assert decisions[1].outcome.startswith("this draft was already expired")


def test_the_buttons_work_after_a_restart(model_dir, tmp_path):
    async def scenario():
        async with fakes() as (fake, instance):
            async with approval_world(model_dir, tmp_path, fake, instance) as world:
                message = await a_draft(world)
            # a new bot (client, worker, ledger connection) on the same ledger file
            async with approval_world(model_dir, tmp_path, fake, instance) as world:
                approve = await fake.press(world.admin, message, button(message, "1"))
                await approve.wait(30)
                await fake.wait_until(lambda: "Posted: mastodon: posted" in message["content"], 30)
            return approve, message, instance.posted_texts()

    approve, message, posted = run(scenario())
    assert approve.callback["type"] == 7
    assert len(posted) == 1 and posted[0] in message["content"]


def test_an_old_ledger_is_migrated_and_keeps_its_posts(tmp_path):
    import sqlite3

    from bot.posting.ledger_schema import _SCHEMA, SCHEMA_VERSION

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # a ledger as the previous version wrote it
        db.executescript(_SCHEMA)
        db.execute(
            "INSERT INTO slots (scheduled_at, kind, created_at) VALUES (?, 'scheduled', ?)",
            ("2026-01-01T00:00:00.000000+00:00", "2026-01-01T00:00:00.000000+00:00"),
        )
    with Ledger(path) as ledger:
        version = ledger.rows("PRAGMA user_version")[0][0]
        assert len(ledger.slots()) == 1
        assert DraftBook(ledger).counts() == {}
    assert version == SCHEMA_VERSION == 2


def test_two_processes_deciding_at_once_approve_once(tmp_path):
    """Two ledger connections (two bot processes on one file) press at the same moment."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import timedelta

    from bot.posting.ledger import utcnow

    path = tmp_path / "ledger.db"
    with Ledger(path) as ledger:
        slot = ledger.open_slot(
            utcnow(), "scheduled", ["x"], held=["x"], expires_at=utcnow() + timedelta(hours=1)
        )
        DraftBook(ledger).add_candidates(slot, 1, ["one meme", "another meme"])
    books = [Ledger(path), Ledger(path)]
    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(
                pool.map(
                    lambda i: DraftBook(books[i]).decide(slot, 1, "approve", 2, user_id=i),
                    range(2),
                )
            )
        (delivery,) = books[0].deliveries(slot)
    finally:
        for book in books:
            book.close()
    assert sorted(r.accepted for r in results) == [False, True]
    assert delivery.status == "pending" and delivery.text == "another meme"


def test_approval_keys_are_checked_with_one_line():
    from bot.posting.approval import ApprovalSettings
    from pipeline.errors import UserError

    settings = ApprovalSettings.from_env(
        {"APPROVAL_CHANNEL_ID": "42", "APPROVAL_TARGETS": "X, discord:7", "APPROVAL_MAX_AGE": "2h"}
    )
    assert settings.targets == ("x", "discord:7") and settings.max_age.total_seconds() == 7200
    assert settings.needs_approval("x") and settings.needs_approval("discord:7")
    assert not settings.needs_approval("discord:8") and not settings.needs_approval("mastodon")
    default = ApprovalSettings.from_env({"APPROVAL_CHANNEL_ID": "42"})
    assert [default.needs_approval(t) for t in ("x", "bluesky", "mastodon", "discord:1")] == [
        True, True, True, False,
    ]  # fmt: skip
    for env, named in (
        ({"APPROVAL_TARGETS": "x,tiktok"}, "'tiktok' is not a target"),
        ({"APPROVAL_CANDIDATES": "9"}, "APPROVAL_CANDIDATES=9 is out of range"),
        ({"APPROVAL_MAX_AGE": "soon"}, "APPROVAL_MAX_AGE='soon' is not a duration"),
        ({"APPROVAL_CHANNEL_ID": "#mods"}, "APPROVAL_CHANNEL_ID='#mods' is not a whole number"),
    ):
        with pytest.raises(UserError, match=named) as error:
            ApprovalSettings.from_env(env)
        assert "\n" not in str(error.value)


def test_a_draft_that_expired_while_the_bot_was_down_is_not_posted(model_dir, tmp_path):
    import sqlite3

    async def scenario():
        async with fakes() as (fake, instance):
            async with approval_world(model_dir, tmp_path, fake, instance) as world:
                message = await a_draft(world)
                shown = copy.deepcopy(message)
            with sqlite3.connect(tmp_path / "ledger.db") as db:  # six hours pass while down
                db.execute("UPDATE drafts SET expires_at = '2000-01-01T00:00:00.000000+00:00'")
            async with approval_world(model_dir, tmp_path, fake, instance) as world:
                await fake.wait_until(lambda: "**expired**" in message["content"], 30)
                late = await (await fake.press(world.admin, shown, button(shown, "1"))).wait(30)
                await asyncio.sleep(0.5)
                deliveries = world.bot.poster.ledger.deliveries()
            return message, late, deliveries, instance.posted_texts()

    message, late, deliveries, posted = run(scenario())
    assert buttons(message) == [] and late.ephemeral and "expired" in late.content
    assert posted == []
    assert next(d for d in deliveries if d.target == "mastodon").status == "skipped"
