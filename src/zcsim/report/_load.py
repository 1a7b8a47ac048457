"""What a report is made from: find the kind of a source (simulate, compare, sweep or verify
output) from the files present, and read it."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zcsim._files import load_user_json, read_user_text
from zcsim.errors import InputError

__all__ = ["EXPECTED", "CompareData", "RunData", "SweepData", "VerifyData", "load_source"]

EXPECTED = ("a results folder of `zcsim simulate --out` (summary.json, replications.csv), "
            "of `zcsim compare --out` (comparison.json), of `zcsim sweep --out` (sweep.csv, sweep.json), "
            "or a `zcsim verify --json` file")


def _read_json(path: Path, what: str = "results") -> Any:
    """A JSON file of the source, read once (a regular file only) and decoded strictly."""
    return load_user_json(read_user_text(path, what), str(path), what)


# -- the JSON a report reads, type-checked (a wrong type is one error naming the file and field) --
_NUM = (int, float)


def _field(value: Any, ok: Any, source: Path, where: str, expected: str, *, null: bool = True) -> None:
    if (value is None and null) or (isinstance(value, ok) and not isinstance(value, bool)) or (ok is bool and isinstance(value, bool)):
        return
    got = "a boolean" if isinstance(value, bool) else type(value).__name__
    raise InputError(f"expected {expected}, got {got} ({json.dumps(value)[:40]})", source=str(source), location=where)


def _check_estimate(est: Any, source: Path, where: str) -> None:
    """``{"mean", "ci95": [low, high], "sd", "n"}`` of :meth:`zcsim.sim.runner.Estimate.as_json`."""
    _field(est, dict, source, where, "an object {mean, ci95, sd, n}", null=False)
    for k in ("mean", "sd"):
        _field(est.get(k), _NUM, source, f"{where}.{k}", "a number or null")
    _field(est.get("n"), int, source, f"{where}.n", "an integer")
    ci = est.get("ci95")
    _field(ci, list, source, f"{where}.ci95", "a list [low, high]")
    if ci is not None:
        if len(ci) != 2:
            raise InputError(f"expected a list [low, high], got {len(ci)} values", source=str(source),
                             location=f"{where}.ci95")
        for i, x in enumerate(ci):
            _field(x, _NUM, source, f"{where}.ci95[{i}]", "a number or null")


def _check_header(doc: Any, source: Path) -> dict[str, Any]:
    """The fields a summary, manifest or comparison shares: texts, integers, versions."""
    _field(doc, dict, source, "(top level)", "a JSON object", null=False)
    for k in ("scenario", "rules", "rules_fingerprint", "base", "reform", "label"):
        _field(doc.get(k), str, source, k, "text")
    for k in ("seed", "replications"):
        _field(doc.get(k), int, source, k, "an integer")
    vers = doc.get("versions")
    _field(vers, dict, source, "versions", "an object {package: version}")
    for name, v in (vers or {}).items():
        _field(v, str, source, f"versions.{name}", "a version text")
    return doc  # type: ignore[no-any-return]


def _check_summary(doc: Any, source: Path) -> dict[str, Any]:
    _check_header(doc, source)
    metrics = doc.get("metrics")
    _field(metrics, dict, source, "metrics", "an object {figure: estimate}")
    for name, est in (metrics or {}).items():
        _check_estimate(est, source, f"metrics.{name}")
    return doc  # type: ignore[no-any-return]


def _check_comparison(doc: Any, source: Path) -> dict[str, Any]:
    _check_header(doc, source)
    metrics = doc.get("metrics")
    _field(metrics, dict, source, "metrics", "an object {figure: {base, reform, difference, significant}}",
           null=False)
    for name, row in metrics.items():
        _field(row, dict, source, f"metrics.{name}", "an object {base, reform, difference, significant}", null=False)
        for k in ("base", "reform", "difference"):
            if row.get(k) is not None:
                _check_estimate(row[k], source, f"metrics.{name}.{k}")
        _field(row.get("significant"), bool, source, f"metrics.{name}.significant", "true or false")
    return doc  # type: ignore[no-any-return]


def _check_record(doc: Any, source: Path) -> dict[str, Any]:
    """The parts of a ``zcsim.meeting/1`` record a report reads."""
    _field(doc, dict, source, "(top level)", "a zcsim.meeting/1 record (a JSON object)", null=False)
    for k in ("committee", "meeting"):
        _field(doc.get(k), dict, source, k, "an object")
    panels = doc.get("panels")
    _field(panels, list, source, "panels", "a list of panels")
    for i, p in enumerate(panels or []):
        _field(p, dict, source, f"panels[{i}]", "an object", null=False)
        for k in ("experts", "applicants"):
            _field(p.get(k), list, source, f"panels[{i}].{k}", "a list")
    return doc  # type: ignore[no-any-return]


def _check_object(doc: Any, source: Path) -> dict[str, Any]:
    _field(doc, dict, source, "(top level)", "a JSON object", null=False)
    return doc  # type: ignore[no-any-return]


def _table(folder: Path, name: str) -> pd.DataFrame:
    csv, pq = folder / f"{name}.csv", folder / f"{name}.parquet"
    try:
        if csv.is_file():
            return pd.read_csv(csv) if csv.stat().st_size > 1 else pd.DataFrame()
        if pq.is_file():
            return pd.read_parquet(pq)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read the table: {exc}".splitlines()[0], source=str(csv)) from None
    return pd.DataFrame()


@dataclass
class RunData:
    """One simulation run's results folder (``zcsim simulate --out``)."""

    folder: Path
    summary: dict[str, Any]
    manifest: dict[str, Any]
    applicants: pd.DataFrame
    meetings: pd.DataFrame
    replications: pd.DataFrame
    records: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (replication, zcsim.meeting/1)
    scenario: Any = None
    rules: Any = None
    label: str = ""

    @property
    def no_show(self) -> float | None:
        """The experts' no-show probability, when the scenario file could be read."""
        try:
            return float(self.scenario.experts.no_show)
        except AttributeError:
            return None


