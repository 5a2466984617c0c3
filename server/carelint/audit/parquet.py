"""Parquet for audits (needs pyarrow: the `parquet`, `ray` and `spark` extras bring it).

- `FindingsWriter` writes an audit's findings table (audit/table.py: no post text, hashes
  instead) to a file only its owner can read, with the run's summary (totals, parse errors, the
  engine, the salt's fingerprint) as the file's key-value metadata under `carelint.summary`.
- `post_tables` turns the readers' posts into Arrow tables of POST_COLUMNS, the input of the
  Ray and Spark engines; `EngineRun` is the part of their driver they share.
- `read_summary` and `iter_findings` read a findings file back (the report is rendered from it
  plus the inputs).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from carelint import __version__
from carelint.audit.readers import AuditPost, Item, ParseError
from carelint.audit.report import totals_dict
from carelint.audit.runner import SEVERITIES, AuditResult, PostResult, Totals, check_images
from carelint.audit.table import FINDING_COLUMNS, POST_COLUMNS, TextHasher, finding_rows
from carelint.batch import process_checker
from carelint.findings import SEVERITY_RANK
from carelint.settings import Policy

SUMMARY_KEY = "carelint.summary"
FILE_MODE = 0o600

POST_SCHEMA = pa.schema([
    ("post_id", pa.int64()), ("source_file", pa.string()), ("location", pa.string()), ("platform", pa.string()),
    ("date", pa.string()), ("part", pa.int32()), ("offset", pa.int64()), ("text", pa.string()),
])
FINDINGS_SCHEMA = pa.schema([
    ("post_id", pa.int64()), ("source_file", pa.string()), ("location", pa.string()), ("platform", pa.string()),
    ("date", pa.string()), ("part", pa.int32()), ("finding", pa.int32()), ("rule", pa.string()),
    ("category", pa.string()), ("type", pa.string()), ("severity", pa.string()), ("start", pa.int64()),
    ("end", pa.int64()), ("text_hash", pa.string()), ("message", pa.string()), ("rule_source", pa.string()),
    ("rule_source_url", pa.string()),
])
assert tuple(POST_SCHEMA.names) == POST_COLUMNS and tuple(FINDINGS_SCHEMA.names) == FINDING_COLUMNS


class NotAFindingsFile(ValueError):
    """The file is not Parquet, or not one Carelint wrote."""


class FindingsWriter:
    """Rows in, one Parquet file out: written to a private temporary file next to `path` and
    moved into place by `close(summary)` (so a failed run leaves no half file at `path`)."""

    def __init__(self, path: Path):
        self.path = path
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        os.chmod(tmp, FILE_MODE)
        self._tmp = Path(tmp)
        self._writer = pq.ParquetWriter(self._tmp, FINDINGS_SCHEMA, compression="zstd")
        self.rows = 0

    def write(self, rows: pa.Table | pa.RecordBatch | dict[str, list]) -> None:
        if isinstance(rows, dict):
            rows = pa.Table.from_pydict(rows, schema=FINDINGS_SCHEMA)
        elif isinstance(rows, pa.RecordBatch):
            rows = pa.Table.from_batches([rows])
        if rows.num_rows:
            self._writer.write_table(rows.select(FINDINGS_SCHEMA.names).cast(FINDINGS_SCHEMA))
            self.rows += rows.num_rows

    def close(self, summary: dict[str, Any]) -> None:
        self._writer.add_key_value_metadata({SUMMARY_KEY: json.dumps(summary, ensure_ascii=False)})
        self._writer.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._writer.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> FindingsWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()


def post_tables(items: Iterable[Item], on_other: Callable[[Item], None], rows: int = 2000,
                chars: int = 1 << 20) -> Iterator[pa.Table]:
    """The posts of `items` as tables of at most `rows` posts (or about `chars` characters),
    numbered as the local runner numbers them (the parts of a long post share a post_id). Parse
    errors and pictures go to `on_other`."""
    post_id = -1
    columns: dict[str, list] = {name: [] for name in POST_COLUMNS}
    held = 0
    for item in items:
        if not isinstance(item, AuditPost):
            on_other(item)
            continue
        post_id += item.part <= 1
        for name, value in zip(POST_COLUMNS, (post_id, item.source, item.location, item.platform, item.date,
                                              item.part, item.offset, item.text), strict=True):
            columns[name].append(value)
        held += len(item.text)
        if len(columns["post_id"]) >= rows or held >= chars:
            yield pa.Table.from_pydict(columns, schema=POST_SCHEMA)
            columns, held = {name: [] for name in POST_COLUMNS}, 0
    if columns["post_id"]:
        yield pa.Table.from_pydict(columns, schema=POST_SCHEMA)


def _parquet_file(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise NotAFindingsFile(f"{path} is not a Parquet file ({exc})") from None


def read_summary(path: Path) -> dict[str, Any]:
    meta = _parquet_file(path).metadata.metadata or {}
    raw = meta.get(SUMMARY_KEY.encode())
    if raw is None:
        raise NotAFindingsFile(f"{path} is a Parquet file, but not a Carelint findings file (no {SUMMARY_KEY})")
    return json.loads(raw)


def iter_findings(path: Path, batch_rows: int = 10_000) -> Iterator[dict[str, Any]]:
    """The rows of a findings file, in file order (post_id order), one dict each."""
    file = _parquet_file(path)
    missing = set(FINDING_COLUMNS) - set(file.schema_arrow.names)
    if missing:
        raise NotAFindingsFile(f"{path} lacks the columns {', '.join(sorted(missing))}")
    for batch in file.iter_batches(batch_size=batch_rows, columns=list(FINDING_COLUMNS)):
        yield from batch.to_pylist()


# --- the run's summary ----------------------------------------------------------------------------

SHOWN_PARSE_ERRORS = 1000  # listed in the summary (all are counted)


class RowTotals:
    """Totals (audit/runner.py) from findings rows that arrive in post_id order."""

    def __init__(self, totals: Totals):
        self.totals = totals
        self._last_flagged = -1

    def add(self, rows: pa.Table | pa.RecordBatch) -> None:
        t = self.totals
        columns = rows.select(["post_id", "rule", "category", "severity"]).to_pydict()
        for post_id, rule, category, severity in zip(*columns.values(), strict=True):
            t.findings += 1
            if post_id != self._last_flagged:
                t.flagged += 1
                self._last_flagged = post_id
            t.by_severity[severity] += 1
            t.by_category[category] += 1
            entry = t.by_rule.setdefault(rule, dict(category=category, severity=severity, count=0))
            entry["count"] += 1


def summary(*, engine: str, workers: int, sources: list[str], min_severity: str, started_at: str,
            elapsed_s: float, totals: Totals, errors: Iterable[ParseError], salt_fingerprint: str,
            model: str) -> dict[str, Any]:
    """What the findings file says about its run (its `carelint.summary` metadata)."""
    shown = [dict(source=e.source, location=e.location, reason=e.reason)
             for e in islice(errors, SHOWN_PARSE_ERRORS)]
    return dict(tool=f"carelint {__version__}", generated=started_at, engine=engine, workers=workers,
                sources=sources, min_severity=min_severity, model=model, elapsed_s=round(elapsed_s, 3),
                posts_per_second=round(totals.posts / elapsed_s, 2) if elapsed_s else None,
                totals=totals_dict(totals), parse_errors=shown, salt_fingerprint=salt_fingerprint)


def write_results(out: FindingsWriter, results: Iterable[PostResult], hasher: TextHasher) -> None:
    """The runner's flagged posts (PostResult, with their post ids) as findings rows."""
    columns: dict[str, list] = {name: [] for name in FINDING_COLUMNS}
    for result in results:
        p = result.post
        for row in finding_rows(result.post_id, p.source, p.location, p.platform, p.date, p.part,
                                result.findings, p.text, p.offset, hasher):
            for name in FINDING_COLUMNS:
                columns[name].append(row[name])
        if len(columns["post_id"]) >= 10_000:
            out.write(columns)
            columns = {name: [] for name in FINDING_COLUMNS}
    out.write(columns)


