"""Scheduling keys from .env: defaults, every malformed key named in one line, cron weekdays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.posting.settings import ScheduleSettings, cron_trigger, standard_weekdays
from pipeline.errors import UserError
from tests.fakes.discord_server import FAKE_TOKEN

X_KEYS = {
    "X_API_KEY": "k",
    "X_API_SECRET": "s",
    "X_ACCESS_TOKEN": "t",
    "X_ACCESS_TOKEN_SECRET": "ts",
}


def test_defaults_schedule_nothing():
    settings = ScheduleSettings.from_env({})
    assert not settings.scheduled and settings.targets == ()
    assert settings.ledger_path == Path("deepciso-ledger.db")
    assert settings.grace == timedelta(hours=1) and settings.x_daily_budget == 10


def test_full_configuration():
    settings = ScheduleSettings.from_env(
        {
            "SCHEDULE_CRON": "0 */4 * * *",
            "SCHEDULE_TIMEZONE": "Europe/Berlin",
            "SCHEDULE_JITTER_SECONDS": "120",
            "SCHEDULE_GRACE": "30m",
            "SCHEDULE_DISCORD_CHANNEL_IDS": "111, 222,111",
            "SCHEDULE_POST_TO_X": "yes",
            "X_API_BASE": "http://127.0.0.1:9999/",
            "X_DAILY_BUDGET": "3",
            "LEDGER_PATH": "/tmp/x/ledger.db",
            **X_KEYS,
        }
    )
    assert settings.scheduled
    assert settings.targets == ("discord:111", "discord:222", "x")
    assert str(settings.timezone) == "Europe/Berlin" and settings.jitter_seconds == 120
    assert settings.grace == timedelta(minutes=30) and settings.x_daily_budget == 3
    assert settings.x_api_base == "http://127.0.0.1:9999"
    assert "ts" not in repr(settings.x_credentials)  # secrets stay out of reprs and logs


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"SCHEDULE_CRON": "0 */4 * *"}, "SCHEDULE_CRON"),
        ({"SCHEDULE_CRON": "0 25 * * *"}, "SCHEDULE_CRON"),
        ({"SCHEDULE_CRON": "0 * * * *", "SCHEDULE_INTERVAL": "4h"}, "SCHEDULE_CRON and"),
        ({"SCHEDULE_INTERVAL": "often"}, "SCHEDULE_INTERVAL"),
        ({"SCHEDULE_INTERVAL": "0m"}, "SCHEDULE_INTERVAL"),
        ({"SCHEDULE_TIMEZONE": "Mars/Olympus"}, "SCHEDULE_TIMEZONE"),
        ({"SCHEDULE_DISCORD_CHANNEL_IDS": "12,#general"}, "SCHEDULE_DISCORD_CHANNEL_IDS"),
        ({"SCHEDULE_POST_TO_X": "maybe"}, "SCHEDULE_POST_TO_X"),
        ({"SCHEDULE_POST_TO_X": "1"}, "X_API_KEY is missing"),
        ({"SCHEDULE_POST_TO_X": "1", **X_KEYS, "X_API_BASE": "ftp://x"}, "X_API_BASE"),
        ({"X_DAILY_BUDGET": "-1"}, "X_DAILY_BUDGET"),
        ({"SCHEDULE_JITTER_SECONDS": "1.5"}, "SCHEDULE_JITTER_SECONDS"),
    ],
)
def test_bad_keys_are_named_in_one_line(env, key):
    with pytest.raises(UserError) as caught:
        ScheduleSettings.from_env(env)
    message = str(caught.value)
    assert message.startswith(key) and "\n" not in message


def test_missing_x_key_is_named():
    env = {"SCHEDULE_POST_TO_X": "true", **X_KEYS}
    del env["X_ACCESS_TOKEN_SECRET"]
    with pytest.raises(UserError, match=r"^X_ACCESS_TOKEN_SECRET is missing"):
        ScheduleSettings.from_env(env)


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("*", "sun,mon,tue,wed,thu,fri,sat"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
    ],
)
def test_weekdays_mean_what_crontab_means(field, names):
    assert standard_weekdays(field) == names


def test_weekday_cron_skips_the_weekend():
    trigger = cron_trigger("0 9 * * 1-5", UTC)
    saturday = datetime(2026, 11, 28, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, saturday) == datetime(2026, 11, 30, 9, tzinfo=UTC)


@pytest.mark.parametrize("console", [True, False])
def test_deepciso_bot_stops_at_a_bad_scheduling_key_before_loading_the_model(
    tmp_path, capsys, console
):
    from bot.cli import main

    env_file = tmp_path / "bot.env"
    env_file.write_text(
        f"DISCORD_TOKEN={FAKE_TOKEN}\nMODEL_DIR={tmp_path / 'no-model'}\nSCHEDULE_CRON=every day\n"
    )
    args = ["bot", "--env-file", str(env_file)] + (["--console"] if console else [])
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("deepciso bot: error: SCHEDULE_CRON='every day' is not a cron")
    assert "\n" not in err and "Traceback" not in err
