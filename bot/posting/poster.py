"""The interface between the bot's admin commands and scheduled posting.

Scheduled posts (APScheduler, the post ledger, X) implement :class:`Poster` and attach it with
``bot.poster = ...`` (or pass it to :class:`~bot.app.DeepcisoBot`). Without one, the admin
commands say that scheduled posting is not set up and change nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable


class PostingNotConfigured(Exception):
    """There is no scheduler: nothing was posted, paused or resumed."""

    def __init__(self) -> None:
        super().__init__(
            "Scheduled posting is not set up in this bot, so nothing was changed or posted."
        )


@runtime_checkable
class Poster(Protocol):
    """What ``/deepciso post|pause|resume|status`` need from the scheduler."""

    @property
    def paused(self) -> bool: ...

    async def post_now(self) -> str:
        """Post one scheduled meme to every target now; a one-line summary of what happened."""
        ...

    def pause(self) -> None:
        """Stop scheduled posts until :meth:`resume` (a post already sending finishes)."""
        ...

    def resume(self) -> None: ...

    def upcoming(self, count: int = 3) -> list[datetime]:
        """The next scheduled post times, soonest first."""
        ...

    def status_lines(self) -> list[str]:
        """Short lines for ``/deepciso status``: targets' health, today's posts, budget."""
        ...


def require(poster: Poster | None) -> Poster:
    """``poster``, or :class:`PostingNotConfigured` when scheduled posting is not set up."""
    if poster is None:
        raise PostingNotConfigured()
    return poster