@dataclass
class CompareData:
    """A comparison (``zcsim compare --out``): comparison.json and, when written, both runs."""

    folder: Path
    comparison: dict[str, Any]
    base: RunData | None
    reform: RunData | None


@dataclass
class SweepData:
    """A sweep (``zcsim sweep --out``): one row per point of the grid (and metric)."""

    folder: Path
    table: pd.DataFrame
    manifest: dict[str, Any]
    keys: list[str]
    metrics: dict[str, tuple[str, str | None, str | None]]  # metric → (mean column, low column, high column)
    long: bool = False


@dataclass
class VerifyData:
    """``zcsim verify --json`` output: a list of property results, or a rule change."""

    source: Path
    results: list[dict[str, Any]]
    change: dict[str, Any] | None = None


def _resolve_scenario(name: str | None, folder: Path) -> Path | None:
    if not name:
        return None
    p = Path(name)
    for cand in ([p] if p.is_absolute() else [Path.cwd() / p, folder / p, folder.parent / p, folder / p.name]):
        if cand.is_file():
            return cand
    return None


def load_run(folder: Path, label: str = "") -> RunData:
    """Read a simulate results folder."""
    s_path, m_path = folder / "summary.json", folder / "manifest.json"
    summary = _check_summary(_read_json(s_path), s_path) if s_path.exists() else {}
    manifest = _check_header(_read_json(m_path), m_path) if m_path.exists() else {}
    reps = _table(folder, "replications")
    if reps.empty and not summary:
        raise InputError(f"no summary.json or replications.csv; expected {EXPECTED}", source=str(folder))
    records = []
    rdir = folder / "records"
    if rdir.is_dir():
        for p in sorted(rdir.glob("*.json")):
            m = re.match(r"r(\d+)-", p.name)
            records.append((int(m.group(1)) if m else 0, _check_record(_read_json(p, "record"), p)))
    data = RunData(folder, summary, manifest, _table(folder, "applicants"), _table(folder, "meetings"), reps,
                   records, label=label)
    path = _resolve_scenario(manifest.get("scenario") or summary.get("scenario"), folder)
    if path is not None:
        try:
            from zcsim.sim import load_scenario

            data.scenario = load_scenario(path)
            data.rules = data.scenario.ruleset()
        except (InputError, OSError):
            data.scenario = None
    name = manifest.get("rules") or summary.get("rules")
    if data.rules is None or (name and getattr(data.rules, "name", name) != name):
        # the run's rules differ from its scenario's (--set overrides): rebuild them from the name
        data.rules = _rules_from_name(name) or data.rules
    return data


