"""Benchmark: auditing meeting records (issue target: 1,000 records of 25 experts x 50 applicants
audited in <= 10 s on one core).

    python benchmarks/bench_audit.py [--count 1000] [--repeat 5] [--seed 0] [--no-cli] [--profile]

Generates ``--count`` compliant records (benchmarks/make_records.py) into a temporary directory,
pins the process to one CPU, then times, ``--repeat`` times each:

(a) parse + audit: ``audit_file(path)`` for every file (what ``zcsim audit`` does per file:
    read, JSON-decode, pydantic-validate, load the rule set, audit);
(b) audit only: ``audit(record, rules)`` on records parsed beforehand, rule set loaded once;
(c) parse only: ``load_record(path)`` for every file, and
(e) rule-set loading only: ``rules_for(record)`` per record, as ``audit_file`` does (to split (a)
    into its parts: (a) ≈ (b) + (c) + (e));

and once, (d) the ``zcsim audit`` command on all files (a subprocess, so including interpreter
start-up and output). Every report must be compliant (asserted). Medians, min and max of wall
time are printed, with CPU time (``time.process_time``) alongside because the machine is shared.
``--profile`` adds a cProfile of the audit-only loop (top lines by internal time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import pin_and_report  # noqa: E402
from make_records import make_record  # noqa: E402


from zcsim.records import audit, audit_file, load_record, rules_for  # noqa: E402

TARGET_S = 10.0





def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], list[float], Any]:
    """Run ``fn`` ``repeat`` times; return wall times, CPU times and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        result = None
        c0, w0 = time.process_time(), time.perf_counter()
        result = fn()
        w1, c1 = time.perf_counter(), time.process_time()
        walls.append(w1 - w0)
        cpus.append(c1 - c0)
    return walls, cpus, result


def dataset_summary(records: list[dict[str, Any]]) -> dict[str, int]:
    """Counts that show the records exercise the tally: passes, fails, exact 2/3, recusals that matter."""
    s = {"ballots": 0, "pass": 0, "fail": 0, "exactly_two_thirds": 0, "recusals": 0,
         "result_differs_if_recused_left_out": 0, "chair_absent": 0}
    for r in records:
        present = len(r["meeting"]["present"])
        s["chair_absent"] += r["meeting"]["presided_by"] != r["committee"]["members"][0]["id"]
        rec_for: dict[str, int] = {}
        for x in r["recusals"]:
            if x["expert"] in r["meeting"]["present"]:
                rec_for[x["applicant"]] = rec_for.get(x["applicant"], 0) + 1
        s["recusals"] += len(r["recusals"])
        for b in r["ballots"]:
            yes = sum(v == "yes" for v in b["votes"].values())
            s["ballots"] += 1
            s[b["declared_result"]] += 1
            s["exactly_two_thirds"] += 3 * yes == 2 * present
            k = rec_for.get(b["applicant"], 0)
            s["result_differs_if_recused_left_out"] += (3 * yes >= 2 * present) != (3 * yes >= 2 * (present - k))
    return s


