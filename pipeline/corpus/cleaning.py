"""Turn a raw tweet into one clean line of training text."""

from __future__ import annotations

import html
import re

from pipeline.corpus.privacy import scrub

# http(s) links, www. links, bare t.co and pic.twitter.com links; ``\S*`` also takes the "…"
# that Twint's 2.1.x display text leaves at the end of a truncated link.
_LINK = re.compile(r"(?i:https?://|www\.|t\.co/|pic\.twitter\.com/)\S*")
_LINK_HINTS = ("http", "www.", "t.co/", "pic.twitter.com/", "HTTP", "WWW.", "T.CO/")
# Reply mentions at the start, each perhaps followed by punctuation (``@name:``, ``@name.``);
# a handle may hold dots (Bluesky ``@jacob.gold``) or a server (Mastodon ``@ann@social.example``).
_LEADING_MENTIONS = re.compile(r"^(?:\.?@\w+(?:[.@][\w-]+)*[:,.;!?]*\s+)+")


def clean_tweet(text: str, *, lowercase: bool = True) -> str:
    """Decode HTML entities, drop links, e-mail addresses, phone numbers and leading @mentions,
    collapse whitespace to one line.

    Emoji and mid-text @mentions are kept (the content filter deals with pings in outputs).
    """
    if "&" in text:
        text = html.unescape(text)
    if any(hint in text for hint in _LINK_HINTS):
        text = _LINK.sub(" ", text)
    text = scrub(text)
    text = " ".join(text.split())
    if text[:1] == "@" or text[:2] == ".@":
        text = _LEADING_MENTIONS.sub("", text + " ").strip()
    return text.lower() if lowercase else text


def is_retweet(text: str) -> bool:
    """A retweet stored as its own post: text starting ``RT @`` (Twint, the X archive, twscrape,
    the API). The merged build's check; the Twint SQL build does the same in its query."""
    first = text[:1]
    if first.isalnum() and first not in "Rr":  # the common case, decided on one character
        return False
    return text.lstrip()[:4].upper() == "RT @"
