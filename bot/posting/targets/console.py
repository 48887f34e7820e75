"""The console target: scheduled posts printed to a stream instead of sent."""

from __future__ import annotations

import itertools
from typing import TextIO


class ConsoleTarget:
    """Prints scheduled posts instead of sending them (``deepciso bot --console``, and the
    demo's dry run, which names one such target per place it would post to)."""

    def __init__(
        self, stream: TextIO | None = None, name: str = "console", label: str = "[scheduled post]"
    ) -> None:
        import sys

        self.stream = stream or sys.stdout
        self.name = name
        self.label = label
        self.problem: str | None = None
        self._ids = itertools.count(1)

    async def send(self, text: str, nonce: str | None = None) -> str:
        print(f"{self.label} {text}", file=self.stream, flush=True)
        return f"{self.name.split(':')[0]}-{next(self._ids)}"
