"""``deepciso demo``, the README's main-job command, on a short budget (tiny preset)."""

from __future__ import annotations

import json

from bot.cli import main
from bot.posting.ledger import Ledger


def run_demo(capsys, workdir, *extra: str) -> str:
    args = ["demo", "--workdir", str(workdir), "--minutes", "0.05", "--preset", "tiny"]
    assert main([*args, "--memes", "1", *extra]) == 0
    return capsys.readouterr().out


def test_demo_runs_every_step_offline_then_reuses_them(tmp_path, capsys):
    workdir = tmp_path / "demo"
    out = run_demo(capsys, workdir)
    for step in ("1. sample Twint database", "2. corpus", "3. byte-level BPE tokenizer",
                 "4. model", "5. memes", "6. one scheduled post, as a dry run"):  # fmt: skip
        assert step in out
    assert (workdir / "trained_model" / "model.safetensors").exists()
    assert (workdir / "runs" / "trained_model" / "loss.png").exists()
    assert json.loads((workdir / "model.report.json").read_text())["kept_lines"] > 1000
    assert "would post to Discord #memes:" in out and "would post to X" in out
    assert "deepciso bot --sync" in out  # how to go live

    ledger = Ledger(workdir / "demo-ledger.db")
    try:
        (slot,) = ledger.slots()
        statuses = {d.target: d.status for d in ledger.deliveries(slot.id)}
    finally:
        ledger.close()
    assert statuses == {"discord:0": "posted", "x": "posted"}

    again = run_demo(capsys, workdir)
    assert again.count("reusing") == 4  # database, corpus, tokenizer, model
    fresh = run_demo(capsys, workdir, "--fresh")
    assert "reusing" not in fresh
