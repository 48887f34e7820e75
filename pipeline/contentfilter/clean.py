"""The one path to a clean meme: generate in batches until candidates pass the filter.

:func:`clean_memes` is what every caller uses: the bot's worker (a prompt, or a batch of
prompts, and scheduled posts without one), the demo and ``deepciso generate --filter``. Each
candidate is checked against the prompt it continues, so a prompt that quotes the corpus does
not make every candidate a "copy" of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipeline.contentfilter.filter import ContentFilter
from pipeline.contentfilter.verdict import Target, Verdict, reason_code

NO_CLEAN_MEME = "no clean meme this time"


class TextGenerator(Protocol):
    """What :func:`clean_memes` needs of a generator (:class:`pipeline.generate.Generator`):
    ``n`` outputs per prompt, prompt 0's first (``n`` unprompted ones for no prompts)."""

    def generate(self, prompts: Sequence[str], n: int, **options: Any) -> list[str]: ...


@dataclass
class CleanResult:
    """``text``: the first candidate that passed (cleaned), ``None`` when none did;
    ``rejected``: (candidate, reasons) for each one that failed; ``candidates``: how many
    were checked; ``passed``: every candidate that passed (cleaned), in order; ``prompt``:
    the prompt they continue."""

    text: str | None
    rejected: list[tuple[str, tuple[str, ...]]]
    candidates: int
    passed: list[str] = field(default_factory=list)
    prompt: str = ""

    def summary(self) -> str:
        """One line for people: the text, or why there is none."""
        if self.text is not None:
            return self.text
        counts = Counter(reason_code(r) for _, reasons in self.rejected for r in reasons)
        why = ", ".join(f"{code} {n}" for code, n in counts.most_common())
        return f"{NO_CLEAN_MEME} ({self.candidates} candidates rejected: {why or 'none made'})"

    def record(self, text: str, verdict: Verdict) -> None:
        """Count one checked candidate: kept (cleaned) when it passed, else with its reasons."""
        self.candidates += 1
        if verdict.passed:
            self.passed.append(verdict.text)
            if self.text is None:
                self.text = verdict.text
        else:
            self.rejected.append((text, verdict.reasons))


def clean_memes(
    generator: TextGenerator,
    prompts: Sequence[str],
    content_filter: ContentFilter,
    target: Target = Target.DISCORD,
    sampling: Any = None,
    *,
    wanted: int = 1,
    batch_size: int | None = None,
    max_candidates: int | None = None,
    seed: int | None = None,
) -> list[CleanResult]:
    """``wanted`` clean memes for each prompt: one :class:`CleanResult` per prompt, or one for
    unprompted text when ``prompts`` is empty.

    Each round asks ``generator`` for ``batch_size`` candidates for every prompt still short
    of ``wanted`` passes, in one batched call (``sampling``: its sampling settings; ``seed``:
    round ``r`` uses ``seed + r``). Every candidate is checked for ``target`` with its prompt
    (``ContentFilter.check``), until the prompt has ``wanted`` passes or has used
    ``max_candidates``; an empty answer ends the search. ``batch_size`` and
    ``max_candidates`` default to the filter's settings (``DEEPCISO_FILTER_BATCH_SIZE``,
    ``DEEPCISO_FILTER_MAX_CANDIDATES``). Never returns a rejected text. The caller posts a
    text, then calls ``content_filter.remember_posted`` so that it is not posted again.
    """
    settings = content_filter.settings
    batch_size = settings.batch_size if batch_size is None else batch_size
    max_candidates = settings.max_candidates if max_candidates is None else max_candidates
    if batch_size < 1 or max_candidates < 1 or wanted < 1:
        raise ValueError("batch_size, max_candidates and wanted must be at least 1")
    prompted = bool(prompts)
    results = [CleanResult(None, [], 0, prompt=p) for p in (prompts if prompted else [""])]
    for round_number in range(max_candidates):
        active = [r for r in results if len(r.passed) < wanted and r.candidates < max_candidates]
        if not active:
            break
        count = min(batch_size, max(max_candidates - r.candidates for r in active))
        options: dict[str, Any] = {} if sampling is None else {"settings": sampling}
        if seed is not None:
            options["seed"] = seed + round_number
        texts = generator.generate([r.prompt for r in active] if prompted else (), count, **options)
        if not texts:
            break
        per_prompt = max(1, len(texts) // len(active))
        for index, result in enumerate(active):
            batch = texts[index * per_prompt : (index + 1) * per_prompt]
            for text in batch[: max_candidates - result.candidates]:
                result.record(text, content_filter.check(text, target, prompt=result.prompt))
                if len(result.passed) >= wanted:
                    break
    return results


class _Calls:
    """A plain ``generate(n)`` function seen as a :class:`TextGenerator`."""

    def __init__(self, generate: Callable[[int], list[str]]) -> None:
        self._generate = generate

    def generate(self, prompts: Sequence[str], n: int, **options: Any) -> list[str]:
        return self._generate(n)


def generate_clean(
    generate: Callable[[int], list[str]],
    content_filter: ContentFilter,
    *,
    target: Target = Target.DISCORD,
    batch_size: int | None = None,
    max_candidates: int | None = None,
    prompt: str = "",
) -> CleanResult:
    """:func:`clean_memes` for one prompt whose candidates come from ``generate(n)``
    (a caller that brings its own sampling loop; ``prompt``: what the candidates start with;
    ``batch_size`` and ``max_candidates`` default to the filter's settings)."""
    return clean_memes(
        _Calls(generate),
        [prompt] if prompt else (),
        content_filter,
        target,
        batch_size=batch_size,
        max_candidates=max_candidates,
    )[0]
