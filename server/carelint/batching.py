"""One worker thread owns the engine; requests that arrive while it is busy are checked
together in the next batch (spaCy's batching makes each much cheaper), so concurrent clients
raise throughput instead of queueing on a lock."""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future

from carelint.engine import Checker, CheckRequest, CheckResult

log = logging.getLogger("carelint")


class CheckBatcher:
    def __init__(self, checker: Checker, max_batch: int = 16):
        self.checker = checker
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[CheckRequest, Future[CheckResult]]] = queue.SimpleQueue()
        self._worker = threading.Thread(target=self._run, name="carelint-checks", daemon=True)
        self._worker.start()

    def submit(self, request: CheckRequest) -> Future[CheckResult]:
        """Queue a check; the future resolves when its batch is done (never blocks)."""
        future: Future[CheckResult] = Future()
        self._queue.put((request, future))
        return future

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]  # wait for work, then take whatever else is waiting
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                results = self.checker.check_many([req for req, _ in batch])
            except Exception:  # noqa: BLE001 (the worker must survive): retry one by one below
                self._one_by_one(batch)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                future.set_result(result)

    def _one_by_one(self, batch: list[tuple[CheckRequest, Future[CheckResult]]]) -> None:
        """After a failed batch, check each post alone so only the one that fails gets an error."""
        for request, future in batch:
            try:
                future.set_result(self.checker.check_many([request])[0])
            except Exception as exc:  # noqa: BLE001
                log.error("check failed: %s", type(exc).__name__)  # the type only: no post text
                future.set_exception(exc)
