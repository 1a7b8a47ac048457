"""Which relationships require recusal, how far and how recent: the conflict policy (Art. 29).

Art. 29 of the Measures requires an expert to recuse when they have "an interest in, or another
relationship to, the review that may affect impartiality" (与评审工作有利害关系或者其他关系可能影响
客观公正的，应申请回避), and enumerates none. The default policy follows the recusal rules for civil
servants (公务员回避规定, 人社部规〔2019〕1号: spouse, lineal relatives, collateral relatives within
three generations, close in-laws) and common practice of Chinese review rules (same employer,
supervisor and student, recent co-authors and project partners, the applicant's recommender).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any


from zcsim._files import load_user_yaml, read_user_text
from zcsim.errors import InputError
from zcsim.law import RELATION_TYPES

__all__ = [
    "CONFLICT_KINDS",
    "KIND_TO_RELATION",
    "EMPLOYMENT_MODES",
    "MAX_WINDOW_YEARS",
    "MAX_KIN_GENERATIONS",
    "ConflictPolicy",
    "DEFAULT_POLICY",
    "load_policy",
]

CONFLICT_KINDS: tuple[str, ...] = (
    "self",
    "spouse",
    "lineal",
    "collateral",
    "in_law",
    "supervisor",
    "recommender",
    "employment",
    "coauthor",
    "project_partner",
)
"""Kinds of conflict, strongest first. ``self`` is an applicant who is also in the expert pool."""

KIND_TO_RELATION: Mapping[str, str] = MappingProxyType({
    "self": "interest",
    "spouse": "spouse",
    "lineal": "close_relative",
    "collateral": "close_relative",
    "in_law": "close_relative",
    "supervisor": "supervisor_student",
    "recommender": "recommender",
    "employment": "same_employer",
    "coauthor": "coauthor",
    "project_partner": "project_partner",
})
"""The meeting-record relation type (:data:`zcsim.law.RELATION_TYPES`, Art. 29) of each kind."""

assert set(KIND_TO_RELATION.values()) <= set(RELATION_TYPES)

EMPLOYMENT_MODES: tuple[str, ...] = ("current", "ever", "off")

MAX_WINDOW_YEARS = 100
"""Longest window (``supervisor_window_years``, ``coauthor_window_years``,
``project_partner_window_years``) a policy may set: 100 years, a working life many times over;
``null`` means "any time"."""

MAX_KIN_GENERATIONS = 10
"""Most generations ``lineal_generations`` and ``collateral_generations`` may reach (the
civil-service rule is three for collateral relatives; ``lineal_generations: null`` means any)."""


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True, slots=True)
class ConflictPolicy:
    """What makes an expert conflicted with an applicant (Art. 29), with the default marked.

    An applicant who is also in the expert pool is always conflicted with themselves (kind
    ``self``). Dated relations count on the review date ``date`` as follows. A relation is *current* when
    ``since <= date <= until`` (an empty bound is open). A relation that starts after the review
    date never counts. A *window* of N years counts a relation whose ``[since, until]`` overlaps
    ``[date - N years, date]``; a relation with neither ``since`` nor ``until`` counts under a
    window only if ``undated_counts`` (default true: conservative — an undated co-authorship may
    be recent). A relation with only ``since`` is ongoing; with only ``until``, it ended then.

    Parameters
    ----------
    spouse : bool, default True
        Spouses (current on the review date).
    former_spouses : bool, default False
        Also former spouses (a marriage that ended before the review date). In-laws follow the
        same test: a former spouse's parents count only with this option.
    lineal : bool, default True
        Lineal relatives (直系血亲): parents, grandparents … and children, grandchildren …
    lineal_generations : int or None, default None
        Limit on lineal generations (1: parents and children only), at most
        :data:`MAX_KIN_GENERATIONS`; ``None``: any generation.
    collateral_generations : int, default 3
        Collateral relatives within this many generations (三代以内旁系血亲), counting one's own
        generation as the first: two people whose nearest common ancestor is at most
        ``collateral_generations - 1`` generations above each. 3 (default): siblings,
        uncles/aunts, nephews/nieces, first cousins — not a first cousin's child, not a
        great-uncle. 2: siblings only. 0 or 1: none. At most :data:`MAX_KIN_GENERATIONS`.
    in_laws : bool, default True
        Close in-laws (近姻亲): a spouse's parents and siblings, a child's spouse, a sibling's spouse.
    employment : {"current", "ever", "off"}, default "current"
        Same employer: both work at the same organisation on the review date (``current``), or
        each at some time up to the review date (``ever``), or never a conflict (``off``).
    supervisor : bool, default True
        Supervisor and student, either way round.
    supervisor_window_years : int or None, default None
        ``None``: at any time up to the review date; N: within N years before it (0 to
        :data:`MAX_WINDOW_YEARS`, as every window).
    recommender : bool, default True
        The expert recommended the applicant.
    coauthor : bool, default True
        Co-authors.
    coauthor_window_years : int or None, default 5
        Co-authorship within this many years before the review date; ``None``: any time.
    project_partner : bool, default True
        Partners in a project.
    project_partner_window_years : int or None, default 5
        As for co-authors.
    undated_counts : bool, default True
        Whether a relation with no dates at all counts under a window (conservative default).

    Examples
    --------
    >>> p = ConflictPolicy()
    >>> p.collateral_generations, p.coauthor_window_years, p.employment
    (3, 5, 'current')
    >>> ConflictPolicy(employment="sometimes")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: employment: expected one of current, ever, off, got 'sometimes'
    """

    spouse: bool = dataclasses.field(default=True, metadata=_doc("spouses (current on the review date)"))
    former_spouses: bool = dataclasses.field(default=False, metadata=_doc("also former spouses"))
    lineal: bool = dataclasses.field(default=True, metadata=_doc("lineal relatives"))
    lineal_generations: int | None = dataclasses.field(default=None, metadata=_doc("max lineal generations; null = any"))
    collateral_generations: int = dataclasses.field(default=3, metadata=_doc("collateral relatives within N generations; 0 = off"))
    in_laws: bool = dataclasses.field(default=True, metadata=_doc("close in-laws"))
    employment: str = dataclasses.field(default="current", metadata=_doc("current | ever | off"))
    supervisor: bool = dataclasses.field(default=True, metadata=_doc("supervisor and student"))
    supervisor_window_years: int | None = dataclasses.field(default=None, metadata=_doc("null = any time"))
    recommender: bool = dataclasses.field(default=True, metadata=_doc("the applicant's recommender"))
    coauthor: bool = dataclasses.field(default=True, metadata=_doc("co-authors"))
    coauthor_window_years: int | None = dataclasses.field(default=5, metadata=_doc("years before the review date; null = any time"))
    project_partner: bool = dataclasses.field(default=True, metadata=_doc("project partners"))
    project_partner_window_years: int | None = dataclasses.field(default=5, metadata=_doc("years before the review date; null = any time"))
    undated_counts: bool = dataclasses.field(default=True, metadata=_doc("undated relations count under a window"))

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            msg = _check(f.name, getattr(self, f.name))
            if msg:
                raise InputError(msg, location=f.name)

    # ------------------------------------------------------------------------------------------
    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The option names, in order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None, *, source: str | None = None) -> ConflictPolicy:
        """A policy from a mapping of options (missing options keep their default).

        Raises
        ------
        InputError
            An unknown key (with a "did you mean" and the valid keys) or an ill-typed value,
            naming the key.

        Examples
        --------
        >>> ConflictPolicy.from_mapping({"employment": "ever"}).employment
        'ever'
        >>> ConflictPolicy.from_mapping({"coauthor_windows": 3})
        Traceback (most recent call last):
        ...
        zcsim.errors.InputError: coauthor_windows: unknown key (did you mean 'coauthor_window_years'?); valid keys: ...
        """
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InputError(f"a conflict policy must be a mapping of options, got {type(data).__name__}", source=source)
        keys = cls.keys()
        for k, v in data.items():
            if not isinstance(k, str) or k not in keys:
                close = difflib.get_close_matches(str(k), keys, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise InputError(f"unknown key{hint}; valid keys: {', '.join(keys)}", source=source, location=str(k))
            msg = _check(k, v)
            if msg:
                raise InputError(msg, source=source, location=k)
        return cls(**dict(data))

    def as_dict(self) -> dict[str, Any]:
        """The options as a plain dict (what a policy file may contain)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @property
    def kinds(self) -> tuple[str, ...]:
        """The conflict kinds this policy enables, strongest first.

        Examples
        --------
        >>> ConflictPolicy(coauthor=False, employment="off").kinds[-2:]
        ('recommender', 'project_partner')
        """
        on = {
            "self": True,
            "spouse": self.spouse,
            "lineal": self.lineal,
            "collateral": self.collateral_generations >= 2,
            "in_law": self.in_laws,
            "supervisor": self.supervisor,
            "recommender": self.recommender,
            "employment": self.employment != "off",
            "coauthor": self.coauthor,
            "project_partner": self.project_partner,
        }
        return tuple(k for k in CONFLICT_KINDS if on[k])

    # --- the time tests -----------------------------------------------------------------------
    def counts(self, kind: str, since: dt.date | None, until: dt.date | None, date: dt.date) -> bool:
        """Whether a relation dated ``[since, until]`` counts for ``kind`` on ``date``.

        ``kind`` is ``spouse``, ``employment``, ``supervisor``, ``recommender``, ``coauthor`` or
        ``project_partner``.

        Examples
        --------
        >>> p, d = ConflictPolicy(), dt.date(2025, 11, 14)
        >>> p.counts("coauthor", dt.date(2021, 1, 1), dt.date(2021, 12, 31), d)
        True
        >>> p.counts("coauthor", dt.date(2019, 1, 1), dt.date(2019, 12, 31), d)
        False
        >>> p.counts("employment", dt.date(2026, 1, 1), None, d)
        False
        """
        if since is not None and since > date:
            return False  # not yet begun on the review date
        if kind == "spouse":
            return self.former_spouses or until is None or until >= date
        if kind == "employment":
            return self.employment == "ever" or (self.employment == "current" and (until is None or until >= date))
        if kind == "recommender":
            return True
        window = {"supervisor": self.supervisor_window_years, "coauthor": self.coauthor_window_years,
                  "project_partner": self.project_partner_window_years}[kind]
        if window is None:
            return True
        if since is None and until is None:
            return self.undated_counts
        return until is None or until >= years_before(date, window)


