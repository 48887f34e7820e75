"""The lean decoders (the torch path) compute what transformers computes, padded and GPT-Neo."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM

from pipeline.generate.decoding import GPT2Decoder, GPTNeoDecoder, TransformersDecoder, decoder_for
from tests.fixtures_model import make_tiny_model_dir


@pytest.fixture(scope="module", params=["gpt2", "gpt_neo"])
def model(tmp_path_factory, request):
    folder = make_tiny_model_dir(tmp_path_factory.mktemp("tiny") / "m", architecture=request.param)
    return AutoModelForCausalLM.from_pretrained(folder).eval()


def reference_logits(model, ids, attention):
    """Full forward of transformers' model over the whole sequence, last position."""
    positions = (attention.cumsum(-1) - 1).clamp(min=0)
    out = model(input_ids=ids, attention_mask=attention, position_ids=positions)
    return out.logits[:, -1].float()


@pytest.mark.parametrize("padded", [False, True])
def test_decoder_logits_match_transformers(model, padded):
    torch.manual_seed(0)
    ids = torch.randint(1, 300, (3, 7))
    attention = torch.ones_like(ids)
    if padded:
        attention[0, :4] = 0
        attention[2, :2] = 0
    decoder = decoder_for(model, total_length=11)
    assert isinstance(decoder, GPT2Decoder | GPTNeoDecoder)
    with torch.inference_mode():
        positions = (attention.cumsum(-1) - 1).clamp(min=0)
        logits = decoder.start(ids, attention, positions, max_new_tokens=4)
        torch.testing.assert_close(logits, reference_logits(model, ids, attention))
        for _ in range(4):
            token = logits.argmax(-1, keepdim=True)
            ids = torch.cat([ids, token], dim=1)
            attention = torch.cat([attention, torch.ones_like(token)], dim=1)
            positions = positions[:, -1:] + 1
            logits = decoder.step(token, positions)
            torch.testing.assert_close(logits, reference_logits(model, ids, attention))


def test_sequences_beyond_gpt_neo_window_use_transformers(model):
    lean = GPT2Decoder if model.config.model_type == "gpt2" else GPTNeoDecoder
    assert isinstance(decoder_for(model, total_length=16), lean)
    # the tiny GPT-Neo's local layers see 16 tokens: longer sequences need its sliding window
    expected = lean if lean is GPT2Decoder else TransformersDecoder
    assert isinstance(decoder_for(model, total_length=17), expected)


def test_network_is_built_once_per_model(model):
    first, second = decoder_for(model, total_length=8), decoder_for(model, total_length=12)
    assert first.network is second.network
    assert not isinstance(first.network, torch.jit.ScriptModule)  # plain eager modules
