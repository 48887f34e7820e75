"""Settings from ``.env`` (python-dotenv), overlaid by the process environment, which wins."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pipeline.errors import UserError

DEFAULT_ENV_FILE = Path(".env")


def read_env(env_file: Path | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """``.env`` values overlaid by ``environ`` (default: the process environment).

    ``env_file`` given explicitly must exist; the default ``.env`` is optional.
    """
    from dotenv import dotenv_values

    path = DEFAULT_ENV_FILE if env_file is None else Path(env_file)
    values: dict[str, str] = {}
    if path.is_file():
        values = {k: v for k, v in dotenv_values(path).items() if v is not None}
    elif env_file is not None:
        raise UserError(f"{path}: no such env file; copy .env.example to {path} and fill it in")
    values.update(os.environ if environ is None else environ)
    return values
