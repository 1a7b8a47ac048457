"""Legal cases for the application side of the Measures (Art. 3, 7, 9, 13, 15, 16, 18, 24–26,
32–35, 41), as data tables: one named case per line of law (OpenFisca style).

Working days come from the real :mod:`zcsim.calendar` (chinesecalendar data). Known days used:
2025-10-01..08 are the National Day / Mid-Autumn holiday, Sunday 2025-09-28 and Saturday
2025-10-11 are adjusted working days (调休), Monday 2024-06-10 is the Dragon Boat Festival.

Blacklist boundary (Art. 41, "记录期限为3年"): a record period of N years counts from the day after
the blacklisting (Civil Code Art. 201: 开始的当日不计入) and its last day is the anniversary
(Art. 202: 到期月的对应日为期间的最后一日). So an applicant blacklisted exactly 3 years before
``on`` is still recorded that day, and one blacklisted 3 years + 1 day before is free.
"""

from __future__ import annotations

import ast
import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from zcsim.calendar import WorkingCalendar, default_calendar
from zcsim.errors import InputError
from zcsim.law import RuleSet, load_rules
from zcsim.procedure._finding import CHECKS, Finding
from zcsim.procedure.application import (
    Applicant,
    Title,
    VettingOutcome,
    acceptance,
    appeal,
    committee_may_review,
    counting_titles,
    eligibility,
    eligible,
    materials_vetting,
    result_publicity,
    unit_publicity,
)

D = datetime.date
ON = D(2025, 3, 1)
BAR = ("blacklist_reading=bar",)  # Art. 41 names no bar on applying again: the bar is this reading
MODULE = Path(__file__).resolve().parents[1] / "src" / "zcsim" / "procedure" / "application.py"


def rules_with(*overrides: str) -> RuleSet:
    return load_rules(overrides=list(overrides)) if overrides else load_rules()


def person(**kw: Any) -> Applicant:
    """An applicant employed by a Beijing non-public employer, applying for a junior engineering title."""
    base: dict[str, Any] = dict(id="A", series="engineering", level_applied="junior",
                                employer_kind="non_public")
    base.update(kw)
    return Applicant(**base)


def tj(level: str, **kw: Any) -> Title:
    return Title(level, kw.pop("series", "engineering"), kw.pop("region", "tianjin"), **kw)


def bj(level: str, **kw: Any) -> Title:
    return Title(level, kw.pop("series", "engineering"), "beijing", **kw)


def other(level: str, via: str = "review") -> Title:
    """A title issued outside Beijing–Tianjin–Hebei (e.g. Shanghai)."""
    return Title(level, "engineering", "other", via)


def failing(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings if not f.ok}


def assert_well_formed(findings: list[Finding], applicant: str | None = None) -> None:
    """Every finding is a registered check, cites that check's article, and says something."""
    assert findings
    for f in findings:
        assert f.rule in CHECKS, f.rule
        assert f.article == CHECKS[f.rule].article, f
        assert f.detail.strip(), f
        assert "Art. " in f.detail, f.detail
        if applicant is not None:
            assert f.applicant == applicant, f


# =============================================================================================
# Eligibility: Art. 3, 13, 16, 32–35, 41
# =============================================================================================


class Elig(NamedTuple):
    applicant: Applicant
    fails: set[str]  # exactly the checks that must fail (empty = eligible)
    overrides: tuple[str, ...] = ()
    on: datetime.date = ON


