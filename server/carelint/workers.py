"""Checks in forked processes, so the server uses a second core.

A check is mostly Python holding the GIL, so one process checks on one core whatever its
threads do. `create_app` forks extra analysers after the model is loaded and before any thread
starts: a child shares the parent's pages copy-on-write (the model, the matchers, the
recognizers) instead of loading its own copy, and keeps its own paragraph cache.

Forking is the default on Linux only: macOS system libraries are not fork-safe, and Windows has
no fork. Elsewhere the server checks in its own process (CARELINT_WORKERS=1 does that anywhere).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
from multiprocessing.connection import Connection

from carelint.engine import Checker, CheckRequest, CheckResult

log = logging.getLogger("carelint")


class AnalyserGone(RuntimeError):
    """The child process exited (killed, or out of memory); its lane stops taking work."""


class CheckFailed(RuntimeError):
    """A check raised in the child; only the exception's type crosses back (never post text)."""


def default_workers() -> int:
    """Analysers to run when the settings say 0 (auto): one per core, up to two, where fork is safe."""
    if not sys.platform.startswith("linux"):
        return 1
    return max(1, min(2, len(os.sched_getaffinity(0))))


class ForkedAnalyser:
    """A Checker in a child process forked from this one, reached through a pipe."""

    def __init__(self, checker: Checker, name: str):
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe()
        self.process = context.Process(target=_serve_checks, args=(checker, child_end, self._conn),
                                       name=name, daemon=True)
        gc.freeze()  # keep the collector from touching (and so copying) the shared objects
        self.process.start()
        child_end.close()

    def check_many(self, requests: list[CheckRequest]) -> list[CheckResult]:
        try:
            self._conn.send(requests)
            ok, payload = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise AnalyserGone(f"analyser process {self.process.name} is gone ({type(exc).__name__})") from None
        if not ok:
            raise CheckFailed(payload)
        return payload

    def close(self) -> None:
        self._conn.close()  # the child sees end-of-file and exits
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.terminate()


def _serve_checks(checker: Checker, conn: Connection, parent_end: Connection) -> None:
    """The child's loop: a batch in, its results (or the error's type) out, until the parent goes."""
    parent_end.close()  # else the pipe never reports the parent's exit
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    checker.reset_lock()  # a lock copied by fork may have been held by a parent thread
    while True:
        try:
            requests = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = (True, checker.check_many(requests))
        except Exception as exc:  # noqa: BLE001 (the loop must survive one bad post)
            reply = (False, type(exc).__name__)
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


def start_analysers(checker: Checker, count: int) -> list[ForkedAnalyser]:
    """`count - 1` forked analysers (the parent's own checker is the first). Call before threads start."""
    if count > 1 and threading.active_count() > 1:
        log.warning("forking analysers while %d threads run", threading.active_count())
    return [ForkedAnalyser(checker, f"carelint-analyser-{i}") for i in range(1, count)]
