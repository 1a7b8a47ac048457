"""Benchmark: the SimPy annual-cycle model (issue targets in brackets).

    python benchmarks/bench_sim.py [--skip-beijing] [--repeat 3]

1. One Beijing-scale replication (scenarios/beijing-2020.yaml: ~100,000 applicants, ~30,000
   experts, ~200 committees, one year) on one core [≤ 20 s, ≤ 2 GB], run in a fresh subprocess so
   its peak memory (ru_maxrss) is its own.
2. The model's SimPy events per second as a ratio to a bare SimPy timeout loop measured in the
   same run [≥ 0.3].
3. A 20-replication run of scenarios/quick.yaml on one worker and on two local worker processes
   [two ≥ 1.6× faster than one]; the results must be identical.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

from zcsim.sim import load_scenario, run_replication  # noqa: E402
from zcsim.sim.runner import run_replications  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHILD = r"""
import json, resource, sys, time
from zcsim.sim import load_scenario, run_replication
sc = load_scenario(sys.argv[1])
rules = sc.ruleset()
t0 = time.perf_counter(); c0 = time.process_time()
rep = run_replication(sc, rules, 2020, index=0)
wall = time.perf_counter() - t0; cpu = time.process_time() - c0
print(json.dumps({"wall": wall, "cpu": cpu, "events": rep.events,
                  "applicants": rep.metrics.get("applicants"), "meetings": rep.metrics.get("meetings"),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bare_simpy_rate(n: int = 300_000) -> float:
    """Events per second of a bare SimPy loop: one process yielding n timeouts."""
    env = simpy.Environment()

    def proc(env: simpy.Environment):  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield env.timeout(1)

    env.process(proc(env))
    t0 = time.perf_counter()
    env.run()
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-beijing", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print("machine:", json.dumps(machine()))

    if not args.skip_beijing:
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "scenarios" / "beijing-2020.yaml")],
                                 capture_output=True, text=True, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            bare = bare_simpy_rate()
            runs[-1]["bare_rate"] = bare
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        mem = max(r["maxrss_mb"] for r in runs)
        rate = statistics.median(r["events"] / r["wall"] for r in runs)
        bare = statistics.median(r["bare_rate"] for r in runs)
        print(f"Beijing-scale replication: {runs[0]['applicants']:,.0f} applicants, {runs[0]['meetings']:,.0f} meetings, "
              f"{runs[0]['events']:,} events")
        print(f"  wall median {wall:.2f} s [{min(r['wall'] for r in runs):.2f} … {max(r['wall'] for r in runs):.2f}], "
              f"CPU median {cpu:.2f} s, peak memory {mem:.0f} MB  (target ≤ 20 s, ≤ 2048 MB): "
              f"{'MET' if wall <= 20 and mem <= 2048 else 'NOT MET'}")
        print(f"  model {rate:,.0f} events/s vs bare SimPy loop {bare:,.0f} events/s: ratio {rate / bare:.2f} "
              f"(goal ≥ 0.3): {'MET' if rate / bare >= 0.3 else 'NOT MET'}")

    sc = load_scenario(ROOT / "scenarios" / "quick.yaml")
    rules = sc.ruleset()
    task = functools.partial(run_replication, sc, rules, keep_records=False)
    times = {}
    results = {}
    ts: dict[int, list[float]] = {1: [], 2: []}
    ratios = []
    run_replications(task, 2, 7, workers=1)  # warm this process (imports, caches) before timing
    for _ in range(args.repeat):  # alternate 1 and 2 workers so both see the same machine load
        for workers in (1, 2):
            t0 = time.perf_counter()
            res = run_replications(task, 20, 7, workers=workers)
            ts[workers].append(time.perf_counter() - t0)
            results[workers] = [r.metrics for r in res.replications]
        ratios.append(ts[1][-1] / ts[2][-1])
    for workers in (1, 2):
        times[workers] = statistics.median(ts[workers])
        print(f"quick.yaml × 20 replications, {workers} worker(s): median {times[workers]:.2f} s "
              f"[{min(ts[workers]):.2f} … {max(ts[workers]):.2f}]")
    identical = results[1] == results[2]
    speedup = statistics.median(ratios)
    print(f"  speed-up with 2 workers (median of {len(ratios)} back-to-back pairs): {speedup:.2f}× "
          f"[{min(ratios):.2f} … {max(ratios):.2f}] (goal ≥ 1.6): {'MET' if speedup >= 1.6 else 'NOT MET'}; "
          f"identical results: {identical}")
    assert identical


if __name__ == "__main__":
    main()
