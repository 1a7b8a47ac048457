"""The zcsim command: exit statuses, JSON output, and bad input (exit 2, one line, no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, ROOT
from zcsim.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, doc: Any, name: str = "record.json") -> str:
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(p)


def test_audit_compliant_example_exits_0() -> None:
    code, out, _ = run("audit", str(EXAMPLES / "compliant.json"))
    assert code == 0
    assert "compliant" in out


def test_audit_violations_example_exits_1_and_names_articles() -> None:
    code, out, _ = run("audit", str(EXAMPLES / "violations.json"))
    assert code == 1
    for art in ("Art. 7", "Art. 9", "Art. 11", "Art. 20", "Art. 22", "Art. 23", "Art. 27", "Art. 29"):
        assert art in out


def test_audit_json_shape() -> None:
    code, out, _ = run("audit", "--json", str(EXAMPLES / "violations.json"))
    assert code == 1
    doc = json.loads(out)
    assert doc["compliant"] is False
    assert doc["violations"]
    for v in doc["violations"]:
        assert set(v) == {"rule", "article", "detail", "applicant", "expert"}
        assert isinstance(v["article"], int) and isinstance(v["rule"], str) and v["detail"]
    rules = {v["rule"] for v in doc["violations"]}
    assert {"committee.size_parity", "filing.valid", "panel.min_size", "meeting.quorum", "meeting.presiding",
            "vote.absent_voter", "vote.rounds", "vote.declared_result", "minutes.signed", "recusal.voted",
            "recusal.panel", "committee.series", "committee.level", "record.complete"} <= rules


def test_audit_json_compliant() -> None:
    code, out, _ = run("audit", "--json", str(EXAMPLES / "compliant.json"))
    assert code == 0
    assert json.loads(out) == {"compliant": True, "record": str(EXAMPLES / "compliant.json"),
                               "rules": "beijing-2020", "violations": []}


def test_audit_several_records_json_list_and_worst_exit() -> None:
    code, out, _ = run("audit", "--json", str(EXAMPLES / "compliant.json"), str(EXAMPLES / "violations.json"))
    assert code == 1
    assert [d["compliant"] for d in json.loads(out)] == [True, False]


def test_rule_change_on_the_command_line_changes_the_verdict(tmp_path: Path, compliant_record: dict[str, Any]) -> None:
    # A02 passes with 7 of 10 present; under the 2003-style rule (more than 2/3 of 11 members) it fails.
    path = write(tmp_path, compliant_record)
    code, out, _ = run("audit", "--json", "--rules", "beijing-2003-style", path)
    assert code == 1
    found = {(v["rule"], v["applicant"]) for v in json.loads(out)["violations"]}
    assert ("vote.declared_result", "A02") in found
    code, out, _ = run("audit", "--json", "--set", "pass_ratio=3/4", path)
    assert ("vote.declared_result", "A02") in {(v["rule"], v["applicant"]) for v in json.loads(out)["violations"]}


def test_record_rules_field_is_compared_not_obeyed(tmp_path: Path, compliant_record: dict[str, Any]) -> None:
    compliant_record["rules"] = "beijing-2003-style"
    path = write(tmp_path, compliant_record)
    code, out, _ = run("audit", "--json", path)
    assert code == 1 and json.loads(out)["rules"] == "beijing-2020"  # the auditor's default, not the record's
    assert [v["rule"] for v in json.loads(out)["violations"]] == ["record.rules"]
    # the auditor may take a built-in name from the record: 2003-style, A02's 7 of 11 members is not more than 2/3
    code, out, _ = run("audit", "--json", "--rules-from-record", path)
    assert code == 1 and json.loads(out)["rules"] == "beijing-2003-style"
    assert ("vote.declared_result", "A02") in {(v["rule"], v["applicant"]) for v in json.loads(out)["violations"]}


BAD_RECORDS = [
    ("not json", "{ this is not json", "not valid JSON", "line 1"),
    ("array", "[1, 2]", "JSON object", None),
    ("wrong format", {"format": "zcsim.meeting/2"}, "expected 'zcsim.meeting/1'", "format"),
    ("no committee", {"format": "zcsim.meeting/1"}, "required field is missing", "committee"),
    ("bad level", {"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "s", "level": "expert", "members": []}},
     "expected 'junior', 'intermediate' or 'senior'", "committee.level"),
    ("bad role", {"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "s", "level": "senior",
                  "members": [{"id": "E1", "role": "boss"}]}}, "'boss'", "committee.members[0].role"),
    ("typo", {"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "s", "level": "senior", "members": [],
              "specialy": "x"}}, "did you mean 'specialty'", "committee.specialy"),
    ("bad date", {"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "s", "level": "senior", "members": []},
                  "meeting": {"date": "2025-13-40"}}, "expected a date YYYY-MM-DD", "meeting.date"),
    ("bad vote", {"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "s", "level": "senior", "members": []},
                  "ballots": [{"applicant": "A", "votes": {"E1": "maybe"}}]}, "'maybe'", "ballots[0].votes.E1"),
    ("bad relation", {"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "s", "level": "senior", "members": []},
                      "relations": [{"expert": "E", "applicant": "A", "type": "friend"}]}, "'friend'", "relations[0].type"),
    ("members not a list", {"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "s", "level": "senior",
                            "members": "E1,E2"}}, "list", "committee.members"),
    ("blank specialty", {"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "s", "specialty": " ",
                         "level": "senior", "members": []}}, "non-blank", "committee.specialty"),
]


@pytest.mark.parametrize("label,doc,needle,where", BAD_RECORDS, ids=[b[0] for b in BAD_RECORDS])
def test_malformed_record_exits_2_with_one_clear_line(tmp_path: Path, label: str, doc: Any, needle: str, where: str | None) -> None:
    path = write(tmp_path, doc)
    code, out, err = run("audit", path)
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert needle in err, err
    if where is not None:
        assert f"{path}: {where}" in err, err
    assert path in err


def test_missing_file_and_directory_exit_2(tmp_path: Path) -> None:
    code, _, err = run("audit", str(tmp_path / "nope.json"))
    assert code == 2 and "nope.json" in err and "not found" in err
    code, _, err = run("audit", str(tmp_path))
    assert code == 2 and "directory" in err


def test_non_utf8_file_exits_2(tmp_path: Path) -> None:
    p = tmp_path / "latin1.json"
    p.write_bytes('{"format": "zcsim.meeting/1", "x": "é"}'.encode("latin-1"))
    code, _, err = run("audit", str(p))
    assert code == 2 and "UTF-8" in err


@pytest.mark.parametrize("args,needle", [
    (["--set", "pass_ratoi=1/2"], "did you mean 'pass_ratio'"),
    (["--set", "pass_ratio"], "expected KEY=VALUE"),
    (["--rules", "beijng-2020"], "did you mean 'beijing-2020'"),
    (["--rules", "missing.yaml"], "rule file not found"),
])
def test_bad_rule_options_exit_2(args: list[str], needle: str) -> None:
    code, out, err = run("audit", *args, str(EXAMPLES / "compliant.json"))
    assert code == 2 and needle in err and "Traceback" not in err and out == ""


def test_rules_lists_every_parameter_with_article() -> None:
    code, out, _ = run("rules", "--json")
    assert code == 0
    doc = json.loads(out)
    keys = {p["key"] for p in doc["parameters"]}
    assert {"pass_ratio", "quorum_ratio", "recusal_denominator", "threshold_basis"} <= keys
    assert next(p for p in doc["parameters"] if p["key"] == "pass_ratio")["article"] == 23
    assert any(c["id"] == "vote.threshold" and c["article"] == 23 for c in doc["checks"])


def test_rules_table_and_diff() -> None:
    code, out, _ = run("rules", "--rules", "national-2019")
    assert code == 0 and "committee_min_size_levels" in out
    code, out, _ = run("rules", "--diff", "beijing-2003-style", "--json")
    rows = {r["key"]: r for r in json.loads(out)}
    assert set(rows) == {"committee_min_size_series", "committee_min_size_specialty", "committee_max_size",
                         "threshold_inclusive", "threshold_basis"}
    assert rows["threshold_basis"]["beijing-2020"] == "present"
    assert rows["threshold_basis"]["beijing-2003-style"] == "members"


def test_rules_coverage_lists_all_articles() -> None:
    code, out, _ = run("rules", "--coverage", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["article"] for r in rows] == list(range(1, 46))
    by = {r["article"]: r for r in rows}
    assert by[23]["status"] == "full" and "two_thirds_exactly_passes" in by[23]["cases"]
    assert by[1]["status"] == "nothing to encode"
    assert by[45]["status"] == "full"  # the in-force date: record.in_force (issue 12)


def test_schema_file_in_repo_is_current() -> None:
    code, out, _ = run("schema", "meeting")
    assert code == 0
    assert json.loads(out) == json.loads((ROOT / "schemas" / "zcsim.meeting-1.schema.json").read_text(encoding="utf-8"))


def test_example_records_validate_against_the_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "schemas" / "zcsim.meeting-1.schema.json").read_text(encoding="utf-8"))
    for name in ("compliant.json", "violations.json"):
        jsonschema.validate(json.loads((EXAMPLES / name).read_text(encoding="utf-8")), schema)


def test_real_entry_point_no_traceback(tmp_path: Path) -> None:
    """The installed console script, as a user runs it."""
    bad = write(tmp_path, "{oops")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-m", "zcsim", "audit", bad], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and bad in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "zcsim", "audit", str(EXAMPLES / "violations.json")],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 1 and "Art. 29" in proc.stdout


def test_workdays_counts_and_checks_publicity() -> None:
    code, out, _ = run("workdays", "2025-09-29", "2025-10-10")
    assert code == 0
    assert out.startswith("4 working days")  # 09-29, 09-30, 10-09, 10-10: National Day in between
    assert "Art. 15" in out and "too short" in out
    code, out, _ = run("workdays", "2025-09-29", "--add", "5")
    assert "end on 2025-10-11" in out  # Saturday 2025-10-11 was an adjusted working day


def test_workdays_uncovered_year_needs_a_calendar_file() -> None:
    code, out, err = run("workdays", "2027-01-04", "--add", "3")
    assert code == 2 and "2027" in err and "--calendar" in err and "Traceback" not in err
    code, out, _ = run("workdays", "2027-01-04", "--add", "3", "--calendar", str(ROOT / "examples" / "calendar-2027.csv"))
    assert code == 0 and "2027-01-06" in out


def test_workdays_bad_calendar_file_exits_2(tmp_path: Path) -> None:
    f = tmp_path / "cal.csv"
    f.write_text("date,working\n2027-13-01,true\n", encoding="utf-8")
    code, _, err = run("workdays", "2027-01-04", "--add", "3", "--calendar", str(f))
    assert code == 2 and "line 2" in err and "cal.csv" in err