ELIGIBILITY = [
    # --- Art. 3 scope
    pytest.param(Elig(person(), set()), id="art3-beijing-employer"),
    pytest.param(Elig(person(employer_kind="public_institution"), set()), id="art3-public-institution"),
    pytest.param(Elig(person(employer_in_beijing=False), {"eligibility.entrustment"}),
                 id="art17-employer-outside-beijing-not-entrusted"),
    pytest.param(Elig(person(employer_kind="self_employed", years_working_in_beijing=1), set()),
                 id="art3-self-employed-exactly-1-year"),
    pytest.param(Elig(person(employer_kind="self_employed", years_working_in_beijing=0),
                      {"eligibility.scope"}), id="art3-self-employed-0-years"),
    pytest.param(Elig(person(employer_kind="self_employed", years_working_in_beijing=0.5),
                      {"eligibility.scope"}), id="art3-self-employed-half-year"),
    pytest.param(Elig(person(employer_kind="self_employed", years_working_in_beijing=1),
                      {"eligibility.scope"}, ("freelancer_min_years_in_beijing=2",)),
                 id="art3-self-employed-1-year-when-2-required"),
    # --- Art. 13 in service
    pytest.param(Elig(person(retired=True), {"eligibility.in_service"}), id="art13-retired"),
    pytest.param(Elig(person(retired=True), set(), ("retired_may_apply=true",)),
                 id="art13-retired-allowed-by-option"),
    # --- Art. 13 sanction (public-institution staff; sanction_until is the last day, inclusive)
    pytest.param(Elig(person(employer_kind="public_institution", sanction_until=D(2025, 2, 28)), set()),
                 id="art13-sanction-ended-day-before"),
    pytest.param(Elig(person(employer_kind="public_institution", sanction_until=ON),
                      {"eligibility.sanction"}), id="art13-sanction-last-day-is-on"),
    pytest.param(Elig(person(employer_kind="public_institution", sanction_until=D(2025, 12, 31)),
                      {"eligibility.sanction"}), id="art13-sanction-ends-after"),
    pytest.param(Elig(person(employer_kind="public_institution", sanction_kind="practice_restriction",
                             sanction_until=D(2025, 12, 31)), {"eligibility.sanction"}),
                 id="art13-practice-restriction-running"),
    pytest.param(Elig(person(employer_kind="public_institution", sanction_from=D(2025, 6, 1),
                             sanction_until=D(2025, 12, 31)), set()), id="art13-sanction-not-yet-begun"),
    pytest.param(Elig(person(employer_kind="public_institution", sanction_until=D(2025, 12, 31)), set(),
                      ("sanctioned_may_apply=true",)), id="art13-sanction-allowed-by-option"),
    pytest.param(Elig(person(employer_kind="non_public", sanction_until=D(2025, 12, 31)), set()),
                 id="art13-sanction-bars-public-institution-staff-only"),
    pytest.param(Elig(person(employer_kind="non_public", sanction_kind="practice_restriction",
                             sanction_until=D(2025, 12, 31)), {"eligibility.sanction"},
                      ("sanction_bar_scope=all",)),
                 id="art13-sanction-bars-everyone-when-scope-all"),
    # --- Art. 16 level by level
    pytest.param(Elig(person(level_applied="junior"), set()), id="art16-junior-first-without-title"),
    pytest.param(Elig(person(level_applied="intermediate", titles=(bj("junior"),)), set()),
                 id="art16-junior-to-intermediate"),
    pytest.param(Elig(person(level_applied="senior", titles=(bj("intermediate"),)), set()),
                 id="art16-intermediate-to-senior"),
    pytest.param(Elig(person(level_applied="intermediate"), {"eligibility.level_by_level"}),
                 id="art16-intermediate-without-title"),
    pytest.param(Elig(person(level_applied="senior", titles=(bj("junior"),)), {"eligibility.level_by_level"}),
                 id="art16-junior-to-senior-skips-intermediate"),
    pytest.param(Elig(person(level_applied="senior", titles=(bj("junior"),),
                             exceptional_grounds=("major_breakthrough",)), {"eligibility.level_by_level"}),
                 id="art16-skip-exceptional-literal-reading-keeps-level-order"),
    pytest.param(Elig(person(level_applied="senior", titles=(bj("junior"),),
                             exceptional_grounds=("major_breakthrough",)), set(),
                      ("exceptional_may_skip_level=true",)),
                 id="art16-skip-exceptional-valid-ground-when-skip-allowed"),
    pytest.param(Elig(person(level_applied="senior", titles=(bj("junior"),),
                             exceptional_grounds=("hard_or_remote_service", "seniority")), set(),
                      ("exceptional_may_skip_level=true",)),
                 id="art16-skip-exceptional-one-valid-ground-suffices"),
    pytest.param(Elig(person(level_applied="senior", titles=(bj("junior"),),
                             exceptional_grounds=("seniority",)),
                      {"eligibility.level_by_level", "eligibility.exceptional"}),
                 id="art16-skip-exceptional-invalid-ground"),
    pytest.param(Elig(person(level_applied="senior", titles=(bj("junior"),),
                             exceptional_grounds=("major_contribution",)),
                      {"eligibility.level_by_level", "eligibility.exceptional"},
                      ("exceptional_applications=false",)),
                 id="art16-skip-exceptional-not-allowed"),
    pytest.param(Elig(person(level_applied="intermediate", titles=(bj("junior"),),
                             exceptional_grounds=("overseas_or_urgent_talent",)),
                      {"eligibility.exceptional"}, ("exceptional_applications=false",)),
                 id="art16-next-level-exceptional-not-allowed"),
    pytest.param(Elig(person(level_applied="senior", titles=(bj("junior"),)), set(),
                      ("level_by_level=false",)),
                 id="art16-skip-allowed-when-level-by-level-off"),
    pytest.param(Elig(person(level_applied="intermediate", titles=(bj("intermediate"),)),
                      {"eligibility.level_by_level"}), id="art16-same-level-as-held"),
    pytest.param(Elig(person(level_applied="intermediate", titles=(bj("senior"),),
                             exceptional_grounds=("major_contribution",)),
                      {"eligibility.level_by_level"}), id="art16-lower-than-held-even-exceptional"),
    pytest.param(Elig(person(level_applied="senior", titles=(bj("senior"),)),
                      {"eligibility.level_by_level"}, ("level_by_level=false",)),
                 id="art16-same-level-fails-even-when-level-by-level-off"),
    # --- Art. 32–35 which titles count
    pytest.param(Elig(person(level_applied="senior", titles=(tj("intermediate"),)), set()),
                 id="art32-tianjin-title-counts"),
    pytest.param(Elig(person(level_applied="senior", titles=(tj("intermediate", region="hebei"),)), set()),
                 id="art32-hebei-title-counts"),
    pytest.param(Elig(person(level_applied="senior", titles=(tj("intermediate"),)),
                      {"eligibility.recognised_title", "eligibility.level_by_level"},
                      ("recognised_title_regions=beijing",)),
                 id="art32-tianjin-title-not-recognised-by-option"),
    pytest.param(Elig(person(level_applied="senior", titles=(other("intermediate"),)),
                      {"eligibility.recognised_title", "eligibility.level_by_level"}),
                 id="art33-shanghai-title-before-transfer"),
    pytest.param(Elig(person(level_applied="senior", titles=(other("intermediate", "transfer"),)),
                      set()), id="art33-shanghai-title-after-transfer"),
    pytest.param(Elig(person(level_applied="senior", employer_kind="self_employed",
                             years_working_in_beijing=2,
                             titles=(other("intermediate", "transfer"),)),
                      {"eligibility.transferred_title", "eligibility.level_by_level"}),
                 id="art33-self-employed-has-no-beijing-employer-to-transfer-to"),
    pytest.param(Elig(person(level_applied="intermediate",
                             titles=(bj("junior"), other("intermediate"))),
                      set()), id="art33-uncounted-higher-title-ignored-when-not-needed"),
    pytest.param(Elig(person(level_applied="senior", titles=(bj("intermediate", series="economics"),)),
                      set()),
                 id="art34-other-series-title-counts"),
    pytest.param(Elig(person(level_applied="senior", series_forbids_cross_series_titles=True,
                             titles=(bj("intermediate", series="economics"),)),
                      {"eligibility.cross_series_title", "eligibility.level_by_level"}),
                 id="art34-series-forbids-other-series-title"),
    pytest.param(Elig(person(level_applied="senior", titles=(other("intermediate", "qualification"),)),
                      set()), id="art35-qualification-counts"),
    # --- Art. 41 blacklist (anniversary inclusive, see module docstring)
    pytest.param(Elig(person(blacklisted_on=D(2023, 3, 1)), {"eligibility.blacklist"}, BAR),
                 id="art41-blacklisted-2-years-ago"),
    pytest.param(Elig(person(blacklisted_on=D(2022, 3, 1)), {"eligibility.blacklist"}, BAR),
                 id="art41-blacklisted-exactly-3-years-ago-last-day"),
    pytest.param(Elig(person(blacklisted_on=D(2022, 2, 28)), set()),
                 id="art41-blacklisted-3-years-1-day-ago"),
    pytest.param(Elig(person(blacklisted_on=D(2022, 2, 28)), {"eligibility.blacklist"},
                      ("blacklist_years=5", *BAR)),
                 id="art41-blacklist-years-5"),
    pytest.param(Elig(person(blacklisted_on=D(2025, 6, 1)), set()), id="art41-blacklisted-after-on"),
    pytest.param(Elig(person(blacklisted_on=D(2020, 2, 29)), {"eligibility.blacklist"}, BAR, on=D(2023, 2, 28)),
                 id="art41-leap-day-anniversary-is-28-feb"),
    pytest.param(Elig(person(blacklisted_on=D(2020, 2, 29)), set(), on=D(2023, 3, 1)),
                 id="art41-leap-day-record-ended"),
    # --- several at once
    pytest.param(Elig(person(retired=True, blacklisted_on=D(2024, 1, 1), level_applied="senior"),
                      {"eligibility.in_service", "eligibility.blacklist", "eligibility.level_by_level"}, BAR),
                 id="several-failures-all-reported"),
]


