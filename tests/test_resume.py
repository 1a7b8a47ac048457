"""Resumable runs: a real `zcsim simulate/sweep --out DIR` killed with SIGKILL and finished with
`--resume` writes exactly the files an uninterrupted run writes (issue 7, part 3)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT

from zcsim.cli import main
from zcsim.sim._result import Replication
from zcsim.sim.runner import run_replications

QUICK = str(ROOT / "scenarios" / "quick.yaml")
SIM = ["simulate", QUICK, "-n", "12", "--workers", "1", "--records"]
SWEEP = ["sweep", QUICK, "--vary", "experts.no_show=0.1,0.3", "-n", "4", "--workers", "1"]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (checkpoints included), by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_folder(a: Path, b: Path) -> None:
    fa, fb = files(a), files(b)
    assert sorted(fa) == sorted(fb)
    different = [name for name in fa if fa[name] != fb[name]]
    assert not different, different


def children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_when(args: list[str], out: Path, ready: Callable[[Path], bool], timeout: float = 60) -> tuple[int, int]:
    """Start a real zcsim process writing into ``out``, SIGKILL it as soon as ``ready(out)``; return
    how many checkpoints it left and how many worker processes it had (they must exit on their own)."""
    proc = subprocess.Popen([sys.executable, "-m", "zcsim", *args, "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + timeout
        while not ready(out):
            assert proc.poll() is None, "the run ended before the kill point"
            assert time.monotonic() < deadline, "the kill point never came"
            time.sleep(0.005)
        assert proc.poll() is None, "the run ended before the kill"
        workers = children(proc.pid) if Path("/proc").is_dir() else []
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if alive(w)]
    for w in left:  # do not leave them behind, but fail
        os.kill(w, signal.SIGKILL)
    assert not left, f"worker processes {left} outlived the killed run"
    return len(checkpoints(out)), len(workers)


def checkpoints(out: Path) -> list[Path]:
    part = out / ".partial"
    return sorted(p for p in part.iterdir() if not p.name.startswith(".")) if part.is_dir() else []


@pytest.fixture(scope="module")
def sim_ref(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "sim"
    code, _, err = run(*SIM, "--out", str(out))
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def sweep_ref(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "sweep"
    code, _, err = run(*SWEEP, "--out", str(out))
    assert code == 0, err
    return out


@pytest.mark.parametrize("moment, workers", [("after the manifest", "1"), ("midway", "1"), ("midway", "2")])
def test_simulate_killed_then_resumed_equals_an_uninterrupted_run(sim_ref: Path, tmp_path: Path, moment: str,
                                                                  workers: str) -> None:
    out = tmp_path / "run"
    args = [*SIM[:-2], workers, SIM[-1]]  # the worker count is not part of the run: results do not depend on it
    assert SIM[-3] == "--workers"
    if moment == "after the manifest":
        left, _ = kill_when(args, out, lambda d: (d / "manifest.json").is_file())
    else:
        left, pool = kill_when(args, out, lambda d: len(checkpoints(d)) >= 5)
        assert 5 <= left < 12
        if workers == "2" and Path("/proc").is_dir():
            assert pool >= 2  # the pool's processes were running, and exited after the kill
    assert left < 12 and not (out / "summary.json").exists()
    code, _, err = run(*SIM, "--out", str(out), "--resume")
    assert code == 0, err
    if left:
        assert f"{left} of 12 replications already done" in err
    assert_same_folder(sim_ref, out)  # same files, same bytes: tables, summary, manifest, records, checkpoints
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["replications"] == 12 and summary["metrics"]["pass_rate"]["n"] == 12


def test_sweep_killed_then_resumed_equals_an_uninterrupted_sweep(sweep_ref: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    left, _ = kill_when(SWEEP, out, lambda d: len(checkpoints(d)) >= 3)
    assert 3 <= left < 8 and not (out / "sweep.csv").exists()
    code, _, err = run(*SWEEP, "--out", str(out), "--resume")
    assert code == 0, err
    assert f"{left} of 8 variant × replication jobs already done" in err
    assert_same_folder(sweep_ref, out)


def test_resume_of_a_finished_run_changes_nothing(sweep_ref: Path, tmp_path: Path) -> None:
    out = tmp_path / "done"
    shutil.copytree(sweep_ref, out)
    code, _, err = run(*SWEEP, "--out", str(out), "--resume")
    assert code == 0, err
    assert_same_folder(sweep_ref, out)


def test_torn_stale_and_foreign_checkpoints_are_never_counted(sim_ref: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    shutil.copytree(sim_ref, out)
    part = out / ".partial"
    for i in (5, 9, 10):
        (part / f"rep-{i:06d}.npz").unlink()
    for name in ("summary.json", "replications.csv", "applicants.parquet"):
        (out / name).unlink()
    (part / ".rep-000005.npz.tmp-4242").write_bytes(b"PK\x03\x04 half a zip")  # a write cut short
    data = (part / "rep-000006.npz").read_bytes()
    (part / "rep-000006.npz").write_bytes(data[: len(data) // 2])  # a torn file (cannot happen with rename; still)
    shutil.copy(part / "rep-000001.npz", part / "rep-000009.npz")  # replication 1 under another index
    (part / "rep-000010.npz").write_bytes(b"not a checkpoint")
    (out / ".summary.json.tmp-4242").write_text("{", encoding="utf-8")
    code, _, err = run(*SIM, "--out", str(out), "--resume")
    assert code == 0, err
    assert "rep-000006.npz" in err and "rep-000009.npz" in err and "running it again" in err
    assert_same_folder(sim_ref, out)  # temporary files removed; each replication exactly once


@pytest.mark.parametrize("change, words", [
    (["--seed", "7"], ["seed: 2020 then, 7 now"]),
    (["--set", "quorum_ratio=3/4"], ["overrides", "quorum_ratio=3/4", "rules_fingerprint"]),
    (["-n", "13"], ["replications: 12 then, 13 now"]),
])
def test_resume_with_other_settings_exits_2_saying_what_differs(sim_ref: Path, tmp_path: Path, change: list[str],
                                                                words: list[str]) -> None:
    out = tmp_path / "run"
    shutil.copytree(sim_ref, out)
    args = [a for a in SIM if a not in ("-n", "12")] + (["-n", "12"] if "-n" not in change else []) + change
    before = files(out)
    code, stdout, err = run(*args, "--out", str(out), "--resume")
    assert code == 2 and stdout == ""
    assert err.startswith("zcsim: error:") and len(err.strip().splitlines()) == 1
    assert "cannot resume" in err
    for w in words:
        assert w in err
    # without --resume the folder is not overwritten either
    code, _, err = run(*args, "--out", str(out))
    assert code == 2 and "use --resume with that run's settings, or another folder" in err
    assert files(out) == before


def test_a_folder_of_other_files_is_never_mixed_into(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    for extra in ([], ["--resume"]):
        code, _, err = run("simulate", QUICK, "-n", "1", "--workers", "1", "--out", str(out), *extra)
        assert code == 2 and "not empty" in err, err
    assert sorted(os.listdir(out)) == ["notes.txt"]
    code, _, err = run("simulate", QUICK, "-n", "1", "--resume")
    assert code == 2 and "--resume needs --out" in err


def test_a_sweep_does_not_resume_into_a_simulate_folder(sim_ref: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    shutil.copytree(sim_ref, out)
    code, _, err = run(*SWEEP, "--out", str(out), "--resume")
    assert code == 2 and "command: \"simulate\" then, \"sweep\" now" in err


# ------------------------------------------------------------------------------------------------
# the runner's hook
# ------------------------------------------------------------------------------------------------
def binomial_model(seed: np.random.SeedSequence, *, index: int) -> Replication:
    rng = np.random.default_rng(seed)
    passed = rng.random(50) < 0.6
    return Replication(index, {"passed": passed}, {}, {"pass_rate": float(passed.mean())})


@pytest.mark.parametrize("workers", [1, 2])
def test_runner_runs_only_missing_replications_and_reports_each_once(workers: int) -> None:
    full = run_replications(binomial_model, 7, seed=4, workers=1)
    done = {i: full.replications[i] for i in (0, 3, 6)}
    seen: list[int] = []
    ticks: list[tuple[int, int]] = []
    part = run_replications(binomial_model, 7, seed=4, workers=workers, done=done,
                            on_result=lambda i, rep: seen.append(i), progress=lambda d, n: ticks.append((d, n)))
    assert sorted(seen) == [1, 2, 4, 5]
    assert [d for d, _ in ticks] == [4, 5, 6, 7]
    assert [r.metrics for r in part.replications] == [r.metrics for r in full.replications]
    assert [r.index for r in part.replications] == list(range(7))
