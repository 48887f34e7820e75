"""The corpus builder against hand-computed expectations, on every Twint schema generation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.cli import main
from pipeline.corpus.build import BuildOptions, build_corpus
from tests.fixtures_twint import make_db


def rows_percentile() -> list[dict]:
    """alice: scores 1..21, the 85th percentile is exactly 18; bob: 24; carol: one tweet."""
    rows = [
        {"id": i, "author": "Alice", "text": f"alice tweet number {i} is here", "likes": i,
         "retweets": 0}
        for i in range(1, 22)
    ]  # fmt: skip
    for n, (likes, retweets) in enumerate([(1, 0), (5, 0), (0, 1), (20, 0), (0, 3)]):
        rows.append({"id": 100 + n, "author": "bob", "text": f"bob says thing {n} today",
                     "likes": likes, "retweets": retweets})  # fmt: skip
    rows.append({"id": 200, "author": "carol", "text": "carol only tweets once ever",
                 "likes": 0, "retweets": 0})  # fmt: skip
    return rows


EXPECTED_PERCENTILE = [
    "alice tweet number 18 is here", "alice tweet number 19 is here",
    "alice tweet number 20 is here", "alice tweet number 21 is here",
    "bob says thing 4 today", "carol only tweets once ever",
]  # fmt: skip


def rows_cleaning() -> list[dict]:
    texts = [
        "@alice @bob  Check   this\nout https://t.co/abc123 &amp; more",
        ".@dave: hello there my friends",
        "Links www.example.com/x and pic.twitter.com/AbC and http://foo.bar/long-pa… gone now",
        "Patch all the things 🔥🙃 now please",
        "thanks @eve for the tip today",
        "@x only three words",
        "RT @x: this is a retweet text",
        "Same joke for everyone here",
        "same  joke for everyone here https://t.co/xyz",
        "&lt;3 HTML &quot;entities&quot; decoded here",
    ]
    return [
        {"id": 1000 + i, "author": f"user{i}", "text": t, "likes": 1, "retweets": 0}
        for i, t in enumerate(texts)
    ]


EXPECTED_CLEAN = [
    "check this out & more",
    "hello there my friends",
    "links and and gone now",
    "patch all the things 🔥🙃 now please",
    "thanks @eve for the tip today",
    "same joke for everyone here",
    '<3 html "entities" decoded here',
]


def build(tmp_path: Path, generation: str, rows: list[dict], **options):
    db = tmp_path / f"{generation}.db"
    db.unlink(missing_ok=True)
    make_db(db, generation, rows)
    out = tmp_path / "out" / "model.txt"
    report = build_corpus(
        BuildOptions(db=db, out=out, validation_fraction=0.0, **options), progress=False
    )
    return out.read_text(encoding="utf-8").splitlines(), report


@pytest.mark.parametrize("generation", ["newest", "pypi", "old", "search_name"])
def test_percentile_boundary_per_author(tmp_path, generation):
    lines, report = build(tmp_path, generation, rows_percentile())
    assert lines == EXPECTED_PERCENTILE
    assert report.removed["below_percentile"] == 21 - 4 + 5 - 1
    assert report.authors_seen == 3 and report.authors_kept == 3


def test_threshold_matches_numpy_linear_percentile():
    from pipeline.corpus.percentile import linear_percentile

    rng = np.random.default_rng(7)
    for _ in range(2000):
        values = rng.integers(0, 50, size=rng.integers(1, 30)).astype(float) * 10
        percent = float(rng.choice([85, 50, 90, 99.5, 0, 100, rng.uniform(0, 100)]))
        assert linear_percentile(list(values), percent) == np.percentile(values, percent)
    assert linear_percentile(list(range(1, 22)), 85) == 18


@pytest.mark.parametrize("generation", ["newest", "old"])
def test_cleaning_rules(tmp_path, generation):
    lines, report = build(tmp_path, generation, rows_cleaning())
    assert lines == EXPECTED_CLEAN
    assert report.removed["retweet"] == 1
    assert report.removed["too_short"] == 1
    assert report.removed["duplicate_text"] == 1


def test_keep_case_retweets_and_duplicates_options(tmp_path):
    lines, _ = build(
        tmp_path, "newest", rows_cleaning(),
        lowercase=False, drop_retweets=False, drop_duplicates=False,
    )  # fmt: skip
    assert "Check this out & more" in lines
    assert "RT @x: this is a retweet text" in lines
    assert lines.count("same joke for everyone here") == 1
    assert "Same joke for everyone here" in lines


def test_old_generation_retweet_flag(tmp_path):
    rows = rows_cleaning()[:2]
    rows[1]["retweet"] = 1
    lines, report = build(tmp_path, "old", rows)
    assert lines == ["check this out & more"]
    assert report.removed["retweet"] == 1


def test_duplicate_ids_of_search_name_generation(tmp_path):
    rows = [
        {"id": 7, "author": "a", "text": "the same tweet found twice", "likes": 3,
         "retweets": 0, "search_name": search}
        for search in ("$AAPL", "$GOOG")
    ]  # fmt: skip
    lines, report = build(tmp_path, "search_name", rows)
    assert lines == ["the same tweet found twice"]
    assert report.removed["duplicate_id"] == 1
    assert report.rows_read == 2


def test_nulls_and_empty_strings(tmp_path):
    rows = [
        {"id": 1, "author": "a", "text": "null counts are just zero", "likes": None,
         "retweets": ""},
        {"id": 2, "author": "a", "text": None, "likes": 5, "retweets": None},
        {"id": 3, "author": "", "text": "nobody wrote this one here", "likes": 1, "retweets": 0},
    ]  # fmt: skip
    db = make_db(tmp_path / "n.db", "newest", rows)
    # author '' and a NULL text must not crash; the NULL text scores 5, so 'a' keeps it alone.
    report = build_corpus(
        BuildOptions(db=db, out=tmp_path / "m.txt", percentile=0, validation_fraction=0),
        progress=False,
    )
    assert (tmp_path / "m.txt").read_text().splitlines() == ["null counts are just zero"]
    assert report.removed["no_author"] == 1
    assert report.removed["too_short"] == 1


def test_date_range_with_epoch_milliseconds(tmp_path):
    rows = [
        {"id": 1, "author": "a", "text": "tweeted on the first of march", "likes": 1,
         "retweets": 0, "created_at": 1583020800000},  # 2020-03-01T00:00Z
        {"id": 2, "author": "a", "text": "tweeted on the first of april", "likes": 1,
         "retweets": 0, "created_at": 1585699200000},  # 2020-04-01T00:00Z
    ]  # fmt: skip
    from datetime import date

    lines, report = build(tmp_path, "pypi", rows, since=date(2020, 3, 15))
    assert lines == ["tweeted on the first of april"]
    assert report.removed["date_range"] == 1


def test_date_range_with_zone_names_never_uses_strptime_z(tmp_path):
    from datetime import date

    rows = [
        {"id": 1, "author": "a", "text": "new year's eve in india early", "likes": 1,
         "retweets": 0, "created_at": "2019-12-31 21:04:53 IST"},
        {"id": 2, "author": "a", "text": "new year's day in india but utc eve", "likes": 1,
         "retweets": 0, "created_at": "2020-01-01 03:00:00 IST"},
        {"id": 3, "author": "a", "text": "new year's day everywhere for real", "likes": 1,
         "retweets": 0, "created_at": "2020-01-01 18:00:00 PST"},
    ]  # fmt: skip
    lines, _ = build(tmp_path, "newest", rows, until=date(2019, 12, 31))
    assert lines == ["new year's eve in india early", "new year's day in india but utc eve"]


def test_language_filter_and_warning_without_column(tmp_path):
    rows = [
        {"id": 1, "author": "a", "text": "this one is written in english", "likes": 1,
         "retweets": 0, "language": "en"},
        {"id": 2, "author": "a", "text": "este está escrito en español", "likes": 1,
         "retweets": 0, "language": "es"},
    ]  # fmt: skip
    lines, report = build(tmp_path, "newest", rows, languages=frozenset({"es"}))
    assert lines == ["este está escrito en español"]
    assert report.removed["language"] == 1
    _, report = build(tmp_path, "pypi", rows, languages=frozenset({"es"}))
    assert report.kept_lines == 2 and "--language ignored" in report.warnings[0]


def test_author_include_and_exclude(tmp_path):
    rows = rows_percentile()
    lines, report = build(tmp_path, "newest", rows, authors=frozenset({"alice", "carol"}))
    assert lines == EXPECTED_PERCENTILE[:4] + EXPECTED_PERCENTILE[5:]
    assert report.removed["author"] == 5
    lines, _ = build(tmp_path, "newest", rows, exclude_authors=frozenset({"alice"}))
    assert lines == EXPECTED_PERCENTILE[4:]


def test_validation_split_is_stable_when_the_database_grows(tmp_path):
    def rows(n):
        return [{"id": 10_000 + i, "author": f"u{i}", "text": f"tweet number {i} of many here",
                 "likes": 1, "retweets": 0} for i in range(n)]  # fmt: skip

    out = tmp_path / "a" / "model.txt"
    small = make_db(tmp_path / "small.db", "newest", rows(200))
    big = make_db(tmp_path / "big.db", "newest", rows(400))
    build_corpus(BuildOptions(db=small, out=out, validation_fraction=0.2), progress=False)
    first = set((tmp_path / "a" / "model.valid.txt").read_text().splitlines())
    build_corpus(BuildOptions(db=big, out=out, validation_fraction=0.2), progress=False)
    second = set((tmp_path / "a" / "model.valid.txt").read_text().splitlines())
    training = set(out.read_text().splitlines())
    assert first and first < second
    assert not second & training
    assert 40 <= len(second) <= 120  # about 20% of 400


def test_report_json_beside_output(tmp_path):
    _, report = build(tmp_path, "newest", rows_cleaning())
    data = json.loads((tmp_path / "out" / "model.report.json").read_text())
    assert data["rows_read"] == 10
    assert data["kept_lines"] == len(EXPECTED_CLEAN) == report.kept_lines
    assert data["removed"]["retweet"] == 1
    assert data["outputs"]["validation"].endswith("model.valid.txt")
    assert data["words"] == sum(len(line.split()) for line in EXPECTED_CLEAN)


def test_cli_prints_summary(tmp_path, capsys):
    db = make_db(tmp_path / "t.db", "newest", rows_percentile())
    assert main(["build", "--db", str(db), "--out", str(tmp_path / "model.txt")]) == 0
    out = capsys.readouterr().out
    assert "read 27 rows" in out and "kept 6 tweets" in out
