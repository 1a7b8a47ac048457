"""Drawing a committee from the expert pool (Art. 7, 9, 10, 44), with ranked alternates.

The committee is drawn uniformly at random among *all* committees of the requested size whose
experts are of the committee's series (and specialty) with a title of at least its level
(Art. 7), are not removed from the pool (Art. 44), and, under ``min_share_scope = committee``
only, meet every minimum share of Art. 10 (``pool_min_share_*``): each category ``c`` then needs
``⌈share_c × size⌉`` experts. Under the default ``min_share_scope = pool`` (the letter of Art. 10:
专家库中…应有一定比例) the shares bind the pool, not the committee: the draw is a plain uniform
draw of ``size`` of the eligible experts, and the pool's shares are reported beside it
(:attr:`CommitteeDraw.pool`, :func:`zcsim.procedure.pool.pool_composition`). See
:mod:`zcsim.draw._quota` for the sampler.

Who chairs is left by the Measures to the agency (Art. 9 fixes only the numbers: one chair, 1 to 3
vice-chairs). zcsim's neutral default draws the chair and vice-chairs at random among the drawn
experts; a caller who appoints them otherwise can rebuild :class:`CommitteeDraw` with other roles.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from zcsim.draw import _quota
from zcsim.draw._errors import Diagnosis, DrawError, Relaxation
from zcsim.draw._pool import CATEGORIES, ExpertRecord, Pool
from zcsim.draw._quota import QuotaModel
from zcsim.draw._seed import Seed, child, generator, seed_json, seed_sequence
from zcsim.errors import InputError
from zcsim.law import LEVELS, RuleSet, format_value
from zcsim.law._params import MAX_COMMITTEE_SIZE
from zcsim.procedure._finding import Finding
from zcsim.procedure.committee import committee_constitution
from zcsim.procedure.pool import (
    PoolComposition,
    committee_min_share,
    committee_quota,
    pool_composition,
    removed_not_drawn,
)

__all__ = [
    "Member",
    "CommitteeDraw",
    "Replacement",
    "draw_committee",
    "committee_size",
    "quota_need",
    "find_replacement",
    "replacement",
    "with_replacement",
    "CATEGORY_NAMES",
    "MAX_COMMITTEE_SIZE",
]

CATEGORY_NAMES: dict[str, str] = {
    "grassroots": "grassroots", "central": "central-unit", "non_public": "non-public", "young": "young"}
"""How messages name each category's experts ("the young-expert quota")."""


def _quota_name(c: str) -> str:
    return f"{CATEGORY_NAMES[c]}-expert quota"


def _share_key(c: str) -> str:
    return f"pool_min_share_{c}"


# ----------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Member:
    """A committee expert with a role: ``chair``, ``vice_chair`` or ``member``."""

    expert: ExpertRecord
    role: str

    @property
    def id(self) -> str:
        return self.expert.id


def _expert_json(e: ExpertRecord) -> dict[str, Any]:
    return {"id": e.id, "employer": e.employer, "specialty": e.specialty, "level": e.level,
            "categories": list(e.categories)}


