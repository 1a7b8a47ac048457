"""`zcsim replay DIR`: a results folder records what it depends on and reruns to identical figures
(issue 7, part 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from zcsim.cli import main

QUICK = ROOT / "scenarios" / "quick.yaml"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the quick scenario (a test edits it)."""
    p = tmp_path_factory.mktemp("sc") / "quick.yaml"
    shutil.copy(QUICK, p)
    return p


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory, scenario: Path) -> Path:
    out = tmp_path_factory.mktemp("sim") / "res"
    code, _, err = run("simulate", str(scenario), "-n", "3", "--workers", "1", "--records",
                       "--set", "quorum_ratio=3/4", "--out", str(out))
    assert code == 0, err
    return out


@pytest.fixture
def copy(sim: Path, tmp_path: Path) -> Path:
    out = tmp_path / "res"
    shutil.copytree(sim, out)
    return out


def test_the_manifest_records_what_the_results_depend_on(sim: Path, scenario: Path) -> None:
    import hashlib

    m = json.loads((sim / "manifest.json").read_text(encoding="utf-8"))
    assert m["format"] == "zcsim.run/1" and m["command"] == "simulate"
    assert m["scenario_sha256"] == hashlib.sha256(scenario.read_bytes()).hexdigest()
    assert m["scenario_path"] == str(scenario.resolve())
    assert m["overrides"] == ["quorum_ratio=3/4"] and "quorum_ratio=3/4" in m["rules"] and m["rules_fingerprint"]
    assert m["seed"] == 2020 and m["replications"] == 3 and m["keep_records"] is True
    assert m["zcsim"] and {"zcsim", "numpy", "simpy", "pandas"} <= set(m["versions"])


def test_replay_of_a_fresh_folder_is_identical(sim: Path) -> None:
    code, out, err = run("replay", str(sim), "--workers", "2")
    assert code == 0, err
    assert out.startswith("identical") and "3 replications, seed 2020" in out
    assert "warning" not in err


def test_replay_names_an_edited_summary_figure(copy: Path) -> None:
    doc = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    doc["metrics"]["pass_rate"]["mean"] += 0.001
    (copy / "summary.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    code, out, _ = run("replay", str(copy), "--workers", "1")
    assert code == 1
    assert "summary.json: metrics.pass_rate.mean" in out
    assert len([line for line in out.splitlines() if line.startswith("  ")]) == 1  # nothing else differs


def test_replay_names_an_edited_table_cell(copy: Path) -> None:
    lines = (copy / "replications.csv").read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    row = lines[2].split(",")  # replication 1
    col = head.index("quorum_failure_rate")
    row[col] = "0.5"
    lines[2] = ",".join(row)
    (copy / "replications.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run("replay", str(copy), "--workers", "1")
    assert code == 1
    assert "replications.csv: quorum_failure_rate of replication 1: '0.5' in the folder" in out


def test_replay_after_the_scenario_changed_exits_2_naming_it(sim: Path, scenario: Path, tmp_path: Path) -> None:
    original = scenario.read_text(encoding="utf-8")
    keep = tmp_path / "archived.yaml"
    keep.write_text(original, encoding="utf-8")
    try:
        scenario.write_text(original.replace("no_show: 0.15", "no_show: 0.2"), encoding="utf-8")
        code, out, err = run("replay", str(sim))
        assert code == 2 and out == ""
        assert str(scenario) in err and "changed since the run" in err and len(err.strip().splitlines()) == 1
        # a copy with the run's content is accepted in its place
        code, out, err = run("replay", str(sim), "--scenario", str(keep), "--workers", "1")
        assert code == 0 and out.startswith("identical"), err
        code, _, err = run("replay", str(sim), "--scenario", str(scenario))
        assert code == 2 and "changed since the run" in err
    finally:
        scenario.write_text(original, encoding="utf-8")


def test_replay_warns_when_versions_differ(copy: Path) -> None:
    m = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    m["versions"]["numpy"] = "1.0.0"
    (copy / "manifest.json").write_text(json.dumps(m, indent=2), encoding="utf-8")
    code, out, err = run("replay", str(copy), "--workers", "1")
    assert code == 0 and out.startswith("identical")
    assert "warning" in err and "numpy 1.0.0 (run)" in err


def test_replay_of_a_sweep(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    code, _, err = run("sweep", str(scenario), "--vary", "staff=3,5", "-n", "2", "--workers", "1", "--out", str(out))
    assert code == 0, err
    code, text, err = run("replay", str(out), "--workers", "1")
    assert code == 0 and text.startswith("identical"), err
    doc = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    doc["variants"][1]["metrics"]["pass_rate"]["ci95"][0] = 0.0
    (out / "sweep.json").write_text(json.dumps(doc), encoding="utf-8")
    code, text, _ = run("replay", str(out), "--workers", "1")
    assert code == 1 and "sweep.json: variants[1].metrics.pass_rate.ci95[0]" in text


@pytest.mark.parametrize("content, words", [
    (None, ["no manifest.json"]),
    ({"scenario": "x.yaml", "seed": 1}, ["not a zcsim.run/1 run manifest"]),
])
def test_replay_of_something_else_exits_2(tmp_path: Path, content: object, words: list[str]) -> None:
    (tmp_path / "summary.json").write_text("{}", encoding="utf-8")
    if content is not None:
        (tmp_path / "manifest.json").write_text(json.dumps(content), encoding="utf-8")
    code, _, err = run("replay", str(tmp_path))
    assert code == 2 and err.startswith("zcsim: error:")
    for w in words:
        assert w in err
