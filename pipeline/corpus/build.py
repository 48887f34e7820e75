"""Build ``model.txt`` from a Twint database: each author's best tweets, cleaned, one per line.

Rows stream out of SQLite ordered by author, so only one author's tweets are held at a time;
memory grows with the number of kept lines (for the duplicate check), not with the table.
Stages, in order, each counted in the report: duplicate ids, missing author, text that is not
UTF-8 text (a number, NULL, a blob or invalid bytes: skipped, never a crash), author filter,
retweets, language, date range, below the author's engagement percentile, too few words after
cleaning, duplicate text after cleaning. The survivors are split into training and validation
lines by a hash of the tweet id.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from pipeline import paths
from pipeline.atomic import atomic_write, ensure_writable_dir
from pipeline.commands.argtypes import is_utf8
from pipeline.corpus.cleaning import clean_tweet
from pipeline.corpus.percentile import linear_percentile
from pipeline.corpus.split import is_validation
from pipeline.corpus.tweet_time import parse_created_at, parse_date_time
from pipeline.corpus.twint_schema import TweetColumns, detect_columns, open_database
from pipeline.errors import UserError

log = logging.getLogger(__name__)

FETCH_ROWS = 8192

# Removal stages in pipeline order, with what the operator can do when one removes everything.
STAGES: dict[str, str] = {
    "duplicate_id": "the database holds the same tweet ids several times",
    "no_author": "rows have an empty author",
    "bad_text": "the text column holds numbers, NULLs, blobs or bytes that are not UTF-8",
    "author": "check --authors / --exclude-authors",
    "retweet": "pass --keep-retweets to keep them",
    "language": "check --language against the database's language codes",
    "date_range": "widen --since / --until",
    "below_percentile": "lower --percentile",
    "too_short": "lower --min-words",
    "duplicate_text": "pass --keep-duplicates to keep them",
}


@dataclass(frozen=True)
class BuildOptions:
    """Everything ``deepciso build`` can be told; the defaults are the original demo's rule."""

    db: Path
    out: Path = paths.DEFAULT_CORPUS
    percentile: float = 85.0
    retweet_weight: float = 10.0
    min_words: int = 4
    lowercase: bool = True
    languages: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None
    authors: frozenset[str] = frozenset()
    exclude_authors: frozenset[str] = frozenset()
    drop_retweets: bool = True
    drop_duplicates: bool = True
    validation_fraction: float = 0.05

    def validate(self) -> None:
        """Reject impossible settings before any work is done."""
        if not 0 <= self.percentile <= 100:
            raise UserError(f"--percentile {self.percentile} is outside 0..100")
        if self.retweet_weight < 0:
            raise UserError(f"--retweet-weight {self.retweet_weight} must not be negative")
        if self.min_words < 1:
            raise UserError(f"--min-words {self.min_words} must be at least 1")
        if not 0 <= self.validation_fraction < 1:
            raise UserError(f"--validation {self.validation_fraction} must be in [0, 1)")
        if self.since and self.until and self.since > self.until:
            raise UserError(f"--since {self.since} is after --until {self.until}")
        if self.authors & self.exclude_authors:
            both = ", ".join(sorted(self.authors & self.exclude_authors))
            raise UserError(f"{both}: named in both --authors and --exclude-authors")


@dataclass
class CorpusReport:
    """What the build read, removed (by stage) and wrote."""

    database: str
    generation: str
    rows_read: int = 0
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    authors_seen: int = 0
    authors_kept: int = 0
    kept_lines: int = 0
    training_lines: int = 0
    validation_lines: int = 0
    words: int = 0
    outputs: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    def summary(self) -> str:
        lines = [
            f"read {self.rows_read:,} rows from {self.database} "
            f"(Twint generation {self.generation})",
        ]
        lines += [f"  removed {n:>9,}  {stage}" for stage, n in self.removed.items() if n]
        lines.append(
            f"kept {self.kept_lines:,} tweets ({self.words:,} words) from "
            f"{self.authors_kept:,} of {self.authors_seen:,} authors: "
            f"{self.training_lines:,} training, {self.validation_lines:,} validation"
        )
        lines += [f"  wrote {path}" for path in self.outputs.values()]
        lines += [f"warning: {text}" for text in self.warnings]
        return "\n".join(lines)