@dataclass(frozen=True)
class CommitteeDraw:
    """A drawn committee: experts with roles, the quota check, and ranked alternates.

    Attributes
    ----------
    members : tuple of Member
        Chair first, then vice-chairs, then members (each group by id).
    alternates : tuple of ExpertRecord
        Eligible experts not drawn, in the random rank order in which they replace a member
        (:func:`find_replacement`).
    need : mapping of category to int
        ``⌈share × size⌉`` for each category (0 when no share is set).
    shares : mapping of category to Fraction
        The ``pool_min_share_*`` values used.
    available : mapping of category to int
        Eligible experts of each category in the pool.
    eligible : int
        Eligible experts in the pool (series, specialty, level; removed experts left out, Art. 44).
    findings : tuple of Finding
        :func:`~zcsim.procedure.committee.committee_constitution`,
        :func:`~zcsim.procedure.pool.committee_min_share` and
        :func:`~zcsim.procedure.pool.removed_not_drawn` on the drawn committee (all ok).
    pool : PoolComposition or None
        The Art. 10 shares of the experts of the committee's scope (series, specialty, level), the
        removed ones counted apart: the pool check (``pool.min_share``), which may be short.
    """

    series: str
    level: str
    specialty: str | None
    size: int
    rules: RuleSet = field(repr=False)
    size_adjustment_filed: bool
    seed: Any
    members: tuple[Member, ...]
    alternates: tuple[ExpertRecord, ...]
    need: Mapping[str, int]
    shares: Mapping[str, Fraction]
    available: Mapping[str, int]
    eligible: int
    findings: tuple[Finding, ...] = field(repr=False)
    pool: PoolComposition | None = field(default=None, repr=False, compare=False)

    @property
    def min_share_scope(self) -> str:
        """``pool`` (no committee quota; the default) or ``committee`` (a quota draw), Art. 10."""
        return self.rules.min_share_scope

    @property
    def by_specialty(self) -> bool:
        """Whether the committee is formed by specialty (else by series), Art. 7/9."""
        return self.specialty is not None

    @property
    def experts(self) -> tuple[ExpertRecord, ...]:
        return tuple(m.expert for m in self.members)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.members)

    @property
    def chair(self) -> ExpertRecord:
        return next(m.expert for m in self.members if m.role == "chair")

    @property
    def vice_chairs(self) -> tuple[ExpertRecord, ...]:
        return tuple(m.expert for m in self.members if m.role == "vice_chair")

    def role_of(self, expert_id: str) -> str | None:
        return next((m.role for m in self.members if m.id == expert_id), None)

    @property
    def drawn(self) -> dict[str, int]:
        """Drawn experts of each category."""
        return {c: sum(1 for m in self.members if getattr(m.expert, c)) for c in CATEGORIES}

    @property
    def quota_met(self) -> bool:
        d = self.drawn
        return all(d[c] >= self.need[c] for c in CATEGORIES)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def as_json(self) -> dict[str, Any]:
        drawn = self.drawn
        return {
            "series": self.series, "specialty": self.specialty, "level": self.level,
            "formed_by": "specialty" if self.by_specialty else "series",
            "size": self.size, "rules": self.rules.name, "seed": self.seed, "eligible": self.eligible,
            "members": [{**_expert_json(m.expert), "role": m.role} for m in self.members],
            "min_share_scope": self.min_share_scope,
            "quota": {c: {"share": str(self.shares[c]), "need": self.need[c], "drawn": drawn[c],
                          "available": self.available[c], "met": drawn[c] >= self.need[c]} for c in CATEGORIES},
            "pool_shares": self.pool.as_json() if self.pool is not None else None,
            "alternates": [{"rank": i + 1, **_expert_json(e)} for i, e in enumerate(self.alternates)],
            "checks": [{**f.as_dict(), "ok": f.ok} for f in self.findings],
        }


# ----------------------------------------------------------------------------------------------
# size and quotas
# ----------------------------------------------------------------------------------------------
def quota_need(rules: RuleSet, size: int) -> dict[str, int]:
    """Experts each category needs in a drawn committee of ``size``: ``⌈share × size⌉`` (exact)
    under ``min_share_scope = committee``; 0 under the default ``pool`` (Art. 10 binds the pool).
    The rule's home is :func:`zcsim.procedure.pool.committee_quota`.

    >>> from zcsim import load_rules
    >>> quota_need(load_rules(overrides=["pool_min_share_young=1/5", "min_share_scope=committee"]), 25)["young"]
    5
    >>> quota_need(load_rules(overrides=["pool_min_share_young=1/5"]), 25)["young"]
    0
    """
    return committee_quota(rules, size)


# MAX_COMMITTEE_SIZE, the largest committee zcsim draws (a larger requested size is refused at once,
# before any list of that size is made), is the rule sets' own bound (zcsim.law._params).


def _valid_sizes(rules: RuleSet, *, minimum: int | None, lo: int, hi: int) -> list[int]:
    lo = max(lo, minimum or 1, rules.chairs + rules.vice_chairs_min)
    if rules.committee_max_size is not None:
        hi = min(hi, rules.committee_max_size)
    return [s for s in range(lo, hi + 1) if not (rules.committee_size_odd and s % 2 == 0)]


