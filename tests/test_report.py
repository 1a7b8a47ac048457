"""zcsim report and --report: the reports build, are self-contained, show the right numbers and
never name experts (Art. 28) unless internal."""

from __future__ import annotations

import base64
import json
import math
import re
import sys
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT

from zcsim.cli import main

pytest.importorskip("matplotlib")

QUICK = str(ROOT / "scenarios" / "quick.yaml")
POOL = ROOT / "examples" / "pool"
PNG = b"\x89PNG\r\n\x1a\n"
EXPERT = re.compile(r"\bE\d+\b")


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


class Page(HTMLParser):
    """What a report page holds: sections, figures, tables (as rows of text), and outside links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.sections: list[str] = []
        self.images: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.remote: list[str] = []
        self.scripts = 0
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag not in {"meta", "img", "br", "link"}:
            self.stack.append(tag)
        if tag == "section":
            self.sections.append(a.get("id") or "")
        elif tag == "img":
            self.images.append(a.get("src") or "")
        elif tag == "table":
            self._table = self.tables.setdefault(a.get("id") or f"_t{len(self.tables)}", [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("script", "link", "iframe"):
            self.scripts += 1
        for k in ("src", "href"):
            v = a.get(k) or ""
            if v.startswith(("http:", "https:", "//")):
                self.remote.append(v)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(path: Path) -> Page:
    p = Page()
    p.feed(path.read_text(encoding="utf-8"))
    p.close()
    assert p.stack == [], f"unclosed tags: {p.stack}"
    assert p.scripts == 0 and p.remote == [], "the report must be self-contained"
    for src in p.images:
        assert src.startswith("data:image/png;base64,"), src[:40]
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG)
    return p


def visible_text(path: Path) -> str:
    """The page without its embedded images (base64 may spell anything)."""
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", path.read_text(encoding="utf-8"))


def table(page: Page, tid: str) -> pd.DataFrame:
    rows = page.tables[tid]
    return pd.DataFrame(rows[1:], columns=rows[0])


def expert_ids(folder: Path) -> set[str]:
    ids: set[str] = set()
    for p in folder.rglob("*.json"):
        ids |= set(EXPERT.findall(p.read_text(encoding="utf-8")))
    return ids


def leaks(ids: set[str], *paths: Path) -> list[str]:
    text = "\n".join(visible_text(p) for p in paths)
    return sorted(i for i in ids if re.search(rf"(?<!\w){re.escape(i)}(?!\w)", text))


# ------------------------------------------------------------------------------------------------
# fixtures: one simulate folder (with --report), one compare folder, verify outputs
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "results"
    code, _, err = run("simulate", QUICK, "-n", "2", "--workers", "1", "--out", str(out), "--report", str(out))
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def cmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "cmp"
    code, _, err = run("compare", QUICK, "--set", "quorum_ratio=3/4", "-n", "2", "--workers", "1",
                       "--out", str(out), "--report", str(out))
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def verify_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("verify") / "v.json"
    code, out, err = run("verify", "--sizes", "11..25", "--json")
    assert code == 0, err
    p.write_text(out, encoding="utf-8")
    return p


# ------------------------------------------------------------------------------------------------
# simulate
# ------------------------------------------------------------------------------------------------
def test_simulate_report_has_every_section_and_figure(sim: Path) -> None:
    page = parse(sim / "report.html")
    assert {"pass-rates", "days", "timeline", "quorum", "expert-load", "all-figures", "about"} <= set(page.sections)
    assert len(page.images) == 5
    assert {"pass-rate-table", "quorum-table", "expert-load-table", "figures-table"} <= set(page.tables)
    md = (sim / "report.md").read_text(encoding="utf-8")
    pngs = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", md)
    assert len(pngs) == 5
    for rel in pngs:
        assert (sim / rel).read_bytes().startswith(PNG)


def test_simulate_report_shows_the_summary_figures(sim: Path) -> None:
    summary = json.loads((sim / "summary.json").read_text(encoding="utf-8"))
    rates = table(parse(sim / "report.html"), "pass-rate-table")
    overall = rates[rates["Series / level"] == "Pass rate (of applicants)"].iloc[0]
    assert overall["Pass rate"] == f"{summary['metrics']['pass_rate']['mean']:.1%}"
    groups = {k for k in summary["metrics"] if k.startswith("pass_rate[")}
    assert {f"Pass rate {k[10:-1]}" for k in groups} <= set(rates["Series / level"])


def test_simulate_report_names_no_expert(sim: Path) -> None:
    ids = expert_ids(sim / "records")
    assert len(ids) > 50  # the records do name experts …
    assert leaks(ids, sim / "report.html", sim / "report.md") == []  # … the report does not (Art. 28)
    load = table(parse(sim / "report.html"), "expert-load-table")
    assert load["Expert"].str.fullmatch(r"Expert \d+").all()


def test_internal_report_keeps_the_identifiers(sim: Path, tmp_path: Path) -> None:
    code, _, err = run("report", str(sim), "--internal", "--out", str(tmp_path / "internal.html"))
    assert code == 0, err
    page = parse(tmp_path / "internal.html")
    assert table(page, "expert-load-table")["Expert"].str.fullmatch(r"E\d+").all()
    assert leaks(expert_ids(sim / "records"), tmp_path / "internal.html")
    assert "INTERNAL REPORT" in visible_text(tmp_path / "internal.html")


def test_quorum_curve_equals_the_binomial_distribution(sim: Path) -> None:
    """P(quorum fails) shown = P(Binomial(n, 1 − no_show) < ⌈2n/3⌉), computed here with scipy."""
    from scipy.stats import binom

    no_show = 0.15  # scenarios/quick.yaml
    rows = table(parse(sim / "report.html"), "quorum-table")
    assert len(rows) >= 10
    for _, r in rows.iterrows():
        n = int(r["Committee size"])
        q = math.ceil(Fraction(2, 3) * n)
        assert int(r["Quorum required"]) == q
        assert float(r["P(quorum fails), exact"]) == pytest.approx(binom.cdf(q - 1, n, 1 - no_show), rel=1e-5)
    observed = rows[rows["Sittings observed"] != "—"]
    assert set(observed["Committee size"]) == {"15", "25"}  # the scenario's committee sizes


def test_quorum_failure_probability_matches_scipy() -> None:
    from scipy.stats import binom

    from zcsim.law import load_rules
    from zcsim.report import quorum_failure_probability

    for rules, ratio in ((load_rules(), Fraction(2, 3)), (load_rules("beijing-2020", ["quorum_ratio=1/2"]), Fraction(1, 2))):
        for n in (3, 11, 15, 24, 25, 51):
            for p in (0.0, 0.05, 0.3):
                q = math.ceil(ratio * n)
                assert quorum_failure_probability(n, p, rules) == pytest.approx(binom.cdf(q - 1, n, 1 - p), abs=1e-12)


def test_report_default_paths_and_markdown_only(sim: Path, tmp_path: Path) -> None:
    from zcsim.report import write_report

    out = write_report(sim, tmp_path / "only.html", formats=("md",))
    assert out == tmp_path / "only.md" and out.exists() and not (tmp_path / "only.html").exists()
    code, _, err = run("report", str(sim), "--markdown-only", "--out", str(tmp_path / "m.html"))
    assert code == 0, err
    assert (tmp_path / "m.md").exists() and not (tmp_path / "m.html").exists()


# ------------------------------------------------------------------------------------------------
# compare
# ------------------------------------------------------------------------------------------------
def test_compare_out_writes_both_runs_and_the_report(cmp: Path) -> None:
    for name in ("base/summary.json", "reform/summary.json", "comparison.json", "report.html", "report.md"):
        assert (cmp / name).exists(), name
    page = parse(cmp / "report.html")
    assert {"differences", "pass-rates", "days", "quorum", "expert-load", "timeline", "about"} <= set(page.sections)
    doc = json.loads((cmp / "comparison.json").read_text(encoding="utf-8"))
    rows = table(page, "comparison-table")
    assert len(rows) == len(doc["metrics"])
    assert (rows["Significant"] == "yes").sum() == sum(m["significant"] for m in doc["metrics"].values())


def test_compare_report_uses_each_runs_rules_and_hides_experts(cmp: Path) -> None:
    rows = table(parse(cmp / "report.html"), "quorum-table")
    for _, r in rows.iterrows():
        n = int(r["Committee size"])
        assert int(r["Quorum required — base"]) == math.ceil(Fraction(2, 3) * n)
        assert int(r["Quorum required — reform"]) == math.ceil(Fraction(3, 4) * n)  # the --set of the reform
    ids = expert_ids(cmp / "base" / "records") | expert_ids(cmp / "reform" / "records")
    assert ids and leaks(ids, cmp / "report.html", cmp / "report.md") == []


# ------------------------------------------------------------------------------------------------
# verify
# ------------------------------------------------------------------------------------------------
def test_verify_report_lists_every_finding(verify_json: Path) -> None:
    code, _, err = run("report", str(verify_json))
    assert code == 0, err
    html = verify_json.with_name("v-report.html")
    page = parse(html)
    results = json.loads(verify_json.read_text(encoding="utf-8"))
    found = table(page, "findings-table")
    props = [r for r in results if r["verdict"] != "figure"]
    assert list(found["Property"]) == [r["id"] for r in props]
    assert list(found["Verdict"]) == [r["verdict"] for r in props]
    text = visible_text(html)
    for r in props:
        if r["counterexample"]:
            assert r["counterexample"]["explanation"].replace("'", "&#x27;") in text
    fig = next(r for r in results if r.get("table"))
    assert len(table(page, "verify-figures-table")) == len(fig["table"])
    assert len(page.images) == 1
    assert leaks(set(EXPERT.findall(verify_json.read_text(encoding="utf-8"))), html) == []


def test_verify_report_option_for_a_rule_change(tmp_path: Path) -> None:
    code, _, err = run("verify", "--against", "beijing-2003-style", "--sizes", "11..21", "--report", str(tmp_path))
    assert code == 1, err  # the change loses guarantees
    page = parse(tmp_path / "report.html")
    change = json.loads((tmp_path / "verify.json").read_text(encoding="utf-8"))
    rows = table(page, "change-table")
    lost = [c["id"] for c in change["changes"] if c["kind"] == "lost"]
    assert lost and list(rows[rows["Change"] == "lost"]["Property"]) == lost


def test_verify_pool_witness_is_pseudonymised(tmp_path: Path) -> None:
    code, _, err = run("verify", "--pool", str(POOL), "--date", "2025-11-14", "--only", "panel",
                       "--report", str(tmp_path))
    assert code == 0, err
    pool = set(EXPERT.findall((POOL / "experts.csv").read_text(encoding="utf-8")))
    assert pool
    # issue 11: verify.json beside the public report is pseudonymised too (Art. 28)
    assert leaks(pool, tmp_path / "verify.json", tmp_path / "report.html", tmp_path / "report.md") == []
    html = visible_text(tmp_path / "report.html")
    assert re.search(r"Expert \d+, Expert \d+", html)
    # the report keeps verify.json's pseudonyms rather than renaming them again
    in_json = set(re.findall(r"Expert \d+", (tmp_path / "verify.json").read_text(encoding="utf-8")))
    assert set(re.findall(r"Expert \d+", html)) <= in_json


# ------------------------------------------------------------------------------------------------
# sweep
# ------------------------------------------------------------------------------------------------
def test_sweep_folder_gets_one_panel_per_metric(tmp_path: Path) -> None:
    rows = []
    for i, v in enumerate(["1/2", "3/5", "2/3"]):
        row: dict[str, Any] = {"variant": i, "quorum_ratio": v}
        for m, x in (("pass_rate", 0.5 + 0.01 * i), ("quorum_failure_rate", 0.02 * i), ("mean_working_days", 80.0 + i)):
            row[m], row[f"{m}_low"], row[f"{m}_high"] = x, x * 0.9, x * 1.1
        row["rules_fingerprint"] = f"f{i}"
        rows.append(row)
    pd.DataFrame(rows).to_csv(tmp_path / "sweep.csv", index=False)
    (tmp_path / "sweep.json").write_text(json.dumps({"format": "zcsim.sweep/1", "varied": [
        {"key": "quorum_ratio", "kind": "rule", "values": ["1/2", "3/5", "2/3"]}]}), encoding="utf-8")
    code, _, err = run("report", str(tmp_path))
    assert code == 0, err
    page = parse(tmp_path / "report.html")
    assert "sweep" in page.sections and len(page.images) == 1
    assert len(table(page, "sweep-table")) == 3


# ------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, expect", [
    (lambda d: d / "missing", "no such file or folder"),
    (lambda d: d, "nothing to report on here"),
    (lambda d: (d / "x.json").write_text("{not json") and d / "x.json", "not valid JSON"),
    (lambda d: (d / "y.json").write_text('{"a": 1}') and d / "y.json", "not a file zcsim can report on"),
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, make: Any, expect: str) -> None:
    code, _, err = run("report", str(make(tmp_path)))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("zcsim: error: ") and expect in err, err
    assert "zcsim simulate --out" in err or "JSON" in err


def test_missing_matplotlib_is_one_line_naming_the_extra(verify_json: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = run("report", str(verify_json), "--out", str(verify_json.with_name("nompl.html")))
    assert code == 2
    assert err.count("\n") == 1 and "pip install 'zcsim[plot]'" in err, err


@pytest.mark.parametrize("args", [
    ["simulate", QUICK, "-n", "1", "--workers", "1"],
    ["compare", QUICK, "--set", "quorum_ratio=1/2", "-n", "1", "--workers", "1"],
    ["sweep", QUICK, "--vary", "staff=1,2", "-n", "1", "--workers", "1"],
    ["verify", "--only", "passing"],
])
def test_report_without_matplotlib_fails_before_any_work(args: list[str], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import zcsim.sim.runner
    import zcsim.verify._run

    def must_not_run(*a: Any, **k: Any) -> Any:
        raise AssertionError("the work ran although the report cannot be written")

    monkeypatch.setattr(zcsim.sim.runner, "run_replications", must_not_run)
    monkeypatch.setattr(zcsim.verify._run, "verify", must_not_run)
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = run(*args, "--report", str(tmp_path / "r.html"))
    assert code == 2
    assert err.count("\n") == 1 and "pip install 'zcsim[plot]'" in err, err


# ------------------------------------------------------------------------------------------------
# pseudonyms
# ------------------------------------------------------------------------------------------------
def test_pseudonyms_are_keyed_and_cover_text() -> None:
    from zcsim.report import Pseudonyms, expert_ids_in

    doc = {"committee": {"members": [{"id": "X-17", "name": "Wang Wei"}, {"id": "E2"}]},
           "meeting": {"presided_by": "X-17", "present": ["X-17", "E2"]},
           "ballots": [{"votes": {"X-17": "yes", "E2": "no"}}]}
    ids = expert_ids_in(doc)
    assert ids == {"X-17", "Wang Wei", "E2"}
    key = b"an agency key of 32 bytes length"  # the same key: the same pseudonyms (tests/test_pseudonyms.py)
    a, b = Pseudonyms(ids, key=key), Pseudonyms(sorted(ids, reverse=True), key=key)
    assert a.mapping == b.mapping and sorted(a.mapping.values()) == ["Expert 1", "Expert 2", "Expert 3"]
    text = a.text("Wang Wei (X-17) recused; E2 and E99 voted; E2x is not an id")
    assert "Wang Wei" not in text and "X-17" not in text and "E99" not in text
    assert "E2x" in text and a.name("E2") in text
    assert Pseudonyms(ids, internal=True).text("X-17") == "X-17"
