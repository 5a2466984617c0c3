"""An audit's findings as flat rows that hold no post text: what `--format parquet` writes,
whichever engine checked the posts (this process, `--jobs` workers, Ray actors, Spark executors).

A row names its post (`post_id`, its number in the input from 0; `source_file`; `location`, e.g.
"row 12"), the rule, category, severity and the span's offsets in the whole post (code points),
and instead of the flagged words a salted hash of them (`text_hash`): HMAC-SHA256 under a key
that stays on the auditing machine (`load_salt`), so the table can be moved around and shared
with an engine's storage while names in it cannot be guessed by hashing a list of names. The
same words give the same hash within the key's lifetime (the same patient named in several
posts). The HTML report is rendered from the table plus the original inputs, whose text is
checked against the hashes (cli/audit.py `--findings`).

This module needs nothing beyond the standard library: it runs inside every engine's workers.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carelint.audit.runner import BATCH_SIZE, shifted
from carelint.batch import check_batch, process_checker
from carelint.findings import SEVERITIES, SEVERITY_RANK
from carelint.settings import Policy

if TYPE_CHECKING:
    from carelint.engine import ReportedFinding

SALT_FILE = "audit-salt"  # in the configuration folder, next to the token
SALT_BYTES = 32
HASH_HEX = 32  # 128 bits of the HMAC: no collisions among any audit's spans

# The input of a distributed check: one row per post (or part of a long post).
POST_COLUMNS = ("post_id", "source_file", "location", "platform", "date", "part", "offset", "text")
# The output: one row per finding. Types, for Arrow and Spark, in audit/parquet.py and spark.py.
FINDING_COLUMNS = ("post_id", "source_file", "location", "platform", "date", "part", "finding", "rule",
                   "category", "type", "severity", "start", "end", "text_hash", "message", "rule_source",
                   "rule_source_url")


class TextHasher:
    """Salted hashes of flagged words: HMAC-SHA256 (hex, 128 bits) under the audit's key."""

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("the audit salt must be at least 16 bytes")
        self.key = key

    def __call__(self, text: str) -> str:
        return hmac.new(self.key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:HASH_HEX]

    @property
    def fingerprint(self) -> str:
        """Names the key (written in the table's summary) without giving it away."""
        return hashlib.sha256(b"carelint audit salt\0" + self.key).hexdigest()[:16]


def load_salt(path: Path) -> bytes:
    """The key at `path`, made (random, readable by its owner only) the first time."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(SALT_BYTES)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key
    if len(key) < 16:
        raise ValueError(f"{path} holds {len(key)} bytes; an audit salt has at least 16")
    return key


def finding_rows(post_id: int, source_file: str, location: str, platform: str, date: str | None, part: int,
                 findings: list[ReportedFinding], text: str, offset: int, hasher: TextHasher) -> Iterator[dict]:
    """The rows of one post's (or part's) findings. `findings` have offsets in the whole post (as
    the runner's PostResult has them); `text` is the post, or the part of it from `offset` on."""
    for i, f in enumerate(findings):
        yield dict(post_id=post_id, source_file=source_file, location=location, platform=platform, date=date,
                   part=part, finding=i, rule=f.rule, category=f.category, type=f.type, severity=f.severity,
                   start=f.start, end=f.end, text_hash=hasher(text[f.start - offset:f.end - offset]),
                   message=f.message, rule_source=f.source, rule_source_url=f.source_url)


class PostChecker:
    """Checks posts given as columns (POST_COLUMNS) and returns their findings as columns
    (FINDING_COLUMNS). Stateful, as Ray's `map_batches` and Spark's `mapInPandas` want: the
    engine is this process's (carelint.batch.process_checker), loaded once per worker."""

    def __init__(self, model: str, policy: dict[str, Any], min_severity: str, salt: bytes):
        self.validate(min_severity, salt)
        self.checker = process_checker(model)
        self.policy = Policy.model_validate(policy)
        self.threshold = SEVERITY_RANK[min_severity]
        self.hasher = TextHasher(salt)

    @staticmethod
    def validate(min_severity: str, salt: bytes) -> None:
        if min_severity not in SEVERITIES:
            raise ValueError(f"min_severity must be one of {', '.join(SEVERITIES)}")
        TextHasher(salt)

    def __call__(self, posts: dict[str, list]) -> dict[str, list]:
        out: dict[str, list] = {name: [] for name in FINDING_COLUMNS}
        count = len(posts["text"])
        # Spark hands over up to 10,000 rows at once: check_batch calls of BATCH_SIZE posts, as
        # every audit makes them, keep the engine's batches (and memory) the same everywhere.
        for first in range(0, count, BATCH_SIZE):
            chunk = range(first, min(first + BATCH_SIZE, count))
            results = check_batch([posts["text"][i] for i in chunk], platform=[posts["platform"][i] for i in chunk],
                                  policy=self.policy, checker=self.checker)
            for i, result in zip(chunk, results, strict=True):
                offset = posts["offset"][i]
                kept = [shifted(f, offset) for f in result.findings if SEVERITY_RANK[f.severity] >= self.threshold]
                for row in finding_rows(posts["post_id"][i], posts["source_file"][i], posts["location"][i],
                                        posts["platform"][i], posts["date"][i], posts["part"][i], kept,
                                        posts["text"][i], offset, self.hasher):
                    for name in FINDING_COLUMNS:
                        out[name].append(row[name])
        return out
