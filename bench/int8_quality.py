"""Does the int8 path keep the model's quality? Validation loss of fp32 vs int8, same weights.

    flock /tmp/deepciso-bench.lock .venv/bin/python bench/int8_quality.py [--preset seed]

Trains a small GPT-2 from scratch for a few minutes on real tweets (``../shared/data``,
lowercased, links dropped; 95/5 split), so the weights have learned something, then measures
the mean next-token loss on the held-out tweets with the fp32 model and with each int8 path of
``bench/int8_variants.py``: CTranslate2 (the default), the pre-issue-15 torch.ao baseline and,
when torchao is installed, torchao's weight-only and dynamic int8.
Target (issue 15): int8 within 1% of fp32.
"""

from __future__ import annotations

import argparse
import copy
import math
import random
import re
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import GPT2Config, GPT2LMHeadModel

from bench.int8_variants import legacy_int8, torchao_int8
from pipeline.generate.ctranslate2_engine import Int8Engine

DB = Path(__file__).resolve().parents[2] / "shared" / "data" / "ccic-cashtag.twint.db"
PRESETS = {  # name: (n_embd, n_layer, n_head, vocab)
    "small": (128, 4, 4, 4000),
    "seed": (256, 8, 8, 8000),
}
BLOCK = 64


def read_tweets(db: Path) -> list[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT tweet FROM tweets").fetchall()
    tweets = set()
    for (text,) in rows:
        text = re.sub(r"https?://\S+", "", text or "").replace("&amp;", "&")
        text = " ".join(text.lower().split())
        if len(text) >= 20:
            tweets.add(text)
    return sorted(tweets)


def to_ids(tokenizer, tweets: list[str]) -> torch.Tensor:
    ids: list[int] = []
    for encoding in tokenizer.encode_batch(tweets):
        ids += [0, *encoding.ids]
    return torch.tensor(ids)


def mean_loss(forward, data: torch.Tensor) -> float:
    """Mean next-token loss; ``forward`` maps a batch of token ids to every position's logits."""
    usable = (len(data) - 1) // BLOCK * BLOCK
    inputs = data[:usable].view(-1, BLOCK)
    labels = data[1 : usable + 1].view(-1, BLOCK)
    total = 0.0
    with torch.inference_mode():
        for start in range(0, len(inputs), 32):
            logits = forward(inputs[start : start + 32]).float()
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), labels[start : start + 32].reshape(-1),
                reduction="sum",
            )  # fmt: skip
            total += loss.item()
    return total / labels.numel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument("--minutes", type=float, default=4.0, help="training time budget")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--db", type=Path, default=DB, help="the Twint database of real tweets")
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db} not found: this bench needs the real tweets (../shared/data)")
    torch.manual_seed(0)
    random.seed(0)
    tweets = read_tweets(args.db)
    random.shuffle(tweets)
    split = len(tweets) // 20
    valid_tweets, train_tweets = tweets[:split], tweets[split:]
    n_embd, n_layer, n_head, vocab = PRESETS[args.preset]
    tokenizer = ByteLevelBPETokenizer()
    tokenizer.train_from_iterator(
        train_tweets, vocab_size=vocab, min_frequency=2, special_tokens=["<|endoftext|>"]
    )
    train, valid = to_ids(tokenizer, train_tweets), to_ids(tokenizer, valid_tweets)
    config = GPT2Config(
        vocab_size=tokenizer.get_vocab_size(), n_positions=BLOCK, n_embd=n_embd,
        n_layer=n_layer, n_head=n_head, bos_token_id=0, eos_token_id=0,
    )  # fmt: skip
    model = GPT2LMHeadModel(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    print(
        f"{len(train_tweets)} train / {len(valid_tweets)} valid tweets, {len(train)} train tokens, "
        f"{args.preset} shape ({n_embd} wide, {n_layer} layers, vocab {config.vocab_size}), "
        f"{sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters"
    )
    print(f"untrained valid loss {mean_loss(torch_forward(model.eval()), valid):.3f} nats")
    model.train()
    deadline, step = time.monotonic() + args.minutes * 60, 0
    while time.monotonic() < deadline:
        starts = torch.randint(0, len(train) - BLOCK - 1, (args.batch,))
        batch = torch.stack([train[s : s + BLOCK + 1] for s in starts.tolist()])
        loss = model(input_ids=batch[:, :-1], labels=batch[:, :-1]).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        if step % 100 == 0:
            print(f"step {step} train loss {loss.item():.3f}", flush=True)
    model.eval()
    fp32 = mean_loss(torch_forward(model), valid)
    print(f"after {step} steps: valid loss fp32 {fp32:.4f} nats (perplexity {math.exp(fp32):.1f})")
    threads = torch.get_num_threads()
    paths = {
        "ctranslate2 int8": lambda m: Int8Engine.load(m, threads).logits,
        "baseline torch.ao int8": lambda m: torch_forward(legacy_int8(m)),
        "torchao int8 weight-only": lambda m: torch_forward(torchao_int8(m, dynamic=False)),
        "torchao int8 dynamic": lambda m: torch_forward(torchao_int8(m, dynamic=True)),
    }
    for name, build in paths.items():
        try:
            forward = build(copy.deepcopy(model))
        except ImportError as exc:
            print(f"{name:26s} skipped ({exc})")
            continue
        loss = mean_loss(forward, valid)
        change = (loss - fp32) / fp32 * 100
        print(f"{name:26s} valid loss {loss:.4f} nats ({change:+.2f}% vs fp32, target 1%)")


def torch_forward(model):
    return lambda ids: model(input_ids=ids).logits


if __name__ == "__main__":
    main()
