"""Bot settings from .env: every key documented, missing or malformed keys are one line, exit 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import load_settings
from pipeline.errors import UserError

ROOT = Path(__file__).resolve().parents[1]


def test_every_key_read_is_documented_in_env_example():
    source = (ROOT / "bot" / "settings.py").read_text()
    read = set(re.findall(r'"((?:DISCORD|BOT|MODEL)_[A-Z0-9_]+)"', source))
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert {"DISCORD_TOKEN", "MODEL_DIR", "DISCORD_ADMIN_IDS", "DISCORD_ADMIN_ROLE_IDS"} <= read
    assert read - documented == set()


def test_env_file_values_and_environment_override(tmp_path):
    env_file = tmp_path / "bot.env"
    env_file.write_text(
        "DISCORD_TOKEN=from-file\nMODEL_DIR=models/x\nDISCORD_ADMIN_IDS=1, 22 ,333\n"
        "BOT_COOLDOWN_SECONDS=5\nBOT_WATCH_MODEL=yes\n"
    )
    settings = load_settings(env_file, {"BOT_COOLDOWN_SECONDS": "7.5"})
    assert settings.discord_token == "from-file"
    assert settings.model_dir == Path("models/x")
    assert settings.admin_ids == frozenset({1, 22, 333})
    assert settings.cooldown_seconds == 7.5 and settings.watch_model
    assert "from-file" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": "t", "DISCORD_ADMIN_IDS": "12,bob"}, "DISCORD_ADMIN_IDS"),
        ({"DISCORD_TOKEN": "t", "DISCORD_ADMIN_ROLE_IDS": "@mods"}, "DISCORD_ADMIN_ROLE_IDS"),
        ({"DISCORD_TOKEN": "t", "BOT_QUEUE_SIZE": "0"}, "BOT_QUEUE_SIZE"),
        ({"DISCORD_TOKEN": "t", "BOT_COOLDOWN_SECONDS": "soon"}, "BOT_COOLDOWN_SECONDS"),
        ({"DISCORD_TOKEN": "t", "BOT_INT8": "maybe"}, "BOT_INT8"),
        ({"DISCORD_TOKEN": "t", "DISCORD_API_BASE": "discord.com"}, "DISCORD_API_BASE"),
        ({"DISCORD_TOKEN": "t", "DISCORD_GATEWAY_URL": "http://x"}, "DISCORD_GATEWAY_URL"),
    ],
)
def test_missing_or_malformed_key_is_named(tmp_path, monkeypatch, env, key):
    monkeypatch.chdir(tmp_path)  # no .env here
    with pytest.raises(UserError, match=key):
        load_settings(None, env)


def test_console_mode_needs_no_token():
    assert load_settings(None, {}, require_token=False).discord_token is None


def test_cli_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["bot"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "DISCORD_TOKEN is missing" in err
    assert main(["bot", "--env-file", "nope.env"]) == 2
    assert "nope.env: no such env file" in capsys.readouterr().err
    assert main(["bot", "--guild", "123"]) == 2
    assert "--guild only makes sense with --sync" in capsys.readouterr().err


def test_python_m_bot_refuses_a_bad_model_folder_in_one_line(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"MODEL_DIR={tmp_path / 'missing_model'}\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--console", "--env-file", str(env_file)],
        cwd=ROOT,
        input="",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "missing_model" in done.stderr.strip().splitlines()[-1]
