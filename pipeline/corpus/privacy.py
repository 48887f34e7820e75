"""Remove e-mail addresses and phone numbers from a post before it enters a corpus.

A phone number is a run of digit groups shaped like one (``+44 20 7946 0958``,
``(415) 555-2671``, ``415.555.2671``, ``4155552671``) that ``phonenumbers`` (Google's
libphonenumber rules) accepts as a valid number: international ``+CC`` numbers of any country,
national numbers of ``PHONE_REGION``. The shape keeps dates, prices, decimals and tickers away
from the (slow) validity check; a hand-written pattern alone would either miss formats or eat
dates and prices.
"""

from __future__ import annotations

import re

PHONE_REGION = "US"
PLACEHOLDER = " "
MIN_PHONE_DIGITS = 7  # the shortest national numbers
# Not after an ``@``: ``@ann@mastodon.social`` is a fediverse handle, not an address.
_EMAIL = re.compile(r"(?<![\w.+@-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_DIGIT = re.compile(r"\d")
# Digit groups with single separators, or one long run; not inside a word, an amount or a
# decimal number.
_PHONE_SHAPE = re.compile(
    r"(?<![\w.,$€£#@/])"
    r"(?:(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?|\d{1,4}[\s.-])(?:\d{2,4}[\s.-]){0,4}\d{2,4}"
    r"|\+?\d{10,13})"
    r"(?![\w%]|[.,]\d)"
)


def scrub(text: str) -> str:
    """``text`` without e-mail addresses and phone numbers."""
    if "@" in text and "." in text:
        text = _EMAIL.sub(PLACEHOLDER, text)
    if len(_DIGIT.findall(text)) < MIN_PHONE_DIGITS:  # most posts stop here
        return text
    return _PHONE_SHAPE.sub(_unless_phone, text)


def _unless_phone(match: re.Match[str]) -> str:
    """The placeholder for a valid phone number, else the text unchanged."""
    candidate = match.group()
    if len(_DIGIT.findall(candidate)) < MIN_PHONE_DIGITS:
        return candidate
    import phonenumbers

    try:
        number = phonenumbers.parse(candidate, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return candidate
    return PLACEHOLDER if phonenumbers.is_valid_number(number) else candidate