def committee_size(rules: RuleSet, *, level: str, by_specialty: bool, size: int | None = None,
                   size_adjustment_filed: bool = False, vice_chairs: int | None = None) -> int:
    """Validate a requested committee size against Art. 9, or choose the default.

    The default is the smallest valid size: the minimum for the committee's basis (by specialty
    or by series) and level, made odd. Where no minimum applies (a filed size adjustment, or a
    level the rule set's minimums do not cover, as national-2019's intermediate and junior
    committees), the default is still the size the rule set names as the general one
    (``committee_min_size_specialty`` or ``_series``), capped at ``committee_max_size``.

    Raises
    ------
    DrawError
        Naming the article and the numbers (even size, below the minimum, above the maximum, too
        small for one chair and the vice-chairs).
    """
    basis = "specialty" if by_specialty else "series"
    minimum = rules.min_committee_size(by_specialty=by_specialty, level=level, size_adjustment_filed=size_adjustment_filed)
    general = rules.committee_min_size_specialty if by_specialty else rules.committee_min_size_series
    officers = rules.chairs + (vice_chairs if vice_chairs is not None else rules.vice_chairs_min)
    if size is None:
        target = max(minimum if minimum is not None else general, officers)
        if rules.committee_size_odd and target % 2 == 0:
            target += 1
        if rules.committee_max_size is not None and target > rules.committee_max_size:
            target = rules.committee_max_size - (1 if rules.committee_size_odd and rules.committee_max_size % 2 == 0 else 0)
        return target
    if size > MAX_COMMITTEE_SIZE:
        raise DrawError([Diagnosis(f"committee size {size} is more than zcsim draws ({MAX_COMMITTEE_SIZE:,}, "
                                   "MAX_COMMITTEE_SIZE)", 9, "size")],
                        [Relaxation("size", "leave out --size for the smallest valid size", cost=1)])
    valid = _valid_sizes(rules, minimum=minimum, lo=1, hi=max(size, general) + 4)
    near = sorted(valid, key=lambda s: (abs(s - size), s))[:2]
    relax = [Relaxation("size", f"use a committee of {s}", options={"size": s}, cost=abs(s - size)) for s in sorted(near)]
    problems: list[Diagnosis] = []
    if size < 1:
        raise DrawError([Diagnosis(f"committee size {size} is not a positive number", 9)], relax)
    if rules.committee_size_odd and size % 2 == 0:
        problems.append(Diagnosis(f"committee size {size} is even; a committee must have an odd number of experts (committee_size_odd)", 9, "size"))
    if minimum is not None and size < minimum:
        problems.append(Diagnosis(f"committee size {size} < {minimum} required for a {level} committee formed by {basis} (committee_min_size_{basis})", 9, "size"))
        # a filed size adjustment lifts the minimum only ("一般不少于"); parity and the maximum still hold
        if not (rules.committee_size_odd and size % 2 == 0) and not (
                rules.committee_max_size is not None and size > rules.committee_max_size):
            relax.append(Relaxation("size_adjustment", f"keep {size} experts under a size adjustment filed with the Bureau",
                                    ("size_adjustment_filed=true",), cost=1))
    if rules.committee_max_size is not None and size > rules.committee_max_size:
        problems.append(Diagnosis(f"committee size {size} > {rules.committee_max_size} allowed (committee_max_size)", 9, "size"))
    if size < officers:
        problems.append(Diagnosis(f"committee size {size} cannot seat {rules.chairs} chair(s) and {officers - rules.chairs} vice-chair(s)", 9, "size"))
    if problems:
        raise DrawError(problems, relax)
    return size


