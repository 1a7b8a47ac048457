"""``zcsim draw``: output, --json shape, --repeat report, and bad input (exit 2, one line, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from zcsim._cli_draw import _load_conflicts, draw
from zcsim.draw import CATEGORIES


@click.group()
def group() -> None:
    """Stands in for the main group of zcsim.cli, to test the command on its own."""


group.add_command(draw)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(group, ["draw", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    # eligible (electrical, senior): 36 experts; young (i % 4 == 0): 10; non-public (i % 7 == 0): 6; both: 2
    rows = ["id,employer,series,specialty,level," + ",".join(CATEGORIES)]
    for i in range(60):
        spec = "electrical" if i < 40 else "civil"
        level = "intermediate" if i % 10 == 9 else "senior"
        flags = ",".join("true" if i % d == 0 else "false" for d in (3, 5, 7, 4))
        rows.append(f"E{i:03},ORG{i % 9},engineering,{spec},{level},{flags}")
    rows.append("M001,H1,medicine,surgery,senior,false,false,false,false")
    experts = tmp_path / "experts.csv"
    experts.write_text("\n".join(rows) + "\n", encoding="utf-8")
    apps = ["id,employer,series,specialty,level"]
    apps += [f"A{i:02},U{i % 5},engineering,electrical,{'senior' if i % 3 else 'intermediate'}" for i in range(40)]
    apps.append("Z01,U1,medicine,surgery,senior")
    applicants = tmp_path / "applicants.csv"
    applicants.write_text("\n".join(apps) + "\n", encoding="utf-8")
    conflicts = tmp_path / "conflicts.json"
    conflicts.write_text(json.dumps(
        [{"applicant": "A01", "expert": f"E{i:03}", "relation": "same_employer", "path": ["x"]} for i in range(0, 30, 2)]
        + [{"applicant": "A02", "expert": "E005", "relation": "co_author"}]), encoding="utf-8")
    return {"experts": str(experts), "applicants": str(applicants), "conflicts": str(conflicts), "dir": str(tmp_path)}


BASE = ["--series", "engineering", "--specialty", "electrical", "--level", "senior", "--seed", "7"]
QUOTA = ["--set", "min_share_scope=committee"]  # the quota draw (Art. 10 shares on each committee); default: pool


def test_draw_prints_committee_roles_quotas_and_alternates(files) -> None:
    code, out, err = run("--experts", files["experts"], *BASE, *QUOTA, "--min-share", "young=1/5")
    assert code == 0, err
    for needle in ("Committee", "chair", "vice-chair", "Committee quotas (Art. 10", "young", "1/5", "Alternates",
                   "Art. 9 checks", "Pool shares (Art. 10)"):
        assert needle in out
    assert err == f"zcsim: read {files['experts']}: 61 rows, utf-8\n"  # how the pool was read (issue 11)


def test_draw_with_panels_respects_conflicts_and_reports_scope(files) -> None:
    code, out, err = run("--experts", files["experts"], *BASE, "--applicants", files["applicants"],
                         "--conflicts", files["conflicts"], "--panels", "3", "--json")
    assert code == 0, err
    doc = json.loads(out)
    panels = doc["panels"]["panels"]
    assert len(panels) == 3 and all(len(p["experts"]) >= 3 for p in panels)
    banned = {f"E{i:03}" for i in range(0, 30, 2)}
    a01 = next(p for p in panels if "A01" in p["applicants"])
    assert not banned & set(a01["experts"])
    assert [o["applicant"] for o in doc["panels"]["out_of_scope"]] == ["Z01"]
    assert sum(p["load"] for p in panels) == 40
    code, out, _ = run("--experts", files["experts"], *BASE, "--applicants", files["applicants"],
                       "--conflicts", files["conflicts"])
    assert code == 0 and "Panels (Art. 20" in out and "outside the committee's scope (Art. 7): Z01" in out


def test_json_shape(files) -> None:
    code, out, _ = run("--experts", files["experts"], *BASE, *QUOTA, "--json", "--min-share", "young=0.2", "--vice-chairs", "2")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"rules", "committee", "panels", "frequencies", "inputs", "warnings"}
    assert [(i["what"], i["encoding"]) for i in doc["inputs"]] == [("experts", "utf-8")] and doc["warnings"] == []
    c = doc["committee"]
    assert c["size"] == 11 and len(c["members"]) == 11 and c["formed_by"] == "specialty"
    assert [m["role"] for m in c["members"]].count("vice_chair") == 2
    assert set(c["quota"]) == set(CATEGORIES)
    assert c["quota"]["young"] == {"share": "1/5", "need": 3, "drawn": c["quota"]["young"]["drawn"],
                                   "available": c["quota"]["young"]["available"], "met": True}
    assert all(ch["ok"] for ch in c["checks"])
    assert [a["rank"] for a in c["alternates"]] == list(range(1, 12))
    assert doc["panels"] is None and doc["frequencies"] is None
    assert run("--experts", files["experts"], *BASE, "--json")[1] == run("--experts", files["experts"], *BASE, "--json")[1]


def test_repeat_prints_the_frequency_report(files) -> None:
    code, out, _ = run("--experts", files["experts"], *BASE, *QUOTA, "--min-share", "young=3/11", "--repeat", "100")
    assert code == 0
    for needle in ("Selection frequencies", "Exact probability", "Empirical frequency", "Legacy frequency",
                   "uniform quota draw (exact)", "legacy greedy", "young experts are drawn with probability"):
        assert needle in out
    code, out, _ = run("--experts", files["experts"], *BASE, "--repeat", "50", "--json")
    rep = json.loads(out)["frequencies"]
    assert rep["repeat"] == 50 and sum(e["count"] for e in rep["experts"]) == 50 * 11
    assert {t["type"] for t in rep["types"]} and rep["spreads"][0]["method"] == "uniform quota draw (exact)"


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("zcsim: error: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("args,needle", [
    (["--experts", "nope.csv", *BASE], "nope.csv: experts file not found"),
    (["--experts", "{experts}", *BASE, "--min-share", "yuong=1/5"], "unknown category 'yuong' (did you mean 'young'?)"),
    (["--experts", "{experts}", *BASE, "--min-share", "young=lots"], "pool_min_share_young = 'lots' is not valid"),
    (["--experts", "{experts}", *BASE, "--min-share", "young"], "expected CATEGORY=SHARE"),
    (["--experts", "{experts}", *BASE, "--size", "12"], "committee size 12 is even"),
    (["--experts", "{experts}", *BASE, "--size", "twelve"], "'twelve' is not a valid integer"),
    (["--experts", "{experts}", "--series", "engineering", "--level", "senior"], "--seed is required"),
    (["--experts", "{experts}", *BASE, "--level", "expert"], "level 'expert' is not one of junior, intermediate, senior"),
    (["--experts", "{experts}", *BASE, *QUOTA, "--min-share", "non-public=1"],
     ("the non-public-expert quota needs 11 (⌈1 × 11⌉) but the pool has 6 eligible non-public experts (Art. 10); "
      "smallest relaxation: lower pool_min_share_non_public from 1 to 6/11 (needs 6 instead of 11) "
      "(--set pool_min_share_non_public=6/11)")),
    (["--experts", "{experts}", *BASE, "--conflicts", "{conflicts}"], "need --applicants FILE"),
    (["--experts", "{experts}", *BASE, "--applicants", "{applicants}", "--conflicts", "missing.json"],
     "missing.json: conflicts file not found"),
    (["--experts", "{experts}", *BASE, "--applicants", "{applicants}", "--conflicts", "{bad_json}"], "not valid JSON"),
    (["--experts", "{experts}", *BASE, "--applicants", "{applicants}", "--conflicts", "{bad_item}"],
     "[1].expert: 'expert' must be a non-empty string"),
    (["--experts", "{experts}", *BASE, "--applicants", "{applicants}", "--relations", "missing-relations.csv", "--date", "2025-01-01"],
     "relations file not found"),
    (["--experts", "{experts}", *BASE, "--applicants", "{applicants}", "--relations", "missing-relations.csv"],
     "--relations and --date go together"),
    (["--experts", "{experts}", *BASE, "--applicants", "{applicants}", "--panels", "5"],
     "5 panels of at least 3 experts need 15 experts; the committee has 11"),
    (["--experts", "{experts}", *BASE, "--repeat", "0"], "--repeat must be at least 1"),
    (["--experts", "{experts}", *BASE, "--rules", "beijing-2099"], "unknown rule set 'beijing-2099'"),
    (["--experts", "{experts}", *BASE, "--bogus"], "No such option"),
])
def test_bad_input_exits_2_with_one_line(files, args, needle) -> None:
    Path(files["dir"], "bad.json").write_text("[{", encoding="utf-8")
    Path(files["dir"], "item.json").write_text('[{"applicant": "A1", "expert": "E1"}, {"applicant": "A1"}]', encoding="utf-8")
    subs = {**files, "bad_json": str(Path(files["dir"], "bad.json")), "bad_item": str(Path(files["dir"], "item.json"))}
    line = one_line_error(*run(*[a.format(**subs) for a in args]))
    assert needle in line, line


def test_infeasible_draw_names_the_relaxation(files) -> None:
    line = one_line_error(*run("--experts", files["experts"], *BASE, *QUOTA, "--min-share", "young=8/11",
                               "--min-share", "non_public=6/11"))
    assert ("the non-public-expert quota needs 6 and the young-expert quota needs 8 in a committee of 11, but only 2 "
            "eligible experts are both non-public and young, so these quotas take at least 12 seats (Art. 10)") in line
    assert "smallest relaxation: lower pool_min_share_" in line and "--set pool_min_share_" in line


def test_applicant_with_too_few_free_experts_on_the_command_line(files, tmp_path: Path) -> None:
    _, out, _ = run("--experts", files["experts"], *BASE, "--json")
    ids = [m["id"] for m in json.loads(out)["committee"]["members"]]
    conflicts = tmp_path / "c.json"
    conflicts.write_text(json.dumps({"conflicts": [{"applicant": "A03", "expert": e} for e in ids[:9]]}), encoding="utf-8")
    line = one_line_error(*run("--experts", files["experts"], *BASE, "--applicants", files["applicants"],
                               "--conflicts", str(conflicts)))
    assert "applicant A03 has only 2 non-conflicted experts in the committee; a panel needs 3 (Art. 20)" in line
    assert "smallest relaxation: replace " in line


def test_load_conflicts_hook_merges_pairs(files) -> None:
    got = _load_conflicts(files["conflicts"], None, None)
    assert got["A01"] == frozenset(f"E{i:03}" for i in range(0, 30, 2)) and got["A02"] == {"E005"}
    assert _load_conflicts(None, None, None) == {}


def test_relations_are_evaluated_by_the_conflicts_module() -> None:
    """--relations/--date: panels avoid every expert the conflicts module finds (Art. 29)."""
    import json as _json

    from click.testing import CliRunner

    from conftest import ROOT
    from zcsim.cli import main
    from zcsim.conflicts import find_conflicts, load_graph

    pool = ROOT / "examples" / "pool"
    args = ["draw", "--experts", str(pool / "experts.csv"), "--applicants", str(pool / "applicants.csv"),
            "--relations", str(pool / "relations.csv"), "--date", "2025-11-14", "--series", "engineering",
            "--level", "senior", "--seed", "7", "--panels", "4", "--json"]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    doc = _json.loads(res.stdout)
    conflicted = find_conflicts(load_graph(pool / "experts.csv", pool / "applicants.csv", pool / "relations.csv"),
                                "2025-11-14").by_applicant()
    panels = doc["panels"]["panels"]
    assert panels
    for panel in panels:
        for a in panel["applicants"]:
            assert not set(panel["experts"]) & conflicted.get(a, frozenset()), (a, panel)
