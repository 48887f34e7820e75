"""``python -m bot`` as a user runs it, pointed at the loopback fake through .env."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from bot.cli import main
from tests.fakes.discord_server import FAKE_TOKEN, FakeDiscord
from tests.fixtures_bot import endpoints_restored, tiny_model

ROOT = Path(__file__).resolve().parents[1]
# Shaped like a bot token (so the settings accept it), but not the one the fake knows.
WRONG_TOKEN = "MTA0NjYxNzY5NjgxNjE5OTgxMA.GwR0nG.not-the-token-the-fake-discord-knows"
ENV = {"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "DEEPCISO_LOG_LEVEL": "INFO"}


async def start_bot(env_file: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--env-file",
        str(env_file),
        *args,
        cwd=ROOT,
        env=ENV,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def test_bot_process_syncs_answers_and_stops_on_sigterm(tmp_path):
    model_dir = tiny_model(tmp_path / "trained_model")

    async def scenario():
        async with FakeDiscord() as fake:
            env_file = tmp_path / ".env"
            env_file.write_text(
                f"DISCORD_TOKEN={FAKE_TOKEN}\nMODEL_DIR={model_dir}\n"
                f"DISCORD_API_BASE={fake.api_base}\nBOT_COOLDOWN_SECONDS=0\n"
            )
            process = await start_bot(env_file, "--sync", "--guild", str(fake.guild_id))
            try:
                await fake.wait_until(lambda: bool(fake.commands) and fake.identifies, 90)
                user = fake.add_user("someone")
                answer = await fake.invoke(user, "deepciso prompt", text="mfa fatigue")
                await answer.wait(30)
                assert answer.content.startswith("mfa fatigue")
            finally:
                process.send_signal(signal.SIGTERM)
                _, stderr = await asyncio.wait_for(process.communicate(), 30)
            assert process.returncode == 0, stderr.decode()
            assert FAKE_TOKEN not in stderr.decode()  # the token is never logged

    asyncio.run(scenario())


def test_bad_token_and_unreachable_discord_are_one_line_exit_2(tmp_path, capsys):
    model_dir = tiny_model(tmp_path / "trained_model")

    async def scenario():
        async with endpoints_restored(), FakeDiscord() as fake:
            cases = {
                "refused by Discord": f"DISCORD_TOKEN={WRONG_TOKEN}\n"
                f"DISCORD_API_BASE={fake.api_base}\n",
                "cannot reach Discord": f"DISCORD_TOKEN={FAKE_TOKEN}\n"
                "DISCORD_API_BASE=http://127.0.0.1:9\n",
            }
            for expected, text in cases.items():
                env_file = tmp_path / ".env"
                env_file.write_text(f"MODEL_DIR={model_dir}\n{text}")
                status = await asyncio.to_thread(main, ["bot", "--env-file", str(env_file)])
                err = capsys.readouterr().err.strip()
                assert status == 2 and expected in err.splitlines()[-1], err
                assert "Traceback" not in err

    asyncio.run(scenario())