@pytest.mark.parametrize("case", ELIGIBILITY)
def test_eligibility(case: Elig) -> None:
    rules = rules_with(*case.overrides)
    findings = eligibility(case.applicant, rules, on=case.on)
    assert failing(findings) == case.fails, [f.detail for f in findings if not f.ok]
    assert eligible(case.applicant, rules, on=case.on) is (not case.fails)
    assert_well_formed(findings, case.applicant.id)
    # one finding per check at most, except title checks (one per title reported)
    single = [f.rule for f in findings if f.rule.split(".")[1] not in
              ("recognised_title", "transferred_title", "cross_series_title", "qualification")]
    assert len(single) == len(set(single))


def test_eligibility_always_evaluates_the_core_checks() -> None:
    rules = load_rules()
    rules_seen = [f.rule for f in eligibility(person(), rules, on=ON)]
    assert rules_seen == ["eligibility.scope", "eligibility.in_service", "eligibility.sanction",
                          "eligibility.blacklist", "eligibility.level_by_level"]


@pytest.mark.parametrize(
    ("applicant", "rule", "phrases"),
    [
        pytest.param(person(employer_kind="self_employed", years_working_in_beijing=0), "eligibility.scope",
                     ("0 year(s)", "< 1 required", "freelancer_min_years_in_beijing", "Art. 3"), id="scope"),
        pytest.param(person(retired=True), "eligibility.in_service", ("retired_may_apply=false", "Art. 13"),
                     id="retired"),
        pytest.param(person(employer_kind="public_institution", sanction_until=D(2025, 12, 31)),
                     "eligibility.sanction", ("2025-12-31", "2025-03-01", "sanctioned_may_apply=false"),
                     id="sanction"),
        pytest.param(person(blacklisted_on=D(2022, 3, 1)), "eligibility.blacklist",
                     ("2022-03-01", "2025-03-01 inclusive", "blacklist_years=3", "Art. 41"), id="blacklist"),
        pytest.param(person(level_applied="senior", titles=(bj("junior"),)), "eligibility.level_by_level",
                     ("skips 1 level(s) (intermediate)", "level_by_level=true"), id="skip"),
        pytest.param(person(level_applied="senior", titles=(other("intermediate"),)),
                     "eligibility.recognised_title",
                     ("other ∉ recognised_title_regions (beijing,tianjin,hebei", "Art. 33"),
                     id="title-elsewhere"),
    ],
)
def test_failing_details_show_numbers_and_parameters(applicant: Applicant, rule: str,
                                                     phrases: tuple[str, ...]) -> None:
    bad = [f for f in eligibility(applicant, load_rules("beijing-2020", list(BAR)), on=ON) if f.rule == rule]
    assert len(bad) == 1 and not bad[0].ok
    for phrase in phrases:
        assert phrase in bad[0].detail, (phrase, bad[0].detail)


