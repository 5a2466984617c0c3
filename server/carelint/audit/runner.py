"""Checks an audit's posts in batches: in this process, or in `jobs` worker processes.

Posts are read lazily and go to the engine in batches of at most BATCH_SIZE posts and BATCH_CHARS
characters, so `Checker.check_many` sends their paragraphs through spaCy's `nlp.pipe` together
while one batch of long posts cannot hold more than a few hundred kilobytes of text. (The readers
give no post longer than MAX_POST_CHARS: longer ones come in parts, whose findings are shifted
here to offsets in the whole post.) With worker processes each loads its own Checker once (the
pool initializer) and at most IN_FLIGHT_PER_WORKER batches per worker are waiting at any time.
Results come back in the order of the input. Only posts with findings are kept, and past
SPOOL_BYTES they are kept in a private temporary file rather than in memory (`Spool`); the others
are counted. So memory stays bounded however large or hostile the export.
"""

from __future__ import annotations

import multiprocessing
import pickle
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar

from carelint.audit.readers import AuditImage, AuditPost, Item, ParseError, expand, read_paths
from carelint.batch import check_batch
from carelint.findings import SEVERITIES as MOST_SEVERE_FIRST
from carelint.findings import SEVERITY_RANK, Severity
from carelint.settings import Policy

if TYPE_CHECKING:
    from carelint.engine import Checker, ReportedFinding

# Least severe first (the order of --min-severity and of the report's filters).
SEVERITIES: tuple[Severity, ...] = tuple(reversed(MOST_SEVERE_FIRST))
BATCH_SIZE = 64  # posts per check_many call: enough for nlp.pipe to batch well, small to stream
BATCH_CHARS = 200_000  # and characters per call: two parts of a long post, or many short posts
IN_FLIGHT_PER_WORKER = 2  # one batch being checked, one waiting, per worker
COUNT_LIMIT_BYTES = 512 << 20  # counting the posts first (for the ETA) costs a read of the files
SPOOL_BYTES = 32 << 20  # flagged posts (and parse errors) held in memory before going to a temporary file
SHOWN_SPLIT = 5  # posts checked in parts that the result names (the terminal shows them)

Progress = Callable[[int], None]


T = TypeVar("T")


