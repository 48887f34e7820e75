"""The readers on the real public exports in ../shared/data/exports (skipped when absent).

``ROOT.parent / "shared"`` as in CI (the checkout beside ``shared/``); ``DEEPCISO_SHARED`` points
elsewhere for a worktree that is not beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.corpus.build import BuildOptions
from pipeline.corpus.sources.detect import detect
from pipeline.corpus.sources.merge import build_from_inputs
from pipeline.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = Path(os.environ.get("DEEPCISO_SHARED", ROOT.parent / "shared")) / "data" / "exports"
needs_exports = pytest.mark.skipif(not EXPORTS.exists(), reason="../shared/data/exports is absent")

X_ARCHIVE = EXPORTS / "x_archive" / "milahu104-2026-02"
LEGACY = EXPORTS / "twitter_legacy_archive" / "agustincordobaj" / "tweets.csv"
TWSCRAPE = EXPORTS / "twscrape_jsonl" / "generated-by-twscrape-0.20.1"
CARS = EXPORTS / "bluesky_car"


def build(tmp_path: Path, *inputs: Path, **options):
    out = tmp_path / "model.txt"
    report = build_from_inputs(
        [(p, None) for p in inputs], BuildOptions(db=inputs[0], out=out, **options), progress=False
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    lines += (tmp_path / "model.valid.txt").read_text(encoding="utf-8").splitlines()
    return lines, report


def assert_clean(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert "://" not in text and "t.co/" not in text and "&amp;" not in text
    assert not any(line.startswith("@") for line in lines)
    assert all(line == line.strip() and line == line.lower() for line in lines)


@needs_exports
def test_x_archive_2026(tmp_path):
    assert detect(X_ARCHIVE) == "x-archive"
    lines, report = build(tmp_path, X_ARCHIVE, percentile=0, min_words=1)
    source = report.inputs[0]
    assert source.posts_read == 1190 and source.removed["retweet"] == 140
    assert source.authors_seen == 1 and source.engagement.startswith("likes")
    assert source.posts_read == sum(source.removed.values()) + source.kept
    assert_clean(lines)
    assert any("&" in line or "<" in line or ">" in line for line in lines)  # unescaped once


@needs_exports
def test_x_archive_tweets_js_alone_finds_its_manifest(tmp_path):
    _, report = build(tmp_path, X_ARCHIVE / "data" / "tweets.js", percentile=0, min_words=1)
    assert report.inputs[0].posts_read == 1190 and not report.inputs[0].warnings


@needs_exports
def test_legacy_tweets_csv(tmp_path):
    assert detect(LEGACY) == "twitter-csv"
    lines, report = build(tmp_path, LEGACY, min_words=1)
    source = report.inputs[0]
    assert source.posts_read == 49 and source.removed["retweet"] >= 1
    assert source.engagement.startswith("none") and source.authors_seen == 1
    assert not source.warnings[:-1]  # only "no engagement counts": the author was found
    assert_clean(lines)
    assert detect(LEGACY.parent) == "twitter-csv"  # the archive's folder, as unzipped
    folder_lines, _ = build(tmp_path, LEGACY.parent, min_words=1)
    assert sorted(folder_lines) == sorted(lines)


@needs_exports
def test_twscrape_jsonl_both_files_merged(tmp_path):
    files = sorted(TWSCRAPE.glob("*.jsonl"))
    assert [detect(p) for p in files] == ["twscrape"] * len(files)
    lines, report = build(tmp_path, *files, percentile=0, min_words=1)
    assert all(s.posts_read > 0 and s.engagement.startswith("likes") for s in report.inputs)
    assert len(lines) == len(set(lines))
    assert_clean(lines)


@needs_exports
def test_bluesky_repository(tmp_path):
    car = CARS / "bnewbold.robocracy.org.20250310005405.car"
    assert detect(car) == "bluesky"
    lines, report = build(tmp_path, car, min_words=1)
    source = report.inputs[0]
    assert source.posts_read == 23 and source.authors_seen == 1
    assert "linkat.blue" not in "\n".join(lines)  # the shortened link text is cut by its facet
    assert_clean(lines)


@needs_exports
def test_bluesky_repository_without_posts(tmp_path):
    with pytest.raises(UserError, match="no posts"):
        build(tmp_path, CARS / "greenground.repo.car")


@needs_exports
def test_every_real_export_merged(tmp_path):
    inputs = [X_ARCHIVE, LEGACY, *sorted(TWSCRAPE.glob("*.jsonl")),
              CARS / "bnewbold.robocracy.org.20250310005405.car"]  # fmt: skip
    lines, report = build(tmp_path, *inputs, min_words=2)
    assert len(report.inputs) == len(inputs) and all(s.kept for s in report.inputs)
    assert len(lines) == len(set(lines)) == report.kept_lines
