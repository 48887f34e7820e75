"""Bot settings from .env: every key documented, missing or malformed keys are one line, exit 2."""

from __future__ import annotations

import dataclasses
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings, known_keys, load_settings
from pipeline.errors import UserError
from tests.fakes.discord_server import FAKE_TOKEN

ROOT = Path(__file__).resolve().parents[1]
T = FAKE_TOKEN  # a token of the right shape
FROM_FILE = "MTIzNDU2Nzg5MDEyMzQ1Njc4.FrOmFi.le-token-value-in-the-env-file"


def env_example() -> dict[str, str]:
    text = (ROOT / ".env.example").read_text()
    return dict(re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", text, re.M))


def test_env_example_lists_every_setting_with_its_default():
    example = env_example()
    commented = re.findall(r"^#\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    assert commented == []  # every key is a line of its own, with its default
    assert set(example) == known_keys() - {"DEEPCISO_LOG_LEVEL"}
    assert Settings.from_env(example) == Settings()  # each value there is the field's default


def test_env_example_values_are_the_defaults_key_by_key():
    """A default changed in the code (or in .env.example) alone is named here."""
    defaults = Settings()
    for key, value in env_example().items():
        if value:
            changed = Settings.from_env({key: value})
            assert changed == defaults, f"{key}={value} in .env.example is not the default"


def test_env_file_values_and_environment_override(tmp_path):
    env_file = tmp_path / "bot.env"
    env_file.write_text(
        f"DISCORD_TOKEN={FROM_FILE}\nMODEL_DIR=models/x\nDISCORD_ADMIN_IDS=1, 22 ,333\n"
        "BOT_COOLDOWN_SECONDS=5\nBOT_WATCH_MODEL=yes\n"
    )
    settings = load_settings(env_file, {"BOT_COOLDOWN_SECONDS": "7.5"})
    assert settings.discord.token == FROM_FILE
    assert settings.serving.model_dir == Path("models/x")
    assert settings.discord.admin_ids == frozenset({1, 22, 333})
    assert settings.serving.cooldown_seconds == 7.5 and settings.serving.watch_model
    assert FROM_FILE not in repr(settings)


def test_each_section_reads_only_its_own_keys():
    env = {"BOT_BATCH_SIZE": "3", "DEEPCISO_FILTER_BATCH_SIZE": "5", "SCHEDULE_INTERVAL": "2h"}
    settings = Settings.from_env(env)
    assert (settings.serving.batch_size, settings.filter.batch_size) == (3, 5)
    assert settings.posting.interval.total_seconds() == 7200
    assert settings.posting.recent_texts == settings.filter.recent_posts


@pytest.mark.parametrize(
    "token",
    [
        "Bot " + FAKE_TOKEN,  # the prefix pasted along
        FAKE_TOKEN.replace(".", " "),
        "my bot token",
        "abc",
        FAKE_TOKEN + ".extra",
        FAKE_TOKEN[:-3] + "+/=",
    ],
)
def test_a_token_that_cannot_be_a_token_is_refused_without_its_value(tmp_path, token):
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={token}\nMODEL_DIR={tmp_path / 'no-model'}\n")
    with pytest.raises(UserError) as caught:
        load_settings(env_file, {})
    message = str(caught.value)
    assert message.startswith("DISCORD_TOKEN does not look like a bot token")
    assert token.strip() not in message and "\n" not in message


def test_a_malformed_token_stops_deepciso_bot_before_the_model_loads(tmp_path, capsys):
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN=paste here\nMODEL_DIR={tmp_path / 'no-model'}\n")
    assert main(["bot", "--env-file", str(env_file)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "DISCORD_TOKEN does not look like a bot token" in err
    assert "paste here" not in err and "no-model" not in err and "reach Discord" not in err


@pytest.mark.parametrize(
    "content",
    [b"DISCORD_TOKEN=\xff\xfe\x00\x01binary", b"MODEL_DIR=caf\xe9\n", b"\x00\x00\x00"],
)
def test_an_env_file_that_is_not_utf8_text_is_one_line_exit_2(tmp_path, capsys, content):
    env_file = tmp_path / ".env"
    env_file.write_bytes(content)
    assert main(["bot", "--console", "--env-file", str(env_file)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert str(env_file) in err and "UTF-8" in err and "save it as UTF-8" in err


def test_a_misspelt_key_is_a_warning_naming_the_closest_key_never_the_value(tmp_path, caplog):
    secret = "s3cr3t-value-never-logged"
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"DISCORD_TOKNE={secret}\nBOT_COOLDOWN_SECOND=5\nSCHEDULE_INTERVALL=4h\n"
        f"PATH_TO_NOTHING={secret}\nX_APIKEY={secret}\n"
    )
    with caplog.at_level(logging.WARNING, logger="bot.settings"):
        load_settings(env_file, {}, require_token=False)
    warnings = {r.getMessage() for r in caplog.records if r.levelno == logging.WARNING}
    assert len(warnings) == 4  # PATH_TO_NOTHING has none of our prefixes
    for typo, meant in [
        ("DISCORD_TOKNE", "DISCORD_TOKEN"),
        ("BOT_COOLDOWN_SECOND", "BOT_COOLDOWN_SECONDS"),
        ("SCHEDULE_INTERVALL", "SCHEDULE_INTERVAL"),
        ("X_APIKEY", "X_API_KEY"),
    ]:
        assert any(typo in w and f"did you mean {meant}?" in w for w in warnings), typo
    assert all(secret not in w for w in warnings)
    assert secret not in caplog.text


def test_known_keys_are_not_warned_about(tmp_path, caplog):
    env_file = tmp_path / ".env"
    env_file.write_text((ROOT / ".env.example").read_text())
    with caplog.at_level(logging.WARNING, logger="bot.settings"):
        settings = load_settings(env_file, {}, require_token=False)
    assert not caplog.records and dataclasses.replace(settings) == Settings()


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": T, "DISCORD_ADMIN_IDS": "12,bob"}, "DISCORD_ADMIN_IDS"),
        ({"DISCORD_TOKEN": T, "DISCORD_ADMIN_ROLE_IDS": "@mods"}, "DISCORD_ADMIN_ROLE_IDS"),
        ({"DISCORD_TOKEN": T, "BOT_QUEUE_SIZE": "0"}, "BOT_QUEUE_SIZE"),
        ({"DISCORD_TOKEN": T, "BOT_COOLDOWN_SECONDS": "soon"}, "BOT_COOLDOWN_SECONDS"),
        ({"DISCORD_TOKEN": T, "BOT_INT8": "maybe"}, "BOT_INT8"),
        ({"DISCORD_TOKEN": T, "DISCORD_API_BASE": "discord.com"}, "DISCORD_API_BASE"),
        ({"DISCORD_TOKEN": T, "DISCORD_GATEWAY_URL": "http://x"}, "DISCORD_GATEWAY_URL"),
    ],
)
def test_missing_or_malformed_key_is_named(tmp_path, monkeypatch, env, key):
    monkeypatch.chdir(tmp_path)  # no .env here
    with pytest.raises(UserError, match=key):
        load_settings(None, env)


def test_console_mode_needs_no_token():
    assert load_settings(None, {}, require_token=False).discord.token is None


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
