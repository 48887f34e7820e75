"""The builder on real Twint files from ../shared (skipped when that folder is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.corpus.build import BuildOptions, build_corpus

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REAL = sorted((SHARED / "real-twint-dbs").glob("*.db")) if SHARED.exists() else []
needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is absent")


@needs_shared
def test_ccic_cashtag_database(tmp_path):
    out = tmp_path / "model.txt"
    report = build_corpus(BuildOptions(db=SHARED / "ccic-cashtag.twint.db", out=out), False)
    assert report.rows_read == 46_552 and report.authors_seen == 1_456
    assert report.generation.startswith("H")
    lines = out.read_text(encoding="utf-8").splitlines()
    valid = (tmp_path / "model.valid.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) + len(valid) == report.kept_lines > 7_000
    assert 0.03 < len(valid) / report.kept_lines < 0.07
    text = "\n".join(lines)
    assert "http" not in text and "t.co/" not in text and "&amp;" not in text
    assert all(line == line.strip() and line == line.lower() for line in lines)
    assert all(len(line.split()) >= 4 for line in lines)
    assert not any(line.startswith("@") for line in lines)


@needs_shared
@pytest.mark.parametrize("db", REAL, ids=[p.name for p in REAL])
def test_databases_written_by_real_twint_versions(tmp_path, db):
    out = tmp_path / "model.txt"
    report = build_corpus(BuildOptions(db=db, out=out, min_words=1, percentile=0), False)
    assert report.kept_lines >= 1
    assert report.rows_read == sum(report.removed.values()) + report.kept_lines
