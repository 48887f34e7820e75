"""The Bluesky and Mastodon keys: defaults, one line per malformed key, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from pipeline.errors import UserError

BLUESKY = {
    "SCHEDULE_POST_TO_BLUESKY": "true",
    "BLUESKY_HANDLE": "deepciso.bsky.social",
    "BLUESKY_APP_PASSWORD": "abcd-efgh-2345-wxyz",
}
MASTODON = {
    "SCHEDULE_POST_TO_MASTODON": "yes",
    "MASTODON_API_BASE_URL": "https://mastodon.example",
    "MASTODON_ACCESS_TOKEN": "s3cret-token",
}


def test_defaults_post_nowhere_new():
    settings = Settings.from_env({})
    assert not settings.posting.post_to_bluesky and not settings.posting.post_to_mastodon
    assert settings.bluesky.service == "https://bsky.social"
    assert settings.bluesky.session_path == Path("deepciso-bluesky.session")
    assert settings.mastodon.visibility == "unlisted"
    assert settings.posting.targets == ()


def test_full_configuration():
    settings = Settings.from_env(
        {
            **BLUESKY,
            **MASTODON,
            "SCHEDULE_DISCORD_CHANNEL_IDS": "111",
            "BLUESKY_SERVICE": "https://pds.example",
            "BLUESKY_TIMEOUT_SECONDS": "7.5",
            "BLUESKY_SESSION_PATH": "/var/lib/deepciso/bsky.session",
            "MASTODON_VISIBILITY": "Public",
            "MASTODON_TIMEOUT_SECONDS": "3",
        }
    )
    assert settings.posting.targets == ("discord:111", "bluesky", "mastodon")
    assert settings.bluesky.handle == "deepciso.bsky.social"
    assert settings.bluesky.service == "https://pds.example"
    assert settings.bluesky.timeout_seconds == 7.5
    assert settings.bluesky.session_path == Path("/var/lib/deepciso/bsky.session")
    assert settings.mastodon.visibility == "public" and settings.mastodon.timeout_seconds == 3.0
    shown = repr(settings)
    assert "abcd-efgh-2345-wxyz" not in shown and "s3cret-token" not in shown


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {**BLUESKY, "BLUESKY_APP_PASSWORD": ""},
            "BLUESKY_APP_PASSWORD is missing: SCHEDULE_POST_TO_BLUESKY is on",
        ),
        (
            {**MASTODON, "MASTODON_ACCESS_TOKEN": " "},
            "MASTODON_ACCESS_TOKEN is missing: SCHEDULE_POST_TO_MASTODON is on",
        ),
        ({**BLUESKY, "BLUESKY_SERVICE": "bsky.social"}, "BLUESKY_SERVICE='bsky.social' is not"),
        ({**BLUESKY, "BLUESKY_TIMEOUT_SECONDS": "soon"}, "BLUESKY_TIMEOUT_SECONDS='soon' is not"),
        ({**BLUESKY, "BLUESKY_TIMEOUT_SECONDS": "0"}, "BLUESKY_TIMEOUT_SECONDS=0 is out of range"),
        ({**MASTODON, "MASTODON_VISIBILITY": "direct"}, "MASTODON_VISIBILITY='direct': use one"),
        ({**MASTODON, "MASTODON_API_BASE_URL": "ftp://x"}, "MASTODON_API_BASE_URL='ftp://x' is"),
        ({"SCHEDULE_POST_TO_MASTODON": "maybe"}, "SCHEDULE_POST_TO_MASTODON='maybe' is not true"),
    ],
)
def test_malformed_keys_are_named_in_one_line(env, message):
    with pytest.raises(UserError) as caught:
        Settings.from_env(env)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_an_account_password_is_refused_without_being_shown():
    with pytest.raises(UserError) as caught:
        Settings.from_env({**BLUESKY, "BLUESKY_APP_PASSWORD": "hunter2-my-real-password"})
    message = str(caught.value)
    assert message.startswith("BLUESKY_APP_PASSWORD is not an app password")
    assert "App passwords" in message and "hunter2" not in message


def test_keys_of_a_target_that_is_off_are_still_checked():
    with pytest.raises(UserError, match="MASTODON_VISIBILITY"):
        Settings.from_env({"MASTODON_VISIBILITY": "private"})


def test_every_section_key_is_documented_in_env_example():
    import re

    from bot.settings import known_keys

    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.M))
    keys = {k for k in known_keys() if k.startswith(("BLUESKY_", "MASTODON_", "SCHEDULE_POST"))}
    assert len(keys) == 12 and keys <= documented  # with SCHEDULE_POST_TO_X
