"""Training speed and quality: the original demo's plain loop against ``deepciso train``.

Both train on the same corpus for the same training time (validation excluded) and are
validated on the same text. Printed: corpus bytes per second of training (tokens/s times the
corpus's bytes per token, so different tokenizers compare fairly), the time ``deepciso train``
needs to reach the validation bits per byte the reference ends with, and each side's best
validation bits per byte.

    flock /tmp/deepciso-bench.lock python bench/train_throughput.py            # 1-minute smoke run
    flock /tmp/deepciso-bench.lock python bench/train_throughput.py --minutes 10  # the full figure

The reference is the original settings: GPT-2 of the ``seed`` preset (256 wide, 8 layers,
8 heads), a 50,000-entry tokenizer, batch 1, blocks of 500, fp32, AdamW at a constant 1e-3.
Its tweets are separated by <|endoftext|> like ours (not the original's run-on text), so the
validation text, and its bytes, are the same for both.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.paths import validation_path
from pipeline.train.config import TrainConfig
from pipeline.train.data import BlockSampler, ValidationSet, pack, utf8_bytes
from pipeline.train.device import choose
from pipeline.train.evaluate import token_loss, validation_loss
from pipeline.train.loop import train, training_step
from pipeline.train.model import optimizer as make_optimizer
from pipeline.train.prepare import prepare
from pipeline.train.text import TextCodec
from pipeline.train.tokenizer import save_tokenizer, train_tokenizer

SHARED_DB = Path(__file__).resolve().parents[2] / "shared" / "data" / "ccic-cashtag.twint.db"
REFERENCE_VOCAB = 50_000
REFERENCE_BLOCK = 500
VALID_BYTES = 40_000  # validation text both sides are measured on (~10k tokens)


def corpus_from_db(db: Path, folder: Path) -> Path:
    """``deepciso build``'s corpus of the DB with its defaults: the original demo's rule (each
    author's tweets at or above their 85th engagement percentile), cleaned, 5% held out."""
    from pipeline.corpus.build import BuildOptions, build_corpus

    corpus = folder / "seed-rule" / "model.txt"
    build_corpus(BuildOptions(db=db, out=corpus), progress=False)
    return corpus


def bench_corpus(args: argparse.Namespace, folder: Path) -> Path:
    """Copy the corpus into ``folder`` with a validation file cut to about VALID_BYTES."""
    if not args.corpus and not args.db.exists():
        sys.exit(f"{args.db}: not found; pass --db or --corpus")
    source = args.corpus or corpus_from_db(args.db, folder)
    train_lines = source.read_text(encoding="utf-8").splitlines()
    valid_lines = validation_path(source).read_text(encoding="utf-8").splitlines()
    kept, size = [], 0
    for line in valid_lines:
        if size >= VALID_BYTES:
            break
        kept.append(line)
        size += len(line.encode()) + 1
    corpus = folder / "model.txt"
    corpus.write_text("\n".join(train_lines) + "\n", encoding="utf-8")
    validation_path(corpus).write_text("\n".join(kept) + "\n", encoding="utf-8")
    return corpus


def reference_setup(corpus: Path, folder: Path) -> dict:
    """The original demo's model, optimizer and data (a 50,000-entry tokenizer, blocks of 500)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    train_lines = corpus.read_text(encoding="utf-8").splitlines()
    valid_lines = validation_path(corpus).read_text(encoding="utf-8").splitlines()
    tokenizer_file = folder / "reference.tokenizer.json"
    if not tokenizer_file.exists():
        save_tokenizer(train_tokenizer(train_lines, REFERENCE_VOCAB), tokenizer_file)
    codec = TextCodec.from_file(tokenizer_file)
    stream = pack(codec.encode(train_lines), codec.eos_id)
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=REFERENCE_VOCAB, n_positions=REFERENCE_BLOCK, n_embd=256, n_layer=8, n_head=8,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0,
    )  # fmt: skip
    model = GPT2LMHeadModel(config)
    return {
        "model": model,
        "optimizer": torch.optim.AdamW(model.parameters(), lr=1e-3),
        "sampler": BlockSampler(stream, REFERENCE_BLOCK, batch_size=1, seed=0),
        "valid": ValidationSet.build(
            valid_lines, codec.encode(valid_lines), codec.eos_id, REFERENCE_BLOCK, 10**9
        ),
        "bytes_per_token": utf8_bytes(train_lines) / (len(stream) - 1),
    }


def reference_step(ref: dict) -> int:
    """One step of the plain loop: batch 1, fp32, constant learning rate. Returns its tokens."""
    inputs, targets = ref["sampler"].batch()
    loss = token_loss(ref["model"], inputs, targets)
    loss.backward()
    ref["optimizer"].step()
    ref["optimizer"].zero_grad(set_to_none=True)
    return inputs.numel()


def reference(corpus: Path, folder: Path, seconds: float, eval_every_s: float) -> dict:
    """The original demo's training for ``seconds``; a validation every ``eval_every_s``."""
    ref = reference_setup(corpus, folder)
    precision = choose("cpu", "fp32")
    curve, rates = [], []
    trained, tokens, next_eval, window = 0.0, 0, eval_every_s, (0.0, 0)
    while trained < seconds:
        tick = time.perf_counter()
        count = reference_step(ref)
        spent = time.perf_counter() - tick
        trained += spent
        tokens += count
        window = (window[0] + spent, window[1] + count)
        if trained >= next_eval or trained >= seconds:
            loss = validation_loss(ref["model"], ref["valid"], precision, batch_size=4)
            bpb = ref["valid"].bits_per_byte(loss)
            curve.append((trained, bpb))
            rates.append(window[1] / window[0] * ref["bytes_per_token"])
            print(
                f"  reference {trained:7.1f}s  {tokens:8d} tokens  {bpb:.4f} bits/byte", flush=True
            )
            next_eval += eval_every_s
            window = (0.0, 0)
    return {"curve": curve, "bytes_per_s": statistics.median(rates), "tokens": tokens,
            "bytes_per_token": ref["bytes_per_token"]}  # fmt: skip


def interleaved_throughput(corpus: Path, folder: Path, rounds: int, seconds: float) -> list[float]:
    """Bytes/s ratios, deepciso over reference, from alternating rounds of ``seconds`` each:
    on a shared machine both sides then see the same background load."""
    ref = reference_setup(corpus, folder)
    run = prepare(TrainConfig(corpus=corpus, out=folder / "interleaved", overwrite=True))
    codec_bytes = utf8_bytes(run.split.train) / run.sampler.tokens_per_epoch
    optimizer = make_optimizer(run.model, run.config.peak_lr, run.config.weight_decay)
    scaler = run.precision.grad_scaler()

    def ours_step() -> int:
        inputs, targets = run.sampler.batch()
        training_step(run.model, optimizer, scaler, run.precision, inputs, targets, 1.0)
        return inputs.numel()

    def rate(step, bytes_per_token: float) -> float:
        step()  # warm
        started, tokens = time.perf_counter(), 0
        while time.perf_counter() - started < seconds:
            tokens += step()
        return tokens / (time.perf_counter() - started) * bytes_per_token

    ratios = []
    for index in range(rounds):
        slow, fast = (
            rate(lambda: reference_step(ref), ref["bytes_per_token"]),
            rate(ours_step, codec_bytes),
        )
        ratios.append(fast / slow)
        print(f"  round {index + 1}: reference {slow:,.0f} B/s, deepciso {fast:,.0f} B/s, "
              f"{fast / slow:.2f}x", flush=True)  # fmt: skip
    return ratios


def ours(corpus: Path, folder: Path, minutes: float, eval_every: int) -> dict:
    """``deepciso train`` with its defaults, for the same training time."""
    import csv

    config = TrainConfig(
        corpus=corpus, out=folder / "trained_model", time_limit=minutes, eval_every=eval_every,
        eval_tokens=10**9, sample_every=0, checkpoint_minutes=10**6, checkpoint_every=10**9,
    )  # fmt: skip
    result = train(config)
    codec = TextCodec.from_file(corpus.with_name("aitextgen.tokenizer.json"))
    lines = corpus.read_text(encoding="utf-8").splitlines()
    bytes_per_token = utf8_bytes(lines) / (len(pack(codec.encode(lines), 0)) - 1)
    with open(config.run_path / "log.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    curve = [(float(r["train_seconds"]), float(r["val_bpb"])) for r in rows if r["val_bpb"]]
    rates = [float(r["tokens_per_s"]) * bytes_per_token for r in rows if r["tokens_per_s"]]
    for seconds, bpb in curve:
        print(f"  deepciso  {seconds:7.1f}s  {bpb:.4f} bits/byte")
    return {"curve": curve, "bytes_per_s": statistics.median(rates), "tokens": result.tokens,
            "bytes_per_token": bytes_per_token, "stopped": result.stopped}  # fmt: skip


def first_time_at(curve: list[tuple[float, float]], target: float) -> float:
    """Training seconds at the first validation at or below ``target`` (inf if never)."""
    return next((seconds for seconds, bpb in curve if bpb <= target), math.inf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="training time of each side")
    parser.add_argument(
        "--db", type=Path, default=SHARED_DB, help="Twint DB to build the corpus from (seed rule)"
    )
    parser.add_argument("--corpus", type=Path, help="use this model.txt (and model.valid.txt)")
    parser.add_argument("--evals", type=int, default=20, help="reference validations per run")
    parser.add_argument("--eval-every", type=int, default=20, help="deepciso validation steps")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved throughput rounds")
    parser.add_argument("--round-seconds", type=float, default=15, help="each side, each round")
    parser.add_argument(
        "--throughput-only", action="store_true", help="only the interleaved throughput rounds"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="deepciso-bench-") as tmp:
        folder = Path(tmp)
        corpus = bench_corpus(args, folder)
        size = corpus.stat().st_size
        valid_size = validation_path(corpus).stat().st_size
        print(f"corpus: {size / 1e6:.2f} MB, validation {valid_size} bytes; torch "
              f"{torch.__version__}, {torch.get_num_threads()} threads", flush=True)  # fmt: skip
        figures: dict = {}
        if not args.throughput_only:
            figures.update(curves(corpus, folder, args))
        if args.rounds:
            print(f"interleaved throughput: {args.rounds} rounds of {args.round_seconds:g}s a side")
            ratios = interleaved_throughput(corpus, folder, args.rounds, args.round_seconds)
            figures["interleaved_ratios"] = [round(r, 2) for r in ratios]
            figures["interleaved_ratio_median"] = round(statistics.median(ratios), 2)
    print()
    if "throughput_ratio" in figures:
        print(f"throughput over the whole runs (corpus bytes/s, median of the validation "
              f"intervals): reference {figures['reference_bytes_per_s']:,}, deepciso "
              f"{figures['deepciso_bytes_per_s']:,} -> {figures['throughput_ratio']}x")  # fmt: skip
    if "interleaved_ratio_median" in figures:
        print(f"throughput, interleaved rounds (median of {args.rounds}): "
              f"{figures['interleaved_ratio_median']}x (target >= 6x)")  # fmt: skip
    if "reference_final_bpb" in figures:
        target, reached = (
            figures["reference_final_bpb"],
            figures["deepciso_seconds_to_reference_bpb"],
        )
        if reached is None:
            print(f"time to the reference's {target} bits/byte: not reached")
        else:
            print(f"time to the reference's {target} bits/byte: {reached:.0f}s of "
                  f"{args.minutes * 60:.0f}s -> {figures['time_to_reference_ratio']} "
                  "(target <= 0.2)")  # fmt: skip
        print(f"best validation bits/byte after {args.minutes:g} min: reference "
              f"{figures['reference_best_bpb']}, deepciso {figures['deepciso_best_bpb']} "
              "(target <= 1.95 at 10 min)")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


def curves(corpus: Path, folder: Path, args: argparse.Namespace) -> dict:
    """Both sides trained for ``--minutes``: validation curves, time to the reference's figure."""
    seconds = args.minutes * 60
    print(f"{args.minutes:g} min of training each", flush=True)
    ref = reference(corpus, folder, seconds, seconds / args.evals)
    new = ours(corpus, folder, args.minutes, args.eval_every)
    reached = first_time_at(new["curve"], ref["curve"][-1][1])
    return {
        "minutes": args.minutes,
        "reference_bytes_per_s": round(ref["bytes_per_s"], 1),
        "deepciso_bytes_per_s": round(new["bytes_per_s"], 1),
        "throughput_ratio": round(new["bytes_per_s"] / ref["bytes_per_s"], 2),
        "reference_final_bpb": round(ref["curve"][-1][1], 4),
        "reference_best_bpb": round(min(bpb for _, bpb in ref["curve"]), 4),
        "deepciso_best_bpb": round(min(bpb for _, bpb in new["curve"]), 4),
        "deepciso_seconds_to_reference_bpb": None if math.isinf(reached) else round(reached, 1),
        "time_to_reference_ratio": None if math.isinf(reached) else round(reached / seconds, 3),
        "reference_bytes_per_token": round(ref["bytes_per_token"], 3),
        "deepciso_bytes_per_token": round(new["bytes_per_token"], 3),
        "deepciso_stopped": new["stopped"],
    }


if __name__ == "__main__":
    main()
