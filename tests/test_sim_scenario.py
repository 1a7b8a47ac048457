"""Scenario files (zcsim.scenario/1): loading, defaults, and errors that name the file, line and key."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from zcsim.errors import InputError
from zcsim.sim.scenario import (
    Duration,
    expand_committees,
    expand_groups,
    expand_pools,
    load_scenario,
    parse_scenario,
    scenario_schema,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

MINIMAL = """\
format: zcsim.scenario/1
population:
  groups: [{series: eng, specialty: el, level: senior, count: 50}]
experts:
  pools: [{series: eng, specialty: el, size: 40}]
committees:
  - {series: eng, specialty: el, level: senior}
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def error_of(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value


# --- the shipped scenarios -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["quick.yaml", "beijing-2020.yaml", "quick-graph-recusal.yaml"])
def test_shipped_scenarios_load_and_open_with_a_comment(name: str) -> None:
    path = SCENARIOS / name
    sc = load_scenario(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#"), "a scenario file opens with a comment saying what it models"
    assert "Art." in text.split("format:")[0], "the opening comment names the articles exercised"
    assert sc.ruleset().name
    assert sc.committee_plans()


def test_beijing_scenario_is_beijing_scale_and_says_counts_are_not_published() -> None:
    path = SCENARIOS / "beijing-2020.yaml"
    sc = load_scenario(path)
    applicants = sum(g.count or 0 for g in expand_groups(sc))
    experts = sum(n for *_, n in expand_pools(sc))
    committees = len(expand_committees(sc))
    assert 90_000 <= applicants <= 110_000
    assert 27_000 <= experts <= 33_000
    assert 180 <= committees <= 220
    head = path.read_text(encoding="utf-8").split("format:")[0]
    assert "NOT PUBLISHED" in head.upper() and "ASSUMPTION" in head.upper()


def test_quick_scenario_is_small() -> None:
    sc = load_scenario(SCENARIOS / "quick.yaml")
    assert 1_000 <= sum(g.count or 0 for g in expand_groups(sc)) <= 2_000
    assert len({g.series for g in expand_groups(sc)}) == 2
    assert len(expand_committees(sc)) <= 8


# --- defaults ------------------------------------------------------------------------------------

def test_a_minimal_scenario_gets_documented_defaults(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, MINIMAL))
    assert sc.rules == "beijing-2020" and sc.ruleset().name == "beijing-2020"
    assert sc.simulation.replications >= 1 and sc.simulation.years == 1
    assert sc.behaviour.model == "latent_quality"
    assert sc.agencies[0].staff >= 1
    plan, wo, wc, fm = sc.calendar.dates()
    assert plan <= wo <= wc < fm
    assert sc.source.endswith("s.yaml")


def test_rule_overrides_and_rule_files_relative_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "strict.yaml").write_text(
        "format: zcsim.rules/1\nname: strict\nbase: beijing-2020\nset:\n  pass_ratio: 3/4\n", encoding="utf-8")
    text = MINIMAL.replace("format: zcsim.scenario/1\n",
                           "format: zcsim.scenario/1\nrules: rules/strict.yaml\nset: {quorum_ratio: 3/4}\n")
    sc = load_scenario(write(tmp_path, text))
    rules = sc.ruleset()
    assert str(rules.pass_ratio) == "3/4" and str(rules.quorum_ratio) == "3/4"
    assert str(sc.ruleset(["pass_ratio=1/2"]).pass_ratio) == "1/2"


def test_groups_and_pools_expand_over_specialties_and_levels(tmp_path: Path) -> None:
    text = """\
format: zcsim.scenario/1
population:
  groups:
    - {series: eng, specialties: [a, b, c], levels: {senior: 0.3, intermediate: 0.7}, count: 1001}
experts:
  pools: [{series: eng, specialties: [a, b, c], size: 100}]
committees:
  - {series: eng, per_specialty: true, levels: [senior, intermediate]}
"""
    sc = load_scenario(write(tmp_path, text))
    groups = expand_groups(sc)
    assert len(groups) == 6 and sum(g.count for g in groups) == 1001  # type: ignore[misc]
    assert sorted(n for *_, n in expand_pools(sc)) == [33, 33, 34]
    plans = expand_committees(sc)
    assert len(plans) == 6 and len({p.id for p in plans}) == 6


