"""``deepciso bot --console``: the bot's logic in a terminal, without Discord or a token.

Type the first words of a meme and get the filtered meme back, exactly as ``/deepciso prompt``
would answer (same prompt checks, same worker, same filter). ``/status``, ``/reload``,
``/post`` and ``/quit`` mirror the admin commands.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TextIO

from bot.posting import poster as posting
from bot.posting.build import build_poster
from bot.posting.poster import Poster
from bot.posting.scheduler import PostScheduler
from bot.serving.prompts import PromptRejected
from bot.serving.services import open_worker, prompt_gate
from bot.serving.worker import GenerationWorker, ReloadFailed, WorkerError
from bot.settings import Settings
from bot.status import status_lines
from pipeline.contentfilter import Target

HELP = "Type the first words of a meme. Commands: /status, /reload, /post, /quit."


async def run_console(
    settings: Settings,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    poster: Poster | None = None,
) -> int:
    worker = await open_worker(settings, Target.CONSOLE)
    gate = prompt_gate(settings, Target.CONSOLE)
    started = time.monotonic()
    print(f"DeepCISO console, model {worker.serving_dir}. {HELP}", file=out, flush=True)
    if poster is None and settings.posting.scheduled:  # scheduled posts are printed, not sent
        poster = build_poster(settings, worker, console=out)
    if isinstance(poster, PostScheduler):
        await poster.start()
    try:
        while True:
            print("> ", end="", file=out, flush=True)
            line = await asyncio.to_thread(stdin.readline)
            if not line or line.strip() in ("/quit", "/exit"):
                break
            reply = await _answer(line.strip(), worker, gate, poster, started)
            print(reply, file=out, flush=True)
    finally:
        if isinstance(poster, PostScheduler):
            await poster.stop()
        await worker.close()
    return 0


async def _answer(text: str, worker: GenerationWorker, gate, poster, started: float) -> str:
    try:
        if text == "/status":
            return "\n".join(status_lines(worker, poster, started))
        if text == "/reload":
            info = await worker.reload()
            return f"Now serving {worker.serving_dir} (trained {info.get('trained_at', '?')})."
        if text == "/post":
            return await posting.require(poster).post_now()
        if text.startswith("/"):
            return HELP
        return (await worker.generate(gate.admit(text))).text
    except (PromptRejected, WorkerError, ReloadFailed, posting.PostingNotConfigured) as exc:
        return str(exc)
