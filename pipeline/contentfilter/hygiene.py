"""Output hygiene: no control character, ANSI escape or bidi control reaches a reply, a post
or a log line, and a prompt that is not valid text is refused in one clear line.

* :func:`strip_unsafe` removes C0 and C1 control characters (newline and tab stay), ANSI/VT
  escape sequences, NUL, the bidi embeddings, overrides and isolates (U+202A..U+202E,
  U+2066..U+2069, and the marks U+200E, U+200F, U+061C) and lone surrogates;
  ``ContentFilter.check`` applies it to every ``Verdict.text``.
* :func:`sanitize_prompt` does the same to a user's prompt before generation, and raises
  :class:`UnsafePrompt` (a one-line, user-facing reason) for a prompt that holds a lone
  surrogate: such a string cannot be encoded, tokenised or posted.
"""

from __future__ import annotations

import re

# ANSI: CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ST), other two-character escapes;
# the 8-bit CSI (U+009B) too.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


class UnsafePrompt(ValueError):
    """A prompt that cannot be used; ``str()`` is a one-line reason for the user."""


def strip_unsafe(text: str) -> str:
    """``text`` without control characters (but newline and tab), ANSI escapes, bidi controls
    or lone surrogates."""
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub("", _ANSI.sub("", text))


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a surrogate code point (never valid in UTF-8 text)."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def sanitize_prompt(text: str) -> str:
    """The prompt with unsafe characters removed; :class:`UnsafePrompt` for a lone surrogate."""
    if has_lone_surrogate(text):
        raise UnsafePrompt(
            "Your prompt holds an invalid character (a lone UTF-16 surrogate); "
            "retype it as plain text."
        )
    return strip_unsafe(text)