def fmt_row(name: str, walls: list[float], cpus: list[float], n: int) -> str:
    med = statistics.median(walls)
    return (f"{name:<28} {med:8.3f} s  [{min(walls):.3f} … {max(walls):.3f}]  cpu {statistics.median(cpus):7.3f} s  "
            f"{n / med:8.0f} records/s  {1000 * med / n:6.3f} ms/record")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--experts", type=int, default=25)
    ap.add_argument("--applicants", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-cli", action="store_true", help="skip timing the zcsim audit command")
    ap.add_argument("--profile", action="store_true", help="cProfile the audit-only loop")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ns = ap.parse_args(argv)

    info, cpu = pin_and_report()
    print(f"workload: {ns.count} records x {ns.experts} experts x {ns.applicants} applicants, "
          f"{ns.repeat} repetitions, seed {ns.seed}\n")

    results: dict[str, Any] = {"machine": info, "count": ns.count, "repeat": ns.repeat}
    with tempfile.TemporaryDirectory(prefix="zcsim-bench-") as tmp:
        rng = np.random.default_rng(ns.seed)
        t0 = time.perf_counter()
        raw = [make_record(rng, experts=ns.experts, applicants=ns.applicants) for _ in range(ns.count)]
        paths = []
        nbytes = 0
        for i, rec in enumerate(raw):
            p = Path(tmp) / f"record-{i:05d}.json"
            text = json.dumps(rec, ensure_ascii=False)
            nbytes += len(text.encode())
            p.write_text(text, encoding="utf-8")
            paths.append(p)
        print(f"generated {ns.count} records ({nbytes / 1e6:.1f} MB of JSON) in {time.perf_counter() - t0:.1f} s")
        summary = dataset_summary(raw)
        results["dataset"] = summary
        print("dataset: " + ", ".join(f"{k} {v}" for k, v in summary.items()) + "\n")
        del raw

        audit_file(paths[0])  # warm-up: imports, pydantic schema, lazy loads

        # (a) parse + audit, one file at a time, as the CLI does
        def parse_and_audit() -> list[Any]:
            return [audit_file(p) for p in paths]

        wa, ca, reports = timed(parse_and_audit, ns.repeat)
        bad = [r.source for r in reports if not r.compliant]
        assert not bad, f"{len(bad)} records not compliant, e.g. {bad[0]}: {reports[[r.source for r in reports].index(bad[0])].violations[:3]}"
        assert {r.rules.name for r in reports} == {"beijing-2020"}
        n_findings = sum(len(r.findings) for r in reports)
        del reports

        # (c) parse only
        wc, cc, records = timed(lambda: [load_record(p) for p in paths], ns.repeat)

        # (b) audit only, records parsed and the rule set loaded beforehand
        rules_cache: dict[str | None, Any] = {}
        for rec in records:
            if rec.rules not in rules_cache:
                rules_cache[rec.rules] = rules_for(rec)

        def audit_only() -> list[Any]:
            return [audit(rec, rules_cache[rec.rules]) for rec in records]

        wb, cb, reports = timed(audit_only, ns.repeat)
        assert all(r.compliant for r in reports), "audit-only: some record is not compliant"
        assert sum(len(r.findings) for r in reports) == n_findings
        del reports

        # (e) rule-set loading only: what audit_file does besides load_record + audit
        we, ce, _ = timed(lambda: [rules_for(rec) for rec in records], ns.repeat)

        rows = [("(a) parse + audit_file", wa, ca), ("(b) audit only", wb, cb), ("(c) parse only (load_record)", wc, cc),
                ("(e) rules_for per record", we, ce)]
        print(f"{'':<28} {'median':>10}    [min … max]            median CPU   throughput (median)")
        for name, w, c in rows:
            print(fmt_row(name, w, c, ns.count))
        share = statistics.median(we) / statistics.median(wa)
        print(f"audit_file = load_record + rules_for + audit; rule-set loading (YAML, once per file) is "
              f"~{100 * share:.0f}% of (a)")
        print(f"findings checked: {n_findings} ({n_findings / ns.count:.0f} per record)")
        results["runs"] = {name: {"wall_s": w, "cpu_s": c, "median_s": statistics.median(w)} for name, w, c in rows}

        # (d) the command, once
        if not ns.no_cli:
            exe = Path(sys.executable).with_name("zcsim")
            cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from zcsim.cli import main; main()"]
            w0 = time.perf_counter()
            proc = subprocess.run([*cmd, "audit", *map(str, paths)], capture_output=True, text=True)
            wd = time.perf_counter() - w0
            assert proc.returncode == 0, f"zcsim audit exited {proc.returncode}: {proc.stdout[-500:]}{proc.stderr[-500:]}"
            print(f"{'(d) zcsim audit (1 run)':<28} {wd:8.3f} s  exit 0, {proc.stdout.count('compliant')} × compliant, "
                  f"{ns.count / wd:.0f} records/s incl. start-up")
            results["cli_s"] = wd

        med_a = statistics.median(wa)
        verdict = "MET" if med_a <= TARGET_S * ns.count / 1000 else "MISSED"
        print(f"\ntarget: 1,000 records ≤ {TARGET_S:.0f} s on one core → parse+audit median "
              f"{med_a * 1000 / ns.count:.2f} s per 1,000 records: {verdict}")

        if ns.profile:
            pr = cProfile.Profile()
            pr.enable()
            audit_only()
            pr.disable()
            buf = io.StringIO()
            pstats.Stats(pr, stream=buf).sort_stats("tottime").print_stats(10)
            print("\ncProfile of the audit-only loop (top 10 by internal time):")
            print("\n".join(line for line in buf.getvalue().splitlines() if line.strip()))

    if ns.json:
        Path(ns.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