def years_before(date: dt.date, years: int) -> dt.date:
    """The same day ``years`` years earlier (29 February becomes 28 February).

    Examples
    --------
    >>> years_before(dt.date(2024, 2, 29), 5)
    datetime.date(2019, 2, 28)
    >>> years_before(dt.date(3, 1, 1), 5)
    datetime.date(1, 1, 1)
    """
    if date.year - years < dt.MINYEAR:
        return dt.date.min  # a window reaching before year 1 covers everything since
    try:
        return date.replace(year=date.year - years)
    except ValueError:
        return date.replace(year=date.year - years, day=28)


def _check(key: str, value: Any) -> str | None:
    """What is wrong with ``value`` for ``key``, or ``None`` if it is valid."""
    if key in ("spouse", "former_spouses", "lineal", "in_laws", "supervisor", "recommender", "coauthor",
               "project_partner", "undated_counts"):
        if not isinstance(value, bool):
            return f"expected true or false, got {value!r}"
    elif key in ("lineal_generations", "supervisor_window_years", "coauthor_window_years",
                 "project_partner_window_years"):
        low = 1 if key == "lineal_generations" else 0
        high, name = ((MAX_KIN_GENERATIONS, "MAX_KIN_GENERATIONS") if key == "lineal_generations"
                      else (MAX_WINDOW_YEARS, "MAX_WINDOW_YEARS"))
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high):
            return f"expected an integer from {low} to {high} ({name}) or null, got {value!r}"
    elif key == "collateral_generations":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_KIN_GENERATIONS:
            return (f"expected an integer from 0 to {MAX_KIN_GENERATIONS} (MAX_KIN_GENERATIONS; 3: within three "
                    f"generations; 0: off), got {value!r}")
    elif key == "employment":
        if value not in EMPLOYMENT_MODES:
            return f"expected one of {', '.join(EMPLOYMENT_MODES)}, got {value!r}"
    return None


def load_policy(path: str | Path) -> ConflictPolicy:
    """Read a conflict policy from a YAML file of options (``yaml.safe_load``).

    Example file::

        # stricter than the default: any past common employer, co-authors within 3 years
        employment: ever
        coauthor_window_years: 3

    Raises
    ------
    InputError
        Unreadable file, invalid YAML, unknown keys (with the valid ones) or ill-typed values,
        naming the file and the key.
    """
    src = str(path)
    text = read_user_text(path, "policy")
    data = load_user_yaml(text, src, "policy")
    return ConflictPolicy.from_mapping(data, source=src)


DEFAULT_POLICY = ConflictPolicy()
"""The default policy (frozen, so it can be shared)."""