def test_durations_accept_a_number_or_a_distribution() -> None:
    import numpy as np

    assert Duration.model_validate(0.5).distribution == "fixed"
    d = Duration.model_validate({"distribution": "gamma", "mean": 4, "sd": 2})
    x = d.sample(np.random.default_rng(1), 20_000)
    assert abs(x.mean() - 4) < 0.1 and abs(x.std() - 2) < 0.1
    x = Duration.model_validate({"distribution": "lognormal", "mean": 0.1, "sd": 0.05}).sample(np.random.default_rng(2), 20_000)
    assert abs(x.mean() - 0.1) < 0.003


def test_scenario_pickles_for_process_executors(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, MINIMAL))
    again = pickle.loads(pickle.dumps(sc))
    assert again == sc and again.ruleset() == sc.ruleset() and again.source == sc.source


def test_parse_scenario_from_a_mapping() -> None:
    sc = parse_scenario(yaml.safe_load(MINIMAL), source="inline")
    assert sc.committee_plans()[0].specialty == "el"
    with pytest.raises(InputError, match="inline: committees.0|inline: committees\\[0\\]"):
        parse_scenario({**yaml.safe_load(MINIMAL), "committees": [{"series": "eng", "level": "senoir"}]},
                       source="inline")


# --- the schema ----------------------------------------------------------------------------------

def test_schema_is_json_schema_and_accepts_the_shipped_scenarios() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = scenario_schema()
    json.dumps(schema)
    assert schema["properties"]["format"]["const"] == "zcsim.scenario/1"
    jsonschema.Draft202012Validator.check_schema(schema)
    loader = yaml.SafeLoader
    for name in ("quick.yaml", "beijing-2020.yaml", "quick-graph-recusal.yaml"):
        text = (SCENARIOS / name).read_text(encoding="utf-8")
        data = json.loads(json.dumps(yaml.load(text, Loader=loader), default=str))
        # YAML gives non-string keys (years: share); JSON Schema sees them as strings
        jsonschema.validate(data, schema)


# --- errors: file, line, key ------------------------------------------------------------------------

def test_typo_key_names_file_line_key_and_suggests(tmp_path: Path) -> None:
    p = write(tmp_path, MINIMAL.replace("level: senior}", "levle: senior}"))
    err = error_of(p)
    assert err.source == str(p)
    assert err.location is not None and err.location.startswith("line 7, committees[0].levle")
    assert "did you mean 'level'" in str(err)


def test_typo_in_a_nested_section_and_in_the_behaviour_model(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL + "simulation:\n  replicatons: 3\n"))
    assert "line 9" in str(err) and "simulation.replicatons" in str(err) and "'replications'" in str(err)
    err = error_of(write(tmp_path, MINIMAL + "behaviour:\n  model: latent_quality\n  qualty: 2\n"))
    assert "line 10" in str(err) and "behaviour.qualty" in str(err) and "'quality'" in str(err)
    err = error_of(write(tmp_path, MINIMAL + "behaviour: {model: independant}\n"))
    assert "line 8" in str(err) and "behaviour.model" in str(err) and "'independent'" in str(err)


def test_wrong_type_names_line_and_expectation(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL.replace("count: 50", "count: fifty")))
    assert "line 3" in str(err) and "population.groups[0].count" in str(err) and "expected an integer" in str(err)
    err = error_of(write(tmp_path, MINIMAL + "experts_typo: 1\n"))
    assert "line 8" in str(err) and "unknown key 'experts_typo'" in str(err) and "did you mean 'experts'" in str(err)
    err = error_of(write(tmp_path, MINIMAL.replace("size: 40", "size: -4")))
    assert "line 5" in str(err) and "experts.pools[0].size" in str(err)
    err = error_of(write(tmp_path, MINIMAL + "recusal: {rate: 1.5}\n"))
    assert "line 8" in str(err) and "recusal.rate" in str(err)


