"""The content filter: every rule in one check, with rejection counts and recent posts."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.contentfilter.canonical import canonical_text
from pipeline.contentfilter.degenerate import degenerate_reasons
from pipeline.contentfilter.hygiene import strip_unsafe
from pipeline.contentfilter.length import LengthRules
from pipeline.contentfilter.normalize import words
from pipeline.contentfilter.novelty import CorpusIndex, RecentPosts
from pipeline.contentfilter.pings import find_pings_and_links
from pipeline.contentfilter.profanity import ProfanityRule
from pipeline.contentfilter.settings import FilterSettings
from pipeline.contentfilter.verdict import Target, Verdict, reason_code
from pipeline.contentfilter.wordlists import read_list


class ContentFilter:
    """Decides whether a generated text may be shown or posted, and cleans it.

    Built once per loaded model (the classifier, word lists and the ``corpus`` novelty index
    load here); :meth:`check` then costs well under a millisecond. Safe to share between
    threads.
    """

    def __init__(
        self,
        settings: FilterSettings | None = None,
        corpus: Path | None = None,
        recent: Sequence[str] = (),
    ) -> None:
        self.settings = settings = settings or FilterSettings()
        self.profanity = ProfanityRule(
            settings.profanity_threshold,
            blocked=_optional_list(settings.blocked_words, "blocked words"),
            allowed=_optional_list(settings.allowed_words, "allowed words"),
        )
        self.corpus_index = (
            CorpusIndex.from_file(Path(corpus), settings.novelty_words) if corpus else None
        )
        self.recent = RecentPosts(settings.recent_posts, settings.novelty_words)
        for text in recent:
            self.recent.add(text)
        self.rejections: Counter[str] = Counter()
        self.checked = 0
        self._lock = threading.Lock()

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] = os.environ, corpus: Path | None = None
    ) -> ContentFilter:
        """A filter configured by the ``DEEPCISO_FILTER_*`` keys (see ``.env.example``)."""
        return cls(FilterSettings.from_env(environ), corpus)

    def check(
        self,
        text: str,
        target: Target | LengthRules = Target.DISCORD,
        *,
        prompt: str = "",
        max_length: int | None = None,
    ) -> Verdict:
        """Pass or fail ``text`` for ``target``; every failed rule gives one reason.

        ``target``: one target, or :class:`LengthRules` for a text that goes to several (a
        scheduled post): it must fit each one's length limit, and each it exceeds gives a
        ``too_long`` reason naming it.

        ``prompt``: the user's prompt when ``text`` starts with it; word runs inside it do not
        count as copying a training tweet or a recent post (the whole text still must not be
        an exact copy). ``max_length``: one target's own limit where it has one (a Mastodon
        instance's; with :class:`LengthRules` each target carries its own). Any ``str`` is
        accepted: control characters, ANSI escapes, bidi controls and lone surrogates are
        stripped first, so ``Verdict.text`` never holds one.
        """
        lengths = LengthRules.of(target, max_length)
        cleaned, reasons = self._reasons(strip_unsafe(text), lengths, strip_unsafe(prompt))
        with self._lock:
            self.checked += 1
            self.rejections.update(set(map(reason_code, reasons)))
        return Verdict(not reasons, cleaned, tuple(reasons))

    def _reasons(self, text: str, lengths: LengthRules, prompt: str) -> tuple[str, list[str]]:
        settings = self.settings
        pings = find_pings_and_links(text)
        cleaned = pings.remainder
        if pings.found:
            listed = ", ".join(repr(p) for p in pings.found[:3])
            if settings.links == "reject":
                return text.strip(), [f"pings_or_links: contains {listed}"]
            if not pings.clean:
                return text.strip(), [f"pings_or_links: cannot cut out {listed} cleanly"]
            if not any(c.isalnum() for c in canonical_text(cleaned)):
                return cleaned, [f"pings_or_links: no words left without {listed}"]
        reasons = degenerate_reasons(cleaned, settings.max_repeats)
        reasons += lengths.reasons(cleaned, settings.min_chars)
        reasons += self.profanity.reasons(cleaned)
        skip = _prompt_words(cleaned, prompt)
        if self.corpus_index is not None and (why := self.corpus_index.copies(cleaned, skip)):
            reasons.append(f"copies_training: {why}")
        with self._lock:
            repeat = self.recent.repeats(cleaned, skip)
        if repeat:
            reasons.append(f"repeats_recent: {repeat}")
        return cleaned, reasons

    def remember_posted(self, text: str) -> None:
        """Record a text that was posted: the next checks refuse repeats of it."""
        with self._lock:
            self.recent.add(text)


def _prompt_words(text: str, prompt: str) -> int:
    """How many leading words of ``text`` are the prompt's (0 when it does not start with it)."""
    if not prompt:
        return 0
    prompt_words = words(find_pings_and_links(prompt).remainder)
    text_words = words(text)[: len(prompt_words)]
    if text_words == prompt_words:
        return len(prompt_words)
    # The model may glue its first token to the prompt's last word ("invite" -> "invitere").
    head, last = prompt_words[:-1], prompt_words[-1:]
    if last and text_words[:-1] == head and text_words[-1:] and text_words[-1].startswith(last[0]):
        return len(head)
    return 0


def _optional_list(path: Path | None, what: str) -> list[str]:
    return read_list(Path(path), what) if path else []
