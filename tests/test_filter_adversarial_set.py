"""The adversarial filter set and its judge: the file parses, escapes decode, leaks are found.

The filter's figures on this set are measured by ``bench/filter_adversarial.py``, not here.
"""

from __future__ import annotations

import collections
import sys
import unicodedata

import pytest

from bench.filter_adversarial import (
    CLASS_MINIMUMS,
    CORPUS,
    LABELS,
    MIN_ROWS,
    SET,
    Row,
    control_leaks,
    decode_escapes,
    judge,
    leaks,
    load_set,
    main,
    root_zone_tlds,
)
from pipeline.errors import UserError

EXPECTED_LABEL = {"clean": "clean", "hygiene": "strip"}


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return load_set(SET)


def test_every_row_has_a_known_label_and_class_and_the_right_label(rows):
    assert len(rows) >= MIN_ROWS
    for row in rows:
        assert row.label in LABELS
        assert row.klass in CLASS_MINIMUMS
        assert row.label == EXPECTED_LABEL.get(row.klass, "block"), row


def test_class_minimums_hold(rows):
    counts = collections.Counter(row.klass for row in rows)
    for klass, minimum in CLASS_MINIMUMS.items():
        assert counts[klass] >= minimum, (klass, counts[klass])


def test_the_file_has_its_header_and_no_raw_invisible_or_control_characters():
    lines = SET.read_text(encoding="utf-8").split("\n")
    assert lines[0].startswith("#")
    assert any("never tune" in line.lower() for line in lines if line.startswith("#"))
    for number, line in enumerate(lines, 1):
        field = line.split("\t", 2)[-1]
        odd = [c for c in field if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
        assert not odd, f"line {number}: write {odd!r} as a backslash escape"


def test_texts_are_unique_per_class(rows):
    seen = collections.Counter((row.klass, row.text) for row in rows)
    assert [key for key, n in seen.items() if n > 1] == []


def test_escapes_decode_and_a_doubled_backslash_stays_literal():
    assert decode_escapes(r"f\u200buck") == "f\u200buck"
    assert decode_escapes(r"\\u200b") == "\\u200b"
    assert len(decode_escapes(r"\\u200b")) == 6
    assert decode_escapes(r"a\\*b") == "a\\*b"
    assert decode_escapes(r"\U0001F175 \x1b[0m \t") == "\U0001f175 \x1b[0m \t"
    assert decode_escapes("p\u0430ypal ｆｕｃｋ café") == "p\u0430ypal ｆｕｃｋ café"


def test_an_unknown_escape_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="escape"):
        decode_escapes(r"f\*ck")


def test_a_malformed_line_is_one_clear_error_with_its_line_number(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("# header\nblock\tslur\tok\nblock\tnot_a_class\tx\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad.tsv:3: unknown label"):
        load_set(bad)
    bad.write_text("clean\tclean\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad.tsv:1: expected label"):
        load_set(bad)
    bad.write_text("clean\tclean\tf\\*ck\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad.tsv:1: bad backslash escape"):
        load_set(bad)


def test_the_bench_reports_a_bad_set_in_one_line_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["filter_adversarial", "--set", str(tmp_path / "no.tsv")])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "no.tsv" in err and "\n" not in err


def test_the_corpus_has_about_thirty_made_up_lines():
    lines = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    assert 25 <= len(lines) <= 40
    assert all(10 <= len(line.split()) <= 20 for line in lines)


def test_copy_rows_share_eight_words_with_a_corpus_line_once_disguises_are_removed(rows):
    def words(text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).casefold()
        text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Mn"))
        text = text.replace("\u043e", "o").replace("\u0430", "a")
        return "".join(c if c.isalnum() else " " for c in text).split()

    grams = set()
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        w = words(line)
        grams |= {tuple(w[i : i + 8]) for i in range(len(w) - 7)}
    for row in (r for r in rows if r.klass == "copy"):
        w = words(row.text)
        assert any(tuple(w[i : i + 8]) in grams for i in range(len(w) - 7)), row


def test_the_tld_list_is_the_root_zone():
    tlds = root_zone_tlds()
    assert {"com", "top", "zip", "mov", "su", "gg", "xn--p1ai", "рф"} <= tlds
    assert "pdf" not in tlds and "exe" not in tlds
    assert 1000 < len(tlds) < 2500


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hi @everyone", "ping"),
        ("hey@here", "ping"),
        ("@\u200beveryone", "ping"),
        ("||@here||", "ping"),
        ("＠everyone", "ping"),
        ("<@!123456789012345678>", "mention"),
        ("<#112233445566778899>", "mention"),
        ("<id:customize>", "mention"),
        ("gm @some_trader", "handle"),
        ("x.top", "domain"),
        ("p\u0430ypal.com/login", "domain"),
        ("coinbase.xn--p1ai", "domain"),
        ("evil[.]com", "domain"),
        ("evil(dot)com", "domain"),
        ("discord dot gg slash abc", "domain"),
        ("discord .gg/abc", "domain"),
        ("rug\u200bpull.c\u200bom", "domain"),
        ("rugpull。com", "domain"),
        ("ｄｉｓｃｏｒｄ．ｇｇ", "domain"),
        ("hxxps://evil", "url"),
        ("www.example", "url"),
        ("192.168.4.20", "ip"),
        ("[2001:db8::1]:8443", "ip"),
        ("2001:db8:85a3::8a2e:370:7334", "ip"),
    ],
)
def test_the_leak_detector_finds_pings_and_links(text, kind):
    assert any(found.startswith(kind) for found in leaks(text)), leaks(text)


@pytest.mark.parametrize(
    "text",
    [
        "1.5x",
        "v2.0",
        "Scunthorpe",
        "Q3.2026 on Python 3.11.7",
        "the report.pdf attachment",
        "10.5% yields",
        "meet at 12:30:00 sharp",
        "$TSLA up, S&P 500 flat",
        "a CISO, say, at noon",
    ],
)
def test_the_leak_detector_leaves_ordinary_text_alone(text):
    assert leaks(text) == []


def test_control_leaks_find_controls_but_not_newline_or_tab():
    assert control_leaks("a\nb\tc") == []
    assert control_leaks("a\x1b[31mb") == ["U+001B"]
    assert control_leaks("x\x00\u0085\u202e\u2066\u200f\u2028") == [
        "U+0000",
        "U+0085",
        "U+202E",
        "U+2066",
        "U+200F",
        "U+2028",
    ]


def test_judge_counts_a_cleaned_ping_as_blocked_and_a_kept_one_as_a_leak():
    ping = Row("block", "ping", "gm @everyone", 1)
    assert judge(ping, passed=False, posted="")
    assert judge(ping, passed=True, posted="gm everyone")
    assert not judge(ping, passed=True, posted="gm @\u200beveryone")
    slur = Row("block", "slur", "whatever", 2)
    assert not judge(slur, passed=True, posted="")
    strip = Row("strip", "hygiene", "a\x1b[31mb", 3)
    assert judge(strip, passed=True, posted="a b")
    assert not judge(strip, passed=True, posted="a\x1b[31mb")
    clean = Row("clean", "clean", "shoot for the moon", 4)
    assert judge(clean, passed=True, posted="shoot for the moon")
    assert not judge(clean, passed=False, posted="")
