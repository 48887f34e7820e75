"""``deepciso bot --console``: the same bot logic in a terminal, no Discord, no token."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from pathlib import Path

from bot.console import run_console
from tests.fixtures_bot import QUOTE, bot_settings, quoting_model, tiny_model

ROOT = Path(__file__).resolve().parents[1]


def test_console_answers_prompts_and_admin_commands(tmp_path):
    model_dir = tiny_model(tmp_path / "trained_model")
    settings = bot_settings(model_dir, discord_token=None)
    stdin = io.StringIO("patch tuesday\n\n/status\n/post\n/reload\nzero trust\n/quit\nignored\n")
    out = io.StringIO()
    assert asyncio.run(run_console(settings, stdin, out)) == 0
    # one chunk per input line: each reply follows a "> " prompt at the start of a line (a
    # sampled reply may itself hold a newline)
    banner, *replies = out.getvalue().split("\n> ")
    assert banner.startswith(f"DeepCISO console, model {model_dir}")
    assert replies[0].startswith("patch tuesday") and len(replies[0]) > len("patch tuesday\n")
    assert "prompt is empty" in replies[1]
    assert replies[2].startswith(f"Model: {model_dir} (trained 2026-01-01")
    assert "not set up" in replies[3]
    assert replies[4].startswith("Now serving")
    assert replies[5].startswith("zero trust") and "ignored" not in out.getvalue()


def test_python_m_bot_console_runs_without_a_token(tmp_path):
    model_dir = tiny_model(tmp_path / "trained_model")
    env_file = tmp_path / "console.env"
    env_file.write_text(f"MODEL_DIR={model_dir}\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--console", "--env-file", str(env_file)],
        cwd=ROOT,
        input="log4j called\n",  # then end of input: the console exits cleanly
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "DEEPCISO_LOG_LEVEL": "WARNING"},
    )
    assert done.returncode == 0, done.stderr
    assert "> log4j called" in done.stdout


def test_a_prompt_quoting_a_training_tweet_gets_a_meme(tmp_path):
    """The novelty check is told the prompt: quoting 8+ words of a training line is the user's
    doing, not a copy by the model (issue 12)."""
    model_dir = quoting_model(tmp_path)
    settings = bot_settings(model_dir, discord_token=None)
    out = io.StringIO()
    assert asyncio.run(run_console(settings, io.StringIO(f"{QUOTE}\n/status\n"), out)) == 0
    _banner, reply, status = out.getvalue().split("\n> ")[:3]
    assert reply.startswith(QUOTE) and len(reply) > len(QUOTE) + 1, reply
    assert "None of the" not in reply
    assert "copies_training" not in status  # not one candidate was taken for a copy
