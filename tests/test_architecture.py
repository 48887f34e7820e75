"""The layout's rules (docs/architecture.md), checked by reading the sources' imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module ``path`` imports (absolute names; relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_imported_modules_sees_every_kind_of_import(tmp_path):
    """The scanner itself: plain, from, relative and function-level imports all count."""
    module = tmp_path / "pipeline" / "probe.py"
    module.parent.mkdir()
    module.write_text(
        "import bot.app\nfrom bot import settings\ndef f():\n    from .corpus import build\n"
    )
    found = imported_modules(module, tmp_path)
    assert {"bot.app", "bot", "bot.settings", "pipeline.corpus", "pipeline.corpus.build"} <= found


@pytest.mark.parametrize("path", sources("pipeline"), ids=lambda p: str(p.relative_to(ROOT)))
def test_pipeline_never_imports_bot(path):
    """``bot`` may import ``pipeline``, never the reverse."""
    wrong = sorted(m for m in imported_modules(path) if m == "bot" or m.startswith("bot."))
    assert wrong == [], f"{path.relative_to(ROOT)} imports {wrong}"


def test_the_app_does_not_import_its_cogs():
    """The cogs import the app (for types); the app loads them by name, never imports them."""
    for path in [ROOT / "bot" / "app.py", ROOT / "bot" / "replies.py"]:
        cogs = [m for m in imported_modules(path) if m.startswith("bot.cogs")]
        assert cogs == [], f"{path.name} imports {cogs}"


@pytest.mark.parametrize("package", ["bot", "pipeline"])
def test_at_most_eight_modules_at_the_root(package):
    modules = sorted(p.name for p in (ROOT / package).glob("*.py"))
    assert len(modules) <= 8, modules
