"""The real server process: a long check does not stop it answering others."""

import threading

import httpx

from live_server import start_server

TOKEN = "live-" + "x" * 20


def test_health_and_short_checks_answer_while_a_long_check_runs():
    words = ["our", "patient", "Maria", "went", "home", "after", "her", "knee", "surgery", "and", "the", "flu",
             "clinic", "opens", "at", "nine", "bring", "your", "card", "call", "555-201-3344", "Dr.", "Lee",
             "thanks", "the", "team"]
    # ~95,000 characters of varied prose (no paragraph repeats, so nothing comes from the cache).
    long_post = "\n\n".join(" ".join(words[(i * 7 + j) % len(words)] for j in range(i % 13, i % 13 + 120))
                            + f" {i}." for i in range(130))
    events: list[str] = []
    with start_server(TOKEN, ("--workers", "1"), env={"CARELINT_CHECK_BUDGET_MS": "600000"}) as server:
        auth = {"Authorization": f"Bearer {TOKEN}"}

        def long_check():
            r = httpx.post(server["url"] + "/v1/check", json={"text": long_post}, headers=auth, timeout=300)
            events.append(f"long {r.status_code} {r.json()['complete']}")

        worker = threading.Thread(target=long_check)
        worker.start()
        worker.join(0.5)  # the long check is in the server by now
        try:
            while worker.is_alive() and events.count("health 200") < 3:
                health = httpx.get(server["url"] + "/v1/health", timeout=30)
                events.append(f"health {health.status_code}")
        finally:
            worker.join(300)
    # Health answered (more than once) before the long check came back, which it did, whole.
    assert events[:3] == ["health 200"] * 3, events
    assert events[-1] == "long 200 True", events
