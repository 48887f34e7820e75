"""The generation paths compared in issue 15, each as a ready :class:`Generator`.

    baseline      torch's eager-mode dynamic int8 (torch.ao) + TorchScript: the path before
                  issue 15, rebuilt here (deprecated APIs, bench only) as the reference
    ct2           CTranslate2 int8: the new default for --int8 (pipeline.generate)
    ct2-1thread   the same on one thread
    ct2-fp32      CTranslate2 float32
    eager         torch fp32, plain eager modules: the fallback that needs nothing extra
    compile       torch fp32, the one-token step compiled by torch.compile
    ao-weight     torchao int8 weight-only + torch.compile (eager torchao is slower than fp32)
    ao-dynamic    torchao int8 dynamic activations + int8 weights + torch.compile

torchao is not a dependency of the project: ``pip install --no-deps torchao`` (0.15 or later
for torch 2.13; 0.18 measured) to run the ``ao-*`` variants.
"""

from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from pipeline.generate import decoding
from pipeline.generate.ctranslate2_engine import Int8Engine
from pipeline.generate.decoder_network import GPTNeoBlock, Network
from pipeline.generate.generator import Generator, banned_tokens
from pipeline.generate.model_loading import LoadedModel

VARIANTS = (
    "baseline", "ct2", "ct2-1thread", "ct2-fp32", "eager", "compile", "ao-weight", "ao-dynamic",
)  # fmt: skip
DEFAULT_VARIANTS = ("baseline", "ct2", "eager")


@dataclass
class Variant:
    """A generator and the network wrapper its torch path needs (see decoding.WRAP_NETWORK)."""

    name: str
    generator: Generator
    wrap: Callable | None = None
    prepare_s: float = 0.0  # conversion or quantization, before the first reply
    first_reply_s: float = 0.0  # includes any compilation
    extra: dict = field(default_factory=dict)

    def generate(self, *args, **kwargs) -> list[str]:
        decoding.WRAP_NETWORK = self.wrap
        try:
            return self.generator.generate(*args, **kwargs)
        finally:
            decoding.WRAP_NETWORK = None


def conv1d_to_linear(model: nn.Module) -> nn.Module:
    """Replace each GPT-2 ``Conv1D`` by the equivalent ``nn.Linear``, in place."""
    from transformers.pytorch_utils import Conv1D

    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, Conv1D):
                linear = nn.Linear(child.nx, child.nf)
                with torch.no_grad():
                    linear.weight.copy_(child.weight.t())
                    linear.bias.copy_(child.bias)
                setattr(parent, name, linear)
    return model


def make_variant(name: str, model: nn.Module, tokenizer, threads: int) -> Variant:
    """``name`` built on a copy of ``model`` (random weights are fine: speed only)."""
    start = time.perf_counter()
    model = copy.deepcopy(model).eval()
    engine, wrap = None, None
    if name.startswith("ct2"):
        banned = banned_tokens(tokenizer, model.config.vocab_size, 0).nonzero().flatten()
        compute = "float32" if name == "ct2-fp32" else "int8"
        threads = 1 if name == "ct2-1thread" else threads
        engine = Int8Engine.load(model, threads, compute, banned=banned.tolist())
    elif name == "baseline":
        model, wrap = legacy_int8(model), torchscript
    elif name == "compile":
        wrap = compile_network
    elif name in ("ao-weight", "ao-dynamic"):
        torchao_int8(model, dynamic=name == "ao-dynamic")
        wrap = compile_network
    info = {"context_length": model.config.max_position_embeddings, "architecture": "bench"}
    info["parameters"] = sum(p.numel() for p in model.parameters())
    loaded = LoadedModel(model, tokenizer, 0, info)
    generator = Generator(loaded, Path("bench"), engine=engine)
    generator._banned[0] = True  # no early end: every reply is max_new_tokens long
    return Variant(name, generator, wrap, prepare_s=time.perf_counter() - start)


def legacy_int8(model: nn.Module) -> nn.Module:
    """The pre-issue-15 int8 model: every linear layer through ``quantize_dynamic``."""
    from torch.ao.quantization import quantize_dynamic

    model = conv1d_to_linear(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's deprecation notice
        return quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8, inplace=True).eval()


def torchscript(network: Network) -> nn.Module:
    """The pre-issue-15 compiled step: GPT-Neo's q/k/v fused into one int8 product, then
    ``torch.jit.script`` and ``freeze``."""
    for block in network.blocks:
        if isinstance(block, GPTNeoBlock) and hasattr(block.q_proj, "_packed_params"):
            block.qkv_proj = fused_int8((block.q_proj, block.k_proj, block.v_proj))
            block.__class__ = FusedNeoBlock
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TorchScript's deprecation notices
        return torch.jit.freeze(torch.jit.script(network.eval()))


class FusedNeoBlock(GPTNeoBlock):
    """The baseline's GPT-Neo block: one 768x2304 int8 product for queries, keys and values
    (the small products read their weights at half the speed of the large ones); its
    ``qkv_proj`` is set by :func:`torchscript`."""

    def qkv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        q, k, v = self.qkv_proj(x).chunk(3, dim=-1)
        return q, k, v


def fused_int8(layers: tuple[nn.Module, ...]) -> nn.Module:
    """One dynamic-int8 linear layer computing ``layers`` side by side, per-row scales."""
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    weight = torch.cat([layer.weight().dequantize() for layer in layers])
    fused = nn.Linear(weight.shape[1], weight.shape[0], bias=False)
    with torch.no_grad():
        fused.weight.copy_(weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapper = quantize_dynamic(
            nn.Sequential(fused), {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        )
    return wrapper[0]


def torchao_int8(model: nn.Module, dynamic: bool) -> nn.Module:
    """torchao's int8: weight-only, or dynamic int8 activations with int8 weights, in place."""
    from torchao.quantization import (
        Int8DynamicActivationInt8WeightConfig,
        Int8WeightOnlyConfig,
        quantize_,
    )

    conv1d_to_linear(model)
    config = Int8DynamicActivationInt8WeightConfig() if dynamic else Int8WeightOnlyConfig()
    quantize_(model, config)
    return model


def compile_network(network: Network) -> nn.Module:
    """The one-token step through ``torch.compile`` (shapes dynamic: the cache grows)."""
    return torch.compile(network, dynamic=True)


def install_size(distribution: str) -> int | None:
    """Bytes on disk of an installed distribution's files (``du`` of its RECORD), or None."""
    from importlib import metadata

    try:
        files = metadata.distribution(distribution).files or []
    except metadata.PackageNotFoundError:
        return None
    total = 0
    for file in files:
        path = Path(file.locate())
        if path.is_file():
            total += path.stat().st_size
    return total
