"""Art. 17 entrusted review (and Art. 42), Art. 9 filed size, Art. 27 评审情况, and the engine side of
Order No. 40's sanction bar and direct senior application (issue 12)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from typing import Any

import pytest

from conftest import EXAMPLES
from zcsim import load_rules
from zcsim.errors import InputError
from zcsim.procedure import StepRefused
from zcsim.procedure.application import (
    Applicant,
    Entrustment,
    Title,
    acceptance,
    eligibility,
    eligible,
    entrustment,
    entrustment_recognised,
)
from zcsim.procedure.committee import committee_constitution
from zcsim.procedure.lifecycle import ApplicantCase
from zcsim.records import audit, parse_record

ON = dt.date(2025, 3, 1)
INBOUND_OK = Entrustment("inbound", employer_consent=True, letter_issuer="competent_department")


def person(**kw: Any) -> Applicant:
    base: dict[str, Any] = {"id": "A", "series": "engineering", "level_applied": "junior", "employer_kind": "state_owned"}
    return Applicant(**{**base, **kw})


def failing(findings: Any) -> set[str]:
    return {f.rule for f in findings if not f.ok}


# --- the applicant's data (Art. 3, 17) ------------------------------------------------------------

def test_affiliation_defaults_follow_employer_in_beijing() -> None:
    assert person().employer_affiliation == "beijing"
    assert person(employer_in_beijing=False).employer_affiliation == "out_of_city"
    central = person(employer_affiliation="central_in_beijing")
    assert central.employer_in_beijing is False  # located in Beijing, yet not a Beijing employer of Art. 3


@pytest.mark.parametrize("kw, where", [
    ({"employer_affiliation": "beijing", "employer_in_beijing": False}, "employer_affiliation"),
    ({"employer_affiliation": "mars"}, "employer_affiliation"),
    ({"entrustment": INBOUND_OK}, "entrustment"),  # a Beijing employer's staff apply directly
    ({"employer_affiliation": "out_of_city", "entrustment": Entrustment("outbound", bureau_letter=True)},
     "entrustment"),
    ({"employer_affiliation": "out_of_city", "entrustment": {"direction": "inbound", "consent": True}}, "entrustment"),
])
def test_contradictory_applicant_data_is_an_input_error(kw: dict[str, Any], where: str) -> None:
    with pytest.raises(InputError) as e:
        person(**kw)
    assert where in str(e.value)


def test_entrustment_of_the_wrong_direction_is_refused() -> None:
    with pytest.raises(InputError, match="outbound"):
        Entrustment("inbound", bureau_letter=True)
    with pytest.raises(InputError, match="inbound"):
        Entrustment("outbound", employer_consent=True)
    with pytest.raises(InputError, match="letter_issuer"):
        Entrustment("inbound", letter_issuer="the_employer")


# --- eligibility (Art. 17) ------------------------------------------------------------------------

@pytest.mark.parametrize("affiliation", ["central_in_beijing", "out_of_city"])
@pytest.mark.parametrize("ent, ok", [
    (None, False),
    (Entrustment("inbound"), False),
    (Entrustment("inbound", employer_consent=True), False),
    (Entrustment("inbound", letter_issuer="provincial_hr"), False),
    (Entrustment("inbound", employer_consent=True, letter_issuer="other"), False),
    (Entrustment("inbound", employer_consent=True, letter_issuer="provincial_hr"), True),
    (INBOUND_OK, True),
])
def test_inbound_needs_consent_and_the_competent_letter(affiliation: str, ent: Entrustment | None, ok: bool) -> None:
    a = person(employer_affiliation=affiliation, entrustment=ent)
    found = eligibility(a, load_rules(), on=ON)
    assert "eligibility.scope" not in {f.rule for f in found}  # Art. 3 does not cover them: Art. 17 does
    ent_f = [f for f in found if f.rule == "eligibility.entrustment"]
    assert len(ent_f) == 1 and ent_f[0].article == 17 and ent_f[0].ok is ok
    assert eligible(a, load_rules(), on=ON) is ok
    if not ok:
        assert "Art. 42" in ent_f[0].detail and "not recognised" in ent_f[0].detail


def test_inbound_details_name_what_is_missing() -> None:
    d = entrustment("out_of_city", Entrustment("inbound", letter_issuer="other"))[0].detail
    assert "employer's consent" in d and "neither the competent unit's HR department" in d
    d = entrustment("central_in_beijing", INBOUND_OK)[0].detail
    assert "中央在京单位" in d and "consented" in d


@pytest.mark.parametrize("bureau, filed, ok", [(True, True, True), (False, True, False), (True, False, False),
                                               (False, False, False)])
def test_outbound_needs_the_bureaus_letter_and_a_filed_committee(bureau: bool, filed: bool, ok: bool) -> None:
    for kind in ("state_owned", "self_employed"):
        a = person(employer_kind=kind, years_working_in_beijing=2,
                   entrustment=Entrustment("outbound", bureau_letter=bureau, committee_filed=filed))
        found = {f.rule: f for f in eligibility(a, load_rules(), on=ON)}
        assert found["eligibility.scope"].ok  # a Beijing professional: Art. 3 covers them
        assert found["eligibility.outbound_entrustment"].ok is ok
        assert found["eligibility.outbound_entrustment"].article == 17


def test_beijing_applicants_get_no_entrustment_finding() -> None:
    assert entrustment("beijing", None) == []
    assert entrustment("out_of_city", None, self_employed=True) == []
    rules_seen = {f.rule for f in eligibility(person(), load_rules(), on=ON)}
    assert not rules_seen & {"eligibility.entrustment", "eligibility.outbound_entrustment"}


# --- Art. 42: an unentrusted review is not recognised ---------------------------------------------

@pytest.mark.parametrize("ent, ok", [(None, False), (Entrustment("inbound", employer_consent=True), False),
                                     (INBOUND_OK, True)])
def test_acceptance_does_not_recognise_an_unentrusted_review(ent: Entrustment | None, ok: bool) -> None:
    a = person(employer_affiliation="central_in_beijing", entrustment=ent)
    steps = eligibility(a, load_rules(), on=ON)
    out = {f.rule: f for f in acceptance("engineering", "junior", "engineering", "junior", load_rules(),
                                         procedure=steps, applicant="A")}
    assert out["entrustment.recognised"].article == 42
    assert out["entrustment.recognised"].ok is ok
    assert out["acceptance.procedure"].ok is ok


def test_acceptance_of_a_beijing_applicant_has_no_entrustment_finding() -> None:
    steps = eligibility(person(), load_rules(), on=ON)
    rules_seen = {f.rule for f in acceptance("engineering", "junior", "engineering", "junior", load_rules(),
                                             procedure=steps)}
    assert "entrustment.recognised" not in rules_seen
    assert entrustment_recognised(steps) == []


# --- the lifecycle -----------------------------------------------------------------------------------

def test_case_entrusts_then_applies_and_is_recognised_at_acceptance() -> None:
    case = ApplicantCase(load_rules(), person(employer_affiliation="out_of_city"))
    with pytest.raises(StepRefused) as e:
        case.apply(dt.date(2025, 3, 3))
    assert e.value.article == 17 and e.value.rule == "eligibility.entrustment"
    d = case.entrust(dt.date(2025, 3, 4), INBOUND_OK)
    assert d.outcome == "entrusted" and d.articles == (17,) and case.stage == "new"
    assert case.apply(dt.date(2025, 3, 5)).outcome == "applied"
    with pytest.raises(StepRefused) as e:  # not during an application
        case.entrust(dt.date(2025, 3, 6), INBOUND_OK)
    assert e.value.article == 17 and e.value.rule == "case.sequence.entrustment"


def test_case_refuses_an_incomplete_entrustment() -> None:
    case = ApplicantCase(load_rules(), person(employer_affiliation="central_in_beijing"))
    with pytest.raises(StepRefused) as e:
        case.entrust(dt.date(2025, 3, 4), Entrustment("inbound", letter_issuer="provincial_hr"))
    assert e.value.article == 17 and "consent" in str(e.value)
    assert case.applicant.entrustment is None and case.log[-1].outcome == "refused"


def test_case_refuses_an_entrustment_nobody_needs() -> None:
    case = ApplicantCase(load_rules(), person())
    with pytest.raises(InputError):
        case.entrust(dt.date(2025, 3, 4), INBOUND_OK)


def test_outbound_case_applies_with_the_bureaus_letter() -> None:
    case = ApplicantCase(load_rules(), person())
    d = case.entrust(dt.date(2025, 3, 4), Entrustment("outbound", bureau_letter=True, committee_filed=True))
    assert [f.rule for f in d.findings] == ["eligibility.outbound_entrustment"]
    found = {f.rule for f in case.apply(dt.date(2025, 3, 5)).findings}
    assert "eligibility.outbound_entrustment" in found


# --- the audit (Art. 17, 42 on ballots; Art. 9 filed size; Art. 27 评审情况) -----------------------

def example() -> dict[str, Any]:
    return copy.deepcopy(json.loads((EXAMPLES / "compliant.json").read_text(encoding="utf-8")))


def violated(doc: dict[str, Any], *overrides: str) -> dict[str, Any]:
    rules = load_rules("beijing-2020", list(overrides))
    doc = {**doc, "rules": rules.name}  # held under the rules it is audited against
    rep = audit(parse_record(doc), rules)
    return {f.rule: f for f in rep.violations}


def test_audit_reports_an_unentrusted_out_of_city_applicant() -> None:
    doc = example()
    doc["ballots"][1]["applicant_employer"] = "out_of_city"
    v = violated(doc)
    assert set(v) == {"eligibility.entrustment", "entrustment.recognised"}
    assert v["eligibility.entrustment"].applicant == "A02" and v["entrustment.recognised"].article == 42
    doc["ballots"][1]["entrustment"] = {"employer_consent": True, "letter_issuer": "competent_department"}
    assert violated(doc) == {}


def test_audit_reports_an_entrustment_recorded_for_a_beijing_applicant() -> None:
    doc = example()
    doc["ballots"][0]["entrustment"] = {"employer_consent": True, "letter_issuer": "provincial_hr"}
    v = violated(doc)
    assert set(v) == {"record.complete"} and "applicant_employer" in v["record.complete"].detail


@pytest.mark.parametrize("filed, binding, bad", [
    (None, "exact", True),   # claimed, size not recorded
    (11, "exact", False),
    (9, "exact", True),
    (13, "exact", True),
    (9, "minimum", False),
    (13, "minimum", True),
    (10, "minimum", True),   # even: never lawful
])
def test_audit_checks_the_committee_against_its_filed_size(filed: int | None, binding: str, bad: bool) -> None:
    doc = example()
    doc["committee"]["size_adjustment_filed"] = True
    if filed is not None:
        doc["committee"]["filed_size"] = filed
    v = violated(doc, f"filed_size_binding={binding}")
    assert set(v) == ({"committee.filed_size"} if bad else set())
    if bad:
        assert v["committee.filed_size"].article == 9


def test_filed_size_alone_implies_the_filing() -> None:
    doc = example()
    doc["committee"]["filed_size"] = 9
    assert set(violated(doc)) == {"committee.filed_size"}


def test_even_filed_size_detail_names_parity() -> None:
    ms = [("C", "chair"), ("V", "vice_chair")] + [(f"M{i}", "member") for i in range(8)]
    f = {x.rule: x for x in committee_constitution(ms, load_rules(), by_specialty=True, level="senior", filed_size=10)}
    assert not f["committee.filed_size"].ok and "even" in f["committee.filed_size"].detail
    assert not f["committee.size_parity"].ok and f["committee.min_size"].ok


def test_rule_set_default_filing_without_size_is_reported() -> None:
    ms = [("C", "chair"), ("V", "vice_chair"), ("M", "member")]
    f = {x.rule: x for x in committee_constitution(ms, load_rules("beijing-2020", ["size_adjustment_filed=true"]),
                                                   by_specialty=True, level="senior")}
    assert not f["committee.filed_size"].ok and not f["committee.min_size"].ok
    assert "3 experts < 11" in f["committee.min_size"].detail


def test_no_filing_no_filed_size_finding() -> None:
    ms = [("C", "chair"), ("V", "vice_chair"), ("M", "member")]
    rules_seen = {x.rule for x in committee_constitution(ms, load_rules(), by_specialty=True, level="senior")}
    assert "committee.filed_size" not in rules_seen


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "9"])
def test_engine_refuses_a_bad_filed_size(bad: Any) -> None:
    with pytest.raises(InputError, match="filed_size"):
        committee_constitution([("C", "chair")], load_rules(), by_specialty=True, level="senior", filed_size=bad)


@pytest.mark.parametrize("bad", [0, -3, True, "9", 9.5, 10_001])
def test_bad_filed_size_in_a_record_is_one_error_line(tmp_path: Any, bad: Any) -> None:
    doc = example()
    doc["committee"]["filed_size"] = bad
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "zcsim", "audit", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("zcsim: error:") and "committee.filed_size" in lines[0]


def test_record_without_review_situation_is_incomplete() -> None:
    doc = example()
    del doc["meeting"]["review_summary"]
    v = violated(doc)
    assert set(v) == {"record.complete"} and "评审情况" in v["record.complete"].detail
    doc["meeting"]["review_summary"] = ""
    assert set(violated(doc)) == {"record.complete"}


# --- Art. 13 practice restriction, Art. 16 direct senior application ---------------------------

def test_practice_restriction_follows_the_rule_set() -> None:
    restricted = person(employer_kind="public_institution", sanction_kind="practice_restriction",
                        sanction_until=dt.date(2025, 12, 31))
    demerit = person(employer_kind="public_institution", sanction_until=dt.date(2025, 12, 31))
    off = load_rules("beijing-2020", ["sanction_bar_practice_restriction=false"])
    assert not eligible(restricted, load_rules(), on=ON)
    f = {x.rule: x for x in eligibility(restricted, off, on=ON)}["eligibility.sanction"]
    assert f.ok and "sanction_bar_practice_restriction=false" in f.detail
    assert not eligible(demerit, off, on=ON)  # a demerit still bars


@pytest.mark.parametrize("titles, level, grounds, ok", [
    ((), "senior", ("major_contribution",), True),                              # no title at all
    ((Title("junior", "engineering"),), "senior", ("major_contribution",), True),
    ((Title("junior", "engineering"),), "senior", ("major_breakthrough",), False),  # another ground
    ((), "intermediate", ("major_contribution",), False),                        # direct to senior only
    ((Title("senior", "engineering"),), "senior", ("major_contribution",), False),  # the same level
])
def test_direct_senior_application_for_major_contributors(titles: tuple[Title, ...], level: str,
                                                          grounds: tuple[str, ...], ok: bool) -> None:
    a = person(level_applied=level, titles=titles, exceptional_grounds=grounds)
    on_rules = load_rules("beijing-2020", ["major_contribution_direct_senior=true"])
    f = {x.rule: x for x in eligibility(a, on_rules, on=ON)}["eligibility.level_by_level"]
    assert f.ok is ok, f.detail
    if ok:
        assert "major_contribution_direct_senior=true" in f.detail
        # the same applicant under beijing-2020 keeps the level order
        assert not {x.rule: x for x in eligibility(a, load_rules(), on=ON)}["eligibility.level_by_level"].ok
