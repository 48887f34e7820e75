"""GPT-2 and GPT-Neo forward passes over a KV cache, written so TorchScript can compile them.

On a CPU a one-token step of a small model is mostly interpreter work: some twenty tensor
operations a layer, each a few microseconds of Python around a few microseconds of arithmetic.
Compiled with ``torch.jit.script`` the same step runs in about a third of the time (the int8
`seed` model: ~1.2 ms a token instead of ~3.5 ms; bench/generate_latency.py). The modules hold the
model's own layers (no copies of the weights), so the int8 model's quantized ``nn.Linear``
layers run through them too; where TorchScript is missing or refuses, they run as plain
modules with the same result.
"""

from __future__ import annotations

import logging
import warnings
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

log = logging.getLogger(__name__)


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
    """A GPT-2 ``Conv1D`` wrapped; ``nn.Linear`` and its int8 version as they are."""
    if isinstance(layer, nn.Linear) or hasattr(layer, "_packed_params"):
        return layer
    return Conv1DProjection(layer)


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
    """GPT-Neo: separate projections and no 1/sqrt(head size) attention scale.

    In an int8 model its three 768x768 projections become one 768x2304 (a one-token step of
    GPT-Neo 125M is bound by reading the weights, and the small products read them at half the
    speed of the large ones: bench/generate_latency.py, 12.7 -> ~11.7 ms a token)."""

    def __init__(self, block: nn.Module, heads: int) -> None:
        super().__init__(block, heads, 1.0)
        attention = block.attn.attention
        self.out_proj = attention.out_proj
        parts = (attention.q_proj, attention.k_proj, attention.v_proj)
        fused = fuse_int8(parts)
        self.is_fused = fused is not None
        # TorchScript compiles both branches of qkv(): the unused one gets identities
        self.q_proj, self.k_proj, self.v_proj = (nn.Identity(),) * 3 if fused else parts
        self.qkv_proj = fused or nn.Identity()

    def qkv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if self.is_fused:
            q, k, v = self.qkv_proj(x).chunk(3, dim=-1)
            return q, k, v
        return self.q_proj(x), self.k_proj(x), self.v_proj(x)

    def attention_out(self, y: torch.Tensor) -> torch.Tensor:
        return self.out_proj(y)


def fuse_int8(layers: tuple[nn.Module, ...]) -> nn.Module | None:
    """One int8 linear layer computing ``layers`` side by side (their outputs concatenated), or
    None unless they are all int8 dynamic ``nn.Linear`` without bias.

    The int8 weights are requantized with one scale per output row, a step no coarser than the
    layer's own (a second rounding of at most half a step).
    """
    if not all(hasattr(layer, "_packed_params") and layer.bias() is None for layer in layers):
        return None
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    weight = torch.cat([layer.weight().dequantize() for layer in layers])
    fused = nn.Linear(weight.shape[1], weight.shape[0], bias=False)
    with torch.no_grad():
        fused.weight.copy_(weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's deprecation notice
        wrapper = quantize_dynamic(
            nn.Sequential(fused), {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        )
    return wrapper[0]


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


def compiled(network: Network) -> nn.Module:
    """``network`` compiled by TorchScript and frozen; the plain module if that fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TorchScript's deprecation notices
            return torch.jit.freeze(torch.jit.script(network.eval()))
    except Exception as exc:  # any failure only costs speed
        log.warning("TorchScript unavailable (%s): generating without it, about 3x slower", exc)
        return network
