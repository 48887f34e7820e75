"""The generation engine on real tiny models: one that learned the sample lines, steered ones."""

from __future__ import annotations

import logging

import pytest

from pipeline.errors import UserError
from pipeline.generate.generator import MAX_ATTEMPTS, Generator, SamplingSettings
from tests.fixtures_generate import TOKENIZER_FILE, make_memorized_model_dir, steer_model_dir
from tests.fixtures_model import SAMPLE_LINES, make_tiny_model_dir

GREEDY = SamplingSettings(temperature=0, repetition_penalty=1.0)
PLAIN = SamplingSettings(temperature=1.0, top_k=0, top_p=1.0, repetition_penalty=1.0)
PROMPTS = ["log4j called", "mfa fatigue", "our firewall rules were"]


@pytest.fixture(scope="module")
def memorized(tmp_path_factory):
    return Generator.load(make_memorized_model_dir(tmp_path_factory.mktemp("mem") / "m"))


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return make_tiny_model_dir(tmp_path_factory.mktemp("tiny") / "m")


def expected_line(prompt: str) -> str:
    return next(line for line in SAMPLE_LINES if line.startswith(prompt))


def test_greedy_recites_what_the_model_learned_and_stops_at_endoftext(memorized):
    outputs = memorized.generate(PROMPTS, settings=GREEDY)
    assert outputs == [expected_line(p) for p in PROMPTS]


def test_prompt_left_out_when_asked(memorized):
    settings = SamplingSettings(temperature=0, repetition_penalty=1.0, include_prompt=False)
    outputs = memorized.generate(PROMPTS, settings=settings)
    assert outputs == [expected_line(p).removeprefix(p).strip() for p in PROMPTS]


def test_outputs_come_prompt_by_prompt_n_each(memorized):
    outputs = memorized.generate(PROMPTS, n=3, seed=5, settings=SamplingSettings(temperature=0.5))
    assert len(outputs) == 9
    for index, output in enumerate(outputs):
        assert output.startswith(PROMPTS[index // 3])


def test_unprompted_outputs_are_tweets_of_the_corpus(memorized):
    outputs = memorized.generate(n=6, seed=3)
    assert len(outputs) == 6
    assert all(output and "<|endoftext|>" not in output for output in outputs)
    assert sum(output in SAMPLE_LINES for output in outputs) >= 4


def test_capitalised_prompt_meets_a_lowercase_model(memorized):
    assert memorized.info["lowercase_prompts"] is True
    assert memorized.generate(["LOG4J Called"], settings=GREEDY) == [
        "LOG4J Called" + expected_line("log4j called").removeprefix("log4j called")
    ]


def test_int8_path_keeps_what_the_model_learned(memorized):
    int8 = Generator.load(memorized.model_dir, int8=True)
    assert int8.info["int8"] is True and int8.info["engine"] == "ctranslate2 int8"
    assert int8.generate(PROMPTS, settings=GREEDY) == [expected_line(p) for p in PROMPTS]


@pytest.mark.parametrize("architecture", ["gpt2", "gpt_neo"])
def test_left_padded_batch_equals_one_by_one(tmp_path, architecture):
    generator = Generator.load(make_tiny_model_dir(tmp_path / "m", architecture=architecture))
    prompts = ["log4j", "the intern found the password on a", "zero trust means"]
    settings = SamplingSettings(temperature=0, max_new_tokens=20)
    batched = generator.generate(prompts, settings=settings)
    assert batched == [generator.generate([p], settings=settings)[0] for p in prompts]


def test_same_seed_same_outputs_other_seed_other_outputs(tiny_dir):
    generator = Generator.load(tiny_dir)
    first = generator.generate(["log4j"], n=4, seed=7, settings=PLAIN)
    assert generator.generate(["log4j"], n=4, seed=7, settings=PLAIN) == first
    assert generator.generate(["log4j"], n=4, seed=8, settings=PLAIN) != first
    assert len(set(first)) > 1  # rows of one batch are sampled independently


def test_prompt_longer_than_the_context_keeps_its_end(tiny_dir):
    generator = Generator.load(tiny_dir)
    prompt = " ".join(["patch tuesday"] * 200)  # far beyond the 128-token context
    (output,) = generator.generate([prompt], settings=SamplingSettings(max_new_tokens=10), seed=1)
    assert output.startswith(prompt)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_new_tokens", 0),
        ("temperature", -1),
        ("top_k", -1),
        ("top_p", 0),
        ("repetition_penalty", 0),
    ],
)
def test_bad_settings_are_user_errors(tiny_dir, field, value):
    generator = Generator.load(tiny_dir)
    with pytest.raises(UserError, match=field):
        generator.generate(settings=SamplingSettings(**{field: value}))


