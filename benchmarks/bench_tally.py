"""Benchmark: the vectorised vote tally ``zcsim.procedure.vote.passes`` (target: >= 10 million
ballots per second on one core).

    python benchmarks/bench_tally.py [--n 10000000] [--repeat 5] [--seed 0]

One "ballot" here is one applicant's tally: (yes, present, recused[, members]). The arrays are
int64 and realistic for a 25-member committee: 17-25 present, ~5% of applicants with 1-2 present
experts recused, yes ~ Binomial(present - recused, 0.75).

Timed, ``--repeat`` times each, with medians:

- ``passes(yes, present, rules, recused=recused)`` for beijing-2020 (literal reading: recused
  experts stay in the basis), for ``recusal_denominator=eligible``, and for beijing-2003-style
  (basis = all members, strictly more than 2/3; needs ``members=``);
- a raw numpy baseline (``3 * yes >= 2 * present``) to show the wrapper's overhead;
- the scalar ``passes(int, int, rules)`` per call, and the ratio to the per-ballot array cost.

Each array result is checked against an independent integer computation written out here, and a
sample of elements against the scalar path (asserted).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import timeit
from pathlib import Path
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import pin_and_report  # noqa: E402

from zcsim import load_rules
from zcsim.procedure.vote import passes

TARGET = 10_000_000  # ballots per second





def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    fn()  # warm-up (page faults of the output buffers, caches)
    walls, out = [], None
    for _ in range(repeat):
        out = None
        t0 = time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
    return walls, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000_000, help="ballots per array")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--members", type=int, default=25)
    ns = ap.parse_args(argv)
    n = ns.n

    info, cpu = pin_and_report()

    rng = np.random.default_rng(ns.seed)
    m = ns.members
    quorum = -((-2 * m) // 3)
    present = rng.integers(quorum, m + 1, size=n, dtype=np.int64)
    recused = np.where(rng.random(n) < 0.05, rng.integers(1, 3, size=n, dtype=np.int64), 0).astype(np.int64)
    yes = rng.binomial(present - recused, 0.75).astype(np.int64)
    members = np.full(n, m, dtype=np.int64)
    assert yes.dtype == present.dtype == recused.dtype == members.dtype == np.int64
    print(f"workload: {n:,} ballots (int64), committee of {m}, present {quorum}-{m}, "
          f"{np.count_nonzero(recused):,} with recusals, {ns.repeat} repetitions\n")

    r2020 = load_rules("beijing-2020")
    elig = load_rules(overrides=["recusal_denominator=eligible"])
    r2003 = load_rules("beijing-2003-style")
    assert r2003.threshold_basis == "members" and not r2003.threshold_inclusive

    # independent integer computations, written out here (not via zcsim)
    expected = {
        "beijing-2020": (3 * yes >= 2 * present) & (present > 0),
        "eligible": (3 * yes >= 2 * (present - recused)) & (present - recused > 0),
        "beijing-2003-style": (3 * yes > 2 * members) & (members > 0),
    }
    cases = [
        ("beijing-2020", lambda: passes(yes, present, r2020, recused=recused)),
        ("eligible", lambda: passes(yes, present, elig, recused=recused)),
        ("beijing-2003-style", lambda: passes(yes, present, r2003, recused=recused, members=members)),
    ]

    rows = []
    for name, fn in cases:
        walls, out = timed(fn, ns.repeat)
        assert isinstance(out, np.ndarray) and out.dtype == np.bool_ and out.shape == (n,)
        assert np.array_equal(out, expected[name]), f"{name}: array result differs from 3*yes vs 2*basis"
        rows.append((name, walls, float(out.mean())))

    # raw numpy baseline: the same comparison with no wrapper
    walls, out = timed(lambda: 3 * yes >= 2 * present, ns.repeat)
    assert np.array_equal(out, expected["beijing-2020"])
    rows.append(("numpy baseline 3*y>=2*p", walls, float(out.mean())))

    # scalar path: per call, and spot-check it against the array path
    sample = rng.choice(n, size=20_000, replace=False)
    arr = rows[0]
    for i in sample.tolist():
        assert passes(int(yes[i]), int(present[i]), r2020, recused=int(recused[i])) == bool(expected["beijing-2020"][i])
        assert passes(int(yes[i]), int(present[i]), elig, recused=int(recused[i])) == bool(expected["eligible"][i])
        assert passes(int(yes[i]), int(present[i]), r2003, members=m) == bool(expected["beijing-2003-style"][i])
    calls = 200_000
    scalar = [t / calls for t in timeit.repeat(lambda: passes(12, 18, r2020), number=calls, repeat=ns.repeat)]

    print(f"{'case':<26} {'median':>9}   [min … max]          {'ballots/s':>14}  {'ns/ballot':>9}  pass share  target")
    for name, walls, share in rows:
        med = statistics.median(walls)
        ok = "MET" if n / med >= TARGET else "MISSED"
        print(f"{name:<26} {1000 * med:7.1f} ms  [{1000 * min(walls):.1f} … {1000 * max(walls):.1f}] ms  "
              f"{n / med:14,.0f}  {1e9 * med / n:9.2f}  {share:10.3f}  {ok if not name.startswith('numpy') else ''}")
    s_med = statistics.median(scalar)
    a_med = statistics.median(arr[1]) / n
    print(f"\nscalar passes(12, 18, rules): median {1e6 * s_med:.3f} µs/call [{1e6 * min(scalar):.3f} … "
          f"{1e6 * max(scalar):.3f}] = {1 / s_med:,.0f} calls/s")
    print(f"array vs scalar (beijing-2020): {s_med / a_med:,.0f}× faster per ballot")
    print("correctness: all array results equal the independent 3*yes vs 2*basis computation; "
          f"{len(sample):,} sampled elements agree with the scalar path")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
