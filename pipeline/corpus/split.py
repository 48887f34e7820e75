"""The deterministic validation split: a tweet's side depends only on its id."""

from __future__ import annotations

import hashlib

_SCALE = 2**64


def is_validation(tweet_id: object, fraction: float) -> bool:
    """True for about ``fraction`` of ids, always the same ones, however the database grows."""
    if fraction <= 0:
        return False
    digest = hashlib.blake2b(str(tweet_id).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SCALE < fraction
