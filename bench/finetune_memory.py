"""Fine-tuning a 135M-parameter Llama-architecture base on this CPU: full versus LoRA.

The base has SmolLM2-135M's shape (hidden 576, 30 layers, 9 heads, 3 key-value heads,
intermediate 1536, vocabulary 49152, tied embeddings) with random weights: nothing is
downloaded, and speed and memory do not depend on the weights' values. Each mode is one
``deepciso train --base-model`` process on the shared database's corpus (blocks of 128);
printed: its peak RSS (the kernel's accounting of that process, model save included) and the
median training tokens/s of its steps (the CSV log's rows; the first, warm-up, left out).

    flock /tmp/deepciso-bench.lock python bench/finetune_memory.py             # 30 steps each
    flock /tmp/deepciso-bench.lock python bench/finetune_memory.py --steps 60 --lora-rank 16
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.train_throughput import SHARED_DB, corpus_from_db
from pipeline.model_folder import TOKENIZER_FILE
from pipeline.train.tokenizer import read_lines, save_tokenizer, train_tokenizer

SMOLLM2_135M_SHAPE = {
    "hidden_size": 576,
    "num_hidden_layers": 30,
    "num_attention_heads": 9,
    "num_key_value_heads": 3,
    "intermediate_size": 1536,
    "vocab_size": 49152,
    "max_position_embeddings": 2048,
    "tie_word_embeddings": True,
}


def make_base(folder: Path, corpus: Path) -> Path:
    """The random-weight base, with a tokenizer trained on the corpus (8,000 entries: ids fit
    the 49,152-row embedding; the logits are computed over all 49,152 rows all the same)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(**SMOLLM2_135M_SHAPE, bos_token_id=0, eos_token_id=0)
    model = LlamaForCausalLM(config)
    print(f"base: {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters")
    model.save_pretrained(folder)
    save_tokenizer(train_tokenizer(read_lines(corpus), 8000), folder / TOKENIZER_FILE)
    return folder


def run_mode(base: Path, corpus: Path, work: Path, args: argparse.Namespace, rank: int) -> dict:
    """One training process: (peak RSS MB, median tokens/s, wall seconds)."""
    out = work / f"tuned-rank{rank}"
    command = [
        sys.executable, "-m", "pipeline", "--log-level", "WARNING", "train",
        "--corpus", str(corpus), "--base-model", str(base), "--out", str(out),
        "--steps", str(args.steps), "--block-size", "128", "--batch-size", str(args.batch_size),
        "--eval-every", str(args.steps), "--eval-tokens", "2048", "--log-every", "1",
        "--sample-every", "0", "--checkpoint-every", str(10 * args.steps), "--overwrite",
    ]  # fmt: skip
    if rank:
        command += ["--lora-rank", str(rank)]
    started = time.perf_counter()
    log_file = work / f"rank{rank}.log"
    with open(log_file, "wb") as errors:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        sys.exit(f"training failed:\n{log_file.read_text(errors='replace')[-2000:]}")
    with open(work / "runs" / out.name / "log.csv", newline="") as handle:
        rates = [float(r["tokens_per_s"]) for r in csv.DictReader(handle) if r["tokens_per_s"]]
    return {
        "rss_mb": usage.ru_maxrss / 1024,
        "tokens_per_s": statistics.median(rates[1:] or rates),
        "wall_s": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=SHARED_DB)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--lora-rank", type=int, default=8)
    parser.add_argument("--modes", default="lora,full", help="lora, full or both (in order)")
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db}: not found; pass --db")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = corpus_from_db(args.db, work)
        base = make_base(work / "base", corpus)
        print(f"{os.cpu_count()} cores; {args.steps} steps of "
              f"{args.batch_size} x 128 tokens each")  # fmt: skip
        for mode in args.modes.split(","):
            rank = args.lora_rank if mode == "lora" else 0
            result = run_mode(base, corpus, work, args, rank)
            label = f"LoRA rank {rank}" if rank else "full fine-tuning"
            print(
                f"{label:>18}: peak RSS {result['rss_mb']:,.0f} MB, "
                f"{result['tokens_per_s']:,.0f} tokens/s (median of the log rows), "
                f"{result['wall_s']:.0f} s wall",
                flush=True,
            )


if __name__ == "__main__":
    main()
