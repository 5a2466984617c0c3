"""Soak of the real server: many unique posts from 8 clients while its memory is sampled, with an
empty policy and with a ~1 MB one; and single checks of 50,000-character posts. `make bench`.

usage: python bench/soak.py [--posts N] [--clients N] [--warmup N] [--long-posts N] [--seed N]
                            [--model NAME] [--json PATH] [--quick]

For each policy (empty; then ~1 MB of staff names, handles, PHI terms, addresses and phones,
within the documented limits, sent with PUT /v1/settings), a fresh `carelint serve` (run.py's
`Server`: a free loopback port, a throw-away CARELINT_CONFIG_DIR and CARELINT_TOKEN, the default
number of processes) gets --posts unique posts (`posts.PostGenerator`: no paragraph repeats, so the
paragraph cache never answers) from --clients threads, one keep-alive connection each. Every
second the PSS of the server and its children is sampled (`Server.memory_mb`, from
/proc/PID/smaps_rollup). Reported: latency p50/p95, throughput, memory after the first --warmup
posts and at the end, the highest sample after warm-up, and whether memory stayed within 10% of
the warm-up value. Then, on the same server, --long-posts posts of 50,000 characters (varied
paragraphs) are each checked over HTTP, and again until `complete` (the server's time budget
answers a long post in parts; the paragraph cache carries the work over).

Prints a table and writes the numbers under "soak" in the JSON file (default bench/results.json,
which bench/run.py writes first; other keys are kept).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

from posts import PostGenerator
from run import DEFAULT_JSON, Server, summary, timed_ms

FLAT_WITHIN = 0.10  # memory after warm-up may move by at most 10% of the warm-up value
SAMPLE_EVERY_S = 1.0
PLATFORMS = ("x", "linkedin", "facebook", "instagram", "threads", "bluesky", "mastodon", "generic")
BODY_LIMIT = 1_000_000  # the server's default CARELINT_MAX_BODY_BYTES: the policy must fit in one PUT
TITLES = ("Dr.", "Nurse", "Prof.", "Ms.", "Mr.", "Mx.")
DEPARTMENTS = ("Orthopaedic Surgery", "Paediatrics", "Emergency Medicine", "Cardiology", "Oncology", "Radiology",
               "Family Medicine", "Physical Therapy", "Dermatology", "Obstetrics and Gynaecology", "Neurology")
CAMPUSES = ("Riverside Campus", "Northgate Clinic", "Harbor View Pavilion", "Elm Street Outpatient Center",
            "West Hills Rehabilitation Unit", "Lakeside Children's Wing")


# --- the ~1 MB policy -----------------------------------------------------------------------


def _entry(parts: list[str], limit: int = 200) -> str:
    """Parts joined with ', ' up to `limit` characters (never cut inside a part)."""
    out = parts[0]
    for part in parts[1:]:
        if len(out) + 2 + len(part) > limit:
            break
        out += ", " + part
    return out[:limit]


def large_policy(gen: PostGenerator, max_bytes: int = BODY_LIMIT - 10_000) -> dict:
    """A policy of about `max_bytes` of JSON, within Policy's limits: at most 2,000 entries of at
    most 200 characters in each list (200 for addresses and phones). Each entry is unique (the
    server drops repeats) and reads like what an organisation would enter, made long."""
    rng = gen.rng

    def person(i: int) -> str:
        return f"{rng.choice(gen.firsts)} {rng.choice(gen.lasts)}-{rng.choice(gen.lasts)} {i}"

    staff_names = [_entry([f"{rng.choice(TITLES)} {person(i)}", "MD, FACS", rng.choice(DEPARTMENTS),
                           rng.choice(CAMPUSES), f"pager {rng.randint(1000, 9999)}", rng.choice(DEPARTMENTS),
                           rng.choice(CAMPUSES), "on call weekends and public holidays", rng.choice(CAMPUSES)])
                   for i in range(2000)]
    staff_handles = [_entry([f"@{rng.choice(gen.firsts).lower()}_{rng.choice(gen.lasts).lower()}_{i}",
                             "@" + rng.choice(CAMPUSES).replace(" ", "").replace("'", "").lower() + f"_{i}",
                             f"@dr{rng.choice(gen.lasts).lower()}{i}"] * 6)
                     for i in range(2000)]
    extra_phi_terms = [f"Study cohort {rng.choice(('Bluebird', 'Kestrel', 'Juniper', 'Larkspur'))} {i:04d} "
                       f"({rng.choice(DEPARTMENTS)}, {rng.choice(CAMPUSES)})" for i in range(2000)]
    org_addresses = [_entry([f"{100 + i} {rng.choice(gen.lasts)} Street, Suite {rng.randint(1, 900)}",
                             rng.choice(CAMPUSES), "Springfield, IL 62701", "Building C, entrance by the car park",
                             "second floor"]) for i in range(200)]
    org_phones = [f"+1 (217) 555-{i:04d} ext. {rng.randint(100, 999)}" for i in range(200)]
    policy = dict(staff_names=staff_names, staff_handles=staff_handles, extra_phi_terms=extra_phi_terms,
                  org_addresses=org_addresses, org_phones=org_phones)
    # Trim the longest lists evenly until the body fits under the server's limit.
    while len(json.dumps(policy).encode()) > max_bytes:
        for key in ("staff_names", "staff_handles", "extra_phi_terms"):
            policy[key] = policy[key][:-20]
    return policy


def put_policy(server: Server, policy: dict) -> dict:
    body = json.dumps(policy).encode()
    conn = server.connection()
    try:
        started = time.perf_counter()
        conn.request("PUT", "/v1/settings", body=body, headers={
            "Authorization": f"Bearer {server.token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"PUT /v1/settings answered {response.status}: {payload[:300]!r}")
    stored = json.loads(payload)
    return dict(bytes=len(body), put_ms=round(elapsed, 1),
                entries={k: len(v) for k, v in stored.items() if isinstance(v, list)},
                chars=sum(len(e) for v in stored.values() if isinstance(v, list) for e in v))


# --- the soak --------------------------------------------------------------------------------


class MemorySampler:
    """PSS total of the server's processes every second, with how many posts were answered then."""

    def __init__(self, server: Server, done: list[int]):
        self.server, self.done = server, done
        self.samples: list[dict] = []
        self.started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        memory = self.server.memory_mb()
        if memory:
            self.samples.append(dict(t=round(time.perf_counter() - self.started, 1), posts=self.done[0],
                                     pss=memory["pss_total"], processes=memory["processes"]))

    def _run(self) -> None:
        self.sample()
        while not self._stop.wait(SAMPLE_EVERY_S):
            self.sample()

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()  # the end, after the last answer


