"""The int8 path: the model converted to CTranslate2, a maintained C++ inference runtime.

CTranslate2 quantizes every linear layer to int8 (one scale per output row, activations
quantized on the fly) and runs the whole token loop in C++: KV cache, batching, top-k/top-p
sampling and the repetition penalty. It reads GPT-2 as it is; GPT-Neo goes in as the same
decoder spec with three changes that keep its arithmetic exact (``tests/test_generate_int8.py``
checks the logits against transformers'):

- its separate query/key/value projections become one fused projection (zero bias);
- GPT-Neo does not scale attention scores by 1/sqrt(head size) and CTranslate2 always does,
  so the query rows are multiplied by sqrt(head size) first;
- its local layers attend within a window, the same as global attention while the whole
  sequence fits in it, so :meth:`Int8Engine.supports` says no beyond the window.

The conversion takes well under a second for the ``seed`` preset (a few for GPT-Neo 125M) and
happens in memory plus a temporary folder that is removed once CTranslate2 has read it.
Replaced in issue 15: torch's eager-mode dynamic quantization and TorchScript, both deprecated.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

    from pipeline.generate.generator import SamplingSettings

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install ctranslate2 (./setup.sh installs it)"
# Intel MKL's packed int8 products (weights laid out once for the CPU): GPT-Neo 125M 21 -> 10 ms
# a token in bench/generate_latency.py, the same results. CTranslate2 reads it once, at its first
# product; set it to 0 in the environment to turn it off.
PACKED_GEMM_ENV = "CT2_USE_EXPERIMENTAL_PACKED_GEMM"
# Below this many parameters a model runs on one thread: its products are too small to share
# (the seed preset, 8.4M: 43 ms a reply on one thread, 76 ms on two; bench/generate_latency.py).
ONE_THREAD_BELOW = 50_000_000
# the 31-bit range CTranslate2's random seed takes
_SEED_RANGE = 2**31 - 1


def import_ctranslate2():
    """The ``ctranslate2`` module, or None when it is not installed (or will not load)."""
    os.environ.setdefault(PACKED_GEMM_ENV, "1")
    try:
        import ctranslate2
    except ImportError:
        return None
    return ctranslate2


def convertible(model) -> bool:
    """True for the architectures this module maps exactly: those the torch path's lean
    decoders compute (GPT-2 without its optional variants, GPT-Neo; tanh GELU)."""
    from pipeline.generate.decoding import GPT2Decoder, GPTNeoDecoder

    return GPT2Decoder.supports(model) or GPTNeoDecoder.supports(model, total_length=0)


class Int8Engine:
    """A GPT-2 or GPT-Neo model as a CTranslate2 int8 generator; build it with :meth:`load`."""

    def __init__(self, generator, model_config, ctranslate2, banned: Sequence[int] = ()) -> None:
        self.generator = generator
        self.banned = frozenset(banned)  # never sampled: the output head says so
        self.window = (
            model_config.window_size if model_config.model_type == "gpt_neo" else None
        )
        self._ctranslate2 = ctranslate2

    @classmethod
    def load(
        cls, model, threads: int, compute_type: str = "int8", banned: Sequence[int] = ()
    ) -> Int8Engine | None:
        """Convert ``model`` (a transformers GPT-2 or GPT-Neo); None if CTranslate2 is not
        installed or does not read this architecture (the caller then stays on torch).

        ``banned`` ids (vocabulary padding, special tokens) get a -inf bias in the output
        head: CTranslate2's per-call ``suppress_sequences`` costs time for each entry (a
        7,600-row padding took a 60-token reply from ~70 to ~390 ms). Models under
        :data:`ONE_THREAD_BELOW` parameters use one of the ``threads``.
        """
        ctranslate2 = import_ctranslate2()
        if ctranslate2 is None or not convertible(model):
            return None
        if sum(p.numel() for p in model.parameters()) < ONE_THREAD_BELOW:
            threads = 1
        spec = model_spec(model, banned)
        with tempfile.TemporaryDirectory(prefix="deepciso-ct2-") as folder:
            spec.validate()
            spec.optimize(quantization=compute_type)
            spec.save(folder)
            generator = ctranslate2.Generator(
                folder, device="cpu", compute_type=compute_type, intra_threads=threads
            )
        return cls(generator, model.config, ctranslate2, banned)

    def supports(self, total_length: int) -> bool:
        """Whether a batch of ``total_length`` tokens (prompt and new) is computed exactly."""
        return self.window is None or total_length <= self.window

    def generate(
        self,
        prompts: Sequence[Sequence[int]],
        settings: SamplingSettings,
        *,
        seed: int,
        end_id: int,
        banned: Sequence[int],
    ) -> list[list[int]]:
        """Sampled token ids for each prompt (without the prompt or the end token).

        ``banned`` ids are never sampled; ``end_id`` ends a row, and never as its first token.
        """
        self._ctranslate2.set_random_seed(seed % _SEED_RANGE)
        greedy = settings.temperature == 0
        results = self.generator.generate_batch(
            [[str(i) for i in ids] for ids in prompts],
            max_length=settings.max_new_tokens,
            min_length=1,
            sampling_topk=1 if greedy else settings.top_k,
            sampling_topp=1.0 if greedy else settings.top_p,
            sampling_temperature=1.0 if greedy else settings.temperature,
            repetition_penalty=settings.repetition_penalty,
            suppress_sequences=[[str(i)] for i in banned if i not in self.banned] or None,
            end_token=[end_id],
            include_prompt_in_result=False,
        )
        return [list(result.sequences_ids[0]) for result in results]

    def logits(self, input_ids: torch.Tensor) -> torch.Tensor:
        """Every position's logits for unpadded rows of token ids (for tests and benches)."""
        import numpy as np
        import torch

        ids = input_ids.to(torch.int32).contiguous()
        lengths = torch.full((ids.shape[0],), ids.shape[1], dtype=torch.int32)
        out = self.generator.forward_batch(
            self._ctranslate2.StorageView.from_array(ids.numpy()),
            self._ctranslate2.StorageView.from_array(lengths.numpy()),
        )
        return torch.from_numpy(np.asarray(out)).float()


