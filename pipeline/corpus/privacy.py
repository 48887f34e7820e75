"""Remove e-mail addresses and phone numbers from a post before it enters a corpus.

Phone numbers are found by ``phonenumbers`` (Google's libphonenumber rules): international
``+CC ...`` numbers of any country and national numbers valid in ``PHONE_REGION``; a hand-written
pattern would either miss formats or eat dates, prices and tickers. It runs only on texts holding
a run of seven or more digits, so ordinary posts pay one regex search.
"""

from __future__ import annotations

import re

PHONE_REGION = "US"
PLACEHOLDER = " "
# Not after an ``@``: ``@ann@mastodon.social`` is a fediverse handle, not an address.
_EMAIL = re.compile(r"(?<![\w.+@-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MIN_DIGITS = 7  # the shortest national numbers; fewer digits are never looked at
_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(rf"(?:\d[\s().\-/]{{0,2}}){{{_MIN_DIGITS},}}")


def scrub(text: str) -> str:
    """``text`` without e-mail addresses and phone numbers."""
    if "@" in text and "." in text:
        text = _EMAIL.sub(PLACEHOLDER, text)
    if len(_DIGIT.findall(text)) >= _MIN_DIGITS and _DIGIT_RUN.search(text):
        import phonenumbers

        found = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, PHONE_REGION)]
        for start, end in reversed(found):
            text = text[:start] + PLACEHOLDER + text[end:]
    return text
