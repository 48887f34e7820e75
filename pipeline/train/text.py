"""The text <-> token ids side of training: our tokenizers JSON, or a base model's own tokenizer."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.model_folder import HF_TOKENIZER_FILE, TOKENIZER_FILE
from pipeline.train.tokenizer import load_tokenizer


@dataclass
class TextCodec:
    """Encodes tweets, decodes samples and writes itself into the model folder."""

    backend: Any  # tokenizers.Tokenizer or a transformers PreTrainedTokenizer
    eos_id: int
    vocab_size: int
    fingerprint: str  # sha256 of the tokenizer's JSON: a resumed run must use the same one
    source: str  # the file or model it came from, for deepciso.json
    file: Path | None = None  # our tokenizers JSON file; None for a base model's tokenizer

    @classmethod
    def from_file(cls, path: Path) -> TextCodec:
        tokenizer = load_tokenizer(path)
        return cls(
            backend=tokenizer,
            eos_id=0,
            vocab_size=tokenizer.get_vocab_size(),
            fingerprint=hashlib.sha256(Path(path).read_bytes()).hexdigest(),
            source=str(path),
            file=Path(path),
        )

    @classmethod
    def from_pretrained(cls, name_or_path: str, tokenizer: Any) -> TextCodec:
        """A transformers tokenizer (``AutoTokenizer.from_pretrained``) of a base model."""
        if getattr(tokenizer, "is_fast", False):
            text = tokenizer.backend_tokenizer.to_str()
        else:
            text = repr(sorted(tokenizer.get_vocab().items()))
        eos = tokenizer.eos_token_id
        return cls(
            backend=tokenizer,
            eos_id=0 if eos is None else int(eos),
            vocab_size=len(tokenizer),
            fingerprint=hashlib.sha256(text.encode()).hexdigest(),
            source=name_or_path,
        )

    @property
    def saved_name(self) -> str:
        """What deepciso.json names as the tokenizer in the model folder."""
        return TOKENIZER_FILE if self.file else HF_TOKENIZER_FILE

    def encode(self, lines: Sequence[str]) -> list[list[int]]:
        if self.file:
            return [item.ids for item in self.backend.encode_batch(list(lines))]
        return self.backend(list(lines), add_special_tokens=False)["input_ids"]

    def decode(self, ids: Sequence[int]) -> str:
        return self.backend.decode(list(ids), skip_special_tokens=True)

    def save(self, folder: Path) -> None:
        if self.file:
            shutil.copyfile(self.file, Path(folder) / TOKENIZER_FILE)
        else:
            self.backend.save_pretrained(str(folder))
