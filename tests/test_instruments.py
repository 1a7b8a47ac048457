"""Each rule set cites its own instrument (issue 12 items 2, 5, 10).

national-2019 is Order 40, not Beijing under Order 40's name: every parameter carries a citation of
Order 40 (by content: its article numbers are not verified here) or is marked not in the instrument
with the neutral value. A rule set that keeps a base's rule (beijing-2003-style) shows it under the
base's instrument, never under its own. Rule sets state their in-force dates, and an audit of a
meeting held before that date says so.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES
from zcsim.cli import main
from zcsim.law import REGIONS, RuleSet, builtin_rule_sets, load_rules
from zcsim.law._params import BEIJING_2020
from zcsim.records import audit, parse_record

BEIJING_PHRASES = ("在本市工作1年以上", "京津冀职称评审结果互认", "经市人力资源社会保障局备案", "市人力资源社会保障局")


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def rules_json(name: str) -> dict:
    code, out, err = run("rules", "--rules", name, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("name", builtin_rule_sets())
def test_no_rule_set_prints_another_instruments_phrase_under_its_own_name(name: str) -> None:
    rs = load_rules(name)
    beijing = RuleSet.specs()
    for p in rs:
        c = p.citation
        if c.instrument == rs.instrument:
            # its own: a Beijing phrase or article may only appear when the rule set IS Beijing's instrument
            if rs.instrument != BEIJING_2020:
                # every citation under another instrument's name is one its own rule file writes
                assert c.phrase in _own_phrases(name), (name, p.key, c.phrase)
                assert not any(b in c.phrase for b in BEIJING_PHRASES), (name, p.key, c.phrase)
        else:
            # kept from the base: it must stay the base's citation, under the base's instrument
            assert name != "national-2019", f"national-2019 has no citation of its own for {p.key}: cite it in " \
                                            "src/zcsim/law/rulesets/national-2019.yaml or mark it not_in_instrument"
            assert c.instrument == BEIJING_2020 and c == beijing[p.key].citation, (name, p.key)
        if c.not_in_instrument:
            assert c.article is None, (name, p.key)
    # what zcsim rules prints says the same
    doc = rules_json(name)
    for p in doc["parameters"]:
        assert p["instrument"] == doc["instrument"] or name != "national-2019", p["key"]


def _own_phrases(name: str) -> set[str]:
    """The phrases the rule file itself writes under ``citations:``."""
    import yaml

    text = (Path(__file__).parents[1] / "src/zcsim/law/rulesets" / f"{name}.yaml").read_text(encoding="utf-8")
    return {str(c["phrase"]) for c in (yaml.safe_load(text).get("citations") or {}).values()}


def test_national_2019_table_shows_only_order_40_wording() -> None:
    code, out, _ = run("rules", "--rules", "national-2019")
    assert code == 0
    for phrase in BEIJING_PHRASES + ("京人社事业发",):
        assert phrase not in out, phrase
    doc = rules_json("national-2019")
    # no Beijing article number under Order 40's name: every citation is by content or not in the instrument
    assert {p["article"] for p in doc["parameters"]} == {None}
    labels = {p["key"]: p for p in doc["parameters"]}
    assert labels["freelancer_min_years_in_beijing"]["not_in_instrument"] is True
    assert labels["recognised_title_regions"]["not_in_instrument"] is True
    assert labels["sanction_bar_practice_restriction"]["not_in_instrument"] is True
    assert labels["major_contribution_direct_senior"]["phrase"] == "作出重大贡献的专业技术人才，可以直接申报高级职称评审"
    assert "根据工作需要设主任委员和副主任委员" in labels["vice_chairs_min"]["phrase"]


def test_national_2019_rules_not_in_order_40_hold_the_neutral_value() -> None:
    r = load_rules("national-2019")
    assert r.freelancer_min_years_in_beijing == 0
    assert r.recognised_title_regions == REGIONS
    assert r.committee_max_size is None and r.present_not_multiple_of is None
    assert r.sanction_bar_practice_restriction is False
    assert all(getattr(r, f"pool_min_share_{c}") == 0 for c in ("grassroots", "central", "non_public", "young"))


def test_national_2019_corrected_rules() -> None:
    r, b = load_rules("national-2019"), load_rules("beijing-2020")
    assert (r.vice_chairs_min, b.vice_chairs_min) == (0, 1)
    assert r.vice_chairs_max > b.vice_chairs_max
    assert (r.sanction_bar_practice_restriction, b.sanction_bar_practice_restriction) == (False, True)
    assert (r.major_contribution_direct_senior, b.major_contribution_direct_senior) == (True, False)
    assert b.citation("major_contribution_direct_senior").article == 16
    assert b.citation("sanction_bar_practice_restriction").article == 13


def test_2003_style_kept_rules_are_shown_under_the_2020_instrument() -> None:
    code, out, _ = run("rules", "--rules", "beijing-2003-style", "--json")
    doc = json.loads(out)
    by_key = {p["key"]: p for p in doc["parameters"]}
    assert by_key["quorum_ratio"]["instrument"] == BEIJING_2020 and by_key["quorum_ratio"]["article"] == 22
    assert by_key["committee_max_size"]["instrument"] == doc["instrument"]
    assert "一般由7—15人组成" in by_key["committee_max_size"]["phrase"]
    r = load_rules("beijing-2003-style")
    assert RuleSet.specs()["committee_max_size_binding"].interpretation and r.committee_max_size_binding is True
    from zcsim.cli import _citation_label

    assert _citation_label(r.citation("quorum_ratio"), r) == "Art. 22 of " + BEIJING_2020
    assert _citation_label(r.citation("committee_max_size"), r) == "by content"
    code, out, _ = run("rules", "--rules", "beijing-2003-style")
    assert code == 0 and "Rules marked 'of …' are not in 京人发〔2003〕92号" in out


# -- in-force dates (item 10) ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, date, bounds", [
    ("beijing-2020", "2020-08-01", ("2020-08-01", "2020-08-01")),
    ("national-2019", "2019-09-01", ("2019-09-01", "2019-09-01")),
    ("beijing-2003-style", "2003", ("2003-01-01", "2003-12-31")),
])
def test_rule_sets_state_their_in_force_dates(name: str, date: str, bounds: tuple[str, str]) -> None:
    r = load_rules(name)
    assert r.in_force == date
    lo, hi = r.in_force_bounds()
    assert (lo.isoformat(), hi.isoformat()) == bounds
    assert rules_json(name)["in_force"] == date
    code, out, _ = run("rules", "--rules", name)
    assert f"in force from {date}" in out


def test_beijing_in_force_cites_art_45() -> None:
    r = load_rules()
    assert r.in_force_citation.article == 45 and "2020年8月1日" in r.in_force_citation.phrase


def test_a_rule_file_naming_another_instrument_does_not_inherit_the_date(tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_text("format: zcsim.rules/1\nbase: beijing-2020\ninstrument: Some Order\n", encoding="utf-8")
    assert load_rules(str(f)).in_force is None
    f.write_text("format: zcsim.rules/1\nbase: beijing-2020\nset: {pass_ratio: 3/5}\n", encoding="utf-8")
    assert load_rules(str(f)).in_force == "2020-08-01"  # same instrument: same date


@pytest.mark.parametrize("block, needle", [
    ("in_force: 2021", "'in_force' is a mapping"),
    ("in_force: {date: \"2021-13-01\", phrase: x}", "is not a date"),
    ("in_force: {date: soon, phrase: x}", "is not a date"),
    ("in_force: {date: 2021, phrase: x, day: 3}", "unknown in_force key"),
    ("citations: {pass_ratio: {phrase: x, article: 3, not_in_instrument: true}}", "has no article"),
    ("citations: {pass_ratio: {phrase: x, not_in_instrument: maybe}}", "not_in_instrument must be true or false"),
])
def test_bad_in_force_and_citation_blocks_are_one_error(tmp_path: Path, block: str, needle: str) -> None:
    f = tmp_path / "r.yaml"
    f.write_text(f"format: zcsim.rules/1\nbase: beijing-2020\n{block}\n", encoding="utf-8")
    code, _, err = run("rules", "--rules", str(f))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("zcsim: error: ") and needle in lines[0], err


def _record(date: str) -> dict:
    doc = copy.deepcopy(json.loads((EXAMPLES / "compliant.json").read_text(encoding="utf-8")))
    doc["meeting"]["date"] = date
    doc["agency"]["filed_on"], doc["agency"]["filing_valid_until"] = "2019-07-01", "2022-06-30"
    return doc


@pytest.mark.parametrize("rules, date, ok", [
    ("beijing-2020", "2020-07-31", False),
    ("beijing-2020", "2020-08-01", True),
    ("national-2019", "2019-08-31", False),
    ("national-2019", "2020-07-31", True),
])
def test_audit_reports_a_meeting_before_the_rules_were_in_force(rules: str, date: str, ok: bool) -> None:
    r = load_rules(rules)
    doc = _record(date)
    doc["rules"] = r.name
    found = [f for f in audit(parse_record(doc), r).findings if f.rule == "record.in_force"]
    assert len(found) == 1 and found[0].ok is ok and found[0].article == 45
    assert r.in_force in found[0].detail


def test_audit_cli_exit_1_for_a_meeting_before_art_45(tmp_path: Path) -> None:
    p = tmp_path / "rec.json"
    doc = _record("2020-07-15")
    doc["rules"] = "beijing-2020"
    p.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = run("audit", "--json", str(p))
    assert code == 1
    assert [v["rule"] for v in json.loads(out)["violations"]] == ["record.in_force"]


# -- Art. 41 (item 5) ---------------------------------------------------------------------------------
def test_blacklist_reading_is_an_interpretation_option_defaulting_to_the_letter() -> None:
    spec = RuleSet.specs()["blacklist_reading"]
    assert spec.interpretation and spec.choices == ("record", "bar")
    assert load_rules().blacklist_reading == "record"
    assert "记录期限为3年" in RuleSet.specs()["blacklist_years"].citation.phrase
    assert load_rules(overrides=["blacklist_reading=bar"]).blacklist_reading == "bar"
