"""Why a post to one target failed: one exception per kind, each saying what happens next.

X (:mod:`bot.posting.targets.x`) and Discord (:mod:`bot.posting.targets.discord`) translate their
own errors into these, so the scheduler handles every target the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# When a target says "too many requests" without saying until when.
RATE_LIMIT_FALLBACK = timedelta(minutes=15)


class PostError(Exception):
    """A post did not happen; ``str(exc)`` is one line for the log and the ledger."""

    outcome = "error"


class RateLimited(PostError):
    """Too many posts for now: send again at ``retry_at`` (the slot stays pending)."""

    outcome = "rate_limited"

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at

    @classmethod
    def until(cls, reason: str, retry_at: datetime | None) -> RateLimited:
        """``reason``, to retry at ``retry_at`` (never in the past), or after
        :data:`RATE_LIMIT_FALLBACK` when the target did not say when."""
        now = datetime.now(UTC)
        when = max(retry_at or now + RATE_LIMIT_FALLBACK, now)
        return cls(f"{reason}; retrying at {when.isoformat(timespec='seconds')}", when)


class DuplicateText(PostError):
    """The target refused the text as a duplicate of an earlier post: generate a new one."""

    outcome = "duplicate"


class TargetUnhealthy(PostError):
    """Credentials or permissions are wrong (401/403, missing channel): stop using the target."""

    outcome = "unhealthy"


class TransientError(PostError):
    """A server error, timeout or broken connection: retry a bounded number of times."""

    outcome = "transient"


class PostRejected(PostError):
    """The target refused this post for good (bad request, too long): no retry."""

    outcome = "rejected"