def model_spec(model, banned: Sequence[int] = ()):
    """The CTranslate2 decoder spec of a GPT-2 or GPT-Neo ``model``; ``banned`` ids get a -inf
    bias in the output head."""
    import torch
    from ctranslate2.specs import common_spec, transformer_spec

    config = model.config
    transformer = model.transformer
    spec = transformer_spec.TransformerDecoderModelSpec.from_config(
        config.num_hidden_layers,
        config.num_attention_heads,
        pre_norm=True,
        activation=common_spec.Activation.GELUTanh,
    )
    decoder = spec.decoder
    decoder.scale_embeddings = False
    decoder.embeddings.weight = transformer.wte.weight
    decoder.position_encodings.encodings = transformer.wpe.weight
    _set_norm(decoder.layer_norm, transformer.ln_f)
    head_dim = config.hidden_size // config.num_attention_heads
    for layer_spec, block in zip(decoder.layer, transformer.h, strict=True):
        attention = layer_spec.self_attention
        _set_norm(attention.layer_norm, block.ln_1)
        if config.model_type == "gpt2":
            qkv_weight, qkv_bias = block.attn.c_attn.weight.t(), block.attn.c_attn.bias
            out = block.attn.c_proj
            out_weight, out_bias = out.weight.t(), out.bias
            fc_weight, fc_bias = block.mlp.c_fc.weight.t(), block.mlp.c_fc.bias
            proj_weight, proj_bias = block.mlp.c_proj.weight.t(), block.mlp.c_proj.bias
        else:
            parts = block.attn.attention
            query = parts.q_proj.weight * math.sqrt(head_dim)  # cancels CTranslate2's scaling
            qkv_weight = _cat(query, parts.k_proj.weight, parts.v_proj.weight)
            qkv_bias = qkv_weight.new_zeros(qkv_weight.shape[0])
            out_weight, out_bias = parts.out_proj.weight, parts.out_proj.bias
            fc_weight, fc_bias = block.mlp.c_fc.weight, block.mlp.c_fc.bias
            proj_weight, proj_bias = block.mlp.c_proj.weight, block.mlp.c_proj.bias
        _set_linear(attention.linear[0], qkv_weight, qkv_bias)
        _set_linear(attention.linear[1], out_weight, out_bias)
        _set_norm(layer_spec.ffn.layer_norm, block.ln_2)
        _set_linear(layer_spec.ffn.linear_0, fc_weight, fc_bias)
        _set_linear(layer_spec.ffn.linear_1, proj_weight, proj_bias)
    head_bias = model.lm_head.bias
    if banned:
        head_bias = torch.zeros(config.vocab_size) if head_bias is None else head_bias.clone()
        head_bias[list(banned)] = float("-inf")
    _set_linear(decoder.projection, model.lm_head.weight, head_bias)
    # CTranslate2 works on token strings: the vocabulary is the ids themselves
    spec.register_vocabulary([str(i) for i in range(config.vocab_size)])
    spec.config.bos_token = spec.config.eos_token = spec.config.unk_token = "0"
    spec.config.layer_norm_epsilon = _epsilon(config)
    return spec


def _epsilon(config) -> float:
    return float(getattr(config, "layer_norm_epsilon", 1e-5))


def _cat(*weights):
    import torch

    return torch.cat([w.detach() for w in weights])


def _set_norm(spec, norm) -> None:
    spec.gamma = norm.weight.detach().float().contiguous()
    spec.beta = norm.bias.detach().float().contiguous()


def _set_linear(spec, weight, bias) -> None:
    spec.weight = weight.detach().float().contiguous()
    if bias is not None:
        spec.bias = bias.detach().float().contiguous()
