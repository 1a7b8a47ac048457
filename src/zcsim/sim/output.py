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
import filecmp
import hashlib
import json
import math
import os
import re
import shlex
import shutil
import sys
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zcsim._files import load_user_json, read_user_text
from zcsim.errors import InputError
from zcsim.sim._result import Replication
from zcsim.sim.runner import MAX_REPLICATIONS, MAX_SEED, Comparison, Estimate, RunResult

try:  # advisory locks of results folders (POSIX); elsewhere folders are not locked
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["tables", "summary_json", "comparison_json", "write_results", "run_manifest", "RunStore", "file_sha256",
           "RUN_FORMAT", "PARTIAL", "compare_folders", "LOCK_NAME", "FolderLock", "lock_folder", "read_manifest",
           "validate_manifest", "VOLATILE"]

RUN_FORMAT = "zcsim.run/1"
"""``format`` of a run manifest (``manifest.json``)."""

PARTIAL = ".partial"
"""The checkpoint folder inside a results folder."""

MATCHED = ("format", "command", "scenario_sha256", "rules", "rules_fingerprint", "overrides", "vary", "seed",
           "replications", "keep_records", "versions")
"""Manifest fields a resumed run must match (the scenario's path and label may differ)."""

VOLATILE = ("scenario_path", "zcsim", "versions")
"""Manifest fields ``zcsim replay`` does not require to equal the rerun's: where the scenario file
was (its content is pinned by ``scenario_sha256``) and the package versions (compared separately,
with a warning naming each package that differs)."""

LOCK_NAME = ".zcsim.lock"
"""The lock file of a results folder: a run holds an advisory lock (``flock``) on it while it
works in the folder; its content names the holder's pid and command line."""


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


_SHA256 = re.compile(r"^[0-9a-f]{64}$")

_FIELDS: dict[str, str] = {
    "format": f"the string {RUN_FORMAT!r}",
    "command": "'simulate' or 'sweep'",
    "scenario": "the scenario file as given (a non-empty string)",
    "scenario_path": "the scenario file's absolute path (a string)",
    "scenario_sha256": "the SHA-256 of the scenario file (64 lowercase hex digits)",
    "rules": "the rule set's name (a string)",
    "rules_fingerprint": "the rule set's fingerprint (a string, null, or for a sweep a list of strings)",
    "overrides": "the --set items (a list of strings)",
    "vary": "a sweep's --vary items (a non-empty list of strings)",
    "seed": f"a whole number 0..{MAX_SEED}",
    "replications": f"a whole number 1..{MAX_REPLICATIONS:,}",
    "keep_records": "true or false",
    "zcsim": "zcsim's version (a string or null)",
    "versions": "package versions (an object of strings)",
}
"""Every field of a run manifest, with what it must be (see ``docs/reproducibility.md``)."""


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _strings(x: Any) -> bool:
    return isinstance(x, list) and all(isinstance(v, str) for v in x)


