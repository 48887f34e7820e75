"""generate_clean: ask for candidates in batches until one passes, never return a rejected one."""

from __future__ import annotations

import pytest

from pipeline.contentfilter import (
    NO_CLEAN_MEME,
    ContentFilter,
    FilterSettings,
    Target,
    clean_memes,
    generate_clean,
)
from tests.fixtures_filter import default_filter
from tests.fixtures_model import SAMPLE_LINES, make_tiny_model_dir


class Scripted:
    """A generator that returns prepared texts in order and records the batch sizes asked."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = list(texts)
        self.asked: list[int] = []

    def __call__(self, n: int) -> list[str]:
        self.asked.append(n)
        batch, self.texts = self.texts[:n], self.texts[n:]
        return batch


def test_returns_the_first_clean_candidate_and_the_rejected_ones():
    generate = Scripted(["what the f*ck", "tiny", "@everyone a fine meme about $aapl", "later"])
    result = generate_clean(generate, default_filter(), batch_size=2, max_candidates=16)
    assert result.text == "a fine meme about $aapl"
    assert result.candidates == 3
    assert [text for text, _ in result.rejected] == ["what the f*ck", "tiny"]
    assert result.rejected[0][1][0].startswith("profanity:")
    assert generate.asked == [2, 2]
    assert result.summary() == "a fine meme about $aapl"


def test_gives_up_after_max_candidates_without_a_rejected_text():
    generate = Scripted(["tiny"] * 100)
    result = generate_clean(generate, default_filter(), batch_size=4, max_candidates=10)
    assert result.text is None
    assert result.candidates == 10 and len(result.rejected) == 10
    assert generate.asked == [4, 4, 2]
    assert result.summary().startswith(f"{NO_CLEAN_MEME} (10 candidates rejected: too_short 10")


def test_an_empty_batch_ends_the_search():
    result = generate_clean(Scripted(["tiny"]), default_filter(), batch_size=4)
    assert result.text is None and result.candidates == 1
    assert generate_clean(Scripted([]), default_filter()).summary() == (
        f"{NO_CLEAN_MEME} (0 candidates rejected: none made)"
    )


def test_target_applies_its_length_limit():
    long_text = "the market is up today and the printer is still down " * 6
    to_x = generate_clean(Scripted([long_text]), default_filter(), target=Target.X)
    assert to_x.text is None
    to_discord = generate_clean(Scripted([long_text]), default_filter(), target=Target.DISCORD)
    assert to_discord.text == long_text.strip()


def test_prompt_is_passed_to_the_novelty_check(tmp_path):
    line = "zero trust means i trust nobody including this meeting invite"
    corpus = tmp_path / "model.txt"
    corpus.write_text(line + "\n", encoding="utf-8")
    content_filter = ContentFilter(corpus=corpus)
    outputs = [f"{line} and my coffee machine"]
    assert generate_clean(Scripted(outputs), content_filter).text is None
    assert generate_clean(Scripted(outputs), content_filter, prompt=line).text == outputs[0]


def test_bad_batch_settings_are_refused():
    with pytest.raises(ValueError):
        generate_clean(Scripted([]), default_filter(), batch_size=0)


def test_with_a_real_tiny_model(tmp_path):
    """Real sampling from a random-weight GPT-2: nothing rejected is ever returned."""
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM

    folder = make_tiny_model_dir(tmp_path / "m")
    model = AutoModelForCausalLM.from_pretrained(folder)
    tokenizer = Tokenizer.from_file(str(folder / "aitextgen.tokenizer.json"))
    torch.manual_seed(0)

    def generate(n: int) -> list[str]:
        start = torch.zeros((n, 1), dtype=torch.long)
        out = model.generate(start, do_sample=True, max_new_tokens=24, top_k=50, pad_token_id=0)
        return [tokenizer.decode(row.tolist(), skip_special_tokens=True) for row in out]

    corpus = tmp_path / "model.txt"
    corpus.write_text("\n".join(SAMPLE_LINES) + "\n", encoding="utf-8")
    content_filter = ContentFilter(corpus=corpus)
    result = generate_clean(generate, content_filter, batch_size=3, max_candidates=6)
    assert 1 <= result.candidates <= 6
    if result.text is not None:
        assert content_filter.check(result.text).passed
    for text, reasons in result.rejected:
        assert reasons and not content_filter.check(text).passed
    assert sum(content_filter.rejections.values()) >= len(result.rejected)


class Batched:
    """A generator object as the worker has it: ``n`` outputs per prompt, prompt 0's first;
    each prompt's outputs come from its own script. Records every call."""

    def __init__(self, scripts: dict[str, list[str]]) -> None:
        self.scripts = {prompt: list(texts) for prompt, texts in scripts.items()}
        self.calls: list[tuple[list[str], int, int | None]] = []

    def generate(self, prompts, n, settings=None, seed=None):
        self.calls.append((list(prompts), n, seed))
        out = []
        for prompt in prompts or [""]:
            batch, self.scripts[prompt] = self.scripts[prompt][:n], self.scripts[prompt][n:]
            out += batch
        return out


def test_clean_memes_batches_prompts_and_checks_each_against_its_own(tmp_path):
    line = "zero trust means i trust nobody including this meeting invite"
    corpus = tmp_path / "model.txt"
    corpus.write_text(line + "\n", encoding="utf-8")
    settings = FilterSettings(batch_size=2, max_candidates=6)
    content_filter = ContentFilter(settings, corpus=corpus)
    generator = Batched(
        {
            line: [f"{line} and my coffee machine", "later"],  # quotes the corpus: its prompt
            "the printer": ["tiny", "tiny", "the printer is the real apt again"],
        }
    )
    first, second = clean_memes(generator, [line, "the printer"], content_filter, seed=7)
    assert first.text == f"{line} and my coffee machine" and first.candidates == 1
    assert second.text == "the printer is the real apt again" and second.candidates == 3
    # round 1 asks for both prompts at once; round 2 only for the one still without a meme
    assert generator.calls == [([line, "the printer"], 2, 7), (["the printer"], 2, 8)]


def test_clean_memes_without_prompts_and_with_several_wanted():
    generator = Batched({"": ["tiny", "a fine meme about the vpn", "another fine meme", "x"]})
    [result] = clean_memes(generator, (), default_filter(), wanted=2, batch_size=4)
    assert result.passed == ["a fine meme about the vpn", "another fine meme"]
    assert result.text == result.passed[0] and result.candidates == 3
    assert generator.calls == [([], 4, None)]
