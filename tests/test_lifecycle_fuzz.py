"""Stateful fuzzing of one applicant's case across years (issue 7, part 1).

A Hypothesis ``RuleBasedStateMachine`` drives :class:`zcsim.procedure.lifecycle.ApplicantCase`
with legal and illegal steps — apply, publicise, correct or withdraw, panel, meet, vote, accept,
publicise, complain, appeal, revoke, re-apply in later years — against beijing-2020,
national-2019, beijing-2003-style and randomly generated valid rule sets. It keeps its own
bookkeeping and checks after every step, in plain integer arithmetic:

- no pass without a valid meeting (quorum ⌈num·size/den⌉, presiding, not-multiple-of) and a
  tally reaching the pass ratio of its basis (Art. 22, 23);
- no ballot of a conflicted, absent or non-member expert is counted (Art. 23, 29);
- a withdrawn, deemed-withdrawn or blacklisted applicant never reaches a vote (Art. 18, 41);
- no ballot after the round is closed (Art. 23);
- the blacklist lasts exactly ``blacklist_years`` (Art. 41);
- every log entry has findings, each citing its registered article in 1..45.

Counts of cases and steps go to ``hypothesis.event`` (``pytest --hypothesis-show-statistics``)
and to ``lifecycle_counts.json`` under pytest's basetemp.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, event, reject, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from zcsim.errors import RuleSetError
from zcsim.law import RuleSet, load_rules
from zcsim.procedure._finding import CHECKS
from zcsim.procedure.application import Applicant
from zcsim.procedure.lifecycle import ENDED_STAGES, ApplicantCase, StepRefused
from zcsim.procedure.meeting import Conflict

COUNTS: Counter[str] = Counter()
FIRST_YEAR, LAST_YEAR = 2016, 2026  # covered by the package calendar
CAP = dt.date(LAST_YEAR, 11, 30)
VOTE_VALUES = ("yes", "no", "abstain", "blank", "invalid")


# --- rule sets ---------------------------------------------------------------------------------

ratios = st.integers(1, 7).flatmap(lambda q: st.tuples(st.integers(0, q), st.just(q)))


@st.composite
def random_rules(draw: st.DrawFn) -> RuleSet:
    p, q = draw(ratios)
    qp, qq = draw(ratios)
    overrides: dict[str, Any] = {
        "pass_ratio": f"{p}/{q}",
        "threshold_inclusive": draw(st.booleans()),
        "quorum_ratio": f"{qp}/{qq}",
        "quorum_inclusive": draw(st.booleans()),
        "threshold_basis": draw(st.sampled_from(["present", "members"])),
        "recusal_denominator": draw(st.sampled_from(["present", "eligible"])),
        "quorum_after_recusal": draw(st.booleans()),
        "present_not_multiple_of": draw(st.sampled_from(["none", "2", "3", "4", "5"])),
        "blacklist_years": draw(st.integers(0, 4)),
        "blacklist_reading": draw(st.sampled_from(["record", "bar"])),
        "correction_notices": draw(st.integers(1, 3)),
        "correction_deadline_working_days": draw(st.integers(1, 15)),
        "reviews_per_year": draw(st.integers(1, 2)),
        "proxy_votes_allowed": draw(st.booleans()),
        "panel_min_size": draw(st.integers(1, 5)),
    }
    base = draw(st.sampled_from(["beijing-2020", "national-2019", "beijing-2003-style"]))
    try:
        return load_rules(base, overrides).validate()
    except RuleSetError:
        COUNTS["invalid rule sets filtered"] += 1
        reject()


BUILTIN = ["beijing-2020", "national-2019", "beijing-2003-style"]
rule_sets = st.one_of(st.sampled_from(BUILTIN).map(load_rules), random_rules())


# --- independent arithmetic --------------------------------------------------------------------

def reaches(count: int, basis: int, ratio: Fraction, inclusive: bool) -> bool:
    num, den = ratio.numerator, ratio.denominator
    return den * count >= num * basis if inclusive else den * count > num * basis


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def quorum_need(size: int, r: RuleSet) -> int:
    num, den = r.quorum_ratio.numerator, r.quorum_ratio.denominator
    return ceil_div(num * size, den) if r.quorum_inclusive else num * size // den + 1


def blacklist_end(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def barred(on: dt.date, blacklisted: dt.date | None, r: RuleSet) -> bool:
    """Whether a fraud record bars applying on ``on``: only under blacklist_reading=bar (Art. 41 names no bar)."""
    years = r.blacklist_years
    return (r.blacklist_reading == "bar" and blacklisted is not None and years > 0
            and blacklisted <= on <= blacklist_end(blacklisted, years))


LEVELS = ("junior", "intermediate", "senior")


NEXT = {"applied": ["publicise_unit"], "recommended": ["vet", "vet", "notice"], "noticed": ["correct", "vet"],
        "vetted": ["panel"], "panelled": ["meet"], "met": ["vote"], "passed": ["accept"],
        "accepted": ["publicise_result"]}
ADVANCE_ARGS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "apply": {"year_step": st.integers(0, 2), "md": st.tuples(st.integers(1, 11), st.integers(1, 28)),
              "wrong_level": st.just(False)},
    "publicise_unit": {"days": st.integers(6, 14), "gap": st.integers(0, 5), "objection": st.just(False)},
    "notice": {"gap": st.integers(0, 5)},
    "correct": {"gap": st.integers(0, 20)},
    "vet": {"gap": st.integers(0, 20)},
    "panel": {}, "meet": {}, "vote": {},
    "accept": {"quota": st.none(), "used": st.just(0)},
    "publicise_result": {"days": st.integers(6, 14), "complaints": st.integers(0, 1), "problem": st.just(False)},
}

# --- the machine -------------------------------------------------------------------------------

dates_in_year = st.tuples(st.integers(1, 12), st.integers(1, 28))


class Lifecycle(RuleBasedStateMachine):
    """One applicant, one committee, many years."""

    @initialize(rules=rule_sets, size=st.integers(1, 15), vices=st.integers(0, 3))
    def start(self, rules: RuleSet, size: int, vices: int) -> None:
        COUNTS["cases"] += 1
        self.rules = rules
        self.ids = [f"E{i}" for i in range(size)]
        self.members = {e: "member" for e in self.ids}
        self.members[self.ids[0]] = "chair"
        for e in self.ids[1:1 + vices]:
            self.members[e] = "vice_chair"
        self.case = ApplicantCase(rules, Applicant("A1", "engineering", "junior", "state_owned"))
        # bookkeeping of our own
        self.stage = "new"
        self.day = dt.date(FIRST_YEAR, 1, 1)
        self.held = -1  # highest level index confirmed and not revoked
        self.level = "junior"
        self.blacklisted: dt.date | None = None
        self.withdrawn_this_year = False
        self.applied_on: dt.date | None = None
        self.per_year: Counter[int] = Counter()
        self.meeting: dict[str, Any] | None = None
        self.voted = False
        self.log_len = 0

    # -- helpers
    def expect_refused(self, fn: Any, *args: Any, article: int | None = None, **kw: Any) -> StepRefused:
        before = self.case.stage
        with pytest.raises(StepRefused) as ei:
            fn(*args, **kw)
        assert self.case.stage == before
        assert 1 <= ei.value.article <= 45
        if article is not None:
            assert ei.value.article == article, ei.value
        COUNTS["refused steps"] += 1
        event(f"refused: {fn.__name__} {ei.value.rule}")
        return ei.value

    def later(self, days: int) -> dt.date:
        d = self.day + dt.timedelta(days=days)
        return d if d.year <= LAST_YEAR else self.day

    # -- apply / re-apply
    def teardown(self) -> None:
        if hasattr(self, "case"):
            COUNTS["logged decisions"] += len(self.case.log)

    @rule(year_step=st.integers(0, 3), md=dates_in_year, wrong_level=st.integers(0, 4).map(lambda x: x == 0))
    def apply(self, year_step: int, md: tuple[int, int], wrong_level: bool) -> None:
        year = min(self.day.year + year_step, LAST_YEAR)
        on = dt.date(year, *md)
        on = max(on, self.day)
        want = LEVELS[self.held + 1] if self.held + 1 < 3 else "senior"
        level = want
        if wrong_level:
            level = LEVELS[(LEVELS.index(want) + 1) % 3]
        open_ = self.stage not in ENDED_STAGES
        too_many = self.per_year[on.year] >= self.rules.reviews_per_year
        if open_ or too_many:
            self.expect_refused(self.case.apply, on, level=level, article=12)
            return
        ineligible_level = self.held + 1 >= 3 or LEVELS.index(level) != self.held + 1
        if barred(on, self.blacklisted, self.rules) or ineligible_level:
            err = self.expect_refused(self.case.apply, on, level=level)
            assert err.article in (16, 41)
            if barred(on, self.blacklisted, self.rules):
                assert any(f.rule == "eligibility.blacklist" and not f.ok for f in err.findings)
            else:
                assert all(f.ok for f in err.findings if f.rule == "eligibility.blacklist")
            self.day = on
            return
        d = self.case.apply(on, level=level)
        assert d.outcome == "applied"
        self.day, self.applied_on, self.level = on, on, level
        self.per_year[on.year] += 1
        self.stage = "applied"
        self.withdrawn_this_year = False
        self.meeting, self.voted = None, False
        event(f"applied for {level}")

    # -- Art. 15
    @precondition(lambda self: self.stage == "applied")
    @rule(days=st.one_of(st.integers(6, 20), st.integers(0, 20)), gap=st.integers(0, 10),
          objection=st.integers(0, 3).map(lambda x: x == 0))
    def publicise_unit(self, days: int, gap: int, objection: bool) -> None:
        if self.stage != "applied":
            self.expect_refused(self.case.unit_publicity, self.day, self.day, article=15)
            return
        start = self.later(gap)
        end = start + dt.timedelta(days=days)
        if end.year > LAST_YEAR:
            return
        try:
            d = self.case.unit_publicity(start, end, objection=objection)
        except StepRefused as e:
            assert e.article == 15 and e.findings[0].rule == "publicity.unit" and not e.findings[0].ok
            COUNTS["refused steps"] += 1
            return
        self.day = end
        self.stage = "not_recommended" if objection else "recommended"
        assert d.outcome == self.stage

    # -- Art. 18
    @precondition(lambda self: self.stage in ("recommended", "noticed"))
    @rule(gap=st.integers(0, 10))
    def notice(self, gap: int) -> None:
        if self.stage not in ("recommended", "noticed"):
            self.expect_refused(self.case.correction_notice, self.day, article=18)
            return
        n = self.case._cur.notices
        on = self.later(gap)
        if on > CAP:  # the deadline must stay within the calendar's years
            return
        if n + 1 > self.rules.correction_notices:
            self.expect_refused(self.case.correction_notice, on, article=18)
            return
        self.case.correction_notice(on)
        self.day, self.stage = on, "noticed"

    @precondition(lambda self: self.stage == "noticed")
    @rule(gap=st.integers(0, 30))
    def correct(self, gap: int) -> None:
        if self.stage != "noticed":
            self.expect_refused(self.case.correct, self.day, article=18)
            return
        on = self.later(gap)
        self.case.correct(on)
        self.day = on

    @precondition(lambda self: self.stage in ("recommended", "noticed"))
    @rule(gap=st.integers(0, 40))
    def vet(self, gap: int) -> None:
        if self.stage not in ("recommended", "noticed"):
            self.expect_refused(self.case.vet, self.day, article=18)
            return
        on = self.later(gap)
        d = self.case.vet(on)
        self.day = on
        if d.outcome == "withdrawn":
            self.withdrawn_this_year = True
        if d.outcome != "pending":
            self.stage = d.outcome
        assert self.case.stage == self.stage

    @rule(dice=st.integers(0, 3))
    def withdraw(self, dice: int) -> None:
        if dice:
            return
        if self.stage not in ("applied", "recommended", "noticed", "vetted", "panelled", "met"):
            self.expect_refused(self.case.withdraw, article=18)
            return
        self.case.withdraw()
        self.stage, self.withdrawn_this_year = "withdrawn", True

    # -- Art. 20, 29
    @precondition(lambda self: self.stage == "vetted")
    @rule(data=st.data())
    def panel(self, data: st.DataObject) -> None:
        experts = data.draw(st.sets(st.sampled_from(self.ids + ["X1"]), max_size=6))
        conflicted = data.draw(st.sets(st.sampled_from(self.ids), max_size=2))
        conflicts = {e: Conflict(e, "A1", True) for e in conflicted}
        if self.stage != "vetted":
            self.expect_refused(self.case.assign_panel, "P", experts, committee=self.ids, conflicts=conflicts,
                                article=20)
            return
        ok = (len(experts) >= self.rules.panel_min_size and not (experts & conflicted)
              and (not self.rules.panel_experts_from_committee or experts <= set(self.ids)))
        if not ok:
            self.expect_refused(self.case.assign_panel, "P", experts, committee=self.ids, conflicts=conflicts)
            return
        self.case.assign_panel("P", experts, committee=self.ids, conflicts=conflicts)
        self.stage = "panelled"

    # -- Art. 22
    @precondition(lambda self: self.stage == "panelled")
    @rule(data=st.data())
    def meet(self, data: st.DataObject) -> None:
        absent = data.draw(st.one_of(st.sets(st.sampled_from(self.ids), max_size=len(self.ids) // 3),
                                     st.sets(st.sampled_from(self.ids))), label="absent")
        present = set(self.ids) - absent
        if data.draw(st.integers(0, 9), label="stranger present") == 0:
            present.add("X1")
        chairs = [e for e in self.ids if self.members[e] != "member"]
        presided_by = data.draw(st.one_of(st.sampled_from(chairs), st.sampled_from(self.ids + [None])),
                                label="presided_by")
        conflicted = data.draw(st.one_of(st.sets(st.sampled_from(self.ids), max_size=2),
                                         st.sets(st.sampled_from(self.ids))), label="conflicted")
        conflicts = {e: Conflict(e, "A1", True) for e in conflicted}
        if self.stage != "panelled":
            self.expect_refused(self.case.meet, self.members, present, presided_by=presided_by, conflicts=conflicts,
                                article=22)
            return
        n = len(present & set(self.ids))
        k = self.rules.present_not_multiple_of
        valid = (present <= set(self.ids)
                 and n >= quorum_need(len(self.ids), self.rules)
                 and (k is None or n % k != 0)
                 and presided_by is not None and presided_by in present
                 and self.members[presided_by] in self.rules.presiding_roles)
        if not valid:
            self.expect_refused(self.case.meet, self.members, present, presided_by=presided_by, conflicts=conflicts,
                                article=22)
            return
        self.case.meet(self.members, present, presided_by=presided_by, conflicts=conflicts)
        self.stage = "met"
        self.meeting = {"present": present & set(self.ids), "conflicted": conflicted}
        COUNTS["valid meetings"] += 1

    # -- Art. 23
    @precondition(lambda self: self.stage == "met" or self.voted)
    @rule(data=st.data())
    def vote(self, data: st.DataObject) -> None:
        everyone = sorted(set(self.ids) | {"X1"})
        usual = sorted(self.meeting["present"] - self.meeting["conflicted"]) if self.meeting else []
        voters = data.draw(st.one_of(st.just(set(usual)), st.sets(st.sampled_from(everyone))), label="voters")
        values = st.one_of(st.just("yes"), st.sampled_from(VOTE_VALUES))
        votes = {e: data.draw(values, label=f"vote {e}") for e in sorted(voters)}
        declared = data.draw(st.sampled_from([None, "pass", "fail"]), label="declared")
        if self.voted and self.stage != "new":
            self.expect_refused(self.case.vote, votes, declared=declared, article=23)
            COUNTS["ballots after the round closed, refused"] += 1
            return
        if self.stage != "met":
            self.expect_refused(self.case.vote, votes, declared=declared, article=22)
            return
        assert self.meeting is not None
        # a withdrawn or blacklisted applicant never reaches a vote
        assert not self.withdrawn_this_year
        assert not barred(self.applied_on, self.blacklisted, self.rules)
        r = self.rules
        size = len(self.ids)
        present, conflicted = self.meeting["present"], self.meeting["conflicted"]
        n = len(present)
        assert n >= quorum_need(size, r) and reaches(n, size, r.quorum_ratio, r.quorum_inclusive)
        yes = sum(1 for e, v in votes.items()
                  if v == "yes" and e in self.members and (e in present or r.proxy_votes_allowed)
                  and e not in conflicted)
        recused = len(conflicted & present)
        basis = size if r.threshold_basis == "members" else n
        if r.recusal_denominator == "eligible":
            basis -= recused
        expect = basis > 0 and reaches(yes, basis, r.pass_ratio, r.threshold_inclusive)
        if r.quorum_after_recusal:
            expect = expect and n - recused >= quorum_need(size, r)
        d = self.case.vote(votes, declared=declared)
        tally = next(f for f in d.findings if f.rule == "vote.threshold")
        if basis > 0:
            assert tally.detail.startswith(f"{yes} yes "), (tally.detail, yes)
        # no counted ballot of a conflicted expert, absent (unless proxies) or non-member
        for f in d.findings:
            if f.rule in ("vote.non_member", "vote.absent_voter", "recusal.voted"):
                assert not f.ok and f.expert in votes
        flagged = {f.expert for f in d.findings if f.rule == "recusal.voted"}
        assert flagged == {e for e in votes
                           if e in self.members and (e in present or r.proxy_votes_allowed) and e in conflicted}
        stray = any(e not in self.members or (e not in present and not r.proxy_votes_allowed) or e in conflicted
                    for e in votes)
        self.clean = not stray and declared in (None, "pass" if expect else "fail")
        assert d.outcome == ("passed" if expect else "failed")
        self.stage, self.voted = d.outcome, True
        COUNTS["votes"] += 1
        COUNTS["passes" if expect else "fails"] += 1
        event("vote: pass" if expect else "vote: fail")

    # -- Art. 24
    @precondition(lambda self: self.stage == "passed")
    @rule(quota=st.one_of(st.none(), st.integers(0, 3)), used=st.integers(0, 4))
    def accept(self, quota: int | None, used: int) -> None:
        if self.stage != "passed":
            self.expect_refused(self.case.accept, "engineering", "senior", article=24)
            return
        d = self.case.accept("engineering", "senior", post_quota=quota, quota_used=used)
        assert d.outcome == ("accepted" if self.clean and (quota is None or used <= quota) else "failed")
        if d.outcome == "accepted":
            # every procedure finding of the year was ok, so the vote had no stray ballots
            assert all(f.ok for f in self.case._cur.findings)
        self.stage = d.outcome

    # -- Art. 25
    @precondition(lambda self: self.stage == "accepted")
    @rule(days=st.one_of(st.integers(6, 20), st.integers(0, 20)), complaints=st.integers(0, 2),
          problem=st.integers(0, 3).map(lambda x: x == 0))
    def publicise_result(self, days: int, complaints: int, problem: bool) -> None:
        if self.stage != "accepted":
            self.expect_refused(self.case.result_publicity, self.day, self.day, article=25)
            return
        end = self.day + dt.timedelta(days=days)
        if end.year > LAST_YEAR:
            return
        try:
            d = self.case.result_publicity(self.day, end, complaints=complaints, verified_problem=problem)
        except StepRefused as e:
            assert e.article == 25
            COUNTS["refused steps"] += 1
            return
        self.day = end
        if problem:
            assert d.outcome == "failed"
        else:
            assert d.outcome == "confirmed"
            self.held = LEVELS.index(self.level)
            COUNTS["titles confirmed"] += 1
        self.stage = d.outcome

    # -- Art. 26
    @rule(own=st.booleans(), evidence=st.booleans(), answered=st.booleans())
    def appeal(self, own: bool, evidence: bool, answered: bool) -> None:
        requester = "A1" if own else "A2"
        if not self.voted:
            self.expect_refused(self.case.appeal, requester=requester, evidence=evidence, answered=answered,
                                article=26)
            return
        d = self.case.appeal(requester=requester, evidence=evidence, answered=answered)
        assert [f.ok for f in d.findings] == [own, evidence, answered]
        assert self.case.stage == self.stage

    # -- Art. 41
    @rule(gap=st.integers(0, 400), dice=st.integers(0, 7))
    def revoke(self, gap: int, dice: int) -> None:
        if dice:  # fraud is rare: most draws of this rule do nothing
            return
        on = self.later(gap)
        d = self.case.revoke(on)
        self.day, self.blacklisted = on, on
        if self.stage not in ENDED_STAGES:
            self.stage = "disqualified"
        self.held = -1
        assert d.outcome == self.stage
        COUNTS["revocations"] += 1

    # -- any step out of order: refused, naming the article
    @rule(data=st.data(), name=st.sampled_from(
        ["publicise_unit", "notice", "correct", "vet", "panel", "meet", "vote", "accept", "publicise_result"]))
    def out_of_order(self, data: st.DataObject, name: str) -> None:
        legal = {"publicise_unit": ("applied",), "notice": ("recommended", "noticed"), "correct": ("noticed",),
                 "vet": ("recommended", "noticed"), "panel": ("vetted",), "meet": ("panelled",), "vote": ("met",),
                 "accept": ("passed",), "publicise_result": ("accepted",)}
        if self.stage in legal[name] or (name == "vote" and self.voted):
            return
        COUNTS["out-of-order steps"] += 1
        before = COUNTS["refused steps"]
        args = {"publicise_unit": {"days": 5, "gap": 0, "objection": False}, "notice": {"gap": 0}, "correct": {"gap": 0},
                "vet": {"gap": 0}, "panel": {"data": data}, "meet": {"data": data}, "vote": {"data": data},
                "accept": {"quota": None, "used": 0}, "publicise_result": {"days": 10, "complaints": 0, "problem": False}}
        getattr(self, name)(**args[name])
        assert COUNTS["refused steps"] == before + 1

    # -- several legal steps in a row, so that cases reach the vote and later years
    @rule(data=st.data(), k=st.integers(1, 10))
    def advance(self, data: st.DataObject, k: int) -> None:
        for _ in range(k):
            stage = self.stage
            if stage in ENDED_STAGES:
                name = "apply"
            else:
                name = data.draw(st.sampled_from(NEXT[stage]), label="next step")
            kwargs = data.draw(st.fixed_dictionaries(ADVANCE_ARGS[name]), label=name)
            if name in ("panel", "meet", "vote"):
                kwargs["data"] = data
            getattr(self, name)(**kwargs)
            self.books_agree()
            self.every_decision_cites_its_articles()

    # -- invariants after every step
    @invariant()
    def books_agree(self) -> None:
        if not hasattr(self, "case"):
            return
        COUNTS["invariant checks"] += 1
        COUNTS[f"stage {self.stage}"] += 1
        assert self.case.stage == self.stage
        assert self.case.next_level() == (LEVELS[self.held + 1] if self.held + 1 < 3 else None)

    @invariant()
    def every_decision_cites_its_articles(self) -> None:
        if not hasattr(self, "case"):
            return
        log = self.case.log
        for d in log[self.log_len:]:
            assert d.findings and d.articles
            for f in d.findings:
                assert 1 <= f.article <= 45
                assert f.rule in CHECKS and CHECKS[f.rule].article == f.article, f
        # a pass rests on a valid meeting of the same application and a passing tally
        for i, d in enumerate(log[self.log_len:], start=self.log_len):
            if d.step == "vote" and d.outcome == "passed":
                meet = next(x for x in reversed(log[:i]) if x.step in ("meet", "apply") and x.outcome != "refused")
                assert meet.step == "meet" and meet.ok
                assert next(f for f in d.findings if f.rule == "vote.threshold").ok
        self.log_len = len(log)


Lifecycle.TestCase.settings = settings(
    settings(),
    stateful_step_count=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestLifecycle = Lifecycle.TestCase


def test_zz_record_counts(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Write the counts of this session's runs (cases, steps …) under pytest's basetemp."""
    path = tmp_path_factory.getbasetemp() / "lifecycle_counts.json"
    if not COUNTS["cases"]:
        pytest.skip("the state machine did not run in this session")
    path.write_text(json.dumps(dict(COUNTS), indent=1, sort_keys=True))


