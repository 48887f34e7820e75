"""Readings for the profanity rule, built on the canonical reading (:mod:`.canonical`).

The canonical reading already undoes invisible characters, look-alike letters, fullwidth
forms and markdown. Obfuscated profanity survives it (``sh1t``, ``f/u/c/k``, ``fuuuuck``,
``f#@k``); :func:`spellings` returns the few readings of a text that undo those tricks, so that
word lists and the classifier see the plain word. Mask characters (``*``, ``#``, ``%``, ``_``)
are left in place: :mod:`.wordlists` matches them as "any letter" (``f*ck``, ``f**k``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.contentfilter.canonical import canonical_text
from pipeline.contentfilter.canonical import fold as fold_reading

MASK_CHARS = "*#%_"

# Leetspeak: applied only inside a word that also has letters ("sh1t", "a$$", "b!tch").
_LEET_SYMBOLS = "013456789@$!|€£¡+"
_LEET = str.maketrans(_LEET_SYMBOLS, "oieasgtbgasiielit")
_LEET_GROUPS = re.compile(r"\|<|\|_\|\\/|/\\|\(\)|\[\)|\|\)")
_GROUP_LETTERS = {"|<": "k", "|_|": "u", "\\/": "v", "/\\": "a", "()": "o", "[)": "d", "|)": "d"}
_LEET_CLASS = re.escape(_LEET_SYMBOLS)
_HAS_LEET = re.compile(rf"[a-z][{_LEET_CLASS}]|[{_LEET_CLASS}][a-z]")
# A word holding a leet character (a letter is checked by _unleet_word).
_LEET_WORD = re.compile(rf"[\w{_LEET_CLASS}*#%]*[{_LEET_CLASS}][\w{_LEET_CLASS}*#%]*")
# Letters (or a spelt-out piece of one or two) separated by any run of non-letters: "f u c k",
# "f/u/c/k", "f~u~c~k", "f . u . c . k", tabs or several spaces.
_SEP = r"(?:[^\w'’]|_){1,5}"  # not an apostrophe: "it's", "don't" are words
# A piece: one or two letters, or one digit or symbol standing for a letter ("s h 1 t").
_LETTER = r"[a-z0-9$@!|€£¡+]"
_PIECE = rf"(?:[a-z]{{1,2}}|{_LETTER})"
_SPACED_LETTERS = re.compile(
    rf"(?<![^\W_])(?:{_PIECE}{_SEP}){{2,}}{_PIECE}(?![^\W\d_])"
)
_SINGLE_LETTERS = re.compile(rf"(?<![a-z])(?:{_LETTER}{_SEP}){{2,}}{_LETTER}(?![a-z])")
_SPACED_SEPARATORS = re.compile(r"(?:[^\w]|_)+")
# Single letters between apostrophes, four or more: "f'u'c'k" (not "rock'n'roll", "it's").
_APOSTROPHE_LETTERS = re.compile(r"(?<![^\W\d_])(?:[a-z]['’]){3,}[a-z](?![^\W\d_])")
# Symbols standing for letters inside a word: "f#@k" reads "f**k" (masks, see wordlists);
# not the punctuation of URLs, contractions, "p&l", "fx-neutral", "j.p." ("://", "'", "&").
_SYMBOLS_IN_WORD = re.compile(r"(?<=[a-z*#%])[!@#$%^*?~+(<{\[]{1,3}(?=[a-z])")
# A letter standing alone before a word, after a space (not an apostrophe: "it's hit"), other
# than the words "a" and "i": "f uck" reads "fuck".
_LONE_LETTER = re.compile(r"(?<!\S)([b-hj-z]) (?=[a-z]{2})")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_RUN2 = re.compile(r"([a-z])\1+")
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """The canonical reading's text: case, width, accents, look-alikes, invisibles, markdown."""
    return canonical_text(text)


def fold_letters(text: str) -> str:
    """Each character read as the letter it looks like; markdown left alone (word lists)."""
    return fold_reading(text).text


