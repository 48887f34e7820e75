"""One section of settings read from ``.env``: a frozen dataclass whose fields come from
``<PREFIX><FIELD NAME>`` keys (``BLUESKY_HANDLE`` is ``BlueskySettings.handle``).

The dataclass writes each default once; an unset or empty key keeps it. A field's parser is
its default's type (str, float, Path) unless ``parsers`` names another. The dataclass checks
itself in ``__post_init__`` by raising :class:`SectionError`; every failure becomes one
:class:`~pipeline.errors.UserError` line naming the key. Secret fields (``repr=False``) are
never echoed in an error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pipeline.errors import UserError

T = TypeVar("T")


class SectionError(ValueError):
    """Raised by a section's ``__post_init__``: ``field`` is wrong, ``message`` says how."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field
        self.message = message


def env_key(prefix: str, field: str) -> str:
    return prefix + field.upper()


def section_from_env(
    cls: type[T],
    prefix: str,
    environ: Mapping[str, str],
    parsers: Mapping[str, Callable[[str], Any]] | None = None,
) -> T:
    """An instance of dataclass ``cls`` from ``environ``; UserError naming a bad key."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    raws: dict[str, str] = {}
    for name, field in fields.items():
        key = env_key(prefix, name)
        raw = (environ.get(key) or "").strip()
        if not raw:
            continue
        parser = (parsers or {}).get(name) or _default_parser(field)
        raws[name] = raw
        try:
            values[name] = parser(raw)
        except ValueError:
            shown = "" if not field.repr else f"={raw!r}"
            raise UserError(f"{key}{shown} is not a valid value; see .env.example") from None
    try:
        return cls(**values)
    except SectionError as exc:
        key = env_key(prefix, exc.field)
        raw = raws.get(exc.field)
        shown = "" if raw is None or not fields[exc.field].repr else f"={raw!r}"
        raise UserError(f"{key}{shown}: {exc.message}; fix it in .env") from None


def _default_parser(field: dataclasses.Field) -> Callable[[str], Any]:
    default = field.default
    if default is dataclasses.MISSING or default is None:
        return str
    if isinstance(default, bool):
        return _boolean
    return type(default)


def _boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)
