"""deepciso train's bad input: one line, exit status 2, the model folder and checkpoint intact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from tests.fixtures_model import make_tiny_model_dir
from tests.fixtures_train import tiny_args, tree_digest, write_corpus


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A folder after one short run: corpus, tokenizer, trained_model/ and its checkpoint."""
    folder = tmp_path_factory.mktemp("template")
    corpus = write_corpus(folder)
    assert main(tiny_args(corpus, folder / "trained_model", steps=6)) == 0
    return folder


@pytest.fixture
def workspace(template, tmp_path) -> Path:
    shutil.copytree(template, tmp_path, dirs_exist_ok=True)
    return tmp_path


def fails(capsys, args: list[str], message: str, workspace: Path) -> None:
    """The command exits 2 with ``message`` in one error line and changes nothing."""
    before = tree_digest(workspace)
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    if err[-1] == "see 'deepciso train --help'":  # a value refused while parsing: a hint follows
        err.pop()
    assert err[-1].startswith("deepciso train: error:"), err
    assert message in err[-1], err[-1]
    assert "Traceback" not in "\n".join(err)
    assert tree_digest(workspace) == before


def args_in(folder: Path, *extra: str, corpus: str = "model.txt") -> list[str]:
    return tiny_args(folder / corpus, folder / "trained_model", *extra, steps=6)


def test_missing_corpus(workspace, capsys):
    fails(capsys, args_in(workspace, "--overwrite", corpus="nope.txt"), "not found", workspace)


def test_empty_corpus(workspace, capsys):
    (workspace / "empty.txt").write_text("\n")
    fails(capsys, args_in(workspace, "--overwrite", corpus="empty.txt"), "is empty", workspace)


def test_no_validation_file_and_too_few_lines(workspace, capsys):
    (workspace / "few.txt").write_text("one tweet\nanother tweet\n")
    args = args_in(workspace, "--overwrite", corpus="few.txt")
    fails(capsys, args, "no validation file", workspace)


def test_no_validation_file_holds_out_lines(tmp_path, capsys):
    corpus = write_corpus(tmp_path, valid=0)
    assert main(tiny_args(corpus, tmp_path / "m", steps=2)) == 0
    assert "holding out every 20th line" in capsys.readouterr().err
    assert not (tmp_path / "model.valid.txt").exists()  # the corpus is left as it was


def test_checkpoint_of_an_earlier_run_needs_resume_or_overwrite(workspace, capsys):
    fails(capsys, args_in(workspace), "--resume", workspace)


def test_resume_without_a_checkpoint(workspace, capsys):
    args = args_in(workspace, "--resume", "--run-dir", str(workspace / "elsewhere"))
    fails(capsys, args, "no checkpoint to resume", workspace)


def test_resume_from_a_checkpoint_of_another_preset(workspace, capsys):
    args = args_in(workspace, "--resume")
    args[args.index("--preset") + 1] = "seed"
    fails(capsys, args, "checkpoint is of the tiny preset", workspace)


def test_resume_with_a_conflicting_setting(workspace, capsys):
    args = args_in(workspace, "--resume")
    args[args.index("--batch-size") + 1] = "8"
    fails(capsys, args, "--batch-size 8 differs", workspace)


def test_resume_with_fewer_steps_than_already_taken(workspace, capsys):
    args = args_in(workspace, "--resume")
    args[args.index("--steps") + 1] = "3"
    fails(capsys, args, "--steps 3: the run already took 6 steps", workspace)


def test_resume_with_a_time_limit_already_passed(workspace, capsys):
    args = args_in(workspace, "--resume", "--time-limit", "0.000001")
    fails(capsys, args, "--time-limit 1e-06: the run already trained", workspace)


def test_resume_with_another_tokenizer(workspace, capsys):
    assert main(["tokenizer", "--corpus", str(workspace / "model.txt"), "--vocab-size", "290",
                 "--out", str(workspace / "other.json")]) == 0  # fmt: skip
    args = args_in(workspace, "--resume", "--tokenizer", str(workspace / "other.json"))
    fails(capsys, args, "not the one this run was trained with", workspace)


def test_tokenizer_larger_than_the_models_vocabulary(workspace, capsys):
    base = make_tiny_model_dir(workspace / "base")  # a 400-entry model
    assert main(["tokenizer", "--corpus", str(workspace / "model.txt"), "--vocab-size", "600",
                 "--out", str(workspace / "big.json")]) == 0  # fmt: skip
    args = args_in(workspace, "--overwrite", "--base-model", str(base), "--tokenizer",
                   str(workspace / "big.json"))  # fmt: skip
    args.remove("--preset"), args.remove("tiny")
    fails(capsys, args, "but the model only", workspace)


def test_missing_tokenizer_file(workspace, capsys):
    args = args_in(workspace, "--overwrite", "--tokenizer", str(workspace / "nope.json"))
    fails(capsys, args, "tokenizer file not found", workspace)


@pytest.mark.parametrize("kind", ["empty folder", "bad config", "hub id offline"])
def test_base_model_that_is_not_a_model(workspace, capsys, monkeypatch, kind):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)  # no network here
    target = workspace / "notamodel"
    if kind == "empty folder":
        target.mkdir()
        message = "no config.json"
    elif kind == "bad config":
        target.mkdir()
        (target / "config.json").write_text('{"model_type": "no-such-architecture"}')
        message = "cannot load a causal LM"
    else:
        target = Path("no-such-org/no-such-model")
        message = "cannot load a causal LM"
    args = args_in(workspace, "--overwrite", "--base-model", str(target))
    args.remove("--preset"), args.remove("tiny")
    fails(capsys, args, message, workspace)


def test_output_that_is_a_file(workspace, capsys):
    (workspace / "afile").write_text("x")
    args = tiny_args(workspace / "model.txt", workspace / "afile", "--overwrite")
    fails(capsys, args, "not a folder", workspace)


def test_unwritable_output(workspace, capsys):
    (workspace / "afile").write_text("x")
    args = tiny_args(workspace / "model.txt", workspace / "afile" / "model", "--overwrite")
    fails(capsys, args, "cannot write here", workspace)


def test_output_folder_that_is_not_a_model(workspace, capsys):
    (workspace / "docs").mkdir()
    (workspace / "docs" / "notes.txt").write_text("mine")
    args = tiny_args(workspace / "model.txt", workspace / "docs", "--overwrite")
    fails(capsys, args, "not a model", workspace)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--block-size", "65", "exceeds the tiny preset's context 64"),
        ("--steps", "0", "--steps must be at least 1"),
        ("--dropout", "1.5", "--dropout must be"),
        ("--device", "cuda", "no CUDA GPU"),
        ("--n-head", "3", "not a multiple"),
    ],
)
def test_bad_numbers(workspace, capsys, option, value, message):
    if option == "--device":
        pytest.importorskip("torch")
        import torch

        if torch.cuda.is_available():
            pytest.skip("this machine has a GPU")
    args = args_in(workspace, "--overwrite")
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    fails(capsys, args, message, workspace)
