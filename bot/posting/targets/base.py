"""What the scheduler posts to: the :class:`PostTarget` contract that every target meets.

A target has a ledger ``name``, a ``problem`` (None while healthy; shown in status) and
``send(text, nonce) -> remote id``, raising :mod:`bot.posting.errors` on failure.
"""

from __future__ import annotations

from typing import Protocol


class PostTarget(Protocol):
    name: str
    problem: str | None

    async def send(self, text: str, nonce: str | None = None) -> str: ...
