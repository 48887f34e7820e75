"""Build what the bot and console mode share, from the settings: the worker, the prompt gate."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from bot.serving.prompts import PromptGate
from bot.serving.worker import GenerationWorker, Loader, WorkerSettings
from bot.settings import ServingSettings, Settings
from pipeline.contentfilter import ContentFilter, FilterSettings, Target
from pipeline.errors import UserError
from pipeline.generate.generator import Generator, SamplingSettings


def worker_settings(serving: ServingSettings, target: Target) -> WorkerSettings:
    """Batching and sampling; candidates per prompt are the filter's (``DEEPCISO_FILTER_*``)."""
    return WorkerSettings(
        queue_size=serving.queue_size,
        batch_size=serving.batch_size,
        batch_wait=serving.batch_wait_ms / 1000,
        timeout=serving.request_timeout_seconds,
        sampling=SamplingSettings(
            max_new_tokens=serving.max_new_tokens, temperature=serving.temperature
        ),
        target=target,
    )


def model_loader(serving: ServingSettings) -> Loader:
    return functools.partial(Generator.load, int8=serving.int8, num_threads=serving.num_threads)


def output_filter(filtering: FilterSettings):
    """The filter for generated text: novelty against the corpus the model was trained on
    (``deepciso.json``'s ``corpus``) when that file is here."""

    def build(generator: Generator) -> ContentFilter:
        corpus = generator.info.get("corpus")
        path = Path(corpus) if corpus and Path(corpus).is_file() else None
        return ContentFilter(filtering, corpus=path)

    return build


async def open_worker(settings: Settings, target: Target) -> GenerationWorker:
    """Load ``MODEL_DIR`` and start the generation thread (a bad folder raises UserError)."""
    serving = settings.serving
    try:
        return await GenerationWorker.open(
            serving.model_dir,
            output_filter(settings.filter),
            worker_settings(serving, target),
            loader=model_loader(serving),
        )
    except UserError as exc:
        raise UserError(f"MODEL_DIR: {exc}") from None


def prompt_gate(settings: Settings, target: Target) -> PromptGate:
    """Prompts get their own filter: the same profanity and ping rules, but a prompt may be
    short and may quote the corpus or a recent post."""
    filtering = dataclasses.replace(settings.filter, min_chars=1, novelty_words=0, recent_posts=0)
    return PromptGate(ContentFilter(filtering), settings.serving.prompt_max_chars, target)
