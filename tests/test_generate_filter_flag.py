"""``deepciso generate --filter/--verbose``: the content filter on the command line."""

from __future__ import annotations

import pytest

from bot.cli import main
from tests.fixtures_generate import make_memorized_model_dir
from tests.fixtures_model import SAMPLE_LINES


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return make_memorized_model_dir(tmp_path_factory.mktemp("mem") / "trained_model")


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "model.txt"
    path.write_text("\n".join(SAMPLE_LINES) + "\n")
    return path


def generate(capsys, *argv) -> tuple[int, str, str]:
    status = main(["generate", "-n", "2", "--temperature", "0", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def test_recited_training_tweets_are_filtered_out(model_dir, corpus, capsys):
    status, out, _ = generate(capsys, "--model", model_dir)
    assert status == 0
    recited = out.split("\n")[0]
    assert recited in SAMPLE_LINES  # the memorized model recites a training tweet
    status, out, err = generate(capsys, "--model", model_dir, "--filter", "--corpus", corpus)
    assert status == 0 and out.strip() == ""
    assert "0 of 2 passed the filter (copies_training 2)" in err


def test_verbose_prints_rejected_texts_with_reasons(model_dir, corpus, capsys):
    _, out, _ = generate(capsys, "--model", model_dir, "--filter", "--verbose", "--corpus", corpus)
    assert out.startswith("[rejected: copies_training")


def test_without_the_corpus_the_same_text_passes(model_dir, capsys):
    status, out, err = generate(capsys, "--model", model_dir, "--filter")
    assert status == 0 and out.split("\n")[0] in SAMPLE_LINES
    assert "2 of 2 passed the filter" in err


def test_verbose_needs_filter(model_dir, capsys):
    status, _, err = generate(capsys, "--model", model_dir, "--verbose")
    assert status == 2 and "add --filter" in err
