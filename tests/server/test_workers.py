"""Checks in forked analysers, and the batcher's lanes: the first lane is preferred, a dead
analyser's work moves to the lanes left, and the child never sends post text back in an error."""

import os
import signal
import threading
import time

import pytest

from carelint.batching import CheckBatcher
from carelint.engine import CheckRequest
from carelint.workers import AnalyserGone, CheckFailed, ForkedAnalyser, default_workers

POSTS = [
    "Congrats to our patient Maria Gonzalez on her recovery! 🎉",
    "Flu shots are in. This tea cures diabetes, guaranteed.\n\nCall 617-555-0199 to book.",
    "Happy birthday to our front desk hero, Dana Lee!",
]


def comparable(results):
    return [(r.findings, r.disclaimer, r.platform) for r in results]


@pytest.fixture
def forked(checker):
    analyser = ForkedAnalyser(checker, "carelint-test-analyser")
    yield analyser
    analyser.close()


def test_forked_analyser_answers_like_the_checker_itself(checker, forked):
    requests = [CheckRequest(p, "x", "utf16") for p in POSTS]
    assert forked.process.pid != os.getpid()
    assert comparable(forked.check_many(requests)) == comparable(checker.check_many(requests))


def test_a_failing_check_reports_only_the_error_type(forked):
    with pytest.raises(CheckFailed) as failure:
        forked.check_many([CheckRequest(None)])  # type: ignore[arg-type]
    assert str(failure.value) == "TypeError"
    assert forked.check_many([CheckRequest(POSTS[0])])[0].findings  # the child lives on


def test_the_child_exits_with_its_pipe(forked):
    forked.close()
    assert not forked.process.is_alive()


class HeldLane:
    """An in-process analyser that can be held busy, recording what it checked."""

    def __init__(self):
        self.seen: list[str] = []
        self.hold = threading.Event()
        self.held = threading.Event()
        self.hold.set()

    def check_many(self, requests):
        self.seen += [r.text for r in requests]
        if not self.hold.is_set():
            self.held.set()
            self.hold.wait(5)
        return [f"ok:{r.text}" for r in requests]


def test_one_client_at_a_time_stays_on_the_first_lane():
    first, second = HeldLane(), HeldLane()
    batcher = CheckBatcher(first, second)
    for i in range(20):
        assert batcher.submit(CheckRequest(f"post {i}")).result(5) == f"ok:post {i}"
    assert len(first.seen) == 20 and second.seen == []


def test_the_second_lane_takes_work_while_the_first_is_busy():
    first, second = HeldLane(), HeldLane()
    batcher = CheckBatcher(first, second)
    first.hold.clear()
    held = batcher.submit(CheckRequest("slow"))
    assert first.held.wait(5)
    assert batcher.submit(CheckRequest("meanwhile")).result(5) == "ok:meanwhile"
    assert second.seen == ["meanwhile"]
    first.hold.set()
    assert held.result(5) == "ok:slow"


def test_work_of_a_dead_analyser_moves_to_the_lanes_left(checker, forked):
    os.kill(forked.process.pid, signal.SIGKILL)
    forked.process.join(5)
    with pytest.raises(AnalyserGone):
        forked.check_many([CheckRequest(POSTS[0])])
    first = HeldLane()
    batcher = CheckBatcher(first, forked)
    first.hold.clear()
    held = batcher.submit(CheckRequest("slow"))
    assert first.held.wait(5)
    moved = batcher.submit(CheckRequest("moved"))  # taken by the dead lane, handed back
    deadline = time.monotonic() + 5
    while batcher.lanes == 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert batcher.lanes == 1 and not moved.done()
    first.hold.set()
    assert held.result(5) == "ok:slow" and moved.result(5) == "ok:moved"


def test_auto_uses_two_analysers_at_most():
    assert 1 <= default_workers() <= 2


def test_the_child_exits_when_the_server_is_killed(tmp_path):
    """No orphan keeps the model in memory after `kill -9` of the server."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from carelint.engine import Checker\n"
        "from carelint.workers import ForkedAnalyser\n"
        "from carelint.nlp import load_pipeline\n"
        "from carelint.settings import DEFAULT_MODEL\n"
        "a = ForkedAnalyser(Checker(load_pipeline(DEFAULT_MODEL), with_rules=False), 'orphan-test')\n"
        "print(a.process.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False
