"""Generate until a candidate passes the filter, in batches, up to a maximum."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.contentfilter.filter import ContentFilter
from pipeline.contentfilter.verdict import Target, reason_code

NO_CLEAN_MEME = "no clean meme this time"


@dataclass
class CleanResult:
    """``text``: the first candidate that passed (cleaned), ``None`` when none did;
    ``rejected``: (candidate, reasons) for each one that failed; ``candidates``: how many
    were checked."""

    text: str | None
    rejected: list[tuple[str, tuple[str, ...]]]
    candidates: int

    def summary(self) -> str:
        """One line for people: the text, or why there is none."""
        if self.text is not None:
            return self.text
        counts = Counter(reason_code(r) for _, reasons in self.rejected for r in reasons)
        why = ", ".join(f"{code} {n}" for code, n in counts.most_common())
        return f"{NO_CLEAN_MEME} ({self.candidates} candidates rejected: {why or 'none made'})"


def generate_clean(
    generate: Callable[[int], list[str]],
    content_filter: ContentFilter,
    *,
    target: Target = Target.DISCORD,
    batch_size: int = 4,
    max_candidates: int = 16,
    prompt: str = "",
    max_length: int | None = None,
) -> CleanResult:
    """Ask ``generate(n)`` for batches of candidates until one passes ``content_filter``.

    Never returns a rejected text: when ``max_candidates`` fail (or ``generate`` returns
    nothing) ``text`` is ``None``. The caller posts the text, then calls
    ``content_filter.remember_posted`` so that it is not posted again. ``prompt``: the prompt
    the candidates start with, ``max_length`` the target's own limit (see ``ContentFilter.check``).
    """
    if batch_size < 1 or max_candidates < 1:
        raise ValueError("batch_size and max_candidates must be at least 1")
    rejected: list[tuple[str, tuple[str, ...]]] = []
    candidates = 0
    while candidates < max_candidates:
        batch = generate(min(batch_size, max_candidates - candidates))
        if not batch:
            break
        for text in batch[: max_candidates - candidates]:
            candidates += 1
            verdict = content_filter.check(text, target, prompt=prompt, max_length=max_length)
            if verdict.passed:
                return CleanResult(verdict.text, rejected, candidates)
            rejected.append((text, verdict.reasons))
    return CleanResult(None, rejected, candidates)
