"""Issue 12, items 1 and 6: Art. 10 binds the pool (``pool.min_share``, ``zcsim pool check``,
``min_share_scope``), and Art. 44 removes experts from it (the ``status`` column).

专家库中基层一线专家、中央单位专家、非公领域专家、青年专家应有一定比例 (Art. 10): the shares are the pool's.
评审专家违反本办法第二十八条、第二十九条规定…由评审机构取消其评审专家资格 (Art. 44): such experts are not drawn.
"""

from __future__ import annotations

import csv
import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT
from zcsim import InputError, load_rules
from zcsim.cli import main
from zcsim.draw import (
    CATEGORIES,
    DrawError,
    ExpertRecord,
    Pool,
    QuotaModel,
    draw_committee,
    load_experts,
    quota_need,
    selection_frequencies,
)
from zcsim.draw._seed import child, generator, seed_sequence
from zcsim.procedure import CHECKS
from zcsim.procedure.pool import (
    POOL_CATEGORIES,
    PoolShare,
    committee_min_share,
    committee_quota,
    pool_composition,
    pool_min_share,
    removed_not_drawn,
)

EXPERTS = ROOT / "examples" / "pool" / "experts.csv"
COMMITTEE = "min_share_scope=committee"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def _rows() -> list[dict[str, str]]:
    with EXPERTS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _count(rows: list[dict[str, str]], cat: str) -> int:
    return sum(r[cat] == "true" for r in rows)


def _percent(k: int, n: int) -> str:
    return f"{100 * k / n:.1f}".rstrip("0").rstrip(".") + " %"


def _senior_engineers(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["series"] == "engineering" and r["level"] == "senior"]


def make_pool(n: int, young: int, *, removed: int = 0, series: str = "eng", specialty: str = "el") -> list[ExpertRecord]:
    out = [ExpertRecord(f"E{i:03}", f"O{i}", series, specialty, "senior", young=i < young) for i in range(n)]
    out += [ExpertRecord(f"R{i:03}", f"P{i}", series, specialty, "senior", young=True, status="removed")
            for i in range(removed)]
    return out


# ----------------------------------------------------------------------------------------------
# the rule and its check (Art. 10)
# ----------------------------------------------------------------------------------------------
def test_the_option_is_an_interpretation_citing_art_10_with_the_pool_as_default() -> None:
    spec = load_rules().specs()["min_share_scope"]
    assert load_rules().min_share_scope == "pool"
    assert spec.interpretation and spec.citation.article == 10 and "专家库中" in spec.citation.phrase
    assert spec.choices == ("pool", "committee")
    with pytest.raises(Exception, match="min_share_scope"):
        load_rules(overrides=["min_share_scope=panel"])
    assert POOL_CATEGORIES == CATEGORIES
    assert CHECKS["pool.min_share"].article == 10 and CHECKS["pool.removed_not_drawn"].article == 44


def test_the_example_pool_is_short_of_young_experts_with_the_numbers() -> None:
    rows = _rows()
    senior = _senior_engineers(rows)
    young = _count(senior, "young")
    assert young * 5 < len(senior)  # the example really is short, counted here from the CSV
    pool = Pool(load_experts(EXPERTS))
    rules = load_rules(overrides=["pool_min_share_young=1/5"])
    comp = pool_composition(pool.in_scope("engineering", "senior"), rules)
    s = comp.share("young")
    assert (s.count, s.total, s.met) == (young, len(senior), False)
    assert s.text == f"young: {young} of {len(senior)} = {_percent(young, len(senior))} < 20 %"
    bad = [f for f in pool_min_share(pool.in_scope("engineering", "senior"), rules) if not f.ok]
    assert [f.rule for f in bad] == ["pool.min_share"] and f"{young} of {len(senior)}" in bad[0].detail
    assert bad[0].article == 10


