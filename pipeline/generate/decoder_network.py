"""GPT-2 and GPT-Neo forward passes over a KV cache: the torch path's one-token step.

The modules hold the model's own layers (no copies of the weights) and run as plain eager
modules: the fast path is CTranslate2 (:mod:`pipeline.generate.ctranslate2_engine`); this one
needs nothing beyond torch. They stay TorchScript-compatible only so that
``bench/int8_variants.py`` can rebuild the pre-issue-15 path as its baseline.
"""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn


class Conv1DProjection(nn.Module):
    """transformers' GPT-2 ``Conv1D`` (a linear layer with the weight stored transposed),
    sharing its parameters; the original is not TorchScript-compatible."""

    def __init__(self, conv1d: nn.Module) -> None:
        super().__init__()
        self.weight = conv1d.weight
        self.bias = conv1d.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight)
        return out.view(list(x.shape[:-1]) + [out.shape[-1]])  # noqa: RUF005 (TorchScript)


def projection(layer: nn.Module) -> nn.Module:
    """A GPT-2 ``Conv1D`` wrapped; any other layer (``nn.Linear``, a quantized one) as it is."""
    from transformers.pytorch_utils import Conv1D

    return Conv1DProjection(layer) if isinstance(layer, Conv1D) else layer


class Block(nn.Module):
    """One transformer layer over the new tokens; writes their keys and values into the cache.

    ``keys``/``values`` are ``(rows, heads, total, head size)``; the new tokens take positions
    ``start`` onwards. ``mask`` says which keys each query sees (None: all of them for one new
    token, causal order for several, ``causal`` then True).
    """

    def __init__(self, block: nn.Module, heads: int, scale: Optional[float]) -> None:  # noqa: UP045 (TorchScript)
        super().__init__()
        self.ln_1 = block.ln_1
        self.ln_2 = block.ln_2
        self.fc = projection(block.mlp.c_fc)
        self.fc_out = projection(block.mlp.c_proj)
        self.heads = heads
        self.scale = scale

    def qkv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def attention_out(self, y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(
        self,
        hidden: torch.Tensor,
        keys: torch.Tensor,
        values: torch.Tensor,
        start: int,
        mask: Optional[torch.Tensor],  # noqa: UP045 (TorchScript)
        causal: bool,
    ) -> torch.Tensor:
        rows, count, width = hidden.shape[0], hidden.shape[1], hidden.shape[2]
        end = start + count
        q, k, v = self.qkv(self.ln_1(hidden))
        q = q.view(rows, count, self.heads, -1).transpose(1, 2)
        keys[:, :, start:end] = k.view(rows, count, self.heads, -1).transpose(1, 2)
        values[:, :, start:end] = v.view(rows, count, self.heads, -1).transpose(1, 2)
        y = F.scaled_dot_product_attention(
            q, keys[:, :, :end], values[:, :, :end], attn_mask=mask, is_causal=causal,
            scale=self.scale,
        )  # fmt: skip
        hidden = hidden + self.attention_out(y.transpose(1, 2).reshape(rows, count, width))
        return hidden + self.fc_out(F.gelu(self.fc(self.ln_2(hidden)), approximate="tanh"))


class GPT2Block(Block):
    """GPT-2: one fused projection (``c_attn``) makes queries, keys and values."""

    def __init__(self, block: nn.Module, heads: int) -> None:
        super().__init__(block, heads, None)
        self.c_attn = projection(block.attn.c_attn)
        self.c_proj = projection(block.attn.c_proj)

    def qkv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        q, k, v = self.c_attn(x).chunk(3, dim=-1)
        return q, k, v

    def attention_out(self, y: torch.Tensor) -> torch.Tensor:
        return self.c_proj(y)


class GPTNeoBlock(Block):
    """GPT-Neo: separate projections and no 1/sqrt(head size) attention scale."""

    def __init__(self, block: nn.Module, heads: int) -> None:
        super().__init__(block, heads, 1.0)
        attention = block.attn.attention
        self.out_proj = attention.out_proj
        self.q_proj, self.k_proj, self.v_proj = (
            attention.q_proj, attention.k_proj, attention.v_proj,
        )  # fmt: skip

    def qkv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.q_proj(x), self.k_proj(x), self.v_proj(x)

    def attention_out(self, y: torch.Tensor) -> torch.Tensor:
        return self.out_proj(y)


class Network(nn.Module):
    """Embeddings, the layers and the head: the new tokens in, the last position's logits out."""

    def __init__(self, model: nn.Module, block_type: type[Block]) -> None:
        super().__init__()
        transformer = model.transformer
        heads = model.config.num_attention_heads
        self.wte = transformer.wte
        self.wpe = transformer.wpe
        self.blocks = nn.ModuleList([block_type(block, heads) for block in transformer.h])
        self.ln_f = transformer.ln_f
        self.lm_head = model.lm_head

    def forward(
        self,
        input_ids: torch.Tensor,
        positions: torch.Tensor,
        keys: list[torch.Tensor],
        values: list[torch.Tensor],
        start: int,
        mask: Optional[torch.Tensor],  # noqa: UP045 (TorchScript)
        causal: bool,
    ) -> torch.Tensor:
        hidden = self.wte(input_ids) + self.wpe(positions)
        for index, block in enumerate(self.blocks):
            hidden = block(hidden, keys[index], values[index], start, mask, causal)
        return self.lm_head(self.ln_f(hidden[:, -1])).float()
