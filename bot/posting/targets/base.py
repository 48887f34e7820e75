"""What the scheduler posts to: the :class:`PostTarget` contract that every target meets.

A target has a ledger ``name``, a ``problem`` (None while healthy; shown in status) and
``send(text, nonce) -> remote id``, raising :mod:`bot.posting.errors` on failure.

Optional members the slot runner uses when a target has them: ``max_length`` (the graphemes
a post may have: Bluesky, Mastodon), ``async prepare()`` (learn limits from the server before
a meme is generated: Mastodon) and ``async find_post(text, since) -> remote id | None`` (look
for a post that may have landed before sending it again: Bluesky).
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.posting.errors import TargetUnhealthy

log = logging.getLogger(__name__)


class PostTarget(Protocol):
    name: str
    problem: str | None

    async def send(self, text: str, nonce: str | None = None) -> str: ...


def mark_unhealthy(target: PostTarget, label: str, problem: str) -> TargetUnhealthy:
    """Set ``target.problem`` (status shows it; the runner stops posting to the target until
    a restart), log it, and return the error to raise."""
    target.problem = problem
    log.error("%s target unhealthy: %s", label, problem)
    return TargetUnhealthy(problem)
