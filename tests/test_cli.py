"""The ``deepciso`` command line as a whole, and what README.md and docs/ promise about it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from pipeline.cli import PIPELINE_COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[1]


def subcommands() -> list[str]:
    from bot.cli import BOT_COMMANDS

    _, modules = build_parser(PIPELINE_COMMANDS + BOT_COMMANDS)
    return sorted(modules)


@pytest.mark.parametrize("command", subcommands())
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: deepciso " + command in capsys.readouterr().out


def test_build_does_not_import_torch_or_transformers(tmp_path):
    from pipeline.corpus.sample_db import make_sample_db

    db = make_sample_db(tmp_path / "s.db", tweets=300, authors=20)
    argv = ["build", "--db", str(db), "--out", str(tmp_path / "model.txt"), "--quiet"]
    code = (
        f"import sys; from bot.cli import main; status = main({argv!r}); "
        "print(status, 'torch' in sys.modules, 'transformers' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)  # fmt: skip
    assert result.stdout.split() == ["0", "False", "False"]


def test_log_level_is_validated(capsys):
    assert main(["--log-level", "chatty", "build", "--db", "x.db"]) == 2
    assert "log level" in capsys.readouterr().err


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1).splitlines()
    assert len(block) == 2, "the README starts with two commands"
    test_command = block[1].split("#")[0].strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()]
    assert test_command in ci_lines
    assert "pytest" in test_command and "demo" in block[0]


def test_sample_database_is_deterministic(tmp_path):
    from pipeline.corpus.sample_db import sample_rows

    first = list(sample_rows(tweets=500, authors=30))
    assert first == list(sample_rows(tweets=500, authors=30))
    assert first != list(sample_rows(tweets=500, authors=30, seed=1))
    authors = {row[15] for row in first}
    assert len(authors) == 30


def test_sample_database_builds_a_corpus(tmp_path, capsys):
    from pipeline.corpus.sample_db import make_sample_db

    db = make_sample_db(tmp_path / "sample.db", tweets=3000, authors=100)
    assert main(["build", "--db", str(db), "--out", str(tmp_path / "model.txt")]) == 0
    report = json.loads((tmp_path / "model.report.json").read_text())
    removed = report["removed"]
    assert removed["retweet"] > 0 and removed["below_percentile"] > 1500
    assert report["kept_lines"] > 300 and report["authors_kept"] > 50


# Environment variables the docs name that are not .env settings.
ENVIRONMENT_ONLY = {
    "DEEPCISO_LOG_LEVEL",
    "OMP_NUM_THREADS",
    "DEEPCISO_SHARED",
    "CT2_USE_EXPERIMENTAL_PACKED_GEMM",
}
README_MAX_BYTES = 15_000


def doc_pages() -> list[Path]:
    """README.md and every page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def without_fences(text: str) -> str:
    """The text with its fenced code blocks removed (their lines are not prose)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def env_example_keys() -> list[str]:
    return re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)


def test_docs_document_every_env_key():
    docs = "".join(page.read_text() for page in doc_pages())
    keys = env_example_keys()
    assert len(keys) > 30
    assert [key for key in keys if f"`{key}`" not in docs] == []


def test_env_keys_in_the_docs_exist_in_env_example():
    """A key named in the docs (`KEY`, `KEY=value`, `PREFIX_*`) is one .env.example has."""
    keys = set(env_example_keys())
    named = {}
    for page in doc_pages():
        text = page.read_text()
        for name in re.findall(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+_?\*?)(?:=[^`]*)?`", text):
            named.setdefault(name, page.name)
        for name in re.findall(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)=", text):
            named.setdefault(name, page.name)
    assert len(named) > 30
    unknown = {
        name: page
        for name, page in named.items()
        if name not in keys | ENVIRONMENT_ONLY
        and not (name.endswith("*") and any(key.startswith(name[:-1]) for key in keys))
    }
    assert unknown == {}


def command_lines(text: str) -> list[str]:
    """Every ``deepciso ...`` command line in a text's bash blocks and inline code."""
    snippets = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        snippets += [line.split("#")[0] for line in block.splitlines()]
    snippets += re.findall(r"`([^`]+)`", without_fences(text))
    lines = []
    for snippet in snippets:
        for part in " ".join(snippet.split()).split("&&"):
            part = re.split(r"\s[<>|]", part)[0].strip().removeprefix(".venv/bin/")
            # `deepciso bot: error: ...` quotes a message the command prints, not a command line
            if part.startswith("deepciso ") and not re.match(r"deepciso [a-z]+:", part):
                lines.append(part)
    return lines


def documented_commands() -> list[str]:
    return sorted({line for page in doc_pages() for line in command_lines(page.read_text())})


def test_commands_are_found_in_readme_and_docs():
    readme = command_lines((ROOT / "README.md").read_text())
    assert "deepciso demo" in readme and "deepciso bot --console" in readme
    assert len(documented_commands()) > 20


@pytest.mark.parametrize("command", documented_commands())
def test_documented_commands_are_valid_command_lines(command):
    """The README's and docs/' commands parse with the real parser (a renamed option fails
    here); a bare `deepciso NAME` (or `deepciso NAME --help`) names a command that exists. The
    demo and the end-to-end test run the main ones for real."""
    import shlex

    from bot.cli import BOT_COMMANDS

    words = shlex.split(command)
    if words[2:] in ([], ["--help"]):
        assert words[1] in subcommands()
        return
    parser, _ = build_parser(PIPELINE_COMMANDS + BOT_COMMANDS)
    parser.parse_args(words[1:])


def test_readme_is_short():
    assert len((ROOT / "README.md").read_bytes()) <= README_MAX_BYTES


def heading_anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a page's headings (lowercase, punctuation dropped, spaces: -)."""
    headings = re.findall(r"^#+ (.+)$", without_fences(path.read_text()), re.M)
    slugs = (re.sub(r"[^\w\- ]", "", heading.strip().lower()) for heading in headings)
    return {slug.replace(" ", "-") for slug in slugs}


def test_relative_links_point_to_existing_pages_and_headings():
    broken = []
    for page in doc_pages():
        for target in re.findall(r"\]\(([^)\s]+)\)", without_fences(page.read_text())):
            if re.match(r"[a-z]+:", target):
                continue  # https://..., mailto:...
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists() or (anchor and anchor not in heading_anchors(linked)):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []
