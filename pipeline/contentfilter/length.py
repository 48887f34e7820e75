"""Length per target: a minimum everywhere, 2,000 characters on Discord, 280 weighted on X."""

from __future__ import annotations

from pipeline.contentfilter.verdict import Target
from pipeline.contentfilter.xlength import X_MAX_WEIGHTED, x_weighted_length

DISCORD_MAX_CHARS = 2000


def discord_length(text: str) -> int:
    """Discord's count, taken as UTF-16 code units (never below the code-point count)."""
    return len(text.encode("utf-16-le")) // 2


def length_reasons(text: str, target: Target, min_chars: int) -> list[str]:
    """``too_short``/``too_long`` reasons for ``text`` posted to ``target``."""
    reasons = []
    if len(text) < min_chars:
        reasons.append(f"too_short: {len(text)} characters, fewer than {min_chars}")
    if target is Target.DISCORD and (n := discord_length(text)) > DISCORD_MAX_CHARS:
        reasons.append(f"too_long: {n} characters, Discord allows {DISCORD_MAX_CHARS}")
    elif target is Target.X and (n := x_weighted_length(text)) > X_MAX_WEIGHTED:
        reasons.append(f"too_long: weighted length {n}, X allows {X_MAX_WEIGHTED}")
    return reasons
