"""``zcsim verify``: --json shape, --committee-size, --against exit statuses, --smt2, the pool, bad input
(exit 2, one line, no traceback), and ``python -m zcsim.proofs.<group>``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from zcsim.cli import main
from zcsim.verify import properties

ROOT = Path(__file__).resolve().parents[1]
POOL = ROOT / "examples" / "pool"
MAJORITY, UNANIMOUS = "pass.requires_majority_of_members", "pass.unanimous_eligible_always_passes"
VERDICTS = {"proved", "refuted", "unknown", "figure"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["verify", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> Any:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def audit_cli(record: dict[str, Any], tmp_path: Path, name: str = "rec.json") -> tuple[int, str]:
    """Run `zcsim audit` on a record written to a file (the rule set is the record's own)."""
    path = tmp_path / name
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", str(path)], catch_exceptions=False)
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def default_json() -> list[dict[str, Any]]:
    return run_json()


def test_json_is_a_list_of_results_with_the_issues_keys(default_json: list[dict[str, Any]]) -> None:
    assert isinstance(default_json, list)
    assert [r["id"] for r in default_json] == list(properties())
    for r in default_json:
        assert {"id", "verdict", "articles", "counterexample", "seconds"} <= set(r)
        assert r["verdict"] in VERDICTS
        assert r["articles"] and all(isinstance(a, int) for a in r["articles"])
        assert isinstance(r["seconds"], float) and r["seconds"] >= 0
        if r["verdict"] == "refuted":
            ce = r["counterexample"]
            assert {"size", "present", "yes", "explanation", "record"} <= set(ce)
            assert ce["record"]["format"] == "zcsim.meeting/1"
        elif r["verdict"] == "proved":
            assert r["counterexample"] is None
    verdicts = {r["id"]: r["verdict"] for r in default_json}
    assert verdicts[MAJORITY] == verdicts[UNANIMOUS] == "refuted"
    assert verdicts["ruleset.consistent"] == verdicts["threshold.integer_exact"] == "proved"
    assert verdicts["panel.conflict_free_assignment_exists"] == "unknown"  # no pool: never a pass
    table = next(r for r in default_json if r["verdict"] == "figure")["table"]
    assert [row["size"] for row in table] == list(range(11, 52, 2))  # odd sizes from the Art. 9 minimum, 1..51


def test_counterexample_records_pass_zcsim_audit(default_json: list[dict[str, Any]], tmp_path: Path) -> None:
    refuted = [r for r in default_json if r["verdict"] == "refuted"]
    assert refuted
    for r in refuted:
        code, out = audit_cli(r["counterexample"]["record"], tmp_path, f"{r['id']}.json")
        assert code == 0, out
        assert "compliant" in out


def test_committee_size_25_gives_the_issues_meetings() -> None:
    res = {r["id"]: r for r in run_json("--committee-size", "25")}
    ce = res[MAJORITY]["counterexample"]
    assert (ce["size"], ce["present"], ce["yes"]) == (25, 17, 12)
    ce = res[UNANIMOUS]["counterexample"]
    assert (ce["size"], ce["present"], ce["recused"], ce["yes"]) == (25, 17, 6, 11)
    table = next(r for r in res.values() if r["verdict"] == "figure")["table"]
    assert [row["size"] for row in table] == [25]


def test_text_output_lists_verdicts_and_the_example_meetings() -> None:
    code, out, _ = run("--committee-size", "25")
    assert code == 0
    for needle in ("beijing-2020", MAJORITY, UNANIMOUS, "refuted", "proved", "example meeting",
                   "17 present", "12 yes", "min yes to pass"):
        assert needle in out, needle


def test_rules_and_only_select_what_is_checked() -> None:
    res = run_json("--rules", "beijing-2003-style", "--only", "pass")
    assert {r["id"]: r["verdict"] for r in res} == {MAJORITY: "proved", UNANIMOUS: "refuted"}
    res = run_json("--set", "recusal_denominator=eligible", "--only", UNANIMOUS)
    assert [(r["id"], r["verdict"]) for r in res] == [(UNANIMOUS, "proved")]
    res = run_json("--only", "figures", "--sizes", "25,27")
    assert [row["size"] for row in res[0]["table"]] == [25, 27]


@pytest.mark.parametrize(("args", "code", "lost"), [
    (["--rules", "beijing-2003-style", "--against", "beijing-2020"], 0, []),
    (["--set", "recusal_denominator=eligible", "--against", "beijing-2020"], 0, []),
    (["--against-set", "recusal_denominator=eligible"], 1, [UNANIMOUS]),
    (["--against", "beijing-2003-style"], 1, [MAJORITY]),
])
def test_against_exits_1_exactly_when_a_guarantee_is_lost(args: list[str], code: int, lost: list[str]) -> None:
    c, out, err = run(*args, "--only", "pass", "--only", "ruleset", "--json")
    assert c == code, err
    doc = json.loads(out)
    assert [ch["id"] for ch in doc["changes"] if ch["kind"] == "lost"] == lost
    for ch in doc["changes"]:
        if ch["kind"] == "lost":
            assert ch["before"] == "proved" and ch["after"] == "refuted"
            assert ch["counterexample"]["record"]["format"] == "zcsim.meeting/1"
    assert {"proposed", "baseline", "rule_diff", "changes", "kept", "proposed_results", "baseline_results"} <= set(doc)
    # the text form says the same and exits the same way
    c2, text, _ = run(*args, "--only", "pass", "--only", "ruleset")
    assert c2 == code
    assert ("LOST" in text) == bool(lost)


def test_against_text_names_the_gain_and_the_rule_diff() -> None:
    code, out, _ = run("--rules", "beijing-2003-style", "--against", "beijing-2020", "--only", "pass",
                       "--committee-size", "15")
    assert code == 0
    assert "gained" in out and MAJORITY in out
    assert "threshold_basis" in out and "members" in out


def test_smt2_writes_one_file_per_solver_query(tmp_path: Path) -> None:
    d = tmp_path / "smt"
    code, _, err = run("--smt2", str(d), "--committee-size", "25")
    assert code == 0, err
    files = sorted(d.glob("*.smt2"))
    assert {f.name for f in files} >= {f"{MAJORITY}.smt2", f"{UNANIMOUS}.smt2", "ruleset.consistent--rules.smt2",
                                       "threshold.integer_exact--pass.smt2"}
    assert f"wrote {len(files)} SMT-LIB 2 files" in err
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "; expected: sat" in text or "; expected: unsat" in text
        assert text.rstrip().endswith("(check-sat)")
    # with --against: one folder per rule set
    d2 = tmp_path / "diff"
    code, _, _ = run("--smt2", str(d2), "--against-set", "recusal_denominator=eligible", "--only", "pass")
    assert code == 1
    assert sorted(p.name for p in d2.iterdir()) == ["baseline", "proposed"]
    assert list((d2 / "proposed").glob("*.smt2")) and list((d2 / "baseline").glob("*.smt2"))


def test_pool_panel_assignment_proved_and_refuted() -> None:
    res = run_json("--pool", str(POOL), "--date", "2025-11-14", "--only", "panel")
    assert [r["verdict"] for r in res] == ["proved"]
    assert len(res[0]["witness"]["committee"]) == 25
    res = run_json("--pool", str(POOL), "--date", "2025-11-14", "--only", "panel", "--set", "pool_min_share_young=1/2",
                   "--set", "min_share_scope=committee")
    assert [r["verdict"] for r in res] == ["refuted"]
    assert res[0]["core"] == ["quota.young (Art. 10)"]
    assert res[0]["counterexample"]["core"][0]["rule"] == "quota.young"


@pytest.fixture
def partial_pool(tmp_path: Path) -> Path:
    d = tmp_path / "pool"
    d.mkdir()
    for n in ("experts", "applicants"):
        shutil.copy(POOL / f"{n}.csv", d / f"{n}.csv")
    return d


BAD = {
    "unknown rule set": (["--rules", "nosuch"], "--rules"),
    "unknown key": (["--set", "nosuch=1"], "--set"),
    "bad ratio": (["--set", "pass_ratio=abc"], "pass_ratio"),
    "sizes not numbers": (["--sizes", "abc"], "--sizes"),
    "sizes from zero": (["--sizes", "0..3"], "--sizes"),
    "committee size 0": (["--committee-size", "0"], "--committee-size"),
    "committee size not a number": (["--committee-size", "abc"], "--committee-size"),
    "unknown property": (["--only", "nosuch"], "--only"),
    "near-miss property": (["--only", "pass.requires_majority"], "did you mean"),
    "timeout 0": (["--timeout", "0"], "--timeout"),
    "unknown baseline": (["--against", "nosuch"], "--against"),
    "bad baseline key": (["--against-set", "nosuch=1"], "--against-set"),
    "missing pool": (["--pool", "/nonexistent/pool"], "experts.csv"),
    "bad date": (["--pool", str(POOL), "--date", "14.11.2025"], "--date"),
    "unknown level": (["--level", "expert"], "--level"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_exits_2_with_one_line(name: str) -> None:
    args, needle = BAD[name]
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("zcsim: error:")
    assert needle in lines[0]
    assert "Traceback" not in err


def test_pool_without_relations_exits_2(partial_pool: Path) -> None:
    code, out, err = run("--pool", str(partial_pool), "--date", "2025-11-14", "--only", "panel")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [err.strip()] and "relations.csv" in err


def test_smt2_folder_that_cannot_be_made_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = run("--smt2", str(blocker / "sub"), "--only", "threshold")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "SMT-LIB" in err and "Traceback" not in err


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_python_m_proofs_group_runs_with_the_verify_options() -> None:
    proc = subprocess.run([sys.executable, "-m", "zcsim.proofs.passing", "--committee-size", "25"],
                          capture_output=True, text=True, env=_env(), timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert MAJORITY in proc.stdout and UNANIMOUS in proc.stdout
    assert "threshold.integer_exact" not in proc.stdout  # only the group asked for
    proc = subprocess.run([sys.executable, "-m", "zcsim.proofs.consistency", "--set", "nosuch=1"],
                          capture_output=True, text=True, env=_env(), timeout=120, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
