"""Time from starting ``deepciso bot --console`` to its first reply, fp32 and int8.

    flock /tmp/deepciso-bench.lock .venv/bin/python bench/bot_first_reply.py [--runs 5]

Writes a ``seed``-preset model folder (GPT-2, 256 wide, 8 layers, 8 heads, random weights; the
vocabulary is the byte-level BPE's trained on the sample lines, 400 entries), then starts the
real bot process (``python -m bot --console``) with a prompt already waiting on its input and
times until the reply is printed: interpreter start, imports, model load, the int8 conversion,
the content filter, the first generation. fp32 and int8 take turns; medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROMPT = "log4j called"


def write_model(folder: Path) -> Path:
    """A seed-preset model folder in the layout ``deepciso train`` writes."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from tests.fixtures_model import SAMPLE_LINES, make_tiny_model_dir

    make_tiny_model_dir(folder, SAMPLE_LINES)  # tokenizer, metadata, a tiny model to replace
    vocab = GPT2Config.from_pretrained(folder).vocab_size
    config = GPT2Config(
        vocab_size=vocab, n_positions=500, n_embd=256, n_layer=8, n_head=8,
        bos_token_id=0, eos_token_id=0, activation_function="gelu_pytorch_tanh",
    )  # fmt: skip
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


def first_reply_seconds(env_file: Path) -> float:
    """Seconds from starting the bot process to its first reply on stdout."""
    env = dict(os.environ, DEEPCISO_LOG_LEVEL="WARNING")
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--console", "--env-file", str(env_file)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, env=env,
    )  # fmt: skip
    assert process.stdin and process.stdout
    process.stdin.write(PROMPT + "\n")
    process.stdin.flush()
    seen = ""
    while f"> {PROMPT}" not in seen:
        char = process.stdout.read(1)
        if not char:
            raise SystemExit(f"the bot ended before replying; output: {seen[-500:]!r}")
        seen += char
    elapsed = time.perf_counter() - start
    process.stdin.close()
    process.wait(timeout=60)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="deepciso-bench-") as tmp:
        model_dir = write_model(Path(tmp) / "trained_model")
        env_files = {}
        for name, int8 in (("fp32 (torch)", "false"), ("int8 (CTranslate2)", "true")):
            env_files[name] = Path(tmp) / f"{int8}.env"
            env_files[name].write_text(f"MODEL_DIR={model_dir}\nBOT_INT8={int8}\n")
        times: dict[str, list[float]] = {name: [] for name in env_files}
        for env_file in env_files.values():
            first_reply_seconds(env_file)  # warm-up: file cache, bytecode
        for _ in range(args.runs):
            for name, env_file in env_files.items():
                times[name].append(first_reply_seconds(env_file))
        for name, values in times.items():
            print(
                f"bot start to first reply, {name:20s} median {statistics.median(values):5.2f} s "
                f"({min(values):.2f}-{max(values):.2f} s, {args.runs} runs)"
            )


if __name__ == "__main__":
    main()
