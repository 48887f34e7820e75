"""Top-level domains, offline: the ICANN section of the Public Suffix List that the
``publicsuffixlist`` package ships (updated with each release; never fetched at runtime).

:func:`is_tld` says whether a label is a real top-level domain (``com``, ``top``, ``zip``,
``рф`` and its punycode ``xn--p1ai``); :func:`is_wordlike` whether it is one of the TLDs that
are also common English words or file extensions (``data/wordlike_tlds.txt``), which count
as a link only with more evidence (see :mod:`.pings`).
"""

from __future__ import annotations

import contextlib
from functools import cache
from importlib import resources


@cache
def tlds() -> frozenset[str]:
    """Every ICANN top-level domain, lowercase, in Unicode and punycode form."""
    text = resources.files("publicsuffixlist").joinpath("public_suffix_list.dat")
    labels: set[str] = set()
    icann = False
    for line in text.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if "===BEGIN ICANN DOMAINS===" in line:
            icann = True
        elif "===END ICANN DOMAINS===" in line:
            break
        elif icann and line and not line.startswith("//"):
            label = line.lstrip("!*.").rsplit(".", 1)[-1].lower()
            labels.add(label)
            if not label.isascii():
                with contextlib.suppress(UnicodeError):
                    labels.add(label.encode("idna").decode("ascii"))
    return frozenset(labels)


@cache
def wordlike_tlds() -> frozenset[str]:
    """TLDs that are also common words or file extensions (``data/wordlike_tlds.txt``)."""
    data = resources.files("pipeline.contentfilter").joinpath("data", "wordlike_tlds.txt")
    entries = []
    for line in data.read_text(encoding="utf-8").splitlines():
        entries.extend(line.split("#", 1)[0].split())
    return frozenset(e.lower() for e in entries) & tlds()


def is_tld(label: str) -> bool:
    """Whether ``label`` (lowercase) is a real top-level domain."""
    return label in tlds()


def is_wordlike(label: str) -> bool:
    """Whether ``label`` is a TLD that is also a common word or file extension."""
    return label in wordlike_tlds()
