"""The expert pool: its composition (Art. 10) and the experts removed from it (Art. 44).

Art. 10 puts the shares on the pool: 专家库中基层一线专家、中央单位专家、非公领域专家、青年专家应有一定比例
("the pool shall have a certain share of grassroots front-line, central-unit, non-public and young
experts"). :func:`pool_min_share` checks a pool against the rule set's ``pool_min_share_*``
minimums, exactly (``count * den >= num * total``). Whether each drawn committee must also hold
the shares is the interpretation option ``min_share_scope`` (default ``pool``, the letter):
:func:`committee_quota` gives the ``⌈share × size⌉`` quotas a committee-scope draw needs (zero
under the default) and :func:`committee_min_share` checks a committee against them.

Art. 44: an expert who breaks Art. 28 or 29 loses the expert qualification (由评审机构取消其评审专家
资格); Art. 10 asks for an exit mechanism (退出机制). Such an expert has pool status ``removed``: they
are not counted in the pool's composition and never drawn (:func:`removed_not_drawn`).

The functions take any experts with the four category flags as attributes (``grassroots``,
``central``, ``non_public``, ``young``) and an optional ``status`` (``active`` when absent), such as
:class:`zcsim.draw.ExpertRecord`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zcsim.law import RuleSet
from zcsim.procedure._finding import Finding, register

__all__ = [
    "POOL_CATEGORIES",
    "STATUSES",
    "PoolShare",
    "PoolComposition",
    "pool_composition",
    "pool_min_share",
    "committee_quota",
    "committee_min_share",
    "removed_not_drawn",
    "is_removed",
    "format_percent",
]

POOL_CATEGORIES: tuple[str, ...] = tuple(
    k.removeprefix("pool_min_share_") for k in RuleSet.specs() if k.startswith("pool_min_share_"))
"""The Art. 10 categories, as the rule set names their minimums (``pool_min_share_<category>``)."""

STATUSES: tuple[str, ...] = ("active", "removed")
"""Pool statuses of an expert: ``removed`` = expert qualification cancelled (Art. 44)."""

MIN_SHARE = register("pool.min_share", 10,
                     "the expert pool holds at least pool_min_share_<category> of each Art. 10 category")
COMMITTEE_MIN_SHARE = register("committee.min_share", 10,
                               "under min_share_scope = committee, a drawn committee holds ⌈share × size⌉ "
                               "experts of each Art. 10 category")
REMOVED = register("pool.removed_not_drawn", 44,
                   "an expert removed from the pool (评审专家资格 cancelled) is not drawn onto a committee")

_NAMES = {"grassroots": "grassroots", "central": "central-unit", "non_public": "non-public", "young": "young"}


def is_removed(expert: Any) -> bool:
    """Whether the expert's pool status is ``removed`` (Art. 44).

    >>> from types import SimpleNamespace
    >>> is_removed(SimpleNamespace(status="removed")), is_removed(SimpleNamespace())
    (True, False)
    """
    return getattr(expert, "status", "active") == "removed"


def format_percent(x: Fraction, other: Fraction | None = None) -> str:
    """``16.7 %``: one decimal (none when whole), more when needed to tell ``x`` from ``other``.

    >>> format_percent(Fraction(7, 42)), format_percent(Fraction(1, 5)), format_percent(Fraction(1999, 10000), Fraction(1, 5))
    ('16.7 %', '20 %', '19.99 %')
    """
    for digits in range(1, 7):
        text = f"{float(x * 100):.{digits}f}"
        if other is None or x == other or text != f"{float(other * 100):.{digits}f}":
            break
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} %"


@dataclass(frozen=True, slots=True)
class PoolShare:
    """One category's share of a pool against its minimum (Art. 10).

    Examples
    --------
    >>> s = PoolShare("young", 7, 42, Fraction(1, 5))
    >>> s.met, s.text
    (False, 'young: 7 of 42 = 16.7 % < 20 %')
    """

    category: str
    count: int
    total: int
    minimum: Fraction

    @property
    def share(self) -> Fraction:
        """``count / total`` (0 for an empty pool)."""
        return Fraction(self.count, self.total) if self.total else Fraction(0)

    @property
    def met(self) -> bool:
        """``count / total >= minimum``, compared exactly as ``count * den >= num * total``; an empty
        pool meets only a zero minimum."""
        if self.minimum == 0:
            return True
        if self.total == 0:
            return False
        return self.count * self.minimum.denominator >= self.minimum.numerator * self.total

    @property
    def text(self) -> str:
        """``young: 7 of 42 = 16.7 % < 20 %`` (``no minimum`` when the share is 0)."""
        head = f"{self.category}: {self.count} of {self.total} = {format_percent(self.share, self.minimum)}"
        if self.minimum == 0:
            return f"{head} (no minimum)"
        return f"{head} {'≥' if self.met else '<'} {format_percent(self.minimum, self.share)}"

    def as_json(self) -> dict[str, Any]:
        return {"category": self.category, "count": self.count, "total": self.total, "share": str(self.share),
                "percent": float(self.share * 100), "minimum": str(self.minimum), "met": self.met,
                "text": self.text}


@dataclass(frozen=True, slots=True)
class PoolComposition:
    """A pool's Art. 10 shares: the active experts counted, the removed ones left out (Art. 44).

    Attributes
    ----------
    shares : tuple of PoolShare
        One per category of :data:`POOL_CATEGORIES`.
    total : int
        Active experts counted.
    removed : int
        Experts with status ``removed``, not counted.
    scope : str
        What was counted ("the whole pool", "series engineering, senior level or above").
    """

    shares: tuple[PoolShare, ...]
    total: int
    removed: int
    scope: str
    min_share_scope: str

    @property
    def ok(self) -> bool:
        """Every minimum is met."""
        return all(s.met for s in self.shares)

    @property
    def short(self) -> tuple[PoolShare, ...]:
        return tuple(s for s in self.shares if not s.met)

    def share(self, category: str) -> PoolShare:
        return next(s for s in self.shares if s.category == category)

    @property
    def removed_note(self) -> str:
        """``2 removed experts not counted (Art. 44)``, or empty."""
        if not self.removed:
            return ""
        return f"{self.removed} removed expert{'s' if self.removed != 1 else ''} not counted (Art. 44)"

    @property
    def findings(self) -> list[Finding]:
        """One ``pool.min_share`` finding per category."""
        out = []
        for s in self.shares:
            key = f"pool_min_share_{s.category} = {s.minimum}"
            detail = f"{s.text} ({key}; {self.scope}, {self.total} active experts"
            detail += f"; {self.removed_note})" if self.removed else ")"
            out.append(MIN_SHARE.finding(s.met, detail))
        return out

    def as_json(self) -> dict[str, Any]:
        return {"article": MIN_SHARE.article, "scope": self.scope, "total": self.total, "removed": self.removed,
                "min_share_scope": self.min_share_scope, "ok": self.ok,
                "shares": [s.as_json() for s in self.shares]}


def pool_composition(experts: Iterable[Any], rules: RuleSet, *, scope: str = "the whole pool") -> PoolComposition:
    """Count each Art. 10 category among a pool's active experts, against ``pool_min_share_*``.

    Parameters
    ----------
    experts : iterable
        The pool (or the part of it eligible for one committee: pass ``scope`` to say so). Experts
        whose ``status`` is ``removed`` (Art. 44) are left out of the counts and counted apart.
    rules : RuleSet
    scope : str
        What ``experts`` is, for messages.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> from zcsim.draw import ExpertRecord
    >>> pool = [ExpertRecord(f"E{i}", "O", "s", "", "senior", young=i < 7) for i in range(42)]
    >>> c = pool_composition(pool, load_rules(overrides=["pool_min_share_young=1/5"]))
    >>> c.ok, c.share("young").text
    (False, 'young: 7 of 42 = 16.7 % < 20 %')
    """
    active: list[Any] = []
    removed = 0
    for e in experts:
        if is_removed(e):
            removed += 1
        else:
            active.append(e)
    total = len(active)
    shares = tuple(PoolShare(c, sum(1 for e in active if getattr(e, c)), total, getattr(rules, f"pool_min_share_{c}"))
                   for c in POOL_CATEGORIES)
    return PoolComposition(shares, total, removed, scope, rules.min_share_scope)


def pool_min_share(experts: Iterable[Any], rules: RuleSet, *, scope: str = "the whole pool") -> list[Finding]:
    """Check a pool's composition against Art. 10: one ``pool.min_share`` finding per category.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> from zcsim.draw import ExpertRecord
    >>> pool = [ExpertRecord(f"E{i}", "O", "s", "", "senior", young=i < 7) for i in range(42)]
    >>> [f.detail.split(" (")[0] for f in pool_min_share(pool, load_rules(overrides=["pool_min_share_young=1/5"]))
    ...  if not f.ok]
    ['young: 7 of 42 = 16.7 % < 20 %']
    """
    return pool_composition(experts, rules, scope=scope).findings


def committee_quota(rules: RuleSet, size: int) -> dict[str, int]:
    """Experts of each category a drawn committee of ``size`` must hold: ``⌈share × size⌉`` (exact)
    under ``min_share_scope = committee``, 0 under ``pool`` (the shares bind the pool, Art. 10).

    Examples
    --------
    >>> from zcsim import load_rules
    >>> committee_quota(load_rules(overrides=["pool_min_share_young=1/5"]), 25)["young"]
    0
    >>> committee_quota(load_rules(overrides=["pool_min_share_young=1/5", "min_share_scope=committee"]), 25)["young"]
    5
    """
    if rules.min_share_scope != "committee":
        return {c: 0 for c in POOL_CATEGORIES}
    return {c: math.ceil(getattr(rules, f"pool_min_share_{c}") * size) for c in POOL_CATEGORIES}


def committee_min_share(members: Sequence[Any], rules: RuleSet) -> list[Finding]:
    """Check a drawn committee's experts against :func:`committee_quota` (Art. 10, committee scope).

    Under ``min_share_scope = pool`` one finding, ok, says no committee quota applies.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> from zcsim.draw import ExpertRecord
    >>> c = [ExpertRecord(f"E{i}", "O", "s", "", "senior", young=i < 1) for i in range(11)]
    >>> [f.ok for f in committee_min_share(c, load_rules(overrides=["pool_min_share_young=1/5",
    ...                                                               "min_share_scope=committee"]))]
    [False]
    """
    if rules.min_share_scope != "committee":
        return [COMMITTEE_MIN_SHARE.finding(True, "min_share_scope = pool: the Art. 10 shares bind the pool, "
                                                  "no committee quota")]
    need = committee_quota(rules, len(members))
    out = []
    for c in POOL_CATEGORIES:
        if need[c] <= 0:
            continue
        have = sum(1 for e in members if getattr(e, c))
        rel = "≥" if have >= need[c] else "<"
        out.append(COMMITTEE_MIN_SHARE.finding(
            have >= need[c], f"{_NAMES[c]} experts: {have} {rel} {need[c]} = ⌈{getattr(rules, f'pool_min_share_{c}')} × "
                             f"{len(members)}⌉ (pool_min_share_{c}, min_share_scope = committee)"))
    return out or [COMMITTEE_MIN_SHARE.finding(True, "min_share_scope = committee; every pool_min_share_* is 0")]


def removed_not_drawn(members: Sequence[Any], statuses: Mapping[str, str] | None = None) -> Finding:
    """Check that no expert of a committee has pool status ``removed`` (Art. 44).

    ``members`` are experts (their ``status`` is read) or ids looked up in ``statuses``.

    Examples
    --------
    >>> removed_not_drawn(["E1", "E2"], {"E2": "removed"}).detail
    'removed from the pool (Art. 44) but drawn: E2'
    """
    bad = []
    for m in members:
        if isinstance(m, str):
            if (statuses or {}).get(m, "active") == "removed":
                bad.append(m)
        elif is_removed(m):
            bad.append(m.id)
    if bad:
        return REMOVED.finding(False, "removed from the pool (Art. 44) but drawn: " + ", ".join(sorted(bad)))
    return REMOVED.finding(True, f"none of the {len(members)} experts is removed from the pool")
