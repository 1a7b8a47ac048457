"""Validation of the SimPy model against truths computed independently (binomial tails, Erlang C),
reproducibility, the audit of every simulated meeting record, and multi-year behaviour."""

from __future__ import annotations

import collections
import math
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from zcsim import load_rules
from zcsim.calendar import default_calendar
from zcsim.records import audit, parse_record
from zcsim.sim import OUTCOMES, load_scenario, parse_scenario, run_replication
from zcsim.sim._result import APPLICANT_COLUMNS, MEETING_COLUMNS, METRICS
from zcsim.sim.model import engine_numbers, simulate_vetting_queue

ROOT = Path(__file__).resolve().parents[1]
Z99 = 2.5758293035489  # two-sided 99 % normal quantile


def scenario(**sections: Any) -> Any:
    """A scenario with every nuisance switched off (no ineligibility, objections, incomplete
    materials, fraud, complaints, no-shows, recusals), updated by ``sections``."""
    base: dict[str, Any] = {
        "format": "zcsim.scenario/1",
        "calendar": {"year": 2024},
        "population": {
            "groups": [{"series": "eng", "specialty": "el", "level": "senior", "count": 1000}],
            "employer_kinds": {"state_owned": 1.0},
            "retired": 0, "sanctioned": 0, "skip_level": 0, "exceptional": 0, "objection": 0, "complaint_rate": 0,
            "materials": {"incomplete": 0.0},
            "fraud": {"rate": 0.0},
        },
        "experts": {"pools": [{"series": "eng", "specialty": "el", "size": 60}], "no_show": 0.0},
        "committees": [{"series": "eng", "specialty": "el", "level": "senior", "panel_capacity": 50}],
        "agencies": [{"id": "AG1", "staff": 20, "vetting_time": 0.01}],
        "behaviour": {"model": "independent", "yes_probability": 0.7},
        "simulation": {"replications": 1, "seed": 1},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and key != "behaviour":
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return parse_scenario(base, source="test", folder=ROOT)


def binom_tail_at_least(n: int, p: float, k: int) -> float:
    return sum(math.comb(n, j) * p ** j * (1 - p) ** (n - j) for j in range(k, n + 1))


def within_ci(successes: int, trials: int, p: float) -> bool:
    half = Z99 * math.sqrt(p * (1 - p) / trials) + 0.5 / trials
    return abs(successes / trials - p) <= half


# --- Art. 23: independent votes give the binomial tail ---------------------------------------------

@pytest.mark.parametrize("n, p", [(11, 0.7), (7, 0.6), (15, 0.8), (25, 0.66)])
def test_independent_votes_pass_rate_is_the_binomial_tail(n: int, p: float) -> None:
    k = -(-2 * n // 3)  # ⌈2n/3⌉: yes votes reach two thirds of those present (Art. 23, 以上 inclusive)
    truth = binom_tail_at_least(n, p, k)
    committee = {"series": "eng", "specialty": "el", "level": "senior", "size": n, "panel_capacity": 100,
                 "size_adjustment_filed": n < 11}
    sc = scenario(population={"groups": [{"series": "eng", "specialty": "el", "level": "senior", "count": 3000}]},
                  committees=[committee], behaviour={"model": "independent", "yes_probability": p})
    r = run_replication(sc, sc.ruleset(), np.random.SeedSequence(100 + n))
    out = r.applicants["outcome"]
    assert (r.applicants["present"] == n).all() and (r.applicants["recused"] == 0).all()
    assert set(out.tolist()) <= {"passed", "failed"}
    assert within_ci(int((out == "passed").sum()), out.size, truth), ((out == "passed").mean(), truth)


def test_threshold_variants_follow_the_rule_set_on_common_random_numbers() -> None:
    """The same votes under a lower pass ratio can only pass more applicants (CRN)."""
    sc = scenario(committees=[{"series": "eng", "specialty": "el", "level": "senior", "size": 15}],
                  behaviour={"model": "independent", "yes_probability": 0.62})
    seed = np.random.SeedSequence(7)
    base = run_replication(sc, sc.ruleset(), seed)
    lax = run_replication(sc, sc.ruleset(["pass_ratio=1/2"]), seed)
    strict = run_replication(sc, load_rules("beijing-2003-style", ["committee_max_size=none"]), seed)
    assert (base.applicants["yes"] == lax.applicants["yes"]).all()
    b, lx = base.applicants["outcome"] == "passed", lax.applicants["outcome"] == "passed"
    assert (lx >= b).all() and lx.sum() > b.sum()
    s = strict.applicants["outcome"] == "passed"
    assert (s <= b).all() and s.sum() < b.sum()  # "more than 2/3 of all members" is stricter


# --- Art. 18 / Art. 8: agency vetting is an M/M/c queue: Erlang C -----------------------------------

def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean waiting time in queue of M/M/c (Erlang C)."""
    a = lam / mu
    rho = a / c
    top = a ** c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def _erlang_check(lam: float, mu: float, c: int, n: int, runs: int, seed: int) -> None:
    """Mean wait over ``runs`` independent runs of ``n`` applications (first tenth discarded as
    warm-up) against Erlang C, within 3 standard errors of the run means (+1 % for the remaining
    start-up bias of finite runs)."""
    means, utils = [], []
    for r in range(runs):
        rng = np.random.default_rng([seed, r])
        arrivals = np.cumsum(rng.exponential(1 / lam, n))
        service = rng.exponential(1 / mu, n)
        q = simulate_vetting_queue(arrivals, service, c)
        means.append(q.wait[n // 10:].mean())
        utils.append(q.utilisation)
        # per application: its arrival (the source's timeout), its process starting, its service
        # timeout and its process ending, plus the hand-over from a staff member when it had to
        # wait; plus the source process starting and ending
        assert q.events == 4 * n + int((q.wait > 0).sum()) + 2
    m = np.array(means)
    se = m.std(ddof=1) / math.sqrt(runs)
    truth = erlang_c_wait(lam, mu, c)
    assert abs(m.mean() - truth) <= 3 * se + 0.01 * truth, (m.mean(), truth, se)
    assert abs(np.mean(utils) - lam / (c * mu)) < 0.01


def test_vetting_queue_mean_wait_matches_erlang_c() -> None:
    _erlang_check(lam=2.8, mu=1.0, c=4, n=20_000, runs=5, seed=11)


@pytest.mark.slow
@pytest.mark.parametrize("lam, mu, c", [(3.2, 1.0, 4), (8.5, 0.5, 20), (0.8, 1.0, 1)])
def test_vetting_queue_mean_wait_matches_erlang_c_long(lam: float, mu: float, c: int) -> None:
    _erlang_check(lam=lam, mu=mu, c=c, n=100_000, runs=8, seed=12)


def test_model_vetting_runs_the_same_queue() -> None:
    """In the model, waits and staff utilisation behave like the queue: more staff, less waiting."""
    few = scenario(agencies=[{"id": "AG1", "staff": 2, "vetting_time": {"distribution": "exponential", "mean": 0.05}}])
    many = scenario(agencies=[{"id": "AG1", "staff": 8, "vetting_time": {"distribution": "exponential", "mean": 0.05}}])
    a = run_replication(few, few.ruleset(), np.random.SeedSequence(3)).metrics
    b = run_replication(many, many.ruleset(), np.random.SeedSequence(3)).metrics
    assert a["vetting_wait_mean"] > b["vetting_wait_mean"] >= 0
    assert 0 < b["staff_utilisation"] < a["staff_utilisation"] <= 1


# --- Art. 22: quorum failures with independent no-shows ------------------------------------------

def test_quorum_failure_rate_is_the_binomial_tail() -> None:
    size, q = 25, 0.3
    need = -(-2 * size // 3)  # ⌈2/3 × 25⌉ = 17 present (Art. 22, 不少于)
    truth = sum(math.comb(size, j) * (1 - q) ** j * q ** (size - j) for j in range(need))  # P(Bin(25, .7) < 17)
    specialties = [f"s{i:02d}" for i in range(60)]
    sc = scenario(
        population={"groups": [{"series": "eng", "specialties": specialties, "level": "senior", "count": 120}]},
        experts={"pools": [{"series": "eng", "specialties": specialties, "size": 60 * 30}], "no_show": q,
                 "levels": {"senior": 1.0}},
        committees=[{"series": "eng", "per_specialty": True, "level": "senior", "size": size}],
        simulation={"max_adjournments": 200})
    fails = attempts = 0
    for seed in range(6):
        r = run_replication(sc, sc.ruleset(), np.random.SeedSequence(seed))
        quorum = r.meetings["quorum"].astype(bool)
        fails += int((~quorum).sum())
        attempts += quorum.size
        assert (r.meetings["present"][~quorum] < need).all() and (r.meetings["present"][quorum] >= need).all()
        assert not (r.applicants["outcome"] == "not_reviewed").any()
    assert attempts > 400
    assert within_ci(fails, attempts, truth), (fails / attempts, truth)


def test_adjourned_meetings_move_to_the_next_working_day_and_can_be_abandoned() -> None:
    sc = scenario(experts={"no_show": 0.45}, committees=[{"series": "eng", "specialty": "el", "level": "senior",
                                                           "size": 25}],
                  simulation={"max_adjournments": 2})
    r = run_replication(sc, sc.ruleset(), np.random.SeedSequence(5))
    days = r.meetings["day"]
    assert (np.diff(days) == 1).all() and r.meetings["attempt"].tolist() == list(range(1, days.size + 1))
    if r.meetings["adjourned"].all():
        assert (r.applicants["outcome"] == "not_reviewed").all()


# --- reproducibility ------------------------------------------------------------------------------

def _same(a: Any, b: Any) -> bool:
    if set(a.applicants) != set(b.applicants) or set(a.meetings) != set(b.meetings):
        return False
    cols = all(np.array_equal(a.applicants[k], b.applicants[k]) for k in a.applicants)
    cols &= all(np.array_equal(a.meetings[k], b.meetings[k]) for k in a.meetings)
    metrics = all((a.metrics[k] == b.metrics[k]) or (math.isnan(a.metrics[k]) and math.isnan(b.metrics[k]))
                  for k in a.metrics)
    return cols and metrics and a.records == b.records and a.events == b.events


def test_same_seed_same_output_different_seed_different_output() -> None:
    sc = load_scenario(ROOT / "scenarios" / "quick.yaml")
    rules = sc.ruleset()
    a = run_replication(sc, rules, np.random.SeedSequence(42), keep_records=True)
    b = run_replication(sc, rules, np.random.SeedSequence(42), keep_records=True)
    c = run_replication(sc, rules, np.random.SeedSequence(43), keep_records=True)
    assert _same(a, b)
    assert not _same(a, c)
    assert not np.array_equal(a.applicants["outcome"], c.applicants["outcome"])
    spawned = np.random.SeedSequence(42).spawn(2)
    assert not _same(run_replication(sc, rules, spawned[0]), run_replication(sc, rules, spawned[1]))


def test_replication_has_the_columns_and_metrics_of_the_result_format() -> None:
    sc = load_scenario(ROOT / "scenarios" / "quick.yaml")
    r = run_replication(sc, sc.ruleset(), np.random.SeedSequence(1), index=3)
    assert r.index == 3 and r.events > 1000 and not r.records
    n = r.applicants["applicant"].size
    assert n == 1500
    for c in APPLICANT_COLUMNS:
        assert r.applicants[c].shape == (n,), c
    for c in MEETING_COLUMNS:
        assert c in r.meetings
    for m in METRICS:
        assert m in r.metrics
    assert set(r.applicants["outcome"].tolist()) <= set(OUTCOMES)
    assert any(k.startswith("pass_rate[engineering/") for k in r.metrics)
    done = r.applicants["result_day"] >= 0
    assert done.all() and (r.applicants["working_days"] == r.applicants["result_day"] - r.applicants["applied_day"]).all()
    assert 0 < r.metrics["pass_rate"] < 1 and 0 < r.metrics["staff_utilisation"] <= 1
    assert r.metrics["p95_working_days"] >= r.metrics["mean_working_days"] > 0
    # synthetic identities only (Art. 28)
    assert all(a.startswith("A") and a[1:].isdigit() for a in r.applicants["applicant"][:50])


# --- Art. 27: every simulated meeting yields an auditable record ------------------------------------

EXPECTED_WHEN_ADJOURNED = {"meeting.quorum", "meeting.presiding", "record.complete"}


def _audit_all(r: Any, rules: Any) -> collections.Counter[tuple[str, str]]:
    found: collections.Counter[tuple[str, str]] = collections.Counter()
    for rec in r.records:
        report = audit(parse_record(rec, source="sim"), rules)
        kind = "adjourned" if rec["meeting"]["rounds"] == 0 else "held"
        for v in report.violations:
            found[(kind, v.rule)] += 1
    return found


def test_every_kept_record_passes_audit_except_what_the_simulation_broke() -> None:
    sc = load_scenario(ROOT / "scenarios" / "quick.yaml")
    sc = sc.model_copy(update={"experts": sc.experts.model_copy(update={"no_show": 0.3}),
                               "recusal": sc.recusal.model_copy(update={"rate": 0.02})})
    rules = sc.ruleset()
    r = run_replication(sc, rules, np.random.SeedSequence(9), keep_records=True)
    assert len(r.records) == r.meetings["meeting"].size
    assert r.meetings["adjourned"].any(), "the scenario should produce some adjourned sittings"
    found = _audit_all(r, rules)
    assert not [k for k in found if k[0] == "held"], found
    assert {rule for _, rule in found} <= EXPECTED_WHEN_ADJOURNED
    # the adjourned sittings are recorded honestly: the quorum or presiding failure is visible
    for rec, adjourned in zip(r.records, r.meetings["adjourned"]):
        if adjourned:
            rules_broken = {v.rule for v in audit(parse_record(rec), rules).violations}
            assert rules_broken & {"meeting.quorum", "meeting.presiding"}
    assert sum(len(rec["recusals"]) for rec in r.records) > 0


@pytest.mark.parametrize("overrides", [
    ["threshold_basis=members", "recusal_denominator=eligible"],
    ["quorum_after_recusal=true", "present_not_multiple_of=3"],
    ["publicity_start_day_counts=false", "correction_deadline_working_days=3"],
])
def test_records_pass_audit_under_rule_options(overrides: list[str]) -> None:
    sc = scenario(recusal={"rate": 0.05}, experts={"no_show": 0.1},
                  population={"materials": {"incomplete": 0.3}},
                  committees=[{"series": "eng", "specialty": "el", "level": "senior", "size": 13}])
    rules = sc.ruleset(overrides)
    r = run_replication(sc, rules, np.random.SeedSequence(2), keep_records=True)
    found = _audit_all(r, rules)
    assert not [k for k in found if k[0] == "held"], found
    if "present_not_multiple_of=3" in overrides:
        assert all(p % 3 for p, adj in zip(r.meetings["present"], r.meetings["adjourned"]) if not adj)


# --- numbers come from the engine -----------------------------------------------------------------

def test_engine_numbers_follow_rule_options() -> None:
    import datetime

    cal, day = default_calendar(), datetime.date(2024, 5, 6)
    base = engine_numbers(load_rules(), cal, day)
    assert (base.unit_publicity_days, base.result_publicity_days) == (5, 5)
    assert base.correction_deadline_days == 10
    other = engine_numbers(load_rules(overrides=["publicity_start_day_counts=false", "unit_publicity_working_days=7",
                                                 "correction_deadline_working_days=4"]), cal, day)
    assert (other.unit_publicity_days, other.result_publicity_days, other.correction_deadline_days) == (8, 6, 4)


def test_correction_deadline_decides_withdrawals() -> None:
    sc = scenario(population={"materials": {"incomplete": 1.0, "correction_probability": 1.0,
                                            "correction_delay": {"distribution": "uniform", "low": 0, "high": 10}}})
    short = run_replication(sc, sc.ruleset(["correction_deadline_working_days=2"]), np.random.SeedSequence(1))
    long = run_replication(sc, sc.ruleset(["correction_deadline_working_days=20"]), np.random.SeedSequence(1))
    assert short.applicants["correction_notice"].all()
    assert short.metrics["withdrawn_share"] > 0.5 and long.metrics["withdrawn_share"] == 0


def test_unit_and_result_publicity_lengths_show_in_the_timeline() -> None:
    sc = scenario(employer={"vetting_time": 0})
    a = run_replication(sc, sc.ruleset(), np.random.SeedSequence(1)).applicants
    b = run_replication(sc, sc.ruleset(["unit_publicity_working_days=9", "result_publicity_working_days=8"]),
                        np.random.SeedSequence(1)).applicants
    passed = (a["outcome"] == "passed") & (b["outcome"] == "passed")
    # the agency receives each dossier 4 working days later; results are confirmed 3 days later after it
    assert passed.any()
    assert (b["result_day"][passed] - b["meeting_day"][passed] - (a["result_day"][passed] - a["meeting_day"][passed]) == 3).all()


# --- Art. 3, 13, 16, 24, 29, 41 -----------------------------------------------------------------------

def test_ineligible_shares_go_through_the_eligibility_engine() -> None:
    sc = scenario(population={"retired": 0.1, "employer_kinds": {"state_owned": 0.5, "self_employed": 0.5},
                              "self_employed_years_in_beijing": {0.5: 0.4, 3: 0.6}})
    r = run_replication(sc, sc.ruleset(), np.random.SeedSequence(4))
    inel = r.metrics["ineligible_share"]
    expected = 1 - 0.9 * (0.5 + 0.5 * 0.6)
    assert abs(inel - expected) < 0.05
    lax = run_replication(sc, sc.ruleset(["retired_may_apply=true", "freelancer_min_years_in_beijing=0"]),
                          np.random.SeedSequence(4))
    assert lax.metrics["ineligible_share"] == 0


def test_post_quotas_hold_back_public_institution_passes() -> None:
    sc = scenario(population={"employer_kinds": {"public_institution": 1.0}},
                  post_quotas={"units": 10, "ratio": {"senior": 0.3}},
                  behaviour={"model": "independent", "yes_probability": 0.9})
    r = run_replication(sc, sc.ruleset(), np.random.SeedSequence(3))
    out = r.applicants["outcome"]
    assert (out == "over_quota").sum() > 0
    assert abs((out == "passed").mean() - 0.3) < 0.03


def test_conflicts_mapping_recuses_the_named_experts() -> None:
    sc = scenario(committees=[{"series": "eng", "specialty": "el", "level": "senior", "size": 25}])
    experts = [f"E{i:06d}" for i in range(1, 61)]
    conflicts = {"A0000001": experts[:30], "A0000002": experts[30:35]}
    r = run_replication(sc, sc.ruleset(), np.random.SeedSequence(1), keep_records=True, conflicts=conflicts)
    apps = r.applicants
    rec = r.records[0]
    members = {m["id"] for m in rec["committee"]["members"]}
    for a, es in conflicts.items():
        row = int(np.flatnonzero(apps["applicant"] == a)[0])
        assert apps["recused"][row] == len(members & set(es))
        ballot = next(b for b in rec["ballots"] if b["applicant"] == a)
        assert not set(ballot["votes"]) & set(es)
        panel = next(p for p in rec["panels"] if a in p["applicants"])
        assert not set(panel["experts"]) & set(es)
    assert audit(parse_record(rec), sc.ruleset()).compliant


def test_fraud_is_caught_disqualified_revoked_and_blacklisted_over_years() -> None:
    sc = scenario(
        calendar={"year": 2022},
        population={"fraud": {"rate": 0.3, "detection_at_vetting": 0.5, "complaint_probability": 0.5,
                              "detection_in_reexamination": 1.0, "lookback_detection": 0.5}},
        multi_year={"reapply_probability": 1.0, "years_before_next_level": 1},
        simulation={"years": 3})
    # the bar reading of Art. 41 (an interpretation option): the record also bars new applications
    r = run_replication(sc, sc.ruleset(["blacklist_reading=bar"]), np.random.SeedSequence(8))
    apps = r.applicants
    out, year = apps["outcome"], apps["year"]
    assert {"disqualified", "revoked"} <= set(out[year == 1].tolist())
    assert (out[year == 2] == "blacklisted").sum() > 0 and (out[year == 3] == "blacklisted").sum() > 0
    caught_y1 = set(apps["applicant"][(year == 1) & apps["fraud_caught"]].tolist())
    blocked = set(apps["applicant"][(year == 2) & (out == "blacklisted")].tolist())
    assert blocked and blocked <= caught_y1
    assert 0 < r.metrics["fraud_caught_share"] < 1
    # a shorter blacklist frees them in year 2 (caught in 2022, blacklist_years = 0)
    free = run_replication(sc, sc.ruleset(["blacklist_reading=bar", "blacklist_years=0"]), np.random.SeedSequence(8))
    assert not (free.applicants["outcome"] == "blacklisted").any()
    # the letter (记录期限为3年, the default reading): the fraud is recorded, no application is barred
    letter = run_replication(sc, sc.ruleset(), np.random.SeedSequence(8))
    assert sc.ruleset().blacklist_reading == "record"
    assert not (letter.applicants["outcome"] == "blacklisted").any()
    assert {"disqualified", "revoked"} <= set(letter.applicants["outcome"][letter.applicants["year"] == 1].tolist())


def test_multi_year_reapplication_promotion_and_filing_renewal() -> None:
    sc = scenario(
        calendar={"year": 2022},
        population={"groups": [{"series": "eng", "specialty": "el", "level": "intermediate", "count": 500}]},
        committees=[{"series": "eng", "specialty": "el", "levels": ["intermediate", "senior"], "size": 11}],
        behaviour={"model": "independent", "yes_probability": 0.66},
        multi_year={"reapply_probability": 1.0, "years_before_next_level": 1, "next_level_probability": 1.0,
                    "filed_on": "2019-06-01", "redraw": "per_filing"},
        simulation={"years": 3})
    rules = sc.ruleset()
    r = run_replication(sc, rules, np.random.SeedSequence(6), keep_records=True)
    apps = r.applicants
    y2 = apps["year"] == 2
    failed_y1 = set(apps["applicant"][(apps["year"] == 1) & (apps["outcome"] == "failed")].tolist())
    passed_y1 = set(apps["applicant"][(apps["year"] == 1) & (apps["outcome"] == "passed")].tolist())
    again = set(apps["applicant"][y2 & (apps["level"] == "intermediate")].tolist())
    up = set(apps["applicant"][y2 & (apps["level"] == "senior")].tolist())
    assert failed_y1 <= again and passed_y1 == up
    # filed 2019-06-01, valid 3 years (Art. 11): renewed for the 2022 meetings, and again in 2025
    assert r.metrics["filings_renewed"] >= 2
    for rec in r.records:
        assert audit(parse_record(rec), rules).compliant
    filed = {rec["agency"]["filed_on"] for rec in r.records}
    assert filed == {"2022-06-01"}


def test_reactive_renewal_postpones_the_meeting_and_no_meeting_runs_on_an_expired_filing() -> None:
    sc = scenario(multi_year={"filed_on": "2021-07-01", "renewal": "reactive", "renewal_working_days": 15})
    rules = sc.ruleset()
    r = run_replication(sc, rules, np.random.SeedSequence(2), keep_records=True)
    assert r.metrics["filings_renewed"] == 1
    assert r.meetings["postponed"][0] == 15
    rec = r.records[0]
    assert rec["agency"]["filed_on"] == rec["meeting"]["date"]
    assert audit(parse_record(rec), rules).compliant
    proactive = run_replication(scenario(multi_year={"filed_on": "2021-07-01"}), rules, np.random.SeedSequence(2))
    assert proactive.meetings["postponed"][0] == 0 and proactive.metrics["filings_renewed"] == 1


def test_latent_quality_votes_are_correlated() -> None:
    """With a shared per-applicant term, yes counts are overdispersed relative to a binomial."""
    sc = scenario(behaviour={"model": "latent_quality", "shared_sd": 1.5},
                  committees=[{"series": "eng", "specialty": "el", "level": "senior", "size": 25}])
    r = run_replication(sc, sc.ruleset(), np.random.SeedSequence(1))
    yes = r.applicants["yes"][r.applicants["yes"] >= 0].astype(float)
    n = 25
    p = yes.mean() / n
    assert yes.var() > 3 * n * p * (1 - p)


def test_custom_behaviour_models_plug_in() -> None:
    from zcsim.sim.behaviour import register_behaviour

    class Unanimous:
        def __init__(self, params: dict[str, Any]):
            self.yes = bool(params.get("yes", True))

        def panel_support(self, ctx: Any, rng: Any) -> Any:
            return np.full(ctx.n, self.yes)

        def yes_votes(self, ctx: Any, rng: Any) -> Any:
            return np.full((ctx.n, ctx.stringency.shape[0]), self.yes)

    register_behaviour("unanimous-test", Unanimous)
    sc = scenario(behaviour={"model": "unanimous-test", "params": {"yes": True}})
    r = run_replication(sc, sc.ruleset(), np.random.SeedSequence(1))
    assert (r.applicants["outcome"] == "passed").all()


def test_errors_at_run_time_name_the_scenario_line(tmp_path: Path) -> None:
    from zcsim.errors import InputError

    text = """\
format: zcsim.scenario/1
population:
  groups: [{series: eng, specialty: el, level: senior, count: 30}]
experts:
  pools: [{series: eng, specialty: el, size: 40}]
committees:
  - {series: eng, specialty: el, level: senior, size: 11, panels: 5}
"""
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    sc = load_scenario(p)
    with pytest.raises(InputError) as info:
        run_replication(sc, sc.ruleset(), np.random.SeedSequence(1))
    assert info.value.source == str(p) and "line 7, committees[0].panels" in str(info.value)
    assert "Art. 20" in str(info.value) or "panel_min_size" in str(info.value)
    p.write_text(text.replace("size: 11, panels: 5", "size: 39"), encoding="utf-8")
    sc = load_scenario(p)
    with pytest.raises(InputError, match="line 7, committees\\[0\\].*cannot be drawn"):
        run_replication(sc, sc.ruleset(), np.random.SeedSequence(1))


def test_vetting_desk_serves_as_a_simpy_resource_would() -> None:
    """The desk (a FIFO and a count of idle staff) gives the same waits, to the last bit, as a
    simpy.Resource of the same capacity, also with applications queueing a second time."""
    import simpy

    from zcsim.sim.model import _Env, _VettingDesk

    rng = np.random.default_rng(5)
    n, c = 3000, 3
    arrivals = np.sort(rng.uniform(0, 900, n)).tolist()
    service = rng.exponential(0.9, n).tolist()
    again = (rng.random(n) < 0.3).tolist()
    pause = rng.exponential(2.0, n).tolist()

    def run(desk_vet: Any, env: simpy.Environment) -> list[float]:
        waits = [0.0] * (2 * n)

        def app(i: int) -> Any:
            yield env.timeout(arrivals[i])
            waits[i] = yield from desk_vet(service[i])
            if again[i]:
                yield env.timeout(pause[i])
                waits[n + i] = yield from desk_vet(service[i] / 2)

        for i in range(n):
            env.process(app(i))
        env.run()
        return waits

    env = _Env()
    desk = _VettingDesk(env, [c])
    ours = run(lambda s: desk.vet(0, s), env)
    env2 = simpy.Environment()
    res = simpy.Resource(env2, capacity=c)

    def vet(s: float) -> Any:
        t0 = env2.now
        with res.request() as req:
            yield req
            wait = env2.now - t0
            yield env2.timeout(s)
        return wait

    theirs = run(vet, env2)
    assert ours == theirs
    assert sum(w > 0 for w in ours) > n // 3  # the queue was exercised


def test_sleepers_wake_when_timeouts_would() -> None:
    """Long waits parked outside SimPy's queue end at exactly now + delay, in timeout order."""
    from zcsim.sim.model import _Env, _Sleepers

    rng = np.random.default_rng(9)
    starts = rng.uniform(0, 50, 400).tolist()
    delays = np.where(rng.random(400) < 0.5, rng.uniform(0, 12, 400), np.floor(rng.uniform(0, 12, 400))).tolist()

    def run(parked: bool) -> tuple[list[tuple[float, int]], int]:
        env = _Env()
        sleepers = _Sleepers(env, 1.0)
        seen: list[tuple[float, int]] = []

        def p(i: int) -> Any:
            yield env.timeout(starts[i])
            yield sleepers.wait(delays[i]) if parked else env.timeout(delays[i])
            seen.append((env.now, i))

        for i in range(len(starts)):
            env.process(p(i))
        env.run()
        return seen, env.steps

    (ours, ours_steps), (plain, plain_steps) = run(True), run(False)
    assert ours == plain
    assert ours_steps > plain_steps  # the mover's own timeouts are counted, nothing else is added


def test_events_are_counted() -> None:
    import simpy

    from zcsim.sim.model import _Env

    env = _Env()

    def p(env: simpy.Environment) -> Any:
        for _ in range(10):
            yield env.timeout(1)

    env.process(p(env))
    env.run()
    counted = env.steps

    class Wrapped(simpy.Environment):
        n = 0

        def step(self) -> None:
            try:
                simpy.Environment.step(self)
            finally:
                pass
            Wrapped.n += 1

    env2 = Wrapped()
    env2.process(p(env2))
    env2.run()
    assert counted == Wrapped.n == 12  # Initialize, 10 timeouts, the process ending


# --- scale --------------------------------------------------------------------------------------

@pytest.mark.slow
def test_beijing_scale_replication_within_20_seconds_and_2_gb() -> None:
    sc = load_scenario(ROOT / "scenarios" / "beijing-2020.yaml")
    rules = sc.ruleset()
    cpu = time.process_time()  # one core's time: robust to other load on the machine
    r = run_replication(sc, rules, np.random.SeedSequence(2020))
    cpu = time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert r.applicants["applicant"].size > 95_000 and r.metrics["meetings"] >= 190
    assert r.events > 500_000
    assert cpu <= 20.0, cpu
    assert peak_mb <= 2048, peak_mb
