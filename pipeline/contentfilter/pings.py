"""Pings and links, found in the canonical reading of a text and cut out of the original.

A meme must never ping anyone nor carry a link (spam, phishing, a Discord invite). Found on
the canonical reading (:mod:`.canonical`: invisible characters, look-alikes, fullwidth dots
and markdown already undone), after undoing defanged spellings (``hxxps``, ``[.]``, ``(dot)``,
``[at]``, ``discord .gg``, ``discord dot gg slash``):

* Discord mentions (``<@id>``, ``<@&id>``, ``<#id>``, ``</cmd:id>``, ``<id:customize>``),
  ``@everyone``/``@here`` anywhere (``hey@everyone``, ``@@everyone``), handles as X reads them;
* URLs with a scheme, ``www.`` names, e-mail addresses, IPv4 and IPv6 addresses (with or
  without a port or path), markdown links (their label stays);
* bare names on any real top-level domain (:mod:`.tlds`, the Public Suffix List), punycode
  (``xn--``) and internationalised TLDs (``пример.рф``) included; see
  ``data/wordlike_tlds.txt`` for the two exceptions for TLDs that are also words, and a
  capitalised word after a spaced full stop is prose (``that was it . Next we``).

Policy ``remove`` (the default) deletes those spans from the original text and checks the
remainder again: when something still pings or links, the text is refused. Policy ``reject``
refuses any text that has one.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass

from pipeline.contentfilter.canonical import Reading, canonical
from pipeline.contentfilter.tlds import is_tld, is_wordlike

_SPACED_DOT = re.compile(r"(?<=[a-z0-9])\s+\.(\s*)(?=([a-z0-9][a-z0-9-]*)(/)?)")


def _spaced_dot(match: re.Match) -> str:
    """A dot with a space before it joins a domain before a path, before ``gg``, or, with a
    space after it too, before a TLD that is not also a word (``evil . com``)."""
    after, label, path = match.groups()
    if path or label == "gg" or (after and is_tld(label) and not is_wordlike(label)):
        return "."
    return match.group(0)


# (pattern, replacement, a fragment any match holds: the pattern runs only when it is there)
_STRONG_DEFANG = [
    (re.compile(r"h(?:xx|\*\*|tt)p(s?)\s*(?:\[:\]|:)\s*(?:/|\[/\]){2}"), r"http\1://", "p"),
    (re.compile(r"\s*(?:\[\.\]|\(\.\)|\{\.\}|<\.>)\s*"), ".", "."),
    (re.compile(r"(?<=[a-z0-9])。(?=[a-z0-9])"), ".", "。"),  # IDNA reads U+3002 as a dot
    (re.compile(r"\s*(?:\[dot\]|\(dot\)|\{dot\}|<dot>)\s*"), ".", "dot"),
    (re.compile(r"\s*(?:\[@\]|\(@\))\s*"), "@", "@"),
    (re.compile(r"\s*(?:\[at\]|\(at\)|\{at\}|<at>)\s*"), "@", "at"),
    (_SPACED_DOT, _spaced_dot, " ."),  # "discord .gg", "evil . com"; not "the .NET runtime"
    (re.compile(r"(?<=[a-z0-9])\.\s+(?=(?:gg|com|net|org|io)\b)"), ".", ". "),  # "discord. gg"
]
# Single letters spaced out around a dot: "e v i l . c o m".
_SPACED_NAME = re.compile(r"(?<!\S)[a-z0-9](?: [a-z0-9])* \.(?: [a-z0-9]){2,}(?!\S)")
_SPELLED = re.compile(
    r"\b([a-z0-9][a-z0-9-]*)\s+dot\s+([a-z0-9][a-z0-9-]*)\b((?:\s+slash\s+[\w-]+)*)"
)
# Words before a spelled-out "dot" that make it prose ("the dot com bubble").
_STOPWORDS = frozenset(
    ("a", "an", "the", "this", "that", "one", "each", "every", "polka", "connect", "join",
     "her", "his", "my", "your", "our", "their", "its", "and", "or", "of", "to", "in", "on",
     "at")
)  # fmt: skip
_MENTION = r"<(?:@[!&]?|#)\d+>|</[\w -]+:\d+>|<id:\w+>|@+(?:everyone|here)(?![a-z0-9_])"
_URL = (
    r"(?:https?|ftp)://\S+|[a-z][a-z0-9+.-]*://\S+|www\.\S+"
    r"|\b(?:javascript|data|vbscript|file|mailto|magnet):\S+"  # schemes without "//"
)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_HANDLE = r"(?<![a-z0-9_!#$%&*@])@[a-z0-9_]{1,32}(?![a-z0-9_])"
_IPV4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*[a-z0-9])(?::\d{1,5})?(?:/\S*)?"
_IPV6 = (
    r"(?<![\w:])(?:\[[0-9a-f:.]+\](?::\d{1,5})?"
    r"|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:]))(?:/\S*)?"
)
_DOMAIN = (
    r"(?<![\w@$.-])(?:[^\W_][\w-]*+\.)+(?:xn--[a-z0-9-]+|[^\W\d_][^\W_]*)\b"
    r"(?:[:/]\S*)?"
)
_TOKENS = re.compile(
    "|".join(
        f"(?P<{name}>{pattern})"
        for name, pattern in (
            ("markdown", r"\[[^\]\n]*\]\((?:<[^>\n]*>|[^)\s]*)\)"),
            ("mention", _MENTION),
            ("url", _URL),
            ("email", _EMAIL),
            ("handle", _HANDLE),
            ("ipv4", _IPV4),
            ("ipv6", _IPV6),
            ("domain", _DOMAIN),
        )
    )
)
# Cheap test first: most texts have none of the characters a ping or link needs (a plain
# ASCII text is tested before any reading is built).
_MAYBE = re.compile(r"[@<\[({:]|\w[./]\w|\bdot\b|\s\.|\.\s+(?:gg|com|net|org|io)\b")
_MARKS = str.maketrans("", "", "*_~|`\\")  # markdown, dropped for the cheap test
_LEFTOVER_SPACES = re.compile(r"[ \t]{2,}")
_MAX_PASSES = 3


@dataclass(frozen=True)
class PingsAndLinks:
    """What :func:`find_pings_and_links` found (original spellings), the text without it, and
    whether that remainder is clean (``False``: something still pings or links in it)."""

    found: tuple[str, ...]
    remainder: str
    clean: bool = True


def link_reading(text: str) -> Reading:
    """The canonical reading of ``text`` with defanged links spelled as links again."""
    reading = canonical(text)
    for pattern, replacement, fragment in _STRONG_DEFANG:
        if fragment in reading.text:
            reading = reading.sub(pattern, replacement)
    if "dot" in reading.text:
        reading = reading.sub(_SPELLED, _spelled_dot)
    if " . " in reading.text:
        reading = reading.sub(_SPACED_NAME, _spaced_name)
    return reading


def _spaced_name(match: re.Match) -> str:
    """``e v i l . c o m`` -> ``evil.com`` when the letters end in a real TLD."""
    joined = match.group(0).replace(" ", "")
    return joined if is_tld(joined.rsplit(".", 1)[-1].split("/")[0]) else match.group(0)


def _spelled_dot(match: re.Match) -> str:
    """``evil dot com`` -> ``evil.com`` when it reads as a domain (see wordlike_tlds.txt)."""
    name, tld, path = match.groups()
    if name in _STOPWORDS or not is_tld(tld) or (is_wordlike(tld) and not path):
        return match.group(0)
    return f"{name}.{tld}" + re.sub(r"\s+slash\s+", "/", path)


def _spans(text: str) -> list[tuple[int, int, int | None]]:
    """(start, end, label end) in the original ``text`` of each ping or link; ``label end``
    is set for a markdown link, whose label (after the ``[``) is kept."""
    if text.isascii() and not _MAYBE.search(text.lower().translate(_MARKS)):
        return []
    reading = link_reading(text)
    if not _MAYBE.search(reading.text):
        return []
    spans = []
    for match in _TOKENS.finditer(reading.text):
        kind, (begin, stop) = match.lastgroup, match.span()
        if not _is_link(kind, match.group(0), text, reading, begin):
            continue
        start, end = reading.origin(begin, stop)
        label_end = None
        if kind == "markdown":
            close = match.group(0).index("](")
            label_end = reading.origin(begin, begin + close + 1)[1] - 1 if close > 1 else None
        spans.append((start, end, label_end))
    return spans


def _is_link(kind: str, found: str, text: str, reading: Reading, begin: int) -> bool:
    if kind == "ipv4":  # leading zeros too ("010.000.000.001"): clients still connect
        return all(int(part) <= 255 for part in found.split("/")[0].split(":")[0].split("."))
    if kind == "ipv6":
        address = found.split("/")[0]
        if address.startswith("["):
            address = address[1:].split("]")[0]
        return address.count(":") >= 2 and _valid_ip(address)
    if kind == "domain":
        host = re.split(r"[:/]", found, maxsplit=1)[0]
        tld = host.rsplit(".", 1)[-1]
        at = begin + len(host) - len(tld)
        start, end = reading.origin(at, at + len(tld))
        written = unicodedata.normalize("NFKC", text[start:end]).casefold()
        if not (is_tld(tld) or is_tld(written)):  # "пример.рф": folding changed its TLD
            return False
        written_tld = text[start:end]
        capital = written_tld[:1].isupper() and not written_tld.isupper() and found == host
        if capital and text[start - 1 : start].isspace():
            return False  # "the end . Next we": a spaced full stop, then a capitalised word
        if capital and is_wordlike(tld) and host.count(".") == 1:
            # "we did it.It works": a missing space after a full stop, next word capitalised.
            return text[start - 1 : start] != "."
    return True


def _valid_ip(candidate: str) -> bool:
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def find_pings_and_links(text: str) -> PingsAndLinks:
    """Every ping or link in ``text`` and the text with them removed (markdown links keep their
    label); whitespace left behind is squeezed. The remainder is checked again (up to three
    passes); ``clean`` is ``False`` when it still pings or links."""
    found: list[str] = []
    remainder = text
    for _ in range(_MAX_PASSES):
        spans = _spans(remainder)
        if not spans:
            return PingsAndLinks(tuple(found), _squeeze(remainder), True)
        found.extend(remainder[start:end] for start, end, _ in spans)
        remainder = _cut(remainder, spans)
    return PingsAndLinks(tuple(found), _squeeze(remainder), not _spans(remainder))


def _cut(text: str, spans: list[tuple[int, int, int | None]]) -> str:
    pieces, last = [], 0
    for start, end, label_end in spans:
        if start < last:
            continue
        pieces.append(text[last:start])
        pieces.append(text[start + 1 : label_end] if label_end else " ")
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _squeeze(text: str) -> str:
    return _LEFTOVER_SPACES.sub(" ", text).strip()
