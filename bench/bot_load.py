"""Load test: 100 users send ``/deepciso prompt`` at the same moment.

The real bot (discord.py, worker thread, content filter) runs against the loopback Discord
fake with a ``seed``-preset model (GPT-2, 256 wide, 8 layers, 8 heads, context 500, random
weights, a byte-level BPE tokenizer of 8,000 tokens trained on the real tweets when
``../shared/data`` is here). Prints, per run and as medians over runs: how fast every
interaction was deferred (Discord allows 3 s), how many were answered, told busy, or failed,
how many were lost (never settled: must be 0), the largest event-loop lag, and throughput.

    flock /tmp/deepciso-bench.lock .venv/bin/python bench/bot_load.py [--runs 3] [--queue-size N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.serving.looplag import LoopLagMonitor  # noqa: E402
from bot.settings import ServingSettings  # noqa: E402
from tests.fakes.discord_server import FakeDiscord  # noqa: E402
from tests.fixtures_bot import bot_settings, endpoints_restored, started_bot  # noqa: E402
from tests.fixtures_model import SAMPLE_LINES, train_tiny_tokenizer  # noqa: E402

TWEETS_DB = ROOT.parent / "shared" / "data" / "ccic-cashtag.twint.db"
USERS = 100


def real_tweets(limit: int = 20_000) -> list[str]:
    """Tweets from the shared Twint DB (read-only), or the fixture's sample lines."""
    if not TWEETS_DB.is_file():
        return list(SAMPLE_LINES)
    with sqlite3.connect(f"file:{TWEETS_DB}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT tweet FROM tweets LIMIT ?", (limit,)).fetchall()
    return [" ".join(row[0].lower().split()) for row in rows if row[0]]


def make_seed_model(path: Path, tweets: list[str]) -> Path:
    """A model folder with the ``seed`` preset's architecture and random weights."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    path.mkdir(parents=True)
    tokenizer = train_tiny_tokenizer(tweets, vocab_size=8000)
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=tokenizer.get_vocab_size(),
        n_positions=500,
        n_embd=256,
        n_layer=8,
        n_head=8,
        bos_token_id=0,
        eos_token_id=0,
    )
    GPT2LMHeadModel(config).save_pretrained(path)
    tokenizer.save(str(path / "aitextgen.tokenizer.json"))
    info = {"format": 1, "preset": "seed", "trained_at": "2026-11-24T00:00:00+00:00"}
    (path / "deepciso.json").write_text(json.dumps(info))
    return path


def discord_side(conn: Connection, prompts: list[str]) -> None:
    """Child process: the fake Discord, and one user per prompt who all press enter at once."""
    asyncio.run(_discord_side(conn, prompts))


async def _discord_side(conn: Connection, prompts: list[str]) -> None:
    async with FakeDiscord() as fake:
        conn.send({"api_base": fake.api_base, "guild_id": fake.guild_id})
        await fake.wait_until(lambda: bool(fake.commands) and bool(fake.identifies), 300)
        users = [fake.add_user(f"user{i}") for i in range(len(prompts))]
        await asyncio.to_thread(conn.recv)  # the bot is ready and measuring
        started = time.perf_counter()
        interactions = await asyncio.gather(
            *(
                fake.invoke(user, "deepciso prompt", text=prompt)
                for user, prompt in zip(users, prompts, strict=True)
            )
        )
        waits = [asyncio.ensure_future(i.settled.wait()) for i in interactions]
        await asyncio.wait(waits, timeout=300)
        elapsed = time.perf_counter() - started
        for wait in waits:
            wait.cancel()
        delays = [i.defer_delay for i in interactions if i.defer_delay is not None]
        settled = [i for i in interactions if i.settled.is_set()]
        answered = [i for i in settled if not i.ephemeral]
        busy = [i for i in settled if i.ephemeral and "busy" in (i.content or "")]
        conn.send(
            {
                "acknowledged": len(delays),
                "max_ack_s": max(delays, default=float("nan")),
                "median_ack_s": statistics.median(delays) if delays else float("nan"),
                "answered": len(answered),
                "busy": len(busy),
                "other": len(settled) - len(answered) - len(busy),
                "lost": len(interactions) - len(settled),
                "seconds": elapsed,
                "answers_per_s": len(answered) / elapsed,
            }
        )


async def one_run(model_dir: Path, prompts: list[str], queue_size: int) -> dict:
    """One burst. The fake Discord runs in another process, as the real one is remote, so the
    bot's event loop (measured here) and its worker thread do only the bot's work."""
    context = multiprocessing.get_context("spawn")
    here, there = context.Pipe()
    process = context.Process(target=discord_side, args=(there, prompts), daemon=True)
    process.start()
    try:
        where = await asyncio.to_thread(here.recv)
        defaults = ServingSettings()  # production defaults, but no cooldown (one prompt a user)
        settings = bot_settings(
            model_dir,
            api_base=where["api_base"],
            queue_size=queue_size,
            max_new_tokens=defaults.max_new_tokens,
            batch_wait_ms=defaults.batch_wait_ms,
            request_timeout_seconds=defaults.request_timeout_seconds,
        )
        async with endpoints_restored(), started_bot(settings, where["guild_id"]) as bot:
            lag = LoopLagMonitor(interval=0.005).start()
            here.send("go")
            result = await asyncio.to_thread(here.recv)
            result["max_loop_lag_ms"] = await lag.stop() * 1000
            result["largest_batch"] = bot.worker.stats.largest_batch
        return result
    finally:
        await asyncio.to_thread(process.join, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queue-size", type=int, default=16, help="BOT_QUEUE_SIZE (default 16)")
    args = parser.parse_args()
    tweets = real_tweets()
    prompts = [" ".join(t.split()[:4]) or "patch tuesday" for t in tweets[:USERS]]
    prompts += ["patch tuesday"] * (USERS - len(prompts))
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = make_seed_model(Path(tmp) / "trained_model", tweets)
        results = []
        for run in range(1, args.runs + 1):
            result = asyncio.run(one_run(model_dir, prompts, args.queue_size))
            results.append(result)
            print(f"run {run}: " + ", ".join(f"{k} {_fmt(v)}" for k, v in result.items()))
    print(f"\nmedians over {args.runs} runs, {USERS} users at once, queue {args.queue_size}:")
    for key in results[0]:
        print(f"  {key:>16}: {_fmt(statistics.median(r[key] for r in results))}")


def _fmt(value: float) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
