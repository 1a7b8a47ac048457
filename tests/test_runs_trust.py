"""Results folders that can be trusted (issue 11, item 7 and "Concurrency and interruption"):
`zcsim replay` compares every file of a folder, manifests are validated, a folder is locked by the
run writing it, stale temporaries are cleaned, Ctrl-C is one line, Dask errors are one line, and
every count has a documented bound."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from zcsim.cli import main
from zcsim.sim import runner

QUICK = ROOT / "scenarios" / "quick.yaml"
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="flock, signals, process groups")


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def one_error_line(err: str, *parts: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("zcsim: error: "), err
    for p in parts:
        assert p in lines[0], (p, lines[0])
    return lines[0]


def tiny_scenario(folder: Path) -> Path:
    """quick.yaml with a tenth of its applicants: a replication takes a few hundredths of a second."""
    text = QUICK.read_text(encoding="utf-8")
    for count in ("260", "420", "180", "340", "300"):
        text = text.replace(f"count: {count}}}", f"count: {int(count) // 10}}}")
    p = folder / "tiny.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_scenario(tmp_path_factory.mktemp("sc"))


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory, tiny: Path) -> Path:
    out = tmp_path_factory.mktemp("sim") / "res"
    code, _, err = run("simulate", str(tiny), "-n", "2", "--workers", "1", "--records", "--out", str(out))
    assert code == 0, err
    return out


@pytest.fixture
def copy(sim: Path, tmp_path: Path) -> Path:
    out = tmp_path / "res"
    shutil.copytree(sim, out)
    return out


def edit_json(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


def replay(folder: Path) -> tuple[int, str, str]:
    return run("replay", str(folder), "--workers", "1")


# ---------------------------------------------------------------------------------------------
# replay compares every file
# ---------------------------------------------------------------------------------------------
def test_a_fresh_folder_replays_identical(sim: Path) -> None:
    code, out, err = replay(sim)
    assert code == 0, out + err
    assert out.startswith("identical: every file of") and "records" in out and "checkpoints" in out


def test_records_of_a_manifest_edited_to_keep_no_records_are_reported(copy: Path) -> None:
    # the issue: with "keep_records": false in the manifest, edited records replayed as "identical"
    edit_json(copy / "manifest.json", lambda m: m.update(keep_records=False))
    rec = sorted((copy / "records").glob("*.json"))[0]
    rec.write_text(rec.read_text(encoding="utf-8").replace('"yes"', '"no"'), encoding="utf-8")
    code, out, _ = replay(copy)
    assert code == 1, out
    assert f"records/{rec.name}: not in the rerun" in out


def test_an_extra_file_in_records_is_reported(copy: Path) -> None:
    extra = sorted((copy / "records").glob("*.json"))[0].read_text(encoding="utf-8")
    (copy / "records" / "r999-m9999.json").write_text(extra, encoding="utf-8")
    (copy / "notes.txt").write_text("mine\n", encoding="utf-8")
    code, out, _ = replay(copy)
    assert code == 1, out
    assert "records/r999-m9999.json: not in the rerun" in out and "notes.txt: not in the rerun" in out


def test_a_removed_file_is_reported(copy: Path) -> None:
    (copy / "meetings.csv").unlink()
    code, out, _ = replay(copy)
    assert code == 1 and "meetings.csv: missing in the folder" in out, out


def test_json_values_are_compared_with_their_types(copy: Path) -> None:
    path = copy / "summary.json"
    text = path.read_text(encoding="utf-8")
    assert ": 0.0," in text
    path.write_text(text.replace(": 0.0,", ": false,", 1), encoding="utf-8")  # Python: 0.0 == False
    code, out, _ = replay(copy)
    assert code == 1, out
    assert re.search(r"summary\.json: \S+: false in the folder, 0\.0 in the rerun", out), out


def test_reformatted_json_with_equal_values_is_reported(copy: Path) -> None:
    path = copy / "summary.json"
    path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
    code, out, _ = replay(copy)
    assert code == 1 and "summary.json: every value is the rerun's, but the bytes differ" in out, out


def test_a_duplicate_key_in_summary_json_is_malformed_input(copy: Path) -> None:
    path = copy / "summary.json"
    path.write_text(path.read_text(encoding="utf-8").replace("{\n", '{\n  "seed": 1,\n', 1), encoding="utf-8")
    code, _, err = replay(copy)
    assert code == 2
    one_error_line(err, "summary.json", "line 7", "duplicate key 'seed'")


def test_an_edited_manifest_field_is_reported(copy: Path) -> None:
    edit_json(copy / "manifest.json", lambda m: m.update(rules="beijing-2020"))
    code, out, _ = replay(copy)
    assert code == 1 and "manifest.json: rules:" in out, out


@pytest.mark.parametrize("field, value, says", [
    ("seed", -5, "seed: -5 is not valid; expected a whole number 0..9223372036854775807"),
    ("seed", "2020", "seed"),
    ("replications", 10**12, "replications: 1000000000000 is not valid (the most zcsim runs is 100,000"),
    ("replications", 2.0, "replications: 2.0 is not valid"),
    ("keep_records", 1, "keep_records: 1 is not valid; expected true or false"),
    ("overrides", "quorum_ratio=1/2", "overrides"),
    ("scenario_sha256", "abc", "scenario_sha256"),
    ("surprise", 1, "surprise: unknown field"),
])
def test_the_manifest_is_validated_field_by_field(copy: Path, field: str, value: object, says: str) -> None:
    edit_json(copy / "manifest.json", lambda m: m.update({field: value}))
    code, _, err = replay(copy)
    assert code == 2
    one_error_line(err, f"{copy / 'manifest.json'}: {says}")


def test_a_missing_manifest_field_is_named(copy: Path) -> None:
    edit_json(copy / "manifest.json", lambda m: m.pop("keep_records"))
    code, _, err = replay(copy)
    assert code == 2
    one_error_line(err, "manifest.json: keep_records: missing")


def test_a_manifest_with_a_duplicate_key_is_refused(copy: Path) -> None:
    path = copy / "manifest.json"
    path.write_text(path.read_text(encoding="utf-8").replace("{\n", '{\n  "seed": 1,\n', 1), encoding="utf-8")
    code, _, err = replay(copy)
    assert code == 2
    one_error_line(err, "manifest.json", "duplicate key 'seed'")


def test_resume_validates_the_manifest_too(copy: Path, tiny: Path) -> None:
    edit_json(copy / "manifest.json", lambda m: m.update(seed=-5))
    code, _, err = run("simulate", str(tiny), "-n", "2", "--workers", "1", "--records", "--out", str(copy), "--resume")
    assert code == 2
    one_error_line(err, "manifest.json: seed: -5 is not valid")


def test_a_sweep_folder_replays_identical_and_edits_are_reported(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "sw"
    code, _, err = run("sweep", str(tiny), "--vary", "experts.no_show=0.1,0.3", "-n", "2", "--workers", "1",
                       "--out", str(out))
    assert code == 0, err
    code, text, err = replay(out)
    assert code == 0, text + err
    edit_json(out / "manifest.json", lambda m: m.update(vary=["experts.no_show=0.1,0.2"]))
    code, text, _ = replay(out)
    assert code == 1 and "sweep.json" in text, text


# ---------------------------------------------------------------------------------------------
# the folder lock and stale temporaries
# ---------------------------------------------------------------------------------------------
def zcsim(*args: str, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "zcsim", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, **kw)  # type: ignore[call-overload]


def wait_for(cond, proc: subprocess.Popen[str], timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not cond():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@POSIX
def test_a_second_run_on_a_folder_in_use_fails_at_once_and_the_first_finishes(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "res"
    args = ["simulate", str(tiny), "-n", "40", "--workers", "1", "--out", str(out)]
    first = zcsim(*args)
    lock = out / ".zcsim.lock"
    wait_for(lambda: lock.is_file() and lock.read_text().startswith(f"{first.pid} "), first)
    t0 = time.monotonic()
    code, _, err = run(*args)
    assert time.monotonic() - t0 < 5
    assert first.poll() is None, "the first run ended before the second started: make it longer"
    assert code == 2
    one_error_line(err, str(out), f"in use by another zcsim run (pid {first.pid}:", "simulate", "--out")
    _, ferr = first.communicate(timeout=120)
    assert first.returncode == 0, ferr
    assert lock.read_text() == ""  # released: the holder's line is gone
    assert not [p for p in out.rglob(".*.tmp-*")]
    code, text, err = replay(out)
    assert code == 0, text + err


@POSIX
def test_replay_refuses_a_folder_a_run_is_writing(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "res"
    first = zcsim("simulate", str(tiny), "-n", "40", "--workers", "1", "--out", str(out))
    lock = out / ".zcsim.lock"
    wait_for(lambda: lock.is_file() and lock.read_text().startswith(f"{first.pid} "), first)
    code, _, err = replay(out)
    first.communicate(timeout=120)
    assert code == 2
    one_error_line(err, f"pid {first.pid}")


def test_stale_temporaries_of_ours_are_removed_and_no_others(copy: Path, tiny: Path) -> None:
    ours = [copy / ".partial" / ".rep-000001.npz.tmp-999999", copy / ".summary.json.tmp-12",
            copy / ".manifest.json.tmp-7", copy / "records" / ".r000-m0000.json.tmp-5"]
    theirs = [copy / ".partial" / ".notes.tmp-3", copy / "records" / ".draft.json.tmp-4"]
    for p in ours + theirs:
        p.write_bytes(b"half")
    code, _, err = run("simulate", str(tiny), "-n", "2", "--workers", "1", "--records", "--out", str(copy),
                       "--resume")
    assert code == 0, err
    assert not [p for p in ours if p.exists()]
    assert all(p.read_bytes() == b"half" for p in theirs)


def test_a_folder_of_other_files_gets_no_lock_file(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("x", encoding="utf-8")
    code, _, err = run("simulate", str(tiny), "-n", "1", "--workers", "1", "--out", str(out))
    assert code == 2
    one_error_line(err, "not empty")
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]


# ---------------------------------------------------------------------------------------------
# Ctrl-C
# ---------------------------------------------------------------------------------------------
@POSIX
def test_ctrl_c_is_one_line_with_no_worker_traceback_and_the_folder_resumes(tmp_path: Path, tiny: Path) -> None:
    out = tmp_path / "res"
    args = ["simulate", str(tiny), "-n", "200", "--workers", "2", "--out", str(out)]
    proc = zcsim(*args, start_new_session=True)  # its own process group, as a terminal's job
    wait_for(lambda: len(list((out / ".partial").glob("rep-*.npz"))) >= 2 if (out / ".partial").is_dir() else False,
             proc)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: every process of the group gets SIGINT
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines() == ["zcsim: interrupted"], err
    assert (out / ".zcsim.lock").read_text() == ""
    assert not [p for p in out.rglob(".*.tmp-*")]
    from zcsim.sim.output import RunStore, read_manifest

    manifest = read_manifest(out)
    store = RunStore.open(out, manifest, resume=True)
    try:
        done = store.replications()
    finally:
        store.release()
    assert 2 <= len(done) < 200 and not store.skipped


# ---------------------------------------------------------------------------------------------
# Dask
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("extra, says", [
    (["--executor", "dask", "--address", "garbage"], "--address: 'garbage' is not a Dask scheduler address"),
    (["--executor", "dask", "--address", "tcp://:x"], "--address"),
    (["--address", "tcp://127.0.0.1:8786"], "--address: a Dask scheduler address ('tcp://127.0.0.1:8786') is for "
                                             "--executor dask"),
])
def test_a_bad_dask_address_is_one_line(tiny: Path, extra: list[str], says: str) -> None:
    code, _, err = run("simulate", str(tiny), "-n", "1", *extra)
    assert code == 2
    one_error_line(err, says)


def test_an_unreachable_scheduler_is_one_line(tiny: Path) -> None:
    pytest.importorskip("dask.distributed")
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = run("simulate", str(tiny), "-n", "1", "--executor", "dask", "--address", f"tcp://127.0.0.1:{port}")
    assert code == 2
    one_error_line(err, "--address: cannot reach the Dask scheduler")


def test_a_cluster_that_lost_its_workers_is_reported(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dd = pytest.importorskip("dask.distributed")
    monkeypatch.setattr(runner, "DASK_NO_WORKERS_TIMEOUT", 1.0)
    with dd.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                          dashboard_address=None) as cluster:
        cluster.scale(0)
        with dd.Client(cluster) as c:
            deadline = time.monotonic() + 20
            while c.scheduler_info()["workers"] and time.monotonic() < deadline:
                time.sleep(0.1)
        t0 = time.monotonic()
        code, _, err = run("simulate", str(tiny), "-n", "2", "--executor", "dask", "--address",
                           cluster.scheduler_address)
        assert time.monotonic() - t0 < 30
    assert code == 2
    one_error_line(err, "--address: the Dask scheduler at", "has had no worker for 1 s")


# ---------------------------------------------------------------------------------------------
# bounds
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("extra, says", [
    (["-n", "100001"], "100,000"),
    (["--workers", "100000"], "512"),
    (["--seed", str(2**63)], "9223372036854775807"),
])
def test_counts_have_documented_bounds(tiny: Path, extra: list[str], says: str) -> None:
    code, _, err = run("simulate", str(tiny), *extra)
    assert code == 2
    one_error_line(err, says)


def test_a_scenario_asking_for_too_many_replications_is_refused(tmp_path: Path, tiny: Path) -> None:
    p = tmp_path / "huge.yaml"
    p.write_text(tiny.read_text(encoding="utf-8").replace("replications: 10", "replications: 1000000000000"),
                 encoding="utf-8")
    for cmd in (["simulate", str(p)], ["sweep", str(p), "--vary", "staff=3,4"]):
        code, _, err = run(*cmd, "--workers", "1", "--out", str(tmp_path / "o"))
        assert code == 2
        line = one_error_line(err, str(p), "simulation.replications")
        assert re.search(r"100,?000", line), line  # the bound (the scenario's schema may state it too)
        assert not (tmp_path / "o").exists()


def test_a_sweep_too_large_is_refused_before_building_its_variants(tiny: Path) -> None:
    t0 = time.monotonic()
    code, _, err = run("sweep", str(tiny), "--vary", "experts.no_show=0..0.9999:0.0001", "-n", "101")
    assert time.monotonic() - t0 < 10
    assert code == 2
    one_error_line(err, "10,000 variants × 101 replications", "1,000,000")


def test_size_bounds_max_replications(tiny: Path) -> None:
    code, _, err = run("size", str(tiny), "--vary", "staff=3,4", "--target", "vetting_wait_mean<=1",
                       "--max-replications", "100001")
    assert code == 2
    one_error_line(err, "--max-replications", "100,000")


def test_the_help_states_the_bounds_of_the_code() -> None:
    from zcsim.sim.runner import DASK_NO_WORKERS_TIMEOUT, MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS

    _, text, _ = run("simulate", "--help")
    flat = " ".join(text.split())
    assert f"1..{MAX_REPLICATIONS:,}" in flat and f"1..{MAX_WORKERS}" in flat and f"0..{MAX_SEED}" in flat
    assert f"no worker for {DASK_NO_WORKERS_TIMEOUT:g} s" in flat
    _, text, _ = run("replay", "--help")
    flat = " ".join(text.split())
    assert "EVERY file" in flat and ".zcsim.lock" in flat and f"1..{MAX_REPLICATIONS:,}" in flat


def test_a_run_whose_results_would_not_fit_in_memory_stops_after_the_first_replication(
        tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "_memory_bytes", lambda: 2**30)  # a machine with 1 GiB
    t0 = time.monotonic()
    code, _, err = run("simulate", str(tiny), "-n", "100000", "--workers", "1", "--records")
    assert time.monotonic() - t0 < 20
    assert code == 2
    one_error_line(err, "--replications: 100,000 replications would hold about", "GiB", "leave out --records")
