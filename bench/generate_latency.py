"""Generation speed on this machine, path by path: p50/p95 latency, ms/token, batching.

    flock /tmp/deepciso-bench.lock .venv/bin/python bench/generate_latency.py [--variants ...]

Models have random weights (speed does not depend on what they learned), built from a config:
the ``seed`` preset (GPT-2, 256 wide, 8 layers, 8 heads, 500 positions) with an 8,000-token
vocabulary (the tokenizer default) and a 50,000 one, and the GPT-Neo 125M architecture. The
tokenizer is a byte-level BPE trained on the sample lines (its size does not change the speed:
the model's vocabulary does). Every reply runs the full ``--max-new-tokens`` (60): the end token
is taken out of the running, so a random model cannot stop early and flatter the figures.

The paths (``bench/int8_variants.py``) run interleaved in this one process, run by run, so a
drift in the machine's speed touches them all alike. ``ready`` is the conversion or
quantization plus the first reply (any compilation happens there).

``cpu`` is the process's CPU time per reply (all threads): on a machine shared with other jobs
the wall-clock figures include waiting for a core, the CPU time does not.

Targets (issue 15): one 60-token reply on the seed preset p50 <= 60 ms; GPT-Neo 125M
<= 6.5 ms/token; 16 concurrent prompts batched >= 4x the throughput of one by one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from transformers import GPT2Config, GPT2LMHeadModel, GPTNeoConfig, GPTNeoForCausalLM

from bench.int8_variants import DEFAULT_VARIANTS, VARIANTS, Variant, install_size, make_variant
from pipeline.generate.generator import SamplingSettings, default_threads

PROMPTS = [
    "log4j is",
    "patch tuesday",
    "the intern",
    "zero trust",
    "mfa fatigue",
    "our firewall",
    "phishing test",
    "ransomware gang",
    "the ciso said",
    "breach report",
    "password123 is",
    "security awareness",
    "the soc analyst",
    "cloud misconfig",
    "vendor risk",
    "incident response",
]


def seed_preset(vocab: int):
    config = GPT2Config(
        vocab_size=vocab, n_positions=500, n_embd=256, n_layer=8, n_head=8,
        bos_token_id=0, eos_token_id=0,
    )  # fmt: skip
    return GPT2LMHeadModel(config)


def gpt_neo_125m():
    config = GPTNeoConfig(
        vocab_size=50257, max_position_embeddings=2048, hidden_size=768, num_layers=12,
        num_heads=12, attention_types=[[["global", "local"], 6]], window_size=256,
        bos_token_id=0, eos_token_id=0,
    )  # fmt: skip
    return GPTNeoForCausalLM(config)


def make_variants(model, names: list[str], threads: int, settings) -> list[Variant]:
    from tests.fixtures_model import SAMPLE_LINES, train_tiny_tokenizer

    tokenizer = train_tiny_tokenizer(SAMPLE_LINES, vocab_size=400)
    variants = []
    for name in names:
        variant = make_variant(name, model, tokenizer, threads)
        start = time.perf_counter()
        variant.generate(["log4j is"], settings=settings)  # compiles where a path compiles
        variant.first_reply_s = time.perf_counter() - start
        print(
            f"  {name:10s} ready in {variant.prepare_s + variant.first_reply_s:6.1f} s "
            f"(prepare {variant.prepare_s:5.1f} s, first reply {variant.first_reply_s:5.1f} s)",
            flush=True,
        )
        variants.append(variant)
    return variants


def timed(call, cpu: list[float] | None = None) -> float:
    """Wall-clock seconds of one call; the process's CPU seconds go to ``cpu`` if given."""
    start, start_cpu = time.perf_counter(), time.process_time()
    call()
    elapsed = time.perf_counter() - start
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    return elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def report_latency(label: str, variants: list[Variant], settings, runs: int) -> None:
    """One reply per variant per run, the variants taking turns."""
    times: dict[str, list[float]] = {v.name: [] for v in variants}
    cpu: dict[str, list[float]] = {v.name: [] for v in variants}
    for _ in range(runs):
        for variant in variants:
            call = lambda v=variant: v.generate(["log4j is"], settings=settings)  # noqa: E731
            times[variant.name].append(timed(call, cpu[variant.name]))
    tokens = settings.max_new_tokens
    for variant in variants:
        values = times[variant.name]
        p50 = statistics.median(values)
        print(
            f"{label + ', ' + variant.name:40s} p50 {p50 * 1000:7.1f} ms  p95 "
            f"{p95(values) * 1000:7.1f} ms  {p50 * 1000 / tokens:6.2f} ms/token  "
            f"cpu p50 {statistics.median(cpu[variant.name]) * 1000:7.1f} ms  (runs {runs})",
            flush=True,
        )


