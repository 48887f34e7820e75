"""No command writes over its own input, and every bad input is one line and exit status 2.

Everything runs the real ``deepciso`` command line (in-process through ``bot.cli.main`` or as a
process) on real files: Twint SQLite databases, small corpora, tiny models.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import BOT_COMMANDS, main
from pipeline.cli import PIPELINE_COMMANDS, build_parser
from tests.fixtures_model import make_tiny_model_dir
from tests.fixtures_train import tiny_args, tree_digest, write_corpus
from tests.fixtures_twint import make_db

ROOT = Path(__file__).resolve().parents[1]
ROWS = [
    {"id": n, "author": f"user{n % 3}", "text": f"tweet number {n} says something quite long",
     "likes": n, "retweets": n % 4}
    for n in range(1, 31)
]  # fmt: skip


def snapshot(path: Path) -> tuple[bytes, int]:
    """A file's bytes and modification time: both must survive a refused command."""
    return path.read_bytes(), path.stat().st_mtime_ns


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def refused(capsys, argv: list[str], *needles: str) -> str:
    """Run ``deepciso argv``: exit 2 and one error line (plus at most a hint), no traceback."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 2 and "Traceback" not in err and "usage:" not in err, err
    assert "error: " in lines[0], err
    for needle in needles:
        assert needle in lines[0], err
    return lines[0]


@pytest.fixture
def db(tmp_path) -> Path:
    return make_db(tmp_path / "tweets.db", "newest", ROWS)


# -- no command writes over one of its inputs ------------------------------------------------


@pytest.mark.parametrize("how", ["same path", "symlink", "hard link", "dot-dot path"])
def test_build_out_over_the_database_is_refused(tmp_path, capsys, db, how):
    out = tmp_path / "model.txt"
    if how == "same path":
        out = db
    elif how == "symlink":
        out.symlink_to(db)
    elif how == "hard link":
        os.link(db, out)
    else:
        (tmp_path / "sub").mkdir()
        out = tmp_path / "sub" / ".." / db.name
    before, names = snapshot(db), listing(tmp_path)
    refused(capsys, ["build", "--db", str(db), "--out", str(out)], "--out", "--db", "own input")
    assert snapshot(db) == before and listing(tmp_path) == names
    assert sqlite3.connect(db).execute("SELECT count(*) FROM tweets").fetchone() == (30,)


@pytest.mark.parametrize(
    ("db_name", "needle"),
    [("model.valid.txt", "the validation file of --out"), ("model.report.json", "the report")],
)
def test_build_sibling_outputs_over_the_database_are_refused(tmp_path, capsys, db_name, needle):
    db = make_db(tmp_path / db_name, "newest", ROWS)
    before, names = snapshot(db), listing(tmp_path)
    argv = ["build", "--db", str(db), "--out", str(tmp_path / "model.txt")]
    refused(capsys, argv, needle, "--db")
    assert snapshot(db) == before and listing(tmp_path) == names


def test_build_out_that_is_a_folder_leaves_nothing_behind(tmp_path, capsys, db):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    names = listing(tmp_path)
    refused(capsys, ["build", "--db", str(db), "--out", str(folder)], "is a folder", "--out")
    assert listing(tmp_path) == names and (folder / "keep.txt").read_text() == "mine"


def test_build_still_writes_beside_the_database(tmp_path, capsys, db):
    """The check refuses overlaps only: an ordinary build next to the database works."""
    out = tmp_path / "model.txt"
    assert main(["build", "--db", str(db), "--out", str(out), "--quiet", "--percentile", "0"]) == 0
    assert out.read_text().count("\n") + (tmp_path / "model.valid.txt").read_text().count("\n")


@pytest.mark.parametrize("how", ["same path", "symlink", "hard link"])
def test_tokenizer_out_over_the_corpus_is_refused(tmp_path, capsys, how):
    corpus = write_corpus(tmp_path, valid=0)
    out = tmp_path / "tok.json"
    if how == "same path":
        out = corpus
    elif how == "symlink":
        out.symlink_to(corpus)
    else:
        os.link(corpus, out)
    before, names = snapshot(corpus), listing(tmp_path)
    argv = ["tokenizer", "--corpus", str(corpus), "--out", str(out), "--vocab-size", "300"]
    refused(capsys, argv, "--out", "--corpus")
    assert snapshot(corpus) == before and listing(tmp_path) == names


def train_case(folder: Path, case: str) -> tuple[list[str], str]:
    """``deepciso train`` arguments whose output overlaps an input, and the input's label."""
    corpus = write_corpus(folder / "data")
    out = folder / "trained_model"
    extra: list[str] = []
    label = "--corpus"
    if case == "out is the corpus":
        out = corpus
    elif case == "out holds the corpus":
        out = corpus.parent
    elif case == "out is the validation file":
        out, label = folder / "data" / "model.valid.txt", "the validation file of --corpus"
    elif case in ("out is the base model", "out inside the base model"):
        base = make_tiny_model_dir(folder / "base")
        out = base if case == "out is the base model" else base / "finetuned"
        extra, label = ["--base-model", str(base)], "--base-model"
    elif case == "out holds the tokenizer":
        tokenizer = out / "aitextgen.tokenizer.json"
        out.mkdir()
        assert main(["tokenizer", "--corpus", str(corpus), "--vocab-size", "300",
                     "--out", str(tokenizer)]) == 0  # fmt: skip
        extra, label = ["--tokenizer", str(tokenizer)], "--tokenizer"
    elif case == "run folder holds the corpus":
        extra = ["--run-dir", str(corpus.parent)]
    argv = tiny_args(corpus, out, *extra)
    if "--base-model" in extra:
        argv[argv.index("--preset") : argv.index("--preset") + 2] = []
    return argv, label


