"""One applicant's case across years, as a small state machine over the engine's steps.

Entrustment (Art. 17), apply (Art. 12–13, 16, 41), unit publicity (Art. 15), correction notice, correction and vetting
(Art. 18), withdrawal, panel (Art. 20, 29), meeting (Art. 22), vote (Art. 23, 29), acceptance
(Art. 24), result publicity (Art. 25), re-examination request (Art. 26), revocation and blacklist
(Art. 41), and a new application in a later year.

Every step decides with the existing engine functions (never a threshold of its own), appends a
:class:`Decision` holding the engine's findings (each with its article) to :attr:`ApplicantCase.log`,
and refuses an illegal step by raising :class:`StepRefused`, which names the article. Pure: no
simpy, z3 or networkx; no printing.

Examples
--------
>>> import datetime as dt
>>> from zcsim.law import load_rules
>>> from zcsim.procedure.application import Applicant
>>> case = ApplicantCase(load_rules(), Applicant("A1", "engineering", "junior", "state_owned"))
>>> case.apply(dt.date(2025, 3, 3)).outcome
'applied'
>>> case.vote({"E1": "yes"})
Traceback (most recent call last):
...
zcsim.procedure.lifecycle.StepRefused: Art. 22: vote on A1 refused: the case is at 'applied'; a vote needs a valid meeting (stage 'met')
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

from zcsim.calendar import WorkingCalendar
from zcsim.errors import ZcsimError
from zcsim.law import LEVELS, RuleSet
from zcsim.procedure._finding import Finding, register
from zcsim.procedure.application import (
    Applicant,
    Entrustment,
    Title,
    acceptance,
    appeal,
    eligibility,
    entrustment,
    materials_vetting,
    result_publicity,
    unit_publicity,
)
from zcsim.procedure.committee import panel_composition
from zcsim.procedure.meeting import QUORUM_RECUSAL, Conflict, attendance, ballot, panel_conflicts
from zcsim.procedure.vote import THRESHOLD

__all__ = ["ENDED_STAGES", "OPEN_STAGES", "STAGES", "ApplicantCase", "Decision", "StepRefused"]

SEQ_ENTRUSTMENT = register("case.sequence.entrustment", 17,
                           "an entrustment is arranged before the application it covers, not during one")
SEQ_APPLICATION = register("case.sequence.application", 12,
                           "a new application only once the previous one has ended, at most reviews_per_year a year")
SEQ_UNIT = register("case.sequence.unit_publicity", 15, "the employer publicises an application before recommending it")
SEQ_VETTING = register("case.sequence.vetting", 18, "the agency vets a recommended application: one notice, then correction")
SEQ_PANEL = register("case.sequence.panel", 20, "a panel is assigned to a vetted application")
SEQ_MEETING = register("case.sequence.meeting", 22, "the committee votes only at a valid meeting after the panel")
SEQ_VOTE = register("case.sequence.vote", 23, "one vote per applicant; no ballot after the round is closed")
SEQ_ACCEPTANCE = register("case.sequence.acceptance", 24, "only a passed result goes to the acceptance check")
SEQ_RESULT = register("case.sequence.result_publicity", 25, "only an accepted result is publicised and confirmed")
SEQ_APPEAL = register("case.sequence.appeal", 26, "re-examination is requested of a result")
WITHDRAWN = register("case.withdrawn", 18, "a withdrawn (or deemed withdrawn) application leaves the review")
REVOKED = register("case.revoked", 41, "fraud disqualifies the application, revokes a title obtained and blacklists")

STAGES: tuple[str, ...] = (
    "new", "applied", "recommended", "noticed", "vetted", "panelled", "met", "passed", "accepted",
    "confirmed", "failed", "not_recommended", "withdrawn", "disqualified")
"""Stages of a case. ``new`` before the first application."""

ENDED_STAGES: frozenset[str] = frozenset({"new", "confirmed", "failed", "not_recommended", "withdrawn",
                                          "disqualified"})
"""Stages from which a new application may be made (the previous one has ended)."""

OPEN_STAGES: frozenset[str] = frozenset(STAGES) - ENDED_STAGES
"""Stages of an application still under way."""

_BEFORE_VOTE = frozenset({"applied", "recommended", "noticed", "vetted", "panelled", "met"})


class StepRefused(ZcsimError, ValueError):
    """A step the procedure does not allow at this point; names the article that forbids it.

    Attributes
    ----------
    article : int
    rule : str
        The id of the check that refused the step.
    findings : tuple of Finding
        The findings behind the refusal.
    """

    def __init__(self, message: str, *, article: int, rule: str, findings: Iterable[Finding] = ()):
        self.article = article
        self.rule = rule
        self.findings = tuple(findings)
        super().__init__(f"Art. {article}: {message}")


@dataclass(frozen=True, slots=True)
class Decision:
    """One step of a case as the log records it.

    ``outcome`` is the stage reached, ``"refused"`` for a refused step, or a word the step
    defines (``pending`` for vetting not yet decided, ``answered`` for a re-examination request).
    """

    step: str
    year: int | None
    outcome: str
    findings: tuple[Finding, ...]

    @property
    def articles(self) -> tuple[int, ...]:
        """The articles the decision rests on, ascending."""
        return tuple(sorted({f.article for f in self.findings}))

    @property
    def ok(self) -> bool:
        """Whether every finding is ok."""
        return all(f.ok for f in self.findings)


@dataclass(slots=True)
class _Year:
    """What one application has gathered so far."""

    applied_on: datetime.date
    level: str
    findings: list[Finding] = field(default_factory=list)
    notices: int = 0
    notice_date: datetime.date | None = None
    corrected_on: datetime.date | None = None
    members: dict[str, str] | None = None
    present: frozenset[str] = frozenset()
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    round_closed: bool = False
    result: str | None = None  # "pass" / "fail" once voted


class ApplicantCase:
    """One applicant's case, across applications in successive years.

    Parameters
    ----------
    rules : RuleSet
    applicant : Applicant
        The applicant; ``level_applied`` is the level of the first application (later ones may
        name another). Titles confirmed by the case are added to it; a revocation removes them
        and sets ``blacklisted_on``.
    calendar : WorkingCalendar, optional
        For publicity and correction deadlines; defaults to the package calendar.

    Attributes
    ----------
    stage : str
        One of :data:`STAGES`.
    log : list of Decision
        Every step taken or refused, in order.
    """

    def __init__(self, rules: RuleSet, applicant: Applicant, *, calendar: WorkingCalendar | None = None):
        self.rules = rules
        self.applicant = applicant
        self.calendar = calendar
        self.stage = "new"
        self.log: list[Decision] = []
        self.granted: list[Title] = []
        self._cur: _Year | None = None
        self._reviews: dict[int, int] = {}
        self._clock: datetime.date | None = None

    # --- helpers --------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        """The applicant's id."""
        return self.applicant.id

    @property
    def year(self) -> int | None:
        """The year of the current (or last) application."""
        return None if self._cur is None else self._cur.applied_on.year

    @property
    def round_closed(self) -> bool:
        """Whether the current application's round of votes is closed (Art. 23)."""
        return self._cur is not None and self._cur.round_closed

    def _record(self, step: str, outcome: str, findings: Iterable[Finding], *, year: int | None = None) -> Decision:
        d = Decision(step, self.year if year is None else year, outcome, tuple(findings))
        self.log.append(d)
        return d

    def _refuse(self, step: str, message: str, findings: list[Finding], *, year: int | None = None) -> StepRefused:
        self._record(step, "refused", findings, year=year)
        bad = next((f for f in findings if not f.ok), findings[0])
        return StepRefused(f"{step} on {self.id} refused: {message}", article=bad.article, rule=bad.rule,
                           findings=findings)

    def _require(self, step: str, stages: Collection[str], check: object, need: str) -> _Year:
        if self.stage not in stages or self._cur is None:
            f = check.finding(False, f"the case is at {self.stage!r}; {need}", applicant=self.id)  # type: ignore[attr-defined]
            raise self._refuse(step, f"the case is at {self.stage!r}; {need}", [f])
        return self._cur

    def _tick(self, step: str, on: datetime.date, check: object) -> None:
        if self._clock is not None and on < self._clock:
            msg = f"dated {on}, before the case's last step on {self._clock}; time runs forward"
            raise self._refuse(step, msg, [check.finding(False, msg, applicant=self.id)])  # type: ignore[attr-defined]
        self._clock = on

    # --- Art. 17 -------------------------------------------------------------------------------
    def entrust(self, on: datetime.date, entrusted: Entrustment) -> Decision:
        """Arrange an entrusted review before applying (Art. 17).

        Inbound, for staff of a central unit in Beijing or of another province: the employer's
        consent and the competent authority's entrustment letter to the Bureau. Outbound, for a
        Beijing applicant reviewed elsewhere: the Bureau's letter and a filed committee. Refused
        while an application is under way, or when the entrustment lacks what Art. 17 requires
        (a review on it would not be recognised, Art. 42). The entrustment is kept on the
        applicant: :meth:`apply` and :meth:`accept` judge by it.

        Examples
        --------
        >>> import datetime as dt
        >>> from zcsim.law import load_rules
        >>> a = Applicant("A2", "engineering", "junior", "state_owned", employer_affiliation="out_of_city")
        >>> case = ApplicantCase(load_rules(), a)
        >>> case.entrust(dt.date(2025, 2, 3), Entrustment("inbound", employer_consent=True,
        ...                                               letter_issuer="provincial_hr")).outcome
        'entrusted'
        >>> case.apply(dt.date(2025, 3, 3)).outcome
        'applied'
        """
        if self.stage not in ENDED_STAGES:
            msg = f"an application of {self.year} is under way (stage {self.stage!r}); entrust before applying"
            raise self._refuse("entrust", msg, [SEQ_ENTRUSTMENT.finding(False, msg, applicant=self.id)], year=on.year)
        cand = replace(self.applicant, entrustment=entrusted)  # InputError for an entrustment of the wrong side
        found = entrustment(str(cand.employer_affiliation), entrusted, self_employed=cand.self_employed,
                            applicant=self.id)
        if not found:
            msg = "this applicant needs no entrustment (Art. 17)"
            raise self._refuse("entrust", msg, [SEQ_ENTRUSTMENT.finding(False, msg, applicant=self.id)], year=on.year)
        if not all(f.ok for f in found):
            raise self._refuse("entrust", "; ".join(f.detail for f in found if not f.ok), found, year=on.year)
        self._tick("entrust", on, SEQ_ENTRUSTMENT)
        self.applicant = cand
        return self._record("entrust", "entrusted", found, year=on.year)

    # --- Art. 12–13, 16, 41 ----------------------------------------------------------------------
    def apply(self, on: datetime.date, *, level: str | None = None) -> Decision:
        """Apply on day ``on`` (Art. 12; eligibility Art. 3, 13, 16, 32–35, 41).

        Allowed when no application is under way and fewer than ``reviews_per_year`` were made
        in ``on.year``. Refused (``StepRefused``) if the applicant is not eligible — e.g. still
        blacklisted (Art. 41) or not applying level by level (Art. 16).
        """
        if self.stage not in ENDED_STAGES:
            msg = f"an application of {self.year} is still under way (stage {self.stage!r})"
            raise self._refuse("apply", msg, [SEQ_APPLICATION.finding(False, msg, applicant=self.id)], year=on.year)
        used = self._reviews.get(on.year, 0)
        if used >= self.rules.reviews_per_year:
            msg = (f"{used} application(s) already in {on.year} ≥ {self.rules.reviews_per_year} "
                   "reviews a year (reviews_per_year)")
            raise self._refuse("apply", msg, [SEQ_APPLICATION.finding(False, msg, applicant=self.id)], year=on.year)
        self._tick("apply", on, SEQ_APPLICATION)
        cand = self.applicant if level is None else replace(self.applicant, level_applied=level)
        found = eligibility(cand, self.rules, on=on)
        if not all(f.ok for f in found):
            bad = [f.rule for f in found if not f.ok]
            raise self._refuse("apply", "not eligible: " + ", ".join(bad), found, year=on.year)
        self.applicant = cand
        self._reviews[on.year] = used + 1
        self._cur = _Year(on, cand.level_applied, list(found))
        self.stage = "applied"
        return self._record("apply", "applied", found)

    # --- Art. 15 -------------------------------------------------------------------------------
    def unit_publicity(self, start: datetime.date, end: datetime.date, *, objection: bool = False) -> Decision:
        """The employer's publicity and recommendation (Art. 15).

        Too short a publicity is refused (it must be held again); an objection ends the
        application (``not_recommended``).
        """
        cur = self._require("unit_publicity", {"applied"}, SEQ_UNIT, "the employer publicises a new application")
        found = unit_publicity(start, end, self.rules, objection=objection, calendar=self.calendar,
                               applicant=self.id)
        if not found[0].ok:
            raise self._refuse("unit_publicity", found[0].detail, found)
        cur.findings.extend(found)
        self.stage = "recommended" if found[1].ok else "not_recommended"
        return self._record("unit_publicity", self.stage, found)

    # --- Art. 18 -------------------------------------------------------------------------------
    def correction_notice(self, on: datetime.date) -> Decision:
        """The agency's single notice listing everything to correct (Art. 18)."""
        cur = self._require("correction_notice", {"recommended", "noticed"}, SEQ_VETTING,
                            "a correction notice concerns a recommended application being vetted")
        n = cur.notices + 1
        v = materials_vetting(self.rules, notices=n, notice_date=on, corrected_on=None, as_of=None,
                              calendar=self.calendar, applicant=self.id)
        single = v.findings[0]
        if not single.ok:
            raise self._refuse("correction_notice", single.detail, [single])
        if cur.notice_date is not None and on < cur.notice_date:
            msg = f"notice dated {on}, before the previous notice of {cur.notice_date}"
            raise self._refuse("correction_notice", msg, [SEQ_VETTING.finding(False, msg, applicant=self.id)])
        cur.notices, cur.notice_date, cur.corrected_on = n, on, None
        self.stage = "noticed"
        return self._record("correction_notice", "noticed", v.findings)

    def correct(self, on: datetime.date) -> Decision:
        """The applicant corrects the materials on day ``on`` (Art. 18); judged by :meth:`vet`."""
        cur = self._require("correct", {"noticed"}, SEQ_VETTING, "a correction answers a notice")
        assert cur.notice_date is not None
        if on < cur.notice_date:
            msg = f"corrected {on}, before the notice of {cur.notice_date}"
            raise self._refuse("correct", msg, [SEQ_VETTING.finding(False, msg, applicant=self.id)])
        v = materials_vetting(self.rules, notices=cur.notices, notice_date=cur.notice_date, corrected_on=on,
                              calendar=self.calendar, applicant=self.id)
        cur.corrected_on = on
        return self._record("correct", "noticed", v.findings)

    def vet(self, as_of: datetime.date) -> Decision:
        """The agency's vetting decision on day ``as_of`` (Art. 18).

        ``vetted`` when complete or corrected by the deadline; ``withdrawn`` (deemed) when the
        correction came late or not at all by ``as_of`` past the deadline; ``pending`` otherwise.
        """
        cur = self._require("vet", {"recommended", "noticed"}, SEQ_VETTING,
                            "the agency vets a recommended application")
        v = materials_vetting(self.rules, notices=cur.notices, notice_date=cur.notice_date,
                              corrected_on=cur.corrected_on, as_of=as_of, calendar=self.calendar,
                              applicant=self.id)
        if v.status == "pending":
            return self._record("vet", "pending", v.findings)
        cur.findings.extend(v.findings)
        self.stage = "vetted" if v.status == "accepted" else "withdrawn"
        return self._record("vet", self.stage, v.findings)

    def withdraw(self) -> Decision:
        """The applicant withdraws before the vote (Art. 18: the application leaves the review)."""
        self._require("withdraw", _BEFORE_VOTE, WITHDRAWN, "only an application not yet voted on can be withdrawn")
        self.stage = "withdrawn"
        return self._record("withdraw", "withdrawn",
                            [WITHDRAWN.finding(True, "withdrawn by the applicant before the vote", applicant=self.id)])

    # --- Art. 20, 29 ---------------------------------------------------------------------------
    def assign_panel(self, panel_id: str, experts: Collection[str], *, committee: Collection[str],
                     conflicts: Mapping[str, Conflict] | None = None) -> Decision:
        """Assign a panel (Art. 20); refused if too small, not of the committee, or conflicted (Art. 29)."""
        cur = self._require("assign_panel", {"vetted"}, SEQ_PANEL, "a panel is assigned to a vetted application")
        found = panel_composition(panel_id, list(experts), self.rules, committee=committee)
        found += panel_conflicts(panel_id, experts, [self.id], {self.id: dict(conflicts or {})})
        if not all(f.ok for f in found):
            raise self._refuse("assign_panel", "; ".join(f.detail for f in found if not f.ok), found)
        cur.findings.extend(found)
        self.stage = "panelled"
        return self._record("assign_panel", "panelled", found)

    # --- Art. 22 -------------------------------------------------------------------------------
    def meet(self, members: Mapping[str, str], present: Collection[str], *, presided_by: str | None,
             conflicts: Mapping[str, Conflict] | None = None) -> Decision:
        """The committee meets on the applicant (Art. 22); refused unless the meeting is valid.

        ``conflicts`` maps each expert who must recuse from this applicant to the
        :class:`~zcsim.procedure.meeting.Conflict` (Art. 29).
        """
        cur = self._require("meet", {"panelled"}, SEQ_MEETING, "the committee meets on an applicant after the panel")
        found = attendance(present, members, self.rules, presided_by=presided_by)
        if not all(f.ok for f in found):
            raise self._refuse("meet", "; ".join(f.detail for f in found if not f.ok), found)
        cur.findings.extend(found)
        cur.members = dict(members)
        cur.present = frozenset(present) & frozenset(members)
        cur.conflicts = dict(conflicts or {})
        self.stage = "met"
        return self._record("meet", "met", found)

    # --- Art. 23, 29 ---------------------------------------------------------------------------
    def vote(self, votes: Mapping[str, str], *, declared: str | None = None) -> Decision:
        """The committee's one vote on the applicant (Art. 23); closes the round.

        Ballots of non-members, absent experts and recused experts are reported and not counted
        (:func:`~zcsim.procedure.meeting.ballot`). The applicant passes when the tally passes and,
        with ``quorum_after_recusal``, enough experts were eligible to vote.
        """
        if self.round_closed:
            assert self._cur is not None
            msg = f"the round of votes on {self.id} in {self.year} is closed ({self._cur.result}); no further ballot"
            raise self._refuse("vote", msg, [SEQ_VOTE.finding(False, msg, applicant=self.id)])
        cur = self._require("vote", {"met"}, SEQ_MEETING, "a vote needs a valid meeting (stage 'met')")
        assert cur.members is not None
        found = ballot(self.id, votes, members=cur.members, present=cur.present, conflicts=cur.conflicts,
                       rules=self.rules, declared=declared)
        passed = all(f.ok for f in found if f.rule in (THRESHOLD.id, QUORUM_RECUSAL.id))
        cur.findings.extend(found)
        cur.round_closed = True
        cur.result = "pass" if passed else "fail"
        self.stage = "passed" if passed else "failed"
        return self._record("vote", self.stage, found)

    # --- Art. 24 -------------------------------------------------------------------------------
    def accept(self, committee_series: str, committee_level: str, *, post_quota: int | None = None,
               quota_used: int = 0) -> Decision:
        """The Bureau's acceptance check of a passed result (Art. 24); every finding of the year counts."""
        cur = self._require("accept", {"passed"}, SEQ_ACCEPTANCE, "only a passed result is checked for acceptance")
        found = acceptance(committee_series, committee_level, self.applicant.series, cur.level, self.rules,
                           procedure=list(cur.findings), post_quota=post_quota, quota_used=quota_used,
                           applicant=self.id)
        self.stage = "accepted" if all(f.ok for f in found) else "failed"
        return self._record("accept", self.stage, found)

    # --- Art. 25 -------------------------------------------------------------------------------
    def result_publicity(self, start: datetime.date, end: datetime.date, *, complaints: int = 0,
                         verified_problem: bool = False) -> Decision:
        """Publicity of the accepted result and confirmation (Art. 25).

        Too short a publicity is refused; a verified problem changes the result (``failed``);
        otherwise the title is confirmed and added to the applicant's titles.
        """
        cur = self._require("result_publicity", {"accepted"}, SEQ_RESULT, "only an accepted result is publicised")
        found = result_publicity(start, end, self.rules, complaints=complaints, verified_problem=verified_problem,
                                 calendar=self.calendar, applicant=self.id)
        if not found[0].ok:
            raise self._refuse("result_publicity", found[0].detail, found)
        if found[1].ok:
            t = Title(cur.level, self.applicant.series)
            self.granted.append(t)
            self.applicant = replace(self.applicant, titles=self.applicant.titles + (t,))
            self.stage = "confirmed"
        else:
            self.stage = "failed"
        return self._record("result_publicity", self.stage, found)

    # --- Art. 26 -------------------------------------------------------------------------------
    def appeal(self, *, requester: str, evidence: bool, answered: bool) -> Decision:
        """A request for re-examination of the current result, and the answer (Art. 26).

        Recorded; the result is unchanged (a changed result comes from :meth:`result_publicity`
        with ``verified_problem`` or from :meth:`revoke`).
        """
        cur = self._cur
        if cur is None or cur.result is None:
            msg = "there is no result to re-examine"
            raise self._refuse("appeal", msg, [SEQ_APPEAL.finding(False, msg, applicant=self.id)])
        found = appeal(self.rules, requester=requester, result_of=self.id, evidence=evidence, answered=answered)
        return self._record("appeal", "answered", found)

    # --- Art. 41 -------------------------------------------------------------------------------
    def revoke(self, on: datetime.date) -> Decision:
        """Fraud found on day ``on`` (Art. 41): the application under way is disqualified, the
        titles the case obtained are revoked, and the applicant is blacklisted from ``on``."""
        self._tick("revoke", on, REVOKED)
        parts = [f"fraud found on {on}: blacklisted for {self.rules.blacklist_years} year(s) (blacklist_years)"]
        if self.granted:
            parts.append("revoked: " + ", ".join(t.label for t in self.granted))
            gone = set(self.granted)
            self.applicant = replace(self.applicant, titles=tuple(t for t in self.applicant.titles if t not in gone))
            self.granted = []
        if self.stage in OPEN_STAGES:
            parts.append(f"application of {self.year} disqualified (was {self.stage!r})")
            self.stage = "disqualified"
        self.applicant = replace(self.applicant, blacklisted_on=on)
        return self._record("revoke", self.stage, [REVOKED.finding(True, "; ".join(parts) + " (Art. 41)",
                                                                   applicant=self.id)])

    def next_level(self) -> str | None:
        """The level one above the highest title held, or ``None`` above the top (Art. 16)."""
        held = max((LEVELS.index(t.level) for t in self.applicant.titles), default=-1)
        return LEVELS[held + 1] if held + 1 < len(LEVELS) else None