class Spool(Generic[T]):
    """A list that only grows: in memory up to `max_bytes` (estimated by `size`), then in an
    unnamed temporary file (mode 0600, gone when closed or when the process ends), since flagged
    posts hold PHI and a large export can flag hundreds of thousands of them. Iterating reads
    the items back in order; indexing is by iteration (for tests and small results)."""

    def __init__(self, items: Iterable[T] = (), *, max_bytes: int = SPOOL_BYTES,
                 size: Callable[[Any], int] | None = None):
        self.max_bytes = max_bytes
        self._size = size or _item_bytes
        self._items: list[T] = []
        self._file: IO[bytes] | None = None
        self._count = 0
        self._bytes = 0
        for item in items:
            self.append(item)

    def append(self, item: T) -> None:
        self._count += 1
        if self._file is None:
            self._items.append(item)
            self._bytes += self._size(item)
            if self._bytes > self.max_bytes:
                # Closed by close(), or with the process; on Linux the file never has a name.
                self._file = tempfile.TemporaryFile(prefix="carelint-audit-")  # noqa: SIM115
                for kept in self._items:
                    pickle.dump(kept, self._file, pickle.HIGHEST_PROTOCOL)
                self._items = []
        else:
            self._file.seek(0, 2)
            pickle.dump(item, self._file, pickle.HIGHEST_PROTOCOL)

    @property
    def on_disk(self) -> bool:
        return self._file is not None

    def __iter__(self) -> Iterator[T]:
        if self._file is None:
            yield from list(self._items)
            return
        self._file.flush()
        pos = 0
        for _ in range(self._count):  # seeking each time keeps two iterations (and appends) apart
            self._file.seek(pos)
            item = pickle.load(self._file)
            pos = self._file.tell()
            yield item

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __getitem__(self, index: int) -> T:
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("Spool index out of range")
        if self._file is None:
            return self._items[index]
        return next(item for i, item in enumerate(self) if i == index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Spool | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __repr__(self) -> str:
        return f"Spool({self._count} items{', on disk' if self._file else ''})"


def _item_bytes(item: Any) -> int:
    """About what a PostResult or ParseError costs in memory."""
    if isinstance(item, PostResult):
        return sys.getsizeof(item.post.text) + 600 + 900 * len(item.findings)
    if isinstance(item, ParseError):
        return sys.getsizeof(item.reason) + sys.getsizeof(item.location) + 300
    return 1000


@dataclass(frozen=True)
class PostResult:
    post: AuditPost
    findings: list[ReportedFinding]  # offsets in the whole post (for a part: from post.offset on)
    # The post's number in the input, from 0 (the parts of a long post share it): what a findings
    # table (audit/table.py) names the post by, the same whichever engine checked it.
    post_id: int = -1


@dataclass
class Totals:
    posts: int = 0  # posts checked (a post checked in parts counts once)
    flagged: int = 0  # posts with at least one finding at or above the minimum severity
    findings: int = 0
    errors: int = 0  # entries that could not be parsed
    split: int = 0  # posts longer than MAX_POST_CHARS, checked in parts
    by_severity: Counter[str] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)
    by_rule: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule -> category, severity, count

    def add(self, findings: list[ReportedFinding], *, new_post: bool = True, new_flag: bool = True) -> None:
        """One checked post or part: `new_post` False for the second and later parts of a post,
        `new_flag` False when an earlier part of the same post was flagged already."""
        self.posts += new_post
        self.flagged += bool(findings) and new_flag
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
    posts: Spool[PostResult] = field(default_factory=Spool)  # flagged posts (or parts) only, in input order
    errors: Spool[ParseError] = field(default_factory=Spool)
    images: list[AuditImage] = field(default_factory=list)  # pictures to check after the posts
    totals: Totals = field(default_factory=Totals)
    elapsed_s: float = 0.0
    split_posts: list[tuple[str, str]] = field(default_factory=list)  # (source, location), the first few

    def close(self) -> None:
        """Remove the temporary files of a large result (once the report is written)."""
        self.posts.close()
        self.errors.close()

    @property
    def has_high(self) -> bool:
        return self.totals.by_severity["high"] > 0

    @property
    def posts_per_second(self) -> float:
        return self.totals.posts / self.elapsed_s if self.elapsed_s else 0.0


def count_entries(paths: list[Path], column: str | None = None, platform: str = "generic") -> int | None:
    """How many entries the audit will see (for the progress bar's ETA), or None when the files
    are too large for a reading pass to be cheap. Parsing is far cheaper than checking."""
    if sum(_file_size(p) for p in expand(paths) if isinstance(p, Path)) > COUNT_LIMIT_BYTES:
        return None
    return sum(1 for _ in read_paths(paths, column, platform))


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported as a ParseError when read


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
    batch_chars: int = BATCH_CHARS,
) -> AuditResult:
    """Check every post. `checker` runs in this process (jobs=1); otherwise `jobs` workers each
    load `model`. Raises carelint.nlp.ModelNotFound when a worker cannot load it."""
    if min_severity not in SEVERITIES:
        raise ValueError(f"min_severity must be one of {', '.join(SEVERITIES)}")
    audit = AuditResult(sources=sources or [], min_severity=min_severity, jobs=jobs)
    threshold = SEVERITY_RANK[min_severity]
    advance = on_progress or (lambda n: None)
    started = time.perf_counter()
    batches = _batches(items, batch_size, batch_chars, audit, advance)
    if jobs > 1:
        if model is None:
            raise ValueError("worker processes need the model name")
        checked = _check_in_workers(batches, jobs, model, policy)
    else:
        if checker is None:
            raise ValueError("an in-process audit needs a checker")
        checked = ((batch, check_posts(checker, policy, _work(batch))) for batch in batches)
    flagged_post = None  # (source, location) of the last post flagged, so a post in parts counts once
    post_id = -1
    for batch, found in checked:
        for post, findings in zip(batch, found, strict=True):
            post_id += post.part <= 1
            kept = [shifted(f, post.offset) for f in findings if SEVERITY_RANK[f.severity] >= threshold]
            key = (post.source, post.location)
            audit.totals.add(kept, new_post=post.part <= 1, new_flag=post.part <= 1 or key != flagged_post)
            if post.part == 1:
                audit.totals.split += 1
                if len(audit.split_posts) < SHOWN_SPLIT:
                    audit.split_posts.append(key)
            if kept:
                flagged_post = key
                audit.posts.append(PostResult(post, kept, post_id))
        advance(len(batch))
    if audit.images:
        check_images(audit, checker or _load_for_images(model), policy, threshold, advance, post_id + 1)
    audit.elapsed_s = time.perf_counter() - started
    return audit


