"""Benchmark: committee and panel draws (issue target: one committee with panels for 1,000
applicants in <= 2 s).

    python benchmarks/bench_draw.py [--experts 3000] [--applicants 1000] [--runs 5] [--repeat 1000] [--json FILE]

Generates, from a fixed seed, an expert pool of ``--experts`` engineering experts (10 specialties;
85 % senior, 15 % intermediate; Art. 10 categories at grassroots 30 %, central 15 %, non-public
20 %, young 25 %, drawn independently) and ``--applicants`` engineering applicants (70 % senior, 30 %
intermediate). Conflicts: a sample of 40 % of the applicants, each conflicted with every expert with
probability 5 % (about 150 experts each). Rules: beijing-2020 with minimum shares young 1/5,
grassroots 1/5, central 1/10, non-public 1/10 (so the DP tracks all four quotas: 6·6·4·4·26 states).

Pins itself to one CPU and times, ``--runs`` times each (seeds 0, 1, …), median [min … max]:

(a) ``draw_committee`` of a senior committee formed by series (25 experts, 25 alternates);
(b) ``assign_panels`` of all applicants to the default 8 panels;
(c) (a) + (b), the issue's target;
(d) draw + panels under heavy conflicts (every applicant conflicted with each expert with
    probability p), time to a result or a diagnosis, and which: a random split, the local-search
    repair, the exhaustive search, a proved impossibility, or a search cut at its node budget:
    d1: committee by specialty (11 experts, 3 panels), the specialty's applicants, p = 8 %;
    d2: the same with p = 25 %;
    d3: committee by series (25 experts, 8 panels), 300 applicants, p = 35 %;

and once, (e) ``selection_frequencies(repeat=--repeat)``: that many uniform draws plus as many
legacy draws and the exact inclusion probabilities. Every committee and assignment is checked
(no violated finding, quotas met, no conflicted panel expert).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine, pin_one_core  # noqa: E402

from zcsim import load_rules  # noqa: E402
from zcsim.draw import (  # noqa: E402
    ApplicantRecord,
    DrawError,
    ExpertRecord,
    Pool,
    assign_panels,
    draw_committee,
    selection_frequencies,
)

TARGET_S = 2.0
QUOTAS = ["pool_min_share_young=1/5", "pool_min_share_grassroots=1/5", "pool_min_share_central=1/10",
          "pool_min_share_non_public=1/10", "min_share_scope=committee"]  # the quota draw (Art. 10, committee scope)
SPECIALTIES = [f"spec{i}" for i in range(10)]


def make_pool(n: int, rng: np.random.Generator) -> Pool:
    rates = {"grassroots": 0.30, "central": 0.15, "non_public": 0.20, "young": 0.25}
    return Pool(ExpertRecord(
        f"E{i:05}", f"ORG{int(rng.integers(600)):03}", "engineering", SPECIALTIES[int(rng.integers(10))],
        "senior" if rng.random() < 0.85 else "intermediate",
        **{c: bool(rng.random() < r) for c, r in rates.items()}) for i in range(n))


def make_applicants(n: int, rng: np.random.Generator) -> list[ApplicantRecord]:
    return [ApplicantRecord(f"A{i:05}", f"U{int(rng.integers(800)):03}", "engineering",
                            SPECIALTIES[int(rng.integers(10))], "senior" if rng.random() < 0.7 else "intermediate")
            for i in range(n)]


def make_conflicts(apps: list[ApplicantRecord], pool: Pool, rng: np.random.Generator, *, share: float,
                   rate: float) -> dict[str, set[str]]:
    ids = np.array([e.id for e in pool])
    out = {}
    for a in apps:
        if rng.random() < share:
            out[a.id] = set(ids[rng.random(len(ids)) < rate].tolist())
    return out


def timed(fn: Callable[[int], Any], runs: int) -> tuple[list[float], list[Any]]:
    walls, results = [], []
    for r in range(runs):
        t0 = time.perf_counter()
        results.append(fn(r))
        walls.append(time.perf_counter() - t0)
    return walls, results


def fmt(walls: list[float]) -> str:
    return f"{statistics.median(walls):.3f} s [{min(walls):.3f} … {max(walls):.3f}]"


def check(pa: Any, conflicts: dict[str, set[str]]) -> None:
    d = pa.committee
    assert not d.violations and d.quota_met and not pa.violations
    for p in pa.panels:
        for a in p.applicants:
            assert not conflicts.get(a, set()) & set(p.experts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--experts", type=int, default=3000)
    ap.add_argument("--applicants", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=1000)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()

    cpu = pin_one_core()
    info = machine()
    print("machine:", json.dumps(info, ensure_ascii=False))
    print(f"pinned to CPU {cpu}")
    rng = np.random.default_rng(20260801)
    pool = make_pool(args.experts, rng)
    apps = make_applicants(args.applicants, rng)
    conflicts = make_conflicts(apps, pool, rng, share=0.4, rate=0.05)
    rules = load_rules(overrides=QUOTAS)
    n_pairs = sum(len(v) for v in conflicts.values())
    print(f"pool {len(pool)} experts ({sum(e.level == 'senior' for e in pool)} senior); {len(apps)} applicants; "
          f"{len(conflicts)} applicants with conflicts, {n_pairs} conflicted pairs")
    figures: dict[str, Any] = {"machine": info}

    def draw(seed: int) -> Any:
        return draw_committee(pool, rules, series="engineering", level="senior", seed=seed)

    draw(0)  # warm caches (lgamma tables, imports)
    assign_panels(draw(0), apps[:10], {}, rules, seed=0)
    walls_a, draws = timed(draw, args.runs)
    walls_b, assigns = timed(lambda r: assign_panels(draws[r], apps, conflicts, rules, seed=r), args.runs)
    walls_c, both = timed(lambda r: assign_panels(draw(r), apps, conflicts, rules, seed=r), args.runs)
    for pa in assigns + both:
        check(pa, conflicts)
    pa = both[0]
    print(f"(a) draw_committee, 25 of {pa.committee.eligible} eligible, 4 quotas: {fmt(walls_a)}")
    print(f"(b) assign_panels, {sum(pa.loads)} applicants in scope, {len(pa.panels)} panels, loads "
          f"{min(pa.loads)}–{max(pa.loads)}, splits {sorted({x.search for x in assigns})}: {fmt(walls_b)}")
    med_c = statistics.median(walls_c)
    print(f"(c) draw + panels: {fmt(walls_c)}  -> target {TARGET_S} s {'MET' if med_c <= TARGET_S else 'MISSED'}")
    figures.update(a=walls_a, b=walls_b, c=walls_c)

    spec_apps = [a for a in apps if a.specialty == "spec0"]
    hard_cases = [
        # label, specialty (None: by series), applicants, conflict rate, panels
        ("d1 specialty committee (11), 3 panels, each applicant conflicted with ~8% of experts", "spec0", spec_apps,
         0.08, 3),
        ("d2 specialty committee (11), 3 panels, ~25% conflicted", "spec0", spec_apps, 0.25, 3),
        ("d3 series committee (25), 8 panels, 300 applicants, ~35% conflicted", None, apps[:300], 0.35, 8),
    ]
    for label, specialty, group, rate, k in hard_cases:
        def hard_case(seed: int, specialty=specialty, group=group, rate=rate, k=k) -> str:
            conf = make_conflicts(group, pool, np.random.default_rng(100 + seed), share=1.0, rate=rate)
            d = draw_committee(pool, rules, series="engineering", specialty=specialty, level="senior", seed=seed)
            try:
                pa = assign_panels(d, group, conf, rules, panels=k, seed=seed)
            except DrawError as err:
                return "proved impossible" if "exhaustive search" in str(err) else "not found (budget)"
            check(pa, conf)
            return pa.search

        walls_d, outcomes = timed(hard_case, args.runs)
        counts = {o: outcomes.count(o) for o in sorted(set(outcomes))}
        print(f"({label}; {len(group)} applicants): {fmt(walls_d)}; outcomes {counts}")
        figures[label.split()[0]] = {"walls": walls_d, "outcomes": counts}

    t0 = time.perf_counter()
    rep = selection_frequencies(pool, rules, series="engineering", level="senior", repeat=args.repeat, seed=0)
    walls_e = time.perf_counter() - t0
    print(f"(e) selection_frequencies(repeat={args.repeat}): {walls_e:.2f} s "
          f"(legacy failures: {rep.legacy_failures})")
    for line in rep.summary:
        print("    " + line)
    for s in rep.spreads:
        print(f"    {s.method}: min {s.min:.4f} max {s.max:.4f} std {s.std:.4f}; favoured {s.favoured}, "
              f"least {s.least_favoured}")
    figures.update(e=walls_e, summary=list(rep.summary))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
