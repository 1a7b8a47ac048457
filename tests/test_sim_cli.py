"""zcsim simulate / compare / schema scenario, end to end on the quick scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from conftest import ROOT
from zcsim.cli import main

QUICK = str(ROOT / "scenarios" / "quick.yaml")


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_simulate_json_has_the_documented_keys() -> None:
    code, out, _ = run("simulate", QUICK, "-n", "2", "--workers", "1", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["replications"] == 2
    assert 0 <= doc["pass_rate"] <= 1
    assert doc["applicants"] > 0
    m = doc["metrics"]["pass_rate"]
    assert m["ci95"][0] <= m["mean"] <= m["ci95"][1]


def test_simulate_is_reproducible_and_worker_count_does_not_matter() -> None:
    a = json.loads(run("simulate", QUICK, "-n", "2", "--workers", "1", "--json", "--seed", "9")[1])
    b = json.loads(run("simulate", QUICK, "-n", "2", "--workers", "2", "--json", "--seed", "9")[1])
    assert a["metrics"] == b["metrics"]


def test_simulate_writes_tables_and_auditable_records(tmp_path: Path) -> None:
    out = tmp_path / "res"
    code, text, _ = run("simulate", QUICK, "-n", "1", "--workers", "1", "--out", str(out), "--records")
    assert code == 0 and "Wrote" in text
    apps = pd.read_csv(out / "applicants.csv")
    reps = pd.read_csv(out / "replications.csv")
    assert len(reps) == 1 and set(apps["replication"]) == {0}
    assert (out / "applicants.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] is not None and manifest["rules_fingerprint"]
    records = sorted((out / "records").glob("*.json"))
    assert records
    held_under = {json.loads(r.read_text(encoding="utf-8"))["rules"] for r in records}
    assert len(held_under) == 1  # the records name the rule set they were simulated under
    # the auditor names the rules (a record never chooses them): here, those the scenario ran under
    code, audit_out, _ = run("audit", "--json", "--rules", held_under.pop(), *map(str, records))
    docs = json.loads(audit_out)
    docs = docs if isinstance(docs, list) else [docs]
    for d in docs:  # a sitting without quorum is recorded honestly: only those findings may appear
        assert {v["rule"] for v in d["violations"]} <= {"meeting.quorum", "meeting.presiding", "record.complete"}


def test_compare_a_rule_change_reports_paired_differences() -> None:
    code, out, _ = run("compare", QUICK, "--set", "threshold_basis=members", "--set", "threshold_inclusive=false",
                       "-n", "3", "--workers", "1", "--json")
    assert code == 0
    doc = json.loads(out)
    d = doc["metrics"]["pass_rate"]["difference"]
    # a stricter threshold (more than 2/3 of all members) can only lower the pass rate on the same votes
    assert d["mean"] < 0 and d["ci95"][1] < 0
    assert doc["metrics"]["pass_rate"]["significant"] is True


def test_compare_needs_a_reform() -> None:
    code, _, err = run("compare", QUICK)
    assert code == 2


def test_bad_scenario_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: zcsim.scenario/1\npopulaton: {}\n", encoding="utf-8")
    code, out, err = run("simulate", str(bad))
    assert code == 2 and out == ""
    assert "bad.yaml" in err and "line 2" in err and "population" in err and "Traceback" not in err


def test_schema_scenario_is_a_json_schema() -> None:
    code, out, _ = run("schema", "scenario")
    assert code == 0
    doc = json.loads(out)
    assert "properties" in doc and "population" in doc["properties"]