def write_audit(audit: AuditResult, path: Path, hasher: TextHasher, *, engine: str, model: str) -> dict[str, Any]:
    """An audit checked by the local runner (this process or --jobs workers), as a findings file;
    returns its summary."""
    with FindingsWriter(path) as out:
        write_results(out, audit.posts, hasher)
        result = summary(engine=engine, workers=audit.jobs, sources=audit.sources,
                         min_severity=audit.min_severity, started_at=audit.started_at,
                         elapsed_s=audit.elapsed_s, totals=audit.totals, errors=audit.errors,
                         salt_fingerprint=hasher.fingerprint, model=model)
        out.close(result)
    return result


def check_and_write_images(audit: AuditResult, out: FindingsWriter, policy: Policy, model: str, hasher: TextHasher,
                           min_severity: str, advance: Callable[[int], None], first_id: int) -> None:
    """Pictures of audited folders, checked in this process after a distributed engine has
    checked the posts (as the local runner does), their findings written to `out`."""
    before = len(audit.posts)
    check_images(audit, process_checker(model), policy, SEVERITY_RANK[min_severity], advance, first_id)
    write_results(out, (r for i, r in enumerate(audit.posts) if i >= before), hasher)


class EngineRun:
    """The driver's side of an audit on a distributed engine (ray_engine.py, spark_engine.py):
    the posts numbered into tables (parse errors and pictures kept aside), the findings rows the
    engine hands back (in post order) written with totals and progress, then the pictures
    checked here, the summary written and the file closed. An engine only checks tables."""

    def __init__(self, out: FindingsWriter, *, engine: str, policy: Policy, model: str, workers: int,
                 min_severity: str, salt: bytes, sources: list[str],
                 on_progress: Callable[[int], None] | None = None):
        if min_severity not in SEVERITIES:
            raise ValueError(f"min_severity must be one of {', '.join(SEVERITIES)}")
        self.out, self.engine, self.policy, self.model, self.workers = out, engine, policy, model, workers
        self.advance = on_progress or (lambda n: None)
        self.hasher = TextHasher(salt)
        self.audit = AuditResult(sources=sources, min_severity=min_severity, jobs=workers)
        self.started = time.perf_counter()
        self._rows = RowTotals(self.audit.totals)
        self._done = 0  # posts reported to on_progress

    def tables(self, items: Iterable[Item], rows: int = 2000) -> Iterator[pa.Table]:
        """The posts as tables of at most `rows` (post_tables), counted as they go."""
        totals = self.audit.totals
        for table in post_tables(items, self._aside, rows=rows):
            totals.posts = table.column("post_id")[-1].as_py() + 1
            totals.split += table.column("part").to_pylist().count(1)
            yield table

    def _aside(self, item: Item) -> None:
        if isinstance(item, ParseError):
            self.audit.errors.append(item)
            self.audit.totals.errors += 1
            self.advance(1)
        else:  # a picture in an audited folder
            self.audit.images.append(item)

    def write(self, rows: pa.Table | pa.RecordBatch) -> None:
        """Findings rows from the engine, in post order: every post up to the last one is checked."""
        self.out.write(rows)
        self._rows.add(rows)
        if rows.num_rows:
            seen = rows.column("post_id")[-1].as_py() + 1
            self.advance(seen - self._done)
            self._done = seen

    def finish(self) -> dict[str, Any]:
        """Once the engine is done: pictures, summary, file closed; returns the summary."""
        audit = self.audit
        self.advance(audit.totals.posts - self._done)  # the posts after the last flagged one
        self._done = audit.totals.posts
        if audit.images:
            check_and_write_images(audit, self.out, self.policy, self.model, self.hasher, audit.min_severity,
                                   self.advance, first_id=audit.totals.posts)
        audit.elapsed_s = time.perf_counter() - self.started
        result = summary(engine=self.engine, workers=self.workers, sources=audit.sources,
                         min_severity=audit.min_severity, started_at=audit.started_at, elapsed_s=audit.elapsed_s,
                         totals=audit.totals, errors=audit.errors, salt_fingerprint=self.hasher.fingerprint,
                         model=self.model)
        self.out.close(result)
        audit.close()
        return result