@pytest.mark.parametrize(
    "case",
    ["out is the corpus", "out holds the corpus", "out is the validation file",
     "out is the base model", "out inside the base model", "out holds the tokenizer",
     "run folder holds the corpus"],
)  # fmt: skip
def test_train_outputs_over_inputs_are_refused(tmp_path, capsys, case):
    argv, label = train_case(tmp_path, case)
    capsys.readouterr()
    before = tree_digest(tmp_path), listing(tmp_path)
    line = refused(capsys, argv, "own input", label)
    assert line.startswith("deepciso train: error:")
    assert (tree_digest(tmp_path), listing(tmp_path)) == before


def test_demo_fresh_never_deletes_the_current_folder(tmp_path, capsys, monkeypatch):
    (tmp_path / "precious.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    refused(capsys, ["demo", "--fresh", "--workdir", "."], "--workdir", "current folder")
    refused(capsys, ["demo", "--fresh", "--workdir", ".."], "holds the current folder")
    assert (tmp_path / "precious.txt").read_text() == "mine"


# -- a tweets table with texts that are not text -------------------------------------------


def untyped_db(path: Path, rows: list[tuple]) -> Path:
    """A tweets table without column types, so SQLite keeps integers and blobs as they are."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE tweets (id, tweet, screen_name, likes_count, retweets_count)")
    conn.executemany("INSERT INTO tweets VALUES (?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return path


def test_texts_that_are_not_utf8_text_are_skipped_and_counted(tmp_path, capsys):
    good = [(r["id"], r["text"], r["author"], r["likes"], r["retweets"]) for r in ROWS]
    bad = [
        (101, 12345, "user1", 99, 9), (102, None, "user1", 99, 9),
        (103, b"\x00\x01binary", "user2", 99, 9), (104, 3.5, "user2", 99, 9),
        (105, "to be broken", "user2", 99, 9), (106, "broken author name here ok", "x", 99, 9),
    ]  # fmt: skip
    db = untyped_db(tmp_path / "mixed.db", good + bad)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE tweets SET tweet = CAST(x'66ff6f' AS TEXT) WHERE id = 105")
    conn.execute("UPDATE tweets SET screen_name = CAST(x'75ff30' AS TEXT) WHERE id = 106")
    conn.commit()
    conn.close()
    with pytest.raises(sqlite3.OperationalError, match="decode"):  # what crashed the build
        sqlite3.connect(db).execute("SELECT tweet FROM tweets WHERE id = 105").fetchall()
    out = tmp_path / "model.txt"
    argv = ["build", "--db", str(db), "--out", str(out), "--percentile", "0", "--validation", "0"]
    assert main(argv) == 0, capsys.readouterr().err
    summary = capsys.readouterr().out
    report = json.loads((tmp_path / "model.report.json").read_text())
    assert report["removed"]["bad_text"] == 5
    assert "removed         5  bad_text" in summary
    lines = out.read_text().splitlines()
    assert len(lines) == 31 and "broken author name here ok" in lines
    assert report["rows_read"] == sum(report["removed"].values()) + report["kept_lines"]


def test_a_table_of_only_bad_texts_names_the_stage(tmp_path, capsys):
    db = untyped_db(tmp_path / "bad.db", [(1, 7, "a", 1, 0), (2, b"\xff", "b", 1, 0)])
    refused(capsys, ["build", "--db", str(db), "--out", str(tmp_path / "m.txt")], "bad_text")
    assert listing(tmp_path) == ["bad.db"]


# -- every numeric option is range-checked while parsing -----------------------------------


def test_every_numeric_option_has_a_checked_type():
    """A plain ``type=int`` or ``float`` accepts -8: every number uses commands.argtypes."""
    parser, _ = build_parser(PIPELINE_COMMANDS + BOT_COMMANDS)
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    unchecked = [
        f"{name} {'/'.join(action.option_strings)}"
        for name, sub in commands.choices.items()
        for action in sub._actions
        if action.type in (int, float)
    ]
    assert unchecked == []


BAD_NUMBERS = [
    ("train", "--n-embd", "-8"), ("train", "--learning-rate", "-1"),
    ("train", "--warmup-steps", "-1"), ("train", "--steps", "0"), ("train", "--batch-size", "0"),
    ("train", "--block-size", "0"), ("train", "--n-layer", "0"), ("train", "--n-head", "-2"),
    ("train", "--dropout", "1.5"), ("train", "--dropout", "1"), ("train", "--time-limit", "0"),
    ("train", "--min-lr-ratio", "2"), ("train", "--weight-decay", "-1"),
    ("train", "--grad-clip", "-0.5"), ("train", "--eval-every", "0"),
    ("train", "--eval-tokens", "0"), ("train", "--patience", "-1"), ("train", "--log-every", "0"),
    ("train", "--sample-every", "-1"), ("train", "--checkpoint-every", "0"),
    ("train", "--checkpoint-minutes", "0"), ("train", "--num-threads", "0"),
    ("train", "--vocab-size", "0"), ("train", "--session-steps", "0"), ("train", "--seed", "-1"),
    ("train", "--learning-rate", "nan"), ("train", "--steps", "3.5"), ("train", "--steps", "ten"),
    ("build", "--percentile", "101"), ("build", "--percentile", "-1"),
    ("build", "--min-words", "-1"), ("build", "--validation", "1.5"),
    ("build", "--validation", "1"), ("build", "--retweet-weight", "-1"),
    ("tokenizer", "--vocab-size", "0"),
    ("generate", "-n", "0"), ("generate", "--max-new-tokens", "0"),
    ("generate", "--temperature", "-1"), ("generate", "--top-p", "2"), ("generate", "--top-p", "0"),
    ("generate", "--top-k", "-1"), ("generate", "--repetition-penalty", "0"),
    ("generate", "--threads", "0"), ("generate", "--seed", "-1"),
    ("filter", "--threshold", "0"), ("filter", "--threshold", "1.01"),
    ("demo", "--minutes", "0"), ("demo", "--memes", "0"), ("bot", "--guild", "0"),
]  # fmt: skip
REQUIRED = {"build": ["--db", "x.db"]}


@pytest.mark.parametrize(("command", "option", "value"), BAD_NUMBERS)
def test_bad_numbers_are_refused_while_parsing(tmp_path, capsys, monkeypatch, command, option,
                                               value):  # fmt: skip
    monkeypatch.chdir(tmp_path)  # nothing may be written, wherever the command runs
    line = refused(capsys, [command, *REQUIRED.get(command, []), option, value], option)
    assert line.startswith(f"deepciso {command}: error: {option} must be ")
    assert value in line or value.lstrip("-") in line
    assert listing(tmp_path) == []


# -- a bad option value: at most 3 lines, no usage dump ------------------------------------


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["train", "--preset", "huge"], "--preset: invalid choice: 'huge'"),
        (["filter", "--target", "mastodon"], "--target: invalid choice"),
        (["generate", "--max-new-tokens", "many"], "--max-new-tokens must be a whole number"),
        (["build", "--input"], "--input: expected one argument"),
        (["build", "--db", "x.db", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["buidl"], "COMMAND: invalid choice: 'buidl'"),
    ],
)
def test_usage_errors_are_short(capsys, argv, needle):
    refused(capsys, argv, needle)


def test_usage_error_as_a_process():
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "train", "--preset", "huge"],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "deepciso train: error: --preset: invalid choice: 'huge' "
        "(choose from 'neo-125m', 'seed', 'small', 'tiny')",
        "see 'deepciso train --help'",
    ]
    assert result.stdout == ""


# -- text that is not UTF-8 ----------------------------------------------------------------


def test_prompt_that_is_not_utf8_in_process(capsys):
    # what Python puts in sys.argv for the byte \xff: a lone surrogate
    refused(capsys, ["generate", "--model", "nowhere", "--prompt", "\udcff"],
            "--prompt is not valid UTF-8")  # fmt: skip


def test_prompt_that_is_not_utf8_as_a_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "generate", "--model", str(tmp_path), "--prompt",
         b"caf\xe9 \xff"],
        capture_output=True, cwd=ROOT, check=False, timeout=120,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
    )  # fmt: skip
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert err.splitlines()[0].startswith("deepciso generate: error: --prompt is not valid UTF-8")
    assert "Traceback" not in err and len(err.splitlines()) == 2


def test_filter_skips_and_counts_lines_that_are_not_utf8(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    texts = tmp_path / "texts.txt"
    texts.write_bytes(b"a perfectly fine meme about patch tuesday\n\xff\xfe bad\nanother one ok\n")
    assert main(["filter", str(texts)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "PASS 1: a perfectly fine meme about patch tuesday",
        "SKIP 2: not valid UTF-8 text; convert the input to UTF-8",
        "PASS 3: another one ok",
    ]
    assert "2 checked, 2 passed, 0 rejected, 1 skipped (not valid UTF-8" in err
    assert "Traceback" not in err


def test_filter_reads_undecodable_stdin_as_a_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "filter", "--jsonl"],
        input=b"\xc3\x28 broken\na perfectly fine meme about patch tuesday\n",
        capture_output=True, cwd=tmp_path, check=False, timeout=120,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    first, second = (json.loads(line) for line in result.stdout.decode().splitlines())
    assert first == {"line": 1, "passed": False,
                     "skipped": "not valid UTF-8 text; convert the input to UTF-8"}  # fmt: skip
    assert second["line"] == 2 and second["passed"] is True
    assert b"1 skipped" in result.stderr and b"Traceback" not in result.stderr


def test_console_answers_an_undecodable_line_and_goes_on(tmp_path):
    from bot.console import NOT_UTF8, run_console
    from tests.fixtures_bot import bot_settings, tiny_model

    settings = bot_settings(tiny_model(tmp_path / "trained_model"), discord_token=None)
    raw = b"\xff\xfe oops\nzero trust\n/quit\n"
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    out = io.StringIO()
    assert asyncio.run(run_console(settings, stdin, out)) == 0
    _banner, *replies = out.getvalue().split("\n> ")
    assert replies[0].strip() == NOT_UTF8
    assert replies[1].startswith("zero trust")


def test_console_process_survives_an_undecodable_stdin_line(tmp_path):
    from bot.console import NOT_UTF8
    from tests.fixtures_bot import tiny_model

    env_file = tmp_path / "console.env"
    env_file.write_text(f"MODEL_DIR={tiny_model(tmp_path / 'trained_model')}\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--console", "--env-file", str(env_file)],
        cwd=ROOT, input=b"\xff\xfe oops\nlog4j called\n", capture_output=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "DEEPCISO_LOG_LEVEL": "WARNING",
             "LANG": "C.UTF-8"},
    )  # fmt: skip
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, err
    assert NOT_UTF8 in out and "> log4j called" in out and "Traceback" not in err
