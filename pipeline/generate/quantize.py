"""The int8 path: dynamic quantization of every linear layer (weights int8, activations on the fly).

GPT-2 writes its projections as ``transformers.pytorch_utils.Conv1D`` (a linear layer with the
weight transposed), which dynamic quantization does not know; they become ``nn.Linear`` first.
The output head is quantized too: on a 50k vocabulary it is a third of GPT-Neo 125M's weights.
``bench/generate_latency.py`` measures the speed and the validation loss against fp32.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

from pipeline.errors import UserError


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


def quantize_int8(model: nn.Module) -> nn.Module:
    """Quantize ``model`` to int8 for CPU inference, in place (no second copy in memory)."""
    try:
        from torch.ao.quantization import quantize_dynamic
    except ImportError as exc:  # removed from torch in favour of torchao one day
        raise UserError(
            f"--int8 needs torch.ao dynamic quantization, missing in torch {torch.__version__}; "
            "run without --int8"
        ) from exc
    model = conv1d_to_linear(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's deprecation notice: it still works
        return quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8, inplace=True).eval()