def test_bad_literal_gets_did_you_mean(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL + "multi_year: {renewal: proactiv}\n"))
    assert "multi_year.renewal" in str(err) and "did you mean 'proactive'" in str(err)
    text = MINIMAL.replace("level: senior, count: 50", "level: senoir, count: 50")
    err = error_of(write(tmp_path, text))
    assert "line 3" in str(err) and "did you mean 'senior'" in str(err)


@pytest.mark.parametrize("bad", ["2025-13-01", "2025-02-30", "next spring"])
def test_bad_date_names_line_and_key(tmp_path: Path, bad: str) -> None:
    err = error_of(write(tmp_path, MINIMAL + f"calendar:\n  window_open: {bad}\n"))
    assert "line 9" in str(err) and "calendar.window_open" in str(err) and "YYYY-MM-DD" in str(err)


def test_dates_out_of_order(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL + "calendar:\n  window_open: 2025-07-01\n  window_close: 2025-06-01\n"))
    assert "calendar.window_close" in str(err) and "line 10" in str(err)
    err = error_of(write(tmp_path, MINIMAL.replace("level: senior}", "level: senior, meeting_day: 2025-06-01}")))
    assert "committees[0].meeting_day" in str(err) and "line 7" in str(err)


def test_meeting_day_is_an_offset_or_a_date(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, MINIMAL.replace("level: senior}", "level: senior, meeting_day: 3}")))
    assert sc.committees[0].meeting_day == 3
    err = error_of(write(tmp_path, MINIMAL.replace("level: senior}", "level: senior, meeting_day: soon}")))
    assert "line 7" in str(err) and "committees[0].meeting_day" in str(err)


@pytest.mark.parametrize("key, value, where", [
    ("rules", "missing-rules.yaml", "line 2, rules"),
    ("calendar", "{file: no-such-calendar.csv}", "line 2, calendar.file"),
    ("recusal", "{conflicts: no-such-conflicts.json}", "line 2, recusal.conflicts"),
])
def test_missing_file_names_line_and_key(tmp_path: Path, key: str, value: str, where: str) -> None:
    text = MINIMAL.replace("format: zcsim.scenario/1\n", f"format: zcsim.scenario/1\n{key}: {value}\n")
    err = error_of(write(tmp_path, text))
    assert err.location is not None and err.location.startswith(where)
    assert "not found" in str(err)


def test_missing_scenario_file_and_bad_yaml(tmp_path: Path) -> None:
    err = error_of(tmp_path / "nope.yaml")
    assert "not found" in str(err) and err.source == str(tmp_path / "nope.yaml")
    err = error_of(write(tmp_path, MINIMAL + "committees: [\n"))
    assert "not valid YAML" in str(err) and err.location and err.location.startswith("line")
    err = error_of(write(tmp_path, MINIMAL.replace("zcsim.scenario/1", "zcsim.scenario/9")))
    assert "line 1, format" in str(err)


def test_unknown_rule_rule_set_and_bad_rule_value(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL + "set:\n  pass_ratoi: 3/5\n"))
    assert "line 9, set.pass_ratoi" in str(err) and "did you mean 'pass_ratio'" in str(err)
    err = error_of(write(tmp_path, MINIMAL + "set:\n  pass_ratio: 5/3\n"))
    assert "line 9, set.pass_ratio" in str(err) and "Art. 23" in str(err)
    err = error_of(write(tmp_path, MINIMAL + "rules: bejing-2020\n"))
    assert "line 8, rules" in str(err) and "did you mean 'beijing-2020'" in str(err)


