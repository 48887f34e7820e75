"""Fixtures for scheduled posts: the fake X API, a tweepy client pointed at it, a ledger."""

from __future__ import annotations

import pytest

from bot.ledger import Ledger
from bot.x_client import XCredentials, make_client
from bot.x_poster import XPoster
from tests.fakes.x_api import FakeX

CREDENTIALS = XCredentials("consumer-key", "consumer-secret", "access-token", "access-secret")


@pytest.fixture
def fake_x():
    with FakeX() as server:
        yield server


@pytest.fixture
def x_poster(fake_x: FakeX) -> XPoster:
    return XPoster(make_client(CREDENTIALS, base=fake_x.base_url, timeout=0.5))


@pytest.fixture
def ledger(tmp_path):
    book = Ledger(tmp_path / "ledger.db")
    yield book
    book.close()
