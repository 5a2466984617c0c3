"""Keystroke-to-highlight latency of the Carelint extension, end to end.

Real Chromium with the unpacked extension, the real server (`carelint serve`, free port,
temporary config dir), and the fixture composers built from the real editor packages. For
each run the post is typed up to the last letter of the patient's name, the page goes
quiet, then the final key is pressed: the latency is the time from that keydown (seen by a
capture listener in the page) to the first animation frame in which `carelint-high`
holds a Range over exactly the name. Every run uses a different post, so neither the
extension's cache nor the server's paragraph cache can answer it.

    .venv/bin/python bench/extension_latency.py [--runs 20] [--platforms x,facebook,...] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # live_server, as pytest's rootdir conftest makes it importable

from playwright.sync_api import sync_playwright  # noqa: E402
from tests.extension.composers import COMPOSERS  # noqa: E402
from tests.extension.conftest import (  # noqa: E402
    TOKEN,
    build_fixture_bundles,
    extension_worker,
    launch_with_extension,
    start_server,
)

NAME = "Maria Gonzalez"

ARM_JS = """(name) => new Promise((resolve) => {
    window.__bench = {down: null, seen: null};
    const has = () => [...(CSS.highlights.get('carelint-high') || [])].some(r => r.toString() === name);
    const onKey = () => { if (window.__bench.down === null) window.__bench.down = performance.now(); };
    window.addEventListener('keydown', onKey, {capture: true, once: true});
    const tick = () => {
        if (window.__bench.down !== null && has()) { window.__bench.seen = performance.now(); return; }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    resolve(has());
})"""


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def run_platform(context, worker, server, name: str, runs: int) -> list[float]:
    composer = COMPOSERS[name]
    worker.evaluate("v => chrome.storage.local.set(v)", {"serverUrl": server["url"], "token": server["token"]})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(composer.url)
    page.wait_for_function("n => document.documentElement.dataset.fixtureReady === n", arg=name)
    editor = page.locator(composer.editor)
    latencies = []
    for i in range(runs + 1):  # run 0 warms up the server's models and the page
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
        page.wait_for_function("() => window.__fixture.getText() === ''")
        prefix = f"Update {i} 🎉 from the clinic: congrats to our patient {NAME[:-1]}"
        page.keyboard.type(prefix)
        # Quiet: the extension has checked the text as typed so far.
        page.wait_for_function(
            "t => window.__fixture.getText() === t && document.documentElement.dataset.carelintState === 'connected'",
            arg=prefix,
        )
        page.wait_for_function(
            "() => new Promise(r => setTimeout(() => r(true), 300))"
        )  # let the last in-flight check of the prefix land
        already = page.evaluate(ARM_JS, NAME)
        assert not already, "name highlighted before it was complete"
        page.keyboard.press(NAME[-1])
        page.wait_for_function("() => window.__bench.seen !== null")
        ms = page.evaluate("window.__bench.seen - window.__bench.down")
        if i:
            latencies.append(ms)
    page.close()
    return latencies


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--platforms", default="x,tiktok,facebook,instagram,threads,linkedin,bluesky,mastodon,youtube")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    bundles = build_fixture_bundles()
    results = {}
    with start_server(TOKEN) as server, sync_playwright() as p:
        profile = tempfile.mkdtemp(prefix="carelint-bench-")
        context = launch_with_extension(p, profile, bundles)
        try:
            worker = extension_worker(context)
            for name in args.platforms.split(","):
                results[name] = run_platform(context, worker, server, name, args.runs)
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
    everything = [v for vs in results.values() for v in vs]
    summary = {
        name: {"runs": len(v), "p50_ms": round(statistics.median(v), 1), "p95_ms": round(percentile(v, 0.95), 1)}
        for name, v in {**results, "all": everything}.items()
    }
    print(f"{'composer':<10} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for name, s in summary.items():
        print(f"{name:<10} {s['runs']:>5} {s['p50_ms']:>8} {s['p95_ms']:>8}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "samples_ms": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
