"""The generation engine shared by ``deepciso generate`` and the bot's worker thread.

One :class:`Generator` holds a loaded model. :meth:`Generator.generate` runs every prompt and
every requested output as one left-padded batch, step by step with the model's KV cache under
``torch.inference_mode``; each row stops at ``<|endoftext|>``. Special tokens never reach the
text, and an empty output is generated again (a bounded number of times), never returned.
Not thread-safe by itself: one thread owns one Generator.
"""

from __future__ import annotations

import logging
import os
import re
import string
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import UserError

if TYPE_CHECKING:
    import torch

    from pipeline.generate.ctranslate2_engine import Int8Engine
    from pipeline.generate.model_loading import LoadedModel

log = logging.getLogger(__name__)

# Broken UTF-8 (a multi-byte character cut by the token limit) and control characters.
_UNPRINTABLE = re.compile(r"[\ufffd\x00-\x08\x0b-\x1f\x7f]")

MAX_ATTEMPTS = 4  # one try and three retries for rows that came out empty
MAX_DEFAULT_THREADS = 4  # small-batch generation gains nothing from more cores
MAX_BATCH = 64  # rows per forward pass; larger requests run in chunks of this size


@dataclass(frozen=True)
class SamplingSettings:
    """How to pick tokens. ``temperature=0`` is greedy; ``top_k=0`` and ``top_p=1`` turn off."""

    max_new_tokens: int = 60
    temperature: float = 0.9
    top_k: int = 50
    top_p: float = 0.95
    repetition_penalty: float = 1.2
    include_prompt: bool = True

    def validate(self) -> None:
        """Raise a one-line UserError naming the first setting out of range."""
        checks = (
            (self.max_new_tokens >= 1, "max_new_tokens must be at least 1"),
            (self.temperature >= 0, "temperature must be 0 (greedy) or more"),
            (self.top_k >= 0, "top_k must be 0 (off) or more"),
            (0 < self.top_p <= 1, "top_p must be in (0, 1]"),
            (self.repetition_penalty > 0, "repetition_penalty must be more than 0 (1 = off)"),
        )
        for ok, message in checks:
            if not ok:
                raise UserError(message)


