"""Which articles of the Measures zcsim encodes: parameters, checks and named legal cases.

The legal cases are data (``zcsim/cases/*.yaml``, one named case per line of law, in the manner
of OpenFisca's YAML tests); the test suite runs every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from zcsim.law import RuleSet
from zcsim.procedure import CHECKS

__all__ = ["LegalCase", "load_cases", "coverage_table", "ArticleCoverage", "NOT_ENCODED"]

ARTICLES = range(1, 46)

NOT_ENCODED: dict[int, str] = {
    1: "purpose and legal basis: nothing to check",
    2: "definition of title review: nothing to check",
    4: "division of duties between the Bureau and agencies: organisational, no rule to check",
    5: "evaluation principle (德才兼备): not a procedural rule",
    6: "classified standards per series: needs the standards themselves (not yet modelled)",
    8: "agency conditions (legal person, premises, staff): planned as agency records and a simulation resource",
    14: "truthful, complete materials: modelled by the simulator's fraud rate (issue 4)",
    17: "entrusted review: not yet modelled",
    19: "fairness, confidentiality agreements: not recorded in zcsim.meeting/1",
    28: "closed meetings, no disclosure of expert lists: reports will anonymise experts (issue 6)",
    30: "information system and electronic certificates: no rule to check",
    31: "appointment after the title: outside the review procedure",
    36: "inspection: planned as a simulation probability (issue 4)",
    37: "inspection methods: planned as a simulation probability (issue 4)",
    38: "joint action against fraud: organisational",
    39: "fees: outside the review procedure",
    40: "consequences of an unfiled committee: the filing check (Art. 11) cites it in its detail",
    42: "employer liability: consequences, not a procedural rule",
    43: "agency liability: consequences, not a procedural rule",
    44: "expert liability: consequences, not a procedural rule",
    45: "entry into force (2020-08-01)",
}
"""Articles with no parameter, check or case, and why."""


@dataclass(frozen=True, slots=True)
class LegalCase:
    """One named legal case: a line of law, a situation, and the outcome the law gives."""

    name: str
    article: int
    check: str
    kind: str
    given: dict[str, Any]
    expect: Any
    rules: str = "beijing-2020"
    overrides: tuple[str, ...] = ()
    note: str = ""
    file: str = ""


def _check_keys(node: Any, where: str) -> None:
    """YAML 1.1 reads bare ``on``, ``yes``, ``no`` as booleans: a case key must stay a string."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: key {key!r} is not a string (quote it: YAML reads on/yes/no as booleans)")
            _check_keys(value, where)
    elif isinstance(node, list):
        for item in node:
            _check_keys(item, where)


@cache
def load_cases() -> tuple[LegalCase, ...]:
    """Every legal case shipped with zcsim, in file order.

    Examples
    --------
    >>> cases = load_cases()
    >>> any(c.name == "two_thirds_exactly_passes" for c in cases)
    True
    """
    out: list[LegalCase] = []
    folder = resources.files("zcsim") / "cases"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        for raw in yaml.safe_load(entry.read_text(encoding="utf-8")) or []:
            _check_keys(raw.get("given") or {}, f"{entry.name}: case {raw.get('name')!r}")
            out.append(LegalCase(
                name=raw["name"], article=int(raw["article"]), check=raw["check"], kind=raw["kind"],
                given=raw.get("given") or {}, expect=raw["expect"], rules=raw.get("rules", "beijing-2020"),
                overrides=tuple(raw.get("set", ())), note=raw.get("note", ""), file=entry.name,
            ))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ArticleCoverage:
    """What encodes one article."""

    article: int
    parameters: tuple[str, ...]
    checks: tuple[str, ...]
    cases: tuple[str, ...]
    status: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"article": self.article, "parameters": list(self.parameters), "checks": list(self.checks),
                "cases": list(self.cases), "status": self.status}


def coverage_table(rules: RuleSet | None = None) -> list[ArticleCoverage]:
    """Article by article (1–45): parameters, checks, named cases, and a status.

    Status is ``encoded`` (a check with at least one named case), ``parameter only``,
    ``check without a named case``, or ``not encoded: <why>``.
    """
    rules = rules or RuleSet()
    # make sure every procedure module has registered its checks
    import zcsim.procedure.application  # noqa: F401
    import zcsim.procedure.committee  # noqa: F401
    import zcsim.procedure.lifecycle  # noqa: F401
    import zcsim.procedure.meeting  # noqa: F401
    import zcsim.records.audit  # noqa: F401

    cases = load_cases()
    rows = []
    for art in ARTICLES:
        params = tuple(p.key for p in rules if p.citation.article == art)
        checks = tuple(sorted(c.id for c in CHECKS.values() if c.article == art))
        named = tuple(c.name for c in cases if c.article == art)
        if checks and named:
            status = "encoded"
        elif checks:
            status = "check without a named case"
        elif params:
            status = "parameter only (used by later modules)"
        else:
            status = "not encoded: " + NOT_ENCODED.get(art, "not yet")
        rows.append(ArticleCoverage(art, params, checks, named, status))
    return rows
