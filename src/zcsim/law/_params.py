"""Parameter metadata: every number, ratio and option of the Measures with its citation."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

BEIJING_2020 = "京人社事业发〔2020〕12号 (Beijing Interim Measures, 2020)"

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


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a rule comes from.

    Parameters
    ----------
    article : int or None
        Article number in ``instrument``; ``None`` when the rule is cited by content only.
    phrase : str
        The original wording the rule encodes.
    instrument : str
        The legal instrument (defaults to the 2020 Beijing Measures).

    Examples
    --------
    >>> Citation(23, "三分之二以上").label
    'Art. 23'
    """

    article: int | None
    phrase: str
    instrument: str = BEIJING_2020

    @property
    def label(self) -> str:
        """``Art. N``, or ``by content`` when no article number is known."""
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
        if k == "int":
            lo = f" >= {self.minimum}" if self.minimum is not None else ""
            return f"a whole number{lo}"
        if k == "optional_int":
            return "a whole number >= 2, or null/none to switch the rule off"
        if k == "bool":
            return "true or false"
        if k == "fraction":
            return f"a ratio such as 2/3 or 0.5 between {self.minimum} and {self.maximum}"
        if k == "choice":
            return "one of " + ", ".join(self.choices)
        pool = {"levels": LEVELS, "relations": RELATION_TYPES, "regions": REGIONS,
                "roles": ROLES}[k]
        return "a list (or comma-separated string) drawn from " + ", ".join(pool)


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
) -> Any:
    """Declare a RuleSet field with its citation (used in the RuleSet class body)."""
    return dataclasses.field(
        default=default,
        metadata={
            "spec": dict(
                kind=kind,
                citation=Citation(article, phrase),
                doc=doc,
                interpretation=interpretation,
                choices=choices,
                minimum=minimum,
                maximum=maximum,
            )
        },
    )
