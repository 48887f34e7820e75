"""Data-parallel training under ``torchrun`` (gloo on CPU, NCCL on GPUs): nothing home-made.

``torchrun --nproc-per-node 2 -m pipeline train ...`` sets ``WORLD_SIZE``/``RANK``; each process
takes its own share of every batch and DDP averages the gradients. Only rank 0 writes files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.size > 1


SINGLE = World()


def start(cuda: bool | None = None) -> World:
    """Join the process group torchrun describes in the environment (a lone process: no-op)."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size <= 1:
        return SINGLE
    if not dist.is_initialized():
        use_cuda = torch.cuda.is_available() if cuda is None else cuda
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    return World(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))


def stop(world: World) -> None:
    if world.active and dist.is_initialized():
        dist.destroy_process_group()


def mean(value: float, world: World, device: torch.device) -> float:
    """The average of ``value`` over all processes."""
    if not world.active:
        return value
    tensor = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return float(tensor.item()) / world.size


def any_true(flag: bool, world: World, device: torch.device) -> bool:
    """True on every process when one of them says so (a Ctrl-C on one stops all)."""
    if not world.active:
        return flag
    tensor = torch.tensor([1 if flag else 0], device=device)
    dist.all_reduce(tensor)
    return bool(tensor.item())
