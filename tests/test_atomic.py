"""Atomic writes: all or nothing, with the permissions a plain open() would give."""

import os
import stat

import pytest

from pipeline.atomic import atomic_dir, atomic_write


def test_atomic_write_replaces_only_on_success(tmp_path):
    target = tmp_path / "model.txt"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("half of the new")
        raise RuntimeError("crash")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["model.txt"]
    with atomic_write(target) as handle:
        handle.write("new\n")
    assert target.read_text() == "new\n"


def test_atomic_dir_swaps_whole_folders(tmp_path):
    target = tmp_path / "trained_model"
    with atomic_dir(target) as folder:
        (folder / "a").write_text("1")
    with pytest.raises(RuntimeError), atomic_dir(target) as folder:
        (folder / "a").write_text("2")
        raise RuntimeError("crash")
    assert (target / "a").read_text() == "1"
    assert sorted(os.listdir(tmp_path)) == ["trained_model"]


def test_permissions_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "f.txt") as handle:
            handle.write("x")
        with atomic_dir(tmp_path / "d"):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == 0o755
