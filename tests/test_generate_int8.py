"""The int8 path (CTranslate2): the same logits as transformers, fallbacks, no deprecated API."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM

from pipeline.generate.ctranslate2_engine import Int8Engine
from pipeline.generate.generator import Generator, SamplingSettings
from tests.fixtures_model import make_tiny_model_dir

ROOT = Path(__file__).resolve().parents[1]
GREEDY = SamplingSettings(temperature=0, repetition_penalty=1.0, max_new_tokens=8)


@pytest.fixture(scope="module", params=["gpt2", "gpt_neo"])
def folder(tmp_path_factory, request):
    return make_tiny_model_dir(tmp_path_factory.mktemp("tiny") / "m", architecture=request.param)


@pytest.fixture(scope="module")
def model(folder):
    return AutoModelForCausalLM.from_pretrained(folder).eval()


def test_converted_model_computes_transformers_logits(model):
    """In float32 the conversion is exact (GPT-Neo's fused, rescaled queries included)."""
    ids = torch.randint(1, 300, (3, 9), generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        reference = model(input_ids=ids).logits.float()
    engine = Int8Engine.load(model, threads=1, compute_type="float32")
    torch.testing.assert_close(engine.logits(ids), reference, atol=1e-5, rtol=1e-5)


def test_int8_logits_stay_close_to_fp32(model):
    """int8 keeps one scale per weight row and quantizes activations per row: each product is
    off by at most half a step of each (1/254 of the row's largest value), which summed over
    the tiny model's layers moves a logit by a few thousandths (measured 0.005-0.006 on logits
    up to 0.66). 0.03 is five times that and still a tenth of the logits' own spread; the
    real-data check is bench/int8_quality.py's validation loss."""
    ids = torch.randint(1, 300, (3, 9), generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        reference = model(input_ids=ids).logits.float()
    logits = Int8Engine.load(model, threads=1).logits(ids)
    assert (logits - reference).abs().max() < 0.03
    assert (logits - reference).abs().max() < 0.1 * (reference.max() - reference.min())


def test_int8_generation_follows_the_settings(folder):
    generator = Generator.load(folder, int8=True)
    assert generator.info["engine"] == "ctranslate2 int8"
    generator._banned[generator.eos_id] = True  # nothing may end: every row is full length
    settings = SamplingSettings(max_new_tokens=6)
    rows = generator.engine.generate(
        [[0, 5, 6], [0, 7]] * 2, settings, seed=3, end_id=generator.eos_id, banned=[0, 9]
    )
    assert [len(row) for row in rows] == [6] * 4
    assert not {0, 9} & {token for row in rows for token in row}
    assert len({tuple(row) for row in rows}) > 1  # rows are sampled independently
    greedy = generator.engine.generate([[0, 5, 6]] * 2, GREEDY, seed=1, end_id=0, banned=[])
    assert greedy[0] == greedy[1]


def test_banned_tokens_are_built_into_the_output_head(model):
    engine = Int8Engine.load(model, threads=1, banned=[5, 9])
    logits = engine.logits(torch.tensor([[0, 11, 12]]))
    assert torch.isinf(logits[..., [5, 9]]).all() and torch.isfinite(logits[..., :5]).all()
    plain = SamplingSettings(temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=30)
    rows = engine.generate([[0, 7]] * 8, plain, seed=2, end_id=0, banned=[0, 5, 9])
    assert not {0, 5, 9} & {token for row in rows for token in row}


def test_gpt_neo_beyond_its_window_runs_on_torch(tmp_path):
    folder = make_tiny_model_dir(tmp_path / "m", architecture="gpt_neo")  # window of 16
    generator = Generator.load(folder, int8=True)
    assert generator.engine.supports(16) and not generator.engine.supports(17)
    short = generator.generate(["log4j"], settings=GREEDY)  # 8 new tokens: in the window
    longer = SamplingSettings(temperature=0, max_new_tokens=20)  # beyond: torch, fp32
    long = generator.generate(["log4j"], settings=longer)
    assert short[0].startswith("log4j") and long[0].startswith("log4j")


def test_int8_falls_back_to_torch_fp32_without_ctranslate2(folder, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # "not installed": import fails
    with caplog.at_level(logging.WARNING):
        generator = Generator.load(folder, int8=True)
    assert generator.engine is None and generator.info["engine"] == "torch fp32"
    assert generator.info["int8"] is False
    assert "int8 needs CTranslate2" in caplog.text
    fp32 = Generator.load(folder)
    assert generator.generate(["log4j"], settings=GREEDY) == fp32.generate(
        ["log4j"], settings=GREEDY
    )


SCRIPT = textwrap.dedent(
    """
    import sys, warnings
    # every deprecation notice torch or transformers raises on the way is an error
    for category in (DeprecationWarning, FutureWarning):
        warnings.filterwarnings("error", category=category, module=r"(torch|transformers)(\\.|$)")
    from pipeline.generate.generator import Generator, SamplingSettings
    for int8 in (True, False):
        generator = Generator.load(sys.argv[1], int8=int8)
        print(generator.info["engine"], generator.generate(["log4j"], n=2, seed=7)[1])
    """
)


def run_generation(folder: Path) -> str:
    command = [
        sys.executable, "-W", "error::DeprecationWarning:torch",
        "-W", "error::DeprecationWarning:transformers", "-c", SCRIPT, str(folder),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_generation_raises_no_deprecation_warning_and_a_seed_repeats_run_to_run(folder):
    first = run_generation(folder)
    assert "ctranslate2 int8" in first and "torch fp32" in first
    assert run_generation(folder) == first


def test_generation_path_hides_no_warning_and_uses_no_deprecated_api():
    """The subprocess test above would not see a warning the code silenced itself."""
    banned = ("torch.jit", "torch.ao", "quantize_dynamic", "simplefilter(", "catch_warnings")
    for path in sorted((ROOT / "pipeline" / "generate").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not [name for name in banned if name in text], path.name