def report_batching(label: str, variants: list[Variant], settings, runs: int) -> None:
    """16 prompts one by one, then as one batch, alternating so both see the same load."""
    for variant in variants:
        sequential, together = [], []
        for _ in range(runs):
            sequential.append(timed(lambda v=variant: [v.generate([p], settings=settings)
                                                       for p in PROMPTS]))  # fmt: skip
            together.append(timed(lambda v=variant: v.generate(PROMPTS, settings=settings)))
        ratios = [s / t for s, t in zip(sequential, together, strict=True)]
        replies = len(PROMPTS)
        print(
            f"{label + ', ' + variant.name:40s} 16 prompts: one by one "
            f"{replies / statistics.median(sequential):6.1f} replies/s, batched "
            f"{replies / statistics.median(together):6.1f} replies/s = "
            f"{statistics.median(ratios):4.1f}x ({runs} alternating runs, "
            f"{min(ratios):.1f}x-{max(ratios):.1f}x)",
            flush=True,
        )


def report_install_sizes() -> None:
    for name in ("ctranslate2", "torchao", "onnxruntime", "torch"):
        size = install_size(name)
        print(f"installed {name:12s} " + (f"{size / 2**20:6.0f} MB" if size else "absent"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per small-model case")
    parser.add_argument("--neo-runs", type=int, default=5, help="timed runs per GPT-Neo case")
    parser.add_argument("--max-new-tokens", type=int, default=60)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: <=4)")
    parser.add_argument(
        "--variants", default=",".join(DEFAULT_VARIANTS),
        help=f"comma-separated paths for the seed preset, of {', '.join(VARIANTS)}",
    )  # fmt: skip
    parser.add_argument("--neo-variants", default="baseline,ct2", help="paths for GPT-Neo 125M")
    parser.add_argument("--skip-neo", action="store_true", help="leave out GPT-Neo 125M")
    parser.add_argument("--vocabularies", default="8000,50000", help="seed preset vocabularies")
    parser.add_argument("--skip-batching", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads or default_threads())
    torch.manual_seed(0)
    settings = SamplingSettings(max_new_tokens=args.max_new_tokens)
    threads, tokens = torch.get_num_threads(), args.max_new_tokens
    print(f"torch {torch.__version__}, {threads} threads, {tokens} new tokens/reply")
    report_install_sizes()
    names = args.variants.split(",")
    for vocab in [int(size) for size in args.vocabularies.split(",") if size]:
        print(f"-- seed preset, vocab {vocab}: one reply, batch 1")
        variants = make_variants(seed_preset(vocab), names, threads, settings)
        report_latency(f"seed {vocab}", variants, settings, args.runs)
        if vocab == 8000 and not args.skip_batching:
            print("-- 16 concurrent single prompts")
            report_batching(f"seed {vocab}", variants, settings, max(3, args.runs // 3))
        del variants
    if not args.skip_neo:
        print("-- GPT-Neo 125M: one reply, batch 1")
        variants = make_variants(gpt_neo_125m(), args.neo_variants.split(","), threads, settings)
        report_latency("GPT-Neo 125M", variants, settings, args.neo_runs)


if __name__ == "__main__":
    main()