def build_corpus(options: BuildOptions, progress: bool = True) -> CorpusReport:
    """Read ``options.db``, write the corpus, validation split and report; return the report."""
    started = time.perf_counter()
    options.validate()
    out = Path(options.out)
    ensure_writable_dir(out.parent)
    conn = open_database(options.db)
    conn.text_factory = _lenient_text
    try:
        columns = detect_columns(conn, options.db)
        total = conn.execute("SELECT count(*) FROM tweets").fetchone()[0]
        if total == 0:
            raise UserError(f"{options.db}: the 'tweets' table is empty")
        report = CorpusReport(database=str(options.db), generation=columns.generation)
        _check_filters_apply(options, columns, report)
        kept: list[tuple[object, str]] = _select(conn, columns, options, report, total, progress)
    finally:
        conn.close()
    if not kept:
        raise UserError(_why_empty(options, report))
    write_outputs(kept, options, report)
    report.seconds = round(time.perf_counter() - started, 3)
    with atomic_write(paths.report_path(out)) as handle:
        handle.write(report.to_json())
    report.outputs["report"] = str(paths.report_path(out))
    return report


def _check_filters_apply(options: BuildOptions, columns: TweetColumns, report: CorpusReport):
    if (options.since or options.until) and not columns.has_time:
        raise UserError(
            f"{options.db}: --since/--until need a time column (created_at or date), "
            "and this table has none"
        )
    if options.languages and columns.language is None:
        report.warnings.append(
            f"--language ignored: Twint generation {columns.generation} has no language column"
        )


def _base_sql(conn, columns: TweetColumns, options: BuildOptions) -> str:
    """``WITH base AS (...)``: every row with its author key, score and the stage that drops it.

    ``stage`` is NULL for rows that reach the percentile; duplicate ids (possible only where the
    primary key is not the id alone) are left out here and counted separately.
    """
    stages = ["WHEN author = '' THEN 'no_author'", "WHEN text_type != 'text' THEN 'bad_text'"]
    if options.authors:
        stages.append("WHEN author NOT IN (SELECT value FROM json_each(:authors)) THEN 'author'")
    if options.exclude_authors:
        stages.append("WHEN author IN (SELECT value FROM json_each(:exclude)) THEN 'author'")
    # The CASE sees the inner SELECT's aliases only (never a raw column name: SQLite reads an
    # unknown "name" as a string literal).
    if options.drop_retweets:
        stages.append(
            "WHEN ltrim(tweet) LIKE 'RT @%' OR coalesce(retweet_flag, 0) IN (1, '1', 'True') "
            "THEN 'retweet'"
        )
    if options.languages and columns.language:
        stages.append(
            "WHEN lower(coalesce(language, '')) NOT IN (SELECT value FROM json_each(:languages)) "
            "THEN 'language'"
        )
    if options.since or options.until:
        conn.create_function("in_dates", 4, _date_checker(options), deterministic=True)
        stages.append("WHEN NOT in_dates(created_at, date, time, timezone) THEN 'date_range'")
    unique = "" if columns.id_is_key else (
        " WHERE rowid IN (SELECT min(rowid) FROM tweets GROUP BY id)"
    )  # fmt: skip
    return f"""WITH base AS (SELECT *, CASE {" ".join(stages)} END AS stage FROM (
            SELECT rowid AS row, id, coalesce(tweet, '') AS tweet, typeof(tweet) AS text_type,
                {columns.language or "''"} AS language,
                lower(trim(coalesce({columns.author}, ''))) AS author,
                :weight * coalesce(CAST({columns.retweets} AS INTEGER), 0)
                + coalesce(CAST({columns.likes} AS INTEGER), 0) AS score,
                {columns.retweet_flag or "NULL"} AS retweet_flag,
                {columns.created_at or "NULL"} AS created_at, {columns.date or "NULL"} AS date,
                {columns.time or "NULL"} AS time, {columns.timezone or "NULL"} AS timezone
            FROM tweets{unique})) """


def _parameters(options: BuildOptions) -> dict:
    return {
        "weight": float(options.retweet_weight),
        "authors": json.dumps(sorted(options.authors)),
        "exclude": json.dumps(sorted(options.exclude_authors)),
        "languages": json.dumps(sorted(options.languages)),
    }


def _date_checker(options: BuildOptions):
    def in_dates(created_at, day, clock, zone) -> bool:
        when = parse_created_at(created_at, fallback_zone=zone) or parse_date_time(day, clock, zone)
        if when is None:
            return False
        return (options.since is None or when.date() >= options.since) and (
            options.until is None or when.date() <= options.until
        )

    return in_dates


