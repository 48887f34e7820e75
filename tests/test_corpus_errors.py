"""Bad input to ``deepciso build``: one line naming the file, exit 2, no traceback, no output."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.fixtures_twint import make_db

GOOD_ROW = {"id": 1, "author": "a", "text": "a perfectly fine tweet here", "likes": 1,
            "retweets": 0}  # fmt: skip


def run_build(capsys, db: Path, out: Path, *extra: str) -> tuple[int, str]:
    status = main(["build", "--db", str(db), "--out", str(out), "--quiet", *extra])
    return status, capsys.readouterr().err


def assert_one_line_error(status: int, err: str, *needles: str) -> None:
    """One error line; a refused option value may add one "see 'deepciso build --help'" line."""
    assert status == 2
    first, *rest = err.splitlines()
    assert rest in ([], ["see 'deepciso build --help'"]) and "Traceback" not in err, err
    for needle in needles:
        assert needle in first, err


def test_missing_database(tmp_path, capsys):
    out = tmp_path / "model.txt"
    status, err = run_build(capsys, tmp_path / "nope.db", out)
    assert_one_line_error(status, err, "nope.db", "no such file")
    assert not out.exists()


def test_not_a_sqlite_file(tmp_path, capsys):
    db = tmp_path / "tweets.db"
    db.write_text("id,tweet\n1,hello\n")
    status, err = run_build(capsys, db, tmp_path / "model.txt")
    assert_one_line_error(status, err, "tweets.db", "not a SQLite database")


def test_sqlite_without_tweets_table(tmp_path, capsys):
    db = tmp_path / "other.db"
    sqlite3.connect(db).execute("CREATE TABLE users (id integer)").connection.commit()
    status, err = run_build(capsys, db, tmp_path / "model.txt")
    assert_one_line_error(status, err, "other.db", "no 'tweets' table")


def test_tweets_table_missing_columns(tmp_path, capsys):
    db = tmp_path / "partial.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE tweets (id integer, tweet text, screen_name text)")
    conn.commit()
    status, err = run_build(capsys, db, tmp_path / "model.txt")
    assert_one_line_error(status, err, "partial.db", "likes_count", "retweets_count")


def test_empty_table(tmp_path, capsys):
    db = make_db(tmp_path / "empty.db", "newest", [])
    status, err = run_build(capsys, db, tmp_path / "model.txt")
    assert_one_line_error(status, err, "empty.db", "is empty")


def test_everything_filtered_names_the_stage(tmp_path, capsys):
    db = make_db(tmp_path / "short.db", "newest", [GOOD_ROW])
    out = tmp_path / "model.txt"
    status, err = run_build(capsys, db, out, "--min-words", "10")
    assert_one_line_error(status, err, "short.db", "too_short", "--min-words")
    assert not out.exists()


def test_failed_build_keeps_the_previous_corpus(tmp_path, capsys):
    db = make_db(tmp_path / "t.db", "newest", [GOOD_ROW])
    out = tmp_path / "model.txt"
    out.write_text("the previous corpus\n")
    status, _ = run_build(capsys, db, out, "--language", "xx")
    assert status == 2
    assert out.read_text() == "the previous corpus\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.txt", "t.db"]


def test_unwritable_output(tmp_path, capsys):
    db = make_db(tmp_path / "t.db", "newest", [GOOD_ROW])
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    status, err = run_build(capsys, db, blocker / "model.txt")
    assert_one_line_error(status, err, "a-file", "cannot write")


@pytest.mark.parametrize(
    "args, needle",
    [(["--percentile", "120"], "--percentile"), (["--min-words", "0"], "--min-words"),
     (["--since", "2020-02-01", "--until", "2020-01-01"], "--since"),
     (["--validation", "1.5"], "--validation")],
)  # fmt: skip
def test_impossible_options(tmp_path, capsys, args, needle):
    db = make_db(tmp_path / "t.db", "newest", [GOOD_ROW])
    status, err = run_build(capsys, db, tmp_path / "m.txt", *args)
    assert_one_line_error(status, err, needle)


def test_date_filter_without_time_columns(tmp_path, capsys):
    db = tmp_path / "notime.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE tweets (id, tweet, screen_name, likes_count, retweets_count)")
    conn.execute("INSERT INTO tweets VALUES (1, 'a perfectly fine tweet here', 'a', 1, 0)")
    conn.commit()
    status, err = run_build(capsys, db, tmp_path / "m.txt", "--since", "2020-01-01")
    assert_one_line_error(status, err, "notime.db", "time column")


def test_subprocess_exit_status_and_stderr(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--db", str(tmp_path / "missing.db")],
        capture_output=True, text=True, cwd=Path(__file__).parents[1], check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().startswith("deepciso build: error:")
    assert "Traceback" not in result.stderr
