"""deepciso train --base-model ... --lora-rank R: adapters trained with peft, merged on save
into a plain model folder that transformers and our Generator load like any other."""

from __future__ import annotations

import json

import pytest
import torch

from bot.cli import main
from pipeline.generate.generator import Generator, SamplingSettings
from pipeline.train import lora
from pipeline.train.model import from_config_dict
from tests.fixtures_train import save_hf_base_model, tiny_args, write_corpus

# per architecture: an adapted projection, as named in the base model's state dict
ADAPTED = {
    "gpt2": "transformer.h.0.attn.c_attn.weight",
    "gpt_neo": "transformer.h.0.attn.attention.q_proj.weight",
    "llama": "model.layers.0.mlp.down_proj.weight",
}


def lora_args(corpus, base, out, *extra: str) -> list[str]:
    args = tiny_args(corpus, out, "--base-model", str(base), "--lora-rank", "4", *extra, steps=12)
    args.remove("--preset"), args.remove("tiny")
    return args


@pytest.mark.parametrize("architecture", sorted(ADAPTED))
def test_lora_saves_a_plain_folder_equal_to_the_merged_model(tmp_path, architecture):
    from transformers import AutoModelForCausalLM

    corpus = write_corpus(tmp_path)
    base = save_hf_base_model(tmp_path / "base", corpus.read_text().splitlines(), architecture)
    out = tmp_path / "tuned"
    assert main(lora_args(corpus, base, out, "--learning-rate", "1e-2")) == 0
    from safetensors import safe_open

    names = {p.name for p in out.iterdir()}
    assert "model.safetensors" in names and not any("adapter" in name for name in names)
    with safe_open(str(out / "model.safetensors"), framework="pt") as saved:
        keys = saved.keys()  # a safetensors handle, not a dict
        assert not [key for key in keys if "lora_" in key or "base_layer" in key]
    info = json.loads((out / "deepciso.json").read_text())
    assert (info["lora_rank"], info["lora_alpha"], info["base_model"]) == (4, 8.0, str(base))

    tuned = AutoModelForCausalLM.from_pretrained(out)
    original = AutoModelForCausalLM.from_pretrained(base)
    weights, before = tuned.state_dict(), original.state_dict()
    assert set(weights) == set(before)  # no lora_A / lora_B tensors: a plain model
    embeddings = tuned.get_input_embeddings().weight
    assert torch.equal(embeddings, original.get_input_embeddings().weight)  # frozen
    assert not torch.equal(weights[ADAPTED[architecture]], before[ADAPTED[architecture]])

    # the folder holds the adapters merged: rebuild the run's adapted model from its
    # checkpoint (the last step, which is the best one here) and merge it ourselves
    state = torch.load(tmp_path / "runs" / "tuned" / "checkpoint.pt", weights_only=False)
    assert state["step"] == info["steps"] == 12
    adapted = lora.wrap(from_config_dict(state["model_config"]), 4, 8.0)
    adapted.load_state_dict(state["model"])
    merged = adapted.merge_and_unload().eval()
    ids = torch.tensor([[0, 5, 17, 42, 9, 3]])
    with torch.no_grad():
        want = merged(input_ids=ids).logits
        assert torch.allclose(tuned.eval()(input_ids=ids).logits, want, atol=1e-5)
        generator = Generator.load(out)
        assert torch.allclose(generator.model(input_ids=ids).logits, want, atol=1e-5)
    texts = generator.generate(n=2, seed=1, settings=SamplingSettings(max_new_tokens=10))
    assert len(texts) == 2 and all(texts)


def test_lora_run_resumes_exactly(tmp_path):
    corpus = write_corpus(tmp_path)
    base = save_hf_base_model(tmp_path / "base", corpus.read_text().splitlines(), "llama")
    whole, split = tmp_path / "whole", tmp_path / "split"
    assert main(lora_args(corpus, base, whole)) == 0
    assert main(lora_args(corpus, base, split, "--session-steps", "6")) == 0
    assert main(lora_args(corpus, base, split, "--resume")) == 0
    runs = tmp_path / "runs"
    for name in ("whole", "split"):
        assert json.loads((tmp_path / name / "deepciso.json").read_text())["steps"] == 12
    want = json.loads((whole / "deepciso.json").read_text())["val_loss_nats"]
    got = json.loads((split / "deepciso.json").read_text())["val_loss_nats"]
    assert got == pytest.approx(want, rel=1e-5)
    assert (runs / "split" / "checkpoint.pt").is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [(("--lora-rank", "4"), "--lora-rank adapts a pretrained model"),
     (("--lora-alpha", "8"), "--lora-alpha scales LoRA adapters: pass --lora-rank too")],
)  # fmt: skip
def test_lora_options_without_a_base_model(tmp_path, capsys, extra, message):
    corpus = write_corpus(tmp_path)
    assert main(tiny_args(corpus, tmp_path / "m", *extra, steps=2)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1] and "Traceback" not in "\n".join(err)
    assert not (tmp_path / "m").exists()