def soak(server: Server, posts: list[str], clients: int, warmup: int, max_s: float) -> dict:
    """`clients` threads share `posts` (each sent once); memory is sampled every second. The
    clients stop taking posts after `max_s` seconds (a slow server cannot hold the bench for hours)."""
    queue = list(reversed(posts))
    deadline = [float("inf")]
    lock = threading.Lock()
    done = [0]
    latencies: list[float] = []
    errors: list[str] = []
    warm_mark: list[float] = []  # when the warm-up posts were answered

    def client(k: int) -> None:
        conn = server.connection()
        i = k
        try:
            while True:
                with lock:
                    if not queue or time.perf_counter() > deadline[0]:
                        return
                    text = queue.pop()
                name = PLATFORMS[i % len(PLATFORMS)]
                try:
                    ms = timed_ms(lambda c=conn, t=text, p=name: server.check(c, t, p))
                except (OSError, RuntimeError, http.client.HTTPException) as exc:
                    errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")
                    conn.close()
                    conn = server.connection()
                    continue
                finally:
                    i += clients
                with lock:
                    latencies.append(ms)
                    done[0] += 1
                    if done[0] == warmup:
                        warm_mark.append(time.perf_counter())
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    with MemorySampler(server, done) as sampler:
        started = time.perf_counter()
        deadline[0] = started + max_s
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    samples = sampler.samples
    # Warm-up memory: the first sample taken once `warmup` posts were answered.
    after = [s for s in samples if s["posts"] >= warmup]
    warm = after[0]["pss"] if after else None
    end = samples[-1]["pss"] if samples else None
    highest = max((s["pss"] for s in after), default=None)
    lowest = min((s["pss"] for s in after), default=None)
    flat = None
    if warm:
        flat = all(abs(s["pss"] - warm) <= FLAT_WITHIN * warm for s in after)
    steady_s = wall - (warm_mark[0] - started) if warm_mark else None
    return dict(
        posts=len(posts), answered=len(latencies), cut_short=bool(queue), max_s=max_s, clients=clients,
        errors=len(errors), first_errors=errors[:5],
        chars_mean=round(sum(map(len, posts)) / len(posts), 1), wall_s=round(wall, 1),
        checks_per_s=round(len(latencies) / wall, 1),
        checks_per_s_after_warmup=round((len(latencies) - warmup) / steady_s, 1) if steady_s else None,
        latency_ms_after_warmup=summary(latencies[warmup:]) if len(latencies) > warmup else None,
        latency_ms=summary(latencies) if latencies else None,
        memory_mb=dict(warmup_after_posts=warmup, at_start=samples[0]["pss"] if samples else None,
                       at_warmup=warm, at_end=end, highest_after_warmup=highest, lowest_after_warmup=lowest,
                       end_vs_warmup_pct=round(100 * (end - warm) / warm, 1) if warm and end else None,
                       flat_within_10pct=flat, samples=len(samples), processes=samples[-1]["processes"]
                       if samples else None),
        memory_series=[[s["t"], s["posts"], s["pss"]] for s in samples],
    )


