"""Tweets as documents: each ends with ``<|endoftext|>``, all packed into fixed-length blocks.

Training blocks come in a seeded shuffled order, epoch after epoch; the sampler's position (how
many blocks were drawn) is all a checkpoint needs to continue the exact same sequence.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from pipeline.errors import UserError
from pipeline.paths import validation_path
from pipeline.train.tokenizer import read_lines

log = logging.getLogger(__name__)

HOLDOUT_EVERY = 20  # without a validation file, every 20th line (5%) is held out


@dataclass(frozen=True)
class CorpusSplit:
    train: list[str]
    valid: list[str]
    valid_source: str  # the validation file, or how the split was made


def load_split(corpus: Path) -> CorpusSplit:
    """The corpus and its validation file; without one, hold out every 20th line in memory."""
    corpus = Path(corpus)
    train = read_lines(corpus)
    valid_file = validation_path(corpus)
    if valid_file.exists():
        return CorpusSplit(train, read_lines(valid_file), str(valid_file))
    if len(train) < 2 * HOLDOUT_EVERY:
        raise UserError(
            f"{valid_file}: no validation file and {corpus} has too few lines ({len(train)}) "
            "to hold some out; run `deepciso build` (it writes both) or add that file"
        )
    log.warning(
        "%s not found: holding out every %dth line of %s for validation (deepciso build "
        "writes a proper split)",
        valid_file,
        HOLDOUT_EVERY,
        corpus,
    )
    valid = train[HOLDOUT_EVERY - 1 :: HOLDOUT_EVERY]
    kept = [line for index, line in enumerate(train) if (index + 1) % HOLDOUT_EVERY]
    return CorpusSplit(kept, valid, f"every {HOLDOUT_EVERY}th line of {corpus}")


def pack(documents: Sequence[Sequence[int]], eos_id: int) -> torch.Tensor:
    """One token stream: ``<|endoftext|>`` first and after every document."""
    stream = [eos_id]
    for ids in documents:
        stream.extend(ids)
        stream.append(eos_id)
    return torch.tensor(stream, dtype=torch.long)


def utf8_bytes(lines: Sequence[str]) -> int:
    """Bytes of the text the stream encodes (each separator counts as one byte, a newline)."""
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


class BlockSampler:
    """Training batches: blocks of ``block_size + 1`` tokens (inputs and shifted targets).

    Blocks start every ``block_size`` tokens, so each token is a target once per epoch. Epoch
    ``e`` visits them in the order of a permutation seeded with ``seed + e``. ``position``
    counts blocks drawn so far over all processes; ``batch(rank, world)`` returns this
    process's share of the next ``batch_size * world`` blocks.
    """

    def __init__(self, stream: torch.Tensor, block_size: int, batch_size: int, seed: int):
        self.stream = stream
        self.block_size = block_size
        self.batch_size = batch_size
        self.seed = seed
        self.blocks = (len(stream) - 1) // block_size
        if self.blocks < 1:
            raise UserError(
                f"the corpus has only {len(stream)} tokens, fewer than one block of "
                f"{block_size + 1}; add tweets or lower --block-size"
            )
        self.position = 0
        self._order: tuple[int, torch.Tensor] | None = None

    @property
    def tokens_per_epoch(self) -> int:
        return self.blocks * self.block_size

    def _block_index(self, position: int) -> int:
        epoch, offset = divmod(position, self.blocks)
        if self._order is None or self._order[0] != epoch:
            generator = torch.Generator().manual_seed(self.seed + epoch)
            self._order = (epoch, torch.randperm(self.blocks, generator=generator))
        return int(self._order[1][offset])

    def batch(self, rank: int = 0, world: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
        start = self.position + rank * self.batch_size
        rows = [
            self.stream[index * self.block_size : index * self.block_size + self.block_size + 1]
            for index in (self._block_index(p) for p in range(start, start + self.batch_size))
        ]
        self.position += self.batch_size * world
        data = torch.stack(rows)
        return data[:, :-1], data[:, 1:]


@dataclass
class ValidationSet:
    """A fixed head of the validation stream, cut into blocks (the last one may be shorter)."""

    blocks: list[torch.Tensor]
    tokens: int  # predicted tokens in all blocks
    bytes_per_token: float  # of the whole validation text: converts nats/token to bits/byte

    @classmethod
    def build(
        cls,
        lines: Sequence[str],
        ids: Sequence[Sequence[int]],
        eos_id: int,
        block_size: int,
        max_tokens: int,
    ) -> ValidationSet:
        stream = pack(ids, eos_id)
        bytes_per_token = utf8_bytes(lines) / max(1, len(stream) - 1)
        stream = stream[: max(2, min(len(stream), max_tokens + 1))]
        blocks = [
            stream[start : start + block_size + 1]
            for start in range(0, len(stream) - 1, block_size)
        ]
        return cls(blocks, len(stream) - 1, bytes_per_token)

    def bits_per_byte(self, nats_per_token: float) -> float:
        return nats_per_token / math.log(2) / self.bytes_per_token
