"""Benchmark: ``zcsim verify`` (targets: all properties of one rule set in <= 10 s on one core; a
rule-change diff in <= 20 s).

    python benchmarks/bench_verify.py [--repeat 5] [--timeout 10] [--json FILE]

Pinned to one CPU. Timed, ``--repeat`` times each (after one untimed cold run that pays for the
imports and Z3's start-up, reported on its own), with the median, [min … max] and the median CPU
time of the process:

- ``verify(rules)`` — every property, unbounded (every committee size), with the figures table for
  sizes 1–51 — for beijing-2020, national-2019 and beijing-2003-style, with each property's median
  seconds;
- the same for beijing-2020 with the example pool (``examples/pool``, 2025-11-14), so that the
  panel-assignment property is checked instead of reported ``unknown``;
- ``compare_rules`` (what ``zcsim verify --against`` runs: both rule sets, then the diff) for
  beijing-2020 + recusal_denominator=eligible against beijing-2020, and for beijing-2003-style
  against beijing-2020.

The verdicts are asserted (the issue's expected findings), so a fast wrong answer cannot pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import pin_and_report

from zcsim import load_rules
from zcsim.verify import Verdict, compare_rules, verify

ROOT = Path(__file__).resolve().parents[1]
TARGET_ONE, TARGET_DIFF = 10.0, 20.0
MAJORITY, UNANIMOUS = "pass.requires_majority_of_members", "pass.unanimous_eligible_always_passes"

EXPECTED = {  # property -> verdict, per rule set (checked on every run)
    "beijing-2020": {MAJORITY: Verdict.REFUTED, UNANIMOUS: Verdict.REFUTED, "ruleset.consistent": Verdict.PROVED},
    "national-2019": {MAJORITY: Verdict.REFUTED, UNANIMOUS: Verdict.REFUTED, "ruleset.consistent": Verdict.PROVED},
    "beijing-2003-style": {MAJORITY: Verdict.PROVED, "ruleset.consistent": Verdict.PROVED},
}


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], list[float], Any]:
    """One cold run, then ``repeat`` timed runs: (cold wall, walls, cpu times, last result)."""
    t0 = time.perf_counter()
    out = fn()
    cold = time.perf_counter() - t0
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return cold, walls, cpus, out


def fmt(ts: list[float]) -> str:
    return f"{statistics.median(ts):.2f} s [{min(ts):.2f} … {max(ts):.2f}]"


def check(name: str, results: list[Any]) -> None:
    verdicts = {r.id: r.verdict for r in results}
    for pid, want in EXPECTED.get(name, {}).items():
        assert verdicts[pid] == want, f"{name}: {pid} is {verdicts[pid]}, expected {want}"
    assert Verdict.UNKNOWN not in {v for pid, v in verdicts.items() if pid != "panel.conflict_free_assignment_exists"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per solver query (as zcsim verify)")
    ap.add_argument("--json", dest="json_out", metavar="FILE", help="save the figures as JSON")
    ns = ap.parse_args(argv)

    info, cpu = pin_and_report()
    figures: dict[str, Any] = {"machine": info, "cpu": cpu, "repeat": ns.repeat, "runs": {}}
    ok = True

    print(f"\nall properties of one rule set (target ≤ {TARGET_ONE:g} s), median of {ns.repeat}:")
    per_property: dict[str, dict[str, float]] = {}
    for name in ("beijing-2020", "national-2019", "beijing-2003-style"):
        rules = load_rules(name)
        times: dict[str, list[float]] = {}

        def run(rules: Any = rules, times: dict[str, list[float]] = times, name: str = name) -> list[Any]:
            res = verify(rules, timeout=ns.timeout)
            check(name, res)
            for r in res:
                times.setdefault(r.id, []).append(r.seconds)
            return res

        cold, walls, cpus, res = timed(run, ns.repeat)
        per_property[name] = {pid: statistics.median(ts[1:] or ts) for pid, ts in times.items()}  # ts[0]: cold run
        met = statistics.median(walls) <= TARGET_ONE
        ok &= met
        print(f"  {name:<20} {fmt(walls)}  cpu {statistics.median(cpus):.2f} s  cold {cold:.2f} s  "
              f"{'met' if met else 'NOT MET'}")
        figures["runs"][name] = {"walls": walls, "cpus": cpus, "cold": cold,
                                 "verdicts": {r.id: r.verdict.value for r in res}}

    from zcsim._cli_verify import _pool_problem

    rules = load_rules()
    prob = _pool_problem(str(ROOT / "examples" / "pool"), rules, dt.date(2025, 11, 14), None, None, None, None, None, None)
    pool_times: dict[str, list[float]] = {}

    def run_pool() -> list[Any]:
        res = verify(rules, timeout=ns.timeout, pool=prob)
        check("beijing-2020", res)
        assert next(r for r in res if r.id == "panel.conflict_free_assignment_exists").verdict == Verdict.PROVED
        for r in res:
            pool_times.setdefault(r.id, []).append(r.seconds)
        return res

    cold, walls, cpus, _ = timed(run_pool, ns.repeat)
    per_property["beijing-2020 + pool"] = {pid: statistics.median(ts[1:] or ts) for pid, ts in pool_times.items()}
    met = statistics.median(walls) <= TARGET_ONE
    ok &= met
    print(f"  {'beijing-2020 + pool':<20} {fmt(walls)}  cpu {statistics.median(cpus):.2f} s  cold {cold:.2f} s  "
          f"{'met' if met else 'NOT MET'}  ({len(prob.experts)} experts, {len(prob.applicants)} applicants, "
          f"committee of {prob.size}, {prob.panels} panel(s))")
    figures["runs"]["beijing-2020 + pool"] = {"walls": walls, "cpus": cpus, "cold": cold}

    print("\nper property, median seconds:")
    names = list(per_property)
    pids = list(next(iter(per_property.values())))
    print(f"  {'property':<40}" + "".join(f"{n:>22}" for n in names))
    for pid in pids:
        print(f"  {pid:<40}" + "".join(f"{per_property[n].get(pid, float('nan')):>22.3f}" for n in names))
    figures["per_property"] = per_property

    print(f"\nrule-change diffs, compare_rules (target ≤ {TARGET_DIFF:g} s), median of {ns.repeat}:")
    diffs = {
        "2020+eligible against 2020": (load_rules("beijing-2020", ["recusal_denominator=eligible"]), load_rules()),
        "2003-style against 2020": (load_rules("beijing-2003-style"), load_rules()),
    }
    for label, (proposed, baseline) in diffs.items():
        def run_diff(p: Any = proposed, b: Any = baseline, label: str = label) -> Any:
            ch = compare_rules(p, b, timeout=ns.timeout)
            gained = {c["id"] for c in ch.gained}
            assert not ch.lost, (label, ch.lost)
            assert (UNANIMOUS if "eligible" in label else MAJORITY) in gained, (label, gained)
            return ch

        cold, walls, cpus, ch = timed(run_diff, ns.repeat)
        met = statistics.median(walls) <= TARGET_DIFF
        ok &= met
        figs = sum(1 for c in ch.changes if c["kind"] == "figure")
        print(f"  {label:<28} {fmt(walls)}  cpu {statistics.median(cpus):.2f} s  cold {cold:.2f} s  "
              f"{'met' if met else 'NOT MET'}  (gained {', '.join(c['id'] for c in ch.gained)}; {figs} figures move)")
        figures["runs"][label] = {"walls": walls, "cpus": cpus, "cold": cold,
                                  "gained": [c["id"] for c in ch.gained], "figures_moved": figs}

    if ns.json_out:
        Path(ns.json_out).write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    print("\nall targets met" if ok else "\nSOME TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