def long_posts(server: Server, texts: list[str], max_rounds: int = 20, max_s: float = 45) -> dict:
    """Each post checked over HTTP once (all new to the cache), then again until `complete` (at
    most `max_rounds` checks or `max_s` seconds per post)."""
    conn = server.connection()
    runs = []
    try:
        for text in texts:
            rounds = []
            post_started = time.perf_counter()
            for _ in range(max_rounds):
                started = time.perf_counter()
                body = server.check(conn, text, "generic")
                ms = (time.perf_counter() - started) * 1000
                unchecked = sum(r["end"] - r["start"] for r in body["unchecked"])
                rounds.append(dict(ms=round(ms, 1), complete=body["complete"], unchecked_units=unchecked,
                                   findings=len(body["findings"])))
                if body["complete"] or time.perf_counter() - post_started > max_s:
                    break
            runs.append(dict(chars=len(text), paragraphs=text.count("\n\n") + 1, first=rounds[0],
                             checks_to_complete=len(rounds) if rounds[-1]["complete"] else None,
                             total_ms=round(sum(r["ms"] for r in rounds), 1), rounds=rounds))
    finally:
        conn.close()
    firsts = [r["first"]["ms"] for r in runs]
    return dict(posts=len(runs), first_check_ms=summary(firsts),
                first_check_complete=sum(r["first"]["complete"] for r in runs), runs=runs)


def one_policy(name: str, model: str, gen: PostGenerator, args, policy: dict | None) -> dict:
    posts = [gen.short() for _ in range(args.posts)]
    texts = [gen.long(50_000) for _ in range(args.long_posts)]
    print(f"{name}: starting carelint serve…", flush=True)
    server = Server(model)
    try:
        cold = server.wait_first_check(gen.short(260, 280))
        result: dict = dict(policy=name, cold_start_s=round(cold, 2))
        if policy is not None:
            result["policy_put"] = put_policy(server, policy)
            print(f"{name}: PUT /v1/settings {result['policy_put']['bytes']:,} bytes "
                  f"in {result['policy_put']['put_ms']} ms", flush=True)
        print(f"{name}: {len(posts):,} posts from {args.clients} clients…", flush=True)
        result["soak"] = soak(server, posts, args.clients, args.warmup, args.max_minutes * 60)
        print(f"{name}: {len(texts)} posts of 50,000 characters…", flush=True)
        result["long_posts"] = long_posts(server, texts)
        result["server_memory_end"] = server.memory_mb()
    finally:
        server.stop()
    return result


# --- report ----------------------------------------------------------------------------------


def _num(value, spec: str = ".1f") -> str:
    return "—" if value is None else format(value, spec)


