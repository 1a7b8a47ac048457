"""A RuleSet as Z3 constraints over one committee, one meeting and one applicant's ballot.

The encoding is unbounded: every variable is a mathematical integer, so a proof holds for every
committee size. Every rule is one :class:`Constraint` tracked by its rule id and article, so an
unsat core reads as a list of articles. Definitions that are not rules (counts are non-negative,
nobody is present twice) are background constraints and never appear in a core.

The numbers come from the :class:`~zcsim.law.RuleSet` only; ratios enter as integer pairs, so a
threshold is ``den * yes >= num * basis`` exactly as in :mod:`zcsim.procedure.vote`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import z3

from zcsim.law import LEVELS, RuleSet

__all__ = ["Constraint", "MeetingModel", "reaches"]


def reaches(count: z3.ArithRef, basis: z3.ArithRef, ratio: Fraction, inclusive: bool) -> z3.BoolRef:
    """``count / basis`` reaches ``ratio`` in integers: ``den*count >= num*basis`` (or ``>``)."""
    lhs, rhs = ratio.denominator * count, ratio.numerator * basis
    return lhs >= rhs if inclusive else lhs > rhs


@dataclass(frozen=True)
class Constraint:
    """One rule as a Z3 formula, with the article it comes from.

    ``rule`` matches the check ids of :mod:`zcsim.procedure` where one exists
    (``meeting.quorum``), so a core, a finding and an audit speak the same names.
    """

    rule: str
    article: int | None
    text: str
    expr: z3.BoolRef

    @property
    def label(self) -> str:
        art = f"Art. {self.article}" if self.article is not None else "option"
        return f"{self.rule} ({art})"


@dataclass
class MeetingModel:
    """Symbolic committee, meeting and one applicant's ballot under ``rules``.

    Variables (all integers unless noted):

    ``size``
        experts on the committee (Art. 9); ``chairs``, ``vice_chairs`` among them.
    ``by_specialty`` (bool), ``level`` (0 junior, 1 intermediate, 2 senior)
        how the committee is formed and its level (Art. 9 minimum sizes).
    ``present``, ``chairs_present``, ``vices_present``
        experts at the meeting (Art. 22).
    ``conflicted``, ``recused``
        members related to the applicant (Art. 29), and those of them who are present and so recuse
        at the meeting.
    ``yes``, ``no``, ``abstain``
        the one round of votes of the experts present and not recused (Art. 23); ``abstain`` also
        stands for blank and invalid ballots.
    ``panel``
        experts on the applicant's panel (Art. 20), none of them conflicted (Art. 29).

    ``committee_size`` fixes the size; otherwise it ranges over every size the rules allow.

    Examples
    --------
    >>> import z3
    >>> from zcsim import load_rules
    >>> m = MeetingModel(load_rules(), committee_size=25)
    >>> s = z3.Solver(); s.add(*m.constraints(), m.passes, m.yes == 11)
    >>> s.check()
    unsat
    """

    ruleset: RuleSet
    committee_size: int | None = None
    prefix: str = ""
    background: list[z3.BoolRef] = field(default_factory=list, init=False)
    rules: list[Constraint] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        p = self.prefix

        def iv(name: str) -> z3.ArithRef:
            return z3.Int(p + name)

        self.size, self.chairs, self.vice_chairs = iv("size"), iv("chairs"), iv("vice_chairs")
        self.by_specialty, self.level = z3.Bool(p + "by_specialty"), iv("level")
        self.present, self.chairs_present, self.vices_present = iv("present"), iv("chairs_present"), iv("vices_present")
        self.conflicted, self.recused = iv("conflicted"), iv("recused")
        self.yes, self.no, self.abstain = iv("yes"), iv("no"), iv("abstain")
        self.panel = iv("panel")
        self._build()

    # -- helpers ------------------------------------------------------------------------------
    def variables(self) -> dict[str, z3.ExprRef]:
        """The model's variables by name (the keys of a counterexample)."""
        names = ("size", "chairs", "vice_chairs", "by_specialty", "level", "present", "chairs_present",
                 "vices_present", "conflicted", "recused", "yes", "no", "abstain", "panel")
        return {n: getattr(self, n) for n in names}

    def _rule(self, rule: str, article: int | None, text: str, expr: Any) -> None:
        from zcsim.procedure import CHECKS

        if rule in CHECKS:  # the engine's check of the same name fixes the article
            article = CHECKS[rule].article
        self.rules.append(Constraint(rule, article, text, z3.simplify(expr) if isinstance(expr, bool) else expr))

    def _art(self, key: str) -> int | None:
        return self.ruleset.citation(key).article

    @property
    def eligible(self) -> z3.ArithRef:
        """Experts present and free to vote on the applicant."""
        return self.present - self.recused

    @property
    def basis(self) -> z3.ArithRef:
        """The number the pass ratio is taken of (Art. 23 with the rule set's options)."""
        r = self.ruleset
        b = self.size if r.threshold_basis == "members" else self.present
        return b - self.recused if r.recusal_denominator == "eligible" else b

    @property
    def passes(self) -> z3.BoolRef:
        """The applicant passes (Art. 23): yes reaches ``pass_ratio`` of a positive basis."""
        r = self.ruleset
        return z3.And(self.basis > 0, reaches(self.yes, self.basis, r.pass_ratio, r.threshold_inclusive))

    @property
    def quorate(self) -> z3.BoolRef:
        """Enough experts present (Art. 22), and not a forbidden multiple (option)."""
        r = self.ruleset
        parts = [reaches(self.present, self.size, r.quorum_ratio, r.quorum_inclusive)]
        if r.present_not_multiple_of is not None:
            parts.append(self.present % r.present_not_multiple_of != 0)
        return z3.And(parts)

    def constraints(self, *, skip: Iterable[str] = ()) -> list[z3.BoolRef]:
        """Background and rule formulas, leaving out the rules named in ``skip``."""
        drop = set(skip)
        return self.background + [c.expr for c in self.rules if c.rule not in drop]

    def rule(self, rule: str) -> Constraint:
        """The constraint with id ``rule``."""
        for c in self.rules:
            if c.rule == rule:
                return c
        raise KeyError(rule)

    def __iter__(self) -> Iterator[Constraint]:
        return iter(self.rules)

    # -- the encoding -------------------------------------------------------------------------
    def _build(self) -> None:
        r, bg = self.ruleset, self.background
        size, present = self.size, self.present
        # definitions: counts, roles and attendance fit together
        bg += [
            size >= 1, self.chairs >= 0, self.vice_chairs >= 0, self.chairs + self.vice_chairs <= size,
            self.level >= 0, self.level < len(LEVELS),
            present >= 0, present <= size,
            self.chairs_present >= 0, self.chairs_present <= self.chairs,
            self.vices_present >= 0, self.vices_present <= self.vice_chairs,
            self.chairs_present + self.vices_present <= present,
            present - self.chairs_present - self.vices_present <= size - self.chairs - self.vice_chairs,
            self.recused >= 0, self.recused <= self.conflicted, self.recused <= present,
            self.conflicted <= size, self.conflicted - self.recused <= size - present,
            self.yes >= 0, self.no >= 0, self.abstain >= 0, self.panel >= 0,
        ]
        if self.committee_size is not None:
            bg.append(size == self.committee_size)

        # Art. 9: the committee
        if r.committee_size_odd:
            self._rule("committee.size_parity", self._art("committee_size_odd"),
                       "the committee has an odd number of experts", size % 2 == 1)
        minimum = self._minimum_size()
        if minimum is not None:
            self._rule("committee.min_size", self._art("committee_min_size_series"),
                       "the committee has at least the minimum number of experts for its basis and level",
                       size >= minimum)
        # the maximum binds unless read as guidance, or lifted by a filed size (the record files its own size)
        if r.committee_max_size is not None and r.committee_max_size_binding and not r.size_adjustment_filed:
            self._rule("committee.max_size", self._art("committee_max_size"),
                       f"the committee has at most {r.committee_max_size} experts", size <= r.committee_max_size)
        self._rule("committee.chair", self._art("chairs"), f"the committee has {r.chairs} chair(s)",
                   self.chairs == r.chairs)
        self._rule("committee.vice_chairs", self._art("vice_chairs_min"),
                   f"the committee has {r.vice_chairs_min} to {r.vice_chairs_max} vice-chairs",
                   z3.And(self.vice_chairs >= r.vice_chairs_min, self.vice_chairs <= r.vice_chairs_max))

        # Art. 20, 29: the applicant's panel
        panel_cap = [self.panel <= size - self.conflicted] if r.panel_experts_from_committee else []
        self._rule("panel.min_size", self._art("panel_min_size"),
                   f"the applicant's panel has at least {r.panel_min_size} experts", self.panel >= r.panel_min_size)
        if panel_cap:
            self._rule("recusal.panel", 29, "the panel is formed of committee experts not related to the applicant",
                       z3.And(panel_cap))

        # Art. 22: the meeting
        self._rule("meeting.quorum", self._art("quorum_ratio"),
                   f"at least {r.quorum_ratio} of the committee is present"
                   + ("" if r.quorum_inclusive else " (strictly more)"),
                   reaches(present, size, r.quorum_ratio, r.quorum_inclusive))
        if r.present_not_multiple_of is not None:
            self._rule("meeting.present_not_multiple", self._art("present_not_multiple_of"),
                       f"the number present is not a multiple of {r.present_not_multiple_of}",
                       present % r.present_not_multiple_of != 0)
        presiding = []
        if "chair" in r.presiding_roles:
            presiding.append(self.chairs_present)
        if "vice_chair" in r.presiding_roles:
            presiding.append(self.vices_present)
        self._rule("meeting.presiding", self._art("presiding_roles"),
                   "a chair or vice-chair who is present presides",
                   z3.Sum(presiding) >= 1 if presiding else z3.BoolVal(False))
        if r.quorum_after_recusal:
            self._rule("meeting.quorum_after_recusal", self._art("quorum_after_recusal"),
                       "the quorum also holds among the experts free to vote on the applicant",
                       reaches(self.eligible, size, r.quorum_ratio, r.quorum_inclusive))

        # Art. 23, 29: one round of votes by the experts present and not recused
        ballots = self.yes + self.no + self.abstain
        if r.proxy_votes_allowed:
            absent_free = size - present - (self.conflicted - self.recused)
            cast = z3.And(ballots >= self.eligible, ballots <= self.eligible + absent_free)
        else:
            cast = ballots == self.eligible
        self._rule("vote.ballots", self._art("voting_rounds"),
                   "each expert present and not recused casts one ballot in one round"
                   + ("" if not r.proxy_votes_allowed else "; absent experts may vote by proxy"), cast)

    def _minimum_size(self) -> z3.ArithRef | None:
        """The Art. 9 minimum as an expression of basis and level (``None`` if none ever applies)."""
        r = self.ruleset
        cases = []
        for li, level in enumerate(LEVELS):
            for spec in (False, True):
                m = r.min_committee_size(by_specialty=spec, level=level)
                cases.append((li, spec, m or 0))
        if all(m == 0 for *_, m in cases):
            return None
        expr: z3.ArithRef = z3.IntVal(0)
        for li, spec, m in cases:
            cond = z3.And(self.level == li, self.by_specialty if spec else z3.Not(self.by_specialty))
            expr = z3.If(cond, m, expr)
        return expr
