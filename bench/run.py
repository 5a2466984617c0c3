"""Speed and memory of Carelint, side by side with stock Presidio on the same texts: `make bench`.

usage: python bench/run.py [--quick] [--json PATH] [--model NAME] [--seed N]

In process: Carelint's full check (PHI + rules + disclaimer) against stock Presidio
`AnalyzerEngine.analyze` with the same spaCy model, on short, LinkedIn-length and long posts,
and a one-word edit of a 3,000-character post (the paragraph cache at work). Through a spawned
`carelint serve` on loopback: cold start, HTTP round trip, throughput with 8 clients, peak RSS.
Every timed text is new to Carelint's paragraph cache, except in the edit scenario.
Prints a table with the targets and writes the numbers as JSON (default bench/results.json).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from posts import PostGenerator

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_JSON = BENCH_DIR / "results.json"


def _sizes(quick: bool) -> dict[str, int]:
    """How many texts or repetitions each measurement uses."""
    full = dict(short=100, linkedin=50, long=5, edit=30, cold=5, rtt=200, throughput=400, clients=8)
    smoke = dict(short=20, linkedin=5, long=1, edit=5, cold=1, rtt=40, throughput=80, clients=8)
    return smoke if quick else full


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(ms: list[float]) -> dict:
    return dict(n=len(ms), p50=round(statistics.median(ms), 2), p95=round(percentile(ms, 95), 2),
                mean=round(statistics.fmean(ms), 2), max=round(max(ms), 2))


def timed_ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


# --- in-process engines ---------------------------------------------------------------------


def load_engines(model: str):
    """Carelint's checker and stock Presidio (built offline, as bench/evaluate.py does)."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from carelint.engine import Checker
    from carelint.phi.recognizers.offline_email import make_tldextract_offline

    started = time.perf_counter()
    checker = Checker.from_model(model)
    carelint_load = time.perf_counter() - started
    make_tldextract_offline()  # stock Presidio's email recognizer would fetch the suffix list
    started = time.perf_counter()
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    presidio = AnalyzerEngine(nlp_engine=provider.create_engine())
    presidio_load = time.perf_counter() - started
    return checker, presidio, dict(carelint_load_s=round(carelint_load, 2), presidio_load_s=round(presidio_load, 2))


