"""Checks an audit's posts in batches: in this process, or in `jobs` worker processes.

Posts are read lazily and go to the engine BATCH_SIZE at a time, so `Checker.check_many` sends
their paragraphs through spaCy's `nlp.pipe` together. With worker processes each loads its own
Checker once (the pool initializer) and at most IN_FLIGHT_PER_WORKER batches per worker are
waiting at any time, so memory stays bounded however long the export. Results come back in the
order of the input. Only posts with findings are kept; the others are counted.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carelint.audit.readers import AuditImage, AuditPost, Item, ParseError, expand, read_paths
from carelint.findings import SEVERITY_RANK
from carelint.platforms import PLATFORMS
from carelint.settings import Policy

if TYPE_CHECKING:
    from carelint.engine import Checker, ReportedFinding

SEVERITIES = ("low", "medium", "high")
BATCH_SIZE = 64  # posts per check_many call: enough for nlp.pipe to batch well, small to stream
IN_FLIGHT_PER_WORKER = 2  # one batch being checked, one waiting, per worker
COUNT_LIMIT_BYTES = 512 << 20  # counting the posts first (for the ETA) costs a read of the files

Progress = Callable[[int], None]


@dataclass(frozen=True)
class PostResult:
    post: AuditPost
    findings: list[ReportedFinding]


@dataclass
class Totals:
    posts: int = 0  # posts checked
    flagged: int = 0  # posts with at least one finding at or above the minimum severity
    findings: int = 0
    errors: int = 0  # entries that could not be parsed
    by_severity: Counter[str] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)
    by_rule: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule -> category, severity, count

    def add(self, findings: list[ReportedFinding]) -> None:
        self.posts += 1
        self.flagged += bool(findings)
        self.findings += len(findings)
        for f in findings:
            self.by_severity[f.severity] += 1
            self.by_category[f.category] += 1
            rule = self.by_rule.setdefault(f.rule, dict(category=f.category, severity=f.severity, count=0))
            rule["count"] += 1


@dataclass
class AuditResult:
    sources: list[str]
    min_severity: str
    jobs: int
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    posts: list[PostResult] = field(default_factory=list)  # flagged posts only, in input order
    errors: list[ParseError] = field(default_factory=list)
    images: list[AuditImage] = field(default_factory=list)  # pictures to check after the posts
    totals: Totals = field(default_factory=Totals)
    elapsed_s: float = 0.0

    @property
    def has_high(self) -> bool:
        return self.totals.by_severity["high"] > 0

    @property
    def posts_per_second(self) -> float:
        return self.totals.posts / self.elapsed_s if self.elapsed_s else 0.0


def count_entries(paths: list[Path], column: str | None = None, platform: str = "generic") -> int | None:
    """How many entries the audit will see (for the progress bar's ETA), or None when the files
    are too large for a reading pass to be cheap. Parsing is far cheaper than checking."""
    if sum(p.stat().st_size for p in expand(paths)) > COUNT_LIMIT_BYTES:
        return None
    return sum(1 for _ in read_paths(paths, column, platform))


def run_audit(
    items: Iterable[Item],
    *,
    policy: Policy,
    checker: Checker | None = None,
    model: str | None = None,
    jobs: int = 1,
    min_severity: str = "low",
    sources: list[str] | None = None,
    on_progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> AuditResult:
    """Check every post. `checker` runs in this process (jobs=1); otherwise `jobs` workers each
    load `model`. Raises carelint.nlp.ModelNotFound when a worker cannot load it."""
    if min_severity not in SEVERITIES:
        raise ValueError(f"min_severity must be one of {', '.join(SEVERITIES)}")
    audit = AuditResult(sources=sources or [], min_severity=min_severity, jobs=jobs)
    threshold = SEVERITY_RANK[min_severity]
    advance = on_progress or (lambda n: None)
    started = time.perf_counter()
    batches = _batches(items, batch_size, audit, advance)
    if jobs > 1:
        if model is None:
            raise ValueError("worker processes need the model name")
        checked = _check_in_workers(batches, jobs, model, policy)
    else:
        if checker is None:
            raise ValueError("an in-process audit needs a checker")
        checked = ((batch, check_posts(checker, policy, _work(batch))) for batch in batches)
    for batch, found in checked:
        for post, findings in zip(batch, found, strict=True):
            kept = [f for f in findings if SEVERITY_RANK[f.severity] >= threshold]
            audit.totals.add(kept)
            if kept:
                audit.posts.append(PostResult(post, kept))
        advance(len(batch))
    if audit.images:
        _check_images(audit, checker or _load_for_images(model), policy, threshold, advance)
    audit.elapsed_s = time.perf_counter() - started
    return audit


def _load_for_images(model: str | None) -> Checker:
    from carelint.engine import Checker

    if model is None:
        raise ValueError("checking pictures needs a checker or the model name")
    return Checker.from_model(model)


def _check_images(audit: AuditResult, checker: Checker, policy: Policy, threshold: int, advance: Progress) -> None:
    """Pictures in audited folders, one at a time in this process (OCR keeps both cores busy)."""
    from carelint.images import ImageError, check_image_file

    for image in audit.images:
        try:
            result = check_image_file(image.path, checker, policy)
        except ImageError as exc:
            audit.errors.append(ParseError(image.source, image.location, exc.message))
            audit.totals.errors += 1
            advance(1)
            continue
        except OSError as exc:
            audit.errors.append(ParseError(image.source, image.location, f"cannot read the file: {exc.strerror}"))
            audit.totals.errors += 1
            advance(1)
            continue
        # The picture's text stands in for the post; its findings keep their words, and the box
        # (where in the picture) goes into the message since the report highlights text spans.
        text = result.ocr_text
        kept = [_as_post_finding(f, text) for f in result.findings if SEVERITY_RANK[f.severity] >= threshold]
        audit.totals.add(kept)
        if kept:
            post = AuditPost(image.source, image.location, None, "generic", None, text)
            audit.posts.append(PostResult(post, kept))
        advance(1)


def _as_post_finding(f, text: str) -> ReportedFinding:
    from carelint.engine import ReportedFinding

    start = text.find(f.text) if f.text else -1
    start, end = (start, start + len(f.text)) if start >= 0 else (0, 0)
    where = f" (at x={f.box[0]}, y={f.box[1]}, {f.box[2]}×{f.box[3]} px)" if f.box else ""
    return ReportedFinding(id=f.id, start=start, end=end, text=f.text, category=f.category, type=f.type,
                           rule=f.rule, severity=f.severity, message=f.message + where,
                           suggestions=list(f.suggestions), source=f.source)


def _batches(items: Iterable[Item], size: int, audit: AuditResult, advance: Progress) -> Iterator[list[AuditPost]]:
    """Posts in lists of `size`; parse errors are recorded on the way."""
    batch: list[AuditPost] = []
    for item in items:
        if isinstance(item, ParseError):
            audit.errors.append(item)
            audit.totals.errors += 1
            advance(1)
            continue
        if isinstance(item, AuditImage):
            audit.images.append(item)  # a path only: pictures are checked after the posts
            continue
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _work(batch: list[AuditPost]) -> list[tuple[str, str]]:
    """What a worker needs of each post (the rest stays in this process)."""
    return [(p.text, p.platform) for p in batch]


def check_posts(checker: Checker, policy: Policy, posts: list[tuple[str, str]]) -> list[list[ReportedFinding]]:
    """The findings of each (text, platform), through one check_many call."""
    from carelint.engine import CheckRequest

    requests = [CheckRequest(text, platform if platform in PLATFORMS else "generic", "codepoint", policy)
                for text, platform in posts]
    return [r.findings for r in checker.check_many(requests)]


# --- worker processes -------------------------------------------------------------------------

_worker: dict[str, Any] = {}  # per worker process: its checker and policy, or the load error


def _init_worker(model: str, policy_data: dict[str, Any]) -> None:
    from carelint.engine import Checker
    from carelint.nlp import ModelNotFound

    _worker["policy"] = Policy.model_validate(policy_data)
    try:
        _worker["checker"] = Checker.from_model(model)
    except ModelNotFound as exc:
        _worker["error"] = exc  # raised with the first task, so the parent sees the message


def _check_in_worker(posts: list[tuple[str, str]]) -> list[list[ReportedFinding]]:
    if "error" in _worker:
        raise _worker["error"]
    return check_posts(_worker["checker"], _worker["policy"], posts)


def _check_in_workers(batches: Iterator[list[AuditPost]], jobs: int, model: str,
                      policy: Policy) -> Iterator[tuple[list[AuditPost], list[list[ReportedFinding]]]]:
    # spawn, not fork: a forked copy of a parent holding threads (rich's progress refresh) can
    # deadlock, and spawn behaves the same on every OS.
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(model, policy.model_dump()))
    pending: deque[tuple[list[AuditPost], Future]] = deque()
    try:
        for batch in batches:
            pending.append((batch, pool.submit(_check_in_worker, _work(batch))))
            if len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