@pytest.mark.parametrize("count,total,minimum,met", [
    (1, 3, Fraction(1, 3), True),                 # exactly the minimum
    (33, 99, Fraction(1, 3), True),
    (332, 1000, Fraction(1, 3), False),
    (333, 1000, Fraction(333, 1000), True),
    (333, 1000, Fraction(1, 3), False),           # 0.333 < 1/3: a float 0.333 would say met
    (0, 0, Fraction(1, 5), False),                # an empty pool has no share
    (0, 0, Fraction(0), True),
    (0, 10, Fraction(0), True),
])
def test_share_comparison_is_exact(count: int, total: int, minimum: Fraction, met: bool) -> None:
    assert PoolShare("young", count, total, minimum).met is met
    if total:
        assert met == (Fraction(count, total) >= minimum)


def test_removed_experts_are_counted_apart() -> None:
    experts = make_pool(38, young=6, removed=2)
    comp = pool_composition(experts, load_rules(overrides=["pool_min_share_young=1/5"]))
    assert (comp.total, comp.removed, comp.share("young").count) == (38, 2, 6)
    assert not comp.ok and "2 removed experts not counted (Art. 44)" in comp.findings[-1].detail


# ----------------------------------------------------------------------------------------------
# zcsim pool check
# ----------------------------------------------------------------------------------------------
def test_pool_check_cli_reports_the_young_share_short() -> None:
    rows = _rows()
    code, out, err = run("pool", "check", str(EXPERTS), "--min-share", "young=1/5")
    assert code == 1, err
    young = _count(rows, "young")
    assert f"young: {young} of {len(rows)} = {_percent(young, len(rows))} < 20 %" in out
    assert "Art. 10" in out and f"{len(rows)} active experts" in out
    senior = _senior_engineers(rows)
    code, out, _ = run("pool", "check", str(EXPERTS), "--min-share", "young=1/5", "--series", "engineering",
                       "--level", "senior")
    assert code == 1
    y = _count(senior, "young")
    assert f"young: {y} of {len(senior)} = {_percent(y, len(senior))} < 20 %" in out