def test_duplicate_key_is_reported_with_both_lines(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL + "simulation: {seed: 1}\nsimulation: {seed: 2}\n"))
    assert "appears twice" in str(err) and "first on line 8" in str(err) and "line 9" in str(err)


def test_shares_must_sum_to_one(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL.replace(
        "population:\n", "population:\n  employer_kinds: {state_owned: 0.5, non_public: 0.3}\n")))
    assert "line 3, population.employer_kinds" in str(err) and "sum to 0.8" in str(err)


def test_applicants_no_committee_may_review_cite_art_7_and_9(tmp_path: Path) -> None:
    text = MINIMAL.replace("count: 50}]", "count: 50}, {series: eng, specialty: civil, level: senior, count: 5}]")
    err = error_of(write(tmp_path, text))
    assert "population.groups[1]" in str(err) and "line 3" in str(err) and "Art. 7, 9" in str(err)
    # a higher committee may review a lower level (Art. 9) — unless the rule set says no
    text = MINIMAL.replace("count: 50}]", "count: 50}, {series: eng, specialty: el, level: intermediate, count: 5}]")
    assert load_scenario(write(tmp_path, text))
    err = error_of(write(tmp_path, text + "set: {higher_committee_reviews_lower: false}\n"))
    assert "no committee may review intermediate" in str(err)


def test_committee_without_experts_and_duplicate_committees(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL.replace("pools: [{series: eng,", "pools: [{series: egn,")))
    assert "committees[0]" in str(err) and "line 7" in str(err) and "Art. 7" in str(err)
    err = error_of(write(tmp_path, MINIMAL + "  - {series: eng, specialty: el, level: senior}\n"))
    assert "committees[1]" in str(err) and "two committees" in str(err)


def test_uncovered_calendar_year_asks_for_a_calendar_file(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL + "calendar: {year: 2031}\n"))
    assert "calendar.year" in str(err) and "calendar.file" in str(err)
    err = error_of(write(tmp_path, MINIMAL + "calendar: {year: 2025}\nsimulation: {years: 5}\n"))
    assert "simulation.years" in str(err) and "line 9" in str(err)
    cal = ROOT / "examples" / "calendar-2027.csv"
    text = MINIMAL + f"calendar: {{year: 2025, file: {cal}}}\nsimulation: {{years: 3}}\n"
    assert load_scenario(write(tmp_path, text), allow_outside=True).simulation.years == 3  # the file is outside tmp_path


def test_conflicts_file_is_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text(json.dumps([{"applicant": "A0000001", "expert": "E000001"}]), encoding="utf-8")
    sc = load_scenario(write(tmp_path, MINIMAL + "recusal: {conflicts: c.json}\n"))
    assert sc.conflicts() == {"A0000001": frozenset({"E000001"})}
    (tmp_path / "c.json").write_text(json.dumps([{"applicant": "A0000001"}]), encoding="utf-8")
    err = error_of(write(tmp_path, MINIMAL + "recusal: {conflicts: c.json}\n"))
    assert "line 8, recusal.conflicts" in str(err) and "item [0]" in str(err)
    err = error_of(write(tmp_path, MINIMAL + "recusal: {conflicts: c.json, rate: 0.1}\n"))
    assert "not both" in str(err)


def test_errors_are_input_errors_with_one_line_messages(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, MINIMAL.replace("level: senior}", "levle: senior}")))
    assert isinstance(err, ValueError) and "\n" not in str(err)


def test_sim_layer_imports_no_pandas_and_not_conflicts_or_verify() -> None:
    code = ("import sys, zcsim.sim, zcsim.sim.model, zcsim.sim.scenario; "
            "print(sorted(m for m in ('pandas', 'zcsim.conflicts', 'zcsim.verify') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_an_empty_scenario_says_so_once(tmp_path: Path, text: str) -> None:
    # regression: the "empty file" error used to be re-wrapped as "not valid YAML: <file>: line 1: …"
    path = tmp_path / "empty.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: line 1: empty file; a scenario starts with 'format: zcsim.scenario/1'"
