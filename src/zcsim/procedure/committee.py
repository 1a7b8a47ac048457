"""Committee constitution (Art. 9), filing (Art. 11) and panels (Art. 20–21)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from zcsim.errors import InputError
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
FILED_SIZE = register("committee.filed_size", 9,
                      "a size adjustment filed with the Bureau records its size, which is odd, and the committee "
                      "has that size (filed_size_binding)")
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
    filed_size: int | None = None,
) -> list[Finding]:
    """Check a committee's shape against Art. 9.

    The minimum (一般不少于25人 / 11人) is lifted only by a size adjustment filed with the Bureau
    whose size is known (经市人力资源社会保障局备案，评委会评审专家人数可根据实际情况适当调整):
    ``committee.filed_size`` then checks the committee against that size — equal to it under
    ``filed_size_binding = exact`` (default), not below it under ``minimum`` — and refuses an even
    filed size (a filing adjusts the number, never the parity). A filing claimed
    (``size_adjustment_filed``, or the rule set's default) without a size is itself a finding and
    lifts nothing: the committee is held to the general minimum.

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
        Whether the Bureau has accepted a filing adjusting the size.
    filed_size : int, optional
        The size that filing names (implies a filing); ``None`` when not recorded.

    Returns
    -------
    list of Finding
        One per check (parity, minimum, filed size where a filing is claimed, maximum, chairs,
        vice-chairs, duplicates).

    Examples
    --------
    >>> from zcsim import load_rules
    >>> ms = [("C", "chair"), ("V", "vice_chair")] + [(f"M{i}", "member") for i in range(8)]
    >>> [f.rule for f in committee_constitution(ms, load_rules(), by_specialty=True, level="senior") if not f.ok]
    ['committee.size_parity', 'committee.min_size']
    >>> three = [("C", "chair"), ("V", "vice_chair"), ("M", "member")]
    >>> [f.rule for f in committee_constitution(three, load_rules(), by_specialty=True, level="senior",
    ...                                         size_adjustment_filed=True) if not f.ok]
    ['committee.min_size', 'committee.filed_size']
    >>> [f.rule for f in committee_constitution(three, load_rules(), by_specialty=True, level="senior",
    ...                                         filed_size=3) if not f.ok]
    []
    """
    if filed_size is not None and (isinstance(filed_size, bool) or not isinstance(filed_size, int) or filed_size < 1):
        raise InputError(f"filed_size = {filed_size!r}; expected a whole number of experts ≥ 1 (Art. 9)",
                         location="committee.filed_size")
    ids = [m for m, _ in members]
    size = len(set(ids))
    out: list[Finding] = []
    dupes = sorted(i for i, n in Counter(ids).items() if n > 1)
    out.append(UNIQUE.finding(not dupes, f"listed more than once: {', '.join(dupes)}" if dupes else f"{size} distinct experts"))
    if rules.committee_size_odd:
        out.append(SIZE_PARITY.finding(size % 2 == 1, f"{size} experts: {'odd' if size % 2 else 'even, must be odd'} (committee_size_odd)"))
    basis = "specialty" if by_specialty else "series"
    claimed = size_adjustment_filed or rules.size_adjustment_filed or filed_size is not None
    # the general minimum, whatever the rule set's default filing says (the filing is judged here)
    general = dataclasses.replace(rules, size_adjustment_filed=False).min_committee_size(
        by_specialty=by_specialty, level=level)
    no_min = f"no minimum for {level} committees (committee_min_size_levels = {','.join(rules.committee_min_size_levels)})"
    if filed_size is not None:
        replaced = (f"the general minimum of {general} for a {level} committee formed by {basis} is replaced by the "
                    f"filed size {filed_size} (see committee.filed_size)") if general is not None else no_min
        out.append(MIN_SIZE.finding(True, f"{size} experts; {replaced}"))
    elif general is not None:
        rel = "≥" if size >= general else "<"
        unfiled = "; a size adjustment is claimed but its size is not recorded, so it lifts nothing" if claimed else ""
        out.append(MIN_SIZE.finding(size >= general, f"{size} experts {rel} {general} required for a {level} committee "
                                                     f"formed by {basis} (committee_min_size_{basis}){unfiled}"))
    else:
        out.append(MIN_SIZE.finding(True, f"{size} experts; minimum not applied: {no_min}"))
    if claimed:
        out.append(_filed_size(size, filed_size, rules))
    if rules.committee_max_size is not None:
        cap = rules.committee_max_size
        if not rules.committee_max_size_binding:  # 一般 read as guidance: reported, never a violation
            rel = "≤" if size <= cap else "> the guidance of"
            out.append(MAX_SIZE.finding(True, f"{size} experts {rel} {cap} (committee_max_size, 一般: guidance only, "
                                              "committee_max_size_binding = false)"))
        elif filed_size is not None:  # a filed size adjustment lifts the maximum as it lifts the minimum
            out.append(MAX_SIZE.finding(True, f"{size} experts; the maximum of {cap} is replaced by the filed size "
                                              f"{filed_size} (see committee.filed_size)"))
        else:
            ok = size <= cap
            out.append(MAX_SIZE.finding(ok, f"{size} experts {'≤' if ok else '>'} {cap} allowed (committee_max_size)"))
    roles = Counter(r for _, r in members)
    n_chair = roles.get("chair", 0)
    out.append(CHAIRS.finding(n_chair == rules.chairs, f"{n_chair} chair(s); {rules.chairs} required (chairs)"))
    n_vice = roles.get("vice_chair", 0)
    ok = rules.vice_chairs_min <= n_vice <= rules.vice_chairs_max
    out.append(VICE_CHAIRS.finding(ok, f"{n_vice} vice-chair(s); {rules.vice_chairs_min} to {rules.vice_chairs_max} required (vice_chairs_min, vice_chairs_max)"))
    return out


def _filed_size(size: int, filed_size: int | None, rules: RuleSet) -> Finding:
    """The ``committee.filed_size`` finding of a committee whose size adjustment is claimed (Art. 9)."""
    if filed_size is None:
        return FILED_SIZE.finding(False, "a size adjustment filed with the Bureau is claimed (size_adjustment_filed) but "
                                         "its size is not recorded (committee.filed_size): the filing cannot be checked "
                                         "and lifts no minimum (Art. 9)")
    problems: list[str] = []
    if rules.committee_size_odd and filed_size % 2 == 0:
        problems.append(f"the filed size {filed_size} is even: the number of experts must be odd (committee_size_odd); "
                        "a filing adjusts the number, never the parity")
    if rules.filed_size_binding == "exact":
        if size != filed_size:
            problems.append(f"{size} experts ≠ {filed_size} filed (filed_size_binding=exact)")
        good = f"{size} experts = {filed_size} filed (filed_size_binding=exact)"
    else:
        if size < filed_size:
            problems.append(f"{size} experts < {filed_size} filed (filed_size_binding=minimum)")
        good = f"{size} experts ≥ {filed_size} filed (filed_size_binding=minimum)"
    if problems:
        return FILED_SIZE.finding(False, "; ".join(problems) + " (Art. 9)")
    return FILED_SIZE.finding(True, f"{good}, an odd size (Art. 9)" if rules.committee_size_odd else f"{good} (Art. 9)")


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