def test_pool_check_cli_exit_0_when_every_share_is_met_and_json() -> None:
    rows = _rows()
    young, non_public = _count(rows, "young"), _count(rows, "non_public")
    share = Fraction(young, len(rows))  # exactly the pool's share: met (以上 includes the number)
    code, out, _ = run("pool", "check", str(EXPERTS), "--min-share", f"young={share}", "--min-share",
                       f"non_public={Fraction(non_public, len(rows))}", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["ok"] is True and doc["total"] == len(rows) and doc["removed"] == 0 and doc["article"] == 10
    by = {s["category"]: s for s in doc["shares"]}
    assert by["young"]["count"] == young and by["young"]["minimum"] == str(share) and by["young"]["met"]
    assert {f["rule"] for f in doc["findings"]} == {"pool.min_share"}
    code, out, _ = run("pool", "check", str(EXPERTS), "--min-share", f"young={Fraction(young + 1, len(rows))}", "--json")
    assert code == 1 and json.loads(out)["ok"] is False


def test_pool_check_with_no_minimum_says_so_and_exits_0() -> None:
    code, out, _ = run("pool", "check", str(EXPERTS))
    assert code == 0 and "no minimum share is set" in out


@pytest.mark.parametrize("args,needle", [
    (["--min-share", "yuong=1/5"], "unknown category 'yuong'"),
    (["--min-share", "young=2"], "pool_min_share_young"),
    (["--series", "engineering"], "--series and --level go together"),
    (["--series", "law", "--level", "senior"], "no expert of series law"),
    (["--series", "engineering", "--level", "seniour"], "did you mean 'senior'"),
    (["--set", "min_share_scope=sometimes"], "min_share_scope"),
])
def test_pool_check_bad_input_is_one_line_exit_2(args: list[str], needle: str) -> None:
    code, out, err = run("pool", "check", str(EXPERTS), *args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("zcsim: error: ") and needle in lines[0], err


def test_pool_check_missing_file_exit_2() -> None:
    code, _, err = run("pool", "check", "no-such-experts.csv")
    assert code == 2 and err.startswith("zcsim: error: ")


def _write_experts(tmp_path: Path, statuses: list[str]) -> Path:
    lines = ["id,employer,series,specialty,level,grassroots,central,non_public,young,status"]
    for i, st in enumerate(statuses):
        lines.append(f"E{i},O{i},eng,el,senior,false,false,false,{'true' if i % 4 == 0 else 'false'},{st}")
    p = tmp_path / "experts.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_status_column_values_and_errors(tmp_path: Path) -> None:
    p = _write_experts(tmp_path, ["active", "", "Removed", "removed"] + ["active"] * 16)
    recs = load_experts(p)
    assert [r.status for r in recs[:4]] == ["active", "active", "removed", "removed"]
    assert "status" not in recs[0].extra
    bad = _write_experts(tmp_path, ["active", "retired"])
    with pytest.raises(InputError, match=r"line 3, column 10 \(status\).*'retired'.*removed"):
        load_experts(bad)
    code, out, err = run("pool", "check", str(bad))
    assert code == 2 and "line 3" in err and len(err.strip().splitlines()) == 1


def test_pool_check_cli_leaves_removed_experts_out(tmp_path: Path) -> None:
    statuses = ["removed" if i in (0, 4) else "active" for i in range(20)]  # two young experts removed
    p = _write_experts(tmp_path, statuses)
    code, out, _ = run("pool", "check", str(p), "--min-share", "young=1/5", "--json")
    doc = json.loads(out)
    active_young = sum(1 for i in range(20) if i % 4 == 0 and statuses[i] == "active")
    assert (doc["total"], doc["removed"]) == (18, 2)
    assert next(s for s in doc["shares"] if s["category"] == "young")["count"] == active_young
    assert code == (0 if active_young * 5 >= 18 else 1)
    code, out, _ = run("pool", "check", str(p), "--min-share", "young=1/5")
    assert "2 removed experts not counted (Art. 44)" in out


# ----------------------------------------------------------------------------------------------
# the draw under both scopes
# ----------------------------------------------------------------------------------------------
def test_default_scope_draws_what_the_quota_draw_could_not() -> None:
    pool = make_pool(20, young=2)
    shares = ["pool_min_share_young=1/5"]
    with pytest.raises(DrawError, match="young-expert quota needs 3"):
        draw_committee(pool, load_rules(overrides=[*shares, COMMITTEE]), series="eng", specialty="el",
                       level="senior", seed=1)
    d = draw_committee(pool, load_rules(overrides=shares), series="eng", specialty="el", level="senior", seed=1)
    assert d.size == 11 and d.need == {c: 0 for c in CATEGORIES} and d.min_share_scope == "pool"
    assert d.pool is not None and not d.pool.ok and d.pool.share("young").count == 2
    assert all(f.ok for f in d.findings)
    assert quota_need(load_rules(overrides=shares), 25)["young"] == 0
    assert quota_need(load_rules(overrides=[*shares, COMMITTEE]), 25)["young"] == math.ceil(Fraction(1, 5) * 25)


def test_default_scope_selection_probabilities_are_uniform_exactly() -> None:
    pool = make_pool(20, young=4)
    rules = load_rules(overrides=["pool_min_share_young=3/11"])
    rep = selection_frequencies(pool, rules, series="eng", specialty="el", level="senior", repeat=2000, seed=5)
    assert rep.need == {c: 0 for c in CATEGORIES}
    for p in rep.exact:
        assert p == pytest.approx(11 / 20, abs=1e-12)
    # the empirical frequencies agree with 11/20 (4.5 standard errors over 2000 draws)
    se = math.sqrt(0.55 * 0.45 / 2000)
    assert all(abs(c / 2000 - 0.55) < 4.5 * se for c in rep.counts)
    assert any("no quotas" in line and "11/20" in line for line in rep.summary)
    exact = QuotaModel(pool, 11, committee_quota(rules, 11)).expert_probabilities(exact=True)
    assert set(exact.values()) == {Fraction(11, 20)}
    quota = selection_frequencies(pool, load_rules(overrides=["pool_min_share_young=3/11", COMMITTEE]),
                                  series="eng", specialty="el", level="senior", repeat=200, seed=5)
    young = [p for e, p in zip(quota.expert_ids, quota.exact) if pool[int(e[1:])].young]
    assert min(young) > 11 / 20  # the quota favours young experts


@pytest.mark.parametrize("seed", [0, 7, 2025])
def test_committee_scope_reproduces_the_quota_draw_of_before(seed: int) -> None:
    """Before issue 12 the draw was QuotaModel(eligible, size, ⌈share × size⌉) sampled with child 0
    of the seed; under ``min_share_scope = committee`` the same committee comes out."""
    pool = Pool(load_experts(EXPERTS))
    overrides = ["pool_min_share_young=1/5", "pool_min_share_grassroots=1/5", "pool_min_share_central=1/10"]
    rules = load_rules(overrides=[*overrides, COMMITTEE])
    d = draw_committee(pool, rules, series="engineering", level="senior", seed=seed)
    eligible = pool.eligible("engineering", "senior")
    need = {c: math.ceil(getattr(rules, f"pool_min_share_{c}") * d.size) for c in CATEGORIES}
    old = QuotaModel(eligible, d.size, need).sample(generator(child(seed_sequence(seed), 0)))
    assert sorted(d.ids) == sorted(e.id for e in old)
    assert d.need == need


def test_committee_scope_draw_pinned_to_the_code_before_issue_12() -> None:
    """Committee of seed 0 drawn by the code of commit ec66e73 (before issue 12) with young=1/5."""
    rules = load_rules(overrides=["pool_min_share_young=1/5", COMMITTEE])
    d = draw_committee(load_experts(EXPERTS), rules, series="engineering", level="senior", seed=0, alternates=5)
    assert list(d.ids) == BEFORE_SEED_0[0] and [e.id for e in d.alternates] == BEFORE_SEED_0[1]


BEFORE_SEED_0: tuple[list[str], list[str]] = (
    ['E40', 'E37', 'E10', 'E11', 'E12', 'E13', 'E17', 'E19', 'E2', 'E22', 'E23', 'E25', 'E26', 'E27', 'E29', 'E3', 'E30', 'E33', 'E34', 'E36', 'E4', 'E44', 'E45', 'E47', 'E9'],
    ['E46', 'E20', 'E8', 'E41', 'E6'])
"""Members (chair, vice-chair, members) and alternates drawn by commit ec66e73's code: a record of
the old behaviour, not a value computed by the code under test."""


def test_removed_experts_are_never_drawn_over_many_seeds() -> None:
    pool = make_pool(20, young=5, removed=6)
    removed = {e.id for e in pool if e.removed}
    for scope in ([], [COMMITTEE]):
        rules = load_rules(overrides=["pool_min_share_young=1/5", *scope])
        for seed in range(200):
            d = draw_committee(pool, rules, series="eng", specialty="el", level="senior", seed=seed)
            assert not removed & set(d.ids)
            assert not removed & {e.id for e in d.alternates}
            assert d.eligible == 20
    rep = selection_frequencies(pool, load_rules(), series="eng", specialty="el", level="senior", repeat=50, seed=1)
    assert not removed & set(rep.expert_ids)


def test_removed_not_drawn_finding() -> None:
    pool = make_pool(3, young=0, removed=1)
    assert not removed_not_drawn(pool).ok and "R000" in removed_not_drawn(pool).detail
    assert removed_not_drawn(pool[:3]).ok
    assert removed_not_drawn(["E1", "R1"], {"R1": "removed"}).article == 44


def test_committee_min_share_check() -> None:
    members = make_pool(11, young=2)
    quota = load_rules(overrides=["pool_min_share_young=1/5", COMMITTEE])
    [f] = committee_min_share(members, quota)
    assert not f.ok and "2 < 3" in f.detail and f.article == 10
    assert all(f.ok for f in committee_min_share(members, load_rules(overrides=["pool_min_share_young=1/5"])))


# ----------------------------------------------------------------------------------------------
# zcsim draw states the pool's shares
# ----------------------------------------------------------------------------------------------
def test_draw_cli_states_the_pool_shares() -> None:
    rows = _senior_engineers(_rows())
    y = _count(rows, "young")
    base = ["draw", "--experts", str(EXPERTS), "--series", "engineering", "--level", "senior", "--seed", "3",
            "--min-share", "young=1/5"]
    code, out, _ = run(*base)
    assert code == 0
    assert "Pool shares (Art. 10)" in out and f"young: {y} of {len(rows)} = {_percent(y, len(rows))} < 20 %" in out
    assert "min_share_scope = pool" in out and "Committee quotas" not in out
    code, out, _ = run(*base, "--json")
    c = json.loads(out)["committee"]
    assert c["min_share_scope"] == "pool" and c["quota"]["young"]["need"] == 0
    young = next(s for s in c["pool_shares"]["shares"] if s["category"] == "young")
    assert (young["count"], young["total"], young["met"]) == (y, len(rows), False)
    code, out, _ = run(*base, "--set", COMMITTEE, "--json")
    c = json.loads(out)["committee"]
    assert c["min_share_scope"] == "committee" and c["quota"]["young"]["need"] == math.ceil(Fraction(1, 5) * c["size"])
    assert c["pool_shares"]["ok"] is False  # the pool is still reported under the committee scope


def test_draw_cli_never_draws_a_removed_expert(tmp_path: Path) -> None:
    statuses = ["removed" if i % 5 == 0 else "active" for i in range(30)]
    p = _write_experts(tmp_path, statuses)
    removed = {f"E{i}" for i, s in enumerate(statuses) if s == "removed"}
    for seed in range(10):
        code, out, err = run("draw", "--experts", str(p), "--series", "eng", "--specialty", "el", "--level", "senior",
                             "--seed", str(seed), "--json")
        assert code == 0, err
        c = json.loads(out)["committee"]
        assert not removed & {m["id"] for m in c["members"]} and not removed & {a["id"] for a in c["alternates"]}
        assert c["eligible"] == 24 and c["pool_shares"]["removed"] == 6


# ----------------------------------------------------------------------------------------------
# verify and the simulator take the option through the RuleSet
# ----------------------------------------------------------------------------------------------
def test_verify_panel_property_has_no_quota_under_the_pool_scope() -> None:
    args = ["verify", "--pool", str(ROOT / "examples" / "pool"), "--date", "2025-11-14", "--only", "panel",
            "--set", "pool_min_share_young=1/2", "--json"]
    code, out, _ = run(*args)
    assert code == 0 and [r["verdict"] for r in json.loads(out)] == ["proved"]
    code, out, _ = run(*args, "--set", COMMITTEE)
    res = json.loads(out)
    assert [r["verdict"] for r in res] == ["refuted"] and res[0]["core"] == ["quota.young (Art. 10)"]


def _scenario(scope: str) -> Any:
    from zcsim.sim import parse_scenario

    return parse_scenario({
        "format": "zcsim.scenario/1",
        "set": {"pool_min_share_young": "1/11", "min_share_scope": scope},
        "calendar": {"year": 2024},
        "population": {"groups": [{"series": "eng", "specialty": "el", "level": "senior", "count": 60}]},
        "experts": {"pools": [{"series": "eng", "specialty": "el", "size": 30}],
                    "categories": {"young": 0.0}},   # a pool with no young expert at all
        "committees": [{"series": "eng", "specialty": "el", "level": "senior"}],
        "agencies": [{"id": "AG1", "staff": 5}],
        "simulation": {"replications": 1, "seed": 1},
    }, source="test", folder=ROOT)


def test_simulator_draws_under_the_scenarios_scope() -> None:
    from zcsim.sim import run_replication

    pool_sc = _scenario("pool")
    rep = run_replication(pool_sc, pool_sc.ruleset(), 1)
    assert rep is not None
    committee_sc = _scenario("committee")
    with pytest.raises(InputError, match="young-expert quota needs 1"):
        run_replication(committee_sc, committee_sc.ruleset(), 1)
