"""A slot to X and a 250-character Mastodon instance, through the real slot runner, the real
content filter and the real tweepy and Mastodon.py clients against the fakes on loopback: the
meme posted fits both, whichever counts it longer; a target found unhealthy stops counting."""

from __future__ import annotations

import asyncio
import io

import pytest

from bot.posting.targets.console import ConsoleTarget
from bot.posting.targets.mastodon import MastodonTarget
from pipeline.contentfilter import ContentFilter, LengthRules, Target, generate_clean
from pipeline.contentfilter.length import grapheme_length
from pipeline.contentfilter.xlength import X_MAX_WEIGHTED, x_weighted_length
from tests.fakes import x_api
from tests.fakes.mastodon_server import FakeMastodon
from tests.fixtures_schedule import (  # noqa: F401 (fixtures)
    fake_x_fixture,
    running_scheduler,
    schedule_settings,
    x_target_fixture,
)
from tests.fixtures_targets import mastodon_settings
from tests.test_filter_all_targets import CJK, EMOJI, FITS_BOTH, INSTANCE, LONG_ASCII

pytestmark = pytest.mark.timeout(60)


class FilteredMemes:
    """The worker's ``generate_post`` in small: scripted candidates through the real filter."""

    def __init__(self, candidates: list[str]) -> None:
        self.content_filter = ContentFilter()
        self.candidates = iter(candidates)
        self.lengths: list[LengthRules] = []

    async def __call__(self, lengths: LengthRules):
        self.lengths.append(lengths)
        return generate_clean(
            lambda n: [next(self.candidates)], self.content_filter, target=lengths, batch_size=1
        )


def post_slots(tmp_path, fake_x, x_target, memes: FilteredMemes, slots: int = 1):
    """Post ``slots`` slots now to the console, X and a Mastodon instance allowing
    ``INSTANCE`` characters; the summaries and what the instance got."""
    settings = schedule_settings(tmp_path, fake_x)
    with FakeMastodon(max_characters=INSTANCE) as instance:
        targets = [
            ConsoleTarget(io.StringIO()),
            x_target,
            MastodonTarget.from_settings(mastodon_settings(instance)),
        ]

        async def main():
            async with running_scheduler(
                settings, targets, memes, memes.content_filter.remember_posted
            ) as scheduler:
                return [await scheduler.post_now() for _ in range(slots)]

        summaries = asyncio.run(main())
        return summaries, instance.posted_texts()


def test_the_posted_meme_fits_x_and_the_instance(tmp_path, fake_x, x_target):
    memes = FilteredMemes([CJK, EMOJI, LONG_ASCII, FITS_BOTH])
    (summary,), on_mastodon = post_slots(tmp_path, fake_x, x_target, memes)
    assert "x: posted" in summary and "mastodon: posted" in summary, summary
    assert fake_x.posted_texts() == [FITS_BOTH] == on_mastodon
    assert x_weighted_length(FITS_BOTH) <= X_MAX_WEIGHTED and grapheme_length(FITS_BOTH) <= INSTANCE
    # the instance's limit was read from the server before the meme was made
    assert memes.lengths == [
        LengthRules([(Target.CONSOLE, None), (Target.X, None), (Target.MASTODON, INSTANCE)])
    ]


def test_an_unhealthy_x_no_longer_holds_the_meme_to_its_weights(tmp_path, fake_x, x_target):
    fake_x.script(x_api.unauthorized())  # X is found unhealthy by the first slot's send
    memes = FilteredMemes([CJK, FITS_BOTH, CJK])
    (first, second), on_mastodon = post_slots(tmp_path, fake_x, x_target, memes, slots=2)
    assert "x: failed" in first and "x: skipped" in second
    assert memes.lengths[1] == LengthRules([(Target.CONSOLE, None), (Target.MASTODON, INSTANCE)])
    # the CJK text X refused in the first slot fits the instance alone: posted in the second
    assert "mastodon: posted" in second
    assert on_mastodon == [FITS_BOTH, CJK] and fake_x.posted_texts() == []
