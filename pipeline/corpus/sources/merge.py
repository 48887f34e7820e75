"""Build ``model.txt`` from one or several exports of any supported format, merged.

Posts stream from each reader through the per-post stages (duplicate id within a source,
private, system, bot, empty, missing author, author filter, retweets, language, dates); the
survivors' texts go to a temporary spool file and only (group, score, offset) stay in memory, so
a 1 GB export does not need gigabytes. Then each author's percentile is taken within each
source (engagement scales differ between X, Discord and Mastodon), or every post is "top" where
a source has no counts; the candidates are read back from the spool, cleaned (per-format, then
the common cleaner), deduplicated by text across all sources and split like the Twint build.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import math
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from pipeline import paths
from pipeline.atomic import atomic_write, ensure_writable_dir
from pipeline.corpus.build import STAGES as TWINT_STAGES
from pipeline.corpus.build import BuildOptions, write_outputs
from pipeline.corpus.cleaning import clean_tweet, is_retweet
from pipeline.corpus.percentile import linear_percentile
from pipeline.corpus.sources.detect import expand, export_files
from pipeline.corpus.sources.formats import FORMATS, Format, known_formats
from pipeline.corpus.sources.post import Post, ReadContext
from pipeline.corpus.sources.times import parse_time
from pipeline.errors import UserError

log = logging.getLogger(__name__)

_NEW_STAGES = {
    "duplicate_id": "the export holds the same post ids several times",
    "private": "direct messages, group DMs and followers-only posts "
    "(pass --include-private for Discord DMs you may use)",
    "system": "system messages (joins, pins, calls, threads)",
    "bot": "messages written by bots",
    "empty": "posts with no text (attachments or embeds only)",
}
STAGES: dict[str, str] = {**_NEW_STAGES, **{k: v for k, v in TWINT_STAGES.items()
                                            if k not in _NEW_STAGES}}  # fmt: skip
_SEPARATOR = "\x1f"
# Formats read from a folder or an archive as a whole (others: from each file in a folder).
_CONTAINER_FORMATS = frozenset({"x-archive", "mastodon", "twitter-csv"})
_PROGRESS_EVERY = 8192


@dataclass
class InputReport:
    """One ``--input``: its format, what was read, removed (by stage) and kept."""

    path: str
    format: str
    label: str
    posts_read: int = 0
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    authors_seen: int = 0
    authors_kept: int = 0
    kept: int = 0
    engagement: str = "likes + weight x reposts"
    warnings: list[str] = field(default_factory=list)


@dataclass
class SourcesReport:
    """The whole build: per input, then the files written."""

    inputs: list[InputReport] = field(default_factory=list)
    kept_lines: int = 0
    training_lines: int = 0
    validation_lines: int = 0
    words: int = 0
    outputs: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, str] = field(default_factory=lambda: dict(STAGES))  # why, per stage

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    def summary(self) -> str:
        lines: list[str] = []
        for source in self.inputs:
            lines.append(f"read {source.posts_read:,} posts from {source.path} ({source.label}; "
                         f"engagement: {source.engagement})")  # fmt: skip
            lines += [f"  removed {n:>9,}  {stage}: {STAGES[stage]}"
                      for stage, n in source.removed.items() if n]  # fmt: skip
            lines.append(f"  kept {source.kept:,} from {source.authors_kept:,} of "
                         f"{source.authors_seen:,} authors")  # fmt: skip
            lines += [f"  warning: {text}" for text in source.warnings]
        lines.append(
            f"kept {self.kept_lines:,} posts ({self.words:,} words): "
            f"{self.training_lines:,} training, {self.validation_lines:,} validation"
        )
        lines += [f"  wrote {path}" for path in self.outputs.values()]
        lines += [f"warning: {text}" for text in self.warnings]
        return "\n".join(lines)


@dataclass
class _Source:
    index: int  # position in the build's list of sources
    path: Path
    format: Format
    files: list[Path]
    report: InputReport
    has_counts: bool = False
    dated: int = 0
    with_language: int = 0
    groups: dict[str, int] = field(default_factory=dict)  # author -> group number


class _Spool:
    """Survivors of the per-post stages: texts on disk, numbers in compact arrays."""

    _FLUSH = 1 << 20

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="deepciso-spool-")  # noqa: SIM115
        self.group, self.score, self.ends = array("l"), array("d"), array("q")
        self.group_source: list[int] = []  # group number -> source index
        self._buffer = bytearray()
        self._written = 0

    def add(self, group: int, score: float, post_id: str, text: str) -> None:
        buffer = self._buffer
        buffer += f"{post_id}{_SEPARATOR}{text}".encode("utf-8", "surrogatepass")
        self.group.append(group)
        self.score.append(score)
        size = len(buffer)
        self.ends.append(self._written + size)
        if size >= self._FLUSH:
            self.flush()

    def flush(self) -> None:
        self.file.write(self._buffer)
        self._written += len(self._buffer)
        self._buffer.clear()

    def read(self, index: int) -> tuple[str, str]:
        start = self.ends[index - 1] if index else 0
        self.file.seek(start)
        data = self.file.read(self.ends[index] - start)
        post_id, _, text = data.decode("utf-8", "surrogatepass").partition(_SEPARATOR)
        return post_id, text


def build_from_inputs(
    inputs: Sequence[tuple[Path, str | None]],
    options: BuildOptions,
    *,
    include_private: bool = False,
    progress: bool = True,
) -> SourcesReport:
    """Read every ``(path, forced format or None)``, write the corpus, split and report."""
    started = time.perf_counter()
    options.validate()
    out = Path(options.out)
    ensure_writable_dir(out.parent)
    report = SourcesReport()
    sources = _resolve(inputs, report)
    spool = _Spool()
    with contextlib.closing(spool.file), _without_cyclic_gc():
        for source in sources:
            _read_source(source, options, include_private, spool, progress)
        spool.flush()
        candidates = _candidates(sources, spool, options.percentile)
        kept = _clean(candidates, sources, spool, options)
    if not kept:
        raise UserError(_why_empty(sources))
    write_outputs(kept, options, report)
    report.seconds = round(time.perf_counter() - started, 3)
    with atomic_write(paths.report_path(out)) as handle:
        handle.write(report.to_json())
    report.outputs["report"] = str(paths.report_path(out))
    return report


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector while posts stream: parsed JSON holds no reference cycles
    (reference counting frees every item), and the collector, run after every few hundred new
    dicts, would only re-scan them (about 3 s of CPU in a 1,000,000-message Discord build)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()



def _resolve(inputs: Sequence[tuple[Path, str | None]], report: SourcesReport) -> list[_Source]:
    sources: list[_Source] = []
    for path, forced in inputs:
        path = Path(path)
        if forced is not None:
            if forced not in FORMATS:
                raise UserError(f"--format {forced}: not one of {known_formats()}")
            if not path.exists():
                raise UserError(f"{path}: no such file or folder; check the --input path")
            loose = path.is_dir() and forced not in _CONTAINER_FORMATS
            groups = [(forced, export_files(path) if loose else [path])]
        else:
            groups = expand(path)
        for name, files in groups:
            fmt = FORMATS[name]
            log.debug("%s: read as %s (%d file%s)", path, fmt.label, len(files),
                     "" if len(files) == 1 else "s")  # fmt: skip
            entry = InputReport(path=str(path), format=name, label=fmt.label)
            report.inputs.append(entry)
            sources.append(_Source(len(sources), path, fmt, files, entry))
    return sources


def _posts(source: _Source, ctx: ReadContext, progress: bool) -> Iterator[Post]:
    """The source's posts; a structure its reader cannot follow is one line, not a traceback."""
    try:
        yield from _read_all(source, ctx, progress)
    except OSError as exc:
        raise UserError(f"{source.path}: cannot read it ({exc.strerror or exc})") from exc
    except (AttributeError, TypeError, KeyError) as exc:
        raise UserError(
            f"{source.path}: not a well-formed {source.format.label} ({exc}); "
            "check --format, or export it again"
        ) from exc