class CacheCounter:
    """Counts paragraph-cache hits and misses of a checker (wraps its cache's `get`)."""

    def __init__(self, checker):
        self.hits = self.misses = 0
        lookup = checker.cache.get

        def counting_get(key):
            found = lookup(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
            return found

        checker.cache.get = counting_get

    def take(self) -> tuple[int, int]:
        """(hits, misses) since the last call."""
        counts = self.hits, self.misses
        self.hits = self.misses = 0
        return counts


def compare(checker, presidio, counter: CacheCounter, texts: list[str], platform_name: str) -> dict:
    """Each text once through each engine; the engine that goes first alternates per text."""
    from carelint.settings import Policy

    policy = Policy()
    counter.take()
    carelint_ms, presidio_ms = [], []
    for i, text in enumerate(texts):
        run_carelint = lambda t=text: checker.check(t, platform_name, "utf16", policy)  # noqa: E731
        run_presidio = lambda t=text: presidio.analyze(text=t, language="en")  # noqa: E731
        if i % 2:
            presidio_ms.append(timed_ms(run_presidio))
            carelint_ms.append(timed_ms(run_carelint))
        else:
            carelint_ms.append(timed_ms(run_carelint))
            presidio_ms.append(timed_ms(run_presidio))
    hits, misses = counter.take()
    carelint, stock = summary(carelint_ms), summary(presidio_ms)
    return dict(
        texts=len(texts), chars_mean=round(statistics.fmean(map(len, texts))),
        paragraphs_mean=round((hits + misses) / len(texts), 1),
        cache_hits=hits,  # 0: every paragraph was analysed, none answered from the cache
        carelint=carelint, presidio=stock,
        ratio_p50=round(carelint["p50"] / stock["p50"], 2), ratio_p95=round(carelint["p95"] / stock["p95"], 2),
        # median of per-text ratios: less sensitive to load that varies during the run
        ratio_paired=round(statistics.median(c / p for c, p in zip(carelint_ms, presidio_ms, strict=True)), 2),
    )


def edit_scenario(checker, counter: CacheCounter, gen: PostGenerator, count: int) -> dict:
    """Check a 3,000-char post, replace one word in one paragraph, time the second check."""
    from carelint.settings import Policy

    policy = Policy()
    first_ms, edit_ms, reanalysed = [], [], []
    for _ in range(count):
        post = gen.linkedin()
        first_ms.append(timed_ms(lambda p=post: checker.check(p, "linkedin", "utf16", policy)))
        edited, _ = gen.edit_one_word(post)
        counter.take()
        edit_ms.append(timed_ms(lambda p=edited: checker.check(p, "linkedin", "utf16", policy)))
        reanalysed.append(counter.take()[1])
    return dict(posts=count, first_check=summary(first_ms), edit_check=summary(edit_ms),
                paragraphs_reanalysed_mean=round(statistics.fmean(reanalysed), 2),
                paragraphs_reanalysed_max=max(reanalysed))


# --- the server over HTTP -------------------------------------------------------------------


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kib_field(text: str, name: str) -> int:
    return next((int(line.split()[1]) for line in text.splitlines() if line.startswith(f"{name}:")), 0)


class Server:
    """`carelint serve` on a free loopback port with a throw-away config dir and token."""

    def __init__(self, model: str, workers: int | None = None):
        self.port = free_loopback_port()
        self.token = secrets.token_urlsafe(16)
        self._dir = tempfile.TemporaryDirectory(prefix="carelint-bench-")
        self._log = open(Path(self._dir.name) / "server.log", "wb")  # noqa: SIM115
        script = Path(sys.executable).with_name("carelint")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "carelint"]
        env = dict(os.environ, CARELINT_TOKEN=self.token, CARELINT_MODEL=model,
                   CARELINT_CONFIG_DIR=str(Path(self._dir.name) / "config"))
        if workers is not None:
            env["CARELINT_WORKERS"] = str(workers)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(command + ["serve", "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def check(self, conn: http.client.HTTPConnection, text: str, platform_name: str = "x") -> dict:
        body = json.dumps({"text": text, "platform": platform_name, "offset_unit": "utf16"})
        conn.request("POST", "/v1/check", body=body, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"POST /v1/check answered {response.status}: {payload[:200]!r}")
        return json.loads(payload)

    def wait_first_check(self, text: str, timeout_s: float = 60) -> float:
        """Seconds from process start to the first answered check."""
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"carelint serve exited with {self.proc.returncode}:\n{self.log_tail()}")
            if time.perf_counter() - self.started > timeout_s:
                raise RuntimeError(f"no answer within {timeout_s} s:\n{self.log_tail()}")
            conn = self.connection()
            try:
                self.check(conn, text)
                return time.perf_counter() - self.started
            except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
                time.sleep(0.02)
            finally:
                conn.close()

    def processes(self) -> list[int]:
        """The server's pid and its descendants' (the forked analysers), Linux only."""
        pids, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                with contextlib.suppress(OSError):  # the thread ended meanwhile
                    todo += [int(c) for c in (task / "children").read_text().split()]
        return pids

    def memory_mb(self) -> dict | None:
        """Per process: peak RSS (VmHWM) and PSS now; totals. RSS counts the pages the forked
        analysers share with the server once in each process; PSS splits them between the sharers,
        so the PSS total is what the server holds."""
        rows = []
        for pid in self.processes():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            rows.append(dict(pid=pid, peak_rss=_kib_field(status, "VmHWM") / 1024,
                             pss=_kib_field(rollup, "Pss") / 1024))
        if not rows:
            return None
        return dict(processes=len(rows), peak_rss_each=[round(r["peak_rss"], 1) for r in rows],
                    peak_rss_sum=round(sum(r["peak_rss"] for r in rows), 1),
                    pss_total=round(sum(r["pss"] for r in rows), 1))

    def log_tail(self) -> str:
        self._log.flush()
        return (Path(self._dir.name) / "server.log").read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        self._dir.cleanup()


def round_trips(server: Server, texts: list[str]) -> dict:
    """Sequential checks on one keep-alive connection, as the extension sends them."""
    conn = server.connection()
    try:
        return summary([timed_ms(lambda t=text: server.check(conn, t)) for text in texts])
    finally:
        conn.close()


def throughput(server: Server, texts: list[str], clients: int) -> dict:
    """`clients` threads, each with its own connection, share a fixed list of texts; stops when done."""
    queue = list(reversed(texts))
    lock = threading.Lock()
    errors: list[str] = []
    latencies: list[float] = []

    def client() -> None:
        conn = server.connection()
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    text = queue.pop()
                try:
                    ms = timed_ms(lambda c=conn, t=text: server.check(c, t))
                except (OSError, RuntimeError, http.client.HTTPException) as exc:
                    errors.append(type(exc).__name__)
                    conn.close()
                    conn = server.connection()
                    continue
                with lock:
                    latencies.append(ms)
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return dict(clients=clients, requests=len(texts), errors=len(errors), wall_s=round(wall, 2),
                checks_per_s=round(len(latencies) / wall, 1), latency=summary(latencies) if latencies else None)


class PssSampler:
    """The largest PSS total of the server's processes, sampled every 0.2 s while it runs."""

    def __init__(self, server: Server):
        self.server, self.peak = server, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            memory = self.server.memory_mb()
            self.peak = max(self.peak, memory["pss_total"] if memory else 0.0)

    def __enter__(self) -> PssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()


def server_benchmarks(model: str, gen: PostGenerator, n: dict, workers: int | None = None) -> dict:
    """Cold starts (the last server stays up), then round trips, throughput and memory.
    `workers`: CARELINT_WORKERS for the server (None: its default)."""
    cold: list[float] = []
    server = None
    try:
        for i in range(n["cold"]):
            server = Server(model, workers)
            cold.append(round(server.wait_first_check(gen.short(260, 280)), 2))
            if i < n["cold"] - 1:
                server.stop()
        conn = server.connection()
        for _ in range(20):  # warm-up: the thread pool, the JSON path, the allocator
            server.check(conn, gen.short(260, 280))
        conn.close()
        with PssSampler(server) as pss:
            rtt = round_trips(server, [gen.short(260, 280) for _ in range(n["rtt"])])
            load = throughput(server, [gen.short(260, 280) for _ in range(n["throughput"])], n["clients"])
        memory = server.memory_mb()
        if memory:
            memory["pss_peak"] = round(max(pss.peak, memory["pss_total"]), 1)
    finally:
        if server is not None:
            server.stop()
    return dict(cold_start_s=dict(runs=cold, median=statistics.median(cold)), round_trip=rtt,
                throughput=load, memory_mb=memory)


# --- report ---------------------------------------------------------------------------------


def targets(results: dict) -> list[dict]:
    """Each target with its measured value and whether it is met (None: not measured)."""
    lat, edit, srv = results["latency"], results.get("edit"), results.get("server")

    def row(name, value, limit, unit, higher_is_better=False, informative=False):
        met = None if value is None else (value >= limit if higher_is_better else value <= limit)
        if informative:  # shown beside a target, which is on medians
            return dict(target=name, value=value, limit=limit, unit=unit, higher_is_better=higher_is_better,
                        met=None, informative=True)
        return dict(target=name, value=value, limit=limit, unit=unit, higher_is_better=higher_is_better, met=met)

    # The limits the learned decision stage was given (a sentence encoder runs on every new
    # sentence): 1.25× stock Presidio, 400 MB for the server.
    return [
        row("short posts: Carelint / Presidio p50", lat["short"]["ratio_p50"], 1.25, "×"),
        row("3,000-char posts: Carelint / Presidio p50", lat["linkedin"]["ratio_p50"], 1.25, "×"),
        row("one-word edit, 3,000 chars, p50", edit and edit["edit_check"]["p50"], 15, "ms"),
        row("one-word edit, 3,000 chars, p95", edit and edit["edit_check"]["p95"], 15, "ms", informative=True),
        row("cold start (median)", srv and srv["cold_start_s"]["median"], 3, "s"),
        row("server memory, peak PSS (all processes)", srv and srv["memory_mb"] and srv["memory_mb"]["pss_peak"],
            400, "MiB"),
        row("HTTP checks/s, 280 chars, 8 clients", srv and srv["throughput"]["checks_per_s"], 100, "/s", True),
    ]


def print_report(results: dict) -> None:
    meta = results["meta"]
    print(f"\nCarelint bench — {meta['model']}, {meta['cpus']} CPUs, Python {meta['python']}"
          f"{', quick' if meta['quick'] else ''}; total {meta['total_s']} s")
    print(f"models loaded in process: Carelint {meta['carelint_load_s']} s, Presidio {meta['presidio_load_s']} s; "
          f"load average {meta['load_avg_start']} at start, {meta['load_avg_end']} at end\n")
    head = f"{'in process (ms)':<34}{'texts':>6}{'chars':>7}{'paras':>6}   {'Carelint p50/p95':>17}" \
           f"   {'Presidio p50/p95':>17}   {'ratio p50/p95/paired':>20}"
    print(head)
    print("-" * len(head))
    labels = dict(short="short posts (≤ 280)", linkedin="LinkedIn-length (~3,000)", long="long posts (~20,000)")
    for key, label in labels.items():
        r = results["latency"][key]
        c, p = r["carelint"], r["presidio"]
        print(f"{label:<34}{r['texts']:>6}{r['chars_mean']:>7}{r['paragraphs_mean']:>6}   "
              f"{c['p50']:>8.1f} /{c['p95']:>7.1f}   {p['p50']:>8.1f} /{p['p95']:>7.1f}   "
              f"{r['ratio_p50']:>5.2f}× /{r['ratio_p95']:>5.2f}× /{r['ratio_paired']:>5.2f}×")
    edit = results.get("edit")
    if edit:
        f, e = edit["first_check"], edit["edit_check"]
        print(f"{'3,000-char post, first check':<34}{edit['posts']:>6}{'':>13}   {f['p50']:>8.1f} /{f['p95']:>7.1f}")
        print(f"{'  same post, one word edited':<34}{edit['posts']:>6}{'':>13}   {e['p50']:>8.1f} /{e['p95']:>7.1f}"
              f"   (paragraphs re-analysed: mean {edit['paragraphs_reanalysed_mean']},"
              f" max {edit['paragraphs_reanalysed_max']})")
    srv = results.get("server")
    if srv:
        rtt, load = srv["round_trip"], srv["throughput"]
        print(f"\n{'over HTTP (carelint serve)':<34}")
        print("-" * len(head))
        runs = ", ".join(f"{s:.2f}" for s in srv["cold_start_s"]["runs"])
        print(f"{'cold start to first check':<34}{len(srv['cold_start_s']['runs']):>6}{'':>13}   runs {runs} s")
        print(f"{'round trip, 280-char post':<34}{rtt['n']:>6}{'':>13}   {rtt['p50']:>8.1f} /{rtt['p95']:>7.1f} ms")
        lat = load["latency"] or {}
        print(f"{'throughput, 8 clients':<34}{load['requests']:>6}{'':>13}   {load['checks_per_s']:>8.1f} checks/s"
              f"  (latency p50/p95 {lat.get('p50')}/{lat.get('p95')} ms, errors {load['errors']})")
        mem = srv["memory_mb"] or {}
        each = " + ".join(f"{v:.0f}" for v in mem.get("peak_rss_each", []))
        print(f"{'server memory':<34}{mem.get('processes', 0):>6}{'':>13}   peak PSS {mem.get('pss_peak')} MiB;"
              f" peak RSS {each} = {mem.get('peak_rss_sum')} MiB (shared pages counted in each process)")
        one = results.get("server_one_process")
        if one:
            one_mem = one["memory_mb"] or {}
            print(f"{'one process (CARELINT_WORKERS=1)':<34}{one['throughput']['requests']:>6}{'':>13}"
                  f"   {one['throughput']['checks_per_s']:>8.1f} checks/s, peak RSS {one_mem.get('peak_rss_sum')} MiB,"
                  f" cold start {one['cold_start_s']['median']} s")
    elif results.get("server_error"):
        print(f"\nserver benchmarks failed: {results['server_error']}")
    print(f"\n{'target':<44}{'measured':>12}{'limit':>12}   result")
    print("-" * 78)
    for t in results["targets"]:
        sep = "" if t["unit"] == "×" else " "
        value = "—" if t["value"] is None else f"{t['value']:.2f}{sep}{t['unit']}"
        limit = f"{'≥' if t['higher_is_better'] else '≤'} {t['limit']:g}{sep}{t['unit']}"
        status = {True: "met", False: "NOT MET", None: "not measured"}[t["met"]]
        if t.get("informative"):
            status = "for information (the target is on the median)"
        print(f"{t['target']:<44}{value:>12}{limit:>12}   {status}")


def main() -> None:
    from carelint.settings import DEFAULT_MODEL

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a fast smoke run with few texts")
    ap.add_argument("--json", default=str(DEFAULT_JSON), help=f"where to write the results (default {DEFAULT_JSON})")
    ap.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model for both engines and the server")
    ap.add_argument("--seed", type=int, default=2024, help="seed of the generated posts")
    args = ap.parse_args()
    n = _sizes(args.quick)
    started = time.perf_counter()
    gen = PostGenerator(seed=args.seed)
    results: dict = {"meta": dict(model=args.model, quick=args.quick, seed=args.seed, cpus=os.cpu_count(),
                                  python=platform.python_version(), machine=platform.platform(),
                                  load_avg_start=round(os.getloadavg()[0], 2))}
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print(f"note: the load average is {os.getloadavg()[0]:.1f}; other work on this machine skews the numbers",
              file=sys.stderr)

    print("server: cold start, round trips, throughput…", flush=True)
    try:
        results["server"] = server_benchmarks(args.model, gen, n)
        print("server, one process (CARELINT_WORKERS=1): throughput and memory…", flush=True)
        results["server_one_process"] = server_benchmarks(args.model, gen, dict(n, cold=1, rtt=20), workers=1)
    except (OSError, RuntimeError, http.client.HTTPException) as exc:
        results["server_error"] = str(exc)
        print(f"server benchmarks failed: {exc}", file=sys.stderr)

    print("in process: loading both engines…", flush=True)
    checker, presidio, loads = load_engines(args.model)
    results["meta"].update(loads)
    counter = CacheCounter(checker)
    # Warm-up on texts of their own, so the timed texts stay new to the paragraph cache.
    compare(checker, presidio, counter, [gen.short() for _ in range(10)] + [gen.linkedin() for _ in range(3)], "x")
    texts = dict(short=[gen.short() for _ in range(n["short"])],
                 linkedin=[gen.linkedin() for _ in range(n["linkedin"])],
                 long=[gen.long(20_000) for _ in range(n["long"])])
    platforms = dict(short="x", linkedin="linkedin", long="generic")
    results["latency"] = {}
    for key, batch in texts.items():
        print(f"in process: {len(batch)} {key} posts…", flush=True)
        results["latency"][key] = compare(checker, presidio, counter, batch, platforms[key])
    print(f"in process: one-word edits of {n['edit']} posts…", flush=True)
    results["edit"] = edit_scenario(checker, counter, gen, n["edit"])

    results["meta"]["total_s"] = round(time.perf_counter() - started, 1)
    results["meta"]["load_avg_end"] = round(os.getloadavg()[0], 2)
    results["targets"] = targets(results)
    print_report(results)
    Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
