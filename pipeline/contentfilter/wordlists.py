"""Word lists: the built-in strong words, the operator's blocked and allowed words.

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

from pipeline.contentfilter.normalize import MASK_CHARS, fold
from pipeline.errors import UserError

BUILTIN_BLOCKED = "blocked_words.txt"
BUILTIN_ALLOWED = "allowed_words.txt"
_MASK = re.escape(MASK_CHARS)
_SOUNDALIKE = {"u": "uv", "i": "iy"}  # "fvck", "shyt"; also "ph" for "f", "oo" for "u"
_SEPARATOR = "[-.]?"  # "sh-i-t", "f.cking"


def parse_entries(lines: Iterable[str]) -> list[str]:
    """Entries of a word list: folded, comments and blank lines dropped."""
    entries = []
    for line in lines:
        entry = fold(line.split("#", 1)[0]).strip()
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


def _entry_pattern(entry: str, masks: bool) -> str:
    prefix, suffix = entry.startswith("*"), entry.endswith("*")
    core = entry.strip("*")
    parts = []
    for index, char in enumerate(core):
        if char == " ":
            parts.append(r"\s+")
        elif masks and char.isalpha():
            letter = f"[{_SOUNDALIKE.get(char, re.escape(char))}{_MASK if index else ''}]"
            letter = {"f": f"(?:ph|{letter})", "u": f"(?:oo|{letter})"}.get(char, letter)
            between = _SEPARATOR if index and core[index - 1].isalpha() else ""
            parts.append(between + letter)
        else:
            parts.append(re.escape(char))
    body = "".join(parts)
    letters = r"[^\W\d_]*" if not masks else rf"(?:[^\W\d_]|[{_MASK}])*"
    return (letters if prefix else "") + body + (letters if suffix else "")


@dataclass(frozen=True)
class WordMatcher:
    """Finds any entry of a word list in a folded text, as whole words."""

    entries: tuple[str, ...]
    masks: bool = True

    def __post_init__(self) -> None:
        inner = "|".join(
            _entry_pattern(e, self.masks) for e in sorted(self.entries, key=len, reverse=True)
        )
        edge = rf"[^\W_]|[{_MASK}]" if self.masks else r"[^\W_]"
        regex = rf"(?<!{edge})(?:{inner})(?!{edge})" if inner else r"(?!x)x"
        object.__setattr__(self, "_regex", re.compile(regex))

    def find(self, text: str) -> str | None:
        """The first matching stretch of ``text``, or ``None``."""
        match = self._regex.search(text)
        return match.group(0) if match else None

    def remove(self, text: str) -> str:
        """``text`` with every match replaced by a space."""
        return self._regex.sub(" ", text)

    @classmethod
    def of(cls, lists: Sequence[Iterable[str]], masks: bool = True) -> WordMatcher:
        entries = dict.fromkeys(e for entries in lists for e in entries)
        return cls(tuple(entries), masks)