def _progress(rows: Iterator[list], total: int, desc: str, enabled: bool) -> Iterator[tuple]:
    """Yield the rows of each chunk, with a tqdm bar (rate, ETA) when stderr is a terminal."""
    if not (enabled and sys.stderr.isatty()):
        for chunk in rows:  # tqdm would draw nothing: skip its import and bookkeeping
            yield from chunk
        return
    from tqdm import tqdm

    with tqdm(total=total, unit=" tweets", unit_scale=True, desc=desc, mininterval=0.5) as bar:
        for chunk in rows:
            yield from chunk
            bar.update(len(chunk))


def _chunks(cursor) -> Iterator[list]:
    while rows := cursor.fetchmany(FETCH_ROWS):
        yield rows


def _select(conn, columns, options: BuildOptions, report: CorpusReport, total, progress):
    """Two passes: the rows that reach their author's percentile, then their texts by rowid.

    Pass 1 streams (author, score, stage, rowid) sorted by author, one author held at a time;
    pass 2 reads only the candidates' texts, in table order.
    """
    params = _parameters(options)
    base = _base_sql(conn, columns, options)
    report.rows_read = unique_rows = total
    if not columns.id_is_key:
        unique_rows = conn.execute(base + "SELECT count(*) FROM base", params).fetchone()[0]
        report.removed["duplicate_id"] = total - unique_rows

    candidates: list[int] = []
    group: list[tuple[float, int]] = []
    author = None
    cursor = conn.execute(
        base + "SELECT author, score, stage, row FROM base ORDER BY author", params
    )
    for row_author, score, stage, rowid in _progress(
        _chunks(cursor), unique_rows, "scoring", progress
    ):
        if row_author != author:
            _reaching(group, options.percentile, candidates)
            author, group = row_author, []
            report.authors_seen += 1
        if stage is None:
            group.append((score, rowid))
        else:
            report.removed[stage] += 1
    _reaching(group, options.percentile, candidates)
    surviving = unique_rows - sum(report.removed[s] for s in STAGES if s != "duplicate_id")
    report.removed["below_percentile"] = surviving - len(candidates)

    candidates.sort()
    conn.execute("CREATE TEMP TABLE candidates (row INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO candidates VALUES (?)", ((row,) for row in candidates))
    cursor = conn.execute(
        f"SELECT lower(trim(coalesce(t.{columns.author}, ''))), t.id, coalesce(t.tweet, '') "
        "FROM temp.candidates c JOIN tweets t ON t.rowid = c.row ORDER BY c.row"
    )
    seen_texts: set[str] = set()
    kept: list[tuple[object, str]] = []
    authors_kept: set[str] = set()
    for row_author, tweet_id, text in _progress(
        _chunks(cursor), len(candidates), "cleaning", progress
    ):
        if not is_utf8(text):  # invalid bytes, kept as lone surrogates by _lenient_text
            report.removed["bad_text"] += 1
            continue
        line = clean_tweet(text, lowercase=options.lowercase)
        if len(line.split()) < options.min_words:
            report.removed["too_short"] += 1
        elif options.drop_duplicates and line in seen_texts:
            report.removed["duplicate_text"] += 1
        else:
            seen_texts.add(line)
            kept.append((tweet_id, line))
            authors_kept.add(row_author)
    report.authors_kept = len(authors_kept)
    return kept


def _lenient_text(raw: bytes) -> str:
    """SQLite TEXT to str without failing on invalid UTF-8 (such texts are counted, skipped)."""
    return raw.decode("utf-8", "surrogateescape")


def _reaching(group: list[tuple[float, int]], percentile: float, out: list[int]) -> None:
    """Append the rowids of one author's tweets that score at or above their percentile."""
    if group:
        threshold = linear_percentile([score for score, _ in group], percentile)
        out.extend(rowid for score, rowid in group if score >= threshold)


def _why_empty(options: BuildOptions, report: CorpusReport) -> str:
    last = next(stage for stage in reversed(STAGES) if report.removed[stage])
    return (
        f"{options.db}: every tweet was filtered out; the last {report.removed[last]:,} "
        f"were removed as '{last}' ({STAGES[last]})"
    )


def write_outputs(kept, options: BuildOptions, report: CorpusReport) -> None:
    """Write training and validation files together: both appear, or neither changes."""
    out = Path(options.out)
    valid_path = paths.validation_path(out)
    with atomic_write(out) as train_file, atomic_write(valid_path) as valid_file:
        for tweet_id, line in kept:
            if is_validation(tweet_id, options.validation_fraction):
                valid_file.write(line + "\n")
                report.validation_lines += 1
            else:
                train_file.write(line + "\n")
                report.training_lines += 1
            report.words += len(line.split())
    report.kept_lines = len(kept)
    report.outputs = {"corpus": str(out), "validation": str(valid_path)}