def validate_manifest(doc: Any, source: str) -> dict[str, Any]:
    """``doc`` if it is a valid ``zcsim.run/1`` manifest, else one :class:`InputError` naming ``source``
    and the field: every field present (``vary`` only for a sweep), none unknown, each of its type
    and within its bounds (:data:`~zcsim.sim.runner.MAX_SEED`, :data:`~zcsim.sim.runner.MAX_REPLICATIONS`).

    Examples
    --------
    >>> validate_manifest({"format": "zcsim.run/1", "seed": -5}, "manifest.json")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: manifest.json: command: missing; expected 'simulate' or 'sweep'
    """
    if not isinstance(doc, dict):
        raise InputError(f"a run manifest is a JSON object, not {type(doc).__name__}", source=source)
    if doc.get("format") != RUN_FORMAT:
        raise InputError(f"not a {RUN_FORMAT} run manifest (written by an older zcsim, or by `zcsim compare`)",
                         source=source, location="format")
    sweep = doc.get("command") == "sweep"
    for key, what in _FIELDS.items():
        if key not in doc and (key != "vary" or sweep):
            raise InputError(f"missing; expected {what}", source=source, location=key)
    for key in doc:
        if key not in _FIELDS or (key == "vary" and not sweep):
            raise InputError("unknown field" + (" (only a sweep has varied keys)" if key == "vary" else "")
                             + f"; a run manifest has {', '.join(k for k in _FIELDS if k != 'vary' or sweep)}",
                             source=source, location=str(key))
    fp = doc["rules_fingerprint"]
    ok = {
        "command": doc["command"] in ("simulate", "sweep"),
        "scenario": isinstance(doc["scenario"], str) and doc["scenario"] != "",
        "scenario_path": isinstance(doc["scenario_path"], str),
        "scenario_sha256": isinstance(doc["scenario_sha256"], str) and bool(_SHA256.match(doc["scenario_sha256"])),
        "rules": isinstance(doc["rules"], str),
        "rules_fingerprint": fp is None or isinstance(fp, str) or (sweep and _strings(fp) and len(fp) > 0),
        "overrides": _strings(doc["overrides"]),
        "vary": not sweep or (_strings(doc["vary"]) and len(doc["vary"]) > 0),
        "seed": _is_int(doc["seed"]) and 0 <= doc["seed"] <= MAX_SEED,
        "replications": _is_int(doc["replications"]) and 1 <= doc["replications"] <= MAX_REPLICATIONS,
        "keep_records": isinstance(doc["keep_records"], bool),
        "zcsim": doc["zcsim"] is None or isinstance(doc["zcsim"], str),
        "versions": isinstance(doc["versions"], dict) and all(isinstance(v, str) for v in doc["versions"].values()),
    }
    for key, good in ok.items():
        if not good:
            value = " ".join(json.dumps(doc[key], ensure_ascii=False).split())
            value = value if len(value) <= 60 else value[:57] + "…"
            extra = (f" (the most zcsim runs is {MAX_REPLICATIONS:,}, MAX_REPLICATIONS)"
                     if key == "replications" and _is_int(doc[key]) and doc[key] > MAX_REPLICATIONS else "")
            raise InputError(f"{value} is not valid{extra}; expected {_FIELDS[key]}", source=source, location=key)
    return doc


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The validated run manifest of results folder ``folder`` (``DIR/manifest.json``), read with
    the strict JSON reader (a duplicate key is malformed input); one :class:`InputError` otherwise."""
    path = Path(folder) / "manifest.json"
    doc = load_user_json(read_user_text(path, "run manifest"), str(path), "run manifest")
    return validate_manifest(doc, str(path))


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
_RECORD = re.compile(r"^r\d{3,}-m\d{4,}\.json$")


class FolderLock:
    """An advisory lock held on a results folder's :data:`LOCK_NAME` (see :func:`lock_folder`)."""

    def __init__(self, path: Path, fd: int | None, *, exclusive: bool) -> None:
        self.path, self.fd, self.exclusive = path, fd, exclusive

    def release(self) -> None:
        """Release the lock (idempotent). An exclusive holder first empties the file, so a finished
        run leaves an empty lock file (a killed one leaves its pid, which a later run ignores)."""
        fd, self.fd = self.fd, None
        if fd is None:
            return
        try:
            if self.exclusive:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _holder(fd: int) -> str:
    """Who holds the lock: the pid and command line a writer put in the lock file, when that
    process is alive (a reader, ``zcsim replay``, writes nothing)."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    pid, _, cmd = text.partition(" ")
    if pid.isdigit():
        try:
            os.kill(int(pid), 0)
            return f"pid {pid}: {cmd}"
        except PermissionError:
            return f"pid {pid}: {cmd}"
        except OSError:
            pass
    return "a `zcsim replay` reading it, or a run just starting"


def lock_folder(folder: str | Path, *, shared: bool = False, source: str | None = None) -> FolderLock:
    """Lock results folder ``folder`` for this process, or raise an :class:`InputError` at once
    naming the holder's pid and command line (never wait, never touch the holder's files).

    Exclusive (a run writing the folder): creates the folder and ``DIR/.zcsim.lock`` if need be
    and writes ``PID COMMAND LINE`` into it. Shared (``zcsim replay`` reading it): only when the
    lock file exists, opened read-only; any number of readers, no writer. The lock is ``flock``'s,
    so it goes with the process: a run killed with SIGKILL leaves no stale lock.
    """
    path = Path(folder) / LOCK_NAME
    where = source or str(folder)
    if fcntl is None:  # pragma: no cover - no flock on this platform
        return FolderLock(path, None, exclusive=not shared)
    try:
        if shared:
            if not path.is_file():
                return FolderLock(path, None, exclusive=False)
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        else:
            Path(folder).mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise InputError(f"cannot open the folder's lock file {LOCK_NAME}: {exc.strerror}", source=where) from None
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except OSError:
        holder = _holder(fd)
        os.close(fd)
        raise InputError(f"the folder is in use by another zcsim run ({holder}); wait for it to end, or use "
                         "another folder", source=where) from None
    if not shared:
        argv = [os.path.basename(sys.argv[0]) or "zcsim", *sys.argv[1:]]
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {shlex.join(argv)}\n".encode("utf-8", "backslashreplace"), 0)
    return FolderLock(path, fd, exclusive=not shared)


def _ours(kind: str, name: str) -> bool:
    """Whether ``name`` is a temporary file of :func:`_tmp_name` for a file zcsim writes in a folder
    of ``kind`` ("top", "partial" or "records")."""
    m = re.match(r"^\.(.+)\.tmp-\d+$", name)
    if m is None:
        return False
    inner = m.group(1)
    if kind == "partial":
        return bool(_REP.match(inner) or _JOB.match(inner))
    if kind == "records":
        return bool(_RECORD.match(inner))
    return inner == "manifest.json" or inner in _OUTPUTS


def remove_stale_temporaries(folder: Path) -> list[str]:
    """Delete the temporary files a killed run left in ``folder``, ``.partial/`` and ``records/``
    (only names of :func:`_tmp_name` for files zcsim writes there); return their relative paths.
    Call it only while holding the folder's exclusive lock."""
    gone = []
    for kind, d in (("top", folder), ("partial", folder / PARTIAL), ("records", folder / "records")):
        if not d.is_dir():
            continue
        for p in d.iterdir():
            if _ours(kind, p.name) and p.is_file():
                with contextlib.suppress(OSError):
                    p.unlink()
                    gone.append(str(p.relative_to(folder)))
    return gone


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
        self.lock: FolderLock | None = None  # held from :meth:`open` until :meth:`release`

    @classmethod
    def open(cls, out: str | Path, manifest: dict[str, Any], *, resume: bool) -> RunStore:
        """Prepare folder ``out`` for the run of ``manifest``.

        * missing or empty: a new run (the manifest is written first, atomically);
        * holding the same run (pinned fields equal): with ``resume`` its checkpoints are kept and
          only missing replications run; without, it starts over;
        * holding another run, or other files: :class:`InputError` saying what differs
          ("use --resume or another folder");
        * in use by another run (its lock is held): :class:`InputError` naming that run's pid and
          command line, before anything in the folder is touched.

        The folder's lock (:func:`lock_folder`) is taken first and held until :meth:`release`;
        temporary files a killed run left (:func:`remove_stale_temporaries`) are removed then. The
        manifest found is read strictly and validated (:func:`validate_manifest`).

        On resume the manifest kept is the folder's own (so the scenario label written into the
        results stays the one of the first run).
        """
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise InputError("not a folder", source=str(out), location="--out")
        mpath = folder / "manifest.json"
        present = [p.name for p in folder.iterdir() if p.name != LOCK_NAME] if folder.is_dir() else []
        if present and not mpath.is_file():  # checked before the lock: a folder of other files is not touched
            raise InputError(f"the output folder is not empty: it holds {len(present)} file(s) and no zcsim run manifest; "
                             + ("nothing there to resume; " if resume else "") + "use an empty or new folder",
                             source=str(out), location="--out")
        lock = lock_folder(folder, source=str(out))  # before anything in the folder is read, written or removed
        try:
            return cls._open_locked(folder, manifest, resume=resume, lock=lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _open_locked(cls, folder: Path, manifest: dict[str, Any], *, resume: bool, lock: FolderLock) -> RunStore:
        out, mpath = str(folder), folder / "manifest.json"
        remove_stale_temporaries(folder)
        present = [p.name for p in folder.iterdir() if p.name != LOCK_NAME]
        old: Any = None
        if mpath.is_file():
            doc = load_user_json(read_user_text(mpath, "run manifest"), str(mpath), "run manifest")
            if isinstance(doc, dict) and doc.get("format") == RUN_FORMAT:
                old = validate_manifest(doc, str(mpath))
        if present and old is None:
            what = ("a manifest.json that is not a zcsim.run/1 run manifest (written by an older zcsim or another tool)"
                    if mpath.exists() else f"{len(present)} file(s) and no zcsim run manifest")
            raise InputError(f"the output folder is not empty: it holds {what}; "
                             + ("nothing there to resume; " if resume else "")
                             + "use an empty or new folder", source=out, location="--out")
        if present:
            diff = manifest_differences(old, manifest)
            if diff:
                raise InputError(("cannot resume: the folder holds a run made with different settings: "
                                  if resume else "the output folder holds another run: ") + "; ".join(diff)
                                 + ("; rerun with the settings of manifest.json, or use another folder" if resume
                                    else "; use --resume with that run's settings, or another folder"),
                                 source=out, location="--out")
            if resume:
                store = cls(folder, old)
                store.lock = lock
                store.partial.mkdir(exist_ok=True)
                return store
        try:
            store = cls(folder, manifest)
            store.lock = lock
            if store.partial.exists():
                shutil.rmtree(store.partial)
            for p in folder.iterdir():  # a run made again from the start: its old outputs go first
                if p.name != "manifest.json" and (p.name in _OUTPUTS or p.name == "records"):
                    shutil.rmtree(p) if p.is_dir() else p.unlink()
            _write_text(mpath, _dumps(manifest))
            store.partial.mkdir()
            _fsync_dir(folder)
        except OSError as exc:
            raise InputError(f"cannot write the output folder: {exc.strerror}", source=out) from None
        return store

    def release(self) -> None:
        """Release the folder's lock (at the end of the command; idempotent)."""
        if self.lock is not None:
            self.lock.release()

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
    """Equal values of the same type (``0.0`` and ``false``, or ``1`` and ``1.0``, differ: Python's
    ``0.0 == False`` would hide an edit); NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
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
        if str(a[col].dtype) != str(b[col].dtype):
            out.append(f"{name}: column {col} is {a[col].dtype} in the folder, {b[col].dtype} in the rerun")
            continue
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


def _files(root: Path) -> dict[str, Path]:
    """Every entry of ``root`` but folders (files, links, FIFOs …), by relative POSIX path; the lock
    file left out. Links are not followed into folders."""
    out: dict[str, Path] = {}
    for d, dirs, names in os.walk(root):
        for n in names + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            p = Path(d) / n
            rel = p.relative_to(root).as_posix()
            if rel != LOCK_NAME:
                out[rel] = p
    return out


def _key_column(stem: str) -> str | None:
    return "replication" if stem == "replications" else ("variant" if stem == "sweep" else None)


def compare_folders(folder: str | Path, rerun: str | Path, *, limit: int = 50,
                    volatile: Sequence[str] = VOLATILE) -> tuple[int, list[str]]:
    """Compare every file of results folder ``folder`` with a rerun written into ``rerun``.

    Every file of either folder is compared (the lock file :data:`LOCK_NAME` aside; ``.partial/``
    only when ``folder`` still has one, since it may be deleted once a run is done): a file in
    one and not the other is a difference. ``manifest.json`` is compared field by field, the
    ``volatile`` fields left out; every other file must have the rerun's bytes. Where they differ,
    the difference is named: JSON files (read strictly, so a duplicate key is an
    :class:`InputError`) by each figure whose value or type differs (``0.0`` is not ``false``),
    tables (CSV, Parquet) cell by cell, other files as a whole. Returns (number of files
    compared, differences — at most ``limit`` per file).
    """
    a, b = Path(folder), Path(rerun)
    fa, fb = _files(a), _files(b)
    if not (a / PARTIAL).is_dir():
        fb = {k: v for k, v in fb.items() if not k.startswith(PARTIAL + "/")}
    out: list[str] = []
    count = 0
    for rel in sorted(set(fa) | set(fb)):
        if rel not in fa:
            out.append(f"{rel}: missing in the folder")
            continue
        if rel not in fb:
            out.append(f"{rel}: not in the rerun (the run does not write it)")
            continue
        p, q = fb[rel], fa[rel]
        if not q.is_file() or q.is_symlink():
            out.append(f"{rel}: not a regular file in the folder")
            continue
        count += 1
        diffs: list[str] = []
        if p.suffix == ".json":
            old_text, new_text = read_user_text(q, "results"), read_user_text(p, "results")
            old, new = load_user_json(old_text, str(q), "results"), load_user_json(new_text, str(p), "results")
            manifest = rel == "manifest.json"
            _json_diff(old, new, f"{rel}: ", diffs, frozenset(volatile) if manifest else frozenset())
            if not diffs and not manifest and old_text != new_text:
                diffs.append(f"{rel}: every value is the rerun's, but the bytes differ (formatting or key order edited)")
        elif filecmp.cmp(p, q, shallow=False):
            continue
        elif p.suffix in (".csv", ".parquet"):
            try:
                old_df, new_df = _read_table(q), _read_table(p)
            except Exception as exc:  # noqa: BLE001 - any unreadable table is a difference to report
                out.append(f"{rel}: unreadable in the folder ({type(exc).__name__}: {exc})")
                continue
            _table_diff(rel, old_df, new_df, diffs, _key_column(p.stem))
            if not diffs:
                diffs.append(f"{rel}: every cell is the rerun's, but the bytes differ")
        else:
            diffs.append(f"{rel}: the bytes differ from the rerun's")
        out += [d if d.startswith(rel) else f"{rel}: {d}" for d in diffs[:limit]]
        if len(diffs) > limit:
            out.append(f"{rel}: … and {len(diffs) - limit} more")
    return count, out