# --- the report from a findings file and the inputs -----------------------------------------------


class InputsDiffer(ValueError):
    """The inputs given with a findings file are not the ones that were audited."""


def audit_from_findings(items: Iterable[Item], path: Path, hasher: TextHasher) -> AuditResult:
    """An AuditResult (for audit/report.py) from a findings file and the inputs it was made from:
    the posts are numbered again as every engine numbers them, each finding gets its words back
    from its post, and those words must hash to the row's text_hash. Findings in pictures keep
    their message (the picture's text is not read again). Raises InputsDiffer or NotAFindingsFile."""
    from carelint.engine import ReportedFinding

    info = read_summary(path)
    if info.get("salt_fingerprint") != hasher.fingerprint:
        raise InputsDiffer(f"{path} was written with another audit salt; give the one it was written with "
                           "(--salt-file)")
    audit = AuditResult(sources=info.get("sources", []), min_severity=info.get("min_severity", "low"),
                        jobs=int(info.get("workers", 1)), started_at=info.get("generated", ""))
    audit.elapsed_s = float(info.get("elapsed_s") or 0.0)
    _totals_from(audit.totals, info.get("totals", {}))
    for e in info.get("parse_errors", []):
        audit.errors.append(ParseError(e["source"], e["location"], e["reason"]))

    rows = iter_findings(path)
    row = next(rows, None)
    post_id = -1
    for item in items:
        if not isinstance(item, AuditPost):
            continue
        post_id += item.part <= 1
        found = []
        while row is not None and (row["post_id"], row["part"]) <= (post_id, item.part):
            if (row["post_id"], row["part"]) == (post_id, item.part):
                text = item.text[row["start"] - item.offset:row["end"] - item.offset]
                if hasher(text) != row["text_hash"]:
                    raise InputsDiffer(f"{item.source} {item.location}: the words at {row['start']}–{row['end']} "
                                       "are not the ones audited; give the same inputs, unchanged, in the same order")
                found.append(_finding(ReportedFinding, row, text))
            row = next(rows, None)
        if found:
            audit.posts.append(PostResult(item, found, post_id))
    while row is not None:  # findings in pictures (their post ids follow the posts'), or inputs missing
        if row["location"] != "image":
            raise InputsDiffer(f"{path} has findings for post {row['post_id']} ({row['source_file']} "
                               f"{row['location']}), which the inputs do not hold; give the same inputs")
        post = AuditPost(row["source_file"], row["location"], None, row["platform"], None, "")
        found = []
        current = row["post_id"]
        while row is not None and row["post_id"] == current:
            found.append(_finding(ReportedFinding, {**row, "start": 0, "end": 0}, ""))  # the picture's text is not kept
            row = next(rows, None)
        audit.posts.append(PostResult(post, found, current))
    return audit


def _finding(cls, row: dict[str, Any], text: str):
    return cls(id=f"{row['rule']}-{row['start']}-{row['end']}", start=row["start"], end=row["end"], text=text,
               category=row["category"], type=row["type"], rule=row["rule"], severity=row["severity"],
               message=row["message"], suggestions=[], source=row["rule_source"], source_url=row["rule_source_url"])


def _totals_from(t: Totals, data: dict[str, Any]) -> None:
    t.posts = int(data.get("posts", 0))
    t.flagged = int(data.get("flagged_posts", 0))
    t.findings = int(data.get("findings", 0))
    t.errors = int(data.get("parse_errors", 0))
    t.split = int(data.get("split_posts", 0))
    t.by_severity.update(data.get("by_severity", {}))
    t.by_category.update(data.get("by_category", {}))
    t.by_rule.update(data.get("by_rule", {}))
