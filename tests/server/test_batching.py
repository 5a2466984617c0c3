"""The check worker: batches what is waiting, and one failing post does not fail the others."""

import threading

from carelint.batching import CheckBatcher
from carelint.engine import CheckRequest


class FakeChecker:
    def __init__(self):
        self.batches: list[list[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()

    def check_many(self, requests):
        self.batches.append([r.text for r in requests])
        if requests[0].text == "first":
            self.started.set()
            self.release.wait(5)  # hold the worker so the next requests pile up
        if any(r.text == "boom" for r in requests):
            raise ValueError("bad post")
        return [f"ok:{r.text}" for r in requests]


def test_waiting_requests_are_checked_together():
    fake = FakeChecker()
    batcher = CheckBatcher(fake)
    first = batcher.submit(CheckRequest("first"))
    assert fake.started.wait(5)
    later = [batcher.submit(CheckRequest(f"post {i}")) for i in range(5)]
    fake.release.set()
    assert first.result(5) == "ok:first"
    assert [f.result(5) for f in later] == [f"ok:post {i}" for i in range(5)]
    assert fake.batches[1] == [f"post {i}" for i in range(5)]


def test_a_failing_post_fails_alone():
    fake = FakeChecker()
    batcher = CheckBatcher(fake)
    first = batcher.submit(CheckRequest("first"))
    assert fake.started.wait(5)
    good, bad = batcher.submit(CheckRequest("fine")), batcher.submit(CheckRequest("boom"))
    fake.release.set()
    first.result(5)
    assert good.result(5) == "ok:fine"
    assert isinstance(bad.exception(5), ValueError)
    assert batcher.submit(CheckRequest("after")).result(5) == "ok:after"  # the worker lives on
