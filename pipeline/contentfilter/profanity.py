"""Profanity: strong words from word lists, and alt-profanity-check's classifier in context.

Both look at every de-obfuscated reading of the text (:func:`.normalize.spellings`) after the
allowed words are blanked out:

* the word lists (built-in strong words and slurs plus the operator's blocked words) catch a
  listed word wherever it stands, even masked (``f*ck``) or inside a compound
  (``clusterfuck``); LDNOOBW's list catches its words and phrases as whole words;
* the classifier scores the whole text, so milder words and insults count in context
  ("what the hell" fails, "hellfire missile" passes), above ``threshold``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.contentfilter.classifier import shared_classifier
from pipeline.contentfilter.normalize import spellings
from pipeline.contentfilter.wordlists import (
    BUILTIN_ALLOWED,
    BUILTIN_BLOCKED,
    BUILTIN_SLURS,
    LDNOOBW,
    LDNOOBW_EXEMPT,
    PhraseSet,
    WordMatcher,
    builtin_list,
    expand_forms,
)


class ProfanityRule:
    """Finds profanity in a text; built once (the classifier and word lists load here)."""

    def __init__(
        self,
        threshold: float = 0.9,
        blocked: Sequence[str] = (),
        allowed: Sequence[str] = (),
    ) -> None:
        self.threshold = threshold
        slurs = expand_forms(builtin_list(BUILTIN_SLURS))
        self._blocked = WordMatcher.of([builtin_list(BUILTIN_BLOCKED), slurs, blocked])
        exempt = set(builtin_list(LDNOOBW_EXEMPT))
        listed = [e for e in builtin_list(LDNOOBW) if e not in exempt]
        self._phrases = PhraseSet(frozenset(expand_forms(listed)))
        self._allowed = WordMatcher.of([builtin_list(BUILTIN_ALLOWED), allowed], masks=False)
        self._classifier = shared_classifier()

    def readings(self, text: str) -> list[str]:
        """The de-obfuscated readings of ``text`` with the allowed words blanked out."""
        return spellings(text, self._allowed.remove)

    def score(self, text: str) -> float:
        """The classifier's highest probability over the readings of ``text``."""
        return max(self._classifier.probabilities(self.readings(text)))

    def reasons(self, text: str) -> list[str]:
        """``profanity`` reasons for ``text`` (empty when clean)."""
        readings = self.readings(text)
        for reading in readings:
            if word := self._blocked.find(reading) or self._phrases.find(reading):
                return [f"profanity: blocked word {word!r}"]
        score = max(self._classifier.probabilities(readings))
        if score >= self.threshold:
            return [f"profanity: classifier score {score:.2f} >= {self.threshold:.2f}"]
        return []