def _rules_from_name(name: str | None) -> Any:
    """A rule set from a name such as ``beijing-2020+pool_min_share_young=1/11,min_share_scope=committee``
    (the rule sets' own reader parses the overrides after ``+``). A name it cannot read is refused:
    a report under other rules than the run's would show wrong thresholds."""
    if not name:
        return None
    from zcsim.law import load_rules

    try:
        return load_rules(str(name))
    except InputError as exc:
        raise InputError(f"the run's rule set {str(name)[:200]!r} cannot be rebuilt ({exc.message}); "
                         "the report would show another rule set's figures", source="rules") from None


def _sweep(folder: Path) -> SweepData:
    table = _table(folder, "sweep")
    if table.empty:
        raise InputError("sweep.csv is empty", source=str(folder / "sweep.csv"))
    manifest = _check_object(_read_json(folder / "sweep.json"), folder / "sweep.json") \
        if (folder / "sweep.json").exists() else {}
    cols = list(table.columns)
    keys: list[str] = []
    for k in ("keys", "vary", "varied", "parameters", "grid", "axes"):
        v = manifest.get(k)
        if isinstance(v, dict):
            keys = [str(x) for x in v]
        elif isinstance(v, list):
            keys = [str(x.get("key", x.get("name"))) if isinstance(x, dict) else str(x) for x in v]
        if keys:
            break
    keys = [k for k in keys if k in cols]
    long = "metric" in cols and "mean" in cols
    metrics: dict[str, tuple[str, str | None, str | None]] = {}
    if long:
        low = next((c for c in ("low", "ci95_low", "ci_low", "lower") if c in cols), None)
        high = next((c for c in ("high", "ci95_high", "ci_high", "upper") if c in cols), None)
        for m in table["metric"].astype(str).unique():
            metrics[m] = ("mean", low, high)
        if not keys:
            skip = {"metric", "mean", "sd", "n", low, high, "replications", "seed"}
            keys = [c for c in cols if c not in skip][:2]
    else:
        from zcsim.sim._result import METRICS

        def is_metric(c: str) -> bool:
            return c in METRICS or c.startswith("pass_rate[") or c.split(".")[0] in METRICS

        if not keys:
            keys = [c for c in cols if not is_metric(_base_of(c)) and c not in {"replications", "seed", "point", "n", "variant"}][:2]
        for c in cols:
            if c in keys or _base_of(c) != c:
                continue
            if not pd.api.types.is_numeric_dtype(table[c]) or c in {"replications", "seed", "point", "n", "variant"}:
                continue
            low = next((x for x in (f"{c}_low", f"{c}.low", f"{c}_ci_low", f"{c}_ci95_low", f"{c}.ci95_low",
                                    f"{c}_lo") if x in cols), None)
            high = next((x for x in (f"{c}_high", f"{c}.high", f"{c}_ci_high", f"{c}_ci95_high", f"{c}.ci95_high",
                                     f"{c}_hi") if x in cols), None)
            mean = next((x for x in (f"{c}_mean", f"{c}.mean") if x in cols), c)
            metrics[c] = (mean, low, high)
    if not keys:
        raise InputError("cannot tell which column is the varied key; expected sweep.json to list it under \"keys\"",
                         source=str(folder / "sweep.csv"))
    if not metrics:
        raise InputError("sweep.csv has no metric columns", source=str(folder / "sweep.csv"))
    return SweepData(folder, table, manifest, keys, metrics, long)


