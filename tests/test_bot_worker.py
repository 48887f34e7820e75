"""The generation worker on its own: micro-batching, bounds, timeouts, hot reload, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from bot.serving.services import open_worker
from bot.serving.watch import ModelWatcher
from bot.serving.worker import ReloadFailed, WorkerBusy, WorkerError, WorkerTimeout
from pipeline.atomic import replace_dir
from pipeline.contentfilter import Target
from tests.fixtures_bot import blocked, bot_settings, tiny_model

OLD, NEW = "2026-01-01T00:00:00+00:00", "2026-02-02T00:00:00+00:00"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return tiny_model(tmp_path_factory.mktemp("worker") / "trained_model")


def with_worker(model_dir, scenario, **overrides):
    async def main():
        worker = await open_worker(bot_settings(model_dir, **overrides), Target.DISCORD)
        try:
            return await scenario(worker)
        finally:
            await worker.close()

    return asyncio.run(asyncio.wait_for(main(), 60))


def test_prompts_that_arrive_together_share_one_generate_call(model_dir):
    async def scenario(worker):
        async with blocked(worker):
            futures = [worker.submit(f"prompt {i}") for i in range(5)]
        memes = await asyncio.gather(*(worker.result(f) for f in futures))
        assert [m.prompt for m in memes] == [f"prompt {i}" for i in range(5)]
        assert all(m.text.startswith(m.prompt) for m in memes)
        assert worker.stats.batches == 1 and worker.stats.largest_batch == 5

    with_worker(model_dir, scenario)


def test_batches_are_capped_at_batch_size(model_dir):
    async def scenario(worker):
        async with blocked(worker):
            futures = [worker.submit(f"prompt {i}") for i in range(5)]
        await asyncio.gather(*(worker.result(f) for f in futures))
        assert worker.stats.batches == 3 and worker.stats.largest_batch == 2

    with_worker(model_dir, scenario, batch_size=2)


def test_full_queue_refuses_at_once_and_frees_up(model_dir):
    async def scenario(worker):
        async with blocked(worker):
            first = [worker.submit("a"), worker.submit("b")]
            with pytest.raises(WorkerBusy, match="busy"):
                worker.submit("c")
            assert worker.queue_depth == 2
        await asyncio.gather(*(worker.result(f) for f in first))
        assert worker.queue_depth == 0
        assert (await worker.generate("d")).prompt == "d"
        assert worker.stats.busy == 1

    with_worker(model_dir, scenario, queue_size=2)


def test_timeout_skips_the_prompt_and_the_worker_survives(model_dir):
    async def scenario(worker):
        async with blocked(worker):
            with pytest.raises(WorkerTimeout):
                await worker.generate("too late")
            assert worker.queue_depth == 0  # the slot is free again at once
        assert (await worker.generate("in time")).prompt == "in time"
        assert worker.stats.skipped == 1 and worker.stats.answered == 1

    with_worker(model_dir, scenario, request_timeout_seconds=0.3)


def test_reload_finishes_queued_prompts_on_the_old_model_then_swaps(tmp_path):
    model_dir = tiny_model(tmp_path / "trained_model", OLD)
    newer = tiny_model(tmp_path / "newer", NEW, seed=1)

    async def scenario(worker):
        async with blocked(worker):
            queued = [worker.submit(f"old {i}") for i in range(3)]
            replace_dir(newer, model_dir)
            reload = asyncio.create_task(worker.reload())
            await asyncio.sleep(0.3)  # loading beside the old model; the swap waits its turn
            assert not reload.done() and worker.generator_info["trained_at"] == OLD
        memes = [await worker.result(f) for f in queued]
        info = await reload
        assert {m.trained_at for m in memes} == {OLD}
        assert info["trained_at"] == NEW
        assert (await worker.generate("new")).trained_at == NEW
        assert worker.stats.reloads == 1

    with_worker(model_dir, scenario)


def test_failed_reload_keeps_the_old_model(tmp_path):
    model_dir = tiny_model(tmp_path / "trained_model", OLD)

    async def scenario(worker):
        (model_dir / "model.safetensors").write_bytes(b"truncated")
        with pytest.raises(ReloadFailed, match="trained_model"):
            await worker.reload()
        assert worker.generator_info["trained_at"] == OLD
        assert (await worker.generate("still")).trained_at == OLD

    with_worker(model_dir, scenario)


def test_watcher_reloads_a_newer_model_once_and_skips_a_broken_one(tmp_path):
    model_dir = tiny_model(tmp_path / "trained_model", OLD)

    async def scenario(worker):
        watcher = ModelWatcher(worker, interval=3600)
        assert not await watcher.check()  # nothing changed
        replace_dir(tiny_model(tmp_path / "newer", NEW, seed=1), model_dir)
        assert await watcher.check()
        assert worker.generator_info["trained_at"] == NEW
        assert not await watcher.check()  # same folder: no second reload
        (model_dir / "config.json").write_text("{ broken")
        assert not await watcher.check()
        assert worker.generator_info["trained_at"] == NEW and worker.stats.reloads == 1

    with_worker(model_dir, scenario)


def test_scheduled_posts_get_filtered_text_without_a_prompt(model_dir):
    async def scenario(worker):
        result = await worker.generate_post(Target.X)
        assert result.text and result.candidates >= 1
        assert worker.content_filter.check(result.text, Target.X).passed

    with_worker(model_dir, scenario)


def test_close_fails_waiting_prompts_instead_of_hanging(model_dir):
    async def scenario(worker):
        async with blocked(worker) as release:
            waiting = worker.submit("never")
            closing = asyncio.create_task(worker.close())
            await asyncio.sleep(0.05)
            release.set()
            await closing
        with pytest.raises(WorkerError, match="shutting down"):
            await waiting
        with pytest.raises(WorkerError, match="not running"):
            worker.submit("after")

    with_worker(model_dir, scenario)


def test_worker_settings_follow_the_filter_keys(model_dir):
    """Candidates per prompt are the filter's keys: 9 tried in rounds of 3, then a refusal."""
    from bot.serving.services import worker_settings

    env = {
        "DEEPCISO_FILTER_BATCH_SIZE": "3",
        "DEEPCISO_FILTER_MAX_CANDIDATES": "9",
        "DEEPCISO_FILTER_MIN_CHARS": "100000",  # nothing the tiny model writes is long enough
    }

    async def scenario(worker):
        filtering = worker.content_filter.settings
        assert (filtering.batch_size, filtering.max_candidates) == (3, 9)
        with pytest.raises(WorkerError, match="None of the 9 memes I made"):
            await worker.generate("the printer")
        assert worker.content_filter.checked == 9

    with_worker(model_dir, scenario, environ=env)
    settings = bot_settings(model_dir, env)
    built = worker_settings(settings.serving, Target.DISCORD)
    assert built.sampling.max_new_tokens == settings.serving.max_new_tokens