def test_more_new_tokens_than_the_context_is_a_user_error(tiny_dir):
    with pytest.raises(UserError, match="context length 128"):
        Generator.load(tiny_dir).generate(settings=SamplingSettings(max_new_tokens=128))


def token_id(generator_dir, token: str) -> int:
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(generator_dir / TOKENIZER_FILE)).token_to_id(token)


def test_a_model_eager_to_end_still_writes_something(tiny_dir, tmp_path):
    visible = token_id(tiny_dir, "Ġthe")
    folder = steer_model_dir(tiny_dir, tmp_path / "m", {0: 30.0, visible: 20.0})
    outputs = Generator.load(folder).generate(n=3, settings=PLAIN, seed=1)
    assert outputs == ["the"] * 3  # <|endoftext|> waited for one visible token, then ended


def test_special_tokens_never_reach_the_text(tiny_dir, tmp_path):
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM

    source = tmp_path / "with_pad"
    source.mkdir()
    tokenizer = Tokenizer.from_file(str(tiny_dir / TOKENIZER_FILE))
    tokenizer.add_special_tokens(["<|pad|>"])
    tokenizer.save(str(source / TOKENIZER_FILE))
    model = AutoModelForCausalLM.from_pretrained(tiny_dir)
    model.resize_token_embeddings(tokenizer.get_vocab_size())
    model.save_pretrained(source)
    pad = tokenizer.token_to_id("<|pad|>")
    visible = tokenizer.token_to_id("Ġthe")
    folder = steer_model_dir(source, tmp_path / "m", {pad: 30.0, visible: 20.0})
    settings = SamplingSettings(max_new_tokens=5, repetition_penalty=1.0)
    outputs = Generator.load(folder).generate(n=4, settings=settings, seed=1)
    assert outputs == ["the the the the the"] * 4


def test_empty_outputs_are_retried_until_they_have_text(tiny_dir, tmp_path, caplog):
    import math

    space, visible = token_id(tiny_dir, "Ġ"), token_id(tiny_dir, "Ġthe")
    # one token each: a blank one with probability 0.3, "the" with 0.7
    folder = steer_model_dir(tiny_dir, tmp_path / "m", {space: 20.0, visible: 20 + math.log(7 / 3)})
    settings = SamplingSettings(max_new_tokens=1, temperature=1, top_k=0, top_p=1.0)
    with caplog.at_level(logging.DEBUG, logger="pipeline.generate.generator"):
        outputs = Generator.load(folder).generate(n=8, settings=settings, seed=0)
    assert outputs == ["the"] * 8
    assert any("retrying" in record.message for record in caplog.records)


def test_a_model_that_only_writes_blanks_is_a_user_error(tiny_dir, tmp_path):
    space = token_id(tiny_dir, "Ġ")
    folder = steer_model_dir(tiny_dir, tmp_path / "m", {0: 30.0, space: 20.0})
    with pytest.raises(UserError, match=f"only empty text {MAX_ATTEMPTS} times"):
        Generator.load(folder).generate(settings=SamplingSettings(max_new_tokens=3))
