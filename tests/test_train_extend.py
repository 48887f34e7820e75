"""deepciso train --resume with a larger --steps or a new --time-limit: the run goes on, the
learning rate re-planned from where it is to the new end, without a jump."""

from __future__ import annotations

import itertools
import json

import pytest
import torch

from bot.cli import main
from tests.fixtures_train import tiny_args, write_corpus
from tests.test_train_run import read_log

PEAK = 2e-3  # the tiny preset's (from-scratch) default
FLOOR = 0.1 * PEAK  # --min-lr-ratio 0.1


def lrs(rows: list[dict[str, str]]) -> list[tuple[int, float]]:
    return [(int(r["step"]), float(r["lr"])) for r in rows if r["train_loss"]]


def checkpoint(run_dir) -> dict:
    return torch.load(run_dir / "checkpoint.pt", map_location="cpu", weights_only=False)


def test_extending_a_finished_run(tmp_path):
    corpus = write_corpus(tmp_path)
    out, run_dir = tmp_path / "m", tmp_path / "runs" / "m"
    assert main(tiny_args(corpus, out, steps=12)) == 0
    first = json.loads((out / "deepciso.json").read_text())
    assert first["steps"] == 12
    assert main(tiny_args(corpus, out, "--resume", steps=24)) == 0
    rows = read_log(run_dir)
    steps = [step for step, _ in lrs(rows)]
    assert steps == list(range(2, 25, 2))  # the first run's rows kept, the new ones after
    before, after = [lr for s, lr in lrs(rows) if s <= 12], [lr for s, lr in lrs(rows) if s > 12]
    assert FLOOR < before[-1] < 1.2 * FLOOR  # the last step of a finished run: near the floor
    assert after == pytest.approx([FLOOR] * len(after), rel=1e-4)  # and stays there: no jump
    val = [(int(r["step"]), float(r["val_loss"])) for r in rows if r["val_loss"]]
    assert [step for step, _ in val] == [6, 12, 18, 24]
    extended = json.loads((out / "deepciso.json").read_text())
    assert extended["steps"] > 12 and extended["val_loss_nats"] < first["val_loss_nats"]
    state = checkpoint(run_dir)
    assert state["step"] == 24 and state["tokens"] == 24 * 4 * 32
    assert state["config"]["steps"] == 24 and state["config"]["time_limit"] is None
    assert state["plan"]["from_step"] == 12 and state["plan"]["from_progress"] == 1.0


def test_extending_an_interrupted_run_goes_on_down_the_cosine(tmp_path):
    """Stopped half-way through 16 steps, then planned for 32: the rate goes on from its value
    at step 8 down to the floor at step 32, smoothly."""
    corpus = write_corpus(tmp_path)
    out, run_dir = tmp_path / "m", tmp_path / "runs" / "m"
    assert main(tiny_args(corpus, out, "--session-steps", "8", steps=16)) == 0
    assert main(tiny_args(corpus, out, "--resume", "--session-steps", "100", steps=32)) == 0
    rates = lrs(read_log(run_dir))
    assert [step for step, _ in rates] == list(range(2, 33, 2))
    values = [lr for _, lr in rates]
    after_warmup = values[1:]  # --warmup-steps 2: the row at step 2 is its last warmup step
    assert all(a >= b for a, b in itertools.pairwise(after_warmup))
    # no jump at the seam: the step across it is no larger than the steps just before it
    seam = [step for step, _ in rates].index(8)
    drops = [a - b for a, b in itertools.pairwise(after_warmup)]
    assert values[seam] - values[seam + 1] <= max(drops[: seam - 1]) * 1.01
    # the longer plan decays more slowly than the original one would have
    assert values[-1] == pytest.approx(FLOOR, rel=0.02)
    assert rates[seam + 4][1] > FLOOR * 1.5
    state = checkpoint(run_dir)
    assert (state["step"], state["plan"]["from_step"], state["plan"]["steps"]) == (32, 8, 32)


def test_a_new_time_limit_lets_the_clock_end_the_run(tmp_path):
    corpus = write_corpus(tmp_path)
    out, run_dir = tmp_path / "m", tmp_path / "runs" / "m"
    assert main(tiny_args(corpus, out, steps=6)) == 0
    trained = checkpoint(run_dir)["train_seconds"]
    minutes = f"{(trained + 1.0) / 60:.6f}"  # about one more second of training
    assert main(tiny_args(corpus, out, "--resume", "--time-limit", minutes, steps=6)) == 0
    state = checkpoint(run_dir)
    assert state["step"] > 6 and state["train_seconds"] >= float(minutes) * 60
    assert state["config"]["time_limit"] == float(minutes)
    rates = [lr for step, lr in lrs(read_log(run_dir)) if step > 6]
    assert rates and rates == pytest.approx([FLOOR] * len(rates), rel=1e-4)
