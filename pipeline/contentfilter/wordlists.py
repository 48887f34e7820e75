"""Word lists: the built-in strong words and slurs, LDNOOBW's list, the operator's lists.

Four built-in lists ship in ``pipeline/contentfilter/data``: ``blocked_words.txt`` (strong
words and their spellings), ``slurs.txt`` (our curated slurs; plurals and compounds generated
by :func:`expand_forms`), ``ldnoobw_en.txt`` (the LDNOOBW English list, CC BY 4.0, matched as
exact words and phrases by :class:`PhraseSet`, less ``ldnoobw_exempt.txt``) and
``allowed_words.txt`` (innocent hosts: Scunthorpe, snigger, retardant).

File format (UTF-8, one entry per line): a word or phrase, matched as whole words after
folding (case, accents, fullwidth letters); ``*`` at either end lets other letters stand
there (``*fuck*`` also finds ``clusterfuck``, ``wank*`` finds ``wanker``). ``#`` starts a
comment. Masked spellings (``f*ck``, ``f**k``) match as long as the first letter is shown;
sound-alikes count (``fvck``, ``fook``, ``shyt``, ``phuck``) and so do dots or hyphens
between letters (``sh-i-t``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pipeline.contentfilter.normalize import MASK_CHARS, fold_letters
from pipeline.errors import UserError

BUILTIN_BLOCKED = "blocked_words.txt"
BUILTIN_ALLOWED = "allowed_words.txt"
BUILTIN_SLURS = "slurs.txt"
LDNOOBW = "ldnoobw_en.txt"
LDNOOBW_EXEMPT = "ldnoobw_exempt.txt"
_MASK = re.escape(MASK_CHARS)
_SOUNDALIKE = {"u": "uvx", "i": "iy"}  # "fvck", "fxck", "shyt"; also "ph" for "f", "oo" for "u"
_SEPARATOR = r"[-.~/|\\]{0,2}"  # "sh-i-t", "f.cking", "f~u~c~k"
_PLURAL_ES = ("s", "sh", "ch", "x", "z")


def parse_entries(lines: Iterable[str]) -> list[str]:
    """Entries of a word list: folded, comments and blank lines dropped."""
    entries = []
    for line in lines:
        entry = fold_letters(line.split("#", 1)[0]).strip()
        if entry and entry.strip("*"):
            entries.append(" ".join(entry.split()))
    return entries


def read_list(path: Path, what: str) -> list[str]:
    """Entries of the operator's word list at ``path``; a missing file is a :class:`UserError`."""
    try:
        return parse_entries(Path(path).read_text(encoding="utf-8").splitlines())
    except FileNotFoundError:
        raise UserError(f"{what} file {path} does not exist; fix the path in .env") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {what} file {path} ({exc}); use a UTF-8 text file") from None


def builtin_list(name: str) -> list[str]:
    """Entries of a list shipped in ``pipeline/contentfilter/data``."""
    data = resources.files("pipeline.contentfilter").joinpath("data")
    text = data.joinpath(name).read_text(encoding="utf-8")
    return parse_entries(text.splitlines())


def plural(word: str) -> str:
    """English plural by rule: ``-es`` after a sibilant, ``-y`` -> ``-ies``, else ``-s``."""
    if word.endswith(_PLURAL_ES):
        return word + "es"
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def expand_forms(entries: Iterable[str]) -> list[str]:
    """Entries of ``slurs.txt`` with their generated forms: each word (a phrase: its last
    word) with its plural; ``word+`` also inside compounds (``*word*`` and ``*plural*``).
    An entry ending in ``*`` already takes any ending and is kept as it is."""
    forms: list[str] = []
    for entry in entries:
        compound = entry.endswith("+")
        entry = entry.rstrip("+").strip()
        if entry.endswith("*"):
            forms.append(entry)
            continue
        head, _, last = entry.rpartition(" ")
        endings = [plural(last)] + ([last + "es"] if last.endswith("o") else [])  # dagos, -oes
        if entry.startswith("*"):
            compound = False
        for form in (entry, *(f"{head} {ending}".strip() for ending in endings)):
            forms.append(f"*{form}*" if compound else form)
    return list(dict.fromkeys(forms))


def _entry_tokens(entry: str, masks: bool) -> list[str]:
    """The regex pieces of an entry, one per character (and one for a trailing ``*``); the
    leading ``*`` is left to :class:`WordMatcher` (no left edge)."""
    suffix = entry.endswith("*")
    core = entry.strip("*")
    parts = []
    for index, char in enumerate(core):
        if char == " ":
            parts.append(r"\s+")
        elif masks and char.isalpha():
            # A mask stands for a letter after the first, in words of four letters or more
            # ("f*ck", "s**t"); "a**" or "ab%" would read as too many short words.
            masked = index and len(core) >= 4
            letter = f"[{_SOUNDALIKE.get(char, re.escape(char))}{_MASK if masked else ''}]"
            letter = {"f": f"(?:ph|{letter})", "u": f"(?:oo|{letter})"}.get(char, letter)
            between = _SEPARATOR if index and core[index - 1].isalpha() else ""
            parts.append(between + letter)
        else:
            parts.append(re.escape(char))
    if suffix:
        parts.append(r"[^\W\d_]*" if not masks else rf"(?:[^\W\d_]|[{_MASK}])*")
    return parts


