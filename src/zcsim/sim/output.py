"""Result tables (pandas), files (CSV, Parquet, JSON) and the summary of a simulation run; the run
manifest and the per-replication checkpoints that make ``--out`` runs resumable and replayable.

A results folder written with ``--out`` holds ``manifest.json`` (format ``zcsim.run/1``), written
first and atomically: everything the results depend on (the scenario file's SHA-256, the rule set
and its fingerprint, the ``--set`` overrides, seed, replications, the varied keys of a sweep, zcsim
and package versions). Each finished replication (or sweep job) is then written atomically into
``.partial/`` (a temporary file in that folder, fsync'd, then renamed), so a run killed at any
moment loses at most the replications still running; ``--resume`` runs only the missing ones and
writes the same final files an uninterrupted run writes. See ``docs/reproducibility.md``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import shutil
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zcsim.errors import InputError
from zcsim.sim._result import Replication
from zcsim.sim.runner import Comparison, Estimate, RunResult

__all__ = ["tables", "summary_json", "comparison_json", "write_results", "run_manifest", "RunStore", "file_sha256",
           "RUN_FORMAT", "PARTIAL", "compare_folders"]

RUN_FORMAT = "zcsim.run/1"
"""``format`` of a run manifest (``manifest.json``)."""

PARTIAL = ".partial"
"""The checkpoint folder inside a results folder."""

MATCHED = ("format", "command", "scenario_sha256", "rules", "rules_fingerprint", "overrides", "vary", "seed",
           "replications", "keep_records", "versions")
"""Manifest fields a resumed run must match (the scenario's path and label may differ)."""


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


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


_TMP = re.compile(r"^\..+\.tmp-\d+$")


@contextlib.contextmanager
def _replacing(path: Path, *, sync: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; once written, fsync it and rename it over ``path``.

    A reader (or a resumed run) sees the old file or the whole new one, never half of one.
    """
    tmp = _tmp_name(path)
    try:
        yield tmp
        if sync:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if sync:
        _fsync_dir(path.parent)


def _write_text(path: Path, text: str, *, sync: bool = True) -> None:
    with _replacing(path, sync=sync) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _dumps(doc: Any, indent: int = 2) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=indent)


def file_sha256(path: str | Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_manifest(command: str, *, scenario: str, rules: Any, overrides: Sequence[str] | None, seed: int,
                 replications: int, keep_records: bool = False, vary: Sequence[str] | None = None) -> dict[str, Any]:
    """The run manifest (``zcsim.run/1``) of a ``simulate`` or ``sweep`` run into a results folder.

    It pins what the results depend on: the scenario file (``scenario`` as given, its absolute
    path and the SHA-256 of its bytes), the rule set's name and fingerprint, the ``--set``
    overrides as given, the varied keys of a sweep (``--vary`` as given), seed, replications,
    whether meeting records are kept, and the zcsim and package versions. Executor and worker
    count are not pinned: results do not depend on them.
    """
    try:
        digest = file_sha256(scenario)
    except OSError as exc:
        raise InputError(f"cannot read the scenario file: {exc.strerror}", source=scenario) from None
    doc: dict[str, Any] = {
        "format": RUN_FORMAT,
        "command": command,
        "scenario": scenario,
        "scenario_path": str(Path(scenario).resolve()),
        "scenario_sha256": digest,
        "rules": getattr(rules, "name", str(rules)),
        "rules_fingerprint": rules.fingerprint() if hasattr(rules, "fingerprint") else None,
        "overrides": list(overrides or ()),
        "vary": list(vary) if vary is not None else None,
        "seed": seed,
        "replications": replications,
        "keep_records": bool(keep_records),
        "zcsim": _versions().get("zcsim"),
        "versions": _versions(),
    }
    if vary is None:
        del doc["vary"]
    return doc


def _run_id(manifest: Mapping[str, Any]) -> str:
    pinned = {k: manifest.get(k) for k in MATCHED}
    return hashlib.sha256(json.dumps(pinned, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def manifest_differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What differs between two run manifests, one phrase per pinned field."""
    out = []
    for k in MATCHED:
        a, b = old.get(k), new.get(k)
        if a == b:
            continue
        if k == "versions" and isinstance(a, Mapping) and isinstance(b, Mapping):
            pk = [f"{p} {a.get(p, 'absent')} (then) vs {b.get(p, 'absent')} (now)"
                  for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]
            out.append("package versions: " + ", ".join(pk))
        elif k == "scenario_sha256":
            out.append(f"the scenario file's content (SHA-256 {str(a)[:12]}… then, {str(b)[:12]}… now)")
        elif k == "keep_records":
            out.append(f"meeting records kept: {'yes' if a else 'no'} then, {'yes' if b else 'no'} now "
                       "(--records, --report or simulation.keep_records)")
        else:
            out.append(f"{k}: {json.dumps(a, ensure_ascii=False)} then, {json.dumps(b, ensure_ascii=False)} now")
    return out


def _encode(rep: Replication, run: str) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {"format": "zcsim.checkpoint/1", "run": run, "index": rep.index, "events": rep.events,
                            "metrics": {k: float(v) for k, v in rep.metrics.items()},
                            "records": list(rep.records)}
    for part, cols in (("applicants", rep.applicants), ("meetings", rep.meetings)):
        spec = []
        for j, (name, col) in enumerate(cols.items()):
            a = np.asarray(col)
            if a.dtype.hasobject:  # never pickled: kept as a JSON list
                spec.append([name, "json", a.tolist()])
            else:
                key = f"{part[0]}{j}"
                arrays[key] = a
                spec.append([name, "array", key])
        meta[part] = spec
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    return arrays


def _decode(path: Path, run: str) -> Replication | None:
    """A checkpoint, or None when it is unreadable, truncated or from another run."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            if meta.get("format") != "zcsim.checkpoint/1" or meta.get("run") != run:
                return None
            parts: dict[str, dict[str, np.ndarray]] = {}
            for part in ("applicants", "meetings"):
                cols: dict[str, np.ndarray] = {}
                for name, kind, value in meta[part]:
                    cols[name] = z[value] if kind == "array" else np.array(value, dtype=object)
                parts[part] = cols
            return Replication(int(meta["index"]), parts["applicants"], parts["meetings"], dict(meta["metrics"]),
                               tuple(meta["records"]), int(meta["events"]))
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile, UnicodeDecodeError):
        return None


_REP = re.compile(r"^rep-(\d{6})\.npz$")
_JOB = re.compile(r"^job-(\d{6})-(\d{6})\.json$")


class RunStore:
    """The checkpoints of one run in a results folder (``DIR/manifest.json`` and ``DIR/.partial/``).

    Open it with :meth:`open` before running; pass :meth:`save` (simulate) or :meth:`save_job`
    (sweep) as the runner's ``on_result``; read what is finished with :meth:`replications` or
    :meth:`jobs`. A checkpoint is named by its index (``rep-000123.npz``; ``job-VVVVVV-RRRRRR.json``
    for variant and replication of a sweep), so a replication is never counted twice; temporary
    files (``.NAME.tmp-PID``) are never read and are removed on opening; a checkpoint that cannot
    be read in full is run again.
    """

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        self.folder = folder
        self.manifest = manifest
        self.run = _run_id(manifest)
        self.partial = folder / PARTIAL
        self.skipped: list[str] = []  # checkpoints found unreadable (run again)

    @classmethod
    def open(cls, out: str | Path, manifest: dict[str, Any], *, resume: bool) -> RunStore:
        """Prepare folder ``out`` for the run of ``manifest``.

        * missing or empty: a new run (the manifest is written first, atomically);
        * holding the same run (pinned fields equal): with ``resume`` its checkpoints are kept and
          only missing replications run; without, it starts over;
        * holding another run, or other files: :class:`InputError` saying what differs
          ("use --resume or another folder").

        On resume the manifest kept is the folder's own (so the scenario label written into the
        results stays the one of the first run).
        """
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise InputError("not a folder", source=str(out), location="--out")
        for d in (folder, folder / PARTIAL):
            if d.is_dir():
                for p in d.iterdir():
                    if _TMP.match(p.name):
                        with contextlib.suppress(OSError):
                            p.unlink()
        present = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        mpath = folder / "manifest.json"
        old: Any = None
        if mpath.is_file():
            try:
                old = json.loads(mpath.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = None
        if present and not (isinstance(old, dict) and old.get("format") == RUN_FORMAT):
            what = ("a manifest.json that is not a zcsim.run/1 run manifest (written by an older zcsim or another tool)"
                    if mpath.exists() else f"{len(present)} file(s) and no zcsim run manifest")
            raise InputError(f"the output folder is not empty: it holds {what}; "
                             + ("nothing there to resume; " if resume else "")
                             + "use an empty or new folder", source=str(out), location="--out")
        if present:
            diff = manifest_differences(old, manifest)
            if diff:
                raise InputError(("cannot resume: the folder holds a run made with different settings: "
                                  if resume else "the output folder holds another run: ") + "; ".join(diff)
                                 + ("; rerun with the settings of manifest.json, or use another folder" if resume
                                    else "; use --resume with that run's settings, or another folder"),
                                 source=str(out), location="--out")
            if resume:
                store = cls(folder, old)
                store.partial.mkdir(exist_ok=True)
                return store
        try:
            folder.mkdir(parents=True, exist_ok=True)
            store = cls(folder, manifest)
            if store.partial.exists():
                shutil.rmtree(store.partial)
            for p in folder.iterdir():  # a run made again from the start: its old outputs go first
                if p.name != "manifest.json" and (p.name in _OUTPUTS or p.name == "records"):
                    shutil.rmtree(p) if p.is_dir() else p.unlink()
            _write_text(mpath, _dumps(manifest))
            store.partial.mkdir()
            _fsync_dir(folder)
        except OSError as exc:
            raise InputError(f"cannot write the output folder: {exc.strerror}", source=str(out)) from None
        return store

    # -- simulate -------------------------------------------------------------------------------
    def save(self, index: int, rep: Replication) -> None:
        """Write replication ``index`` atomically (``.partial/rep-000123.npz``)."""
        if rep.index != index:  # pragma: no cover - the runner passes each replication's own index
            raise ValueError(f"replication {rep.index} saved as {index}")
        arrays = _encode(rep, self.run)
        with _replacing(self.partial / f"rep-{index:06d}.npz") as tmp, open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)

    def replications(self) -> dict[int, Replication]:
        """The finished replications, by index (unreadable checkpoints left out and noted in
        :attr:`skipped`)."""
        out: dict[int, Replication] = {}
        n = int(self.manifest["replications"])
        for p in sorted(self.partial.glob("rep-*.npz")):
            m = _REP.match(p.name)
            if not m or int(m.group(1)) >= n:
                continue
            rep = _decode(p, self.run)
            if rep is None or rep.index != int(m.group(1)):
                self.skipped.append(p.name)
                continue
            out[rep.index] = rep
        return out

    # -- sweep ----------------------------------------------------------------------------------
    def save_job(self, variant: int, replication: int, metrics: Mapping[str, float]) -> None:
        """Write the metrics of job (variant, replication) atomically."""
        doc = {"format": "zcsim.checkpoint/1", "run": self.run, "variant": variant, "replication": replication,
               "metrics": {k: float(v) for k, v in metrics.items()}}
        _write_text(self.partial / f"job-{variant:06d}-{replication:06d}.json", json.dumps(doc))

    def jobs(self) -> dict[tuple[int, int], dict[str, float]]:
        """The finished sweep jobs, by (variant, replication)."""
        out: dict[tuple[int, int], dict[str, float]] = {}
        n = int(self.manifest["replications"])
        for p in sorted(self.partial.glob("job-*.json")):
            m = _JOB.match(p.name)
            if not m or int(m.group(2)) >= n:
                continue
            try:
                doc = json.loads(p.read_text(encoding="utf-8"))
                key = (int(doc["variant"]), int(doc["replication"]))
                ok = doc.get("run") == self.run and key == (int(m.group(1)), int(m.group(2)))
                metrics = {str(k): float(v) for k, v in doc["metrics"].items()}
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                ok = False
            if not ok:
                self.skipped.append(p.name)
                continue
            out[key] = metrics
        return out


_OUTPUTS = {f"{t}.{ext}" for t in ("applicants", "meetings", "replications") for ext in ("csv", "parquet")} | {
    "summary.json", "sweep.csv", "sweep.parquet", "sweep.json"}
"""Files a run writes besides its manifest (removed when a run starts over in its folder)."""


def write_results(result: RunResult, out: str | Path, *, scenario: str, rules: Any,
                  formats: tuple[str, ...] = ("csv", "parquet"), manifest: Mapping[str, Any] | None = None) -> list[Path]:
    """Write the tables, the summary and the meeting records of a run into folder ``out``.

    Files: ``applicants``, ``meetings``, ``replications`` (CSV and, when pyarrow is installed,
    Parquet), ``summary.json``, ``manifest.json`` (zcsim and package versions, rule set and its
    fingerprint, scenario, seed; the run manifest ``manifest`` when given, see
    :func:`run_manifest`) and ``records/*.json`` (``zcsim.meeting/1``, when kept). Each file is
    written to a temporary name and renamed, so none is ever half-written. Returns the paths
    written.
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
            with _replacing(p) as tmp:
                df.to_csv(tmp, index=False)
            written.append(p)
        if "parquet" in formats:
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                continue
            p = folder / f"{name}.parquet"
            with _replacing(p) as tmp:
                df.to_parquet(tmp, index=False)
            written.append(p)
    p = folder / "summary.json"
    _write_text(p, _dumps(summary_json(result, scenario=scenario, rules=rules)))
    written.append(p)
    recs = [(r.index, i, rec) for r in result.replications for i, rec in enumerate(r.records)]
    if recs:
        rdir = folder / "records"
        rdir.mkdir(exist_ok=True)
        for rep, i, rec in recs:
            p = rdir / f"r{rep:03d}-m{i:04d}.json"
            _write_text(p, json.dumps(rec, ensure_ascii=False, indent=1), sync=False)
            written.append(p)
    p = folder / "manifest.json"
    if manifest is None:
        manifest = {
            "scenario": scenario,
            "rules": getattr(rules, "name", str(rules)),
            "rules_fingerprint": rules.fingerprint() if hasattr(rules, "fingerprint") else None,
            "seed": result.seed,
            "replications": len(result.replications),
            "versions": _versions(),
        }
    _write_text(p, _dumps(dict(manifest)))
    written.append(p)
    return written


# ----------------------------------------------------------------------------------------------
# comparing two results folders (zcsim replay)
# ----------------------------------------------------------------------------------------------
def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _json_diff(a: Any, b: Any, where: str, out: list[str], skip: frozenset[str] = frozenset()) -> None:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in list(a) + [k for k in b if k not in a]:
            if k in skip:
                continue
            if k not in a or k not in b:
                out.append(f"{where}{k}: {'missing in the folder' if k not in a else 'not in the rerun'}")
                continue
            _json_diff(a[k], b[k], f"{where}{k}.", out)
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _json_diff(x, y, f"{where[:-1]}[{i}].", out)
        return
    if not _same(a, b):
        out.append(f"{where[:-1]}: {json.dumps(a, ensure_ascii=False)} in the folder, "
                   f"{json.dumps(b, ensure_ascii=False)} in the rerun")


def _table_diff(name: str, a: pd.DataFrame, b: pd.DataFrame, out: list[str], key: str | None) -> None:
    if list(a.columns) != list(b.columns):
        out.append(f"{name}: columns {list(a.columns)} in the folder, {list(b.columns)} in the rerun")
        return
    if len(a) != len(b):
        out.append(f"{name}: {len(a)} rows in the folder, {len(b)} in the rerun")
        return
    for col in a.columns:
        x, y = a[col].tolist(), b[col].tolist()
        for i in range(len(x)):
            if not _same(x[i], y[i]):
                row = f"{key} {a[key].iloc[i]}" if key and key in a.columns else f"row {i + 1}"
                out.append(f"{name}: {col} of {row}: {x[i]!r} in the folder, {y[i]!r} in the rerun")


def _read_table(path: Path) -> pd.DataFrame:
    """A CSV as text cells (figures compared as written), or a Parquet table."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def compare_folders(folder: str | Path, rerun: str | Path, *, limit: int = 50) -> tuple[int, list[str]]:
    """Compare every figure of results folder ``folder`` with a rerun written into ``rerun``.

    Compared: ``summary.json`` / ``sweep.json`` (every figure; versions left out), every table
    (CSV, and Parquet when both folders have it) cell by cell, and the meeting records. Returns
    (number of files compared, differences — each naming the file, the figure and both values;
    at most ``limit`` listed per file).
    """
    a, b = Path(folder), Path(rerun)
    out: list[str] = []
    count = 0
    for p in sorted(b.iterdir()):
        if p.name == "manifest.json" or p.name.startswith(".") or p.is_dir():
            continue
        q = a / p.name
        if not q.is_file():
            out.append(f"{p.name}: missing in the folder")
            continue
        count += 1
        diffs: list[str] = []
        if p.suffix == ".json":
            try:
                old = json.loads(q.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                out.append(f"{p.name}: unreadable in the folder ({exc})")
                continue
            _json_diff(old, json.loads(p.read_text(encoding="utf-8")), f"{p.name}: ", diffs,
                       frozenset({"versions"}))
        elif p.suffix in (".csv", ".parquet"):
            try:
                old_df, new_df = _read_table(q), _read_table(p)
            except Exception as exc:  # noqa: BLE001 - any unreadable table is a difference to report
                out.append(f"{p.name}: unreadable in the folder ({type(exc).__name__}: {exc})")
                continue
            key = "replication" if p.stem == "replications" else ("variant" if p.stem == "sweep" else None)
            _table_diff(p.name, old_df, new_df, diffs, key)
        else:
            continue
        out += [d if d.startswith(p.name) else f"{p.name}: {d}" for d in diffs[:limit]]
        if len(diffs) > limit:
            out.append(f"{p.name}: … and {len(diffs) - limit} more")
    rb, ra = b / "records", a / "records"
    if rb.is_dir():
        for p in sorted(rb.glob("*.json")):
            count += 1
            q = ra / p.name
            if not q.is_file():
                out.append(f"records/{p.name}: missing in the folder")
                continue
            diffs = []
            try:
                _json_diff(json.loads(q.read_text(encoding="utf-8")), json.loads(p.read_text(encoding="utf-8")),
                           f"records/{p.name}: ", diffs)
            except ValueError as exc:
                diffs.append(f"records/{p.name}: unreadable in the folder ({exc})")
            out += diffs[:limit]
    return count, out