# ----------------------------------------------------------------------------------------------
# the draw
# ----------------------------------------------------------------------------------------------
def _eligible(pool: Pool, *, series: str, level: str, specialty: str | None) -> list[ExpertRecord]:
    if level not in LEVELS:
        close = difflib.get_close_matches(str(level), LEVELS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DrawError([Diagnosis(f"level {level!r} is not one of {', '.join(LEVELS)}{hint}", 9, "level")])
    eligible = pool.eligible(series, level, specialty)
    if eligible:
        return eligible
    in_series = [e for e in pool if e.series == series]
    if not in_series:
        known = sorted({e.series for e in pool})
        close = difflib.get_close_matches(series, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DrawError([Diagnosis(f"the pool has no expert of series {series!r}{hint}; committees draw only experts "
                                   f"of their own series (no cross-series committees); series in the pool: "
                                   f"{', '.join(known) or '(none)'}", 7, "series")])
    if specialty is not None:
        in_spec = [e for e in in_series if e.specialty == specialty]
        if not in_spec:
            known = sorted({e.specialty for e in in_series})
            close = difflib.get_close_matches(specialty, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise DrawError([Diagnosis(f"the pool has no expert of specialty {specialty!r} in series {series!r}{hint}; "
                                       f"specialties there: {', '.join(known)}", 7, "specialty")])
    raise DrawError([Diagnosis(f"the pool has experts of series {series!r}"
                               + (f", specialty {specialty!r}" if specialty else "")
                               + f" but none with a title of {level} level or above", 7, "level")])


def _describe_scope(series: str, specialty: str | None, level: str) -> str:
    spec = f", specialty {specialty}" if specialty else ""
    return f"series {series}{spec}, {level} level or above"


def draw_committee(
    pool: Pool | Iterable[ExpertRecord],
    rules: RuleSet,
    *,
    series: str,
    level: str,
    specialty: str | None = None,
    size: int | None = None,
    seed: Seed,
    vice_chairs: int | None = None,
    alternates: int | None = None,
    size_adjustment_filed: bool = False,
) -> CommitteeDraw:
    """Draw a committee at random from the pool (Art. 7, 9, 10).

    Parameters
    ----------
    pool : Pool or iterable of ExpertRecord
    rules : RuleSet
    series, level : str
        The committee's series and level; only experts of that series with a title of at least
        that level are eligible (Art. 7).
    specialty : str, optional
        Form the committee by specialty (else by series); only experts of the specialty are
        eligible, and the by-specialty minimum size applies (Art. 9).
    size : int, optional
        Committee size; validated (:func:`committee_size`); default the smallest valid size.
    seed : int or numpy.random.SeedSequence
        Same seed, pool, rules and arguments → same draw. Children 0, 1, 2 of the seed sequence
        drive the committee, the roles and the alternates.
    vice_chairs : int, optional
        Number of vice-chairs (default ``rules.vice_chairs_min``; ``vice_chairs_min`` to
        ``vice_chairs_max``).
    alternates : int, optional
        Length of the ranked list of alternates, >= 0 (default: ``size``; capped by the eligible experts
        left).
    size_adjustment_filed : bool
        The Bureau has accepted a filing adjusting the size (lifts the minimum, Art. 9).

    Returns
    -------
    CommitteeDraw

    Raises
    ------
    DrawError
        When the request breaks Art. 9 or no committee meets the quotas; the error names the reason
        and the smallest relaxation (see :class:`~zcsim.draw.Relaxation`).

    Examples
    --------
    >>> from zcsim import load_rules
    >>> from zcsim.draw import ExpertRecord, Pool
    >>> pool = Pool(ExpertRecord(f"E{i:02}", f"ORG{i % 7}", "engineering", "electrical", "senior",
    ...                          young=i % 4 == 0) for i in range(40))
    >>> rules = load_rules(overrides=["pool_min_share_young=1/5", "min_share_scope=committee"])
    >>> d = draw_committee(pool, rules, series="engineering", specialty="electrical", level="senior", seed=1)
    >>> d.size, d.need["young"], d.need["young"] <= d.drawn["young"], [m.role for m in d.members][:2]
    (11, 3, True, ['chair', 'vice_chair'])
    >>> d.pool.share("young").text   # the pool check beside the draw (Art. 10)
    'young: 10 of 40 = 25 % ≥ 20 %'
    >>> draw_committee(pool, load_rules(overrides=["pool_min_share_young=1/5"]), series="engineering",
    ...                specialty="electrical", level="senior", seed=1).need["young"]   # default scope: no quota
    0
    >>> d == draw_committee(pool, rules, series="engineering", specialty="electrical", level="senior", seed=1)
    True
    """
    if alternates is not None and (isinstance(alternates, bool) or not isinstance(alternates, (int, np.integer))
                                   or alternates < 0):
        raise InputError(f"alternates {alternates!r}; expected a whole number >= 0 (the length of the ranked list)",
                         location="alternates")
    model, ctx = _prepare(pool, rules, series=series, level=level, specialty=specialty, size=size,
                          vice_chairs=vice_chairs, size_adjustment_filed=size_adjustment_filed)
    size, need, eligible = model.size, model.need_by_category, model.experts
    ss = seed_sequence(seed)
    chosen = model.sample(generator(child(ss, 0)))
    members = _assign_roles(chosen, rules.chairs, ctx.vice_chairs, generator(child(ss, 1)))
    chosen_ids = {e.id for e in chosen}
    rest = [e for e in model.experts if e.id not in chosen_ids]
    n_alt = min(size if alternates is None else int(alternates), len(rest))
    order = generator(child(ss, 2)).permutation(len(rest))[:n_alt]
    alts = tuple(rest[int(i)] for i in order)
    draw = CommitteeDraw(
        series=series, level=level, specialty=specialty, size=size, rules=rules,
        size_adjustment_filed=size_adjustment_filed, seed=seed_json(seed), members=members, alternates=alts,
        need=need, shares={c: getattr(rules, _share_key(c)) for c in CATEGORIES},
        available={c: model.available(c) for c in CATEGORIES}, eligible=len(eligible),
        findings=(), pool=_pool_shares(pool, rules, series=series, level=level, specialty=specialty),
    )
    return _checked(draw)


def _pool_shares(pool: Pool | Iterable[ExpertRecord], rules: RuleSet, *, series: str, level: str,
                 specialty: str | None) -> PoolComposition:
    """The pool check (Art. 10) on the experts of the committee's scope, removed ones apart (Art. 44)."""
    if not isinstance(pool, Pool):
        pool = Pool(pool)
    return pool_composition(pool.in_scope(series, level, specialty), rules,
                            scope=_describe_scope(series, specialty, level))


def _prepare(pool: Pool | Iterable[ExpertRecord], rules: RuleSet, *, series: str, level: str,
             specialty: str | None, size: int | None, vice_chairs: int | None,
             size_adjustment_filed: bool) -> tuple[QuotaModel, _Context]:
    """Validate a draw request; return the quota model of the eligible experts (feasible)."""
    if not isinstance(pool, Pool):
        pool = Pool(pool)
    by_specialty = specialty is not None
    if vice_chairs is None:
        vice_chairs = rules.vice_chairs_min
    if not rules.vice_chairs_min <= vice_chairs <= rules.vice_chairs_max:
        v = min(max(vice_chairs, rules.vice_chairs_min), rules.vice_chairs_max)
        raise DrawError([Diagnosis(f"{vice_chairs} vice-chairs requested; a committee has {rules.vice_chairs_min} to "
                                   f"{rules.vice_chairs_max} (vice_chairs_min, vice_chairs_max)", 9, "vice_chairs")],
                        [Relaxation("size", f"use {v} vice-chair(s)", options={"vice_chairs": v})])
    eligible = _eligible(pool, series=series, level=level, specialty=specialty)
    size = committee_size(rules, level=level, by_specialty=by_specialty, size=size,
                          size_adjustment_filed=size_adjustment_filed, vice_chairs=vice_chairs)
    model = QuotaModel(eligible, size, quota_need(rules, size))
    ctx = _Context(rules, series, specialty, level, size, size_adjustment_filed, vice_chairs)
    if not model.feasible():
        raise DrawError(*_diagnose(model, ctx))
    if model.states > _quota.MAX_STATES:
        raise DrawError([Diagnosis(
            f"the quotas {', '.join(f'{c} {n}' for c, n in zip(model.categories, model.need))} in a committee of "
            f"{size} make {model.states:,} sampler states (limit {_quota.MAX_STATES:,}); lower a share or the size", 10)])
    return model, ctx


def _assign_roles(chosen: Sequence[ExpertRecord], chairs: int, vice_chairs: int,
                  rng: np.random.Generator) -> tuple[Member, ...]:
    order = rng.permutation(len(chosen))
    roles = {}
    for rank, i in enumerate(order):
        roles[chosen[int(i)].id] = "chair" if rank < chairs else "vice_chair" if rank < chairs + vice_chairs else "member"
    rank_of = {"chair": 0, "vice_chair": 1, "member": 2}
    return tuple(sorted((Member(e, roles[e.id]) for e in chosen), key=lambda m: (rank_of[m.role], m.id)))


def _checked(draw: CommitteeDraw) -> CommitteeDraw:
    findings = (*committee_constitution(
        [(m.id, m.role) for m in draw.members], draw.rules, by_specialty=draw.by_specialty, level=draw.level,
        size_adjustment_filed=draw.size_adjustment_filed,
        # a draw under a filed size adjustment draws the size that filing names (Art. 9)
        filed_size=draw.size if draw.size_adjustment_filed or draw.rules.size_adjustment_filed else None),
        *committee_min_share(draw.experts, draw.rules), removed_not_drawn(draw.experts))
    draw = dataclasses.replace(draw, findings=findings)
    bad = draw.violations
    if bad or not draw.quota_met:  # pragma: no cover - an internal invariant, tested
        raise RuntimeError("zcsim bug: drawn committee fails its own checks: "
                           + "; ".join(f.detail for f in bad) + ("" if draw.quota_met else " (quota)"))
    return draw


# ----------------------------------------------------------------------------------------------
# diagnosis of an impossible draw
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Context:
    rules: RuleSet
    series: str
    specialty: str | None
    level: str
    size: int
    size_adjustment_filed: bool
    vice_chairs: int

    @property
    def minimum(self) -> int | None:
        return self.rules.min_committee_size(by_specialty=self.specialty is not None, level=self.level,
                                             size_adjustment_filed=self.size_adjustment_filed)


def _diagnose(model: QuotaModel, ctx: _Context) -> tuple[list[Diagnosis], list[Relaxation]]:
    m, size, rules = len(model.experts), ctx.size, ctx.rules
    scope = _describe_scope(ctx.series, ctx.specialty, ctx.level)
    if size > m:
        diag = [Diagnosis(f"the pool has {m} eligible expert{'s' if m != 1 else ''} ({scope}); "
                          f"a committee of {size} needs {size}", 9, "size")]
        relax: list[Relaxation] = []
        smaller = [s for s in _valid_sizes(rules, minimum=ctx.minimum, lo=1, hi=m)
                   if s < size and _feasible_at(model.experts, rules, s)]
        if smaller:
            s = smaller[-1]
            relax.append(Relaxation("size", f"draw a committee of {s}", options={"size": s}, cost=size - s))
        relax.append(Relaxation("pool", f"add {size - m} eligible expert{'s' if size - m != 1 else ''} ({scope}) to the pool",
                                cost=size - m, verified=_feasible_with_added(model, size - m, ())))
        if ctx.minimum is not None and not smaller:
            filed = [s for s in _valid_sizes(rules, minimum=None, lo=1, hi=m)
                     if s >= ctx.rules.chairs + ctx.vice_chairs and _feasible_at(model.experts, rules, s)]
            if filed:
                s = filed[-1]
                relax.append(Relaxation("size_adjustment", f"file a size adjustment with the Bureau and draw {s}",
                                        ("size_adjustment_filed=true",), {"size": s}, cost=size - s))
        return diag, relax
    diag = []
    short = [c for c in model.categories if model.available(c) < model.need_by_category[c]]
    for c in short:
        need, have = model.need_by_category[c], model.available(c)
        diag.append(Diagnosis(f"the {_quota_name(c)} needs {need} (⌈{_share_text(ctx, c)} × {size}⌉) but the pool has "
                              f"{have} eligible {CATEGORY_NAMES[c]} expert{'s' if have != 1 else ''}", 10, c))
    if not short:
        for subset in _minimal_infeasible_subsets(model):
            diag.append(_joint_diagnosis(model, subset, size))
    return diag, _quota_relaxations(model, ctx, short)


def _share_text(ctx: _Context, c: str) -> str:
    return format_value(getattr(ctx.rules, _share_key(c)))


def _minimal_infeasible_subsets(model: QuotaModel) -> list[tuple[str, ...]]:
    cats = model.categories
    bad: list[tuple[str, ...]] = []
    for r in range(1, len(cats) + 1):
        for subset in itertools.combinations(cats, r):
            if any(set(b) <= set(subset) for b in bad):
                continue
            if model.min_seats({c: model.need_by_category[c] for c in subset}) > model.size:
                bad.append(subset)
    return bad


def _joint_diagnosis(model: QuotaModel, subset: tuple[str, ...], size: int) -> Diagnosis:
    seats = model.min_seats({c: model.need_by_category[c] for c in subset})
    parts = [f"the {_quota_name(c)} needs {model.need_by_category[c]}" for c in subset]
    listed = " and ".join(parts) if len(parts) == 2 else ", ".join(parts[:-1]) + ", and " + parts[-1]
    if len(subset) == 2:
        both = model.overlap(subset)
        why = (f"only {both} eligible expert{' is' if both == 1 else 's are'} both "
               f"{CATEGORY_NAMES[subset[0]]} and {CATEGORY_NAMES[subset[1]]}")
    else:
        pairs = ", ".join(f"{CATEGORY_NAMES[a]}+{CATEGORY_NAMES[b]} {model.overlap((a, b))}"
                          for a, b in itertools.combinations(subset, 2))
        why = f"the categories overlap too little (eligible experts in both: {pairs})"
    return Diagnosis(f"{listed} in a committee of {size}, but {why}, so these quotas take at least {seats} seats",
                     10, "+".join(subset))


def _feasible_at(experts: Sequence[ExpertRecord], rules: RuleSet, size: int) -> bool:
    return QuotaModel(experts, size, quota_need(rules, size)).feasible()


def _synthetic(n: int, categories: Iterable[str]) -> list[ExpertRecord]:
    flags = {c: True for c in categories}
    return [ExpertRecord(f"\x00added{i}", "", "", "", "senior", **flags) for i in range(n)]


def _feasible_with_added(model: QuotaModel, n: int, categories: Iterable[str]) -> bool:
    return QuotaModel([*model.experts, *_synthetic(n, categories)], model.size, model.need_by_category).feasible()


def _quota_relaxations(model: QuotaModel, ctx: _Context, short: Sequence[str]) -> list[Relaxation]:
    size, rules = model.size, ctx.rules
    out: list[Relaxation] = []
    # 1. lower the needs: the smallest total reduction (the min-seats table answers every need ≤ ours)
    table = model._min_seats_table
    red = np.indices(table.shape).reshape(len(model.need), -1).T
    ok = table.reshape(-1) <= size
    if ok.any():
        cost = red.sum(axis=1)
        best = int(cost[ok].min())
        cands = sorted((tuple(int(x) for x in r) for r in red[ok & (cost == best)]),
                       key=lambda r: (sum(1 for x in r if x), r))
        for r in cands[:3]:
            keys, words = [], []
            for c, cut in zip(model.categories, r):
                if not cut:
                    continue
                new = model.need_by_category[c] - cut
                share = Fraction(new, size)
                keys.append(f"{_share_key(c)}={share}")
                words.append(f"{_share_key(c)} from {_share_text(ctx, c)} to {share} "
                             f"(needs {new} instead of {model.need_by_category[c]})")
            out.append(Relaxation("quota", "lower " + " and ".join(words), tuple(keys), cost=best))
    # 2. another valid committee size under the same rules
    lo, hi = 1, len(model.experts)
    for s in sorted(_valid_sizes(rules, minimum=ctx.minimum, lo=lo, hi=hi), key=lambda s: (abs(s - size), s)):
        if s != size and _feasible_at(model.experts, rules, s):
            out.append(Relaxation("size", f"draw a committee of {s} instead of {size}", options={"size": s},
                                  cost=abs(s - size)))
            break
    # 3. more experts in the pool
    scope = _describe_scope(ctx.series, ctx.specialty, ctx.level)
    if short:
        adds = {c: model.need_by_category[c] - model.available(c) for c in short}
        flags: tuple[str, ...] = tuple(short)
        n = max(adds.values())
        # experts belonging to every short category; one per missing seat of the largest gap
        while n <= size and not _feasible_with_added(model, n, flags):
            n += 1
        if n <= size:
            who = " and ".join(CATEGORY_NAMES[c] for c in flags)
            out.append(Relaxation("pool", f"add {n} eligible expert{'s' if n != 1 else ''} who {'are' if n != 1 else 'is'} "
                                          f"{who} ({scope}) to the pool", cost=n))
    else:
        for subset in _minimal_infeasible_subsets(model)[:1]:
            n = 1
            while n <= size and not _feasible_with_added(model, n, subset):
                n += 1
            if n <= size:
                who = " and ".join(CATEGORY_NAMES[c] for c in subset)
                out.append(Relaxation("pool", f"add {n} eligible expert{'s' if n != 1 else ''} who "
                                              f"{'are' if n != 1 else 'is'} {who} ({scope}) to the pool", cost=n))
    # 4. the letter of Art. 10: the shares bind the pool, not each committee (no quota in the draw)
    out.append(Relaxation("scope", "apply the Art. 10 shares to the pool rather than to each committee (the letter, "
                                   "专家库中…应有一定比例; check the pool with `zcsim pool check`)",
                          ("min_share_scope=pool",), cost=size))
    return out


# ----------------------------------------------------------------------------------------------
# alternates
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Replacement:
    """The outcome of looking for an alternate to replace a committee expert.

    Attributes
    ----------
    leaving : str
        The expert who recuses or does not come.
    expert : ExpertRecord or None
        The first alternate in rank order who keeps every quota and is not conflicted.
    rank : int or None
        That alternate's rank (1 = first alternate).
    skipped : tuple of (alternate id, reason)
        Alternates ranked before it (or all of them) and why each was passed over.
    explanation : str
    """

    leaving: str
    expert: ExpertRecord | None
    rank: int | None
    skipped: tuple[tuple[str, str], ...]
    explanation: str

    def as_json(self) -> dict[str, Any]:
        return {"leaving": self.leaving, "expert": self.expert.id if self.expert else None, "rank": self.rank,
                "skipped": [{"expert": e, "reason": r} for e, r in self.skipped], "explanation": self.explanation}


def _member_id(draw: CommitteeDraw, leaving: str | ExpertRecord) -> str:
    lid = leaving.id if isinstance(leaving, ExpertRecord) else str(leaving)
    if lid not in draw.ids:
        raise DrawError([Diagnosis(f"{lid} is not an expert of the drawn committee", 7, lid)])
    return lid


def find_replacement(draw: CommitteeDraw, leaving: str | ExpertRecord, *,
                     conflicted_with: Iterable[str] = frozenset()) -> Replacement:
    """The first alternate, in rank order, who can take ``leaving``'s seat.

    The alternate qualifies when the committee without ``leaving`` and with the alternate still
    meets every quota (Art. 10) and the alternate is not in ``conflicted_with`` (for instance the
    experts conflicted with the applicant the replacement is for, Art. 29).

    Raises
    ------
    DrawError
        If ``leaving`` is not on the committee.
    """
    lid = _member_id(draw, leaving)
    conflicted = set(conflicted_with)
    leaver = next(m.expert for m in draw.members if m.id == lid)
    base = draw.drawn
    skipped: list[tuple[str, str]] = []
    for rank, alt in enumerate(draw.alternates, start=1):
        if alt.id in conflicted:
            skipped.append((alt.id, "conflicted (Art. 29)"))
            continue
        after = {c: base[c] - getattr(leaver, c) + getattr(alt, c) for c in CATEGORIES}
        short = [c for c in CATEGORIES if after[c] < draw.need[c]]
        if short:
            skipped.append((alt.id, "; ".join(f"would leave the {_quota_name(c)} at {after[c]} < {draw.need[c]} (Art. 10)"
                                              for c in short)))
            continue
        why = f"{alt.id} (alternate {rank}) replaces {lid}"
        if skipped:
            why += "; passed over: " + ", ".join(f"{e} ({r})" for e, r in skipped)
        return Replacement(lid, alt, rank, tuple(skipped), why)
    if not draw.alternates:
        text = f"no alternate can replace {lid}: the draw has no alternates left"
    else:
        text = (f"no alternate can replace {lid}: " + "; ".join(f"{e} {r}" for e, r in skipped)
                + "; draw more alternates or a new committee")
    return Replacement(lid, None, None, tuple(skipped), text)


def replacement(draw: CommitteeDraw, leaving: str | ExpertRecord, *,
                conflicted_with: Iterable[str] = frozenset()) -> ExpertRecord | None:
    """The first qualifying alternate for ``leaving``, or ``None`` (see :func:`find_replacement`
    for the explanation)."""
    return find_replacement(draw, leaving, conflicted_with=conflicted_with).expert


def with_replacement(draw: CommitteeDraw, leaving: str | ExpertRecord, alternate: str | ExpertRecord) -> CommitteeDraw:
    """The committee with ``alternate`` in ``leaving``'s seat and role, and the alternate struck
    from the list (the ranks of the others move up). The result is checked like a fresh draw."""
    lid = _member_id(draw, leaving)
    aid = alternate.id if isinstance(alternate, ExpertRecord) else str(alternate)
    alt = next((e for e in draw.alternates if e.id == aid), None)
    if alt is None:
        raise DrawError([Diagnosis(f"{aid} is not an alternate of this draw", 7, aid)])
    members = tuple(Member(alt, m.role) if m.id == lid else m for m in draw.members)
    rank_of = {"chair": 0, "vice_chair": 1, "member": 2}
    members = tuple(sorted(members, key=lambda m: (rank_of[m.role], m.id)))
    new = dataclasses.replace(draw, members=members, alternates=tuple(e for e in draw.alternates if e.id != aid))
    if not new.quota_met:
        drawn = new.drawn
        short = [c for c in CATEGORIES if drawn[c] < new.need[c]]
        raise DrawError([Diagnosis(f"replacing {lid} by {aid} leaves the {_quota_name(c)} at {drawn[c]} < {new.need[c]}", 10, c)
                         for c in short])
    return _checked(new)
