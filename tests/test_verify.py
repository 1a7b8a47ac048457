"""The Z3 verifier (``zcsim.verify``, ``zcsim.proofs``) against the procedure engine and the audit.

What is checked, and against what:

- **agreement** (Hypothesis): for drawn rule sets and concrete meetings, the encoding's ``passes``
  and ``quorate`` evaluate exactly like the engine's ``passes`` / ``quorum_met`` (+ the
  ``present_not_multiple_of`` rule); and for drawn meetings written as records by
  ``counterexample_record``, the rules Z3 says are broken are exactly the ones the audit reports;
- **exhaustive**: for every committee size 1–101, Z3 proves the encoding's pass test equals the
  engine's ``min_yes_to_pass`` table (an If-chain built from the engine), and numpy brute force
  checks the engine's ``passes`` against the same table;
- **expected findings** of the issue, recomputed from each counterexample's record with the engine;
- **figures** against a plain-Python brute force over every meeting the rules allow;
- **rule changes**, **panel assignment** on the example pool, and **SMT-LIB export** re-read by Z3
  and, when installed, by cvc5.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import z3
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from zcsim import load_rules
from zcsim.draw import ExpertRecord
from zcsim.errors import RuleSetError
from zcsim.law import LEVELS, RuleSet
from zcsim.procedure.vote import min_yes_to_pass, passes, quorum_met, quorum_required, threshold_basis
from zcsim.records import audit, parse_record
from zcsim.verify import (
    MeetingModel,
    PanelProblem,
    Verdict,
    compare_rules,
    counterexample_record,
    properties,
    verify,
    write_smt2,
)

ROOT = Path(__file__).resolve().parents[1]
POOL = ROOT / "examples" / "pool"
BUILTINS = ("beijing-2020", "national-2019", "beijing-2003-style")
MAJORITY, UNANIMOUS = "pass.requires_majority_of_members", "pass.unanimous_eligible_always_passes"
QUORUM_AFTER = "quorum.reachable_after_recusal"


# -- helpers ----------------------------------------------------------------------------------------
def by_id(results: Iterable[Any]) -> dict[str, Any]:
    return {r.id: r for r in results}


def evaluate(expr: z3.ExprRef, m: MeetingModel, values: Mapping[str, Any]) -> bool:
    """``expr`` with every model variable replaced by its value in ``values``, simplified to a constant."""
    subs = []
    for name, var in m.variables().items():
        if name in values:
            v = values[name]
            subs.append((var, z3.BoolVal(bool(v)) if z3.is_bool(var) else z3.IntVal(int(v))))
    out = z3.simplify(z3.substitute(expr, *subs))
    assert z3.is_true(out) or z3.is_false(out), f"{expr} did not reduce to a constant: {out}"
    return z3.is_true(out)


def engine_quorate(present: int, size: int, rules: RuleSet) -> bool:
    k = rules.present_not_multiple_of
    return bool(quorum_met(present, size, rules)) and (k is None or present % k != 0)


def engine_passes(yes: int, present: int, recused: int, size: int, rules: RuleSet) -> bool:
    return bool(passes(yes, present, rules, recused=recused, members=size))


def tally_of(record: dict[str, Any], rules: RuleSet, applicant: str = "A01") -> dict[str, Any]:
    """Recompute one applicant's numbers from a record, and the engine's verdict on them."""
    size = len(record["committee"]["members"])
    present = set(record["meeting"]["present"])
    conflicted = {r["expert"] for r in record["recusals"] if r["applicant"] == applicant}
    recused = len(conflicted & present)
    ballots = [b for b in record["ballots"] if b["applicant"] == applicant]
    yes = sum(1 for b in ballots for e, v in b["votes"].items() if v == "yes" and e not in conflicted)
    return {"size": size, "present": len(present), "recused": recused, "yes": yes,
            "eligible": len(present) - recused, "ballots": ballots,
            "passes": engine_passes(yes, len(present), recused, size, rules)}


def assert_compliant(record: dict[str, Any], rules: RuleSet) -> None:
    rep = audit(parse_record(record), rules)
    assert rep.compliant, [(f.rule, f.detail) for f in rep.violations]


# -- rule sets Hypothesis draws -----------------------------------------------------------------------
ratios = st.integers(1, 7).flatmap(lambda q: st.integers(0, q).map(lambda p: f"{p}/{q}"))
maybe_bool = st.sampled_from([None, "true", "false"])


@st.composite
def rule_sets(draw: st.DrawFn, *, proxy: bool = True) -> RuleSet:
    """A built-in rule set with a random selection of the options the encoding depends on."""
    base = draw(st.sampled_from(BUILTINS))
    choices: dict[str, st.SearchStrategy[str | None]] = {
        "pass_ratio": ratios, "quorum_ratio": ratios,
        "threshold_inclusive": maybe_bool, "quorum_inclusive": maybe_bool,
        "threshold_basis": st.sampled_from(["present", "members"]),
        "recusal_denominator": st.sampled_from(["present", "eligible"]),
        "quorum_after_recusal": maybe_bool,
        "present_not_multiple_of": st.sampled_from(["none", "2", "3", "4", "5"]),
        "committee_size_odd": maybe_bool,
        "committee_min_size_series": st.sampled_from(["1", "5", "7", "25"]),
        "committee_min_size_specialty": st.sampled_from(["1", "3", "11"]),
        "committee_min_size_levels": st.sampled_from(["senior", "junior,intermediate,senior", "intermediate"]),
        "committee_max_size": st.sampled_from(["none", "15", "30"]),
        "size_adjustment_filed": maybe_bool,
        "panel_min_size": st.sampled_from(["1", "3", "5"]),
        "panel_experts_from_committee": maybe_bool,
        "presiding_roles": st.sampled_from(["chair", "vice_chair", "chair,vice_chair"]),
        "chairs": st.sampled_from(["1", "2"]),
        "vice_chairs_min": st.sampled_from(["0", "1", "2"]),
        "vice_chairs_max": st.sampled_from(["1", "3"]),
        "recusal_relations": st.sampled_from(["", "spouse", "interest,coauthor"]),  # "" = none requires recusal
    }
    if proxy:
        choices["proxy_votes_allowed"] = maybe_bool
    overrides = []
    for key, strat in choices.items():
        if draw(st.booleans()):
            value = draw(strat)
            if value is not None:
                overrides.append(f"{key}={value}")
    try:
        return load_rules(base, overrides)
    except RuleSetError:  # e.g. vice_chairs_min > vice_chairs_max, or pass_ratio 1 exclusive
        assume(False)
        raise


# -- a. agreement: the encoding decides like the engine ---------------------------------------------
@given(rules=rule_sets(), data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_encoding_passes_and_quorate_agree_with_the_engine(rules: RuleSet, data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 80), label="size")
    present = data.draw(st.integers(0, size), label="present")
    recused = data.draw(st.integers(0, present), label="recused")
    yes = data.draw(st.integers(0, size), label="yes")  # proxy votes can exceed those present
    m = MeetingModel(rules)
    v = {"size": size, "present": present, "recused": recused, "yes": yes}
    assert evaluate(m.passes, m, v) == engine_passes(yes, present, recused, size, rules)
    assert evaluate(m.quorate, m, v) == engine_quorate(present, size, rules)
    # the rule constraints of the meeting say the same
    assert evaluate(m.rule("meeting.quorum").expr, m, v) == bool(quorum_met(present, size, rules))
    if rules.quorum_after_recusal:
        assert evaluate(m.rule("meeting.quorum_after_recusal").expr, m, v) == \
            (present - recused >= quorum_required(size, rules))
    # the engine's basis, the encoding's basis
    assert evaluate(m.basis == threshold_basis(present, rules, recused=recused, members=size), m, v)


@st.composite
def meetings(draw: st.DrawFn, rules: RuleSet) -> dict[str, Any]:
    """Numbers of a meeting that obey the model's background (definitions) and that a record can hold.

    Two rule constraints are kept true by construction because ``counterexample_record`` cannot
    write their violation: ``vote.ballots`` (the audit does not require every expert present to
    vote, and ballots beyond the voters have nobody to cast them) and ``recusal.panel`` (the record
    builder fills the panel from unconflicted experts only, so a larger panel is cut short).
    """
    size = draw(st.integers(1, 40), label="size")
    chairs = draw(st.integers(0, min(2, size)), label="chairs")
    vices = draw(st.integers(0, min(4, size - chairs)), label="vice_chairs")
    present = draw(st.integers(0, size), label="present")
    lo = max(0, present - (size - chairs - vices))  # presiding roles among those present, at least
    cp = draw(st.integers(max(0, lo - vices), min(chairs, present)), label="chairs_present")
    vp = draw(st.integers(max(0, lo - cp), min(vices, present - cp)), label="vices_present")
    recused = draw(st.integers(0, present), label="recused")
    conflicted = draw(st.integers(recused, recused + size - present), label="conflicted")
    eligible = present - recused
    absent_free = size - present - (conflicted - recused)
    ballots = eligible + (draw(st.integers(0, absent_free), label="proxies") if rules.proxy_votes_allowed else 0)
    yes = draw(st.integers(0, ballots), label="yes")
    no = draw(st.integers(0, ballots - yes), label="no")
    panel_cap = size - conflicted if rules.panel_experts_from_committee else size + 3
    return {
        "size": size, "chairs": chairs, "vice_chairs": vices,
        "by_specialty": draw(st.booleans(), label="by_specialty"), "level": draw(st.integers(0, 2), label="level"),
        "present": present, "chairs_present": cp, "vices_present": vp,
        "conflicted": conflicted, "recused": recused,
        "yes": yes, "no": no, "abstain": ballots - yes - no,
        "panel": draw(st.integers(0, panel_cap), label="panel"),
    }


@given(rules=rule_sets(), data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_broken_rules_in_z3_are_the_audits_violations(rules: RuleSet, data: st.DataObject) -> None:
    """Z3's "every rule holds" ⇔ the audit finds the record compliant, rule by rule.

    The record's other content (filing dates, series and level, minutes, one round) is fixed and
    compliant for every rule set drawn here (filing_validity_years etc. are not varied: the
    encoding does not model them). The one audit finding with no Z3 rule is ``record.complete``
    when nobody is present (Art. 27 asks for the experts present; Z3 reports the same meeting
    as breaking ``meeting.presiding``); and where the rule set assumes a filed size adjustment, the
    record files the committee's own size, so an even size also breaks ``committee.filed_size``.
    """
    v = data.draw(meetings(rules), label="meeting")
    m = MeetingModel(rules)
    assert all(evaluate(b, m, v) for b in m.background), "the strategy drew numbers outside the model"
    z3_broken = {c.rule for c in m.rules if not evaluate(c.expr, m, v)}
    assert not z3_broken & {"vote.ballots", "recusal.panel"}  # kept true by construction (see meetings)

    record = counterexample_record(v, rules)
    rep = audit(parse_record(record), rules)
    audit_broken = {f.rule for f in rep.violations}
    expected = z3_broken | ({"record.complete"} if v["present"] == 0 else set())
    if rules.size_adjustment_filed and "committee.size_parity" in z3_broken:
        # the record files the committee's own size (Art. 9); an even filed size is a finding of its own
        expected |= {"committee.filed_size"}
    assert audit_broken == expected, [(f.rule, f.detail) for f in rep.violations]
    assert rep.compliant == (not z3_broken and v["present"] > 0)

    # the tally: Z3's passes is the audit's vote.threshold finding, and the recount from the record
    tally = [f for f in rep.findings if f.rule == "vote.threshold"]
    assert len(tally) == 1
    assert tally[0].ok == evaluate(m.passes, m, v)
    recount = tally_of(record, rules)
    assert (recount["present"], recount["recused"], recount["yes"]) == (v["present"], v["recused"], v["yes"])


# -- b. exhaustive: every committee size up to 101 ----------------------------------------------------
EXHAUSTIVE = {
    "beijing-2020": ("beijing-2020", []),
    "beijing-2003-style": ("beijing-2003-style", []),
    "eligible+quorum_after": ("beijing-2020", ["recusal_denominator=eligible", "quorum_after_recusal=true"]),
    "members-inclusive": ("national-2019", ["threshold_basis=members"]),
    "3/5-exclusive-not-multiple-3": ("beijing-2020", ["pass_ratio=3/5", "threshold_inclusive=false",
                                                      "present_not_multiple_of=3", "quorum_ratio=1/2"]),
    "eligible-members-4/7": ("beijing-2003-style", ["recusal_denominator=eligible", "pass_ratio=4/7",
                                                    "quorum_ratio=3/5", "quorum_inclusive=false"]),
}


def _chain(var: z3.ArithRef, table: Mapping[int, Any], default: Any) -> z3.ExprRef:
    out = default
    for k, val in sorted(table.items(), reverse=True):
        out = z3.If(var == k, val, out)
    return out


# three rule sets in the default run (≈ 3–5 s each), the others with -m slow
EXHAUSTIVE_DEFAULT = ("beijing-2020", "beijing-2003-style", "3/5-exclusive-not-multiple-3")


@pytest.mark.parametrize("name", [n if n in EXHAUSTIVE_DEFAULT else pytest.param(n, marks=pytest.mark.slow)
                                  for n in EXHAUSTIVE])
def test_pass_and_quorum_tests_equal_the_engine_for_every_size_up_to_101(name: str) -> None:
    base, overrides = EXHAUSTIVE[name]
    rules = load_rules(base, overrides)
    m = MeetingModel(rules)
    for size in range(1, 102):
        # the engine's table: fewest yes votes that pass, by threshold basis (size + 1 = never)
        need = {b: (min_yes_to_pass(b, rules) if b > 0 else size + 1) for b in range(size + 1)}
        basis = threshold_basis(m.present, rules, recused=m.recused, members=size)  # the engine's code, on Z3 terms
        engine_pass = m.yes >= _chain(basis, need, z3.IntVal(size + 1))
        # the engine's quorate attendances as a set (a disjunction: Z3 is slow on an If-chain over `mod`)
        engine_quorate_z3 = z3.Or([m.present == p for p in range(size + 1) if engine_quorate(p, size, rules)]
                                  + [z3.BoolVal(False)])
        domain = [m.size == size, m.present >= 0, m.present <= size, m.recused >= 0, m.recused <= m.present,
                  m.yes >= 0, m.yes <= size]
        for what, differ in (("pass", m.passes != engine_pass), ("quorum", m.quorate != engine_quorate_z3)):
            s = z3.Solver()
            s.add(*domain, differ)
            res = s.check()
            assert res == z3.unsat, f"{name}, size {size}: the {what} tests differ at {s.model() if res == z3.sat else res}"

        # plain brute force of the engine's passes (array and scalar paths) against the same table
        p, r, y = np.meshgrid(np.arange(size + 1), np.arange(size + 1), np.arange(size + 1), indexing="ij")
        keep = r <= p
        p, r, y = p[keep], r[keep], y[keep]
        b = threshold_basis(p, rules, recused=r, members=np.full_like(p, size))
        table = np.array([need[k] for k in range(size + 1)])
        expected = (b > 0) & (y >= table[np.clip(b, 0, size)])
        got = passes(y, p, rules, recused=r, members=np.full_like(p, size))
        assert np.array_equal(got, expected), f"{name}, size {size}"
        for i in range(0, len(p), max(1, len(p) // 50)):
            assert engine_passes(int(y[i]), int(p[i]), int(r[i]), size, rules) == bool(expected[i])


# -- c. the expected findings, recomputed from the records --------------------------------------
def test_2020_committee_of_25_passes_with_12_yes_of_17_present() -> None:
    rules = load_rules("beijing-2020")
    res = by_id(verify(rules, committee_size=25, only=["pass"]))
    r = res[MAJORITY]
    assert r.verdict == Verdict.REFUTED
    ce = r.counterexample
    assert (ce["size"], ce["yes"], ce["present"], ce["recused"]) == (25, 12, 17, 0)
    rec = ce["record"]
    assert_compliant(rec, rules)
    t = tally_of(rec, rules)
    assert t["passes"] and 2 * t["yes"] <= t["size"]
    assert t["ballots"][0]["declared_result"] == "pass"
    # and the smallest: 12 is the fewest yes votes that pass at 25 (engine), so no smaller meeting exists
    assert min_yes_to_pass(quorum_required(25, rules), rules) == 12

    r = res[UNANIMOUS]
    assert r.verdict == Verdict.REFUTED
    ce = r.counterexample
    assert (ce["size"], ce["present"], ce["recused"], ce["yes"]) == (25, 17, 6, 11)
    rec = ce["record"]
    assert_compliant(rec, rules)
    t = tally_of(rec, rules)
    assert t["yes"] == t["eligible"] >= 1 and not t["passes"]
    assert t["ballots"][0]["declared_result"] == "fail"


@pytest.mark.parametrize("base", ["beijing-2020", "national-2019"])
def test_refutations_hold_for_every_size_and_their_records_exhibit_them(base: str) -> None:
    rules = load_rules(base)
    res = by_id(verify(rules, only=["pass"]))
    for pid in (MAJORITY, UNANIMOUS):
        r = res[pid]
        assert r.verdict == Verdict.REFUTED, pid
        rec = r.counterexample["record"]
        assert_compliant(rec, rules)
        t = tally_of(rec, rules)
        assert t["size"] == r.counterexample["size"]
        if pid == MAJORITY:
            assert t["passes"] and 2 * t["yes"] <= t["size"]
        else:
            assert t["yes"] == t["eligible"] >= 1 and not t["passes"]


def test_smallest_majority_counterexample_is_the_smallest_by_brute_force() -> None:
    """The unbounded refutation minimises size: no smaller allowed committee has a weak pass."""
    rules = load_rules("beijing-2020")
    ce = by_id(verify(rules, only=[MAJORITY]))[MAJORITY].counterexample
    for size in range(1, ce["size"]):
        m = MeetingModel(rules, committee_size=size)
        s = z3.Solver()
        s.add(*m.constraints(), m.passes, 2 * m.yes <= m.size)
        assert s.check() == z3.unsat, size


def test_2003_style_proves_majority_and_eligible_proves_unanimous() -> None:
    r2003 = load_rules("beijing-2003-style")
    for cs in (None, 15):
        assert by_id(verify(r2003, committee_size=cs, only=[MAJORITY]))[MAJORITY].verdict == Verdict.PROVED
    eligible = load_rules("beijing-2020", ["recusal_denominator=eligible"])
    for cs in (None, 25):
        assert by_id(verify(eligible, committee_size=cs, only=[UNANIMOUS]))[UNANIMOUS].verdict == Verdict.PROVED
    # the proofs are not empty: the same rule sets do have meetings where applicants pass
    for rules in (r2003, eligible):
        assert by_id(verify(rules, only=["ruleset"]))["ruleset.consistent"].verdict == Verdict.PROVED


def test_quorum_after_recusal_counterexample_is_a_compliant_meeting_that_cannot_vote() -> None:
    rules = load_rules("beijing-2020", ["quorum_after_recusal=true"])
    for cs in (None, 25):
        r = by_id(verify(rules, committee_size=cs, only=[QUORUM_AFTER]))[QUORUM_AFTER]
        assert r.verdict == Verdict.REFUTED
        rec = r.counterexample["record"]
        assert_compliant(rec, rules)  # the meeting itself is valid ...
        t = tally_of(rec, rules)
        assert quorum_met(t["present"], t["size"], rules)
        assert 1 <= t["eligible"] < quorum_required(t["size"], rules)  # ... but cannot vote on A01
        assert not t["ballots"]  # and so A01 is not voted on
    assert by_id(verify(load_rules(), only=[QUORUM_AFTER]))[QUORUM_AFTER].verdict == Verdict.PROVED


def test_inconsistent_rules_are_refuted_with_a_core_and_the_rest_is_vacuous() -> None:
    rules = load_rules("beijing-2020", ["panel_min_size=27", "committee_max_size=25"])
    res = by_id(verify(rules))
    rc = res["ruleset.consistent"]
    assert rc.verdict == Verdict.REFUTED
    core = " ".join(rc.core or [])
    assert "panel.min_size" in core and "committee.max_size" in core
    assert "Art. 20" in core
    proved = [r for r in res.values() if r.verdict == Verdict.PROVED]
    assert proved, "some properties hold vacuously"
    for r in proved:
        if r.id == "threshold.integer_exact":  # about integers, not meetings: not vacuous
            assert not r.vacuous
        else:
            assert r.vacuous and "vacuous" in r.detail, r.id
    # with the maximum lifted the same rules are consistent again
    ok = by_id(verify(load_rules("beijing-2020", ["panel_min_size=27"]), only=["ruleset"]))
    assert ok["ruleset.consistent"].verdict == Verdict.PROVED


def test_rule_sets_with_no_presiding_expert_or_no_possible_pass_are_inconsistent() -> None:
    # no meeting at all: only a vice-chair may preside, and there are none
    none = load_rules("beijing-2020", ["presiding_roles=vice_chair", "vice_chairs_min=0", "vice_chairs_max=0"])
    rc = by_id(verify(none, only=["ruleset"]))["ruleset.consistent"]
    assert rc.verdict == Verdict.REFUTED and any("meeting.presiding" in c for c in rc.core or [])
    # meetings, but no pass: 15 members, 100 % of all members needed, and 15 present is forbidden
    never = load_rules("beijing-2003-style", ["committee_min_size_series=15", "committee_min_size_specialty=15",
                                              "pass_ratio=1", "threshold_inclusive=true", "present_not_multiple_of=5"])
    rc = by_id(verify(never, only=["ruleset"]))["ruleset.consistent"]
    assert rc.verdict == Verdict.REFUTED and "no applicant can ever pass" in rc.detail
    assert not engine_passes(14, 14, 0, 15, never) and not engine_quorate(15, 15, never)


def test_integer_threshold_is_exact_and_the_float_note_names_3_present_2_yes() -> None:
    r = by_id(verify(load_rules(), only=["threshold"]))["threshold.integer_exact"]
    assert r.verdict == Verdict.PROVED
    assert "with 3 present and 2 yes" in r.detail
    assert 2 / 3 < 0.667 and 3 * 2 >= 2 * 3  # the float test fails the meeting the exact test passes
    for ov in (["pass_ratio=3/5", "threshold_inclusive=false"], ["quorum_ratio=1/2", "quorum_inclusive=false"]):
        assert by_id(verify(load_rules("beijing-2020", ov), only=["threshold"]))["threshold.integer_exact"].verdict \
            == Verdict.PROVED


def test_witness_of_consistency_is_a_compliant_passing_meeting() -> None:
    for name in BUILTINS:
        rules = load_rules(name)
        rc = by_id(verify(rules, only=["ruleset"]))["ruleset.consistent"]
        assert rc.verdict == Verdict.PROVED and rc.witness is not None
        assert_compliant(rc.witness["record"], rules)
        assert tally_of(rc.witness["record"], rules)["passes"]


def test_counterexample_record_is_readable_when_no_relation_requires_recusal() -> None:
    rules = load_rules("beijing-2020", ["recusal_relations="])
    res = by_id(verify(rules, only=["pass"]))
    rec = res[UNANIMOUS].counterexample["record"]
    assert rec["recusals"]
    assert_compliant(rec, rules)


# -- d. the figures table against brute force ------------------------------------------------------------
def _committee_possible(rules: RuleSet, s: int) -> bool:
    if rules.committee_size_odd and s % 2 == 0:
        return False
    if rules.committee_max_size is not None and s > rules.committee_max_size:
        return False
    if not any((rules.min_committee_size(by_specialty=b, level=lv) or 0) <= s for lv in LEVELS for b in (False, True)):
        return False
    return any(rules.chairs + v <= s and ("chair" in rules.presiding_roles or v >= 1)
               for v in range(rules.vice_chairs_min, rules.vice_chairs_max + 1))


def _figures_brute(rules: RuleSet, s: int) -> dict[str, int | None] | None:
    """Every figure of one committee size, by enumerating attendance and recusals in plain Python."""
    assert not rules.proxy_votes_allowed
    if not _committee_possible(rules, s):
        return None
    cap = s - rules.panel_min_size if rules.panel_experts_from_committee else s  # recused ≤ conflicted ≤ this
    if cap < 0:
        return None

    def valid(p: int, rc: int) -> bool:
        return (p >= 1 and rc <= min(p, cap) and engine_quorate(p, s, rules)
                and (not rules.quorum_after_recusal or bool(quorum_met(p - rc, s, rules))))

    meetings = [(p, rc) for p in range(s + 1) for rc in range(p + 1) if valid(p, rc)]
    if not meetings:
        return None

    def ok(y: int, p: int, rc: int) -> bool:
        return engine_passes(y, p, rc, s, rules)

    yes = [y for p, rc in meetings for y in range(p - rc + 1) if ok(y, p, rc)]
    stop = [s - p for p in range(s + 1) if not engine_quorate(p, s, rules)]
    block = [p - y for p, rc in meetings if rc == 0 for y in range(p + 1) if not ok(y, p, 0)]
    recused = [rc for p, rc in meetings if ok(p - rc, p, rc)]
    return {"size": s, "min_yes_to_pass": min(yes, default=None), "min_absent_to_stop": min(stop, default=None),
            "min_no_to_block": min(block, default=None), "max_recused_passable": max(recused, default=None)}


FIGURE_RULES = {
    "beijing-2020": ("beijing-2020", [], range(1, 52)),
    "beijing-2003-style": ("beijing-2003-style", [], range(1, 20)),
    "national-2019": ("national-2019", [], range(1, 40)),
    "eligible+quorum_after": ("beijing-2020", ["recusal_denominator=eligible", "quorum_after_recusal=true",
                                               "committee_min_size_levels=senior"], range(1, 40)),
    "3/5-exclusive-not-multiple-3": ("national-2019", ["pass_ratio=3/5", "threshold_inclusive=false",
                                                       "present_not_multiple_of=3", "quorum_ratio=1/2",
                                                       "panel_min_size=5"], range(1, 40)),
    "members-even-sizes": ("national-2019", ["threshold_basis=members", "committee_size_odd=false",
                                             "presiding_roles=vice_chair"], range(1, 30)),
}


@pytest.mark.parametrize("name", list(FIGURE_RULES))
def test_figures_table_matches_brute_force(name: str) -> None:
    base, overrides, sizes = FIGURE_RULES[name]
    rules = load_rules(base, overrides)
    r = by_id(verify(rules, sizes=list(sizes), only=["figures"]))["figures.committee_size"]
    assert r.verdict == Verdict.FIGURE
    assert "timed out" not in r.detail and "bounds" not in r.detail
    brute = [row for s in sizes if (row := _figures_brute(rules, s)) is not None]
    assert r.table == brute


def test_figures_table_at_25_under_2020() -> None:
    r = by_id(verify(load_rules(), committee_size=25, only=["figures"]))["figures.committee_size"]
    assert r.table == [{"size": 25, "min_yes_to_pass": 12, "min_absent_to_stop": 9, "min_no_to_block": 6,
                        "max_recused_passable": 8}]


@pytest.mark.slow
@pytest.mark.parametrize("base", ["beijing-2020", "national-2019"])
def test_figures_table_matches_brute_force_up_to_101(base: str) -> None:
    rules = load_rules(base)
    sizes = range(1, 102)
    r = by_id(verify(rules, sizes=list(sizes), only=["figures"]))["figures.committee_size"]
    assert r.table == [row for s in sizes if (row := _figures_brute(rules, s)) is not None]


# -- e. rule changes ---------------------------------------------------------------------------------------
def test_2003_style_against_2020_gains_the_majority_guarantee() -> None:
    ch = compare_rules(load_rules("beijing-2003-style"), load_rules(), only=["pass"])
    kinds = {c["id"]: c["kind"] for c in ch.changes}
    assert kinds.get(MAJORITY) == "gained"
    assert not ch.lost
    gained = next(c for c in ch.changes if c["id"] == MAJORITY)
    assert gained["before"] == "refuted" and gained["after"] == "proved"


def test_eligible_against_literal_is_no_loss_and_literal_against_eligible_loses_unanimous() -> None:
    literal, eligible = load_rules(), load_rules("beijing-2020", ["recusal_denominator=eligible"])
    assert not compare_rules(eligible, literal, only=["pass"]).lost
    ch = compare_rules(literal, eligible, only=["pass", "quorum", "ruleset"])
    assert [c["id"] for c in ch.lost] == [UNANIMOUS]
    lost = ch.lost[0]
    assert lost["before"] == "proved" and lost["after"] == "refuted"
    rec = lost["counterexample"]["record"]
    assert_compliant(rec, literal)
    t = tally_of(rec, literal)
    assert t["yes"] == t["eligible"] >= 1 and not t["passes"]
    assert "ruleset.consistent" in ch.kept and QUORUM_AFTER in ch.kept


def test_rule_change_moves_figures_size_by_size() -> None:
    ch = compare_rules(load_rules("beijing-2020", ["pass_ratio=3/5"]), load_rules(), only=["figures"], sizes=[25, 27])
    figs = {c["id"]: (c["before"], c["after"]) for c in ch.changes if c["kind"] == "figure"}
    # 17 present: ⌈2/3 × 17⌉ = 12 against ⌈3/5 × 17⌉ = 11
    assert figs["figures.committee_size[size=25].min_yes_to_pass"] == (12, 11)
    assert not ch.lost


# -- f. panels on a concrete pool ---------------------------------------------------------------------------
def _example_problem(rules: RuleSet) -> tuple[PanelProblem, dict[str, frozenset[str]]]:
    from zcsim._cli_verify import _pool_problem
    from zcsim.conflicts import ConflictPolicy, find_conflicts, load_graph

    prob, _ids = _pool_problem(str(POOL), rules, dt.date(2025, 11, 14), None, None, None, None, None, None)
    files = [POOL / f"{n}.csv" for n in ("experts", "applicants", "relations")]
    conflicts = find_conflicts(load_graph(*files), dt.date(2025, 11, 14), ConflictPolicy()).by_applicant()
    return prob, conflicts


def test_example_pool_has_conflict_free_panels() -> None:
    rules = load_rules()
    prob, conflicts = _example_problem(rules)
    assert conflicts, "the example pool has conflicts (29 pairs on 2025-11-14)"
    r = by_id(verify(rules, pool=prob, only=["panel"]))["panel.conflict_free_assignment_exists"]
    assert r.verdict == Verdict.PROVED
    committee = set(r.witness["committee"])
    assert len(committee) == prob.size
    eligible = {e.id for e in prob.experts}
    assert committee <= eligible
    seen: list[str] = []
    for p in r.witness["panels"]:
        assert len(p["experts"]) >= rules.panel_min_size
        assert set(p["experts"]) <= committee
        for a in p["applicants"]:
            assert not set(p["experts"]) & conflicts.get(a, frozenset()), (a, p)
        seen += p["applicants"]
    assert sorted(seen) == sorted(prob.applicants)  # every applicant on exactly one panel
    experts = [e for p in r.witness["panels"] for e in p["experts"]]
    assert len(experts) == len(set(experts))  # an expert on one panel only


def test_example_pool_with_half_young_is_refuted_naming_the_quota() -> None:
    rules = load_rules("beijing-2020", ["pool_min_share_young=1/2", "min_share_scope=committee"])  # a quota draw
    prob, _ = _example_problem(rules)
    r = by_id(verify(rules, pool=prob, only=["panel"]))["panel.conflict_free_assignment_exists"]
    assert r.verdict == Verdict.REFUTED
    assert r.core == ["quota.young (Art. 10)"]
    young = sum(e.young for e in prob.experts)
    assert young < 13  # the pool has too few young experts for ⌈25 / 2⌉ of them


def _expert(i: int, **flags: bool) -> ExpertRecord:
    return ExpertRecord(f"E{i}", f"ORG{i}", "engineering", "civil", "senior", **flags)


def test_applicant_related_to_every_expert_is_named_in_the_core() -> None:
    experts = [_expert(i) for i in range(15)]
    prob = PanelProblem(experts, ["A1", "A2", "A3"], {"A2": {e.id for e in experts}, "A3": {"E0"}},
                        size=11, panels=2, scope="hand-made")
    r = by_id(verify(load_rules(), pool=prob, only=["panel"]))["panel.conflict_free_assignment_exists"]
    assert r.verdict == Verdict.REFUTED
    # A2 could only be served by a panel with no expert at all, which Art. 20 forbids: the core is
    # A2 and the panels' minimum size, and names no other applicant
    assert "applicant.A2 (Art. 29)" in (r.core or [])
    assert not [c for c in r.core or [] if c.startswith("applicant.") and c != "applicant.A2 (Art. 29)"]
    assert {c.split("[")[0].split(" ")[0] for c in r.core or []} <= {"applicant.A2", "panel.min_size"}
    assert "A2" in r.detail
    # without A2's conflicts the same committee works
    ok = PanelProblem(experts, ["A1", "A2", "A3"], {"A3": {"E0"}}, size=11, panels=2)
    assert by_id(verify(load_rules(), pool=ok, only=["panel"]))["panel.conflict_free_assignment_exists"].verdict \
        == Verdict.PROVED


def test_panel_property_without_a_pool_is_unknown_not_proved() -> None:
    r = by_id(verify(load_rules(), only=["panel"]))["panel.conflict_free_assignment_exists"]
    assert r.verdict == Verdict.UNKNOWN


# -- g. SMT-LIB export, re-read by Z3 and by cvc5 -------------------------------------------------------------
def _expected(path: Path) -> str:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("; expected: ")]
    assert len(lines) == 1, path
    return lines[0].removeprefix("; expected: ").strip()


def _smt2_cases(tmp_path: Path) -> list[Path]:
    """Obligations of every kind: proofs, refutations, a refuted rule set, a pool proved and refuted."""
    rules = load_rules()
    prob, _ = _example_problem(rules)
    young = load_rules("beijing-2020", ["pool_min_share_young=1/2", "min_share_scope=committee"])
    prob_young, _ = _example_problem(young)
    runs = {
        "2020": verify(rules, pool=prob),
        "2020-25": verify(rules, committee_size=25),
        "2003": verify(load_rules("beijing-2003-style")),
        "eligible-qar": verify(load_rules("beijing-2020", ["recusal_denominator=eligible", "quorum_after_recusal=true"])),
        "inconsistent": verify(load_rules("beijing-2020", ["panel_min_size=27", "committee_max_size=25"])),
        "young": verify(young, pool=prob_young, only=["panel"]),
    }
    paths = []
    for name, results in runs.items():
        written = write_smt2(results, tmp_path / name)
        assert len(written) == sum(len(r.obligations) for r in results)
        paths += written
    return paths


@pytest.fixture(scope="module")
def smt2_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _smt2_cases(tmp_path_factory.mktemp("smt2"))


def test_write_smt2_files_are_plain_smtlib(smt2_files: list[Path]) -> None:
    names = {p.name for p in smt2_files}
    for pid in properties():
        if pid != "figures.committee_size":  # a table of optimum values, not an obligation
            assert any(n.startswith(pid) for n in names), pid
    expectations = {_expected(p) for p in smt2_files}
    assert expectations == {"sat", "unsat"}
    for p in smt2_files:
        text = p.read_text(encoding="utf-8")
        assert text.rstrip().endswith("(check-sat)")
        for z3_only in ("(_ pbeq", "(_ pbge", "(_ pble", "(_ at-most", "(_ at-least"):
            assert z3_only not in text, (p, z3_only)


def test_z3_rereads_each_smt2_file_and_confirms_it(smt2_files: list[Path]) -> None:
    for p in smt2_files:
        s = z3.Solver()
        s.set("timeout", 60_000)
        s.from_file(str(p))
        assert str(s.check()) == _expected(p), p


def _cvc5_check(path: Path) -> str:
    import cvc5

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    sm = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, sm)
    parser.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, str(path))
    answer = None
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        out = cmd.invoke(solver, sm)
        if str(cmd).startswith("(check-sat"):
            answer = out.strip()
    assert answer is not None, path
    return answer


@pytest.mark.skipif(importlib.util.find_spec("cvc5") is None,
                    reason="cvc5 is not installed (optional: pip install 'zcsim[smt]')")
def test_cvc5_confirms_each_smt2_file(smt2_files: list[Path]) -> None:
    for p in smt2_files:
        assert _cvc5_check(p) == _expected(p), p


# -- the shape of the results ----------------------------------------------------------------------------------
def test_every_builtin_checks_every_property_with_a_verdict_and_articles() -> None:
    ids = list(properties())
    assert set(ids) >= {"ruleset.consistent", "threshold.integer_exact", MAJORITY, UNANIMOUS, QUORUM_AFTER,
                        "panel.conflict_free_assignment_exists", "figures.committee_size"}
    for name in BUILTINS:
        res = verify(load_rules(name))
        assert [r.id for r in res] == ids
        for r in res:
            assert r.articles and all(isinstance(a, int) for a in r.articles)
            assert r.verdict in Verdict
            assert (r.verdict == Verdict.FIGURE) == (r.id == "figures.committee_size")
            assert r.seconds >= 0
            if r.verdict == Verdict.REFUTED and r.id != "ruleset.consistent":
                assert r.counterexample and "record" in r.counterexample and r.counterexample["explanation"]
                assert_compliant(r.counterexample["record"], load_rules(name))


def test_exactness_of_ratios_is_not_lost_in_the_encoding() -> None:
    """A ratio whose float is inexact (1/3 + rounding) still gives the integer threshold."""
    rules = load_rules("beijing-2020", ["pass_ratio=1/3", "threshold_inclusive=true"])
    m = MeetingModel(rules, committee_size=30)
    s = z3.Solver()
    s.add(*m.constraints(), m.passes, 3 * m.yes < m.present)
    assert s.check() == z3.unsat