def test_exceptional_skip_reports_both_findings_ok() -> None:
    a = person(level_applied="senior", titles=(bj("junior"),), exceptional_grounds=("major_contribution",))
    found = {f.rule: f for f in eligibility(a, load_rules(overrides=["exceptional_may_skip_level=true"]), on=ON)}
    assert found["eligibility.level_by_level"].ok
    assert "exceptional application on major_contribution" in found["eligibility.level_by_level"].detail
    assert found["eligibility.exceptional"].ok


def test_title_findings_cite_their_own_article() -> None:
    cases = {
        "eligibility.recognised_title": (tj("intermediate"), 32),
        "eligibility.transferred_title": (other("intermediate", "transfer"), 33),
        "eligibility.qualification": (other("intermediate", "qualification"), 35),
    }
    for rule, (title, article) in cases.items():
        found = [f for f in eligibility(person(level_applied="senior", titles=(title,)), load_rules(), on=ON)
                 if f.rule == rule]
        assert len(found) == 1 and found[0].ok and found[0].article == article, (rule, found)
    a = person(level_applied="senior", titles=(bj("intermediate", series="law"),))
    cross = [f for f in eligibility(a, load_rules(), on=ON) if f.rule == "eligibility.cross_series_title"]
    assert len(cross) == 1 and cross[0].article == 34 and cross[0].ok


def test_counting_titles() -> None:
    a = person(level_applied="senior", titles=(other("intermediate"), bj("junior"),
                                               other("intermediate", "transfer")))
    assert [t.via for t in counting_titles(a, load_rules())] == ["review", "transfer"]
    assert counting_titles(a, load_rules())[0].region == "beijing"


