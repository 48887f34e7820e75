"""One character read as what a reader sees: Unicode's data, no hand-made homoglyph table.

:func:`fold_char` gives the reading of one character (cached), in this order:

1. Default-ignorable code points (``\\p{Default_Ignorable_Code_Point}`` from ``regex``: zero
   width space, word joiner, soft hyphen, Hangul fillers, CGJ, variation selectors, bidi
   controls) read as nothing; so do combining marks (accents, Zalgo). Tag characters
   (U+E0020..U+E007E) are invisible copies of ASCII that software still reads ("ASCII
   smuggling"): they read as the ASCII character they copy.
2. NFKC and case folding: fullwidth forms, mathematical alphanumerics (``𝐟``), circled and
   squared letters (``🄵``), ligatures, superscripts.
3. For letters and symbols outside the scripts that whole texts are written in (Arabic,
   Hebrew, CJK, Indic, Thai...): Unicode's confusables (UTS #39 ``confusables.txt``,
   as shipped by ``confusable-homoglyphs``) when they map the character to one ASCII letter or
   digit (``օ`` -> ``o``, ``ɡ`` -> ``g``); else the character's Unicode name when it names a
   Latin letter (``ʀ`` LATIN LETTER SMALL CAPITAL R, ``ƒ`` LATIN SMALL LETTER F WITH HOOK,
   ``🅵`` NEGATIVE SQUARED LATIN CAPITAL LETTER F, ``🇫`` REGIONAL INDICATOR SYMBOL LETTER F),
   then the same for its capital (Cyrillic ``к`` -> ``К`` -> ``k``). The few shapes in
   ``data/lookalikes.txt`` that UTS #39 does not list (Greek ``μ``) come first.

Other scripts (Arabic, Hebrew, CJK, Indic...) keep their letters: a word written in them is a
word, not a disguise.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib import resources

import regex

_IGNORABLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}]")
# Scripts whose letters are read as themselves: whole words are written in them.
_TEXT_SCRIPTS = regex.compile(
    r"[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Han}\p{Script=Hiragana}"
    r"\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Devanagari}"
    r"\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}"
    r"\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}"
    r"\p{Script=Sinhala}\p{Script=Myanmar}\p{Script=Khmer}\p{Script=Tibetan}"
    r"\p{Script=Ethiopic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Bopomofo}]"
)
_LATIN_NAME = re.compile(
    r"\b(?:LATIN|REGIONAL INDICATOR SYMBOL)\b.*?\bLETTER (?:SMALL CAPITAL |SCRIPT |DOTLESS )?"
    r"([A-Z])(?: WITH .*)?$"
)


def fold_char(char: str) -> str:
    """What a reader takes ``char`` for, lowercase ('' for an invisible character)."""
    if char.isascii():
        return char.lower()
    return _fold_cached(char)


@cache
def _fold_cached(char: str) -> str:
    if 0xE0020 <= ord(char) <= 0xE007E:  # tag characters: invisible ASCII ("ASCII smuggling")
        return chr(ord(char) - 0xE0000).lower()
    if _IGNORABLE.match(char):
        return ""
    text = _strip_marks(unicodedata.normalize("NFKC", char).casefold())
    if text.isascii() or _TEXT_SCRIPTS.match(char):
        return text
    if text in _supplement():
        return _supplement()[text]
    for source in dict.fromkeys((char, text, char.upper())):
        if letter := _confusable_letter(source) or _named_letter(source):
            return letter
    return text


def _strip_marks(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", text) if not _IGNORABLE.match(c))
    )


def _confusable_letter(char: str) -> str | None:
    """The one ASCII letter (or digit) Unicode's confusables data reads ``char`` as."""
    candidates = {
        folded
        for entry in _confusables().get(char, ())
        if len(folded := _strip_marks(entry["c"]).lower()) == 1 and folded.isascii()
        and folded.isalnum()
    }
    letters = sorted(c for c in candidates if c.isalpha())
    if len(letters) == 1:
        return letters[0]
    return None


def _named_letter(char: str) -> str | None:
    if len(char) != 1:
        return None
    match = _LATIN_NAME.search(unicodedata.name(char, ""))
    return match.group(1).lower() if match else None


@cache
def _confusables() -> dict[str, list[dict]]:
    data = resources.files("confusable_homoglyphs").joinpath("confusables.json")
    return json.loads(data.read_text(encoding="utf-8"))


@cache
def _supplement() -> dict[str, str]:
    """``data/lookalikes.txt``: ``<char> <letter>`` lines, shapes UTS #39 leaves out."""
    text = resources.files("pipeline.contentfilter").joinpath("data", "lookalikes.txt")
    pairs = {}
    for line in text.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) == 2:
            pairs[fields[0]] = fields[1]
    return pairs
