"""Benchmark: sweeps and sizing (issue 6; targets in brackets).

    python benchmarks/bench_sweep.py [--workers 2] [--skip-sweep]

1. A 10 × 10 sweep of scenarios/quick.yaml (committee.size 25..43:2 × staff 2..11), 20
   replications each, on 2 local worker processes [≤ 5 minutes]. Not pinned to one core: it
   uses the workers.
2. The sizing search on the same grid with targets quorum_failure_rate ≤ 0.002 and
   vetting_wait_mean ≤ 1 working day at 95% confidence: configurations simulated / grid
   [≤ 1/3], pruned analytically, replications used.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine

from zcsim.sim import load_scenario
from zcsim.sim.sizing import parse_target, size_search
from zcsim.sim.sweep import parse_vary, run_sweep

ROOT = Path(__file__).resolve().parents[1]
GRID = ("committee.size=25..43:2", "staff=2..11")
TARGETS = ("quorum_failure_rate<=0.002", "vetting_wait_mean<=1")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--skip-sweep", action="store_true")
    args = ap.parse_args()
    print("machine:", json.dumps(machine()))
    sc = load_scenario(ROOT / "scenarios" / "quick.yaml")
    vs = [parse_vary(v, sc) for v in GRID]
    out: dict[str, object] = {"grid": list(GRID)}
    if not args.skip_sweep:
        t0 = time.perf_counter()
        res = run_sweep(sc, vs, replications=args.replications, workers=args.workers)
        wall = time.perf_counter() - t0
        jobs = len(res.variants) * args.replications
        out["sweep"] = {"variants": len(res.variants), "replications": args.replications, "workers": args.workers,
                        "wall_s": round(wall, 1), "jobs_per_s": round(jobs / wall, 2), "target_s": 300,
                        "ok": wall <= 300}
        print(f"sweep 10×10×{args.replications} on {args.workers} workers: {wall:.1f} s "
              f"({jobs / wall:.1f} replications/s) [≤ 300 s] {'OK' if wall <= 300 else 'MISSED'}")
    t0 = time.perf_counter()
    sz = size_search(sc, vs, [parse_target(t) for t in TARGETS], confidence=0.95, workers=args.workers)
    wall = time.perf_counter() - t0
    best = sz.best.variant.label if sz.best else None
    out["sizing"] = {"targets": list(TARGETS), "grid": sz.grid, "pruned": sz.pruned, "simulated": sz.simulated,
                     "replications": sz.replications, "best": best,
                     "binding": sz.binding.target.text if sz.binding else None, "wall_s": round(wall, 1),
                     "simulated_share": round(sz.simulated / sz.grid, 3), "ok": sz.simulated <= sz.grid / 3}
    print(f"sizing: grid {sz.grid}, pruned analytically {sz.pruned}, simulated {sz.simulated} "
          f"({sz.simulated / sz.grid:.0%}) [≤ 1/3], {sz.replications} replications, {wall:.1f} s; best {best}; "
          f"binding {out['sizing']['binding']}")  # type: ignore[index]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
