"""The application side of the Measures: eligibility, publicity, vetting, acceptance, appeal.

One pure function per step, each returning the :class:`~zcsim.procedure.Finding` of every check
it evaluated (ok or not), each naming its article:

- :func:`eligibility` — who may apply (Art. 3, 13, 16, 17, 32–35, 41);
- :func:`entrustment` — entrusted review, inbound and outbound (Art. 17), and
  :func:`entrustment_recognised`, whether a review resting on it is recognised (Art. 42);
- :func:`unit_publicity` — the employer's publicity and recommendation (Art. 15);
- :func:`materials_vetting` — the single correction notice and deemed withdrawal (Art. 18);
- :func:`committee_may_review` — series and level of a committee (Art. 7, 9);
- :func:`acceptance` — the Bureau's acceptance check of a result (Art. 24);
- :func:`result_publicity` — publicity, re-examination and confirmation of results (Art. 25);
- :func:`appeal` — an applicant's request for re-examination (Art. 26).

Numbers come from the :class:`~zcsim.law.RuleSet`; working days from
:mod:`zcsim.calendar`. No I/O, no randomness; imports neither simpy, z3 nor networkx.

Examples
--------
>>> import datetime
>>> from zcsim.law import load_rules
>>> rules = load_rules()
>>> a = Applicant("A-1", "engineering", "intermediate", "non_public",
...               titles=(Title("junior", "engineering", "tianjin"),))
>>> eligible(a, rules, on=datetime.date(2025, 3, 1))
True
>>> [f.rule for f in eligibility(a, rules, on=datetime.date(2025, 3, 1)) if not f.ok]
[]
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from zcsim.calendar import WorkingCalendar, default_calendar
from zcsim.errors import InputError
from zcsim.law import LEVELS, REGIONS, RuleSet
from zcsim.procedure._finding import Finding, register

__all__ = [
    # inputs and results
    "Applicant",
    "Entrustment",
    "Title",
    "VettingOutcome",
    "EMPLOYER_KINDS",
    "EMPLOYER_AFFILIATIONS",
    "ENTRUSTMENT_DIRECTIONS",
    "LETTER_ISSUERS",
    "TITLE_VIAS",
    "SANCTION_KINDS",
    "EXCEPTIONAL_GROUNDS",
    # steps
    "eligibility",
    "eligible",
    "entrustment",
    "entrustment_recognised",
    "counting_titles",
    "unit_publicity",
    "materials_vetting",
    "committee_may_review",
    "acceptance",
    "result_publicity",
    "appeal",
    # checks
    "SCOPE",
    "IN_SERVICE",
    "SANCTION",
    "BLACKLIST",
    "RECOGNISED_TITLE",
    "TRANSFERRED_TITLE",
    "CROSS_SERIES_TITLE",
    "QUALIFICATION",
    "LEVEL_BY_LEVEL",
    "INBOUND_ENTRUSTMENT",
    "OUTBOUND_ENTRUSTMENT",
    "ENTRUSTMENT_RECOGNISED",
    "EXCEPTIONAL",
    "UNIT_PUBLICITY",
    "RECOMMENDATION",
    "SINGLE_NOTICE",
    "DEEMED_WITHDRAWN",
    "COMMITTEE_SERIES",
    "COMMITTEE_LEVEL",
    "ACCEPTANCE_SCOPE",
    "ACCEPTANCE_PROCEDURE",
    "POST_QUOTA",
    "RESULT_PUBLICITY",
    "CONFIRMATION",
    "APPEAL_STANDING",
    "APPEAL_EVIDENCE",
    "APPEAL_ANSWERED",
]

# --- checks ----------------------------------------------------------------------------------

SCOPE = register("eligibility.scope", 3,
                 "employed by a Beijing employer, or self-employed with enough years in Beijing")
IN_SERVICE = register("eligibility.in_service", 13, "the applicant is in service, not retired")
SANCTION = register("eligibility.sanction", 13,
                    "no demerit-or-heavier sanction or practice restriction in force")
BLACKLIST = register("eligibility.blacklist", 41, "not on the blacklist within blacklist_years")
RECOGNISED_TITLE = register("eligibility.recognised_title", 32,
                            "a held title issued in a recognised region counts (Beijing–Tianjin–Hebei)")
TRANSFERRED_TITLE = register("eligibility.transferred_title", 33,
                             "a title earned outside Beijing counts after transfer into a Beijing employer")
CROSS_SERIES_TITLE = register("eligibility.cross_series_title", 34,
                              "a title of another series counts unless the series forbids it")
QUALIFICATION = register("eligibility.qualification", 35,
                         "a professional qualification mapped to a title counts as that title")
LEVEL_BY_LEVEL = register("eligibility.level_by_level", 16,
                          "the applied level is the next one above the held title")
EXCEPTIONAL = register("eligibility.exceptional", 16,
                       "an exceptional application is allowed and rests on an Art. 16 ground")
INBOUND_ENTRUSTMENT = register(
    "eligibility.entrustment", 17,
    "an applicant of a central unit in Beijing or of another province is reviewed in Beijing only on entrustment: "
    "the employer's consent and an entrustment letter to the Bureau from the competent HR authority")
OUTBOUND_ENTRUSTMENT = register(
    "eligibility.outbound_entrustment", 17,
    "a Beijing applicant reviewed by a committee of a central unit or another province: the Bureau's confirmation "
    "and entrustment letter, and a committee filed with an HR department")
ENTRUSTMENT_RECOGNISED = register(
    "entrustment.recognised", 42,
    "a review of an applicant who must be entrusted is recognised only when entrusted as Art. 17 requires")
UNIT_PUBLICITY = register("publicity.unit", 15,
                          "unit publicity lasts ≥ unit_publicity_working_days working days")
RECOMMENDATION = register("publicity.no_objection", 15,
                          "the employer recommends only after a publicity without objection")
SINGLE_NOTICE = register("vetting.single_notice", 18,
                         "at most correction_notices correction notices, listing everything at once")
DEEMED_WITHDRAWN = register("vetting.deemed_withdrawn", 18,
                            "materials corrected within correction_deadline_working_days, else withdrawn")
COMMITTEE_SERIES = register("committee.series", 7, "the committee reviews its own series only")
COMMITTEE_LEVEL = register("committee.level", 9,
                           "the committee's level equals the applicant's, or is higher if allowed")
ACCEPTANCE_SCOPE = register("acceptance.scope", 24, "the result is within the committee's scope")
ACCEPTANCE_PROCEDURE = register("acceptance.procedure", 24, "the review followed the procedure")
POST_QUOTA = register("acceptance.post_quota", 24, "a public institution's passes stay within its post quota")
RESULT_PUBLICITY = register("publicity.result", 25,
                            "result publicity lasts ≥ result_publicity_working_days working days")
CONFIRMATION = register("publicity.confirmation", 25,
                        "the result is confirmed: publicity complete and no problem verified")
APPEAL_STANDING = register("appeal.standing", 26,
                           "the request is the applicant's own, about the applicant's own result")
APPEAL_EVIDENCE = register("appeal.evidence", 26, "the request comes with evidence")
APPEAL_ANSWERED = register("appeal.answered", 26, "the agency answered the request")

# --- vocabularies ----------------------------------------------------------------------------

EMPLOYER_KINDS: tuple[str, ...] = (
    "state_owned", "public_institution", "non_public", "social_organisation", "self_employed")
"""Kinds of employer (Art. 3); ``self_employed`` has none."""

TITLE_VIAS: tuple[str, ...] = ("review", "qualification", "transfer")
"""How a held title was obtained: by title review or recognition in its ``region`` (Art. 32), as
a professional qualification mapped to a title (Art. 35), or earned outside Beijing and brought
along on transfer into a Beijing employer (Art. 33)."""

EMPLOYER_AFFILIATIONS: tuple[str, ...] = ("beijing", "central_in_beijing", "out_of_city")
"""Where an employer belongs (Art. 3, 17): ``beijing`` (本市所属, within Art. 3), ``central_in_beijing``
(中央在京单位, a central unit located in Beijing) or ``out_of_city`` (外省市等, another province or city).
Staff of the last two are reviewed in Beijing only on entrustment (Art. 17)."""

ENTRUSTMENT_DIRECTIONS: tuple[str, ...] = ("inbound", "outbound")
"""``inbound``: an applicant of a central unit in Beijing or of another province entrusts the review to
Beijing; ``outbound``: a Beijing applicant entrusts it to a central unit's or another province's
committee (Art. 17)."""

LETTER_ISSUERS: tuple[str, ...] = ("competent_department", "provincial_hr", "other")
"""Who issued an inbound entrustment letter (委托评审函) to the Bureau (Art. 17): ``competent_department``
(具有职称评审管理权限的上级主管单位人事部门, the HR department of the superior competent unit holding
title-review authority), ``provincial_hr`` (省级人力资源社会保障部门) or ``other`` (anyone else: not a
valid letter)."""

SANCTION_KINDS: tuple[str, ...] = ("demerit", "practice_restriction")
"""Art. 13 bars: an administrative demerit (记过) or heavier sanction, or a practice restriction."""

EXCEPTIONAL_GROUNDS: tuple[str, ...] = (
    "major_breakthrough", "major_contribution", "overseas_or_urgent_talent", "hard_or_remote_service")
"""Grounds of an exceptional application (Art. 16): major research or technology breakthroughs,
major contributions, introduced overseas high-level or urgently needed talent, long service in
hard or remote areas or at the grassroots."""

VettingStatus = Literal["accepted", "withdrawn", "pending"]


def _choice(value: object, options: tuple[str, ...], where: str) -> None:
    if value in options:
        return
    close = difflib.get_close_matches(str(value), list(options), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InputError(f"{value!r} is not valid; expected one of {', '.join(options)}{hint}",
                     location=where)


def _level(value: str, where: str) -> int:
    _choice(value, LEVELS, where)
    return LEVELS.index(value)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _cal(calendar: WorkingCalendar | None) -> WorkingCalendar:
    return default_calendar() if calendar is None else calendar


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Title:
    """A title (or mapped qualification) an applicant holds.

    Parameters
    ----------
    level : str
        ``junior``, ``intermediate`` or ``senior``.
    series : str
        The series of the title.
    region : str, default ``"beijing"``
        Where it was issued: one of :data:`zcsim.law.REGIONS` (``other`` = outside
        Beijing–Tianjin–Hebei).
    via : str, default ``"review"``
        One of :data:`TITLE_VIAS`: ``review`` (title review or recognition in ``region``),
        ``qualification`` (a professional qualification within the national or Beijing
        correspondence to a title of this series and level, Art. 35; ``region`` is then ignored),
        ``transfer`` (earned outside Beijing, brought along on transfer into a Beijing employer,
        Art. 33).

    Examples
    --------
    >>> Title("intermediate", "engineering", "tianjin").label
    'intermediate engineering title (tianjin, review)'
    """

    level: str
    series: str
    region: str = "beijing"
    via: str = "review"

    def __post_init__(self) -> None:
        _level(self.level, "title.level")
        _choice(self.region, REGIONS, "title.region")
        _choice(self.via, TITLE_VIAS, "title.via")

    @property
    def label(self) -> str:
        """Human description used in finding details."""
        kind = "qualification" if self.via == "qualification" else "title"
        return f"{self.level} {self.series} {kind} ({self.region}, {self.via})"


@dataclass(frozen=True, slots=True)
class Entrustment:
    """An entrusted review (委托评审, Art. 17) and the steps taken for it.

    Parameters
    ----------
    direction : str
        One of :data:`ENTRUSTMENT_DIRECTIONS`.
    employer_consent : bool, default False
        Inbound: the applicant's employer consented (须经申报人所在单位同意).
    letter_issuer : str or None
        Inbound: who issued the entrustment letter to the Bureau (:data:`LETTER_ISSUERS`);
        ``None`` when there is no letter.
    bureau_letter : bool, default False
        Outbound: the Bureau confirmed and issued the entrustment letter (经市人力资源社会保障局确认并
        出具委托函).
    committee_filed : bool, default False
        Outbound: the reviewing committee is filed with an HR department (经人力资源社会保障部门
        核准备案的相关评委会).

    Examples
    --------
    >>> Entrustment("inbound", employer_consent=True, letter_issuer="provincial_hr").direction
    'inbound'
    >>> Entrustment("sideways")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: entrustment.direction: 'sideways' is not valid; expected one of inbound, outbound
    """

    direction: str
    employer_consent: bool = False
    letter_issuer: str | None = None
    bureau_letter: bool = False
    committee_filed: bool = False

    def __post_init__(self) -> None:
        _choice(self.direction, ENTRUSTMENT_DIRECTIONS, "entrustment.direction")
        if self.letter_issuer is not None:
            _choice(self.letter_issuer, LETTER_ISSUERS, "entrustment.letter_issuer")
        for key in ("employer_consent", "bureau_letter", "committee_filed"):
            if not isinstance(getattr(self, key), bool):
                raise InputError(f"{getattr(self, key)!r} is not true or false", location=f"entrustment.{key}")
        if self.direction == "inbound" and (self.bureau_letter or self.committee_filed):
            raise InputError("bureau_letter and committee_filed belong to an outbound entrustment; an inbound one "
                             "records employer_consent and letter_issuer (Art. 17)", location="entrustment")
        if self.direction == "outbound" and (self.employer_consent or self.letter_issuer is not None):
            raise InputError("employer_consent and letter_issuer belong to an inbound entrustment; an outbound one "
                             "records bureau_letter and committee_filed (Art. 17)", location="entrustment")


@dataclass(frozen=True, slots=True)
class Applicant:
    """What the eligibility checks need to know about an applicant (Art. 3, 13, 16, 17, 32–35, 41).

    Parameters
    ----------
    id : str
        The applicant's identifier (copied into every finding).
    series : str
        The series applied for.
    level_applied : str
        ``junior``, ``intermediate`` or ``senior``.
    employer_kind : str
        One of :data:`EMPLOYER_KINDS`.
    specialty : str, default ``""``
        The specialty applied for.
    employer_in_beijing : bool, default True
        Whether the employer is a Beijing employer (本市所属; ignored for the self-employed). Derived
        from ``employer_affiliation`` when that is given.
    years_working_in_beijing : float, default 0
        Years the applicant has worked in Beijing (used for the self-employed, Art. 3).
    retired : bool, default False
        Retired (离退休) rather than in service (Art. 13).
    sanction_until : date or None
        Last day (inclusive) of a demerit-or-heavier sanction or a practice restriction (Art. 13);
        ``None`` if there is none. A warning (警告) is lighter than a demerit and is not recorded.
    sanction_from : date or None
        First day of that sanction; ``None`` means it began before any date of interest.
    sanction_kind : str, default ``"demerit"``
        One of :data:`SANCTION_KINDS` (used in details).
    titles : tuple of Title
        Titles and mapped qualifications held.
    series_forbids_cross_series_titles : bool, default False
        The series applied for is one "with special provisions" (有特殊规定的系列) that does not
        accept a certificate of another series for the next level (Art. 34).
    exceptional_grounds : tuple of str
        Grounds of an exceptional application (Art. 16, :data:`EXCEPTIONAL_GROUNDS`); empty for an
        ordinary application.
    blacklisted_on : date or None
        The day the applicant was blacklisted for fraud (Art. 41), if ever.
    employer_affiliation : str or None
        Where the employer belongs, one of :data:`EMPLOYER_AFFILIATIONS`; ``None`` (default) means
        ``beijing`` when ``employer_in_beijing`` else ``out_of_city``. Set on the object after
        construction. A central unit in Beijing (中央在京单位) is ``central_in_beijing``: located in
        Beijing, yet not a Beijing employer of Art. 3.
    entrustment : Entrustment, mapping or None
        The entrusted review (Art. 17): ``inbound`` for staff of a central unit in Beijing or of
        another province, ``outbound`` for a Beijing applicant reviewed elsewhere. A mapping is
        read as :class:`Entrustment` keyword arguments.

    Examples
    --------
    >>> Applicant("A-2", "engineering", "senior", "state_owned",
    ...           exceptional_grounds=("major_contribution",)).exceptional
    True
    """

    id: str
    series: str
    level_applied: str
    employer_kind: str
    specialty: str = ""
    employer_in_beijing: bool = True
    years_working_in_beijing: float = 0
    retired: bool = False
    sanction_until: datetime.date | None = None
    sanction_from: datetime.date | None = None
    sanction_kind: str = "demerit"
    titles: tuple[Title, ...] = ()
    series_forbids_cross_series_titles: bool = False
    exceptional_grounds: tuple[str, ...] = ()
    blacklisted_on: datetime.date | None = None
    employer_affiliation: str | None = None
    entrustment: Entrustment | None = None

    def __post_init__(self) -> None:
        where = f"applicant {self.id}"
        aff = self.employer_affiliation
        if aff is None:
            aff = "beijing" if self.employer_in_beijing else "out_of_city"
        _choice(aff, EMPLOYER_AFFILIATIONS, f"{where}.employer_affiliation")
        if aff == "beijing" and not self.employer_in_beijing:
            raise InputError("employer_affiliation is beijing but employer_in_beijing is false",
                             location=f"{where}.employer_affiliation")
        object.__setattr__(self, "employer_affiliation", aff)
        object.__setattr__(self, "employer_in_beijing", aff == "beijing")
        ent = self.entrustment
        if isinstance(ent, Mapping):
            try:
                ent = Entrustment(**ent)
            except TypeError as exc:
                raise InputError(f"{exc}; expected the fields of Entrustment (direction, employer_consent, "
                                 "letter_issuer, bureau_letter, committee_filed)", location=f"{where}.entrustment") from None
            object.__setattr__(self, "entrustment", ent)
        if ent is not None and not isinstance(ent, Entrustment):
            raise InputError(f"expected an Entrustment, got {type(ent).__name__}", location=f"{where}.entrustment")
        if ent is not None:
            beijing_side = self.self_employed or aff == "beijing"
            if ent.direction == "inbound" and beijing_side:
                raise InputError("an inbound entrustment is for staff of a central unit in Beijing or of another "
                                 "province (中央在京单位、外省市等所属); this applicant applies in Beijing directly (Art. 3, 17)",
                                 location=f"{where}.entrustment")
            if ent.direction == "outbound" and not beijing_side:
                raise InputError("an outbound entrustment is for Beijing professionals (本市专业技术人才); this "
                                 f"applicant's employer is {aff} (Art. 17)", location=f"{where}.entrustment")
        _level(self.level_applied, f"{where}.level_applied")
        _choice(self.employer_kind, EMPLOYER_KINDS, f"{where}.employer_kind")
        _choice(self.sanction_kind, SANCTION_KINDS, f"{where}.sanction_kind")
        if self.years_working_in_beijing < 0:
            raise InputError(f"years_working_in_beijing = {self.years_working_in_beijing} is negative; "
                             "expected a number ≥ 0", location=f"{where}.years_working_in_beijing")
        if (self.sanction_from is not None and self.sanction_until is not None
                and self.sanction_from > self.sanction_until):
            raise InputError(f"sanction_from {self.sanction_from} is after sanction_until "
                             f"{self.sanction_until}", location=f"{where}.sanction_from")
        object.__setattr__(self, "titles", tuple(self.titles))
        object.__setattr__(self, "exceptional_grounds", tuple(self.exceptional_grounds))
        for t in self.titles:
            if not isinstance(t, Title):
                raise InputError(f"expected a Title, got {type(t).__name__}", location=f"{where}.titles")

    @property
    def exceptional(self) -> bool:
        """Whether this is an exceptional application (it names at least one ground)."""
        return bool(self.exceptional_grounds)

    @property
    def self_employed(self) -> bool:
        """Whether the applicant is a self-employed professional (Art. 3)."""
        return self.employer_kind == "self_employed"


# --- eligibility -----------------------------------------------------------------------------


def _title_findings(t: Title, applicant: Applicant, rules: RuleSet) -> list[Finding]:
    """The findings deciding whether ``t`` counts for ``applicant`` (Art. 32–35)."""
    out: list[Finding] = []
    a = applicant.id
    regions = ",".join(rules.recognised_title_regions) or "(none)"
    if t.via == "qualification":
        out.append(QUALIFICATION.finding(
            True, f"{t.label}: a qualification mapped to a title counts as that title (Art. 35)",
            applicant=a))
    elif t.via == "transfer":
        moved = applicant.employer_in_beijing and not applicant.self_employed
        if moved:
            detail = (f"{t.label}: earned outside Beijing, counts after transfer into a Beijing "
                      f"employer ({applicant.employer_kind}, Art. 33)")
        else:
            where = "self-employed" if applicant.self_employed else "employer not in Beijing"
            detail = (f"{t.label}: counts only after transfer into a Beijing employer, but the "
                      f"applicant is {where} (Art. 33)")
        out.append(TRANSFERRED_TITLE.finding(moved, detail, applicant=a))
    else:
        ok = t.region in rules.recognised_title_regions
        rel = "∈" if ok else "∉"
        detail = f"{t.label}: issued in {t.region} {rel} recognised_title_regions ({regions}, Art. 32)"
        if not ok:
            detail += "; not brought along on transfer into a Beijing employer (Art. 33)"
        out.append(RECOGNISED_TITLE.finding(ok, detail, applicant=a))
    if t.series != applicant.series:
        ok = not applicant.series_forbids_cross_series_titles
        detail = (f"{t.label}: series {t.series} ≠ {applicant.series} applied for; "
                  + ("the old certificate counts for the next level (Art. 34)" if ok else
                     f"series {applicant.series} has special provisions forbidding it (Art. 34)"))
        out.append(CROSS_SERIES_TITLE.finding(ok, detail, applicant=a))
    return out


def counting_titles(applicant: Applicant, rules: RuleSet) -> tuple[Title, ...]:
    """The held titles that count for ``applicant``'s application (Art. 32–35).

    Examples
    --------
    >>> from zcsim.law import load_rules
    >>> a = Applicant("A-3", "engineering", "senior", "state_owned", titles=(
    ...     Title("intermediate", "engineering", "other"),
    ...     Title("junior", "engineering", "hebei")))
    >>> [t.level for t in counting_titles(a, load_rules())]
    ['junior']
    """
    return tuple(t for t in applicant.titles
                 if all(f.ok for f in _title_findings(t, applicant, rules)))


def _anniversary(d: datetime.date, years: int) -> datetime.date:
    """The day ``years`` years after ``d``; 29 February falls back to 28 (Civil Code Art. 202).
    Past the last representable day (9999-12-31) it is that day: nothing is later.

    Examples
    --------
    >>> _anniversary(datetime.date(2024, 2, 29), 1), _anniversary(datetime.date(9998, 5, 1), 3)
    (datetime.date(2025, 2, 28), datetime.date(9999, 12, 31))
    """
    if d.year + years > datetime.MAXYEAR:
        return datetime.date.max
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def _scope(applicant: Applicant, rules: RuleSet) -> Finding:
    """Art. 3, for the applicants it covers: the self-employed and staff of Beijing employers."""
    if applicant.self_employed:
        need = rules.freelancer_min_years_in_beijing
        years = applicant.years_working_in_beijing
        ok = years >= need
        rel = "≥" if ok else "<"
        detail = (f"self-employed, {_num(years)} year(s) working in Beijing {rel} {need} required "
                  "(freelancer_min_years_in_beijing, Art. 3)")
    else:
        ok = True
        detail = f"employment relationship with a Beijing employer ({applicant.employer_kind}, Art. 3)"
    return SCOPE.finding(ok, detail, applicant=applicant.id)


_AFFILIATION_TEXT = {"central_in_beijing": "a central unit in Beijing (中央在京单位)",
                     "out_of_city": "a unit of another province or city (外省市)"}
_ISSUER_TEXT = {"competent_department": "the superior competent unit's HR department",
                "provincial_hr": "a provincial HR and social security department",
                "other": "an issuer that is neither the competent unit's HR department nor a provincial HR department"}


def entrustment(affiliation: str, entrusted: Entrustment | None, *, self_employed: bool = False,
                applicant: str | None = None) -> list[Finding]:
    """The entrustment findings of one applicant (Art. 17); empty when none is needed or recorded.

    - ``eligibility.entrustment`` (inbound), for staff of a central unit in Beijing or of another
      province (``affiliation`` not ``beijing``): Art. 3 does not cover them; they are reviewed in
      Beijing only when the employer consented and the competent unit's HR department (具有职称评审
      管理权限的上级主管单位人事部门) or a provincial HR department issued the entrustment letter to
      the Bureau (须经申报人所在单位同意，并由…向市人力资源社会保障局出具相应委托评审函);
    - ``eligibility.outbound_entrustment``, for a Beijing applicant reviewed by a central unit's or
      another province's committee: the Bureau confirmed and issued the letter, and the committee
      is filed with an HR department (须经市人力资源社会保障局确认并出具委托函后，由经人力资源社会保障
      部门核准备案的相关评委会代为评审).

    Parameters
    ----------
    affiliation : str
        One of :data:`EMPLOYER_AFFILIATIONS`.
    entrusted : Entrustment or None
    self_employed : bool, default False
        A self-employed professional has no employer to belong elsewhere: no inbound entrustment.
    applicant : str, optional

    Examples
    --------
    >>> [(f.rule, f.ok) for f in entrustment("central_in_beijing", None)]
    [('eligibility.entrustment', False)]
    >>> entrustment("out_of_city", Entrustment("inbound", employer_consent=True,
    ...                                        letter_issuer="provincial_hr"))[0].ok
    True
    >>> entrustment("beijing", None)
    []
    """
    _choice(affiliation, EMPLOYER_AFFILIATIONS, "employer_affiliation")
    if entrusted is not None and entrusted.direction == "outbound":
        missing = []
        if not entrusted.bureau_letter:
            missing.append("the Bureau's confirmation and entrustment letter (委托函)")
        if not entrusted.committee_filed:
            missing.append("a reviewing committee filed with an HR department (核准备案)")
        head = "Beijing applicant entrusted to a committee of a central unit or another province"
        if missing:
            detail = f"{head}: missing {' and '.join(missing)} (Art. 17); such a review is not recognised (Art. 42)"
        else:
            detail = f"{head}: the Bureau's letter issued, the committee filed (Art. 17)"
        return [OUTBOUND_ENTRUSTMENT.finding(not missing, detail, applicant=applicant)]
    if self_employed or affiliation == "beijing":
        return []
    head = (f"the employer is {_AFFILIATION_TEXT[affiliation]}, not a Beijing employer of Art. 3: reviewed in Beijing "
            "only on entrustment")
    if entrusted is None:
        return [INBOUND_ENTRUSTMENT.finding(
            False, f"{head}; none recorded: the employer's consent and an entrustment letter to the Bureau are "
                   "required (Art. 17), and a review without them is not recognised (Art. 42)", applicant=applicant)]
    missing = []
    if not entrusted.employer_consent:
        missing.append("the employer's consent (所在单位同意)")
    if entrusted.letter_issuer is None:
        missing.append("an entrustment letter to the Bureau (委托评审函)")
    elif entrusted.letter_issuer == "other":
        missing.append(f"a letter from the competent authority: it was issued by {_ISSUER_TEXT['other']}")
    if missing:
        detail = f"{head}; missing {'; '.join(missing)} (Art. 17); such a review is not recognised (Art. 42)"
    else:
        detail = (f"{head}: the employer consented and {_ISSUER_TEXT[str(entrusted.letter_issuer)]} issued the "
                  "entrustment letter to the Bureau (Art. 17)")
    return [INBOUND_ENTRUSTMENT.finding(not missing, detail, applicant=applicant)]


def entrustment_recognised(findings: Iterable[Finding], *, applicant: str | None = None) -> list[Finding]:
    """Whether a review resting on an entrustment is recognised (Art. 42); empty when none is involved.

    Art. 42: 对未按要求委托评审的职称评审行为不予认可 — a review of an applicant whose
    ``eligibility.entrustment`` or ``eligibility.outbound_entrustment`` finding is not ok is not
    recognised.

    Examples
    --------
    >>> [(f.rule, f.ok) for f in entrustment_recognised(entrustment("out_of_city", None))]
    [('entrustment.recognised', False)]
    >>> entrustment_recognised([])
    []
    """
    ids = (INBOUND_ENTRUSTMENT.id, OUTBOUND_ENTRUSTMENT.id)
    steps = [f for f in findings if f.rule in ids]
    if not steps:
        return []
    bad = [f for f in steps if not f.ok]
    if bad:
        detail = ("not entrusted as Art. 17 requires (" + ", ".join(sorted({f.rule for f in bad}))
                  + "): the review is not recognised (Art. 42)")
    else:
        detail = "entrusted as Art. 17 requires: the review may be recognised (Art. 42)"
    return [ENTRUSTMENT_RECOGNISED.finding(not bad, detail, applicant=applicant)]


def _in_service(applicant: Applicant, rules: RuleSet) -> Finding:
    if not applicant.retired:
        return IN_SERVICE.finding(True, "in service (Art. 13)", applicant=applicant.id)
    ok = rules.retired_may_apply
    detail = (f"retired; retired_may_apply={_flag(ok)} (Art. 13)"
              + ("" if ok else ": retired staff may not apply"))
    return IN_SERVICE.finding(ok, detail, applicant=applicant.id)


def _sanction(applicant: Applicant, rules: RuleSet, on: datetime.date) -> Finding:
    a, kind, until = applicant.id, applicant.sanction_kind, applicant.sanction_until
    if until is None:
        return SANCTION.finding(True, "no demerit-or-heavier sanction or practice restriction (Art. 13)",
                                applicant=a)
    if until < on:
        return SANCTION.finding(True, f"{kind} ended {until}, before {on} (Art. 13)", applicant=a)
    start = applicant.sanction_from
    if start is not None and start > on:
        return SANCTION.finding(True, f"{kind} starts {start}, after {on} (Art. 13)", applicant=a)
    running = f"under a {kind} until {until} inclusive on {on}"
    if kind == "practice_restriction" and not rules.sanction_bar_practice_restriction:
        return SANCTION.finding(
            True, f"{running}, but under {rules.name} a practice restriction is no bar: only a demerit-or-heavier "
                  "sanction is (sanction_bar_practice_restriction=false, Art. 13)", applicant=a)
    if rules.sanction_bar_scope == "public_institution" and applicant.employer_kind != "public_institution":
        return SANCTION.finding(
            True, f"{running}, but Art. 13 bars public-institution staff (事业单位工作人员) and the "
                  f"employer is {applicant.employer_kind} (sanction_bar_scope=public_institution)", applicant=a)
    ok = rules.sanctioned_may_apply
    who = "public-institution staff" if rules.sanction_bar_scope == "public_institution" else "applicants"
    detail = (f"{running}; sanctioned_may_apply={_flag(ok)}, sanction_bar_scope={rules.sanction_bar_scope} (Art. 13)"
              + ("" if ok else f": {who} may not apply during it"))
    return SANCTION.finding(ok, detail, applicant=a)


def _blacklist(applicant: Applicant, rules: RuleSet, on: datetime.date) -> Finding:
    a, day, years = applicant.id, applicant.blacklisted_on, rules.blacklist_years
    if day is None:
        return BLACKLIST.finding(True, "not blacklisted (Art. 41)", applicant=a)
    if day > on:
        return BLACKLIST.finding(True, f"blacklisted on {day}, after {on} (Art. 41)", applicant=a)
    last = _anniversary(day, years)
    if years == 0:
        return BLACKLIST.finding(True, f"blacklisted on {day}; blacklist_years=0 keeps no record (Art. 41)",
                                 applicant=a)
    ok = on > last
    head = f"blacklisted on {day}; the record runs to {last} inclusive (blacklist_years={years}, Art. 41)"
    if ok:
        return BLACKLIST.finding(True, f"{head}: ended before {on}", applicant=a)
    if rules.blacklist_reading == "record":
        return BLACKLIST.finding(True, f"{head}: still recorded on {on}, but Art. 41 names no bar on applying "
                                       "again (blacklist_reading=record)", applicant=a)
    return BLACKLIST.finding(False, f"{head}: still recorded on {on}; blacklist_reading=bar: a recorded applicant "
                                    "may not apply", applicant=a)


def _levels(applicant: Applicant, rules: RuleSet, counting: Sequence[Title]) -> list[Finding]:
    a = applicant.id
    out: list[Finding] = []
    want = LEVELS.index(applicant.level_applied)
    base = max(counting, key=lambda t: LEVELS.index(t.level), default=None)
    held = -1 if base is None else LEVELS.index(base.level)
    holds = "holds no counting title" if base is None else f"holds {base.label}"
    applies = f"applies for {applicant.level_applied}"
    grounds = [g for g in applicant.exceptional_grounds if g in EXCEPTIONAL_GROUNDS]
    unknown = [g for g in applicant.exceptional_grounds if g not in EXCEPTIONAL_GROUNDS]
    exceptional_ok = applicant.exceptional and rules.exceptional_applications and bool(grounds)
    direct_senior = (rules.major_contribution_direct_senior and "major_contribution" in grounds
                     and applicant.level_applied == "senior")

    if want <= held:
        out.append(LEVEL_BY_LEVEL.finding(
            False, f"{applies} but {holds}: the same or a lower level than held (Art. 16)", applicant=a))
    elif want == 0:
        out.append(LEVEL_BY_LEVEL.finding(
            True, f"{applies}, the first level: no title needed (Art. 16)", applicant=a))
    elif want == held + 1:
        out.append(LEVEL_BY_LEVEL.finding(
            True, f"{applies} and {holds}: exactly one level up (Art. 16)", applicant=a))
    else:
        skipped = ",".join(LEVELS[held + 1:want])
        head = f"{applies} and {holds}: skips {want - held - 1} level(s) ({skipped})"
        if not rules.level_by_level:
            ok, why = True, "level_by_level=false (Art. 16)"
        elif direct_senior:
            ok, why = True, ("a major contributor may apply directly for senior (major_contribution_direct_senior="
                             "true, Art. 16)")
        elif exceptional_ok and rules.exceptional_may_skip_level:
            ok, why = True, (f"allowed as an exceptional application on {','.join(grounds)} "
                             "(exceptional_may_skip_level=true, Art. 16)")
        elif exceptional_ok:
            senior = ("; no direct senior application for major contributors (major_contribution_direct_senior=false)"
                      if "major_contribution" in grounds and applicant.level_applied == "senior" else "")
            ok, why = False, ("an exceptional application relaxes education and seniority, not the "
                              f"level-by-level order (exceptional_may_skip_level=false{senior}, Art. 16)")
        elif not applicant.exceptional:
            ok, why = False, "level_by_level=true and not an exceptional application (Art. 16)"
        else:
            ok, why = False, "level_by_level=true and the exceptional application is not allowed " \
                             "(see eligibility.exceptional, Art. 16)"
        out.append(LEVEL_BY_LEVEL.finding(ok, f"{head}; {why}", applicant=a))

    if applicant.exceptional:
        named = ",".join(applicant.exceptional_grounds)
        if not rules.exceptional_applications:
            ok, detail = False, (f"exceptional application on {named}, but "
                                 "exceptional_applications=false (Art. 16)")
        elif not grounds:
            ok, detail = False, (f"exceptional application on {named}: not an Art. 16 ground; expected "
                                 f"one of {', '.join(EXCEPTIONAL_GROUNDS)}")
        else:
            ok, detail = True, (f"exceptional application on {','.join(grounds)} "
                                "(exceptional_applications=true, Art. 16)")
            if unknown:
                detail += f"; ignored, not Art. 16 grounds: {','.join(unknown)}"
        out.append(EXCEPTIONAL.finding(ok, detail, applicant=a))
    return out


def eligibility(applicant: Applicant, rules: RuleSet, *, on: datetime.date) -> list[Finding]:
    """Whether ``applicant`` may apply on day ``on``: every finding of Art. 3, 13, 16, 17, 32–35, 41.

    Checks, in order:

    - ``eligibility.scope`` (Art. 3), for the applicants Art. 3 covers: a Beijing employer, or
      self-employed with at least ``freelancer_min_years_in_beijing`` years working in Beijing
      (以上 includes the number);
    - ``eligibility.entrustment`` (Art. 17) instead, for staff of a central unit in Beijing or of
      another province, and ``eligibility.outbound_entrustment`` for a Beijing applicant
      entrusted elsewhere (:func:`entrustment`);
    - ``eligibility.in_service`` (Art. 13): not retired, unless ``retired_may_apply``;
    - ``eligibility.sanction`` (Art. 13): no demerit-or-heavier sanction or practice restriction
      in force on ``on`` (``sanction_until`` inclusive) for public-institution staff, unless
      ``sanctioned_may_apply``. The article's subject is 事业单位工作人员; other employers' staff
      are not barred (literal reading). A practice restriction bars only with
      ``sanction_bar_practice_restriction`` (Order No. 40 has no such clause);
    - ``eligibility.blacklist`` (Art. 41): the record of ``blacklist_years`` years counts from the
      day after ``blacklisted_on`` (Civil Code Art. 201) and ends on its anniversary, inclusive
      (Art. 202): blacklisted 2022-03-15 with 3 years → barred to 2025-03-15, free 2025-03-16;
    - the titles that count (Art. 32–35), each with its own check
      (``eligibility.recognised_title``, ``.transferred_title``, ``.cross_series_title``,
      ``.qualification``): reported for the highest counting title (the base of the
      application) and, when no counting title reaches the level below the one applied for, for
      each held title at or above that level that does not count, saying why;
    - ``eligibility.level_by_level`` (Art. 16): the applied level is exactly one above the
      highest counting title (junior needs none); a skip passes only when ``level_by_level`` is
      off, as an exceptional application with ``exceptional_may_skip_level``, or — for senior —
      on the ground ``major_contribution`` with ``major_contribution_direct_senior``; the same or
      a lower level never passes;
    - ``eligibility.exceptional`` (Art. 16), for exceptional applications only:
      ``exceptional_applications`` is on and at least one ground is an Art. 16 ground.

    Parameters
    ----------
    applicant : Applicant
    rules : RuleSet
    on : date
        The day the application is made (sanction and blacklist are judged on it).

    Returns
    -------
    list of Finding

    Examples
    --------
    >>> import datetime
    >>> from zcsim.law import load_rules
    >>> a = Applicant("A-4", "engineering", "junior", "self_employed", years_working_in_beijing=1)
    >>> [(f.rule, f.ok) for f in eligibility(a, load_rules(), on=datetime.date(2025, 3, 1))][:1]
    [('eligibility.scope', True)]
    >>> eligibility(a, load_rules(), on=datetime.date(2025, 3, 1))[0].detail
    'self-employed, 1 year(s) working in Beijing ≥ 1 required (freelancer_min_years_in_beijing, Art. 3)'
    """
    if not rules.territorial_scope:  # a national instrument: no territory, no entrustment into it
        out = [SCOPE.finding(True, "no territorial scope in this rule set (territorial_scope = false): the "
                                   "Beijing scope of Art. 3 and the entrustment of Art. 17 do not apply",
                             applicant=applicant.id)]
    else:
        covered = applicant.self_employed or applicant.employer_affiliation == "beijing"
        out = [_scope(applicant, rules)] if covered else []
        out += entrustment(str(applicant.employer_affiliation), applicant.entrustment,
                           self_employed=applicant.self_employed, applicant=applicant.id)
    out += [
        _in_service(applicant, rules),
        _sanction(applicant, rules, on),
        _blacklist(applicant, rules, on),
    ]
    per_title = {t: _title_findings(t, applicant, rules) for t in applicant.titles}
    counting = [t for t in applicant.titles if all(f.ok for f in per_title[t])]
    base = max(counting, key=lambda t: LEVELS.index(t.level), default=None)
    if base is not None:
        out.extend(per_title[base])
    need = LEVELS.index(applicant.level_applied) - 1
    if need >= 0 and (base is None or LEVELS.index(base.level) < need):
        for t in per_title:  # each distinct title once
            if t not in counting and LEVELS.index(t.level) >= need:
                out.extend(per_title[t])
    out.extend(_levels(applicant, rules, counting))
    return out


def eligible(applicant: Applicant, rules: RuleSet, *, on: datetime.date) -> bool:
    """Whether every finding of :func:`eligibility` is ok.

    Examples
    --------
    >>> import datetime
    >>> from zcsim.law import load_rules
    >>> eligible(Applicant("A-5", "engineering", "junior", "state_owned", retired=True),
    ...          load_rules(), on=datetime.date(2025, 3, 1))
    False
    """
    return all(f.ok for f in eligibility(applicant, rules, on=on))


# --- publicity (Art. 15, 25) -----------------------------------------------------------------


def _period(start: datetime.date, end: datetime.date, need: int, param: str, article: int,
            cal: WorkingCalendar, rules: RuleSet) -> tuple[bool, str]:
    first = start if rules.publicity_start_day_counts else start + datetime.timedelta(days=1)
    n = cal.working_days_between(first, end)
    ok = n >= need
    rel = "≥" if ok else "<"
    span = f"{start}..{end}" if end >= start else f"{start}..{end}, ends before it starts"
    if not rules.publicity_start_day_counts:
        span += ", posting day not counted (publicity_start_day_counts=false)"
    return ok, f"{n} working days ({span}) {rel} {need} required ({param}, Art. {article})"


def unit_publicity(start: datetime.date, end: datetime.date, rules: RuleSet, *, objection: bool = False,
                   calendar: WorkingCalendar | None = None, applicant: str | None = None) -> list[Finding]:
    """The employer's publicity and recommendation (Art. 15).

    ``publicity.unit``: the closed interval ``[start, end]`` holds at least
    ``unit_publicity_working_days`` statutory working days. ``publicity.no_objection``: the
    employer recommends only if the publicity raised no objection.

    Parameters
    ----------
    start, end : date
        First and last day of the publicity, both included.
    rules : RuleSet
    objection : bool, default False
        Whether an objection was raised during the publicity.
    calendar : WorkingCalendar, optional
        Defaults to :func:`zcsim.calendar.default_calendar`.
    applicant : str, optional
        Applicant id copied into the findings.

    Examples
    --------
    >>> import datetime
    >>> from zcsim.law import load_rules
    >>> f = unit_publicity(datetime.date(2025, 9, 29), datetime.date(2025, 10, 10), load_rules())
    >>> f[0].ok, f[0].detail
    (False, '4 working days (2025-09-29..2025-10-10) < 5 required (unit_publicity_working_days, Art. 15)')
    """
    ok, detail = _period(start, end, rules.unit_publicity_working_days, "unit_publicity_working_days",
                         15, _cal(calendar), rules)
    rec = (RECOMMENDATION.finding(False, "objection raised during the unit publicity: the employer may "
                                         "not recommend (Art. 15)", applicant=applicant)
           if objection else
           RECOMMENDATION.finding(True, "no objection during the unit publicity: the employer may "
                                        "recommend (Art. 15)", applicant=applicant))
    return [UNIT_PUBLICITY.finding(ok, detail, applicant=applicant), rec]


def result_publicity(start: datetime.date, end: datetime.date, rules: RuleSet, *, complaints: int = 0,
                     verified_problem: bool = False, calendar: WorkingCalendar | None = None,
                     applicant: str | None = None) -> list[Finding]:
    """Publicity of an accepted result, re-examination and confirmation (Art. 25).

    ``publicity.result``: ``[start, end]`` holds at least ``result_publicity_working_days``
    working days. ``publicity.confirmation``: complaints trigger a re-examination; a problem
    verified by it (or found otherwise) changes the result, which is then not confirmed;
    otherwise, once the publicity is complete, the Bureau confirms and files the result.

    Parameters
    ----------
    start, end : date
        First and last day of the publicity, both included.
    rules : RuleSet
    complaints : int, default 0
        Complaints or reports received during the publicity.
    verified_problem : bool, default False
        Whether a re-examination verified a problem affecting the result.
    calendar : WorkingCalendar, optional
    applicant : str, optional

    Examples
    --------
    >>> import datetime
    >>> from zcsim.law import load_rules
    >>> f = result_publicity(datetime.date(2025, 9, 29), datetime.date(2025, 10, 11), load_rules(),
    ...                      complaints=1)
    >>> [x.ok for x in f], f[1].detail
    ([True, True], '1 complaint(s) re-examined, no problem verified: the Bureau confirms and files (Art. 25)')
    """
    if complaints < 0:
        raise InputError(f"complaints = {complaints} is negative; expected a count ≥ 0",
                         location="complaints")
    ok, detail = _period(start, end, rules.result_publicity_working_days, "result_publicity_working_days",
                         25, _cal(calendar), rules)
    heard = ("no complaint" if complaints == 0 else f"{complaints} complaint(s) re-examined")
    if verified_problem:
        conf = CONFIRMATION.finding(False, f"{heard}, problem verified: the result is changed, not "
                                           "confirmed (Art. 25)", applicant=applicant)
    elif not ok:
        conf = CONFIRMATION.finding(False, f"{heard}, but the publicity is incomplete (see "
                                           "publicity.result): not yet confirmable (Art. 25)",
                                    applicant=applicant)
    else:
        what = "no objection" if complaints == 0 else "no problem verified"
        if complaints:
            text = f"{heard}, {what}: the Bureau confirms and files (Art. 25)"
        else:
            text = f"{what}: the Bureau confirms and files (Art. 25)"
        conf = CONFIRMATION.finding(True, text, applicant=applicant)
    return [RESULT_PUBLICITY.finding(ok, detail, applicant=applicant), conf]


# --- vetting (Art. 18) -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VettingOutcome:
    """What the agency's vetting of one application came to (Art. 18).

    Attributes
    ----------
    status : {"accepted", "withdrawn", "pending"}
        ``accepted`` — complete, or corrected in time; ``withdrawn`` — deemed withdrawn;
        ``pending`` — a correction is due and its deadline has not passed on ``as_of``.
    findings : tuple of Finding
    deadline : date or None
        Last day for the correction, if a notice was sent.
    """

    status: VettingStatus
    findings: tuple[Finding, ...] = field(default=())
    deadline: datetime.date | None = None

    @property
    def ok(self) -> bool:
        """Whether every finding is ok (the agency and the applicant both complied)."""
        return all(f.ok for f in self.findings)


def materials_vetting(rules: RuleSet, *, notices: int = 0, notice_date: datetime.date | None = None,
                      corrected_on: datetime.date | None = None, procedures_completed: bool = True,
                      as_of: datetime.date | None = None, calendar: WorkingCalendar | None = None,
                      applicant: str | None = None) -> VettingOutcome:
    """The agency's vetting: one single correction notice, then correction or withdrawal (Art. 18).

    ``vetting.single_notice``: at most ``correction_notices`` notices (the notice lists everything
    to correct at once). ``vetting.deemed_withdrawn`` (when a notice was sent or procedures are
    incomplete): the correction arrives within ``correction_deadline_working_days`` working days
    after the notice — counting from the day after ``notice_date`` (Civil Code Art. 201), so the
    deadline is the n-th working day after it — otherwise the application is deemed withdrawn
    (``ok=False``). Procedures not completed as required also mean withdrawal.

    Parameters
    ----------
    rules : RuleSet
    notices : int, default 0
        Correction notices the agency sent (0 = materials complete).
    notice_date : date, optional
        Date of the last notice sent (the deadline runs from it); required when ``notices > 0``.
    corrected_on : date, optional
        When the applicant corrected the materials; ``None`` if not (yet) corrected.
    procedures_completed : bool, default True
        Whether the applicant completed the application procedures as required.
    as_of : date, optional
        The day of evaluation; an uncorrected application is ``pending`` until its deadline has
        passed on ``as_of`` (``None``: no judgement yet, ``pending``).
    calendar : WorkingCalendar, optional
    applicant : str, optional

    Returns
    -------
    VettingOutcome

    Examples
    --------
    >>> import datetime
    >>> from zcsim.law import load_rules
    >>> v = materials_vetting(load_rules(), notices=1, notice_date=datetime.date(2025, 9, 26),
    ...                       corrected_on=datetime.date(2025, 10, 15))
    >>> v.status, v.deadline
    ('accepted', datetime.date(2025, 10, 16))
    """
    if notices < 0:
        raise InputError(f"notices = {notices} is negative; expected a count ≥ 0", location="notices")
    if notices > 0 and notice_date is None:
        raise InputError(f"{notices} notice(s) sent but no notice_date given", location="notice_date")
    if corrected_on is not None and notice_date is not None and corrected_on < notice_date:
        raise InputError(f"corrected_on {corrected_on} is before notice_date {notice_date}",
                         location="corrected_on")
    limit = rules.correction_notices
    ok = notices <= limit
    rel = "≤" if ok else ">"
    single = SINGLE_NOTICE.finding(
        ok, f"{notices} correction notice(s) {rel} {limit} allowed (correction_notices, Art. 18)"
            + ("" if ok else ": the notice must list everything to correct at once"),
        applicant=applicant)
    findings = [single]
    deadline: datetime.date | None = None
    status: VettingStatus = "accepted"
    if notices > 0:
        assert notice_date is not None
        n = rules.correction_deadline_working_days
        deadline = _cal(calendar).add_working_days(notice_date + datetime.timedelta(days=1), n)
        rule_txt = (f"deadline {deadline} = {n} working days after the notice of {notice_date} "
                    "(correction_deadline_working_days, Art. 18)")
        if corrected_on is not None and corrected_on <= deadline:
            status, ok, detail = "accepted", True, f"corrected {corrected_on}, by the {rule_txt}"
        elif corrected_on is not None:
            status, ok, detail = "withdrawn", False, (f"corrected {corrected_on}, after the {rule_txt}: "
                                                      "deemed withdrawn")
        elif as_of is not None and as_of > deadline:
            status, ok, detail = "withdrawn", False, (f"not corrected by {as_of}, past the {rule_txt}: "
                                                      "deemed withdrawn")
        else:
            when = f"on {as_of}" if as_of is not None else "yet"
            status, ok, detail = "pending", True, f"not corrected {when}; {rule_txt}"
        findings.append(DEEMED_WITHDRAWN.finding(ok, detail, applicant=applicant))
    if not procedures_completed:
        status = "withdrawn"
        findings.append(DEEMED_WITHDRAWN.finding(
            False, "application procedures not completed as required: deemed withdrawn (Art. 18)",
            applicant=applicant))
    return VettingOutcome(status, tuple(findings), deadline)


# --- committee scope (Art. 7, 9) -------------------------------------------------------------


def committee_may_review(committee_series: str, committee_level: str, applicant_series: str,
                         applicant_level: str, rules: RuleSet, *, applicant: str | None = None
                         ) -> list[Finding]:
    """Whether a committee may review an applicant: series (Art. 7) and level (Art. 9).

    ``committee.series``: with ``no_cross_series_committees`` the committee reviews its own series
    only. ``committee.level``: the same level always; a lower level of its series only if
    ``higher_committee_reviews_lower``; a higher level never.

    Examples
    --------
    >>> from zcsim.law import load_rules
    >>> [f.ok for f in committee_may_review("engineering", "senior", "engineering", "junior",
    ...                                     load_rules())]
    [True, True]
    >>> committee_may_review("engineering", "intermediate", "engineering", "senior", load_rules())[1].detail
    'intermediate committee, senior applicant: a committee never reviews a higher level (Art. 9)'
    """
    cl = _level(committee_level, "committee_level")
    al = _level(applicant_level, "applicant_level")
    same = committee_series == applicant_series
    flag = f"no_cross_series_committees={_flag(rules.no_cross_series_committees)}"
    if same:
        series = COMMITTEE_SERIES.finding(True, f"{committee_series} committee, {applicant_series} "
                                                f"applicant: same series (Art. 7)", applicant=applicant)
    else:
        ok = not rules.no_cross_series_committees
        series = COMMITTEE_SERIES.finding(
            ok, f"{committee_series} committee, {applicant_series} applicant: another series; {flag} "
                "(Art. 7)", applicant=applicant)
    head = f"{committee_level} committee, {applicant_level} applicant"
    if cl == al:
        level = COMMITTEE_LEVEL.finding(True, f"{head}: same level (Art. 9)", applicant=applicant)
    elif cl > al:
        ok = rules.higher_committee_reviews_lower
        level = COMMITTEE_LEVEL.finding(
            ok, f"{head}: a higher committee reviewing a lower level; higher_committee_reviews_lower="
                f"{_flag(ok)} (Art. 9)", applicant=applicant)
    else:
        level = COMMITTEE_LEVEL.finding(False, f"{head}: a committee never reviews a higher level (Art. 9)",
                                        applicant=applicant)
    return [series, level]


# --- acceptance (Art. 24) --------------------------------------------------------------------


def acceptance(committee_series: str, committee_level: str, applicant_series: str, applicant_level: str,
               rules: RuleSet, *, procedure: Iterable[Finding] = (), post_quota: int | None = None,
               quota_used: int = 0, applicant: str | None = None) -> list[Finding]:
    """The Bureau's acceptance check of one result (Art. 24).

    - ``acceptance.scope``: the committee may review this applicant's series and level
      (:func:`committee_may_review`);
    - ``acceptance.procedure``: every procedure finding of the review (eligibility, vetting,
      publicity, meeting, vote …) is ok; the detail counts those that are not and names them;
    - ``entrustment.recognised`` (Art. 42, only when the procedure holds an entrustment finding):
      a review of an applicant not entrusted as Art. 17 requires is not recognised;
    - ``acceptance.post_quota`` (only when ``post_quota`` is given — public institutions'
      post quotas, 事业单位职称职数): ``quota_used`` ≤ ``post_quota``.

    Parameters
    ----------
    committee_series, committee_level, applicant_series, applicant_level : str
    rules : RuleSet
    procedure : iterable of Finding
        The findings of the review's procedure for this applicant.
    post_quota : int, optional
        The employer's post quota at the applied level; ``None`` for employers without one.
    quota_used : int, default 0
        Passes counted against that quota, this one included.
    applicant : str, optional

    Examples
    --------
    >>> from zcsim.law import load_rules
    >>> bad = Finding("meeting.quorum", 22, False, "16 present < 17 required")
    >>> f = acceptance("engineering", "senior", "engineering", "senior", load_rules(), procedure=[bad],
    ...                post_quota=3, quota_used=3)
    >>> [(x.rule, x.ok) for x in f]
    [('acceptance.scope', True), ('acceptance.procedure', False), ('acceptance.post_quota', True)]
    >>> f[1].detail
    '1 of 1 procedure finding(s) not ok: meeting.quorum (Art. 22) (Art. 24)'
    """
    scope = committee_may_review(committee_series, committee_level, applicant_series, applicant_level,
                                 rules, applicant=applicant)
    bad_scope = [f for f in scope if not f.ok]
    if bad_scope:
        detail = "outside the committee's scope: " + "; ".join(f"{f.rule}: {f.detail}" for f in bad_scope)
    else:
        detail = (f"{applicant_level} {applicant_series} within the scope of the {committee_level} "
                  f"{committee_series} committee (committee.series, committee.level ok)")
    out = [ACCEPTANCE_SCOPE.finding(not bad_scope, f"{detail} (Art. 24)", applicant=applicant)]

    steps = list(procedure)
    bad = [f for f in steps if not f.ok]
    if bad:
        named = ", ".join(f"{f.rule} ({f.citation})" for f in bad)
        detail = f"{len(bad)} of {len(steps)} procedure finding(s) not ok: {named} (Art. 24)"
    elif steps:
        detail = f"all {len(steps)} procedure finding(s) ok (Art. 24)"
    else:
        detail = "no procedure finding given: nothing to object to (Art. 24)"
    out.append(ACCEPTANCE_PROCEDURE.finding(not bad, detail, applicant=applicant))
    out += entrustment_recognised(steps, applicant=applicant)

    if post_quota is not None:
        if post_quota < 0 or quota_used < 0:
            raise InputError(f"post_quota = {post_quota}, quota_used = {quota_used}; expected counts ≥ 0",
                             location="post_quota")
        ok = quota_used <= post_quota
        rel = "≤" if ok else ">"
        out.append(POST_QUOTA.finding(
            ok, f"{quota_used} pass(es) against the post quota {rel} {post_quota} posts (Art. 24)",
            applicant=applicant))
    return out


# --- appeal (Art. 26) ------------------------------------------------------------------------


def appeal(rules: RuleSet, *, requester: str, result_of: str, evidence: bool, answered: bool
           ) -> list[Finding]:
    """An applicant's request for re-examination of a result, and the agency's answer (Art. 26).

    - ``appeal.standing``: the request is made by the applicant about the applicant's own result
      (由本人提出 … 涉及本人的评审结果);
    - ``appeal.evidence``: it comes with evidence (举证材料);
    - ``appeal.answered``: the agency answered the applicant (答复申报人). Evaluated for every
      request received, admissible or not (an inadmissible one is answered with a refusal).

    ``rules`` is taken for uniformity with the other steps; Art. 26 sets no number.

    Examples
    --------
    >>> from zcsim.law import load_rules
    >>> [(f.rule, f.ok) for f in appeal(load_rules(), requester="A-7", result_of="A-7",
    ...                                 evidence=True, answered=False)]
    [('appeal.standing', True), ('appeal.evidence', True), ('appeal.answered', False)]
    """
    a = result_of
    if requester == result_of:
        standing = APPEAL_STANDING.finding(True, f"requested by {requester} about their own result (Art. 26)",
                                           applicant=a)
    else:
        standing = APPEAL_STANDING.finding(
            False, f"requested by {requester} about the result of {result_of}: only the applicant may "
                   "request re-examination of their own result (Art. 26)", applicant=a)
    ev = APPEAL_EVIDENCE.finding(evidence, "evidence provided (Art. 26)" if evidence else
                                 "no evidence provided: the request needs evidence (Art. 26)", applicant=a)
    ans = APPEAL_ANSWERED.finding(answered, "the agency answered the applicant (Art. 26)" if answered else
                                  "the agency has not answered the applicant (Art. 26)", applicant=a)
    return [standing, ev, ans]