# --- explicit cases (kept as regressions of the machine's invariants) ---------------------------

D = dt.date
COMMITTEE = {f"E{i}": "member" for i in range(9)} | {"E0": "chair", "E1": "vice_chair"}


def _to_meeting(case: ApplicantCase, year: int, *, conflicts: dict[str, Conflict] | None = None) -> None:
    case.apply(D(year, 3, 2))
    case.unit_publicity(D(year, 3, 9), D(year, 3, 20))
    case.vet(D(year, 4, 1))
    case.assign_panel("P", ["E2", "E3", "E4"], committee=list(COMMITTEE))
    case.meet(COMMITTEE, list(COMMITTEE)[:7], presided_by="E0", conflicts=conflicts)


def test_a_full_year_then_the_next_level() -> None:
    case = ApplicantCase(load_rules(), Applicant("A1", "engineering", "junior", "state_owned"))
    _to_meeting(case, 2021)
    assert case.vote({e: "yes" for e in list(COMMITTEE)[:5]}).outcome == "passed"  # 3·5 ≥ 2·7
    case.accept("engineering", "senior")
    assert case.result_publicity(D(2021, 6, 1), D(2021, 6, 8)).outcome == "confirmed"
    assert case.next_level() == "intermediate"
    with pytest.raises(StepRefused) as e:
        case.apply(D(2021, 9, 1), level="intermediate")  # one review a year (Art. 12)
    assert e.value.article == 12
    assert case.apply(D(2022, 3, 1), level="intermediate").outcome == "applied"
    assert all(d.articles and all(1 <= a <= 45 for a in d.articles) for d in case.log)


