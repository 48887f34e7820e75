"""Generation speed on this machine: p50/p95 latency and throughput, fp32 and int8.

    flock /tmp/deepciso-bench.lock .venv/bin/python bench/generate_latency.py [--quick]

Models have random weights (speed does not depend on what they learned), built from a config:
the ``seed`` preset (GPT-2, 256 wide, 8 layers, 8 heads, 500 positions) with an 8,000-token
vocabulary (the tokenizer default) and a 50,000 one, and the GPT-Neo 125M architecture. The
tokenizer is a byte-level BPE trained on the sample lines (its size does not change the speed:
the model's vocabulary does). Every reply runs the full ``--max-new-tokens`` (60): the end token
is taken out of the running, so a random model cannot stop early and flatter the figures.

``cpu`` is the process's CPU time per reply (all threads): on a machine shared with other jobs
the wall-clock figures include waiting for a core, the CPU time does not (with one thread it is
what the reply costs on a core of its own).

Targets (issue 4): one 60-token reply on the seed preset p50 <= 150 ms; GPT-Neo 125M batch 1
<= 11 ms/token with int8; 16 concurrent prompts batched >= 4x the throughput of one by one.
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

from pipeline.generate import decoding
from pipeline.generate.generator import Generator, SamplingSettings, default_threads
from pipeline.generate.model_loading import LoadedModel
from pipeline.generate.quantize import quantize_int8

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


def make_generator(model, int8: bool) -> Generator:
    from tests.fixtures_model import SAMPLE_LINES, train_tiny_tokenizer

    tokenizer = train_tiny_tokenizer(SAMPLE_LINES, vocab_size=400)
    model = quantize_int8(model.eval()) if int8 else model.eval()
    info = {"context_length": model.config.max_position_embeddings, "architecture": "bench"}
    info["parameters"] = sum(p.numel() for p in model.parameters())
    generator = Generator(LoadedModel(model, tokenizer, 0, info), Path("bench"), int8=int8)
    generator._banned[0] = True  # no early end: every reply is max_new_tokens long
    return generator


def timed(call, runs: int, cpu: list[float] | None = None, warm_up: bool = True) -> list[float]:
    """Wall-clock seconds of each run; the process's CPU seconds go to ``cpu`` if given."""
    if warm_up:
        call()  # first calls allocate and pick kernels
    times = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def report_latency(name: str, generator: Generator, settings: SamplingSettings, runs: int):
    cpu: list[float] = []
    times = timed(lambda: generator.generate(["log4j is"], settings=settings), runs, cpu)
    p50 = statistics.median(times)
    tokens = settings.max_new_tokens
    print(
        f"{name:34s} p50 {p50 * 1000:7.1f} ms  p95 {p95(times) * 1000:7.1f} ms  "
        f"{p50 * 1000 / tokens:6.2f} ms/token  {tokens / p50:6.0f} tokens/s  "
        f"cpu p50 {statistics.median(cpu) * 1000:7.1f} ms  (runs {runs})"
    )
    return p50


def report_batching(name: str, generator: Generator, settings: SamplingSettings, runs: int):
    """16 prompts one by one, then as one batch, alternating so both see the same load."""

    def one_by_one():
        for prompt in PROMPTS:
            generator.generate([prompt], settings=settings)

    def batched():
        generator.generate(PROMPTS, settings=settings)

    one_by_one(), batched()  # warm-up
    sequential, together = [], []
    for _ in range(runs):
        sequential += timed(one_by_one, 1, warm_up=False)
        together += timed(batched, 1, warm_up=False)
    ratios = [s / t for s, t in zip(sequential, together, strict=True)]
    replies = len(PROMPTS)
    print(
        f"{name:34s} 16 prompts: one by one {replies / statistics.median(sequential):5.1f} "
        f"replies/s, batched {replies / statistics.median(together):5.1f} replies/s = "
        f"{statistics.median(ratios):4.1f}x (median of {runs} alternating runs, "
        f"{min(ratios):.1f}x-{max(ratios):.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per small-model case")
    parser.add_argument("--neo-runs", type=int, default=5, help="timed runs per GPT-Neo case")
    parser.add_argument("--max-new-tokens", type=int, default=60)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: <=4)")
    parser.add_argument("--skip-neo", action="store_true", help="leave out GPT-Neo 125M")
    parser.add_argument(
        "--transformers-forward",
        action="store_true",
        help="compare: run every model through transformers' own forward, not the lean decoders",
    )
    parser.add_argument(
        "--eager",
        action="store_true",
        help="compare: run the lean decoders' network without TorchScript",
    )
    args = parser.parse_args()
    decoding.COMPILE = not args.eager
    if args.transformers_forward:
        for lean in (decoding.GPT2Decoder, decoding.GPTNeoDecoder):
            lean.supports = classmethod(lambda cls, model, total_length=0: False)
    torch.set_num_threads(args.threads or default_threads())
    torch.manual_seed(0)
    settings = SamplingSettings(max_new_tokens=args.max_new_tokens)
    threads, tokens = torch.get_num_threads(), args.max_new_tokens
    forward = "transformers' forward" if args.transformers_forward else "lean decoders"
    forward += "" if args.transformers_forward else (", eager" if args.eager else ", TorchScript")
    print(f"torch {torch.__version__}, {threads} threads, {tokens} new tokens/reply, {forward}")
    print("-- one reply, batch 1")
    for vocab in (8000, 50000):
        for int8 in (False, True):
            generator = make_generator(seed_preset(vocab), int8)
            name = f"seed preset, vocab {vocab}, {'int8' if int8 else 'fp32'}"
            report_latency(name, generator, settings, args.runs)
    for int8 in (False, True) if not args.skip_neo else ():
        generator = make_generator(gpt_neo_125m(), int8)
        name = f"GPT-Neo 125M, {'int8' if int8 else 'fp32'}"
        report_latency(name, generator, settings, args.neo_runs)
    print("-- 16 concurrent single prompts")
    for int8 in (False, True):
        generator = make_generator(seed_preset(8000), int8)
        name = f"seed preset, vocab 8000, {'int8' if int8 else 'fp32'}"
        report_batching(name, generator, settings, max(3, args.runs // 2))


if __name__ == "__main__":
    main()
