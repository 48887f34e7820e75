"""``deepciso generate`` end to end, in-process through ``bot.cli.main`` and once as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from pipeline.commands.generate import SEPARATOR
from tests.fixtures_generate import make_memorized_model_dir
from tests.fixtures_model import SAMPLE_LINES

LINE = "log4j called and it wants its weekend back"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return make_memorized_model_dir(tmp_path_factory.mktemp("mem") / "trained_model")


def run_cli(capsys, *argv):
    status = main(["generate", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def test_prints_n_outputs_separated(model_dir, capsys):
    status, out, _ = run_cli(
        capsys, "--model", model_dir, "-n", 3, "--prompt", "log4j called", "--temperature", 0
    )
    assert status == 0
    assert out.split("\n") == [LINE, SEPARATOR, LINE, SEPARATOR, LINE, ""]


def test_jsonl_records_carry_their_parameters(model_dir, capsys):
    status, out, _ = run_cli(
        capsys,
        "--model", model_dir,
        "-n", 2,
        "--prompt", "log4j called",
        "--prompt", "mfa fatigue",
        "--seed", 11,
        "--max-new-tokens", 30,
        "--no-prompt-in-output",
        "--jsonl",
    )  # fmt: skip
    assert status == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["prompt"], r["number"]) for r in records] == [
        ("log4j called", 0),
        ("log4j called", 1),
        ("mfa fatigue", 0),
        ("mfa fatigue", 1),
    ]
    first = records[0]
    assert first["seed"] == 11 and first["max_new_tokens"] == 30
    assert first["include_prompt"] is False and first["int8"] is False
    assert first["model"] == str(model_dir)
    assert all(r["text"] and not r["text"].startswith(r["prompt"]) for r in records)


def test_same_seed_prints_the_same(model_dir, capsys):
    argv = ("--model", model_dir, "-n", 4, "--seed", 3, "--temperature", 1.5)
    assert run_cli(capsys, *argv)[1] == run_cli(capsys, *argv)[1]


def test_more_outputs_than_one_batch_run_in_batches(model_dir, capsys):
    status, out, err = run_cli(capsys, "--model", model_dir, "-n", 70, "--seed", 1, "--jsonl")
    assert status == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 70
    assert {r["seed"] for r in records} == {1, 2}  # two batches, each its own seed
    assert "generating" in err  # progress bar
    assert sum(r["text"] in SAMPLE_LINES for r in records) > 35


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--model", "no_such_folder"), "no such model folder"),
        (("-n", 0), "-n must be at least 1"),
        (("--top-p", 2), "--top-p must be in (0, 1], not 2"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(model_dir, capsys, argv, message):
    status, out, err = run_cli(capsys, "--model", model_dir, *argv)
    assert status == 2
    assert out == ""
    first, *hint = err.strip().splitlines()  # a value refused while parsing adds a hint line
    assert message in first and hint in ([], ["see 'deepciso generate --help'"])


def test_runs_as_a_process_with_int8(model_dir, tmp_path):
    command = ["generate", "--model", str(model_dir), "--prompt", "log4j called"]
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", *command, "--temperature", "0", "--int8"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == LINE + "\n"
    assert "Traceback" not in result.stderr
