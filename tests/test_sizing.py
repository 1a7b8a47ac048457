"""zcsim size: targets, exact bounds, analytic pruning and the sequential search."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from scipy import stats
from test_sweep import TINY

from zcsim.cli import main
from zcsim.errors import InputError
from zcsim.sim import load_scenario
from zcsim.sim.sizing import (
    clopper_pearson,
    erlang_c,
    erlang_c_wait,
    look_schedule,
    parse_target,
    quorum_bound,
    size_search,
    vetting_bound,
)
from zcsim.sim.sweep import build_variants, parse_vary


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.yaml"
    p.write_text(TINY, encoding="utf-8")
    return p


def test_parse_target() -> None:
    t = parse_target("p95_days_to_result<=60")
    assert (t.metric, t.op, t.value) == ("p95_working_days", "<=", 60.0)
    assert parse_target("quorum_failure_rate ≤ 1%").value == pytest.approx(0.01)
    assert parse_target("pass_rate>=1/2").op == ">="
    with pytest.raises(InputError, match="did you mean 'quorum_failure_rate'"):
        parse_target("quorum_failure_rte<=0.01")
    with pytest.raises(InputError, match="METRIC<=VALUE"):
        parse_target("quorum_failure_rate=0.01")


@pytest.mark.parametrize("k, n", [(0, 300), (3, 4200), (17, 250), (250, 250), (1, 1)])
@pytest.mark.parametrize("conf", [0.95, 0.99])
def test_clopper_pearson_matches_scipy(k: int, n: int, conf: float) -> None:
    lo, hi = clopper_pearson(k, n, conf)
    # a one-sided bound at conf is the end of the two-sided exact interval at 2·conf − 1
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=2 * conf - 1, method="exact")
    assert lo == pytest.approx(ci.low, abs=1e-12)
    assert hi == pytest.approx(ci.high, abs=1e-12)


def test_clopper_pearson_zero_failures_rule_of_three() -> None:
    # 0 of n: the upper bound is 1 − (1 − conf)^(1/n), about 3/n at 95%
    assert clopper_pearson(0, 4200, 0.99)[1] == pytest.approx(1 - 0.01 ** (1 / 4200))


@pytest.mark.parametrize("s, a", [(1, 0.5), (2, 1.0), (5, 3.9), (10, 9.5), (40, 30.0)])
def test_erlang_c_matches_the_textbook_formula(s: int, a: float) -> None:
    # C(s, a) = P_s·s/(s−a) / (Σ_{k<s} P_k + P_s·s/(s−a)), P_k = Poisson(a) pmf
    pk = stats.poisson(a).pmf
    top = pk(s) * s / (s - a)
    expected = top / (sum(pk(k) for k in range(s)) + top)
    assert erlang_c(s, a) == pytest.approx(expected, rel=1e-10)
    assert erlang_c_wait(s, a, 0.1) == pytest.approx(expected * 0.1 / (s - a), rel=1e-10)
    assert erlang_c(s, s + 0.1) == 1.0 and math.isinf(erlang_c_wait(s, s, 1.0))


def test_quorum_bound_is_the_binomial_tail(tiny: Path) -> None:
    sc = load_scenario(tiny)
    b = quorum_bound(sc, sc.ruleset())
    sizes = {cid: (n, k) for cid, n, k, _ in b.committees}
    assert sorted(sizes.values()) == [(11, 8), (25, 17)]     # quorum = ⌈2/3·n⌉ (Art. 22)
    for _, n, k, q in b.committees:
        # independent: sum of binomial probabilities of fewer than k present
        direct = sum(math.comb(n, x) * 0.85 ** x * 0.15 ** (n - x) for x in range(k))
        assert q == pytest.approx(direct, rel=1e-9)
    assert b.low == min(q for *_, q in b.committees) and b.high == max(q for *_, q in b.committees)


def test_vetting_bound_fluid_and_erlang(tiny: Path) -> None:
    sc = load_scenario(tiny)
    (var_small, var_big) = build_variants(sc, [parse_vary("staff=1,20", sc), parse_vary("agencies[0].vetting_time.mean=2", sc)])
    small = vetting_bound(var_small.scenario, var_small.rules)
    (_, staff, arrivals, days, rho, ec, fluid) = small.agencies[0]
    assert staff == 1 and rho == pytest.approx(arrivals / days * 2.0)
    assert rho > 1 and fluid == pytest.approx((rho - 1) * days / 2) and math.isinf(ec)
    big = vetting_bound(var_big.scenario, var_big.rules)
    (_, staff, arrivals, days, rho, ec, fluid) = big.agencies[0]
    assert rho < 1 and fluid == 0.0 and ec == pytest.approx(erlang_c_wait(20, rho * 20, 2.0))


def test_look_schedule() -> None:
    assert look_schedule(10, 200) == (10, 20, 40, 80, 160, 200)
    assert look_schedule(5, 5) == (5,)
    with pytest.raises(InputError):
        look_schedule(10, 5)


def test_search_finds_smallest_and_prunes_exactly(tiny: Path) -> None:
    sc = load_scenario(tiny)
    vs = [parse_vary("committees[0].size=11..19:2", sc), parse_vary("committees[1].size=25..31:2", sc)]
    target = parse_target("quorum_failure_rate<=0.02")
    res = size_search(sc, vs, [target], confidence=0.95, batch=2, max_replications=4, workers=1)
    assert res.grid == 20 and res.best is not None
    # every pruned configuration: the smaller committee's binomial tail exceeds the target
    for c in res.candidates:
        if c.status == "pruned":
            (chk,) = c.checks
            n = c.variant.values["committees[0].size"], c.variant.values["committees[1].size"]
            tails = [stats.binom.cdf(math.ceil(2 * m / 3) - 1, m, 0.85) for m in n]
            assert chk.bound == pytest.approx(min(tails)) and min(tails) > 0.02
    # the answer is the cheapest configuration whose tails are all ≤ 0.02 (met analytically)
    ok = [c for c in res.candidates if c.status != "not searched"]
    assert res.best is ok[-1] and res.best.checks[0].method == "binomial tail"
    costs = sorted(c.variant.cost for c in res.candidates)
    cheaper = [c for c in res.candidates if c.variant.cost < res.best.variant.cost]
    assert all(c.status in ("pruned", "failed", "undecided") for c in cheaper)
    assert res.binding is not None and res.binding.target == target
    assert res.pruned + res.simulated <= res.grid and costs[0] <= res.best.variant.cost
    assert res.ruled_out_previous is not None


def test_clopper_pearson_path_and_confidence_per_look(tiny: Path) -> None:
    sc = load_scenario(tiny)
    vs = [parse_vary("experts.no_show=0.45", sc)]
    res = size_search(sc, vs, [parse_target("quorum_failure_rate<=0.05")], confidence=0.99, batch=2,
                      max_replications=8, prune=False, workers=1)
    (cand,) = [c for c in res.candidates if c.status != "not searched"]
    (chk,) = cand.checks
    assert chk.method == "clopper-pearson" and chk.trials >= 2 * cand.replications
    per_look = 1 - 0.01 / len(res.looks)
    k = round(chk.estimate * chk.trials)
    lo, hi = clopper_pearson(k, chk.trials, per_look)
    assert chk.bound in (pytest.approx(lo), pytest.approx(hi))
    assert cand.status == "failed" and chk.bound > 0.05   # no_show 0.45: most sittings fail the quorum


def test_undecided_at_the_cap(tiny: Path) -> None:
    sc = load_scenario(tiny)
    vs = [parse_vary("staff=2", sc)]
    probe = size_search(sc, vs, [parse_target("mean_working_days<=1000")], batch=2, max_replications=2, workers=1)
    mean = probe.best.checks[0].estimate  # type: ignore[union-attr]
    res = size_search(sc, vs, [parse_target(f"mean_working_days<={mean}")], batch=2, max_replications=4, workers=1)
    assert res.best is None
    (cand,) = res.candidates
    assert cand.status == "undecided" and cand.replications == 4 and cand.checks[0].status == "undecided"


def test_cli_size_json_and_errors(tiny: Path) -> None:
    r = CliRunner().invoke(main, ["size", str(tiny), "--target", "quorum_failure_rate<=0.02",
                                  "--vary", "committees[0].size=11..15:2", "--batch", "2", "--max-replications", "2",
                                  "--workers", "1", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["format"] == "zcsim.sizing/1" and doc["counts"]["grid"] == 3
    assert doc["best"] is not None and doc["binding"]["target"] == "quorum_failure_rate<=0.02"
    r = CliRunner().invoke(main, ["size", str(tiny), "--target", "quorum_failure_rte<=0.02", "--vary", "staff=1,2"])
    assert r.exit_code == 2 and "did you mean 'quorum_failure_rate'" in r.output
    r = CliRunner().invoke(main, ["size", str(tiny), "--target", "quorum_failure_rate<=0.02", "--vary", "staf=1,2"])
    assert r.exit_code == 2 and "staf" in r.output


def test_cli_size_prints_the_answer(tiny: Path) -> None:
    r = CliRunner().invoke(main, ["size", str(tiny), "--target", "quorum_failure_rate<=0.02", "--target",
                                  "vetting_wait_mean<=50", "--vary", "committees[0].size=11..15:2", "--batch", "2",
                                  "--max-replications", "4", "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "Smallest configuration meeting every target" in r.output and "Binding constraint" in r.output
    assert "pruned analytically" in r.output


def test_simulated_quorum_rate_lies_within_the_analytic_range(tiny: Path) -> None:
    """The model's pooled quorum failure rate agrees with the binomial tails (Art. 22)."""
    from zcsim.sim.sweep import run_sweep

    sc = load_scenario(tiny)
    vs = [parse_vary("experts.no_show=0.3", sc)]
    res = run_sweep(sc, vs, replications=100, workers=2)
    fails = sum(round(m["quorum_failure_rate"] * m["meeting_attempts"]) for m in res.metrics[0])
    sittings = sum(round(m["meeting_attempts"]) for m in res.metrics[0])
    b = quorum_bound(res.variants[0].scenario, res.variants[0].rules)
    lo, hi = clopper_pearson(fails, sittings, 0.999)
    assert lo <= b.high and hi >= b.low, (fails, sittings, b)