def _read_all(source: _Source, ctx: ReadContext, progress: bool) -> Iterator[Post]:
    if not (progress and sys.stderr.isatty()):
        for file in source.files:
            yield from source.format.read(file, ctx)
        return
    posts = (post for file in source.files for post in source.format.read(file, ctx))
    from tqdm import tqdm

    with tqdm(unit=" posts", unit_scale=True, desc=source.path.name, mininterval=0.5) as bar:
        for n, post in enumerate(posts, 1):
            yield post
            if n % _PROGRESS_EVERY == 0:
                bar.update(_PROGRESS_EVERY)


def _read_source(source: _Source, options: BuildOptions, include_private: bool,
                 spool: _Spool, progress: bool) -> None:  # fmt: skip
    """Stream one source's posts through the per-post stages into the spool."""
    rep = source.report
    removed = rep.removed
    ctx = ReadContext(include_private=include_private, warnings=rep.warnings)
    seen_ids: set[int] = set()
    authors: set[str] = set()
    languages, weight = options.languages, options.retweet_weight
    dates = options.since is not None or options.until is not None
    groups, add, read = source.groups, spool.add, 0  # locals: this loop runs once a post
    for read, post in enumerate(_posts(source, ctx, progress), 1):  # noqa: B007
        author, language = post.author, post.language
        authors.add(author)
        if not source.has_counts and (post.likes is not None or post.reposts is not None):
            source.has_counts = True
        if language is not None:
            source.with_language += 1
        stage = _stage(post, options, seen_ids)
        if (
            stage is None
            and languages
            and language is not None
            and (language.lower() not in languages)
        ):
            stage = "language"
        if stage is None and dates:
            stage = _date_stage(post, options, source)
        if stage is not None:
            removed[stage] += 1
            continue
        group = groups.get(author)
        if group is None:
            group = groups[author] = len(spool.group_source)
            spool.group_source.append(source.index)
        add(group, weight * (post.reposts or 0) + (post.likes or 0), post.id, post.text)
    rep.posts_read = read
    authors.discard("")
    rep.authors_seen = len(authors)
    if rep.posts_read == 0:
        raise UserError(f"{source.path}: this {source.format.label} holds no posts")
    if languages and source.with_language == 0 and rep.posts_read:
        rep.warnings.append(f"--language ignored: this {source.format.label} carries no language")
    if dates and source.dated == 0 and removed["date_range"]:
        rep.warnings.append(f"this {source.format.label} carries no dates: --since/--until "
                            "removed all of its posts")  # fmt: skip
    if not source.has_counts:
        rep.engagement = "none in this export: every post of each author counts as top"
        rep.warnings.append("no engagement counts: --percentile does not apply to this input")


