"""Data-parallel training under torchrun: 2 CPU processes (gloo) stay in step."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.fixtures_train import tiny_args, write_corpus

ROOT = Path(__file__).resolve().parents[1]


def test_two_cpu_processes_train_one_model(tmp_path):
    corpus = write_corpus(tmp_path)
    out = tmp_path / "trained_model"
    args = tiny_args(corpus, out, "--device", "cpu", steps=6)
    args[args.index("WARNING")] = "INFO"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
        "-m", "pipeline", *args,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    sums = dict(re.findall(r"rank (\d)/2: parameter checksum (\S+)", done.stderr))
    assert set(sums) == {"0", "1"}, done.stderr[-3000:]
    assert sums["0"] == sums["1"]  # DDP averaged the gradients: identical weights
    assert "batch 4 x 2 process(es)" in done.stderr
    info = json.loads((out / "deepciso.json").read_text())
    assert info["tokens"] == 6 * 4 * 32 * 2  # steps x batch x block x processes