class Generator:
    """A loaded model ready to write text; build it with :meth:`load`."""

    def __init__(
        self, loaded: LoadedModel, model_dir: Path, *, engine: Int8Engine | None = None
    ) -> None:
        import torch

        self.model_dir = Path(model_dir)
        self.model = loaded.model
        self.engine = engine  # int8 in CTranslate2; None: the torch path, fp32
        self.tokenizer = loaded.tokenizer
        self.eos_id = loaded.eos_id
        self.context_length: int = loaded.info["context_length"]
        self.lowercase_prompts = _trained_lowercase(self.tokenizer)
        self.info: dict[str, Any] = dict(
            loaded.info,
            int8=engine is not None,
            engine="ctranslate2 int8" if engine else "torch fp32",
            num_threads=torch.get_num_threads(),
            lowercase_prompts=self.lowercase_prompts,
        )
        vocab = self.model.config.vocab_size
        self._banned = banned_tokens(self.tokenizer, vocab, self.eos_id)
        self._blank = _blank_tokens(self.tokenizer, vocab)

    @classmethod
    def load(
        cls, model_dir: str | Path, *, int8: bool = False, num_threads: int | None = None
    ) -> Generator:
        """Load ``model_dir`` (see :mod:`pipeline.generate.model_loading`), optionally as int8.

        ``int8`` converts the model to CTranslate2 (:mod:`pipeline.generate.ctranslate2_engine`);
        where that is not installed or does not read the architecture, the model runs in fp32
        on torch, with a warning.

        ``num_threads`` sets torch's (process-wide) thread count; by default it is left alone
        when ``OMP_NUM_THREADS`` is set, else the number of usable cores up to 4.
        """
        import torch

        from pipeline.generate.model_loading import load_model_dir

        if num_threads is not None:
            if num_threads < 1:
                raise UserError("num_threads must be at least 1")
            torch.set_num_threads(num_threads)
        elif "OMP_NUM_THREADS" not in os.environ:
            torch.set_num_threads(default_threads())
        loaded = load_model_dir(model_dir)
        engine = None
        if int8:
            from pipeline.generate.ctranslate2_engine import INSTALL_HINT, Int8Engine

            banned = banned_tokens(loaded.tokenizer, loaded.model.config.vocab_size, loaded.eos_id)
            engine = Int8Engine.load(
                loaded.model, threads=torch.get_num_threads(), banned=_ids(banned)
            )
            if engine is None:
                log.warning(
                    "int8 needs CTranslate2 for a GPT-2 or GPT-Neo model (%s, %s): "
                    "generating in fp32 with torch, slower",
                    loaded.info["architecture"],
                    INSTALL_HINT,
                )
        log.info(
            "loaded %s (%s, %.1fM parameters, %s)",
            model_dir,
            loaded.info["architecture"],
            loaded.info["parameters"] / 1e6,
            "CTranslate2 int8" if engine else "torch fp32",
        )
        return cls(loaded, Path(model_dir), engine=engine)

    def generate(
        self,
        prompts: Sequence[str] = (),
        n: int = 1,
        settings: SamplingSettings = SamplingSettings(),
        seed: int | None = None,
    ) -> list[str]:
        """``n`` outputs per prompt (or ``n`` unprompted ones), prompt 0's first, as one batch."""
        import torch

        settings.validate()
        if isinstance(prompts, str):
            raise TypeError("prompts must be a sequence of strings, not one string")
        if n < 1:
            raise UserError("the number of outputs must be at least 1")
        if settings.max_new_tokens >= self.context_length:
            raise UserError(
                f"max_new_tokens must be below the model's context length {self.context_length}"
            )
        jobs = [prompt for prompt in (list(prompts) or [""]) for _ in range(n)]
        rng = torch.Generator()
        if seed is None:
            rng.seed()
        else:
            rng.manual_seed(seed)
        results: list[str] = [""] * len(jobs)
        pending = list(range(len(jobs)))
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                log.debug("retrying %d empty outputs (attempt %d)", len(pending), attempt + 1)
            for start in range(0, len(pending), MAX_BATCH):
                chunk = pending[start : start + MAX_BATCH]
                texts = self._run_batch([jobs[i] for i in chunk], settings, rng)
                for index, text in zip(chunk, texts, strict=True):
                    results[index] = text
            pending = [i for i in pending if not results[i]]
            if not pending:
                break
        else:
            raise UserError(
                f"{self.model_dir}: the model wrote only empty text {MAX_ATTEMPTS} times; "
                "train it longer or raise max_new_tokens"
            )
        return [
            f"{prompt}{text}".strip() if prompt and settings.include_prompt else text.strip()
            for prompt, text in zip(jobs, results, strict=True)
        ]

    def settings_dict(self, settings: SamplingSettings) -> dict[str, Any]:
        """The settings and the model they were used with, for ``--jsonl`` records and logs."""
        return dict(asdict(settings), model=str(self.model_dir), int8=self.info["int8"])

    # -- one batch -----------------------------------------------------------------------------

    def _encode_prompt(self, prompt: str, max_new_tokens: int) -> list[int]:
        """``<|endoftext|>`` then the prompt's tokens, cut from the left to leave room."""
        text = prompt.lower() if self.lowercase_prompts else prompt
        ids = self.tokenizer.encode(text, add_special_tokens=False).ids if text else []
        room = self.context_length - max_new_tokens - 1
        if len(ids) > room:
            log.warning("prompt is %d tokens; keeping its last %d", len(ids), room)
            ids = ids[len(ids) - room :]
        return [self.eos_id, *ids]

    def _run_batch(
        self, prompts: Sequence[str], settings: SamplingSettings, rng: torch.Generator
    ) -> list[str]:
        """Continuations (without the prompt; ``""`` when blank) for one batch."""
        import torch

        from pipeline.generate.decoding import decoder_for
        from pipeline.generate.sampling import penalize_repeats, sample_next

        encoded = [self._encode_prompt(p, settings.max_new_tokens) for p in prompts]
        rows, width = len(encoded), max(len(ids) for ids in encoded)
        if self.engine is not None and self.engine.supports(width + settings.max_new_tokens):
            seed = int(torch.randint(2**62, (1,), generator=rng))
            return self._decode(
                self.engine.generate(
                    encoded, settings, seed=seed, end_id=self.eos_id, banned=_ids(self._banned)
                )
            )
        input_ids = torch.full((rows, width), self.eos_id, dtype=torch.long)
        attention = torch.zeros((rows, width), dtype=torch.long)
        for row, ids in enumerate(encoded):
            input_ids[row, width - len(ids) :] = torch.tensor(ids)
            attention[row, width - len(ids) :] = 1
        # what the repetition penalty looks at: the prompts (<|endoftext|> and padding are
        # ignored), then every token written
        context = input_ids[:, 1:]
        positions = (attention.cumsum(-1) - 1).clamp(min=0)
        has_text = torch.zeros(rows, dtype=torch.bool)
        finished = torch.zeros(rows, dtype=torch.bool)
        eos = torch.tensor(self.eos_id)
        steps: list[torch.Tensor] = []
        decoder = decoder_for(self.model, width + settings.max_new_tokens)
        with torch.inference_mode():
            logits = decoder.start(input_ids, attention, positions, settings.max_new_tokens)
            for _ in range(settings.max_new_tokens):
                logits = penalize_repeats(
                    logits, context, settings.repetition_penalty, ignore_id=self.eos_id
                )
                logits.masked_fill_(self._banned, float("-inf"))
                # No row may end before it has written something visible.
                logits[:, self.eos_id].masked_fill_(~has_text, float("-inf"))
                token = sample_next(
                    logits,
                    temperature=settings.temperature,
                    top_k=settings.top_k,
                    top_p=settings.top_p,
                    generator=rng,
                )
                token = torch.where(finished.unsqueeze(1), eos, token)
                steps.append(token)
                finished |= token.squeeze(1) == self.eos_id
                if bool(finished.all()) or len(steps) == settings.max_new_tokens:
                    break
                has_text |= ~self._blank[token.squeeze(1)]
                context = torch.cat([context, token], dim=1)
                positions = positions[:, -1:] + 1
                logits = decoder.step(token, positions)
        return self._decode(torch.cat(steps, dim=1).tolist())

    def _decode(self, rows: list[list[int]]) -> list[str]:
        texts = []
        for tokens in rows:
            if self.eos_id in tokens:
                tokens = tokens[: tokens.index(self.eos_id)]
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            texts.append(_UNPRINTABLE.sub("", text).rstrip())
        return [text if text.strip() else "" for text in texts]


