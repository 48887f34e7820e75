"""Loading model folders: ours, aitextgen's old layout, and every way a folder can be wrong."""

from __future__ import annotations

import json
import os
import pickle
import shutil

import pytest
import torch

from pipeline.errors import UserError
from pipeline.generate.generator import Generator, SamplingSettings
from tests.fixtures_generate import TOKENIZER_FILE, make_aitextgen_dir
from tests.fixtures_model import make_tiny_model_dir, train_tiny_tokenizer

GREEDY = SamplingSettings(temperature=0, repetition_penalty=1.0, max_new_tokens=12)
PROMPTS = ["log4j is", "the intern found"]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return make_tiny_model_dir(tmp_path_factory.mktemp("tiny") / "trained_model")


def one_line_error(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and message
    return message


def test_loads_our_folder_with_its_metadata(tiny_dir):
    generator = Generator.load(tiny_dir)
    assert generator.model_dir == tiny_dir
    assert generator.info["preset"] == "tiny-fixture"  # deepciso.json content
    assert generator.info["architecture"] == "gpt2"
    assert generator.info["weights_file"] == "model.safetensors"
    assert generator.info["int8"] is False
    assert len(generator.generate(PROMPTS, n=2, settings=GREEDY)) == 4


@pytest.mark.parametrize("where", ["cwd", "parent", "inside"])
def test_aitextgen_layout_generates_like_the_original(tiny_dir, tmp_path, monkeypatch, where):
    tokenizer_home = {"cwd": tmp_path / "work", "parent": tmp_path, "inside": None}[where]
    if tokenizer_home is not None:
        tokenizer_home.mkdir(exist_ok=True)
    old = make_aitextgen_dir(tiny_dir, tmp_path / "aitextgen_model", tokenizer_home)
    monkeypatch.chdir(tmp_path / "work" if where == "cwd" else tmp_path)
    assert json.loads((old / "config.json").read_text())["line_by_line"] is True
    assert not (old / "model.safetensors").exists()

    generator = Generator.load(old)

    assert generator.info["weights_file"] == "pytorch_model.bin"
    assert generator.info["architecture"] == "gpt2"
    expected = Generator.load(tiny_dir).generate(PROMPTS, settings=GREEDY)
    assert generator.generate(PROMPTS, settings=GREEDY) == expected


def test_old_checkpoint_buffers_and_base_model_keys_are_accepted(tiny_dir, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(tiny_dir, folder)
    from safetensors.torch import load_file

    state = load_file(str(folder / "model.safetensors"))
    # a GPT2Model checkpoint (no "transformer." prefix) with the buffers GPT-2 used to save
    old_state = {key.removeprefix("transformer."): value for key, value in state.items()}
    old_state["h.0.attn.bias"] = torch.tril(torch.ones(1, 1, 128, 128))
    old_state["h.0.attn.masked_bias"] = torch.tensor(-1e4)
    (folder / "model.safetensors").unlink()
    torch.save(old_state, folder / "pytorch_model.bin")

    expected = Generator.load(tiny_dir).generate(PROMPTS, settings=GREEDY)
    assert Generator.load(folder).generate(PROMPTS, settings=GREEDY) == expected


def test_gpt_neo_folder_loads_and_generates(tmp_path):
    folder = make_tiny_model_dir(tmp_path / "neo", architecture="gpt_neo")
    generator = Generator.load(folder)
    assert generator.info["architecture"] == "gpt_neo"
    outputs = generator.generate(PROMPTS, n=2, seed=1)
    assert len(outputs) == 4 and all(outputs)


def test_missing_folder_is_one_line(tmp_path):
    with pytest.raises(UserError) as excinfo:
        Generator.load(tmp_path / "nope")
    assert "no such model folder" in one_line_error(excinfo)


def test_missing_tokenizer_is_one_line(tiny_dir, tmp_path, monkeypatch):
    folder = tmp_path / "models" / "m"
    shutil.copytree(tiny_dir, folder)
    (folder / TOKENIZER_FILE).unlink()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError) as excinfo:
        Generator.load(folder)
    assert TOKENIZER_FILE in one_line_error(excinfo)


def test_tokenizer_of_another_model_is_refused(tiny_dir, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(tiny_dir, folder)
    other = train_tiny_tokenizer(["a completely different corpus of words"] * 3, vocab_size=300)
    other.save(str(folder / TOKENIZER_FILE))
    with pytest.raises(UserError) as excinfo:
        Generator.load(folder)
    assert "tokenizer has" in one_line_error(excinfo)


def test_tokenizer_without_endoftext_is_refused(tiny_dir, tmp_path):
    from tokenizers import ByteLevelBPETokenizer

    folder = tmp_path / "m"
    shutil.copytree(tiny_dir, folder)
    plain = ByteLevelBPETokenizer()
    plain.train_from_iterator(["log4j is here"], vocab_size=400, special_tokens=["<pad>"])
    plain.save(str(folder / TOKENIZER_FILE))
    with pytest.raises(UserError) as excinfo:
        Generator.load(folder)
    assert "<|endoftext|>" in one_line_error(excinfo)


@pytest.mark.parametrize("weights", ["model.safetensors", "pytorch_model.bin"])
def test_corrupt_weights_are_one_line(tiny_dir, tmp_path, weights):
    folder = tmp_path / "m"
    shutil.copytree(tiny_dir, folder)
    (folder / "model.safetensors").unlink()
    (folder / weights).write_bytes(b"\x00garbage" * 100)
    with pytest.raises(UserError) as excinfo:
        Generator.load(folder)
    assert "corrupt" in one_line_error(excinfo)


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickled_code_in_a_bin_file_never_runs(tiny_dir, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(tiny_dir, folder)
    (folder / "model.safetensors").unlink()
    marker = tmp_path / "pwned"
    torch.save({"transformer.wte.weight": _Exploit(marker)}, folder / "pytorch_model.bin")
    with pytest.raises(UserError) as excinfo:
        Generator.load(folder)
    assert "unsafe" in one_line_error(excinfo)
    assert not marker.exists()
    # the payload is real: unpickled without weights_only it runs
    pickle.loads(pickle.dumps(_Exploit(marker)))
    assert marker.exists()


def test_weights_that_do_not_match_the_config_are_one_line(tiny_dir, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(tiny_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    config["n_layer"] = 3
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(UserError) as excinfo:
        Generator.load(folder)
    assert "do not match config.json" in one_line_error(excinfo)


def test_folder_without_weights_is_one_line(tiny_dir, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(tiny_dir, folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(UserError) as excinfo:
        Generator.load(folder)
    assert "incomplete" in one_line_error(excinfo)


def test_thread_count_is_set_when_asked(tiny_dir):
    before = torch.get_num_threads()
    try:
        assert Generator.load(tiny_dir, num_threads=1).info["num_threads"] == 1
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
