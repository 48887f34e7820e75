"""Novelty: copies of training tweets and repeats of recent posts are refused."""

from __future__ import annotations

import re
import sqlite3

import pytest

from pipeline.contentfilter.novelty import CorpusIndex, RecentPosts
from pipeline.contentfilter.pings import find_pings_and_links
from pipeline.errors import UserError
from tests.fixtures_filter import REAL_DB, write_lines

CORPUS = [
    "patch tuesday again and the printer is still the biggest threat",
    "zero trust means i trust nobody including this meeting invite",
    "short line here",
    "buy the dip @trader https://t.co/abc they said it will be fine",
]


@pytest.fixture
def index() -> CorpusIndex:
    return CorpusIndex(CORPUS, run_words=8)


def test_exact_copy_after_normalisation_is_caught(index):
    assert index.copies("Short line, HERE!") == "same words as a line of the corpus"
    assert index.copies("short line there") is None


def test_a_run_of_eight_words_from_one_line_is_caught(index):
    copied = "lol zero trust means i trust nobody including this, right"
    assert "run of 8 words" in index.copies(copied)
    seven = "zero trust means i trust nobody including, me"
    assert index.copies(seven) is None


def test_lines_without_words_are_not_indexed():
    index = CorpusIndex(["https://t.co/abc @bob", "!!!", "a real line"])
    assert index.lines == 1
    assert index.copies("") is None and index.copies("?!") is None


def test_runs_do_not_cross_line_boundaries(index):
    spanning = "the printer is still the biggest threat zero trust means"
    assert index.copies(spanning) is None


def test_pings_and_links_in_the_corpus_do_not_hide_a_copy(index):
    assert index.copies("Buy the dip... they said it will be fine") == (
        "same words as a line of the corpus"
    )


def test_run_length_is_configurable():
    index = CorpusIndex(CORPUS, run_words=4)
    assert index.copies("my printer is still the best") is not None
    exact_only = CorpusIndex(CORPUS, run_words=0)
    assert exact_only.copies("zero trust means i trust nobody including this, right") is None
    assert exact_only.copies("short line here") is not None


def test_from_file_builds_once_and_rebuilds_when_the_file_changes(tmp_path):
    corpus = write_lines(tmp_path / "model.txt", CORPUS)
    first = CorpusIndex.from_file(corpus)
    assert CorpusIndex.from_file(corpus) is first
    write_lines(corpus, [*CORPUS, "a brand new line that nobody has written before today"])
    second = CorpusIndex.from_file(corpus)
    assert second is not first and second.lines == 5


def test_missing_or_binary_corpus_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        CorpusIndex.from_file(tmp_path / "nope.txt")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(UserError, match="UTF-8"):
        CorpusIndex.from_file(bad)


def test_recent_posts_forget_the_oldest():
    recent = RecentPosts(size=2, run_words=8)
    recent.add("first meme about the market going up today")
    recent.add("second meme about patch tuesday and the printers")
    assert recent.repeats("First meme about the market going up today!") is not None
    recent.add("third meme about zero trust and meeting invites")
    assert len(recent) == 2
    assert recent.repeats("first meme about the market going up today") is None
    assert "run of 8 words" in recent.repeats(
        "so: second meme about patch tuesday and the printers, again"
    )
    off = RecentPosts(size=0)
    off.add("anything at all")
    assert off.repeats("anything at all") is None


@pytest.mark.skipif(not REAL_DB.exists(), reason="../shared/data not present")
def test_real_corpus_copies_are_caught_and_new_text_is_not():
    with sqlite3.connect(f"file:{REAL_DB}?mode=ro", uri=True) as connection:
        tweets = [r[0] for r in connection.execute("SELECT tweet FROM tweets LIMIT 5000")]
    lines = [re.sub(r"\s+", " ", t).strip().lower() for t in tweets if t.strip()]
    index = CorpusIndex(lines)
    long_lines = [line for line in lines if len(line.split()) >= 12][:200]
    checked = [find_pings_and_links(line.upper()).remainder for line in long_lines]
    assert all(index.copies(text) for text in checked)
    reversed_lines = [" ".join(reversed(line.split())) for line in long_lines]
    false_hits = sum(index.copies(line) is not None for line in reversed_lines)
    assert false_hits <= 2  # a reversed tweet can still equal a short palindromic line


@pytest.mark.parametrize(
    "disguise",
    ["patch tues\u00adday again and the printer is still the biggest threat",  # soft hyphen
     "patch tuesday again and the prin\u200bter is still the biggest threat",  # zero width
     "pаtch tuesday аgain and the printer is still the biggest threat",  # Cyrillic a
     "||patch|| tuesday again and the printer is still the biggest threat"],  # spoiler
)  # fmt: skip
def test_a_copy_disguised_with_invisible_or_lookalike_characters_is_still_a_copy(disguise):
    assert CorpusIndex(CORPUS, run_words=8).copies(disguise) is not None


def test_a_training_line_with_a_soft_hyphen_is_indexed_in_its_canonical_form():
    index = CorpusIndex(["zero trust means i trust no\u00adbody including this meeting"], 8)
    assert index.copies("zero trust means i trust nobody including this meeting") is not None