@pytest.mark.parametrize(
    ("build", "location"),
    [
        pytest.param(lambda: person(level_applied="seniour"), "level_applied", id="level"),
        pytest.param(lambda: person(employer_kind="private"), "employer_kind", id="employer-kind"),
        pytest.param(lambda: Title("senior", "engineering", "shanghai"), "title.region", id="region"),
        pytest.param(lambda: Title("senior", "engineering", via="inheritance"), "title.via", id="via"),
        pytest.param(lambda: person(years_working_in_beijing=-1), "years_working_in_beijing", id="years"),
    ],
)
def test_bad_inputs_raise_input_error(build: Any, location: str) -> None:
    with pytest.raises(InputError) as err:
        build()
    assert location in str(err.value)
    assert isinstance(err.value, ValueError)


def test_did_you_mean() -> None:
    with pytest.raises(InputError, match="did you mean 'senior'"):
        person(level_applied="seniour")


def test_applicant_is_frozen_and_normalises_lists() -> None:
    a = person(titles=[bj("junior")], exceptional_grounds=["major_contribution"])
    assert isinstance(a.titles, tuple) and isinstance(a.exceptional_grounds, tuple)
    hash(a)
    with pytest.raises(AttributeError):
        a.retired = True  # type: ignore[misc]


# =============================================================================================
# Publicity: Art. 15 (unit) and Art. 25 (result)
# =============================================================================================


class Pub(NamedTuple):
    start: datetime.date
    end: datetime.date
    ok: bool
    working_days: int
    overrides: tuple[str, ...] = ()


PUBLICITY_PERIODS = [
    pytest.param(Pub(D(2025, 6, 9), D(2025, 6, 13), True, 5), id="ordinary-week-5"),
    pytest.param(Pub(D(2025, 6, 9), D(2025, 6, 12), False, 4), id="ordinary-4"),
    pytest.param(Pub(D(2025, 9, 29), D(2025, 10, 11), True, 5), id="national-day-exactly-5-incl-sat-10-11"),
    pytest.param(Pub(D(2025, 9, 29), D(2025, 10, 10), False, 4), id="national-day-4"),
    pytest.param(Pub(D(2025, 9, 28), D(2025, 10, 9), False, 4), id="national-day-from-working-sunday-4"),
    pytest.param(Pub(D(2025, 9, 28), D(2025, 10, 10), True, 5), id="national-day-from-working-sunday-5"),
    pytest.param(Pub(D(2025, 10, 1), D(2025, 10, 8), False, 0), id="inside-holiday-0"),
    pytest.param(Pub(D(2024, 6, 10), D(2024, 6, 14), False, 4), id="dragon-boat-monday-off"),
    pytest.param(Pub(D(2025, 6, 13), D(2025, 6, 9), False, 0), id="end-before-start"),
    pytest.param(Pub(D(2025, 6, 9), D(2025, 6, 12), True, 4, ("unit_publicity_working_days=4",
                                                              "result_publicity_working_days=4")),
                 id="4-days-when-rule-is-4"),
    pytest.param(Pub(D(2025, 6, 9), D(2025, 6, 13), False, 5, ("unit_publicity_working_days=7",
                                                               "result_publicity_working_days=7")),
                 id="5-days-when-rule-is-7"),
]


@pytest.mark.parametrize("case", PUBLICITY_PERIODS)
def test_unit_publicity_period(case: Pub) -> None:
    rules = rules_with(*case.overrides)
    findings = unit_publicity(case.start, case.end, rules, applicant="A")
    period = findings[0]
    assert period.rule == "publicity.unit" and period.article == 15
    assert period.ok is case.ok
    need = rules.unit_publicity_working_days
    assert period.detail.startswith(f"{case.working_days} working days")
    assert f"{need} required (unit_publicity_working_days, Art. 15)" in period.detail
    assert_well_formed(findings, "A")


@pytest.mark.parametrize("case", PUBLICITY_PERIODS)
def test_result_publicity_period(case: Pub) -> None:
    rules = rules_with(*case.overrides)
    findings = result_publicity(case.start, case.end, rules, applicant="A")
    period, confirmation = findings
    assert period.rule == "publicity.result" and period.article == 25
    assert period.ok is case.ok
    assert period.detail.startswith(f"{case.working_days} working days")
    assert "result_publicity_working_days, Art. 25" in period.detail
    assert confirmation.ok is case.ok  # an incomplete publicity cannot be confirmed
    assert_well_formed(findings, "A")


@pytest.mark.parametrize(
    ("objection", "fails"),
    [
        pytest.param(False, set(), id="no-objection-recommended"),
        pytest.param(True, {"publicity.no_objection"}, id="objection-not-recommended"),
    ],
)
def test_unit_publicity_objection(objection: bool, fails: set[str]) -> None:
    findings = unit_publicity(D(2025, 9, 29), D(2025, 10, 11), load_rules(), objection=objection)
    assert failing(findings) == fails
    assert all(f.article == 15 for f in findings)


