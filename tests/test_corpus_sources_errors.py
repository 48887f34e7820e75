"""Bad exports: one line naming the file and what to do, exit 2, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from tests import fixtures_sources as fx
from tests.test_corpus_errors import assert_one_line_error


def run_build(capsys, out: Path, *inputs: Path, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    args = ["build", "--out", str(out), "--quiet", *extra]
    for path in inputs:
        args += ["--input", str(path)]
    status = main(args)
    return status, capsys.readouterr().err


def assert_nothing_written(out: Path) -> None:
    assert not out.exists() and not out.with_name("model.valid.txt").exists()
    assert not out.with_name("model.report.json").exists()


def test_file_of_no_known_format(tmp_path, capsys):
    odd = tmp_path / "notes.json"
    odd.write_text('{"hello": "world"}\n', encoding="utf-8")
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    out = tmp_path / "model.txt"
    for path in (odd, binary):
        status, err = run_build(capsys, out, path)
        assert_one_line_error(status, err, path.name, "not a format deepciso reads",
                              "x-archive", "discord-json", "mastodon", "bluesky")  # fmt: skip
    assert_nothing_written(out)


def test_missing_input(tmp_path, capsys):
    out = tmp_path / "model.txt"
    status, err = run_build(capsys, out, tmp_path / "nope.zip")
    assert_one_line_error(status, err, "nope.zip", "no such file")


def test_no_input_at_all(tmp_path, capsys):
    status, err = run_build(capsys, tmp_path / "model.txt")
    assert_one_line_error(status, err, "--input")


def test_zip_of_no_known_kind(tmp_path, capsys):
    archive = fx.write_zip(tmp_path / "photos.zip", {"img/cat.txt": "meow", "README": "x"})
    out = tmp_path / "model.txt"
    status, err = run_build(capsys, out, archive)
    assert_one_line_error(status, err, "photos.zip", "not an X archive", "outbox.json")
    assert_nothing_written(out)


@pytest.mark.parametrize("kind", ["tweets.js", "discord", "outbox", "jsonl"])
def test_truncated_json(tmp_path, capsys, kind):
    if kind == "tweets.js":
        files = fx.x_archive_files([fx.x_tweet(i, f"tweet number {i} here ok", i)
                                    for i in range(50)])  # fmt: skip
        root = fx.write_tree(tmp_path / "a", files)
        target = root / "data" / "tweets.js"
    elif kind == "discord":
        target = root = fx.write_dce_json(
            tmp_path / "c.json",
            [fx.dce_message(i, "ann", f"message number {i} is here", [1]) for i in range(50)],
        )
    elif kind == "outbox":
        root = fx.write_tree(tmp_path / "m", fx.outbox_files(
            [fx.note_activity(i, f"<p>post {i} words here</p>", to=[fx.PUBLIC])
             for i in range(50)]))  # fmt: skip
        target = root / "outbox.json"
    else:
        target = root = fx.write_jsonl(
            tmp_path / "t.jsonl",
            [fx.scraped(i, "ann", f"tweet number {i} here", 1, 0) for i in range(50)],
        )
    data = target.read_bytes()
    target.write_bytes(data[: len(data) * 2 // 3])
    out = tmp_path / "model.txt"
    status, err = run_build(capsys, out, root)
    assert_one_line_error(status, err, target.name)
    assert "malformed or cut short" in err or "not JSON" in err
    assert_nothing_written(out)


def test_car_that_is_not_a_repository(tmp_path, capsys):
    record = fx.write_car(tmp_path / "record.car",
                          {"app.bsky.feed.post/3k": fx.bsky_post("a post but no commit here")},
                          root_is_commit=False)  # fmt: skip
    out = tmp_path / "model.txt"
    status, err = run_build(capsys, out, record)
    assert_one_line_error(status, err, "record.car", "not a Bluesky repository")
    broken = tmp_path / "broken.car"
    broken.write_bytes(record.read_bytes()[:-40])
    status, err = run_build(capsys, out, broken)
    assert_one_line_error(status, err, "broken.car", "not a readable CAR")
    assert_nothing_written(out)


@pytest.mark.parametrize("kind", ["x-archive", "outbox", "car", "discord", "text"])
def test_export_with_no_posts(tmp_path, capsys, kind):
    if kind == "x-archive":
        path = fx.write_tree(tmp_path / "a", fx.x_archive_files([]))
    elif kind == "outbox":
        path = fx.write_tree(tmp_path / "m", fx.outbox_files([]))
    elif kind == "car":
        path = fx.write_car(
            tmp_path / "follows.car",
            {"app.bsky.graph.follow/3k": {"$type": "app.bsky.graph.follow", "subject": "did:x"}},
        )
    elif kind == "discord":
        path = fx.write_dce_json(tmp_path / "c.json", [])
    else:
        path = tmp_path / "empty.txt"
        path.write_text("\n\n", encoding="utf-8")
    out = tmp_path / "model.txt"
    status, err = run_build(capsys, out, path)
    assert_one_line_error(status, err, path.name, "no posts")
    assert_nothing_written(out)


def test_every_post_filtered_out(tmp_path, capsys):
    path = fx.write_dce_json(
        tmp_path / "c.json",
        [fx.dce_message(1, "ann", "short"), fx.dce_message(2, "bob", "tiny one")],
    )
    out = tmp_path / "model.txt"
    status, err = run_build(capsys, out, path)
    assert_one_line_error(status, err, "c.json", "every post was filtered out", "too_short",
                          "--min-words")  # fmt: skip
    assert_nothing_written(out)


def test_out_over_an_input_is_refused(tmp_path, capsys):
    text = tmp_path / "model.txt"
    text.write_text("a post that must survive the mistake\n", encoding="utf-8")
    status, err = run_build(capsys, text, text)
    assert_one_line_error(status, err, "model.txt", "--out")
    assert text.read_text(encoding="utf-8") == "a post that must survive the mistake\n"


def test_unknown_forced_format(capsys, tmp_path):
    assert main(["build", "--input", str(tmp_path), "--format", "myspace"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and len(err.strip().splitlines()) <= 3


def test_not_utf8_text(tmp_path, capsys):
    path = tmp_path / "posts.csv"
    path.write_bytes("text\nolé un post en latin1 ici\n".encode("latin-1"))
    status, err = run_build(capsys, tmp_path / "model.txt", path)
    assert_one_line_error(status, err, "posts.csv")


def test_structure_a_reader_cannot_follow(tmp_path, capsys):
    odd = tmp_path / "tweets.js"
    odd.write_text('window.YTD.tweets.part0 = ["just", "strings"]', encoding="utf-8")
    status, err = run_build(capsys, tmp_path / "model.txt", odd)
    assert_one_line_error(status, err, "tweets.js", "not a well-formed X account archive")
    dce = fx.write_dce_json(tmp_path / "c.json", [fx.dce_message(1, "ann", "a fine message")])
    status, err = run_build(capsys, tmp_path / "model.txt", dce, extra=("--format", "bluesky"))
    assert_one_line_error(status, err, "c.json", "not a readable CAR")
