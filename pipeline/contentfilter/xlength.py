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
    """
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
