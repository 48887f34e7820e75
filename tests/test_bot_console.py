"""``deepciso bot --console``: the same bot logic in a terminal, no Discord, no token."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from pathlib import Path

from bot.console import run_console
from tests.fixtures_bot import bot_settings, tiny_model

ROOT = Path(__file__).resolve().parents[1]


def test_console_answers_prompts_and_admin_commands(tmp_path):
    model_dir = tiny_model(tmp_path / "trained_model")
    settings = bot_settings(model_dir, discord_token=None)
    stdin = io.StringIO("patch tuesday\n\n/status\n/post\n/reload\nzero trust\n/quit\nignored\n")
    out = io.StringIO()
    assert asyncio.run(run_console(settings, stdin, out)) == 0
    lines = [line.removeprefix("> ") for line in out.getvalue().splitlines()]
    assert lines[0].startswith(f"DeepCISO console, model {model_dir}")
    assert lines[1].startswith("patch tuesday") and len(lines[1]) > len("patch tuesday")
    assert "prompt is empty" in lines[2]
    assert lines[3].startswith(f"Model: {model_dir} (trained 2026-01-01")
    assert any("not set up" in line for line in lines)
    assert any(line.startswith("Now serving") for line in lines)
    assert lines[-2].startswith("zero trust") and "ignored" not in out.getvalue()


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
