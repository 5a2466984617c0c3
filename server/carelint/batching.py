"""Checks queued from the web layer and run in lanes: the server's own checker, and any
analysers forked into other processes (workers.py). A lane takes everything waiting as one
batch (spaCy's batching makes each post cheaper), so concurrent clients raise throughput
instead of queueing behind each other.

The first lane is preferred: a later lane takes work only while every earlier one is busy.
One user typing sends one check at a time, so their checks all land on the first lane, whose
paragraph cache has the rest of their post.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Protocol

from carelint.engine import CheckRequest, CheckResult
from carelint.workers import AnalyserGone

log = logging.getLogger("carelint")

Job = tuple[CheckRequest, "Future[CheckResult]"]


class Analyser(Protocol):
    def check_many(self, requests: list[CheckRequest]) -> list[CheckResult]: ...


class CheckBatcher:
    def __init__(self, *analysers: Analyser, max_batch: int = 16):
        if not analysers:
            raise ValueError("CheckBatcher needs at least one analyser")
        self.max_batch = max_batch
        self._waiting: deque[Job] = deque()
        self._changed = threading.Condition()
        self._busy = [False] * len(analysers)
        self._alive = [True] * len(analysers)
        self.batches_per_lane = [0] * len(analysers)
        for lane, analyser in enumerate(analysers):
            threading.Thread(target=self._run, args=(lane, analyser), name=f"carelint-checks-{lane}",
                             daemon=True).start()

    @property
    def lanes(self) -> int:
        return sum(self._alive)

    def submit(self, request: CheckRequest) -> Future[CheckResult]:
        """Queue a check; the future resolves when its batch is done (never blocks)."""
        future: Future[CheckResult] = Future()
        with self._changed:
            self._waiting.append((request, future))
            self._changed.notify_all()
        return future

    def _may_take(self, lane: int) -> bool:
        earlier = range(lane)
        return bool(self._waiting) and all(self._busy[i] or not self._alive[i] for i in earlier)

    def _take(self, lane: int) -> list[Job]:
        with self._changed:
            while not self._may_take(lane):
                self._changed.wait()
            batch = [self._waiting.popleft() for _ in range(min(self.max_batch, len(self._waiting)))]
            self._busy[lane] = True
            self.batches_per_lane[lane] += 1
            return batch

    def _done(self, lane: int, alive: bool = True, handing_back: Sequence[Job] = ()) -> None:
        with self._changed:
            self._waiting.extendleft(reversed(handing_back))  # back to the front, in order
            self._busy[lane] = False
            self._alive[lane] = alive
            self._changed.notify_all()

    def _run(self, lane: int, analyser: Analyser) -> None:
        while True:
            batch = self._take(lane)
            try:
                self._resolve(batch, analyser.check_many([req for req, _ in batch]))
            except AnalyserGone as exc:
                log.error("%s; checks continue in the other lanes", exc)
                self._done(lane, alive=False, handing_back=batch)
                return
            except Exception:  # noqa: BLE001 (the lane must survive): retry one by one below
                self._one_by_one(batch, analyser)
            self._done(lane)

    @staticmethod
    def _resolve(batch: list[Job], results: list[CheckResult]) -> None:
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)

    @staticmethod
    def _one_by_one(batch: list[Job], analyser: Analyser) -> None:
        """After a failed batch, check each post alone so only the one that fails gets an error."""
        for request, future in batch:
            try:
                future.set_result(analyser.check_many([request])[0])
            except Exception as exc:  # noqa: BLE001
                log.error("check failed: %s", type(exc).__name__)  # the type only: no post text
                future.set_exception(exc)