def default_threads() -> int:
    """Usable cores, at most :data:`MAX_DEFAULT_THREADS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_THREADS))


def banned_tokens(tokenizer, vocab_size: int, eos_id: int):
    """A boolean mask of the ids never sampled: vocabulary padding rows and special tokens
    other than ``<|endoftext|>``."""
    import torch

    banned = torch.zeros(vocab_size, dtype=torch.bool)
    banned[tokenizer.get_vocab_size() :] = True  # vocab padding rows
    for token_id in _special_ids(tokenizer):
        banned[token_id] = token_id != eos_id
    return banned


def _ids(mask) -> list[int]:
    return mask.nonzero().flatten().tolist()


def _special_ids(tokenizer) -> list[int]:
    """Ids of the tokenizer's special tokens (``<|endoftext|>``, padding...)."""
    try:
        decoder = tokenizer.get_added_tokens_decoder()
    except AttributeError:  # tokenizers < 0.15
        return []
    return [token_id for token_id, token in decoder.items() if token.special]


def _blank_tokens(tokenizer, vocab_size: int):
    """A boolean mask of the tokens that decode to nothing visible (spaces, newlines)."""
    import torch

    texts = tokenizer.decode_batch([[i] for i in range(tokenizer.get_vocab_size())])
    blank = torch.ones(vocab_size, dtype=torch.bool)
    blank[: len(texts)] = torch.tensor([not t.strip() for t in texts])
    return blank


def _trained_lowercase(tokenizer) -> bool:
    """True when no learned token has a capital letter: the corpus was lowercased."""
    upper = set(string.ascii_uppercase)
    return not any(
        len(token) > 1 and not upper.isdisjoint(token) for token in tokenizer.get_vocab()
    )
