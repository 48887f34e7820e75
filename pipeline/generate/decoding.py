"""Token-by-token forward passes with a KV cache: lean ones for GPT-2/Neo, transformers' else.

All have the same two calls: :meth:`start` runs the left-padded prompts, :meth:`step` feeds one
new token per row; each returns the last position's float32 logits.

transformers' GPT-2 and GPT-Neo spend most of a one-token step on bookkeeping (mask building, cache
objects, a seven-op GELU) rather than on the matrix products. The lean decoders do the same
arithmetic in about a third of the operations, with a KV cache allocated once per batch, through
a plain eager network (:mod:`pipeline.generate.decoder_network`) on the model's own layers.
``tests/test_generate_decoder.py`` checks its logits against transformers'. This is the torch
path (fp32, and the fallback wherever CTranslate2 is absent); int8 runs in CTranslate2.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable

import torch

from pipeline.generate.decoder_network import Block, GPT2Block, GPTNeoBlock, Network

# What wraps a freshly built network before use (None: run it as it is). A seam for
# bench/int8_variants.py, which measures torch.compile and the pre-issue-15 TorchScript here.
WRAP_NETWORK: Callable[[Network], torch.nn.Module] | None = None
# transformers' two names for the tanh approximation of GELU (the lean decoders compute it)
TANH_GELUS = ("gelu_new", "gelu_pytorch_tanh")


def decoder_for(model, total_length: int) -> LeanDecoder | TransformersDecoder:
    """The fastest decoder that computes this model exactly for sequences of ``total_length``."""
    for lean in (GPT2Decoder, GPTNeoDecoder):
        if lean.supports(model, total_length):
            return lean(model)
    return TransformersDecoder(model)


class TransformersDecoder:
    """Any causal LM through its own forward and cache (GPT-Neo past its window, others)."""

    def __init__(self, model) -> None:
        self.model = model
        params = inspect.signature(model.forward).parameters
        self.cache_arg = "cache" if "cache" in params else "past_key_values"  # transformers 5/4
        keep = ("logits_to_keep", "num_logits_to_keep")
        self.keep_arg = next((name for name in keep if name in params), None)
        self.cache = None
        self.attention = torch.ones(0, 0, dtype=torch.long)

    def start(self, input_ids, attention, positions, max_new_tokens: int) -> torch.Tensor:
        self.cache = None
        self.attention = attention
        return self._forward(input_ids, positions)

    def step(self, input_ids, positions) -> torch.Tensor:
        self.attention = torch.cat([self.attention, self.attention.new_ones(input_ids.shape)], 1)
        return self._forward(input_ids, positions)

    def _forward(self, input_ids, positions) -> torch.Tensor:
        kwargs = {
            "input_ids": input_ids,
            # Without padding the model's own causal mask is enough (and cheaper to build).
            "attention_mask": None if bool(self.attention[:, 0].all()) else self.attention,
            "position_ids": positions,
            self.cache_arg: self.cache,
            "use_cache": True,
        }
        if self.keep_arg:
            kwargs[self.keep_arg] = 1
        out = self.model(**kwargs)
        self.cache = getattr(out, "cache", None) or out.past_key_values
        return out.logits[:, -1, :].float()


class LeanDecoder:
    """Incremental forward of a GPT-2 or GPT-Neo model through
    :mod:`pipeline.generate.decoder_network`.

    This side keeps the KV cache (allocated once per batch) and the attention masks; the
    network, built once per model and kept while the model lives, does the arithmetic.
    """

    block_type: type[Block]

    def __init__(self, model) -> None:
        self.network = _network(model, self.block_type)
        config = model.config
        self.heads = config.num_attention_heads
        self.layers = config.num_hidden_layers
        self.head_dim = config.hidden_size // self.heads
        self.keys: list[torch.Tensor] = []
        self.values: list[torch.Tensor] = []
        self.key_ok = torch.zeros(0, 0, dtype=torch.bool)
        self.key_bias = torch.zeros(0, 1, 1, 0)
        self.padded = False
        self.length = 0

    @classmethod
    def supports(cls, model, total_length: int) -> bool:
        raise NotImplementedError

    def start(self, input_ids, attention, positions, max_new_tokens: int) -> torch.Tensor:
        """Run the (left-padded) prompts; return the last position's logits."""
        rows, width = input_ids.shape
        total = width + max_new_tokens
        shape = (rows, self.heads, total, self.head_dim)
        self.keys = [torch.empty(shape) for _ in range(self.layers)]
        self.values = [torch.empty(shape) for _ in range(self.layers)]
        self.key_ok = torch.ones((rows, total), dtype=torch.bool)
        self.key_ok[:, :width] = attention.bool()
        self.padded = not bool(self.key_ok.all())
        self.key_bias = torch.zeros((rows, 1, 1, total)).masked_fill_(
            ~self.key_ok[:, None, None, :], float("-inf")
        )
        self.length = 0
        return self.step(input_ids, positions)

    def step(self, input_ids, positions) -> torch.Tensor:
        """Feed the next token(s) of every row; return the last position's logits."""
        start, end = self.length, self.length + input_ids.shape[1]
        mask = self._mask(start, end)
        causal = mask is None and end - start > 1  # only the first block has several tokens
        logits = self.network(input_ids, positions, self.keys, self.values, start, mask, causal)
        self.length = end
        return logits

    def _mask(self, start: int, end: int) -> torch.Tensor | None:
        """What each new query adds to its attention scores: 0 for the keys it may see (earlier
        real tokens and itself), -inf for padding. Additive float masks: scaled_dot_product_
        attention would convert a boolean one at every layer of every step."""
        count = end - start
        if not self.padded:
            return None  # a single new token sees everything; a first block is causal
        if count == 1:
            return self.key_bias[:, :, :, :end]
        query = torch.arange(start, end).unsqueeze(1)
        key = torch.arange(end).unsqueeze(0)
        allowed = (self.key_ok[:, None, None, :end] & (key <= query)) | (key == query)
        return torch.zeros(allowed.shape).masked_fill_(~allowed, float("-inf"))


class GPT2Decoder(LeanDecoder):
    """GPT-2 as transformers writes it, without the variants it enables by flags."""

    block_type = GPT2Block

    @classmethod
    def supports(cls, model, total_length: int = 0) -> bool:
        config = model.config
        return (
            config.model_type == "gpt2"
            and config.activation_function in TANH_GELUS
            and config.scale_attn_weights
            and not config.scale_attn_by_inverse_layer_idx
            and not config.reorder_and_upcast_attn
        )


class GPTNeoDecoder(LeanDecoder):
    """GPT-Neo while the whole sequence fits in its local layers' window (where the sliding
    window equals global attention)."""

    block_type = GPTNeoBlock

    @classmethod
    def supports(cls, model, total_length: int = 0) -> bool:
        config = model.config
        return (
            config.model_type == "gpt_neo"
            and config.activation_function in TANH_GELUS
            and total_length <= config.window_size
        )


_networks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _network(model, block_type: type[Block]) -> torch.nn.Module:
    """The model's decoding network, built (and wrapped by :data:`WRAP_NETWORK`) on first use.

    The output head's identity is part of the key: quantizing a model in place (as the benches
    do) replaces it, so a network built on the fp32 layers is never reused for an int8 model.
    """
    key = (block_type, WRAP_NETWORK, id(model.lm_head))
    cached = _networks.setdefault(model, {})
    if key not in cached:
        network = Network(model, block_type)
        cached[key] = WRAP_NETWORK(network) if WRAP_NETWORK else network
    return cached[key]
