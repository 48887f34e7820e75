"""``deepciso filter``: texts from a file or stdin, per-line verdicts, errors as one line."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from bot.cli import main
from tests.fixtures_filter import LONG_TEXT, write_lines

TEXTS = [
    "hello @bob the market is up today",
    "what the f*ck",
    "",
    "@everyone https://discord.gg/x",
    "$aapl to the moon to the moon to the moon to the moon",
]


@pytest.fixture
def texts_file(tmp_path):
    return write_lines(tmp_path / "texts.txt", TEXTS)


def test_plain_output_per_line_with_reasons(texts_file, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["filter", str(texts_file)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "PASS 1: hello the market is up today",
        "FAIL 2: what the f*ck",
        "     profanity: blocked word 'f*ck'",
        "FAIL 4: @everyone https://discord.gg/x",
        "     pings_or_links: no words left without '@everyone', 'https://discord.gg/x'",
        "FAIL 5: $aapl to the moon to the moon to the moon to the moon",
        "     degenerate: 'to the moon' repeats 4 times in a row",
    ]
    assert "4 checked, 1 passed, 3 rejected" in err


def test_jsonl_from_stdin_with_target_x(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    long_text = LONG_TEXT
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{TEXTS[0]}\n{long_text}\n"))
    assert main(["filter", "--jsonl", "--target", "x"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[0] == {
        "line": 1,
        "text": TEXTS[0],
        "passed": True,
        "cleaned": "hello the market is up today",
        "reasons": [],
    }
    assert records[1]["passed"] is False
    assert records[1]["reasons"][0].startswith("too_long: weighted length")


def test_corpus_and_overrides(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    corpus = write_lines(tmp_path / "model.txt", ["the printer is still the biggest threat today"])
    blocked = write_lines(tmp_path / "blocked.txt", ["stonks"])
    texts = write_lines(
        tmp_path / "t.txt",
        ["The printer is still the biggest threat today!", "stonks only go up", "see x.com now ok"],
    )
    argv = ["filter", str(texts), "--jsonl", "--corpus", str(corpus), "--links", "reject"]
    assert main([*argv, "--blocked-words", str(blocked)]) == 0
    reasons = [json.loads(line)["reasons"] for line in capsys.readouterr().out.splitlines()]
    assert reasons[0][0].startswith("copies_training:")
    assert reasons[1] == ["profanity: blocked word 'stonks'"]
    assert reasons[2][0].startswith("pings_or_links: contains 'x.com'")


def test_settings_come_from_dotenv_and_the_environment_wins(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DEEPCISO_FILTER_MIN_CHARS=40\nDEEPCISO_FILTER_LINKS=reject\n")
    monkeypatch.setenv("DEEPCISO_FILTER_LINKS", "remove")
    texts = write_lines(tmp_path / "t.txt", ["a meme of medium length @bob"])
    assert main(["filter", str(texts), "--jsonl"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert record["reasons"] == ["too_short: 23 characters, fewer than 40"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["filter", "missing.txt"], "missing.txt does not exist"),
        (["filter", "."], ". is a folder"),
        (["filter", "t.txt", "--threshold", "1.5"], "--threshold must be in (0, 1], not 1.5"),
        (["filter", "t.txt", "--corpus", "nope.txt"], "corpus nope.txt does not exist"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    write_lines(tmp_path / "t.txt", ["a text to check"])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") <= 2 and "Traceback" not in err


def test_bad_env_value_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEEPCISO_FILTER_MAX_REPEATS", "lots")
    assert main(["filter", str(write_lines(tmp_path / "t.txt", ["text"]))]) == 2
    assert "DEEPCISO_FILTER_MAX_REPEATS='lots' is not a valid value" in capsys.readouterr().err


def test_runs_as_a_module_from_stdin(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "filter", "-"],
        input="a perfectly fine meme about patch tuesday\nsh1t\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parents[1])},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "PASS 1: a perfectly fine meme about patch tuesday"
    assert done.stdout.splitlines()[1] == "FAIL 2: sh1t"
