"""Ctrl-C checkpoints and exits 130; kill -9 in the middle of saving never breaks a save."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.cli import main
from pipeline.train.checkpoint import load_state
from tests.fixtures_train import tiny_args, write_corpus

ROOT = Path(__file__).resolve().parents[1]


def start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for(condition, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def logged_steps(run_dir: Path) -> int:
    try:
        with open(run_dir / "log.csv", newline="") as handle:
            return max((int(row["step"]) for row in csv.DictReader(handle)), default=0)
    except (FileNotFoundError, KeyError, ValueError):
        return 0


def test_ctrl_c_saves_a_checkpoint_that_resumes(tmp_path):
    corpus = write_corpus(tmp_path)
    out, run_dir = tmp_path / "trained_model", tmp_path / "runs" / "trained_model"
    args = tiny_args(corpus, out, "--checkpoint-every", "100000", steps=100000)
    process = start(args)
    wait_for(lambda: logged_steps(run_dir) >= 4, process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err[-2000:]
    assert err.strip().splitlines()[-1] == "deepciso train: interrupted"
    assert "Traceback" not in err
    state = load_state(run_dir / "checkpoint.pt")
    stopped_at = state["step"]
    assert stopped_at >= 4 and state["data_position"] == stopped_at * 4
    assert main([*args, "--resume", "--session-steps", "2"]) == 0
    assert load_state(run_dir / "checkpoint.pt")["step"] == stopped_at + 2


def test_kill_9_while_saving_leaves_loadable_saves(tmp_path):
    from transformers import AutoModelForCausalLM

    corpus = write_corpus(tmp_path)
    out, run_dir = tmp_path / "trained_model", tmp_path / "runs" / "trained_model"
    args = tiny_args(corpus, out, "--eval-every", "1", "--checkpoint-every", "1", steps=100000)
    process = start([*args, "--learning-rate", "1e-2"])  # improves often: saves the model often
    wait_for(lambda: logged_steps(run_dir) >= 6, process)
    time.sleep(0.37)
    process.kill()
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    AutoModelForCausalLM.from_pretrained(out)
    assert (out / "deepciso.json").is_file() and (out / "aitextgen.tokenizer.json").is_file()
    assert load_state(run_dir / "checkpoint.pt")["step"] >= 5
