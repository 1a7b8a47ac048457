"""The RuleSet: one frozen object holding every number, ratio and option of a review procedure."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from zcsim.errors import RuleSetError
from zcsim.law._params import (
    BEIJING_2020,
    BEIJING_2020_IN_FORCE,
    LEVELS,
    MAX_COMMITTEE_SIZE,
    MAX_COUNT,
    MAX_WORKING_DAYS,
    MAX_YEARS,
    RELATION_TYPES,
    Citation,
    ParamSpec,
    param,
)

__all__ = ["RuleSet", "ParamInfo"]


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """One parameter of a rule set, its value and its citation (what ``zcsim rules`` prints)."""

    key: str
    value: Any
    citation: Citation
    doc: str
    interpretation: bool
    expected: str
    allowed: str = ""
    """The accepted values in a few words (``1–1,000``, ``true/false``), from the parameter's bounds."""

    @property
    def display(self) -> str:
        """The value as a user would write it in a rule file."""
        return format_value(self.value)


def format_value(value: Any) -> str:
    """Render a parameter value the way a rule file would spell it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, tuple):
        return ",".join(value) if value else "(none)"
    return str(value)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A review procedure as data: every number, ratio and interpretation option, with citations.

    The field defaults are the 2020 Beijing Measures (``beijing-2020``). Other rule sets and rule
    changes are this object with some fields replaced (see :func:`zcsim.load_rules`); numbers never
    appear as literals in procedure code. Ratios are exact :class:`fractions.Fraction` values.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> rules = load_rules("beijing-2020")
    >>> rules.pass_ratio, rules.committee_min_size_series
    (Fraction(2, 3), 25)
    >>> load_rules("beijing-2020", ["threshold_basis=members"]).threshold_basis
    'members'
    """

    name: str = "beijing-2020"
    base: str | None = None
    description: str = "2020 Beijing Interim Measures for the Management of Professional Title Review"
    instrument: str = BEIJING_2020
    in_force: str | None = BEIJING_2020_IN_FORCE
    """The instrument's in-force date: ``YYYY-MM-DD``, or ``YYYY`` / ``YYYY-MM`` when only the year
    or month is known; ``None`` when unknown (see :meth:`in_force_bounds`)."""
    in_force_citation: Citation = Citation(45, "本办法自2020年8月1日起施行")

    # --- Chapter 1 -----------------------------------------------------------------------------
    freelancer_min_years_in_beijing: int = param(
        1, "int", 3, "在本市工作1年以上自由职业专业技术人才",
        "Self-employed professionals must have worked in Beijing at least this many years.",
        minimum=0, maximum=MAX_YEARS)
    territorial_scope: bool = param(
        True, "bool", 3, "本市各类用人单位…专业技术人才 (第三条); 中央在京单位、外省市等所属专业技术人才委托本市职称评审的 (第十七条)",
        "Whether the review covers only staff of the instrument's own territory's employers and its "
        "self-employed, others being reviewed by entrustment (Art. 3, 17: eligibility.scope, "
        "eligibility.entrustment, entrustment.recognised). A rule set of a national instrument has no "
        "such territory: false applies none of these checks.")

    # --- Chapter 2: committees ---------------------------------------------------------------
    no_cross_series_committees: bool = param(
        True, "bool", 7, "不得组建跨系列综合性评委会",
        "A committee reviews only applicants of its own series (no cross-series committees).")
    committee_size_odd: bool = param(
        True, "bool", 9, "评委会评审专家的数量应为单数",
        "The number of experts on a committee must be odd.")
    chairs: int = param(
        1, "int", 9, "一般设主任委员1人", "Number of chairs a committee has.", minimum=1, maximum=MAX_COMMITTEE_SIZE)
    vice_chairs_min: int = param(
        1, "int", 9, "副主任委员1至3人", "Fewest vice-chairs a committee has.",
        minimum=0, maximum=MAX_COMMITTEE_SIZE)
    vice_chairs_max: int = param(
        3, "int", 9, "副主任委员1至3人", "Most vice-chairs a committee has.", minimum=0, maximum=MAX_COMMITTEE_SIZE)
    committee_min_size_series: int = param(
        25, "int", 9, "按系列组建的评委会评审专家一般不少于25人",
        "Minimum committee size when the committee is formed by series.",
        minimum=1, maximum=MAX_COMMITTEE_SIZE)
    committee_min_size_specialty: int = param(
        11, "int", 9, "按专业组建的评委会评审专家一般不少于11人",
        "Minimum committee size when the committee is formed by specialty.",
        minimum=1, maximum=MAX_COMMITTEE_SIZE)
    committee_min_size_levels: tuple[str, ...] = param(
        LEVELS, "levels", 9, "评委会分为高级、中级、初级评委会 … 一般不少于25人 / 11人",
        "Committee levels to which the minimum sizes apply (national-2019: senior only).")
    committee_max_size: int | None = param(
        None, "optional_int", None, "(no maximum in the 2020 Measures)",
        "Largest committee allowed; none means no maximum (2003-style practice: 15).",
        minimum=1, maximum=MAX_COMMITTEE_SIZE, not_in_instrument=True)
    committee_max_size_binding: bool = param(
        True, "bool", None, "(no maximum in the 2020 Measures)",
        "Whether committee_max_size binds. The 2003-style text says committees 'generally' (一般) "
        "have 7–15 members: true (default) reads 一般 as the 2020 Measures read their 一般不少于 "
        "(the rule unless a filed size adjustment lifts it: size_adjustment_filed lifts the maximum "
        "as it lifts the minimum); false reads it as guidance (a larger committee is reported, "
        "not a violation). No effect when committee_max_size is none.",
        interpretation=True, not_in_instrument=True)
    size_adjustment_filed: bool = param(
        False, "bool", 9, "经市人力资源社会保障局备案，评委会评审专家人数可根据实际情况适当调整",
        "Default for committees whose record does not say: whether the Bureau has accepted a "
        "filing that adjusts the committee size ('generally', 一般). A filing lifts the minimum "
        "sizes only where its filed size is known (a record's committee.filed_size): the committee "
        "is then checked against that size (filed_size_binding); a filing without a recorded size "
        "is a finding of its own (committee.filed_size) and lifts nothing. Parity always applies. "
        "(Drawing and simulation, which fix the size themselves, treat true as 'the drawn size is "
        "the filed one'.)",
        interpretation=True)
    filed_size_binding: str = param(
        "exact", "choice", 9, "经市人力资源社会保障局备案，评委会评审专家人数可根据实际情况适当调整",
        "How a committee is checked against the size filed with the Bureau. 'exact' (default): the "
        "filing adjusts the number of experts (评审专家人数) to the filed number, so the committee has "
        "exactly that many; 'minimum': the filed number replaces the 25 / 11 minimum (一般不少于) and "
        "the committee may be larger. Under both an even filed size is never lawful (应为单数).",
        interpretation=True, choices=("exact", "minimum"))
    higher_committee_reviews_lower: bool = param(
        True, "bool", 9, "同一评审机构高一级评委会可以代评同系列（专业）低级别的职称",
        "A committee may review applicants of a lower level of its own series.")
    pool_min_share_grassroots: Fraction = param(
        Fraction(0), "fraction", 10, "专家库中基层一线专家…应有一定比例",
        "Minimum share of grassroots front-line experts in a pool or draw ('a certain share': "
        "no number in the text; 0 = unconstrained).",
        interpretation=True, minimum=Fraction(0), maximum=Fraction(1))
    pool_min_share_central: Fraction = param(
        Fraction(0), "fraction", 10, "专家库中…中央单位专家…应有一定比例",
        "Minimum share of experts from central units ('a certain share'; 0 = unconstrained).",
        interpretation=True, minimum=Fraction(0), maximum=Fraction(1))
    pool_min_share_non_public: Fraction = param(
        Fraction(0), "fraction", 10, "专家库中…非公领域专家…应有一定比例",
        "Minimum share of experts from the non-public sector ('a certain share'; 0 = "
        "unconstrained).",
        interpretation=True, minimum=Fraction(0), maximum=Fraction(1))
    pool_min_share_young: Fraction = param(
        Fraction(0), "fraction", 10, "专家库中…青年专家应有一定比例",
        "Minimum share of young experts ('a certain share'; 0 = unconstrained).",
        interpretation=True, minimum=Fraction(0), maximum=Fraction(1))
    min_share_scope: str = param(
        "pool", "choice", 10, "专家库中基层一线专家、中央单位专家、非公领域专家、青年专家应有一定比例",
        "What the pool_min_share_* minimums bind. The sentence's subject is the pool (专家库中): "
        "'pool' (default, literal) checks the pool's composition (zcsim pool check) and draws each "
        "committee uniformly at random from the eligible experts, with no quota; 'committee' also "
        "requires ⌈share × size⌉ experts of each category in every drawn committee (a quota draw, a "
        "stricter practice some agencies follow). The pool is reported under both.",
        interpretation=True, choices=("pool", "committee"))
    filing_validity_years: int = param(
        3, "int", 11, "备案有效期不得超过3年",
        "Longest validity of the filing of an agency, committee and pool, in years.",
        minimum=1, maximum=MAX_YEARS)

    # --- Chapter 3: application and vetting -----------------------------------------------------
    reviews_per_year: int = param(
        1, "int", 12, "各系列职称评审一般每年开展一次",
        "Reviews per series per year ('generally once').", interpretation=True, minimum=1, maximum=MAX_COUNT)
    retired_may_apply: bool = param(
        False, "bool", 13, "离退休人员不得申报参加职称评审", "Whether retired staff may apply.")
    sanctioned_may_apply: bool = param(
        False, "bool", 13, "受到行政记过及以上处分…在受处分或处罚期间不得申报",
        "Whether public-institution staff may apply during a demerit-or-heavier sanction or a "
        "practice restriction.")
    sanction_bar_scope: str = param(
        "public_institution", "choice", 13,
        "事业单位工作人员受到行政记过及以上处分、违反行业法律法规受到从业限制等处罚的，在受处分或处罚期间不得申报",
        "Whom the sanction bar of Art. 13 covers. The sentence's subject is public-institution staff "
        "(事业单位工作人员): 'public_institution' (default, literal) bars only them; 'all' applies "
        "the bar, in particular a practice restriction, to every applicant.",
        interpretation=True, choices=("public_institution", "all"))
    sanction_bar_practice_restriction: bool = param(
        True, "bool", 13, "违反行业法律法规受到从业限制等处罚的，在受处分或处罚期间不得申报参加职称评审",
        "Whether a practice restriction (从业限制) bars an application while it runs, beside a "
        "demerit-or-heavier sanction. Beijing (Art. 13) names both; Order 40's bar is 受到记过以上处分 "
        "only (national-2019: false, a practice restriction alone does not bar). Whom the bar covers "
        "is sanction_bar_scope.")
    unit_publicity_working_days: int = param(
        5, "int", 15, "在单位内部进行公示，公示期不少于5个工作日",
        "Minimum unit publicity period before recommendation, in working days.",
        minimum=1, maximum=MAX_WORKING_DAYS)
    publicity_start_day_counts: bool = param(
        True, "bool", 15, "公示期不少于5个工作日 (read with Civil Code Art. 201)",
        "Whether the first day of a publicity period (the posting day, as the notice states it) "
        "counts toward the working days of Art. 15 and Art. 25. Default true: a notice 'from "
        "Monday to Friday' is 5 working days, as publicity notices are written. False applies Civil "
        "Code Art. 201 (开始的当日不计入): counting starts the day after posting.",
        interpretation=True)
    level_by_level: bool = param(
        True, "bool", 16, "申报人一般应按照职称层级逐级申报职称评审",
        "Applicants apply for the next level up only, unless the application is exceptional.")
    exceptional_applications: bool = param(
        True, "bool", 16, "可放宽学历、资历等条件限制…破格申报职称评审",
        "Whether exceptional applications (waiving education and seniority) are allowed.")
    exceptional_may_skip_level: bool = param(
        False, "bool", 16, "可放宽学历、资历等条件限制，按照相关规定破格申报职称评审",
        "Whether an exceptional application may also skip a level. Art. 16 relaxes education and "
        "seniority (学历、资历) for exceptional applicants but does not say they may skip the "
        "level-by-level order (逐级); default false (literal). True lets an exceptional applicant with "
        "a valid ground apply two levels up.",
        interpretation=True)
    major_contribution_direct_senior: bool = param(
        False, "bool", 16, "申报人一般应按照职称层级逐级申报职称评审…可放宽学历、资历等条件限制，按照相关规定破格申报职称评审",
        "Whether a professional who made a major contribution (exceptional ground major_contribution) "
        "may apply directly for a senior title, whatever title they hold. Beijing 2020: no — Art. 16 "
        "relaxes education and seniority for them (破格), not the level order; Order No. 40: yes "
        "(作出重大贡献的专业技术人才，可以直接申报高级职称评审).")
    correction_notices: int = param(
        1, "int", 18, "一次性告知申报人需要补正的全部内容",
        "Number of correction notices an agency may send (a single notice listing everything).",
        minimum=1, maximum=MAX_COUNT)
    correction_deadline_working_days: int = param(
        10, "int", 18, "在规定期限内…逾期未补正…视为放弃申报",
        "Working days an applicant has to correct materials after the notice. The text fixes no "
        "number ('规定期限'); 10 is zcsim's assumption, set it to the agency's own deadline.",
        interpretation=True, minimum=1, maximum=MAX_WORKING_DAYS)

    # --- Chapter 4: review --------------------------------------------------------------------
    panel_experts_from_committee: bool = param(
        True, "bool", 20, "在评委会下设置若干评议组",
        "Whether panel experts must be members of the committee the panels are set up under. "
        "The article sets panels 'under the committee' but also draws panel experts from the pool "
        "at the Bureau's request; default true (panels are formed of committee experts).",
        interpretation=True)
    panel_min_size: int = param(
        3, "int", 20, "每个评议组评审专家不少于3人", "Minimum number of experts on a panel.",
        minimum=1, maximum=MAX_COMMITTEE_SIZE)
    quorum_ratio: Fraction = param(
        Fraction(2, 3), "fraction", 22, "出席评审会议的评审专家人数应当不少于评委会人数的三分之二",
        "Share of the committee that must be present for a meeting to be valid.",
        minimum=Fraction(0), maximum=Fraction(1))
    quorum_inclusive: bool = param(
        True, "bool", 22, "不少于",
        "Whether presence of exactly quorum_ratio × size suffices ('不少于' = at least).")
    presiding_roles: tuple[str, ...] = param(
        ("chair", "vice_chair"), "roles", 22, "评审会议由评委会主任委员或者副主任委员主持",
        "Roles that may preside over a meeting.")
    present_not_multiple_of: int | None = param(
        None, "optional_int", None, "(not in the 2020 Measures; some provincial rules: 出席人数不得为3的倍数)",
        "If set, the number of experts present must not be a multiple of this number (so a vote "
        "can never land exactly on the threshold). Not a rule of the 2020 Measures.",
        minimum=2, maximum=MAX_COMMITTEE_SIZE, not_in_instrument=True)
    pass_ratio: Fraction = param(
        Fraction(2, 3), "fraction", 23, "获同意票数达到出席评审会议的评审专家总数三分之二以上",
        "Share of the threshold basis that yes votes must reach for an applicant to pass.",
        minimum=Fraction(0), maximum=Fraction(1))
    threshold_inclusive: bool = param(
        True, "bool", 23, "以上 (Civil Code Art. 1259: 以上…包括本数)",
        "Whether reaching exactly pass_ratio passes. '以上' includes the number itself, so the "
        "2020 Measures pass 12 of 18; the 2003-style rule ('不含三分之二') does not.",
        interpretation=True)
    threshold_basis: str = param(
        "present", "choice", 23, "出席评审会议的评审专家总数",
        "What the pass ratio is taken of: 'present' (experts present at the meeting, 2020) or "
        "'members' (all committee members, 2003-style).",
        interpretation=True, choices=("present", "members"))
    recusal_denominator: str = param(
        "present", "choice", 23, "出席评审会议的评审专家总数 (read with Art. 29 回避)",
        "Whether an expert recused for one applicant stays in that applicant's basis as a "
        "non-yes ('present', the literal reading, default) or is dropped from it ('eligible').",
        interpretation=True, choices=("present", "eligible"))
    quorum_after_recusal: bool = param(
        False, "bool", 22, "出席评审会议的评审专家人数应当不少于评委会人数的三分之二 (read with Art. 29)",
        "Whether the quorum must also hold among the experts eligible to vote on each applicant "
        "(default false: the quorum is about the meeting).",
        interpretation=True)
    voting_rounds: int = param(
        1, "int", 23, "严禁多轮投票", "Number of voting rounds allowed per applicant.",
        minimum=1, maximum=MAX_COUNT)
    proxy_votes_allowed: bool = param(
        False, "bool", 23, "未出席评审会议的专家不得委托他人投票或者补充投票",
        "Whether experts not present may vote by proxy or supplementary vote.")
    minutes_signed_by_all_present: bool = param(
        True, "bool", 23, "出席评审会议的全体评审专家在会议纪要上签字确认评审结果",
        "Whether every expert present must sign the minutes.")
    result_publicity_working_days: int = param(
        5, "int", 25, "对通过验收的职称评审结果进行公示，公示期不少于5个工作日",
        "Minimum result publicity period, in working days.", minimum=1, maximum=MAX_WORKING_DAYS)
    recusal_relations: tuple[str, ...] = param(
        RELATION_TYPES, "relations", 29, "与评审工作有利害关系或者其他关系可能影响客观公正的，应申请回避",
        "Relationship types that require recusal. The article enumerates none; the default "
        "follows common practice (kin, same employer, supervisor/student, co-authors, project "
        "partners, recommender, other interest).",
        interpretation=True)

    # --- Chapters 5 and 7 ---------------------------------------------------------------------
    recognised_title_regions: tuple[str, ...] = param(
        ("beijing", "tianjin", "hebei"), "regions", 32, "实行京津冀职称评审结果互认",
        "Regions whose titles count as Beijing titles for the next level.")
    blacklist_years: int = param(
        3, "int", 41, "记入职称评审诚信档案库，纳入全国信用信息共享平台，记录期限为3年",
        "Years a fraud stays on record (the integrity-archive term the article states). Whether the "
        "record also bars a new application is blacklist_reading.", minimum=0, maximum=MAX_YEARS)
    blacklist_reading: str = param(
        "record", "choice", 41, "取消其申报资格，记入职称评审\u201c黑名单\u201d",
        "What being recorded for fraud does to a later application. The article cancels the "
        "application in which the fraud occurred (取消其申报资格), enters it on the blacklist and "
        "keeps the record 3 years (记录期限为3年); it names no bar on applying again. 'record' "
        "(default, the letter): the fraud is recorded for blacklist_years and reported, but does "
        "not by itself bar a new application. 'bar': a recorded applicant may not apply until "
        "blacklist_years have passed (a reading borrowed from practice, not the text).",
        interpretation=True, choices=("record", "bar"))

    # --- per-instrument citations that differ from the Beijing 2020 ones -----------------------
    citation_overrides: Mapping[str, Citation] = dataclasses.field(
        default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------------------------------------
    @classmethod
    def specs(cls) -> dict[str, ParamSpec]:
        """Every parameter's static description, keyed by parameter name."""
        return _SPECS

    def __iter__(self) -> Iterator[ParamInfo]:
        for key, spec in _SPECS.items():
            yield ParamInfo(
                key=key,
                value=getattr(self, key),
                citation=self.citation(key),
                doc=spec.doc,
                interpretation=spec.interpretation,
                expected=spec.expected,
                allowed=spec.allowed,
            )

    def citation(self, key: str) -> Citation:
        """The citation of parameter ``key`` under this rule set's instrument."""
        return self.citation_overrides.get(key, _SPECS[key].citation)

    def values(self) -> dict[str, Any]:
        """Parameter values keyed by name (no metadata)."""
        return {key: getattr(self, key) for key in _SPECS}

    def fingerprint(self) -> str:
        """A short SHA-256 of the parameter values: two rule sets with equal values share it."""
        canon = {k: format_value(v) for k, v in self.values().items()}
        blob = json.dumps(canon, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def diff(self, other: RuleSet) -> list[tuple[str, Any, Any]]:
        """Parameters whose values differ, as ``(key, self_value, other_value)``."""
        return [
            (k, getattr(self, k), getattr(other, k))
            for k in _SPECS
            if getattr(self, k) != getattr(other, k)
        ]

    def min_committee_size(self, *, by_specialty: bool, level: str, size_adjustment_filed: bool = False) -> int | None:
        """The minimum committee size that applies (Art. 9), or ``None`` if none applies.

        Examples
        --------
        >>> RuleSet().min_committee_size(by_specialty=False, level="senior")
        25
        >>> RuleSet().min_committee_size(by_specialty=True, level="junior", size_adjustment_filed=True) is None
        True
        """
        if size_adjustment_filed or self.size_adjustment_filed:
            return None
        if level not in self.committee_min_size_levels:
            return None
        return self.committee_min_size_specialty if by_specialty else self.committee_min_size_series

    def in_force_bounds(self) -> tuple[datetime.date, datetime.date] | None:
        """The earliest and the latest day the instrument may have come into force.

        Equal for a full date; a year-only date (``2003``) spans that year. ``None`` when the
        rule set states no date.

        Examples
        --------
        >>> RuleSet().in_force_bounds()
        (datetime.date(2020, 8, 1), datetime.date(2020, 8, 1))
        >>> RuleSet(in_force="2003").in_force_bounds()
        (datetime.date(2003, 1, 1), datetime.date(2003, 12, 31))
        """
        return None if self.in_force is None else parse_in_force(self.in_force)

    def validate(self) -> RuleSet:
        """Check cross-parameter consistency; raise :class:`RuleSetError` naming the keys."""
        problems: list[str] = []
        if self.vice_chairs_min > self.vice_chairs_max:
            problems.append(
                f"vice_chairs_min = {self.vice_chairs_min} exceeds vice_chairs_max = "
                f"{self.vice_chairs_max} (Art. 9)")
        if self.committee_max_size is not None:
            lo = min(self.committee_min_size_series, self.committee_min_size_specialty)
            if self.committee_max_size < lo:
                problems.append(
                    f"committee_max_size = {self.committee_max_size} is below the minimum size "
                    f"{lo} (Art. 9)")
        if self.pass_ratio == 1 and not self.threshold_inclusive:
            problems.append("pass_ratio = 1 with threshold_inclusive = false can never pass (Art. 23)")
        if self.quorum_ratio == 1 and not self.quorum_inclusive:
            problems.append("quorum_ratio = 1 with quorum_inclusive = false can never be met (Art. 22)")
        # pool shares are not summed: categories overlap (a young grassroots expert counts twice)
        if problems:
            raise RuleSetError("; ".join(problems), source=f"rule set {self.name}")
        return self


_SPECS: dict[str, ParamSpec] = {
    f.name: ParamSpec(key=f.name, **f.metadata["spec"])
    for f in dataclasses.fields(RuleSet)
    if "spec" in f.metadata
}

# keep the static kinds honest
for _s in _SPECS.values():
    assert _s.kind in {"int", "bool", "fraction", "choice", "levels", "relations", "regions",
                       "roles", "optional_int"}, _s
del _s


def parse_in_force(text: str) -> tuple[datetime.date, datetime.date]:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as (earliest, latest) day; ``ValueError`` otherwise.

    Examples
    --------
    >>> parse_in_force("2019-09")
    (datetime.date(2019, 9, 1), datetime.date(2019, 9, 30))
    """
    parts = text.split("-")
    if (not 1 <= len(parts) <= 3 or not all(p.isascii() and p.isdigit() for p in parts)
            or len(parts[0]) != 4 or any(len(p) != 2 for p in parts[1:])):
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD, YYYY-MM or YYYY")
    y = int(parts[0])
    if len(parts) == 3:
        d = datetime.date(y, int(parts[1]), int(parts[2]))
        return d, d
    if len(parts) == 2:
        m = int(parts[1])
        first = datetime.date(y, m, 1)
        last = datetime.date(y, 12, 31) if m == 12 else datetime.date(y, m + 1, 1) - datetime.timedelta(days=1)
        return first, last
    return datetime.date(y, 1, 1), datetime.date(y, 12, 31)
