"""The RuleSet: citations, built-in rule sets, overrides and their errors."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from zcsim import RuleSet, RuleSetError, builtin_rule_sets, load_rules
from zcsim.law import RuleSet as LawRuleSet

def test_builtin_rule_sets_are_shipped() -> None:
    assert builtin_rule_sets() == ["beijing-2003-style", "beijing-2020", "national-2019"]


def test_default_is_beijing_2020_with_the_numbers_at_a_glance() -> None:
    r = load_rules()
    assert r.name == "beijing-2020"
    # RULES.md "Numbers at a glance", row by row
    assert r.committee_size_odd is True
    assert (r.chairs, r.vice_chairs_min, r.vice_chairs_max) == (1, 1, 3)
    assert (r.committee_min_size_series, r.committee_min_size_specialty) == (25, 11)
    assert r.filing_validity_years == 3
    assert r.reviews_per_year == 1
    assert r.unit_publicity_working_days == 5 and r.result_publicity_working_days == 5
    assert r.panel_min_size == 3
    assert r.quorum_ratio == Fraction(2, 3) and r.quorum_inclusive
    assert r.pass_ratio == Fraction(2, 3) and r.threshold_inclusive and r.threshold_basis == "present"
    assert r.voting_rounds == 1 and not r.proxy_votes_allowed
    assert r.blacklist_years == 3
    assert r.freelancer_min_years_in_beijing == 1


def test_ratios_are_exact_fractions() -> None:
    for p in load_rules():
        if ("ratio" in p.key or "share" in p.key) and load_rules().specs()[p.key].kind != "choice":  # not min_share_scope
            assert isinstance(p.value, Fraction), p.key


def test_every_parameter_has_a_citation_and_a_doc() -> None:
    for p in load_rules():
        assert p.citation.phrase, p.key
        assert p.doc, p.key
        assert p.citation.article is None or 1 <= p.citation.article <= 45, p.key


def test_interpretation_options_required_by_the_issue_exist_with_defaults() -> None:
    specs = RuleSet.specs()
    wanted = {
        "recusal_denominator": "present",
        "quorum_after_recusal": False,
        "threshold_basis": "present",
        "threshold_inclusive": True,
        "size_adjustment_filed": False,
        "pool_min_share_grassroots": Fraction(0),
        "pool_min_share_central": Fraction(0),
        "pool_min_share_non_public": Fraction(0),
        "pool_min_share_young": Fraction(0),
    }
    r = load_rules()
    for key, default in wanted.items():
        assert specs[key].interpretation, key
        assert getattr(r, key) == default, key


def test_national_2019_minimum_binds_senior_only() -> None:
    r = load_rules("national-2019")
    assert r.min_committee_size(by_specialty=True, level="senior") == 11
    assert r.min_committee_size(by_specialty=False, level="intermediate") is None
    # where Order 40 differs from Beijing, or has no such rule (issue 12): exactly these parameters
    assert sorted(k for k, _, _ in r.diff(load_rules())) == sorted([
        "committee_min_size_levels",             # 高级职称评审委员会 only
        "vice_chairs_min", "vice_chairs_max",    # 根据工作需要设主任委员和副主任委员 (no count)
        "sanction_bar_practice_restriction",     # 受到记过以上处分 only
        "major_contribution_direct_senior",      # 作出重大贡献的…可以直接申报高级职称评审
        "freelancer_min_years_in_beijing",       # no Beijing residence rule
        "territorial_scope",                     # no Beijing territory, no entrustment into it (Art. 3, 17)
        "recognised_title_regions",              # no Jing-Jin-Ji recognition
    ])
    assert r.citation("committee_min_size_series").article is None  # cited by content


def test_2003_style_is_strict_majority_of_members() -> None:
    r = load_rules("beijing-2003-style")
    assert r.threshold_basis == "members" and r.threshold_inclusive is False
    assert (r.committee_min_size_series, r.committee_max_size) == (7, 15)


@pytest.mark.parametrize("text,key,value", [
    ("pass_ratio=3/5", "pass_ratio", Fraction(3, 5)),
    ("pass_ratio=0.6", "pass_ratio", Fraction(3, 5)),
    ("quorum_ratio=1/2", "quorum_ratio", Fraction(1, 2)),
    ("committee_min_size_series=15", "committee_min_size_series", 15),
    ("threshold_inclusive=false", "threshold_inclusive", False),
    ("threshold_basis=members", "threshold_basis", "members"),
    ("pool_min_share.young=1/10", "pool_min_share_young", Fraction(1, 10)),
    ("present_not_multiple_of=3", "present_not_multiple_of", 3),
    ("present_not_multiple_of=none", "present_not_multiple_of", None),
    ("recusal_relations=spouse,coauthor", "recusal_relations", ("spouse", "coauthor")),
    ("committee_min_size_levels=senior", "committee_min_size_levels", ("senior",)),
])
def test_set_overrides(text: str, key: str, value: object) -> None:
    r = load_rules(overrides=[text])
    assert getattr(r, key) == value
    assert r.base == "beijing-2020"
    if value != getattr(load_rules(), key):
        assert r.fingerprint() != load_rules().fingerprint()


@pytest.mark.parametrize("text,needle", [
    ("pass_ratoi=1/2", "did you mean 'pass_ratio'"),
    ("pass_ratio=two thirds", "expected a ratio"),
    ("pass_ratio=3/2", "between 0 and 1"),
    ("pass_ratio=1/0", "expected a ratio"),
    ("committee_min_size_series=many", "expected a whole number"),
    ("committee_min_size_series=0", "from 1 to 1,000"),
    ("threshold_inclusive=maybe", "true or false"),
    ("threshold_basis=member", "did you mean 'members'"),
    ("recusal_relations=spouse,cousin", "'cousin' is not one of them"),
    ("no_equals_sign", "expected KEY=VALUE"),
    ("vice_chairs_min=4", "vice_chairs_min = 4 exceeds vice_chairs_max = 3"),
])
def test_bad_overrides_name_the_key_and_what_was_expected(text: str, needle: str) -> None:
    with pytest.raises(RuleSetError) as err:
        load_rules(overrides=[text])
    assert needle in str(err.value)


def test_unknown_key_lists_the_valid_ones() -> None:
    with pytest.raises(RuleSetError) as err:
        load_rules(overrides=["nonsense=1"])
    msg = str(err.value)
    for key in ("pass_ratio", "quorum_ratio", "recusal_denominator"):
        assert key in msg


def test_rule_file_with_base_and_nested_set(tmp_path: Path) -> None:
    f = tmp_path / "reform.yaml"
    f.write_text(
        "format: zcsim.rules/1\nname: three-fifths\nbase: national-2019\n"
        "set:\n  pass_ratio: 3/5\n  pool_min_share:\n    young: 0.1\n",
        encoding="utf-8",
    )
    r = load_rules(str(f), ["quorum_ratio=1/2"])
    assert r.pass_ratio == Fraction(3, 5)
    assert r.pool_min_share_young == Fraction(1, 10)
    assert r.committee_min_size_levels == ("senior",)  # inherited from national-2019
    assert r.quorum_ratio == Fraction(1, 2)


@pytest.mark.parametrize("content,needle", [
    ("set:\n  pass_ratio: [1\n", "not valid YAML"),
    ("- a\n- b\n", "must be a mapping"),
    ("sett:\n  pass_ratio: 1/2\n", "did you mean 'set'"),
    ("format: zcsim.rules/9\n", "expected 'zcsim.rules/1'"),
    ("set:\n  pass_ratoi: 1/2\n", "did you mean 'pass_ratio'"),
    ("base: beijing-2021\n", "unknown rule set 'beijing-2021'"),
    ("set: 3\n", "'set' must be a mapping"),
])
def test_bad_rule_files_name_the_file(tmp_path: Path, content: str, needle: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(RuleSetError) as err:
        load_rules(str(f))
    assert needle in str(err.value)
    if "unknown rule set" not in needle:
        assert "bad.yaml" in str(err.value)


def test_rule_file_cycle_is_an_error(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(f"base: {b}\n", encoding="utf-8")
    b.write_text(f"base: {a}\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match="cycle"):
        load_rules(str(a))


def test_unknown_rule_set_suggests_a_name() -> None:
    with pytest.raises(RuleSetError, match="did you mean 'beijing-2020'"):
        load_rules("beijng-2020")


def test_rule_set_is_immutable_and_hashable_by_value() -> None:
    r = load_rules()
    with pytest.raises(AttributeError):
        r.pass_ratio = Fraction(1, 2)  # type: ignore[misc]
    assert load_rules().fingerprint() == r.fingerprint()
    assert LawRuleSet is RuleSet


def test_rule_file_base_is_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.yaml").write_text("set:\n  pass_ratio: 3/5\n", encoding="utf-8")
    (tmp_path / "sub" / "child.yaml").write_text("base: base.yaml\nset:\n  quorum_ratio: 1/2\n", encoding="utf-8")
    r = load_rules(str(tmp_path / "sub" / "child.yaml"))
    assert (r.pass_ratio, r.quorum_ratio) == (Fraction(3, 5), Fraction(1, 2))


def test_builtin_rule_sets_are_loaded_once_and_shared() -> None:
    assert load_rules("beijing-2020") is load_rules("beijing-2020")


def test_rule_file_cycle_through_relative_paths_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("base: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("base: ./a.yaml\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match="cycle"):
        load_rules(str(tmp_path / "a.yaml"))


def test_a_rule_change_name_loads_back_to_the_same_rules() -> None:
    """Records written under a rule change carry its name; the name reloads the same values."""
    changed = load_rules("beijing-2020", ["pass_ratio=3/5", "recusal_relations=spouse,coauthor"])
    changed = load_rules(changed, ["quorum_ratio=1/2"])
    again = load_rules(changed.name)
    assert again.values() == changed.values()