def test_no_ballot_after_the_round_closes_and_conflicted_ballots_do_not_count() -> None:
    case = ApplicantCase(load_rules(), Applicant("A1", "engineering", "junior", "state_owned"))
    _to_meeting(case, 2021, conflicts={"E2": Conflict("E2", "A1", True)})
    d = case.vote({e: "yes" for e in list(COMMITTEE)[:5]})  # E2's yes is not counted: 4 yes < 5
    assert d.outcome == "failed" and any(f.rule == "recusal.voted" and f.expert == "E2" for f in d.findings)
    with pytest.raises(StepRefused) as e:
        case.vote({e: "yes" for e in COMMITTEE})
    assert e.value.article == 23 and case.stage == "failed"


def test_blacklist_lasts_blacklist_years_and_disqualifies_a_running_application() -> None:
    # the bar on a new application is the reading blacklist_reading=bar (Art. 41 names none)
    case = ApplicantCase(load_rules("beijing-2020", ["blacklist_reading=bar"]),
                         Applicant("A1", "engineering", "junior", "state_owned"))
    _to_meeting(case, 2021)
    assert case.revoke(D(2021, 5, 10)).outcome == "disqualified"
    with pytest.raises(StepRefused) as e:
        case.vote({e: "yes" for e in COMMITTEE})
    assert e.value.article == 22
    with pytest.raises(StepRefused) as e:
        case.apply(D(2024, 5, 10))  # the record runs to the anniversary inclusive
    assert e.value.article == 41
    assert case.apply(D(2024, 5, 11)).outcome == "applied"
