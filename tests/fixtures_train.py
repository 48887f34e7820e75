"""Small real corpora and tiny-training command lines for the tokenizer and training tests."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import torch

from tests.fixtures_model import SAMPLE_LINES, train_tiny_tokenizer

WORDS = sorted({word for line in SAMPLE_LINES for word in line.split()})


def make_lines(count: int, seed: int = 0) -> list[str]:
    """``count`` tweet-like lines made of the sample tweets' words (deterministic)."""
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(5, 14))) for _ in range(count)]


def write_corpus(folder: Path, train: int = 300, valid: int = 40, seed: int = 0) -> Path:
    """``model.txt`` (and ``model.valid.txt`` unless ``valid`` is 0) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "model.txt"
    corpus.write_text("\n".join(make_lines(train, seed)) + "\n", encoding="utf-8")
    if valid:
        lines = make_lines(valid, seed + 1)
        (folder / "model.valid.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def tiny_args(corpus: Path, out: Path, *extra: str, steps: int = 12) -> list[str]:
    """``deepciso train`` arguments for a run of a few seconds on the tiny preset."""
    return [
        "--log-level", "WARNING", "train", "--corpus", str(corpus), "--out", str(out),
        "--preset", "tiny", "--steps", str(steps), "--vocab-size", "300", "--warmup-steps", "2",
        "--eval-every", "6", "--eval-tokens", "512", "--log-every", "2", "--sample-every", "0",
        "--block-size", "32", "--batch-size", "4", *extra,
    ]  # fmt: skip


def tree_digest(folder: Path) -> str:
    """One hash of every file's name and content under ``folder`` ('' if it does not exist)."""
    if not folder.exists():
        return ""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _tiny_config(architecture: str, vocab_size: int):
    """A tiny transformers config of ``architecture`` (gpt2, gpt_neo or llama), context 64."""
    from transformers import GPT2Config, GPTNeoConfig, LlamaConfig

    ids = {"vocab_size": vocab_size, "bos_token_id": 0, "eos_token_id": 0}
    if architecture == "gpt2":
        return GPT2Config(n_positions=64, n_embd=32, n_layer=2, n_head=2, **ids)
    if architecture == "llama":
        return LlamaConfig(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=64, tie_word_embeddings=True, **ids,
        )  # fmt: skip
    return GPTNeoConfig(
        max_position_embeddings=64, hidden_size=32, num_layers=2, num_heads=2,
        attention_types=[[["global", "local"], 1]], window_size=16, **ids,
    )  # fmt: skip


def save_hf_base_model(folder: Path, lines: list[str], architecture: str = "gpt_neo") -> Path:
    """A local 'pretrained' model saved with save_pretrained, with its own HF tokenizer."""
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

    backend = train_tiny_tokenizer(lines, vocab_size=350)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend._tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>"
    )
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(_tiny_config(architecture, len(tokenizer)))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