def _stage(post: Post, options: BuildOptions, seen_ids: set[int]) -> str | None:
    """The first per-post stage that removes ``post`` (before language and dates)."""
    if post.id:
        key = hash(post.id)
        if key in seen_ids:
            return "duplicate_id"
        seen_ids.add(key)
    if post.drop is not None:
        return post.drop
    if not post.text or not post.text.strip():
        return "empty"
    if not post.author:
        return "no_author"
    if (options.authors and post.author not in options.authors) or (
        post.author in options.exclude_authors
    ):
        return "author"
    if options.drop_retweets and (post.repost or is_retweet(post.text)):
        return "retweet"
    return None


def _date_stage(post: Post, options: BuildOptions, source: _Source) -> str | None:
    when = parse_time(post.created)
    if when is None:
        return "date_range"
    source.dated += 1
    day = when.date()
    if (options.since and day < options.since) or (options.until and day > options.until):
        return "date_range"
    return None


def _candidates(sources: list[_Source], spool: _Spool, percentile: float) -> list[int]:
    """Spool indexes at or above their author's percentile (all of a source without counts)."""
    counted = {s.index for s in sources if s.has_counts}
    scores: list[list[float]] = [[] for _ in spool.group_source]
    for group, score in zip(spool.group, spool.score, strict=True):
        scores[group].append(score)
    thresholds = [
        linear_percentile(values, percentile) if values and owner in counted else -math.inf
        for values, owner in zip(scores, spool.group_source, strict=True)
    ]
    del scores
    candidates = [i for i, (g, s) in enumerate(zip(spool.group, spool.score, strict=True))
                  if s >= thresholds[g]]  # fmt: skip
    survivors, reaching = [0] * len(sources), [0] * len(sources)
    for g in spool.group:
        survivors[spool.group_source[g]] += 1
    for i in candidates:
        reaching[spool.group_source[spool.group[i]]] += 1
    for source in sources:
        source.report.removed["below_percentile"] = survivors[source.index] - reaching[source.index]
    return candidates


def _clean(candidates: list[int], sources: list[_Source], spool: _Spool,
           options: BuildOptions) -> list[tuple[str, str]]:  # fmt: skip
    """Cleaned candidate lines ``(split key, line)``; too short and repeated texts removed."""
    cleaners = [source.format.clean for source in sources]
    seen_texts: set[str] = set()
    kept: list[tuple[str, str]] = []
    kept_groups: set[int] = set()
    for index in candidates:
        group = spool.group[index]
        source = sources[spool.group_source[group]]
        post_id, text = spool.read(index)
        cleaner = cleaners[source.index]
        if cleaner is not None:
            text = cleaner(text)
        line = clean_tweet(text, lowercase=options.lowercase)
        removed = source.report.removed
        if len(line.split()) < options.min_words:
            removed["too_short"] += 1
        elif options.drop_duplicates and line in seen_texts:
            removed["duplicate_text"] += 1
        else:
            seen_texts.add(line)
            kept.append((post_id or line, line))
            kept_groups.add(group)
            source.report.kept += 1
    for source in sources:
        source.report.authors_kept = sum(1 for g in source.groups.values() if g in kept_groups)
    return kept


def _why_empty(sources: list[_Source]) -> str:
    totals = dict.fromkeys(STAGES, 0)
    for source in sources:
        for stage, n in source.report.removed.items():
            totals[stage] += n
    last = next((stage for stage in reversed(STAGES) if totals[stage]), None)
    names = ", ".join(str(s.path) for s in sources)
    if last is None:
        return f"{names}: no posts to build a corpus from"
    return (
        f"{names}: every post was filtered out; the last {totals[last]:,} were removed as "
        f"'{last}' ({STAGES[last]})"
    )
