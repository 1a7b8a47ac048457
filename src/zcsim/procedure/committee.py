"""Committee constitution (Art. 9), filing (Art. 11) and panels (Art. 20–21)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from zcsim.law import RuleSet
from zcsim.procedure._finding import Finding, register

__all__ = [
    "committee_constitution",
    "filing_valid",
    "panel_composition",
]

SIZE_PARITY = register("committee.size_parity", 9, "the committee has an odd number of experts")
MIN_SIZE = register("committee.min_size", 9, "the committee has at least the minimum number of experts")
MAX_SIZE = register("committee.max_size", 9, "the committee has at most committee_max_size experts")
CHAIRS = register("committee.chair", 9, "the committee has exactly `chairs` chairs")
VICE_CHAIRS = register("committee.vice_chairs", 9, "the committee has vice_chairs_min to vice_chairs_max vice-chairs")
UNIQUE = register("committee.members_unique", 9, "each expert is listed once on the committee")
FILING = register("filing.valid", 11, "the meeting is held while the agency's filing is valid (≤ filing_validity_years)")
PANEL_SIZE = register("panel.min_size", 20, "each panel has at least panel_min_size experts")
PANEL_MEMBERS = register("panel.experts_from_committee", 20, "panel experts are experts of the committee")
PANEL_OPINION = register("panel.opinion", 21, "each applicant voted on has a written panel opinion")


def committee_constitution(
    members: Sequence[tuple[str, str]],
    rules: RuleSet,
    *,
    by_specialty: bool,
    level: str,
    size_adjustment_filed: bool = False,
) -> list[Finding]:
    """Check a committee's shape against Art. 9.

    Parameters
    ----------
    members : sequence of (expert id, role)
        Roles are ``chair``, ``vice_chair`` or ``member``.
    rules : RuleSet
    by_specialty : bool
        ``True`` if the committee is formed by specialty, ``False`` if by series.
    level : str
        ``junior``, ``intermediate`` or ``senior``.
    size_adjustment_filed : bool
        Whether the Bureau has accepted a filing adjusting the size (lifts the minimum).

    Returns
    -------
    list of Finding
        One per check (parity, minimum, maximum, chairs, vice-chairs, duplicates).

    Examples
    --------
    >>> from zcsim import load_rules
    >>> ms = [("C", "chair"), ("V", "vice_chair")] + [(f"M{i}", "member") for i in range(8)]
    >>> [f.rule for f in committee_constitution(ms, load_rules(), by_specialty=True, level="senior") if not f.ok]
    ['committee.size_parity', 'committee.min_size']
    """
    ids = [m for m, _ in members]
    size = len(set(ids))
    out: list[Finding] = []
    dupes = sorted(i for i, n in Counter(ids).items() if n > 1)
    out.append(UNIQUE.finding(not dupes, f"listed more than once: {', '.join(dupes)}" if dupes else f"{size} distinct experts"))
    if rules.committee_size_odd:
        out.append(SIZE_PARITY.finding(size % 2 == 1, f"{size} experts: {'odd' if size % 2 else 'even, must be odd'} (committee_size_odd)"))
    basis = "specialty" if by_specialty else "series"
    minimum = rules.min_committee_size(by_specialty=by_specialty, level=level, size_adjustment_filed=size_adjustment_filed)
    if minimum is not None:
        rel = "≥" if size >= minimum else "<"
        out.append(MIN_SIZE.finding(size >= minimum, f"{size} experts {rel} {minimum} required for a {level} committee formed by {basis} (committee_min_size_{basis})"))
    else:
        why = ("size adjustment filed with the Bureau" if (size_adjustment_filed or rules.size_adjustment_filed)
               else f"no minimum for {level} committees (committee_min_size_levels = {','.join(rules.committee_min_size_levels)})")
        out.append(MIN_SIZE.finding(True, f"{size} experts; minimum not applied: {why}"))
    if rules.committee_max_size is not None:
        ok = size <= rules.committee_max_size
        out.append(MAX_SIZE.finding(ok, f"{size} experts {'≤' if ok else '>'} {rules.committee_max_size} allowed (committee_max_size)"))
    roles = Counter(r for _, r in members)
    n_chair = roles.get("chair", 0)
    out.append(CHAIRS.finding(n_chair == rules.chairs, f"{n_chair} chair(s); {rules.chairs} required (chairs)"))
    n_vice = roles.get("vice_chair", 0)
    ok = rules.vice_chairs_min <= n_vice <= rules.vice_chairs_max
    out.append(VICE_CHAIRS.finding(ok, f"{n_vice} vice-chair(s); {rules.vice_chairs_min} to {rules.vice_chairs_max} required (vice_chairs_min, vice_chairs_max)"))
    return out


def filing_valid(meeting_date: date, valid_until: date, rules: RuleSet, *, filed_on: date | None = None) -> list[Finding]:
    """Check that a meeting is held under a valid filing (Art. 11; results otherwise unrecognised, Art. 40).

    Examples
    --------
    >>> from datetime import date
    >>> from zcsim import load_rules
    >>> filing_valid(date(2025, 11, 3), date(2025, 6, 30), load_rules())[0].ok
    False
    """
    out: list[Finding] = []
    ok = meeting_date <= valid_until
    out.append(FILING.finding(ok, f"meeting on {meeting_date.isoformat()} {'within' if ok else 'after'} the filing valid until {valid_until.isoformat()}"))
    if filed_on is not None and meeting_date < filed_on:
        out.append(FILING.finding(False, f"meeting on {meeting_date.isoformat()} before the filing was accepted on {filed_on.isoformat()}; an unfiled committee's results are not recognised (Art. 40)"))
    if filed_on is not None:
        years = rules.filing_validity_years
        if filed_on.year + years > date.max.year:  # the limit lies past the last day a date can hold
            limit = date.max
        else:
            try:
                limit = filed_on.replace(year=filed_on.year + years)
            except ValueError:  # 29 February
                limit = filed_on.replace(year=filed_on.year + years, day=28)
        ok = valid_until <= limit
        out.append(FILING.finding(ok, f"filed {filed_on.isoformat()}, valid until {valid_until.isoformat()}: {'within' if ok else 'longer than'} {years} years (filing_validity_years)"))
    return out


def panel_composition(
    panel_id: str,
    experts: Sequence[str],
    rules: RuleSet,
    *,
    committee: Iterable[str] | None = None,
) -> list[Finding]:
    """Check one panel against Art. 20: size, and (option) experts drawn from the committee.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> panel_composition("P1", ["A", "B"], load_rules())[0].detail
    'panel P1 has 2 experts < 3 required (panel_min_size)'
    """
    n = len(set(experts))
    ok = n >= rules.panel_min_size
    out = [PANEL_SIZE.finding(ok, f"panel {panel_id} has {n} experts {'≥' if ok else '<'} {rules.panel_min_size} required (panel_min_size)")]
    if committee is not None and rules.panel_experts_from_committee:
        known = set(committee)
        for e in experts:
            if e not in known:
                out.append(PANEL_MEMBERS.finding(False, f"panel {panel_id}: {e} is not an expert of the committee (panel_experts_from_committee)", expert=e))
    return out


def panel_opinions(applicants: Iterable[str], opinions: Mapping[str, str]) -> list[Finding]:
    """Each applicant voted on has a written panel opinion (Art. 21)."""
    out = []
    for a in applicants:
        text = opinions.get(a)
        if not text:
            out.append(PANEL_OPINION.finding(False, f"no panel opinion recorded for {a}", applicant=a))
    return out


__all__.append("panel_opinions")