@pytest.mark.parametrize(
    ("complaints", "verified", "fails", "phrase"),
    [
        pytest.param(0, False, set(), "no objection: the Bureau confirms", id="no-complaint-confirmed"),
        pytest.param(2, False, set(), "2 complaint(s) re-examined, no problem verified",
                     id="complaints-cleared"),
        pytest.param(2, True, {"publicity.confirmation"}, "problem verified: the result is changed",
                     id="complaint-verified-result-changed"),
        pytest.param(0, True, {"publicity.confirmation"}, "problem verified", id="problem-found-otherwise"),
    ],
)
def test_result_publicity_complaints(complaints: int, verified: bool, fails: set[str], phrase: str) -> None:
    findings = result_publicity(D(2025, 9, 29), D(2025, 10, 11), load_rules(), complaints=complaints,
                                verified_problem=verified, applicant="A")
    assert failing(findings) == fails
    assert phrase in findings[1].detail
    assert_well_formed(findings, "A")


def test_publicity_uses_the_calendar_passed() -> None:
    # a calendar where Friday 2025-10-10 is declared off: the 5-day period becomes 4
    cal = WorkingCalendar({D(2025, 10, 10): False})
    assert unit_publicity(D(2025, 9, 29), D(2025, 10, 11), load_rules())[0].ok
    assert not unit_publicity(D(2025, 9, 29), D(2025, 10, 11), load_rules(), calendar=cal)[0].ok
    assert not result_publicity(D(2025, 9, 29), D(2025, 10, 11), load_rules(), calendar=cal)[0].ok


# =============================================================================================
# Vetting: Art. 18
# =============================================================================================

NOTICE = D(2025, 9, 26)  # a Friday; 10 working days after it end on 2025-10-16 (holiday in between)


class Vet(NamedTuple):
    kwargs: dict[str, Any]
    status: str
    fails: set[str]
    overrides: tuple[str, ...] = ()


VETTING = [
    pytest.param(Vet({}, "accepted", set()), id="complete-no-notice"),
    pytest.param(Vet(dict(notices=1, notice_date=NOTICE, corrected_on=D(2025, 10, 16)), "accepted", set()),
                 id="corrected-on-deadline-day"),
    pytest.param(Vet(dict(notices=1, notice_date=NOTICE, corrected_on=D(2025, 9, 30)), "accepted", set()),
                 id="corrected-early"),
    pytest.param(Vet(dict(notices=1, notice_date=NOTICE, corrected_on=D(2025, 10, 17)), "withdrawn",
                     {"vetting.deemed_withdrawn"}), id="corrected-after-deadline-withdrawn"),
    pytest.param(Vet(dict(notices=2, notice_date=NOTICE, corrected_on=D(2025, 10, 1)), "accepted",
                     {"vetting.single_notice"}), id="second-notice-flagged"),
    pytest.param(Vet(dict(notices=2, notice_date=NOTICE, corrected_on=D(2025, 10, 1)), "accepted", set(),
                     ("correction_notices=2",)), id="second-notice-allowed-by-option"),
    pytest.param(Vet(dict(notices=1, notice_date=NOTICE, as_of=D(2025, 10, 16)), "pending", set()),
                 id="uncorrected-deadline-not-passed"),
    pytest.param(Vet(dict(notices=1, notice_date=NOTICE), "pending", set()), id="uncorrected-no-as-of"),
    pytest.param(Vet(dict(notices=1, notice_date=NOTICE, as_of=D(2025, 10, 17)), "withdrawn",
                     {"vetting.deemed_withdrawn"}), id="uncorrected-deadline-passed"),
    pytest.param(Vet(dict(procedures_completed=False), "withdrawn", {"vetting.deemed_withdrawn"}),
                 id="procedures-not-completed"),
    pytest.param(Vet(dict(notices=1, notice_date=NOTICE, corrected_on=D(2025, 10, 11)), "withdrawn",
                     {"vetting.deemed_withdrawn"}, ("correction_deadline_working_days=5",)),
                 id="5-day-deadline-ends-friday-10-10"),
]


@pytest.mark.parametrize("case", VETTING)
def test_materials_vetting(case: Vet) -> None:
    out = materials_vetting(rules_with(*case.overrides), applicant="A", **case.kwargs)
    assert isinstance(out, VettingOutcome)
    assert out.status == case.status
    assert failing(list(out.findings)) == case.fails
    assert out.ok is (not case.fails)
    assert_well_formed(list(out.findings), "A")
    assert all(f.article == 18 for f in out.findings)


