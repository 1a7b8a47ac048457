"""Which articles of the Measures zcsim encodes, part by part: parameters, checks, commands and
named legal cases, and what of each article is still missing.

Each article is split into its parts (:data:`PARTS`, written from the Chinese text): a part is
encoded (by named checks, parameters or commands), missing (a program could check it; zcsim does
not yet), or not checkable (a principle or an organisational duty). An article is ``full`` when
every checkable part is encoded, ``partial`` when some are, ``not encoded`` when none is, and
``nothing to encode`` when it has no checkable part.

The legal cases are data (``zcsim/cases/*.yaml``, one named case per line of law, in the manner
of OpenFisca's YAML tests); the test suite runs every one of them.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from zcsim.law import RuleSet
from zcsim.procedure import CHECKS

__all__ = ["LegalCase", "load_cases", "coverage_table", "ArticleCoverage", "PARTS", "Part", "STATUSES"]

ARTICLES = range(1, 46)

# --------------------------------------------------------------------------------------------
# What each article requires, part by part, and what encodes each part.
#
# To update: when a check, parameter or command comes to encode a part, move the part from M(...)
# to E(..., "check.id" | "parameter_key" | "zcsim <command or module> …"). Every check of the
# engine must be named by a part of its article (tests/test_coverage_truth.py fails otherwise),
# and every name given must exist.
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Part:
    """One requirement of an article, and how zcsim encodes it (``by``), or why not.

    ``kind`` is ``encoded`` (``by`` names the checks, parameters or commands), ``missing``
    (checkable, not yet encoded) or ``not checkable`` (a principle or an organisational duty
    no record or simulation can show).
    """

    text: str
    kind: str
    by: tuple[str, ...] = ()


def E(text: str, *by: str) -> Part:
    """An encoded part."""
    return Part(text, "encoded", by)


def M(text: str) -> Part:
    """A part that a program could check and zcsim does not yet."""
    return Part(text, "missing")


def X(text: str) -> Part:
    """A part no record, simulation or proof can show."""
    return Part(text, "not checkable")


PARTS: dict[int, tuple[Part, ...]] = {
    1: (X("purpose and legal basis (Order No. 40, 京办发〔2018〕4号)"),),
    2: (X("definition of title review and of the use of its results"),),
    3: (E("staff with an employment relationship with a Beijing employer", "eligibility.scope"),
        E("self-employed professionals working in Beijing ≥ 1 year (在本市工作1年以上)", "eligibility.scope",
          "freelancer_min_years_in_beijing")),
    4: (X("the Bureau manages; agencies authorised and filed by the Bureau run reviews (organisation; the filing "
          "itself: Art. 11)"),),
    5: (X("evaluation principle 德才兼备、以德为先"),),
    6: (M("classified evaluation standards per series and specialty (分类评价标准) are not modelled"),
        M("an employer's own standard not lower than the municipal one (单位标准不得低于本市标准)")),
    7: (E("an agency forms a committee and an expert pool", "zcsim.meeting/1 committee", "zcsim pool check"),
        E("committee experts drawn at random from the pool (随机抽取): the draw", "zcsim draw"),
        M("a meeting record does not say how its experts were drawn, so an audit cannot check the random draw"),
        M("pool experts hold a title of the corresponding level (具有相应等级职称): not checked on a committee's "
          "members (the draw only picks eligible experts)"),
        E("committees per series or specialty, no cross-series committee", "committee.series",
          "no_cross_series_committees"),
        M("in principle one committee per city-wide series or specialty (原则上…只组建一个评委会)")),
    8: (M("agency conditions: independent legal person, fixed premises, equipment (第一项)"),
        M("dedicated full-time staff (第二项)"),
        X("able to take on the Bureau's reform and research tasks (第三项)")),
    9: (E("senior, intermediate and junior committees; a higher one may review lower levels of its series",
          "committee.level", "higher_committee_reviews_lower"),
        X("experts of major influence in the field (第一项): a judgement, not in any record"),
        E("an odd number of experts", "committee.size_parity", "committee_size_odd"),
        E("one chair, 1 to 3 vice-chairs", "committee.chair", "committee.vice_chairs"),
        E("generally ≥ 25 by series, ≥ 11 by specialty", "committee.min_size", "committee_min_size_series",
          "committee_min_size_specialty"),
        E("a size adjusted with the Bureau's filing: the filed size", "committee.filed_size", "size_adjustment_filed"),
        E("no expert listed twice; a maximum where a rule set has one", "committee.members_unique",
          "committee.max_size")),
    10: (E("random draw (随机抽取)", "zcsim draw"),
         E("the pool holds a certain share of grassroots, central-unit, non-public and young experts",
           "pool.min_share", "committee.min_share"),
         E("exit from the pool (退出机制): removed experts are not drawn", "pool.removed_not_drawn"),
         M("the Bureau's review and filing of each expert (审核、备案) is not recorded"),
         X("public call, tiered use, strict oversight; the agencies' daily management of experts"),
         X("agencies actively recruit experts of universities, research institutes, associations, firms")),
    11: (E("the filing of agency, committee and pool is valid ≤ 3 years when the meeting is held",
           "filing.valid", "filing_validity_years"),
         M("re-filing after a major change within the validity (出现重大变化应重新核准备案)"),
         M("what the filing states (specialties, levels, scope, the pool's expert list, quantitative standards, "
           "procedure) is not recorded, so a committee drawn from outside the filed expert list is not found")),
    12: (E("each series reviews generally once a year", "case.sequence.application", "reviews_per_year"),
         E("the Bureau's annual plan and the application window drive the simulated year", "zcsim simulate"),
         M("the agency publishes conditions, procedure, method, acceptance time and place and materials: not "
           "recorded, and an application outside the published window is not found")),
    13: (X("law-abiding, professional ethics"),
         M("meets the series' and level's application conditions (申报条件): the conditions are not modelled (Art. 6)"),
         E("in service; retired staff may not apply", "eligibility.in_service", "retired_may_apply"),
         E("public-institution staff under a demerit or heavier sanction, or a practice restriction, may not apply "
           "during it", "eligibility.sanction", "sanctioned_may_apply", "sanction_bar_scope")),
    14: (E("truthful materials: false materials modelled in the simulator (fraud rate) and handled under Art. 41",
           "zcsim simulate", "case.revoked"),
         M("materials submitted within the time limit, objective, accurate and complete"),
         M("classified material declassified before use (涉密材料…脱密处理)")),
    15: (E("unit publicity ≥ 5 working days", "publicity.unit", "unit_publicity_working_days"),
         E("recommendation only after a publicity without objection", "publicity.no_objection",
           "case.sequence.unit_publicity"),
         M("the employer's vetting of materials and performance, and its recommendation opinion (推荐意见) for the "
           "vote, are not recorded"),
         M("self-employed applicants vetted, publicised and recommended by an association: not modelled")),
    16: (E("level by level (逐级申报)", "eligibility.level_by_level", "level_by_level"),
         E("exceptional applications on the grounds the article lists", "eligibility.exceptional",
           "exceptional_applications", "exceptional_may_skip_level")),
    17: (E("inbound entrustment: the employer's consent and the competent HR authority's entrustment letter",
           "eligibility.entrustment", "case.sequence.entrustment"),
         E("outbound entrustment: the Bureau's confirmation and letter, and a filed committee",
           "eligibility.outbound_entrustment"),
         M("entrustment only for a series or specialty with no committee that can be formed (第一款)")),
    18: (E("one single notice listing every correction", "vetting.single_notice", "correction_notices"),
         E("not corrected in time: deemed withdrawn", "vetting.deemed_withdrawn", "case.withdrawn",
           "correction_deadline_working_days"),
         E("the agency vets a recommended application", "case.sequence.vetting"),
         M("the agency's own time limit for vetting (在规定时限内) is not checked")),
    19: (X("fairness, impartiality; experts and staff keep discipline"),
         M("experts sign a confidentiality agreement with the agency (签署工作保密协议): not recorded")),
    20: (E("panels under the committee, each ≥ 3 experts of the committee", "panel.min_size",
           "panel.experts_from_committee", "panel_min_size", "panel_experts_from_committee", "case.sequence.panel"),
         E("panels that a conflict-free assignment exists for (proof)", "zcsim verify --pool"),
         M("experts drawn at the Bureau's request from the pool, and the list filed with the Bureau (报…备案): not "
           "recorded"),
         M("a self-appointing employer picks experts from its filed appointment-committee list: not modelled")),
    21: (E("a written panel opinion for each applicant", "panel.opinion"),
         E("the panel opinion informs the vote (simulated)", "zcsim simulate")),
    22: (E("presided by the chair or a vice-chair", "meeting.presiding", "presiding_roles"),
         E("experts present ≥ 2/3 of the committee", "meeting.quorum", "quorum_ratio", "quorum_inclusive"),
         E("only the committee's experts are present, each once", "meeting.present_member",
           "meeting.present_not_multiple", "meeting.quorum_after_recusal", "case.sequence.meeting")),
    23: (E("yes votes ≥ 2/3 of the experts present", "vote.threshold", "pass_ratio", "threshold_basis"),
         E("no proxy or supplementary votes; no multiple rounds", "vote.absent_voter", "vote.rounds",
           "vote.non_member", "case.sequence.vote"),
         E("the result announced is the tally's", "vote.declared_result"),
         E("every expert present signs the minutes", "minutes.signed", "minutes_signed_by_all_present")),
    24: (E("the acceptance check: scope, procedure, post quotas", "acceptance.scope", "acceptance.procedure",
           "acceptance.post_quota", "case.sequence.acceptance"),
         M("results reported to the Bureau promptly (及时报送): no time limit is checked")),
    25: (E("result publicity ≥ 5 working days", "publicity.result", "result_publicity_working_days"),
         E("complaints re-examined; a verified problem changes the result; confirmation", "publicity.confirmation",
           "case.sequence.result_publicity"),
         M("the Bureau informs the entrusting unit of an entrusted applicant's result (向其委托单位反馈): not "
           "recorded")),
    26: (E("re-examination on the applicant's own request, with evidence, answered", "appeal.standing",
           "appeal.evidence", "appeal.answered", "case.sequence.appeal"),),
    27: (E("the record holds date, experts present, applicants, remarks, review situation, panel opinions, votes",
           "record.complete"),
         E("traceable: a sealed record is unchanged", "record.integrity", "record.rules"),
         M("the whole meeting recorded (全程记录), not only its results: a record cannot show what it leaves out"),
         M("the minutes archived long-term by the Bureau (归档长期保存): not modelled")),
    28: (E("expert lists not made public: every report and verify.json beside it names experts by keyed "
           "pseudonyms (HMAC-SHA256, a per-report secret or the agency's key)", "zcsim report"),
         M("meeting materials not made public, closed meetings, no leak, no private receipt of materials: not "
           "recorded")),
    29: (E("recusal for a relationship that may affect impartiality", "recusal.not_recorded", "recusal.voted",
           "recusal.panel", "recusal_relations"),
         E("conflicts found from relation tables", "zcsim conflicts")),
    30: (X("information system, data standards, electronic certificates, online services"),),
    31: (X("appointment, assessment and demotion after the title: outside the review procedure"),),
    32: (E("Beijing–Tianjin–Hebei mutual recognition", "eligibility.recognised_title", "recognised_title_regions"),),
    33: (E("a title earned outside Beijing counts after transfer", "eligibility.transferred_title"),),
    34: (E("a title of another series counts unless the series forbids it", "eligibility.cross_series_title"),),
    35: (E("a professional qualification mapped to a title counts as that title", "eligibility.qualification"),),
    36: (M("inspection of the whole process, and the duty to provide materials: planned as a simulation "
           "probability"),),
    37: (M("inspection methods and look-back checks: planned as a simulation probability"),),
    38: (X("joint action against fraud and fake certificates"),),
    39: (X("fees by the approved standard"),),
    40: (E("results of an unfiled committee, or one whose filing expired, are not recognised", "filing.valid"),
         E("results beyond the committee's review scope are not recognised", "acceptance.scope"),
         M("sanctions on the agency (stop and rectify, loss of review authority): not modelled")),
    41: (E("fraud: the application disqualified and blacklisted; a title obtained revoked", "case.revoked"),
         E("the blacklist bars a new application for blacklist_years (an interpretation option)",
           "eligibility.blacklist")),
    42: (E("a review that should have been entrusted and was not is not recognised", "entrustment.recognised"),
         X("criticism and remedy for the employer's staff")),
    43: (X("criticism, remedy, loss of review authority for an agency that fails to vet or to report"),),
    44: (E("an expert removed from the pool (评审专家资格 cancelled) is not drawn", "pool.removed_not_drawn"),
         X("criticism, integrity record and criminal liability")),
    45: (E("in force from 2020-08-01: a meeting before is not under this rule set", "record.in_force"),),
}
"""Article by article: its parts and what encodes each (the table to update)."""

STATUSES = ("full", "partial", "not encoded", "nothing to encode")
"""What ``ArticleCoverage.status`` may be."""


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
    """What encodes one article, and what of it is missing."""

    article: int
    parameters: tuple[str, ...]
    checks: tuple[str, ...]
    cases: tuple[str, ...]
    status: str
    encoded: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    not_checkable: tuple[str, ...] = ()
    checks_without_case: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"article": self.article, "status": self.status, "encoded": list(self.encoded),
                "missing": list(self.missing), "not_checkable": list(self.not_checkable),
                "parameters": list(self.parameters), "checks": list(self.checks), "cases": list(self.cases),
                "checks_without_case": list(self.checks_without_case)}


def _status(parts: tuple[Part, ...]) -> str:
    kinds = {p.kind for p in parts}
    if "encoded" in kinds:
        return "partial" if "missing" in kinds else "full"
    return "not encoded" if "missing" in kinds else "nothing to encode"


def _load_checks() -> None:
    """Import every module that registers checks (the procedure engine and the audit)."""
    import zcsim.procedure

    for mod in pkgutil.iter_modules(zcsim.procedure.__path__):
        importlib.import_module(f"zcsim.procedure.{mod.name}")
    import zcsim.records.audit  # noqa: F401


def coverage_table(rules: RuleSet | None = None) -> list[ArticleCoverage]:
    """Article by article (1–45): what encodes each part, what is missing, and a status.

    Examples
    --------
    >>> rows = {r.article: r for r in coverage_table()}
    >>> rows[16].status, rows[7].status
    ('full', 'partial')
    >>> rows[7].missing[0]
    'a meeting record does not say how its experts were drawn, so an audit cannot check the random draw'
    """
    rules = rules or RuleSet()
    _load_checks()
    cases = load_cases()
    rows = []
    for art in ARTICLES:
        parts = PARTS.get(art, (M("not yet described"),))
        params = tuple(p.key for p in rules if p.citation.article == art)
        checks = tuple(sorted(c.id for c in CHECKS.values() if c.article == art))
        named = tuple(c.name for c in cases if c.article == art)
        cased = {c.check for c in cases}
        rows.append(ArticleCoverage(
            art, params, checks, named, _status(parts),
            encoded=tuple(f"{p.text} ({', '.join(p.by)})" for p in parts if p.kind == "encoded"),
            missing=tuple(p.text for p in parts if p.kind == "missing"),
            not_checkable=tuple(p.text for p in parts if p.kind == "not checkable"),
            checks_without_case=tuple(c for c in checks if c not in cased)))
    return rows
