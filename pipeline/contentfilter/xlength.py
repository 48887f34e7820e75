"""X's weighted length (280), from ``twitter-text-parser``, the Python port of twitter-text.

X counts a URL as 23, CJK characters and emoji (a whole ZWJ sequence) as 2, most other
characters as 1. twitter-text-parser 3.0.0 reads its emoji table with ``pkg_resources``,
which setuptools 81 removed; :func:`_import_parse_tweet` lends it a two-line stand-in for
that one call while it imports, then takes it away again.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import re
import sys
import types
import unicodedata
from collections.abc import Callable
from functools import cache

X_MAX_WEIGHTED = 280
URL_WEIGHT = 23  # X's transformed_url_length
MAX_DOTS_PER_WORD = 8  # more in one word: an upper bound instead of the library's URL search
MAX_PARSED_CHARS = 1000  # longer texts (far over 280 unless nearly all URL): the upper bound


def _resource_string(module: str, name: str) -> bytes:
    loaded = sys.modules[module]
    package = module if hasattr(loaded, "__path__") else module.rpartition(".")[0]
    return importlib.resources.files(package).joinpath(name).read_bytes()


@cache
def _import_parse_tweet() -> Callable:
    if importlib.util.find_spec("pkg_resources") is not None:
        from twitter_text import parse_tweet

        return parse_tweet
    stand_in = types.ModuleType("pkg_resources")
    stand_in.resource_string = _resource_string
    sys.modules["pkg_resources"] = stand_in
    try:
        from twitter_text import parse_tweet
    finally:
        if sys.modules.get("pkg_resources") is stand_in:
            del sys.modules["pkg_resources"]
    return parse_tweet


def x_weighted_length(text: str) -> int:
    """The length X counts for ``text``.

    The library's parser costs about 10 microseconds a character, mostly its emoji search.
    Text whose characters all weigh one (X's ranges in the library's config: ASCII, Latin,
    Greek, Cyrillic, Hebrew, Arabic, curly quotes... but no emoji) only needs the URL search
    on its NFC form, as the parser does (and none at all without a dot); other text (CJK,
    emoji) goes through the full parser.

    The library's URL search takes time that grows steeply with dotted runs (a 280-character
    ``a.a.a...`` costs a quarter of a second): a text with a word of more than
    ``MAX_DOTS_PER_WORD`` dots, or longer than ``MAX_PARSED_CHARS``, gets
    :func:`_upper_bound` instead, never less than X's count.
    """
    if len(text) > MAX_PARSED_CHARS or any(
        word.count(".") > MAX_DOTS_PER_WORD for word in text.split()
    ):
        return _upper_bound(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        if _heavy_characters().search(text):
            return _import_parse_tweet()(text).weightedLength
    text = text.replace("\r\n", "\n")
    if "." not in text:
        return len(text)
    urls = _import_extract_urls()(text)
    return len(text) + sum(
        URL_WEIGHT - (end - start) for start, end in (u["indices"] for u in urls)
    )


@cache
def _import_extract_urls() -> Callable:
    _import_parse_tweet()
    from twitter_text.extract_urls import extract_urls_with_indices

    return extract_urls_with_indices


def _upper_bound(text: str) -> int:
    """At least X's weighted length: two per character that may weigh two, and for each dot
    a URL of three characters counted as 23 (every URL holds a dot)."""
    text = unicodedata.normalize("NFC", text)
    heavy = _heavy_characters()
    weight = len(text) + sum(1 for char in text if heavy.match(char))
    return weight + (URL_WEIGHT - 3) * text.count(".")


@cache
def _heavy_characters() -> re.Pattern:
    """Characters that weigh more than one, or may start an emoji (© ®, which X counts as
    emoji): everything outside the library's weight-one ranges."""
    _import_parse_tweet()
    from twitter_text.config import config

    options = config["defaults"]
    light = "".join(
        f"\\u{r['start']:04x}-\\u{r['end']:04x}"
        for r in options["ranges"]
        if r["weight"] == options["scale"]
    )
    return re.compile(f"[^{light}]|[\u00a9\u00ae]")
