"""The ``zcsim conflicts`` command: the table, JSON, filters, the plot, warnings on stderr, and
bad input (exit 2, one line, no traceback) — on a tiny group and invoked directly."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from zcsim._cli_conflicts import conflicts

POOL = ROOT / "examples" / "pool"
FILES = ["--experts", str(POOL / "experts.csv"), "--applicants", str(POOL / "applicants.csv"),
         "--relations", str(POOL / "relations.csv")]
DATE = ["--date", "2025-11-14"]


@click.group()
def group() -> None:
    """A stand-in for the main group of zcsim.cli, to test the command on its own."""


group.add_command(conflicts)


def run(*args: str, direct: bool = False) -> tuple[int, str, str]:
    if direct:
        result = CliRunner().invoke(conflicts, list(args), catch_exceptions=False)
    else:
        result = CliRunner().invoke(group, ["conflicts", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_table_grouped_by_applicant_with_summary() -> None:
    code, out, err = run(*FILES, *DATE)
    assert code == 0, err
    # stderr says only how each file was read (issue 11: the encoding and rows are reported)
    assert err.splitlines() == [f"zcsim: read {POOL / n}.csv: {k} rows, utf-8"
                                for n, k in (("experts", 60), ("applicants", 40), ("relations", 79))]
    assert "A3 ←parent_of— R1 ←parent_of— E5: grandparent" in out
    assert "A1 —works_at→ ORG7 ←works_at— E2: same employer" in out
    assert "close_relative" in out and "same_employer" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("29 conflicted pairs, 28 applicants affected (Art. 29 recusal) on 2025-11-14: ")
    assert ("spouse 1, lineal 4, collateral 7, in_law 4, supervisor 3, recommender 2, employment 3, coauthor 3, "
            "project_partner 2") in last
    # grouped: A38 appears once for its two experts
    assert sum(1 for line in out.splitlines() if line.startswith("│ A38 ")) == 1


def test_json_lists_every_pair() -> None:
    code, out, err = run(*FILES, *DATE, "--json")
    assert code == 0, err
    full = json.loads(out)
    assert set(full) == {"date", "conflicts", "inputs", "warnings"}  # an object since issue 11
    assert full["warnings"] == [] and [i["rows"] for i in full["inputs"]] == [60, 40, 79]
    doc = full["conflicts"]
    assert len(doc) == 29
    for item in doc:
        assert set(item) == {"applicant", "expert", "kind", "path", "detail", "other_kinds"}
    a3 = next(d for d in doc if d["applicant"] == "A3")
    assert a3["path"] == ["A3", "<-parent_of-", "R1", "<-parent_of-", "E5"]
    assert a3["other_kinds"] == ["project_partner"]


def test_applicant_filter() -> None:
    code, out, _ = run(*FILES, *DATE, "--json", "--applicant", "A38", "--applicant", "A1")
    assert code == 0
    assert [(d["applicant"], d["expert"]) for d in json.loads(out)["conflicts"]] == [("A1", "E2"), ("A38", "E42"), ("A38", "E51")]
    code, out, _ = run(*FILES, *DATE, "--applicant", "A10")
    assert code == 0 and "No conflicts (Art. 29) on 2025-11-14 for A10." in out


def test_policy_file_changes_the_result(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("# any common employer, past or present\nemployment: ever\nformer_spouses: true\n", encoding="utf-8")
    code, out, _ = run(*FILES, *DATE, "--json", "--policy", str(policy))
    assert code == 0
    pairs = {(d["applicant"], d["expert"]) for d in json.loads(out)["conflicts"]}
    assert {("A16", "E20"), ("A29", "E33"), ("A10", "E14")} <= pairs and len(pairs) == 32


def test_plot_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out_file = tmp_path / "a4.png"
    code, out, err = run(*FILES, *DATE, "--plot", "A4", "--out", str(out_file), "--json")
    assert code == 0, err
    assert out_file.read_bytes()[:4] == b"\x89PNG"
    assert json.loads(out)  # stdout stays JSON; the note about the file goes to stderr
    assert "wrote" in err


def test_plot_needs_out() -> None:
    code, _, err = run(*FILES, *DATE, "--plot", "A4")
    assert code == 2 and "--plot ID and --out FILE.png go together" in err


def test_warnings_go_to_stderr_and_exit_0(tmp_path: Path) -> None:
    rel = tmp_path / "relations.csv"
    rel.write_text((POOL / "relations.csv").read_text(encoding="utf-8") + "R40,R41,parent_of,,\nR41,R40,parent_of,,\nA2,A2,spouse,,\n",
                   encoding="utf-8")
    code, out, err = run("--experts", str(POOL / "experts.csv"), "--applicants", str(POOL / "applicants.csv"),
                         "--relations", str(rel), *DATE, "--json")
    assert code == 0
    lines = [line for line in err.strip().splitlines() if not line.startswith("zcsim: read ")]
    assert len(lines) == 2 and all(line.startswith("zcsim: warning: ") for line in lines)
    assert "own ancestor" in err and "self-relation: A2 spouse A2" in err
    doc = json.loads(out)
    assert len(doc["conflicts"]) == 29 and len(doc["warnings"]) == 2


BAD = [
    ("unknown type", "A1,E1,spuse,,", "line 81, column 3 (type): unknown relation type 'spuse' (did you mean 'spouse'?)"),
    ("bad year", "A1,E1,coauthor,20x1,", "line 81, column 4 (since): expected a year"),
    ("since after until", "A1,E1,coauthor,2021,2020", "line 81, column 5 (until)"),
    ("dangling id", "A1,X99,coauthor,2021,", "line 81, column 2 (target): dangling id 'X99'"),
    ("person as organisation", "A1,E1,works_at,,", "line 81, column 2 (target): 'E1' is used as an organisation here"),
]


@pytest.mark.parametrize("direct", [False, True], ids=["group", "direct"])
@pytest.mark.parametrize("label,row,needle", BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, label: str, row: str, needle: str, direct: bool) -> None:
    rel = tmp_path / "relations.csv"
    rel.write_text((POOL / "relations.csv").read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    code, out, err = run("--experts", str(POOL / "experts.csv"), "--applicants", str(POOL / "applicants.csv"),
                         "--relations", str(rel), *DATE, direct=direct)
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"zcsim: error: {rel}: ")
    assert needle in lines[0], err
    assert "Traceback" not in err


def test_missing_column_and_missing_file_exit_2(tmp_path: Path) -> None:
    rel = tmp_path / "relations.csv"
    rel.write_text("source,target,type,since\nA1,E1,coauthor,2021\n", encoding="utf-8")
    code, _, err = run("--experts", str(POOL / "experts.csv"), "--applicants", str(POOL / "applicants.csv"),
                       "--relations", str(rel), *DATE)
    assert code == 2 and "line 1: missing column 'until'" in err and len(err.strip().splitlines()) == 1
    code, _, err = run("--experts", str(tmp_path / "nope.csv"), "--applicants", str(POOL / "applicants.csv"),
                       "--relations", str(POOL / "relations.csv"), *DATE, direct=True)
    assert code == 2 and err.strip() == f"zcsim: error: {tmp_path / 'nope.csv'}: experts file not found"


def test_bad_policy_and_unknown_applicant_exit_2(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("coauthor_window: 3\n", encoding="utf-8")
    code, _, err = run(*FILES, *DATE, "--policy", str(policy))
    assert code == 2
    assert err.strip().startswith(f"zcsim: error: {policy}: coauthor_window: unknown key (did you mean 'coauthor_window_years'?)")
    code, _, err = run(*FILES, *DATE, "--applicant", "A400")
    assert code == 2 and "unknown applicant 'A400'" in err and len(err.strip().splitlines()) == 1


def test_bad_date_is_a_usage_error() -> None:
    code, _, err = run(*FILES, "--date", "14/11/2025")
    assert code == 2 and "Invalid value for '--date'" in err and "%Y-%m-%d" in err
