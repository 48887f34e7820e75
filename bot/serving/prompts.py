"""Which prompts the bot accepts: trimmed, not too long, and not blocked by the content filter.

Shared by ``/deepciso prompt`` and console mode, so both refuse the same prompts with the same
short explanation.
"""

from __future__ import annotations

from pipeline.contentfilter import ContentFilter, Target, reason_code


class PromptRejected(Exception):
    """The prompt is not accepted; the message is a short explanation for the user."""


class PromptGate:
    """Checks a prompt before it reaches the generator."""

    def __init__(self, content_filter: ContentFilter, max_chars: int, target: Target) -> None:
        self.content_filter = content_filter
        self.max_chars = max_chars
        self.target = target

    def admit(self, text: str) -> str:
        """The prompt to generate from (whitespace collapsed); raises :class:`PromptRejected`."""
        prompt = " ".join(text.split())
        if not prompt:
            raise PromptRejected("Your prompt is empty: give me the first words of a meme.")
        if len(prompt) > self.max_chars:
            raise PromptRejected(
                f"Your prompt is {len(prompt)} characters long; keep it under {self.max_chars + 1}."
            )
        verdict = self.content_filter.check(prompt, self.target)
        if not verdict.passed:
            reasons = ", ".join(sorted({reason_code(r) for r in verdict.reasons})) or "filtered"
            raise PromptRejected(f"I can't use that prompt ({reasons}); try different words.")
        return prompt
