"""deepciso train on the tiny preset: the model folder, logs, schedule, resume, fine-tuning."""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path

import pytest
import torch

from bot.cli import main
from pipeline.train.data import BlockSampler, ValidationSet, pack
from pipeline.train.schedule import learning_rate
from tests.fixtures_train import save_hf_base_model, tiny_args, write_corpus

METADATA_KEYS = {
    "format", "preset", "base_model", "corpus", "corpus_sha256", "steps", "tokens",
    "val_loss_nats", "val_bits_per_byte", "trained_at", "tokenizer",
}  # fmt: skip


def read_log(run_dir: Path) -> list[dict[str, str]]:
    with open(run_dir / "log.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_train_writes_a_loadable_self_contained_model(tmp_path):
    from transformers import AutoModelForCausalLM

    corpus = write_corpus(tmp_path)
    out = tmp_path / "trained_model"
    assert main(tiny_args(corpus, out, steps=18)) == 0
    assert {p.name for p in out.iterdir()} == {
        "config.json", "model.safetensors", "generation_config.json",
        "aitextgen.tokenizer.json", "deepciso.json",
    }  # fmt: skip
    model = AutoModelForCausalLM.from_pretrained(out)
    assert model.config.bos_token_id == model.config.eos_token_id == 0
    info = json.loads((out / "deepciso.json").read_text())
    assert set(info) == METADATA_KEYS
    assert info["preset"] == "tiny" and info["tokenizer"] == "aitextgen.tokenizer.json"
    rows = read_log(tmp_path / "runs" / "trained_model")
    val = [(int(r["step"]), float(r["val_loss"])) for r in rows if r["val_loss"]]
    assert [step for step, _ in val] == [6, 12, 18]
    best_step, best_loss = min(val, key=lambda item: item[1])
    assert info["steps"] == best_step and info["val_loss_nats"] == pytest.approx(
        best_loss, abs=1e-4
    )
    assert val[-1][1] < val[0][1]  # it learns
    train_rows = [r for r in rows if r["train_loss"]]
    assert len(train_rows) == 9 and all(float(r["tokens_per_s"]) > 0 for r in train_rows)
    assert (tmp_path / "runs" / "trained_model" / "loss.png").read_bytes()[:4] == b"\x89PNG"
    # bits per byte agrees with nats per token and the validation text's bytes per token
    assert info["val_bits_per_byte"] < info["val_loss_nats"] / math.log(2)


def test_train_alone_works_after_build(tmp_path, monkeypatch):
    """Defaults: model.txt -> trained_model/, the tokenizer made on the fly when missing."""
    write_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = ["train", "--preset", "tiny", "--steps", "3", "--eval-tokens", "256"]
    assert main(args) == 0
    assert (tmp_path / "aitextgen.tokenizer.json").is_file()
    assert (tmp_path / "trained_model" / "model.safetensors").is_file()
    assert (tmp_path / "runs" / "trained_model" / "checkpoint.pt").is_file()


def test_resumed_run_matches_an_uninterrupted_one(tmp_path):
    corpus = write_corpus(tmp_path)
    whole, split = tmp_path / "whole", tmp_path / "split"
    common = ["--dropout", "0.1", "--steps", "16"]
    assert main(tiny_args(corpus, whole, *common)) == 0
    assert main(tiny_args(corpus, split, *common, "--session-steps", "8")) == 0
    first = read_log(tmp_path / "runs" / "split")
    assert int(first[-1]["step"]) == 8
    assert main(tiny_args(corpus, split, *common, "--resume")) == 0
    expected, resumed = read_log(tmp_path / "runs" / "whole"), read_log(tmp_path / "runs" / "split")
    for column in ("step", "tokens", "lr"):
        assert [r[column] for r in resumed] == [r[column] for r in expected]
    for column in ("train_loss", "val_loss"):
        got = [float(r[column]) for r in resumed if r[column]]
        want = [float(r[column]) for r in expected if r[column]]
        assert got == pytest.approx(want, rel=1e-5)
    assert json.loads((split / "deepciso.json").read_text())["val_loss_nats"] == pytest.approx(
        json.loads((whole / "deepciso.json").read_text())["val_loss_nats"], rel=1e-5
    )


def test_early_stopping_keeps_the_best_model(tmp_path):
    corpus = write_corpus(tmp_path)
    out = tmp_path / "m"
    # 1e-30 cannot move fp32 weights (0 is refused), so validation never improves
    args = tiny_args(corpus, out, "--learning-rate", "1e-30", "--patience", "2", steps=60)
    assert main(args) == 0
    rows = read_log(tmp_path / "runs" / "m")
    assert int(rows[-1]["step"]) == 18  # 3 validations: the best, then 2 without improvement
    assert json.loads((out / "deepciso.json").read_text())["steps"] == 6


def test_bf16_autocast_on_cpu(tmp_path):
    corpus = write_corpus(tmp_path)
    out = tmp_path / "bf16"
    assert main(tiny_args(corpus, out, "--precision", "bf16", steps=4)) == 0
    assert json.loads((out / "deepciso.json").read_text())["val_loss_nats"] > 0


def test_fine_tune_a_pretrained_model_with_its_own_tokenizer(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    corpus = write_corpus(tmp_path)
    base = save_hf_base_model(tmp_path / "base", corpus.read_text().splitlines())
    out = tmp_path / "tuned"
    args = tiny_args(corpus, out, "--base-model", str(base), steps=6)
    args.remove("--preset"), args.remove("tiny")
    assert main(args) == 0
    info = json.loads((out / "deepciso.json").read_text())
    assert info["base_model"] == str(base) and info["preset"] is None
    assert info["tokenizer"] == "tokenizer.json"
    tuned = AutoModelForCausalLM.from_pretrained(out)
    assert tuned.config.model_type == "gpt_neo"
    original = AutoModelForCausalLM.from_pretrained(base)
    changed = any(
        not torch.equal(a, b)
        for a, b in zip(tuned.parameters(), original.parameters(), strict=True)
    )
    assert changed
    assert AutoTokenizer.from_pretrained(out).eos_token == "<|endoftext|>"


def test_continue_training_our_own_model(tmp_path):
    """A model folder we wrote (aitextgen.tokenizer.json inside) is a valid --base-model."""
    corpus = write_corpus(tmp_path)
    first = tmp_path / "first"
    assert main(tiny_args(corpus, first, steps=6)) == 0
    args = tiny_args(corpus, tmp_path / "second", "--base-model", str(first), steps=6)
    args.remove("--preset"), args.remove("tiny")
    assert main(args) == 0
    info = json.loads((tmp_path / "second" / "deepciso.json").read_text())
    assert info["tokenizer"] == "aitextgen.tokenizer.json"
    assert (
        info["val_loss_nats"] < json.loads((first / "deepciso.json").read_text())["val_loss_nats"]
    )


def test_schedule_warms_up_then_decays_over_the_plan():
    kwargs = {"peak": 1e-3, "warmup_steps": 10, "min_ratio": 0.1}
    assert learning_rate(0, 0.0, **kwargs) == pytest.approx(1e-4)
    assert learning_rate(9, 0.009, **kwargs) == pytest.approx(1e-3)
    steps = 1000
    lrs = [learning_rate(s, s / steps, **kwargs) for s in range(10, steps + 1)]
    assert lrs[0] == pytest.approx(1e-3, rel=1e-3)
    assert all(a >= b for a, b in itertools.pairwise(lrs))
    assert lrs[len(lrs) // 2] == pytest.approx(5.5e-4, rel=0.02)
    assert lrs[-1] == pytest.approx(1e-4)


def test_packing_separates_documents_and_covers_each_block_once_an_epoch():
    stream = pack([[5, 6], [7], [8, 9, 10]], eos_id=0)
    assert stream.tolist() == [0, 5, 6, 0, 7, 0, 8, 9, 10, 0]
    sampler = BlockSampler(torch.arange(101), block_size=10, batch_size=2, seed=3)
    starts = []
    for _ in range(5):
        inputs, targets = sampler.batch()
        assert torch.equal(inputs[:, 1:], targets[:, :-1]) and inputs.shape == (2, 10)
        starts += inputs[:, 0].tolist()
    assert sorted(starts) == list(range(0, 100, 10))
    fresh = BlockSampler(torch.arange(101), block_size=10, batch_size=2, seed=3)
    for _ in range(3):
        fresh.batch()
    replay = BlockSampler(torch.arange(101), block_size=10, batch_size=2, seed=3)
    replay.position = fresh.position  # what a checkpoint restores
    for _ in range(4):  # into the next epoch, reshuffled
        assert torch.equal(replay.batch()[0], fresh.batch()[0])
    # two processes split one global batch between them, without overlap
    a = BlockSampler(torch.arange(101), 10, 2, seed=3)
    b = BlockSampler(torch.arange(101), 10, 2, seed=3)
    both = a.batch(0, 2)[0][:, 0].tolist() + b.batch(1, 2)[0][:, 0].tolist()
    assert len(set(both)) == 4 and a.position == b.position == 4


def test_bits_per_byte_uses_the_validation_texts_bytes():
    lines = ["héllo", "ab"]  # 6 + 1 and 2 + 1 bytes
    valid = ValidationSet.build(lines, [[1, 2, 3], [4]], eos_id=0, block_size=4, max_tokens=100)
    assert valid.tokens == 6 and valid.bytes_per_token == pytest.approx(10 / 6)
    assert valid.bits_per_byte(math.log(2)) == pytest.approx(6 / 10)
    assert [len(block) for block in valid.blocks] == [5, 3]


@pytest.mark.parametrize(
    ("preset", "model_type", "width", "layers"),
    [("tiny", "gpt2", 32, 2), ("small", "gpt2", 256, 4), ("seed", "gpt2", 256, 8),
     ("neo-125m", "gpt_neo", 768, 12)],
)  # fmt: skip
def test_presets_build_the_architectures_they_name(preset, model_type, width, layers):
    from pipeline.train.config import PRESETS, TrainConfig
    from pipeline.train.model import scratch_config

    config = scratch_config(PRESETS[preset], TrainConfig(block_size=64), 8000, 0)
    assert config.model_type == model_type
    assert (config.hidden_size, config.num_hidden_layers) == (width, layers)
    assert config.bos_token_id == config.eos_token_id == 0 and config.vocab_size == 8000
    if model_type == "gpt_neo":
        assert config.attention_layers == ["global", "local"] * 6


def test_resume_keeps_the_runs_settings_unless_given(tmp_path, monkeypatch):
    """`deepciso train --resume` alone, elsewhere: the run's corpus, intervals and sizes."""
    corpus = write_corpus(tmp_path / "data")
    out = tmp_path / "m"
    assert main(tiny_args(corpus, out, "--session-steps", "4", steps=8)) == 0
    monkeypatch.chdir(tmp_path)  # no model.txt here: the run's own corpus path is used
    assert main(["--log-level", "WARNING", "train", "--out", "m", "--resume"]) == 0
    rows = read_log(tmp_path / "runs" / "m")
    assert [int(r["step"]) for r in rows if r["train_loss"]] == [2, 4, 6, 8]  # --log-every 2 kept
    assert json.loads((out / "deepciso.json").read_text())["tokens"] == 8 * 4 * 32
