"""Build what the bot and console mode share, from the settings: the worker, the prompt gate."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from bot.serving.prompts import PromptGate
from bot.serving.worker import GenerationWorker, Loader, WorkerSettings
from bot.settings import BotSettings
from pipeline.contentfilter import ContentFilter, FilterSettings, Target
from pipeline.errors import UserError
from pipeline.generate.generator import Generator, SamplingSettings


def worker_settings(settings: BotSettings, target: Target) -> WorkerSettings:
    """Batching and sampling; candidates per prompt are the filter's (``DEEPCISO_FILTER_*``)."""
    return WorkerSettings(
        queue_size=settings.queue_size,
        batch_size=settings.batch_size,
        batch_wait=settings.batch_wait_ms / 1000,
        timeout=settings.request_timeout_seconds,
        sampling=SamplingSettings(
            max_new_tokens=settings.max_new_tokens, temperature=settings.temperature
        ),
        target=target,
    )


def model_loader(settings: BotSettings) -> Loader:
    return functools.partial(Generator.load, int8=settings.int8, num_threads=settings.num_threads)


def output_filter(settings: BotSettings):
    """The filter for generated text: the filter's own .env keys, novelty against the corpus
    the model was trained on (``deepciso.json``'s ``corpus``) when that file is here."""

    def build(generator: Generator) -> ContentFilter:
        corpus = generator.info.get("corpus")
        path = Path(corpus) if corpus and Path(corpus).is_file() else None
        return ContentFilter.from_env(settings.environ, corpus=path)

    return build


async def open_worker(settings: BotSettings, target: Target) -> GenerationWorker:
    """Load ``MODEL_DIR`` and start the generation thread (a bad folder raises UserError)."""
    try:
        return await GenerationWorker.open(
            settings.model_dir,
            output_filter(settings),
            worker_settings(settings, target),
            loader=model_loader(settings),
        )
    except UserError as exc:
        raise UserError(f"MODEL_DIR: {exc}") from None


def prompt_gate(settings: BotSettings, target: Target) -> PromptGate:
    """Prompts get their own filter: the same profanity and ping rules, but a prompt may be
    short and may quote the corpus or a recent post."""
    filtering = dataclasses.replace(
        FilterSettings.from_env(settings.environ), min_chars=1, novelty_words=0, recent_posts=0
    )
    return PromptGate(ContentFilter(filtering), settings.prompt_max_chars, target)