def unleet(text: str) -> str:
    """``sh1t`` -> ``shit``, ``a$$`` -> ``ass``, ``|<`` -> ``k``: only inside words that
    contain a letter.

    A trailing run of two digits or more is a number (``ash17``, ``covid19``), not leetspeak;
    symbols count anywhere (``a$$``).
    """
    if any(group in text for group in _GROUP_LETTERS):
        text = _LEET_GROUPS.sub(lambda m: _GROUP_LETTERS[m.group(0)], text)
    if not _HAS_LEET.search(text):
        return text
    return _LEET_WORD.sub(_unleet_word, text)


def _unleet_word(match: re.Match) -> str:
    word = match.group(0)
    if not any(char.isalpha() or char in "*#%" for char in word):
        return word  # a number ("2024", "$5")
    head = word.rstrip("0123456789")
    if len(word) - len(head) < 2:
        head = word  # one trailing digit is leet ("sh!7"), two or more a number ("ash17")
    return head.translate(_LEET) + word[len(head) :]


def join_spaced_letters(text: str) -> str:
    """``s h i t`` / ``sh i t`` / ``f/u/c/k`` -> ``shit`` / ``shit`` / ``fuck``: three pieces
    or more, all but one of them single letters, separated by any non-letters."""
    if "'" in text or "’" in text:
        text = _APOSTROPHE_LETTERS.sub(lambda m: re.sub("['’]", "", m.group(0)), text)
    return _SPACED_LETTERS.sub(_join_if_spelt, text)


def _join_if_spelt(match: re.Match) -> str:
    run = match.group(0)
    pieces = _SPACED_SEPARATORS.split(run)
    if sum(any(c.isalpha() for c in p) for p in pieces) < 2:
        return run  # numbers and symbols ("1 2 3", "$ 5"), not a word spelt out
    letters = _SINGLE_LETTERS.search(run)
    if letters and letters.group(0) != run:
        # Three single letters or more join on their own: "of c u n t s" -> "of cunts".
        return run.replace(letters.group(0), _SPACED_SEPARATORS.sub("", letters.group(0)))
    if sum(len(p) == 1 for p in pieces) < max(2, len([p for p in pieces if p]) - 1):
        return run  # ordinary short words ("is it ok"), not a word spelt out
    return "".join(pieces)


def mask_symbols(text: str) -> str:
    """Symbols inside a word read as masks: ``f#@k`` -> ``f**k``, ``sh!t`` -> ``sh*t``."""
    return _SYMBOLS_IN_WORD.sub(lambda m: "*" * len(m.group(0)), text)


def spellings(text: str, blank: Callable[[str], str] | None = None) -> list[str]:
    """The distinct readings of ``text`` worth checking, the canonical reading first.

    Canonical (and, when markdown was dropped, the text with its marks kept: ``sh*tty, sh*t``
    reads as italics to Discord but as masks to a reader); leetspeak undone with spaced
    letters joined (both orders); symbols inside words as masks; letter runs of three or more
    cut to one (``fuuuck``) and to two (``asss``); every doubled letter cut to one
    (``fuuck``). ``blank`` (the allowed words' remover) runs on the canonical reading
    before the others are derived from it, and on each reading.
    """
    blank = blank or (lambda reading: reading)
    folded = fold(text)
    candidates = _readings(blank(folded))
    if (letters := fold_letters(text)) != folded:  # markdown stripped: italics may be masks
        candidates += _readings(blank(letters))
    return list(dict.fromkeys(blank(c) for c in candidates))


def _readings(folded: str) -> list[str]:
    plain = join_spaced_letters(unleet(folded))
    if " " in plain:
        plain = _LONE_LETTER.sub(r"\1", plain)
    return [
        folded,
        plain,
        unleet(join_spaced_letters(folded)),
        mask_symbols(folded),
        _RUN3.sub(r"\1", plain),
        _RUN3.sub(r"\1\1", plain),
        _RUN2.sub(r"\1", plain),
    ]


def words(text: str) -> list[str]:
    """The canonical words of ``text`` (letters, digits, underscores), punctuation dropped."""
    return _WORD.findall(fold(text))


def squeeze_spaces(text: str) -> str:
    """Runs of whitespace to one space, ends stripped."""
    return _SPACES.sub(" ", text).strip()