def _first_chars(entry: str, masks: bool) -> str:
    """The characters a match of ``entry`` can start with (its sound-alikes, ``p`` of ``ph``)."""
    first = entry.strip("*")[:1]
    if not (masks and first.isalpha()):
        return first.lower() + first.upper()
    return _SOUNDALIKE.get(first, first) + ("p" if first == "f" else "")


def _trie_pattern(token_lists: Iterable[list[str]]) -> str:
    """One regex for many token lists, as a trie: entries sharing a start share its test (a
    plain alternation of hundreds of entries would try each one at every position)."""
    trie: dict = {}
    for tokens in token_lists:
        node = trie
        for token in tokens:
            node = node.setdefault(token, {})
        node[""] = {}
    return _node_pattern(trie) or r"(?!x)x"


def _node_pattern(node: dict) -> str:
    branches = [token + _node_pattern(child) for token, child in node.items() if token]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body if len(branches) == 1 and not branches[0].startswith("(?:") else f"(?:{body})"


@dataclass(frozen=True)
class PhraseSet:
    """Exact words and phrases, found by set lookup: for each word of a text that starts an
    entry, the few word runs of the entries' lengths: hundreds of entries for the price of one
    pass over the words."""

    entries: frozenset[str]

    def __post_init__(self) -> None:
        sizes: dict[str, set[int]] = {}
        for entry in self.entries:
            words = entry.split(" ")
            sizes.setdefault(words[0], set()).add(len(words))
        object.__setattr__(self, "_sizes", {w: sorted(n) for w, n in sizes.items()})

    def find(self, text: str) -> str | None:
        """The first entry that stands in ``text`` as whole words, or ``None``."""
        tokens = _PHRASE_TOKEN.findall(text)
        starts = self._sizes
        for i, token in enumerate(tokens):
            for size in starts.get(token, ()):
                gram = token if size == 1 else " ".join(tokens[i : i + size])
                if gram in self.entries:
                    return gram
        return None


_PHRASE_TOKEN = re.compile(r"[^\W_]+(?:[-&'][^\W_]+)*|[^\w\s]")


@dataclass(frozen=True)
class WordMatcher:
    """Finds any entry of a word list in a folded text, as whole words."""

    entries: tuple[str, ...]
    masks: bool = True

    def __post_init__(self) -> None:
        edge = rf"[^\W_]|[{_MASK}]" if self.masks else r"[^\W_]"
        anchored = [_entry_tokens(e, self.masks) for e in self.entries if not e.startswith("*")]
        inside = [_entry_tokens(e, self.masks) for e in self.entries if e.startswith("*")]
        branches = []
        if anchored:
            branches.append(rf"(?<!{edge}){_trie_pattern(anchored)}(?!{edge})")
        if inside:  # "*word": any letters may stand before, so no left edge to test
            branches.append(rf"(?P<inside>{_trie_pattern(inside)})(?!{edge})")
        # A cheap first test: most positions hold no character that can start an entry.
        starts = "".join(sorted({c for e in self.entries for c in _first_chars(e, self.masks)}))
        regex = f"(?=[{re.escape(starts)}])(?:" + "|".join(f"(?:{b})" for b in branches) + ")"
        if not branches:
            regex = r"(?!x)x"
        object.__setattr__(self, "_regex", re.compile(regex))
        object.__setattr__(self, "_word_char", re.compile(edge))

    def _spans(self, text: str) -> Iterable[tuple[int, int]]:
        """Each match, widened to the whole word for an entry that starts with ``*``."""
        widen = "inside" in self._regex.groupindex
        for match in self._regex.finditer(text):
            start, end = match.span()
            if widen and match.group("inside") is not None:
                while start and self._word_char.match(text, start - 1):
                    start -= 1
            yield start, end

    def find(self, text: str) -> str | None:
        """The first matching stretch of ``text``, or ``None``."""
        for start, end in self._spans(text):
            return text[start:end]
        return None

    def remove(self, text: str) -> str:
        """``text`` with every match replaced by a space."""
        pieces, last = [], 0
        for start, end in self._spans(text):
            if start >= last:
                pieces.append(text[last:start] + " ")
                last = end
        return "".join(pieces) + text[last:] if pieces else text

    @classmethod
    def of(cls, lists: Sequence[Iterable[str]], masks: bool = True) -> WordMatcher:
        entries = dict.fromkeys(e for entries in lists for e in entries)
        return cls(tuple(entries), masks)
