"""Settings from ``.env`` (python-dotenv), overlaid by the process environment, which wins.

:func:`read_env` reads the file once. A settings *section* is a frozen dataclass whose fields
are its keys: :func:`setting` gives a field its default (written once, there) and its checks,
and the environment key derives from the field's name (``ENV_PREFIX`` + ``NAME``, or the
field's own prefix). :meth:`EnvSection.from_env` parses a section from the values read; every
malformed key is one :class:`~pipeline.errors.UserError` line naming it, never a traceback.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

from pipeline.errors import UserError

DEFAULT_ENV_FILE = Path(".env")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd]?)$")


def read_env_file(env_file: Path | None = None) -> dict[str, str]:
    """The keys of ``env_file`` (which must exist), or of ``.env`` when it exists; a file that
    is not UTF-8 text is one UserError line."""
    from dotenv import dotenv_values

    path = env_path(env_file)
    if not path.is_file():
        return {}
    data = path.read_bytes()
    try:
        if b"\x00" in data:
            raise UnicodeError("NUL bytes")
        text = data.decode("utf-8")
    except UnicodeError:
        raise UserError(
            f"{path}: not a UTF-8 text file (binary or another encoding); save it as UTF-8 "
            "text, or start again from a copy of .env.example"
        ) from None
    return {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}


def read_env(env_file: Path | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """``.env`` values overlaid by ``environ`` (default: the process environment).

    ``env_file`` given explicitly must exist; the default ``.env`` is optional.
    """
    values = read_env_file(env_file)
    values.update(os.environ if environ is None else environ)
    return values


def env_path(env_file: Path | None) -> Path:
    """The file to read: ``env_file``, which must exist, or the optional ``.env``."""
    path = DEFAULT_ENV_FILE if env_file is None else Path(env_file)
    if env_file is not None and not path.is_file():
        raise UserError(f"{path}: no such env file; copy .env.example to {path} and fill it in")
    return path


# -- sections ------------------------------------------------------------------------------


def setting(
    default: Any = None,
    *,
    low: float | None = None,
    high: float | None = None,
    parse: Callable[[str, str], Any] | None = None,
    prefix: str | None = None,
    secret: bool = False,
    from_env: bool = True,
) -> Any:
    """A section field: its ``default``, the range a number must be in (``low``..``high``), a
    ``parse(key, raw)`` for values the type alone does not say how to read, a ``prefix``
    other than the section's, ``secret`` (kept out of reprs), and ``from_env=False`` for a
    value that another section's key sets."""
    metadata = {"low": low, "high": high, "parse": parse, "prefix": prefix, "env": from_env}
    if isinstance(default, list | dict | set):
        raise TypeError("use a tuple or frozenset default")
    return dataclasses.field(default=default, repr=not secret, metadata=metadata)


class EnvSection:
    """Mixin for a frozen dataclass of settings read from the environment."""

    ENV_PREFIX: ClassVar[str] = ""

    @classmethod
    def env_keys(cls) -> dict[str, dataclasses.Field]:
        """Each environment key of this section, with its field."""
        keys = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            prefix = f.metadata.get("prefix")
            if f.metadata.get("env", True):
                keys[(cls.ENV_PREFIX if prefix is None else prefix) + f.name.upper()] = f
        return keys

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Any:
        """The section from ``env``; unset or empty keys keep their defaults."""
        hints = typing.get_type_hints(cls)
        values = {}
        for key, field in cls.env_keys().items():
            raw = (env.get(key) or "").strip()
            if raw:
                values[field.name] = parse_value(key, raw, hints[field.name], field.metadata)
        return cls(**values)


def walk_keys(section: type) -> Iterator[tuple[str, dataclasses.Field]]:
    """Every key of ``section`` (an :class:`EnvSection`, or a dataclass of sections)."""
    if issubclass(section, EnvSection):
        yield from section.env_keys().items()
        return
    hints = typing.get_type_hints(section)
    for field in dataclasses.fields(section):
        yield from walk_keys(hints[field.name])


def parse_value(key: str, raw: str, kind: Any, metadata: Mapping[str, Any]) -> Any:
    """``raw`` read as ``kind`` (``int``, ``float``, ``bool``, ``Path``, ``str``,
    ``frozenset[int]``/``tuple[int, ...]`` of ids, ``timedelta``, or ``X | None``)."""
    if metadata.get("parse"):
        return metadata["parse"](key, raw)
    args = [a for a in typing.get_args(kind) if a is not type(None)]  # X | None: X
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        kind = args[0]
    if kind is bool:
        return _boolean(key, raw)
    if kind is int or kind is float:
        return _number(key, raw, kind, metadata.get("low"), metadata.get("high"))
    if kind is timedelta:
        return duration(key, raw)
    if typing.get_origin(kind) in (frozenset, tuple):
        ids = _ids(key, raw)
        return frozenset(ids) if typing.get_origin(kind) is frozenset else tuple(sorted(ids))
    if kind is Path:
        return Path(raw)
    return raw


def _number(key: str, raw: str, kind: type, low: float | None, high: float | None) -> Any:
    try:
        value = kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise UserError(f"{key}={raw!r} is not {what}; fix it in .env") from None
    if (low is not None and not value >= low) or (high is not None and value > high):  # nan too
        span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise UserError(f"{key}={raw} is out of range: use a number {span}")
    return value


def _boolean(key: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise UserError(f"{key}={raw!r} is not true or false; fix it in .env")


def _ids(key: str, raw: str) -> set[int]:
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise UserError(
            f"{key}={raw!r} is malformed: use Discord ids (numbers) separated by commas"
        )
    return {int(p) for p in parts}


def url(*schemes: str) -> Callable[[str, str], str]:
    """A ``parse`` for a URL with one of ``schemes`` (the trailing slash dropped)."""

    def parse(key: str, raw: str) -> str:
        parsed = urlparse(raw)
        if parsed.scheme not in schemes or not parsed.netloc:
            raise UserError(f"{key}={raw!r} is not a {' or '.join(schemes)} URL; fix it in .env")
        return raw.rstrip("/")

    return parse


def duration(key: str, raw: str) -> timedelta:
    """``30s``, ``15m``, ``4h``, ``1d`` (minutes when there is no unit)."""
    match = _DURATION.match(raw.lower())
    if not match or float(match.group(1)) <= 0:
        raise UserError(f"{key}={raw!r} is not a duration: use e.g. 30s, 15m, 4h or 1d")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2) or "m"])
