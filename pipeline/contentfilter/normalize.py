"""Text normalisation shared by the rules: folding, de-obfuscation variants, word lists.

Obfuscated profanity survives a plain lowercase comparison (``sh1t``, ``f u c k``,
``fuuuuck``, ``fuсk`` with a Cyrillic ``с``); :func:`spellings` returns the few readings of a
text that undo those tricks, so that word lists and the classifier see the plain word.
Mask characters (``*``, ``#``, ``%``) are left in place: :mod:`.wordlists` matches them as
"any letter" (``f*ck``, ``f**k``).
"""

from __future__ import annotations

import re
import unicodedata

MASK_CHARS = "*#%_"

# Letters from other scripts that look like Latin ones (the usual homoglyph tricks).
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "к": "k", "м": "m", "т": "t", "н": "h", "в": "b",
        "α": "a", "ε": "e", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "ι": "i", "κ": "k",
        "ν": "v",
    }
)  # fmt: skip

# Leetspeak: applied only inside a word that also has letters ("sh1t", "a$$", "b!tch").
_LEET = str.maketrans("01345789@$!|€£", "oieastbgasiiel")
_LEET_WORD = re.compile(r"[\w@$!|€£]*[a-z][\w@$!|€£*#%]*|[\w@$!|€£]+[a-z*#%][\w@$!|€£*#%]*")
_SPACED_LETTERS = re.compile(r"(?<![^\W\d_])(?:[a-z]{1,2}[ ._\-*+]{1,2}){2,}[a-z]{1,2}(?![^\W\d_])")
_SINGLE_LETTERS = re.compile(r"(?<![a-z])(?:[a-z][ ._\-*+]{1,2}){2,}[a-z](?![a-z])")
_SPACED_SEPARATORS = re.compile(r"[ ._\-*+]")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_RUN2 = re.compile(r"([a-z])\1+")
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lowercase, compatibility-normalise (fullwidth, ligatures), drop accents and homoglyphs."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", text).translate(_HOMOGLYPHS)


def unleet(text: str) -> str:
    """``sh1t`` -> ``shit``, ``a$$`` -> ``ass``: only inside words that contain a letter.

    A trailing run of two digits or more is a number (``ash17``, ``covid19``), not leetspeak;
    symbols count anywhere (``a$$``).
    """
    return _LEET_WORD.sub(_unleet_word, text)


def _unleet_word(match: re.Match) -> str:
    word = match.group(0)
    head = word.rstrip("0123456789")
    if len(word) - len(head) < 2:
        head = word  # one trailing digit is leet ("sh!7"), two or more a number ("ash17")
    return head.translate(_LEET) + word[len(head) :]


def join_spaced_letters(text: str) -> str:
    """``s h i t`` / ``sh i t`` / ``f.u.c.k`` -> ``shit`` / ``shit`` / ``fuck``: three pieces or
    more, all but one of them single letters."""
    return _SPACED_LETTERS.sub(_join_if_spelt, text)


def _join_if_spelt(match: re.Match) -> str:
    run = match.group(0)
    pieces = _SPACED_SEPARATORS.split(run)
    letters = _SINGLE_LETTERS.search(run)
    if letters and letters.group(0) != run:
        # Three single letters or more join on their own: "of c u n t s" -> "of cunts".
        return run.replace(letters.group(0), _SPACED_SEPARATORS.sub("", letters.group(0)))
    if sum(len(p) == 1 for p in pieces) < max(2, len([p for p in pieces if p]) - 1):
        return run  # ordinary short words ("is it ok"), not a word spelt out
    return "".join(pieces)


def spellings(text: str) -> list[str]:
    """The distinct readings of ``text`` worth checking, the folded text first.

    Folded; leetspeak undone with spaced letters joined; letter runs of three or more cut to
    one (``fuuuck``) and to two (``asss``); every doubled letter cut to one (``fuuck``).
    """
    folded = fold(text)
    plain = join_spaced_letters(unleet(folded))
    candidates = [
        folded,
        plain,
        _RUN3.sub(r"\1", plain),
        _RUN3.sub(r"\1\1", plain),
        _RUN2.sub(r"\1", plain),
    ]
    return list(dict.fromkeys(candidates))


def words(text: str) -> list[str]:
    """The folded words of ``text`` (letters, digits, underscores), punctuation dropped."""
    return _WORD.findall(fold(text))


def squeeze_spaces(text: str) -> str:
    """Runs of whitespace to one space, ends stripped."""
    return _SPACES.sub(" ", text).strip()
