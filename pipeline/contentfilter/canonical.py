"""The canonical reading of a text: what a reader sees, with a map back to the original.

Every rule reads a text through :func:`canonical`, so that a trick defeated here is defeated
for profanity, pings and links, degenerate output and novelty alike:

* each character is read as :func:`.lookalikes.fold_char` reads it: NFKC, case folded,
  default-ignorable code points and combining marks dropped, look-alikes folded to the Latin
  letter they imitate (``ʀᴇᴛᴀʀᴅ`` -> ``retard``, ``ｆ．ｃｏｍ`` -> ``f.com``);
* Discord markdown is dropped as a reader does not see it: pairs of spoiler ``||``, bold
  ``**``, underline ``__``, strike-through ``~~`` and code (backticks) marks, and a pair of
  single ``*`` or ``_`` on one line (italics): ``||fu||||ck||`` and ``__fu__ck`` read
  ``fuck``. An unpaired mark is shown as it is (``f***ed``), and so is kept.
  A backslash before a character (Discord's escape) is dropped: ``@\\everyone``.

A :class:`Reading` keeps, for each of its characters, the span of the original text it came
from, so that what is found in the reading can be cut out of the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.contentfilter.lookalikes import fold_char

_ESCAPE = re.compile(r"\\(?=\S)")  # Discord's markdown escape: "\\*" shows "*"
_MARKUP = re.compile(r"(\|\||~~|\*\*|__|`{1,3})(.*?)\1", re.DOTALL)
_ITALICS = re.compile(r"([*_])([^*_\s](?:[^\n]*?[^\s\\])??)\1")


@dataclass(frozen=True)
class Reading:
    """``text``; ``starts[i]``/``ends[i]``: the original span that ``text[i]`` comes from."""

    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def origin(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]`` (``end > start``)."""
        return self.starts[start], self.ends[end - 1]

    def sub(self, pattern: re.Pattern, replace: str | Callable[[re.Match], str]) -> Reading:
        """Like ``pattern.sub``; replacement characters map to the span of what they replace."""
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        last = 0
        for match in pattern.finditer(self.text):
            begin, stop = match.span()
            pieces.append(self.text[last:begin])
            starts.extend(self.starts[last:begin])
            ends.extend(self.ends[last:begin])
            new = replace(match) if callable(replace) else _expand(match, replace)
            if new and stop > begin:
                group_spans = _group_spans(match, new)
                for offset, char in enumerate(new):
                    at = group_spans.get(offset)
                    starts.append(self.starts[at] if at is not None else self.starts[begin])
                    ends.append(self.ends[at] if at is not None else self.ends[stop - 1])
                    pieces.append(char)
            elif new:  # an insertion at an empty match: map to the next character
                anchor = min(begin, len(self.text) - 1)
                starts.extend([self.starts[anchor]] * len(new))
                ends.extend([self.starts[anchor]] * len(new))
                pieces.append(new)
            last = stop
        if not pieces:
            return self
        pieces.append(self.text[last:])
        starts.extend(self.starts[last:])
        ends.extend(self.ends[last:])
        return Reading("".join(pieces), tuple(starts), tuple(ends))


def _expand(match: re.Match, template: str) -> str:
    """``match.expand(template)`` for templates made only of text and ``\\1``-style groups,
    without parsing the template again on every match."""
    if "\\" not in template:
        return template
    return "".join(
        match.group(int(part[1:])) or "" if part.startswith("\\") else part
        for part in _template_parts(template)
    )


@lru_cache(maxsize=64)
def _template_parts(template: str) -> tuple[str, ...]:
    return tuple(p for p in re.split(r"(\\\d)", template) if p)


def _group_spans(match: re.Match, new: str) -> dict[int, int]:
    """When ``new`` keeps a group's text unchanged (``\\2``), map those characters one to one."""
    spans = {}
    for index in range(1, (match.re.groups or 0) + 1):
        group = match.group(index)
        if group and (at := new.find(group)) >= 0:
            start = match.start(index)
            for k in range(len(group)):
                spans[at + k] = start + k
    return spans


def fold(text: str) -> Reading:
    """Each character of ``text`` read as what it looks like (no markdown handling)."""
    n = len(text)
    if text.isascii():
        return Reading(text.lower(), range(n), range(1, n + 1))
    pieces = [fold_char(char) for char in text]
    folded = "".join(pieces)
    if len(folded) == n:  # one character for one: the identity map
        return Reading(folded, range(n), range(1, n + 1))
    starts: list[int] = []
    ends: list[int] = []
    for index, piece in enumerate(pieces):
        starts.extend([index] * len(piece))
        ends.extend([index + 1] * len(piece))
    return Reading(folded, tuple(starts), tuple(ends))


@lru_cache(maxsize=256)
def canonical(text: str) -> Reading:
    """The canonical reading of ``text`` (see the module docstring); cached for the few texts
    that every rule of one check reads again."""
    reading = fold(text)
    if "\\" in reading.text:
        reading = reading.sub(_ESCAPE, "")
    if any(c in reading.text for c in "|~*_`"):
        for _ in range(3):  # nested: ||**fu**||ck
            unmarked = reading.sub(_MARKUP, r"\2")
            if unmarked is reading:
                break
            reading = unmarked
        reading = reading.sub(_ITALICS, r"\2")
    return reading


def canonical_text(text: str) -> str:
    """Just the text of :func:`canonical`."""
    return canonical(text).text
