"""The content filter: every text DeepCISO shows or posts passes :class:`ContentFilter` first.

Every rule reads a text through one canonical reading (:mod:`.canonical`: NFKC, invisible
characters dropped, look-alikes folded by :mod:`.lookalikes`, Discord markdown stripped, with
a map back to the original). Rules, one module each: profanity (:mod:`.profanity`, readings
in :mod:`.normalize`, word lists in :mod:`.wordlists`, classifier in :mod:`.classifier`),
length per target, or for every target of a post (:mod:`.length`), pings and links
(:mod:`.pings`, top-level domains in :mod:`.tlds`), novelty against the training corpus and
recent posts (:mod:`.novelty`), degenerate output (:mod:`.degenerate`); output hygiene in
:mod:`.hygiene`.
:func:`clean_memes` asks a generator for candidates until they pass: the one path to a clean
meme. See ``docs/filter-robustness.md``.
"""

from pipeline.contentfilter.clean import NO_CLEAN_MEME, CleanResult, clean_memes, generate_clean
from pipeline.contentfilter.filter import ContentFilter
from pipeline.contentfilter.length import LengthRules
from pipeline.contentfilter.settings import FilterSettings
from pipeline.contentfilter.verdict import Target, Verdict, reason_code

__all__ = [
    "NO_CLEAN_MEME",
    "CleanResult",
    "ContentFilter",
    "FilterSettings",
    "LengthRules",
    "Target",
    "Verdict",
    "clean_memes",
    "generate_clean",
    "reason_code",
]