def print_report(results: dict) -> None:
    meta = results["meta"]
    print(f"\nCarelint soak — {meta['model']}, {meta['cpus']} CPUs, Python {meta['python']}; "
          f"total {meta['total_s']} s; load average {meta['load_avg_start']} at start, {meta['load_avg_end']} at end")
    head = (f"{'policy':<22}{'answered':>13}{'errors':>7}{'checks/s':>10}{'p50 ms':>9}{'p95 ms':>9}"
            f"{'PSS warm-up':>13}{'PSS end':>9}{'highest':>9}{'end/warm':>10}   flat within 10%")
    print("\n" + head)
    print("-" * len(head))
    for run in results["runs"]:
        s, m = run["soak"], run["soak"]["memory_mb"]
        lat = s["latency_ms"] or {}
        answered = f"{s['answered']}/{s['posts']}"
        flat = {True: "yes", False: "NO", None: "—"}[m["flat_within_10pct"]]
        print(f"{run['policy']:<22}{answered:>13}{s['errors']:>7}{s['checks_per_s']:>10.1f}{_num(lat.get('p50')):>9}"
              f"{_num(lat.get('p95')):>9}{_num(m['at_warmup']):>13}{_num(m['at_end']):>9}"
              f"{_num(m['highest_after_warmup']):>9}{_num(m['end_vs_warmup_pct'], '+.1f'):>9}%   {flat}")
    warmup = results["runs"][0]["soak"]["memory_mb"]["warmup_after_posts"]
    print(f"(PSS in MiB of the server and its forked analyser, sampled every second; warm-up = after the first "
          f"{warmup:,} posts)")
    for run in results["runs"]:
        s = run["soak"]
        if s["cut_short"]:
            print(f"policy '{run['policy']}': stopped after {s['max_s']:.0f} s (--max-minutes) with "
                  f"{s['answered']:,} of {s['posts']:,} posts answered")
        if run.get("policy_put"):
            p = run["policy_put"]
            entries = ", ".join(f"{k} {v}" for k, v in p["entries"].items() if v)
            print(f"policy '{run['policy']}': {p['bytes']:,} bytes of JSON, {p['chars']:,} characters in "
                  f"entries ({entries}); PUT answered in {p['put_ms']} ms")
    head = (f"{'50,000-char posts over HTTP':<30}{'policy':<22}{'first check ms':>16}{'complete':>10}"
            f"{'checks to complete':>20}{'total ms':>10}")
    print("\n" + head)
    print("-" * len(head))
    for run in results["runs"]:
        for i, r in enumerate(run["long_posts"]["runs"], 1):
            label = f"post {i} ({r['chars']:,} chars)"
            to_complete = r["checks_to_complete"] or f"not after {len(r['rounds'])}"
            print(f"{label:<30}{run['policy']:<22}{r['first']['ms']:>16.1f}{str(r['first']['complete']):>10}"
                  f"{to_complete:>20}{r['total_ms']:>10.1f}")


def main() -> None:
    from carelint.settings import DEFAULT_MODEL

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=10_000, help="unique posts per policy (default 10,000)")
    ap.add_argument("--clients", type=int, default=8, help="client threads (default 8)")
    ap.add_argument("--warmup", type=int, default=1_000, help="posts before the warm-up memory sample")
    ap.add_argument("--long-posts", type=int, default=3, help="50,000-character posts per policy (default 3)")
    ap.add_argument("--max-minutes", type=float, default=8,
                    help="stop sending posts of one policy after this long (default 8)")
    ap.add_argument("--seed", type=int, default=2024, help="seed of the generated posts")
    ap.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model of the server")
    ap.add_argument("--json", default=str(DEFAULT_JSON), help=f"JSON file to add 'soak' to (default {DEFAULT_JSON})")
    ap.add_argument("--quick", action="store_true", help="a smoke run: 1,000 posts, warm-up 200, one long post")
    args = ap.parse_args()
    if args.quick:
        args.posts, args.warmup, args.long_posts = 1_000, 200, 1
    if args.warmup >= args.posts:
        ap.error("--warmup must be smaller than --posts")
    if not Path("/proc/self/smaps_rollup").exists():
        ap.error("the soak reads /proc/PID/smaps_rollup: Linux only")
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print(f"note: the load average is {os.getloadavg()[0]:.1f}; other work on this machine skews the numbers",
              file=sys.stderr)
    started = time.perf_counter()
    gen = PostGenerator(seed=args.seed)  # one generator for both runs: no post or paragraph repeats
    results: dict = {"meta": dict(model=args.model, seed=args.seed, posts=args.posts, clients=args.clients,
                                  warmup=args.warmup, cpus=os.cpu_count(), python=platform.python_version(),
                                  machine=platform.platform(), load_avg_start=round(os.getloadavg()[0], 2))}
    policy = large_policy(gen)
    results["runs"] = [one_policy("empty", args.model, gen, args, None),
                       one_policy("~1 MB (staff, terms)", args.model, gen, args, policy)]
    results["meta"]["total_s"] = round(time.perf_counter() - started, 1)
    results["meta"]["load_avg_end"] = round(os.getloadavg()[0], 2)
    print_report(results)
    path = Path(args.json)
    try:
        existing = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        existing = {}
    if not isinstance(existing, dict):
        existing = {}
    existing["soak"] = results
    path.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote 'soak' into {path}")


if __name__ == "__main__":
    main()