def test_vetting_deadline_counts_working_days_after_the_notice() -> None:
    out = materials_vetting(load_rules(), notices=1, notice_date=NOTICE, corrected_on=D(2025, 10, 17))
    # 9-28 (adjusted Sunday), 9-29, 9-30, 10-09, 10-10, 10-11 (adjusted Saturday), 10-13 … 10-16
    assert out.deadline == D(2025, 10, 16)
    assert default_calendar().working_days_between(NOTICE + datetime.timedelta(days=1), out.deadline) == 10
    bad = [f for f in out.findings if not f.ok][0]
    assert "2025-10-16" in bad.detail and "correction_deadline_working_days" in bad.detail
    assert "deemed withdrawn" in bad.detail


def test_second_notice_detail() -> None:
    out = materials_vetting(load_rules(), notices=2, notice_date=NOTICE, corrected_on=NOTICE)
    f = out.findings[0]
    assert f.rule == "vetting.single_notice" and not f.ok
    assert "2 correction notice(s) > 1 allowed (correction_notices, Art. 18)" in f.detail


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param(dict(notices=1), id="notice-without-date"),
        pytest.param(dict(notices=-1), id="negative-notices"),
        pytest.param(dict(notices=1, notice_date=NOTICE, corrected_on=D(2025, 9, 1)),
                     id="corrected-before-notice"),
    ],
)
def test_vetting_bad_inputs(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        materials_vetting(load_rules(), **kwargs)


# =============================================================================================
# Committee scope: Art. 7 (series) and Art. 9 (level)
# =============================================================================================

E = "engineering"

COMMITTEE = [
    pytest.param((E, "senior", E, "senior"), (), set(), id="same-series-same-level"),
    pytest.param((E, "senior", E, "junior"), (), set(), id="art9-higher-reviews-lower"),
    pytest.param((E, "intermediate", E, "junior"), (), set(),
                 id="art9-intermediate-reviews-junior"),
    pytest.param((E, "senior", E, "junior"), ("higher_committee_reviews_lower=false",),
                 {"committee.level"}, id="art9-higher-reviews-lower-off"),
    pytest.param((E, "intermediate", E, "senior"), (), {"committee.level"},
                 id="art9-lower-reviews-higher-never"),
    pytest.param((E, "intermediate", E, "senior"), ("higher_committee_reviews_lower=true",),
                 {"committee.level"}, id="art9-lower-reviews-higher-never-even-with-option"),
    pytest.param((E, "senior", "economics", "senior"), (), {"committee.series"},
                 id="art7-cross-series"),
    pytest.param((E, "senior", "economics", "senior"), ("no_cross_series_committees=false",), set(),
                 id="art7-cross-series-allowed-by-option"),
    pytest.param((E, "junior", "economics", "senior"), (), {"committee.series", "committee.level"},
                 id="both-wrong"),
]


@pytest.mark.parametrize(("args", "overrides", "fails"), COMMITTEE)
def test_committee_may_review(args: tuple[str, str, str, str], overrides: tuple[str, ...],
                              fails: set[str]) -> None:
    findings = committee_may_review(*args, rules_with(*overrides), applicant="A")
    assert [f.rule for f in findings] == ["committee.series", "committee.level"]
    assert [f.article for f in findings] == [7, 9]
    assert failing(findings) == fails
    assert_well_formed(findings, "A")


def test_committee_bad_level() -> None:
    with pytest.raises(InputError, match="committee_level"):
        committee_may_review("engineering", "middle", "engineering", "junior", load_rules())


# =============================================================================================
# Acceptance: Art. 24
# =============================================================================================

OK_STEP = Finding("publicity.unit", 15, True, "5 working days ≥ 5 required")
QUORUM_FAIL = Finding("meeting.quorum", 22, False, "16 present < 17 required")
VOTE_FAIL = Finding("vote.threshold", 23, False, "11 yes < 12 required")

ACCEPTANCE = [
    pytest.param(dict(args=("engineering", "senior", "engineering", "senior"), procedure=[OK_STEP],
                      post_quota=3, quota_used=2), set(), id="all-ok"),
    pytest.param(dict(args=("engineering", "senior", "engineering", "intermediate"), procedure=[OK_STEP]),
                 set(), id="higher-committee-in-scope"),
    pytest.param(dict(args=("engineering", "intermediate", "engineering", "senior"), procedure=[OK_STEP]),
                 {"acceptance.scope"}, id="outside-scope-level"),
    pytest.param(dict(args=("engineering", "senior", "law", "senior"), procedure=[OK_STEP]),
                 {"acceptance.scope"}, id="outside-scope-series"),
    pytest.param(dict(args=("engineering", "senior", "engineering", "senior"),
                      procedure=[OK_STEP, QUORUM_FAIL, VOTE_FAIL]), {"acceptance.procedure"},
                 id="procedure-violations"),
    pytest.param(dict(args=("engineering", "senior", "engineering", "senior"), post_quota=3, quota_used=3),
                 set(), id="quota-exactly-filled"),
    pytest.param(dict(args=("engineering", "senior", "engineering", "senior"), post_quota=3, quota_used=4),
                 {"acceptance.post_quota"}, id="quota-exceeded"),
    pytest.param(dict(args=("engineering", "senior", "engineering", "senior"), post_quota=0, quota_used=1),
                 {"acceptance.post_quota"}, id="no-posts"),
]


@pytest.mark.parametrize(("kw", "fails"), ACCEPTANCE)
def test_acceptance(kw: dict[str, Any], fails: set[str]) -> None:
    kw = dict(kw)
    args = kw.pop("args")
    findings = acceptance(*args, load_rules(), applicant="A", **kw)
    assert failing(findings) == fails
    assert all(f.article == 24 for f in findings)
    assert ("acceptance.post_quota" in {f.rule for f in findings}) is ("post_quota" in kw)
    assert_well_formed(findings, "A")


def test_acceptance_procedure_detail_counts_violations() -> None:
    findings = acceptance("engineering", "senior", "engineering", "senior", load_rules(),
                          procedure=[OK_STEP, QUORUM_FAIL, VOTE_FAIL])
    detail = findings[1].detail
    assert "2 of 3 procedure finding(s) not ok" in detail
    assert "meeting.quorum (Art. 22)" in detail and "vote.threshold (Art. 23)" in detail


def test_acceptance_quota_detail() -> None:
    f = acceptance("engineering", "senior", "engineering", "senior", load_rules(),
                   post_quota=3, quota_used=4)[2]
    assert f.detail == "4 pass(es) against the post quota > 3 posts (Art. 24)"


# =============================================================================================
# Appeal: Art. 26
# =============================================================================================


@pytest.mark.parametrize(
    ("requester", "evidence", "answered", "fails"),
    [
        pytest.param("A", True, True, set(), id="own-request-with-evidence-answered"),
        pytest.param("B", True, True, {"appeal.standing"}, id="someone-else-requests"),
        pytest.param("A", False, True, {"appeal.evidence"}, id="no-evidence"),
        pytest.param("A", True, False, {"appeal.answered"}, id="agency-did-not-answer"),
        pytest.param("B", False, False, {"appeal.standing", "appeal.evidence", "appeal.answered"},
                     id="everything-wrong"),
    ],
)
def test_appeal(requester: str, evidence: bool, answered: bool, fails: set[str]) -> None:
    findings = appeal(load_rules(), requester=requester, result_of="A", evidence=evidence, answered=answered)
    assert [f.rule for f in findings] == ["appeal.standing", "appeal.evidence", "appeal.answered"]
    assert failing(findings) == fails
    assert all(f.article == 26 for f in findings)
    assert_well_formed(findings, "A")


# =============================================================================================
# Module hygiene
# =============================================================================================


def test_no_heavy_imports() -> None:
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"simpy", "z3", "networkx", "random", "numpy"}