def shifted(f: ReportedFinding, offset: int) -> ReportedFinding:
    """A finding of a part of a long post, with offsets in the whole post."""
    if not offset:
        return f
    start, end = f.start + offset, f.end + offset
    prefix = f.id.rsplit("-", 2)[0]  # ids end with -start-end
    return replace(f, id=f"{prefix}-{start}-{end}", start=start, end=end)


def _load_for_images(model: str | None) -> Checker:
    from carelint.engine import Checker

    if model is None:
        raise ValueError("checking pictures needs a checker or the model name")
    return Checker.from_model(model)


def check_images(audit: AuditResult, checker: Checker, policy: Policy, threshold: int, advance: Progress,
                  first_id: int) -> None:
    """Pictures in audited folders, one at a time in this process (OCR keeps both cores busy);
    their post ids follow the posts' (`first_id` on)."""
    from carelint.images import ImageError, check_image_file

    for post_id, image in enumerate(audit.images, first_id):
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
        except Exception as exc:  # a picture no decoder expected must not end the audit
            audit.errors.append(ParseError(image.source, image.location,
                                           f"could not be checked ({type(exc).__name__}: {str(exc)[:200]})"))
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
            audit.posts.append(PostResult(post, kept, post_id))
        advance(1)


def _as_post_finding(f, text: str) -> ReportedFinding:
    from carelint.engine import ReportedFinding

    start = text.find(f.text) if f.text else -1
    start, end = (start, start + len(f.text)) if start >= 0 else (0, 0)
    where = f" (at x={f.box[0]}, y={f.box[1]}, {f.box[2]}×{f.box[3]} px)" if f.box else ""
    return ReportedFinding(id=f.id, start=start, end=end, text=f.text, category=f.category, type=f.type,
                           rule=f.rule, severity=f.severity, message=f.message + where,
                           suggestions=list(f.suggestions), source=f.source)


def _batches(items: Iterable[Item], size: int, chars: int, audit: AuditResult,
             advance: Progress) -> Iterator[list[AuditPost]]:
    """Posts in lists of at most `size` posts and about `chars` characters (a batch closes once
    it reaches them, so it holds less than `chars` plus one post); parse errors are recorded on
    the way."""
    batch: list[AuditPost] = []
    held = 0
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
        held += len(item.text)
        if len(batch) >= size or held >= chars:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _work(batch: list[AuditPost]) -> list[tuple[str, str]]:
    """What a worker needs of each post (the rest stays in this process)."""
    return [(p.text, p.platform) for p in batch]


def check_posts(checker: Checker, policy: Policy, posts: list[tuple[str, str]]) -> list[list[ReportedFinding]]:
    """The findings of each (text, platform), through one check_batch call."""
    # The engine analyses a batch 2,000 characters per spaCy call, each in a spaCy memory zone,
    # so neither a batch's Docs nor the words of random text pile up (engine.Checker._detect).
    results = check_batch([text for text, _ in posts], platform=[p for _, p in posts], policy=policy,
                          checker=checker)
    return [r.findings for r in results]


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
