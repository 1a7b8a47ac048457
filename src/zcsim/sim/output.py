"""Result tables (pandas), files (CSV, Parquet, JSON) and the summary of a simulation run."""

from __future__ import annotations

import json
import math
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from zcsim.errors import InputError
from zcsim.sim.runner import Comparison, Estimate, RunResult

__all__ = ["tables", "summary_json", "comparison_json", "write_results"]


def tables(result: RunResult) -> dict[str, pd.DataFrame]:
    """The per-applicant, per-meeting and per-replication tables of a run.

    Each table has a ``replication`` column; the replication table has one row per replication
    and one column per metric.
    """
    app, meet = [], []
    for r in result.replications:
        if r.applicants:
            df = pd.DataFrame({k: v for k, v in r.applicants.items()})
            df.insert(0, "replication", r.index)
            app.append(df)
        if r.meetings:
            df = pd.DataFrame({k: v for k, v in r.meetings.items()})
            df.insert(0, "replication", r.index)
            meet.append(df)
    reps = pd.DataFrame([{"replication": r.index, **dict(r.metrics)} for r in result.replications])
    return {
        "applicants": pd.concat(app, ignore_index=True) if app else pd.DataFrame(),
        "meetings": pd.concat(meet, ignore_index=True) if meet else pd.DataFrame(),
        "replications": reps,
    }


def summary_json(result: RunResult, *, scenario: str, rules: Any) -> dict[str, Any]:
    """The summary as ``zcsim simulate --json`` prints it.

    Top-level ``pass_rate`` and ``applicants`` are the means over replications; ``metrics``
    holds every figure with its 95% confidence interval.
    """
    summ = result.summary()
    doc: dict[str, Any] = {
        "scenario": scenario,
        "rules": getattr(rules, "name", str(rules)),
        "rules_fingerprint": rules.fingerprint() if hasattr(rules, "fingerprint") else None,
        "replications": len(result.replications),
        "seed": result.seed,
    }
    for key in ("applicants", "pass_rate"):
        if key in summ:
            doc[key] = summ[key].as_json()["mean"]
    doc["metrics"] = {k: v.as_json() for k, v in summ.items()}
    return doc


def comparison_json(cmp: Comparison, *, base: str, reform: str) -> dict[str, Any]:
    """Base and reform means and the paired difference with its 95% CI, per metric."""
    b, r, d = cmp.base.summary(), cmp.reform.summary(), cmp.differences()
    return {
        "base": base,
        "reform": reform,
        "replications": len(cmp.base.replications),
        "seed": cmp.base.seed,
        "metrics": {
            m: {"base": b[m].as_json(), "reform": r.get(m, Estimate(math.nan, math.nan, math.nan, math.nan, 0)).as_json(),
                "difference": d[m].as_json(),
                "significant": bool(d[m].n > 1 and (d[m].low > 0 or d[m].high < 0))}
            for m in d
        },
    }


def _versions() -> dict[str, str]:
    out = {}
    for pkg in ("zcsim", "numpy", "simpy", "pandas", "scipy", "pydantic", "networkx", "chinesecalendar"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def write_results(result: RunResult, out: str | Path, *, scenario: str, rules: Any,
                  formats: tuple[str, ...] = ("csv", "parquet")) -> list[Path]:
    """Write the tables, the summary and the meeting records of a run into folder ``out``.

    Files: ``applicants``, ``meetings``, ``replications`` (CSV and, when pyarrow is installed,
    Parquet), ``summary.json``, ``manifest.json`` (zcsim and package versions, rule set and its
    fingerprint, scenario, seed) and ``records/*.json`` (``zcsim.meeting/1``, when kept).
    Returns the paths written.
    """
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror}", source=str(out)) from None
    written: list[Path] = []
    for name, df in tables(result).items():
        if "csv" in formats:
            p = folder / f"{name}.csv"
            df.to_csv(p, index=False)
            written.append(p)
        if "parquet" in formats:
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                continue
            p = folder / f"{name}.parquet"
            df.to_parquet(p, index=False)
            written.append(p)
    p = folder / "summary.json"
    p.write_text(json.dumps(summary_json(result, scenario=scenario, rules=rules), ensure_ascii=False, indent=2), encoding="utf-8")
    written.append(p)
    p = folder / "manifest.json"
    p.write_text(json.dumps({
        "scenario": scenario,
        "rules": getattr(rules, "name", str(rules)),
        "rules_fingerprint": rules.fingerprint() if hasattr(rules, "fingerprint") else None,
        "seed": result.seed,
        "replications": len(result.replications),
        "versions": _versions(),
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    written.append(p)
    recs = [(r.index, i, rec) for r in result.replications for i, rec in enumerate(r.records)]
    if recs:
        rdir = folder / "records"
        rdir.mkdir(exist_ok=True)
        for rep, i, rec in recs:
            p = rdir / f"r{rep:03d}-m{i:04d}.json"
            p.write_text(json.dumps(rec, ensure_ascii=False, indent=1), encoding="utf-8")
            written.append(p)
    return written
