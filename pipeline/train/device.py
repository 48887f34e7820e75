"""Where and in which precision to train: bf16 autocast where the hardware has it."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import torch

from pipeline.errors import UserError

log = logging.getLogger(__name__)

DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def cpu_has_bf16() -> bool:
    """True on CPUs with native bf16 math (AVX512-BF16 or AMX): bf16 autocast pays off there."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


@dataclass(frozen=True)
class Precision:
    device: torch.device
    dtype: torch.dtype | None  # None: fp32

    @property
    def name(self) -> str:
        return {None: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}[self.dtype]

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.dtype)

    def grad_scaler(self) -> torch.amp.GradScaler:
        """Loss scaling, needed for fp16 only (disabled otherwise)."""
        return torch.amp.GradScaler(self.device.type, enabled=self.dtype == torch.float16)


def choose(device: str = "auto", precision: str = "auto", local_rank: int = 0) -> Precision:
    """Resolve ``--device`` and ``--precision``; asking for CUDA without one is a user error."""
    if device == "auto":
        device = f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu"
    try:
        chosen = torch.device(device)
    except RuntimeError as exc:
        raise UserError(f"--device {device}: not a device name; use auto, cpu or cuda") from exc
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"--device {device}: no CUDA GPU here; use --device cpu")
    if chosen.type not in ("cpu", "cuda"):
        raise UserError(f"--device {device}: only cpu and cuda are supported")
    if precision == "auto":
        if chosen.type == "cuda":
            precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        else:
            precision = "bf16" if cpu_has_bf16() else "fp32"
    if precision == "fp16" and chosen.type == "cpu":
        raise UserError("--precision fp16 needs a GPU; on a CPU use bf16 or fp32")
    return Precision(chosen, DTYPES[precision])