_SUFFIXES = ("_low", ".low", "_ci_low", "_ci95_low", ".ci95_low", "_lo", "_high", ".high", "_ci_high", "_ci95_high",
             ".ci95_high", "_hi", "_mean", ".mean", "_sd", ".sd", "_n", ".n")


def _base_of(c: str) -> str:
    for s in _SUFFIXES:
        if c.endswith(s):
            return c[: -len(s)]
    return c


def _verify(path: Path, doc: Any) -> VerifyData | None:
    if isinstance(doc, list) and doc and all(isinstance(r, dict) and "verdict" in r and "id" in r for r in doc):
        return VerifyData(path, _check_results(doc, path, ""))
    if isinstance(doc, dict) and "proposed_results" in doc and "changes" in doc:
        _field(doc["proposed_results"], list, path, "proposed_results", "a list of results")
        return VerifyData(path, _check_results(list(doc.get("proposed_results") or []), path, "proposed_results"),
                          change=doc)
    return None


def _check_results(results: list[Any], source: Path, where: str) -> list[dict[str, Any]]:
    """The fields of ``zcsim verify --json`` results a report reads."""
    for i, r in enumerate(results):
        at = f"{where}[{i}]"
        _field(r, dict, source, at, "a result object", null=False)
        for k in ("id", "verdict", "statement", "detail"):
            _field(r.get(k), str, source, f"{at}.{k}", "text")
        _field(r.get("articles"), list, source, f"{at}.articles", "a list of article numbers")
        for k in ("counterexample", "witness"):
            _field(r.get(k), dict, source, f"{at}.{k}", "an object")
    return results


def load_source(source: str | Path) -> RunData | CompareData | SweepData | VerifyData:
    """Read ``source`` and tell its kind from the files present.

    Raises
    ------
    InputError
        When nothing recognisable is there (the message says what was expected).
    """
    path = Path(source)
    if not path.exists():
        raise InputError(f"no such file or folder; expected {EXPECTED}", source=str(source))
    if not path.is_dir():  # a file: read as one (a pipe or device is refused by the reader)
        doc = _read_json(path)
        v = _verify(path, doc)
        if v is not None:
            return v
        if isinstance(doc, dict) and isinstance(doc.get("metrics"), dict) and "reform" in doc:
            return CompareData(path.parent, _check_comparison(doc, path), None, None)
        if isinstance(doc, dict) and isinstance(doc.get("metrics"), dict) and path.name == "summary.json":
            return load_run(path.parent)
        raise InputError(f"not a file zcsim can report on; expected {EXPECTED}", source=str(source))
    if (path / "comparison.json").exists():
        cmp = _read_json(path / "comparison.json")
        if not isinstance(cmp, dict) or not isinstance(cmp.get("metrics"), dict):
            raise InputError("comparison.json has no \"metrics\"; expected the output of zcsim compare",
                             source=str(path / "comparison.json"))
        _check_comparison(cmp, path / "comparison.json")
        runs = [load_run(path / n, n) if (path / n / "summary.json").is_file() or (path / n / "replications.csv").is_file()
                else None for n in ("base", "reform")]
        return CompareData(path, cmp, runs[0], runs[1])
    if (path / "sweep.csv").is_file() or (path / "sweep.parquet").is_file():
        return _sweep(path)
    if (path / "summary.json").is_file() or (path / "replications.csv").is_file() or (path / "replications.parquet").is_file():
        return load_run(path)
    for name in ("verify.json", "verification.json"):
        if (path / name).is_file():
            v = _verify(path / name, _read_json(path / name))
            if v is not None:
                return v
    raise InputError(f"nothing to report on here; expected {EXPECTED}", source=str(source))


def finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False