def test_exports() -> None:
    import zcsim.procedure.application as mod

    for name in mod.__all__:
        assert hasattr(mod, name), name
    registered = {c.id for c in vars(mod).values() if hasattr(c, "id") and c.id in CHECKS}
    assert {"eligibility.scope", "eligibility.in_service", "eligibility.sanction",
            "eligibility.level_by_level", "eligibility.exceptional", "eligibility.recognised_title",
            "eligibility.blacklist", "publicity.unit", "vetting.single_notice", "vetting.deemed_withdrawn",
            "acceptance.scope", "acceptance.procedure", "acceptance.post_quota", "publicity.result",
            "appeal.answered", "committee.series", "committee.level"} <= registered


@pytest.mark.parametrize("counts,ok", [(True, True), (False, False)])
def test_publicity_start_day_option(counts: bool, ok: bool) -> None:
    # Mon 2025-11-03 .. Fri 2025-11-07: 5 working days if the posting day counts, 4 if not
    # (Civil Code Art. 201: 开始的当日不计入).
    rules = load_rules(overrides=[f"publicity_start_day_counts={'true' if counts else 'false'}"])
    for f in (unit_publicity(D(2025, 11, 3), D(2025, 11, 7), rules)[0],
              result_publicity(D(2025, 11, 3), D(2025, 11, 7), rules)[0]):
        assert f.ok is ok, f.detail
