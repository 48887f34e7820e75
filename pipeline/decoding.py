"""Token-by-token forward passes with a KV cache: lean ones for GPT-2/Neo, transformers' else.

All have the same two calls: :meth:`start` runs the left-padded prompts, :meth:`step` feeds one
new token per row; each returns the last position's float32 logits.

transformers' GPT-2 and GPT-Neo spend most of a one-token step on bookkeeping (mask building, cache
objects, a seven-op GELU) rather than on the matrix products; this does the same arithmetic in
about a third of the operations, with a KV cache allocated once per batch. It calls the model's
own projection modules, so the int8 model (quantized ``nn.Linear``) runs through it too.
``tests/test_generate_decoder.py`` checks its logits against transformers'.
"""

from __future__ import annotations

import inspect

import torch
import torch.nn.functional as F


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
    """Incremental forward of a GPT-2 or GPT-Neo model on its own layers.

    The two differ only in how a block makes queries, keys and values, and in the attention
    scale (GPT-Neo does not divide by the square root of the head size).
    """

    scale: float | None = None  # None: scaled_dot_product_attention's 1/sqrt(head size)

    def __init__(self, model) -> None:
        self.transformer = model.transformer
        self.lm_head = model.lm_head
        config = model.config
        self.heads = config.num_attention_heads
        self.width = config.hidden_size
        self.eps = config.layer_norm_epsilon
        self.keys: list[torch.Tensor] = []
        self.values: list[torch.Tensor] = []
        self.key_ok = torch.zeros(0, 0, dtype=torch.bool)
        self.padded = False
        self.length = 0

    @classmethod
    def supports(cls, model, total_length: int) -> bool:
        raise NotImplementedError

    def qkv(self, block, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def attention_output(self, block, y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def start(self, input_ids, attention, positions, max_new_tokens: int) -> torch.Tensor:
        """Run the (left-padded) prompts; return the last position's logits."""
        rows, width = input_ids.shape
        total = width + max_new_tokens
        head_dim = self.width // self.heads
        shape = (rows, self.heads, total, head_dim)
        layers = len(self.transformer.h)
        self.keys = [torch.empty(shape) for _ in range(layers)]
        self.values = [torch.empty(shape) for _ in range(layers)]
        self.key_ok = torch.ones((rows, total), dtype=torch.bool)
        self.key_ok[:, :width] = attention.bool()
        self.padded = not bool(self.key_ok.all())
        self.length = 0
        return self.step(input_ids, positions)

    def step(self, input_ids, positions) -> torch.Tensor:
        """Feed the next token(s) of every row; return the last position's logits."""
        rows, count = input_ids.shape
        start, end = self.length, self.length + count
        mask = self._mask(start, end)
        causal = mask is None and count > 1  # only the first block has several tokens
        t = self.transformer
        hidden = t.wte(input_ids) + t.wpe(positions)
        for block, keys, values in zip(t.h, self.keys, self.values, strict=True):
            x = F.layer_norm(hidden, (self.width,), block.ln_1.weight, block.ln_1.bias, self.eps)
            q, k, v = self.qkv(block, x)
            q = q.view(rows, count, self.heads, -1).transpose(1, 2)
            keys[:, :, start:end] = k.view(rows, count, self.heads, -1).transpose(1, 2)
            values[:, :, start:end] = v.view(rows, count, self.heads, -1).transpose(1, 2)
            y = F.scaled_dot_product_attention(
                q,
                keys[:, :, :end],
                values[:, :, :end],
                attn_mask=mask,
                is_causal=causal,
                scale=self.scale,
            )
            y = y.transpose(1, 2).reshape(rows, count, self.width)
            hidden = hidden + self.attention_output(block, y)
            x = F.layer_norm(hidden, (self.width,), block.ln_2.weight, block.ln_2.bias, self.eps)
            hidden = hidden + block.mlp.c_proj(F.gelu(block.mlp.c_fc(x), approximate="tanh"))
        last = hidden[:, -1]
        last = F.layer_norm(last, (self.width,), t.ln_f.weight, t.ln_f.bias, self.eps)
        self.length = end
        return self.lm_head(last).float()

    def _mask(self, start: int, end: int) -> torch.Tensor | None:
        """Which keys each new query may see: earlier real tokens and itself (never nothing)."""
        count = end - start
        if not self.padded:
            return None  # a single new token sees everything; a first block is causal
        allowed = self.key_ok[:, None, None, :end].expand(-1, 1, count, end)
        if count == 1:
            return allowed
        query = torch.arange(start, end).unsqueeze(1)
        key = torch.arange(end).unsqueeze(0)
        return (allowed & (key <= query)) | (key == query)


class GPT2Decoder(LeanDecoder):
    """GPT-2: one fused projection (``c_attn``) makes queries, keys and values."""

    @classmethod
    def supports(cls, model, total_length: int = 0) -> bool:
        """Plain GPT-2 only: the variants transformers enables by flags go through it instead."""
        config = model.config
        return (
            config.model_type == "gpt2"
            and config.activation_function == "gelu_new"
            and config.scale_attn_weights
            and not config.scale_attn_by_inverse_layer_idx
            and not config.reorder_and_upcast_attn
        )

    def qkv(self, block, x):
        return block.attn.c_attn(x).split(self.width, dim=2)

    def attention_output(self, block, y):
        return block.attn.c_proj(y)


class GPTNeoDecoder(LeanDecoder):
    """GPT-Neo: separate projections, unscaled attention; local layers see a sliding window,
    which equals global attention while the whole sequence fits in the window."""

    scale = 1.0

    @classmethod
    def supports(cls, model, total_length: int = 0) -> bool:
        config = model.config
        return (
            config.model_type == "gpt_neo"
            and config.activation_function == "gelu_new"
            and total_length <= config.window_size
        )

    def qkv(self, block, x):
        attention = block.attn.attention
        return attention.q_proj(x), attention.k_proj(x), attention.v_proj(x)

    def attention_output(self, block, y):
        return block.attn.attention.out_proj(y)
