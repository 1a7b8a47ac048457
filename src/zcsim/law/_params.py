"""Parameter metadata: every number, ratio and option of the Measures with its citation."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

BEIJING_2020 = "京人社事业发〔2020〕12号 (Beijing Interim Measures, 2020)"
BEIJING_2020_IN_FORCE = "2020-08-01"
"""Art. 45: 本办法自2020年8月1日起施行."""

LEVELS: tuple[str, ...] = ("junior", "intermediate", "senior")
"""Title and committee levels, lowest first (Art. 9)."""

ROLES: tuple[str, ...] = ("chair", "vice_chair", "member")
"""Committee roles (Art. 9)."""

RELATION_TYPES: tuple[str, ...] = (
    "spouse",
    "close_relative",
    "same_employer",
    "supervisor_student",
    "coauthor",
    "project_partner",
    "recommender",
    "interest",
)
"""Relationship types a meeting record may name between an expert and an applicant (Art. 29)."""

REGIONS: tuple[str, ...] = ("beijing", "tianjin", "hebei", "other")
"""Regions whose titles an eligibility check may see (Art. 32, 33)."""

# --- bounds of the parameters (shown by ``zcsim rules`` and docs/rules.md) ------------------------
MAX_COMMITTEE_SIZE = 1_000
"""Most experts any size rule may name (committee, panel, chairs): committees under the Measures
have tens of experts (Art. 9: 'generally not fewer than 25 / 11'); a thousand is far above any
real committee and keeps the solver (``zcsim verify``), the draw and the simulation small."""

MAX_YEARS = 100
"""Most years a period rule may name (filing validity, blacklist, years in Beijing): a working
life; longer periods are typos and would push dates past the year 9999 that dates can hold."""

MAX_WORKING_DAYS = 250
"""Most working days a period rule may name (publicity, correction deadline): about one year of
working days, the length of the yearly review cycle (Art. 12); a longer period cannot fit in it."""

MAX_COUNT = 100
"""Most a per-review count may be (reviews a year, correction notices, voting rounds): the
Measures ask for one ('一般每年开展一次', '一次性告知', '严禁多轮投票')."""

RATIO_MAX_DIGITS = 9
"""Most digits on each side of a ratio (``p/q``, or a decimal's whole and fractional part): more
is never a rule, and a ratio is refused before it is converted, so ``1e-5000`` costs nothing."""

RATIO_MAX_EXPONENT = 9
"""Largest decimal exponent a ratio may carry (``1e-3``); a ratio's value lies in 0–1."""

RATIO_MAX_DENOMINATOR = 10**6
"""Largest denominator of a ratio in lowest terms: every threshold of a committee of at most
:data:`MAX_COMMITTEE_SIZE` experts can be set with such a ratio, so finer ratios add nothing."""


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a rule comes from — or, with ``not_in_instrument``, that it comes from nowhere.

    Parameters
    ----------
    article : int or None
        Article number in ``instrument``; ``None`` when the rule is cited by content only.
    phrase : str
        The original wording the rule encodes; for a citation by content whose wording is not
        at hand, a description of the content in parentheses.
    instrument : str
        The legal instrument (defaults to the 2020 Beijing Measures). A citation always names
        its own instrument: a rule set that keeps a base's citation shows it under the base's
        instrument, never under its own (see ``zcsim rules``).
    not_in_instrument : bool, default False
        The instrument has no such rule: the parameter holds the neutral value (the one that
        imposes nothing) and ``phrase`` says what is absent. ``article`` is then ``None``.

    Examples
    --------
    >>> Citation(23, "三分之二以上").label
    'Art. 23'
    >>> Citation(None, "(no residence rule)", "Order 40", not_in_instrument=True).label
    'not in this instrument'
    """

    article: int | None
    phrase: str
    instrument: str = BEIJING_2020
    not_in_instrument: bool = False

    def __post_init__(self) -> None:
        if self.not_in_instrument and self.article is not None:
            raise ValueError("a rule that is not in the instrument has no article number")

    @property
    def label(self) -> str:
        """``Art. N``, ``by content`` when no article number is known, or ``not in this instrument``."""
        if self.not_in_instrument:
            return "not in this instrument"
        return f"Art. {self.article}" if self.article is not None else "by content"


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """Static description of one RuleSet parameter."""

    key: str
    kind: str  # int | bool | fraction | choice | levels | relations | regions | optional_int
    citation: Citation
    doc: str
    interpretation: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | Fraction | None = None
    maximum: int | Fraction | None = None

    @property
    def expected(self) -> str:
        """Human description of the accepted values, for error messages."""
        k = self.kind
        if k in ("int", "optional_int"):
            text = f"a whole number{self.bounds}"
            return text + (", or null/none to switch the rule off" if k == "optional_int" else "")
        if k == "bool":
            return "true or false"
        if k == "fraction":
            return (f"a ratio such as 2/3 or 0.5{self.bounds} (at most {RATIO_MAX_DIGITS} digits a side, "
                    f"denominator at most {RATIO_MAX_DENOMINATOR:,})")
        if k == "choice":
            return "one of " + ", ".join(self.choices)
        pool = {"levels": LEVELS, "relations": RELATION_TYPES, "regions": REGIONS,
                "roles": ROLES}[k]
        return "a list (or comma-separated string) drawn from " + ", ".join(pool)

    @property
    def allowed(self) -> str:
        """The accepted values in a few words, for the ``Allowed`` column of ``zcsim rules``.

        Examples
        --------
        >>> ParamSpec("x", "int", Citation(9, ""), "", minimum=1, maximum=1000).allowed
        '1–1,000'
        >>> ParamSpec("y", "optional_int", Citation(9, ""), "", minimum=2, maximum=1000).allowed
        '2–1,000 or none'
        """
        k = self.kind
        if k in ("int", "optional_int", "fraction"):
            show = (lambda v: f"{v:,}") if k != "fraction" else str
            lo = "" if self.minimum is None else show(self.minimum)
            hi = "" if self.maximum is None else show(self.maximum)
            text = f"{lo}–{hi}" if hi else f">= {lo}" if lo else "any"
            return text + (" or none" if k == "optional_int" else "")
        if k == "bool":
            return "true/false"
        if k == "choice":
            return " | ".join(self.choices)
        return "list of " + {"levels": "levels", "relations": "relation types", "regions": "regions",
                             "roles": "roles"}[k]

    @property
    def bounds(self) -> str:
        """`` from LO to HI`` (or `` >= LO``, `` <= HI``) for a number, empty when unbounded.

        Examples
        --------
        >>> ParamSpec("x", "int", Citation(9, ""), "", minimum=1, maximum=1000).bounds
        ' from 1 to 1,000'
        """
        lo, hi = self.minimum, self.maximum
        show = (lambda v: f"{v:,}") if self.kind != "fraction" else str
        if lo is not None and hi is not None:
            return f" between {lo} and {hi}" if self.kind == "fraction" else f" from {show(lo)} to {show(hi)}"
        if lo is not None:
            return f" >= {show(lo)}"
        return f" <= {show(hi)}" if hi is not None else ""


def param(
    default: Any,
    kind: str,
    article: int | None,
    phrase: str,
    doc: str,
    *,
    interpretation: bool = False,
    choices: tuple[str, ...] = (),
    minimum: int | Fraction | None = None,
    maximum: int | Fraction | None = None,
    not_in_instrument: bool = False,
) -> Any:
    """Declare a RuleSet field with its citation (used in the RuleSet class body).

    ``not_in_instrument=True`` says the 2020 Measures have no such rule (the default value is
    then the neutral one, e.g. no maximum committee size)."""
    return dataclasses.field(
        default=default,
        metadata={
            "spec": dict(
                kind=kind,
                citation=Citation(article, phrase, not_in_instrument=not_in_instrument),
                doc=doc,
                interpretation=interpretation,
                choices=choices,
                minimum=minimum,
                maximum=maximum,
            )
        },
    )
