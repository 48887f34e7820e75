"""The content filter: every text DeepCISO shows or posts passes :class:`ContentFilter` first.

Rules, one module each: profanity (:mod:`.profanity`, word lists in :mod:`.wordlists`,
classifier in :mod:`.classifier`), length per target (:mod:`.length`), pings and links
(:mod:`.pings`), novelty against the training corpus and recent posts (:mod:`.novelty`),
degenerate output (:mod:`.degenerate`). :func:`clean_memes` asks a generator for
candidates until they pass: the one path to a clean meme.
"""

from pipeline.contentfilter.clean import NO_CLEAN_MEME, CleanResult, clean_memes, generate_clean
from pipeline.contentfilter.filter import ContentFilter
from pipeline.contentfilter.settings import FilterSettings
from pipeline.contentfilter.verdict import Target, Verdict, reason_code

__all__ = [
    "NO_CLEAN_MEME",
    "CleanResult",
    "ContentFilter",
    "FilterSettings",
    "Target",
    "Verdict",
    "clean_memes",
    "generate_clean",
    "reason_code",
]
