"""The ``deepciso`` command line as a whole, and the README's promises about it."""

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


def test_readme_documents_every_env_key():
    readme = (ROOT / "README.md").read_text()
    keys = re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    assert len(keys) > 30
    assert [key for key in keys if f"`{key}`" not in readme] == []


def readme_commands() -> list[str]:
    """Every ``deepciso ...`` command line in the README's code blocks."""
    readme = (ROOT / "README.md").read_text()
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", readme, re.S):
        for line in block.splitlines():
            command = line.split("#")[0].strip()
            for part in command.split("&&"):
                part = re.split(r"\s[<>|]", part)[0].strip().removeprefix(".venv/bin/")
                if part.startswith("deepciso "):
                    lines.append(part)
    return lines


@pytest.mark.parametrize("command", readme_commands())
def test_readme_commands_are_valid_command_lines(command):
    """The README's commands parse with the real parser (a renamed option fails here); the
    demo and the end-to-end test run the main ones for real."""
    import shlex

    from bot.cli import BOT_COMMANDS

    parser, _ = build_parser(PIPELINE_COMMANDS + BOT_COMMANDS)
    parser.parse_args(shlex.split(command)[1:])
