"""Argparse ``type=`` functions shared by every command: a number out of range, or text that is
not valid UTF-8, is refused while the command line is parsed, before any work.

Each raises :class:`argparse.ArgumentTypeError` with a phrase that follows the option's name
("must be at least 1, not 0"); :class:`pipeline.cli.Parser` prints it as one line, exit 2.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _number(text: str, kind: type[int] | type[float]) -> int | float:
    try:
        value = kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
    return value


def positive_int(text: str) -> int:
    """1, 2, 3...: sizes and counts."""
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def non_negative_int(text: str) -> int:
    """0, 1, 2...: counts where 0 means none or off."""
    value = int(_number(text, int))
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def positive_float(text: str) -> float:
    """Rates and durations: more than 0."""
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {value:g}")
    return value


def non_negative_float(text: str) -> float:
    """Weights and limits where 0 means off."""
    value = _number(text, float)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value:g}")
    return value


def fraction(
    low: float = 0.0, high: float = 1.0, *, low_open: bool = False, high_open: bool = False
) -> Callable[[str], float]:
    """A number in ``[low, high]``; ``low_open``/``high_open`` leave that end out."""
    shown = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"

    def in_range(text: str) -> float:
        value = _number(text, float)
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if not (above and below):
            raise argparse.ArgumentTypeError(f"must be in {shown}, not {value:g}")
        return value

    in_range.__name__ = f"number in {shown}"
    return in_range


def utf8_text(text: str) -> str:
    """Command-line text: Python turns bytes that are not UTF-8 into lone surrogates."""
    if not is_utf8(text):
        raise argparse.ArgumentTypeError(
            "is not valid UTF-8 text; set the terminal to UTF-8 (e.g. LANG=C.UTF-8) and retype it"
        )
    return text


def is_utf8(text: str) -> bool:
    """False when ``text`` holds lone surrogates (undecodable bytes kept by surrogateescape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
