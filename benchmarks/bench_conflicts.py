"""Benchmark: recusal conflicts (Art. 29) on a Beijing-scale pool (target: all conflicts with
explanations in <= 60 s on one core and <= 4 GB of memory).

    python benchmarks/bench_conflicts.py [--data DIR] [--repeat 3] [--seed 0] [--json FILE]

1. Generates (in a subprocess, so its memory does not count) 30,000 experts, 100,000 applicants
   and ~1,000,000 relations with ``make_pool.py`` into ``--data`` (default: a temporary folder;
   kept and reused if it already holds the files).
2. Times ``load_graph`` (CSV -> networkx graph) and ``find_conflicts`` (all pairs with their
   explanations) separately, ``--repeat`` times each, and reports the median wall time [min …
   max], the median CPU time of the process (less sensitive to other processes on a shared
   machine), the pairs by kind and the peak resident memory of this process (``ru_maxrss``).
3. On a smaller pool (300 experts x 1,000 applicants, generated the same way) times the fast
   finder and the naive all-pairs reference (``zcsim.conflicts._reference._naive_conflicts``)
   in the same run (CPU time), checks that they agree pair for pair and kind for kind, and
   reports the ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import pin_and_report
from make_pool import make_pool

from zcsim.conflicts import find_conflicts, load_graph
from zcsim.conflicts._reference import _naive_conflicts

HERE = Path(__file__).resolve().parent
DATE = "2025-11-14"
TARGET_S, TARGET_MB = 60.0, 4096.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def files(d: Path) -> tuple[Path, Path, Path]:
    return d / "experts.csv", d / "applicants.csv", d / "relations.csv"


def ensure_data(d: Path, experts: int, applicants: int, seed: int) -> None:
    if all(p.exists() for p in files(d)):
        print(f"data: reusing {d}")
        return
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "make_pool.py"), str(d), "--experts", str(experts),
                    "--applicants", str(applicants), "--seed", str(seed)], check=True)
    print(f"data: generated in {time.perf_counter() - t0:.1f} s (subprocess, not timed below)")


def fmt(ts: list[float]) -> str:
    return f"{statistics.median(ts):.2f} s [{min(ts):.2f} … {max(ts):.2f}]"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder for the generated CSV files (kept; reused when present)")
    ap.add_argument("--experts", type=int, default=30_000)
    ap.add_argument("--applicants", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--small-experts", type=int, default=300)
    ap.add_argument("--small-applicants", type=int, default=1_000)
    ap.add_argument("--naive-repeat", type=int, default=1)
    ap.add_argument("--json", dest="json_out", help="save the figures as JSON")
    ns = ap.parse_args(argv)

    info, cpu = pin_and_report()
    import networkx

    print(f"  networkx   {networkx.__version__}")

    tmp = None
    if ns.data:
        data = Path(ns.data)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="zcsim-bench-conflicts-")
        data = Path(tmp.name)
    ensure_data(data, ns.experts, ns.applicants, ns.seed)
    ex, apf, rel = files(data)
    size_mb = sum(p.stat().st_size for p in (ex, apf, rel)) / 1e6
    rss0 = peak_mb()

    # --- load ----------------------------------------------------------------------------------
    loads: list[float] = []
    load_cpu: list[float] = []
    graph: Any = None
    for _ in range(ns.repeat):
        graph = None
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        graph = load_graph(ex, apf, rel)
        loads.append(time.perf_counter() - t0)
        load_cpu.append(time.process_time() - c0)
    n_nodes, n_edges = graph.number_of_nodes(), graph.number_of_edges()
    rss_load = peak_mb()
    print(f"\nload_graph: {fmt(loads)} wall, {statistics.median(load_cpu):.2f} s CPU  ({size_mb:.1f} MB of CSV; {n_nodes:,} nodes, {n_edges:,} edges, "
          f"{len(graph.graph['warnings'])} data warnings); peak RSS so far {rss_load:,.0f} MB")

    # --- find ----------------------------------------------------------------------------------
    finds: list[float] = []
    find_cpu: list[float] = []
    report: Any = None
    for _ in range(ns.repeat):
        report = None
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        report = find_conflicts(graph, DATE)
        finds.append(time.perf_counter() - t0)
        find_cpu.append(time.process_time() - c0)
    rss_find = peak_mb()
    kinds = report.counts_by_kind()
    print(f"find_conflicts: {fmt(finds)} wall, {statistics.median(find_cpu):.2f} s CPU  {len(report.pairs):,} pairs, {report.applicants_affected:,} applicants "
          f"affected; peak RSS {rss_find:,.0f} MB (before loading: {rss0:,.0f} MB)")
    print("  by kind: " + ", ".join(f"{k} {v:,}" for k, v in kinds.items()))
    multi = sum(1 for p in report.pairs if p.other_kinds)
    print(f"  pairs with more than one kind: {multi:,}")
    for p in report.pairs[:1]:
        print(f"  e.g. {p.explanation}")
    ok = statistics.median(find_cpu) <= TARGET_S and rss_find <= TARGET_MB
    print(f"target (find <= {TARGET_S:.0f} s of CPU on one core, peak <= {TARGET_MB:,.0f} MB): "
          f"{'met' if ok else 'NOT met'}")
    del report, graph
    gc.collect()

    # --- naive vs fast on a small pool --------------------------------------------------------------
    small_tmp = tempfile.TemporaryDirectory(prefix="zcsim-bench-conflicts-small-")
    small = Path(small_tmp.name)
    make_pool(small, experts=ns.small_experts, applicants=ns.small_applicants,
              orgs=max(10, (ns.small_experts + ns.small_applicants) * 5_000 // 130_000), seed=ns.seed)
    sg = load_graph(*files(small))
    fast_t: list[float] = []
    fast_rep: Any = None
    for _ in range(max(5, ns.repeat)):
        c0 = time.process_time()
        fast_rep = find_conflicts(sg, DATE)
        fast_t.append(time.process_time() - c0)
    naive_t: list[float] = []
    naive: Any = None
    for _ in range(ns.naive_repeat):
        c0 = time.process_time()
        naive = _naive_conflicts(sg, fast_rep.date)
        naive_t.append(time.process_time() - c0)
    got = {(p.applicant, p.expert): (p.kind, p.other_kinds) for p in fast_rep.pairs}
    assert got == naive, "fast finder and naive reference disagree"
    ratio = statistics.median(naive_t) / statistics.median(fast_t)
    print(f"\nsmall pool: {ns.small_experts} experts x {ns.small_applicants} applicants, "
          f"{sg.number_of_edges():,} edges, {len(fast_rep.pairs)} pairs (fast == naive: yes)")
    print(f"  fast  find_conflicts   {statistics.median(fast_t) * 1000:.1f} ms CPU (median of {len(fast_t)})")
    print(f"  naive all-pairs        {statistics.median(naive_t):.2f} s CPU (median of {len(naive_t)}; "
          f"{ns.small_experts * ns.small_applicants:,} pairs tested)")
    print(f"  speed ratio naive/fast {ratio:,.0f}x")

    if ns.json_out:
        Path(ns.json_out).write_text(json.dumps({
            "machine": info, "pinned_cpu": cpu, "csv_mb": size_mb, "nodes": n_nodes, "edges": n_edges,
            "load_s": loads, "load_cpu_s": load_cpu, "find_s": finds, "find_cpu_s": find_cpu, "pairs": sum(kinds.values()), "by_kind": kinds,
            "peak_rss_mb": rss_find, "small": {"fast_s": fast_t, "naive_s": naive_t, "ratio": ratio},
        }, indent=2), encoding="utf-8")
    small_tmp.cleanup()
    if tmp is not None:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
