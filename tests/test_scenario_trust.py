"""Issue 11 ("no silent wrong answer"): scenario values are validated and bounded, memory is
estimated before a run, and reports carry no machine paths and read their JSON strictly."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from zcsim.cli import main
from zcsim.errors import InputError
from zcsim.sim import load_scenario
from zcsim.sim.model import check_memory, estimate_memory
from _cli_assert import one_error

BASE = """\
format: zcsim.scenario/1
population:
  groups: [{series: eng, level: senior, count: 30}]
experts:
  pools: [{series: eng, size: 40}]
committees:
  - {series: eng, level: senior}
simulation: {replications: 1}
"""


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def scenario(tmp_path: Path, *, replace: tuple[str, str] | None = None, extra: str = "", name: str = "s.yaml") -> Path:
    text = BASE if replace is None else BASE.replace(*replace)
    assert replace is None or text != BASE
    path = tmp_path / name
    path.write_text(text + extra, encoding="utf-8")
    return path


def simulate(path: Path, *more: str) -> tuple[int, str, str]:
    return run("simulate", str(path), "--workers", "1", *more)


# -- item 8: NaN, infinities and booleans where a number is expected ----------------------------
@pytest.mark.parametrize(("extra", "replace", "key", "what"), [
    ("behaviour: {model: latent_quality, quality: .nan}\n", None, "behaviour.quality", "finite"),
    ("behaviour: {model: latent_quality, intercept: -.inf}\n", None, "behaviour.intercept", "finite"),
    ("", ("count: 30", "count: true"), "population.groups[0].count", "expected an integer"),
    ("", ("size: 40", "size: 40.0"), "experts.pools[0].size", "expected an integer"),
    ("", ("{replications: 1}", "{replications: 1, keep_records: 1}"),
     "simulation.keep_records", "true or false"),
    ("", ("{series: eng, size: 40}]",
     "{series: eng, size: 40}]\n  no_show: true"), "experts.no_show", "expected a number"),
    ("agencies: [{id: AG1, vetting_time: .inf}]\n", None, "agencies[0].vetting_time", "finite"),
    ("agencies: [{id: AG1, vetting_time: {distribution: lognormal, mean: 0.1, sd: 1e300}}]\n", None,
     "agencies[0].vetting_time.sd", "500"),
    ("agencies: [{id: AG1, vetting_time: {distribution: lognormal, mean: 0.001, sd: 5}}]\n", None,
     "agencies[0].vetting_time", "sd/mean"),
    ("calendar: {arrival_profile: [1, .nan]}\n", None, "calendar.arrival_profile", "finite"),
])
def test_nan_inf_and_booleans_are_refused(tmp_path: Path, extra: str, replace: tuple[str, str] | None, key: str,
                                          what: str) -> None:
    code, _, err = simulate(scenario(tmp_path, replace=replace, extra=extra))
    one_error(code, err, "s.yaml: line ", key, what)


# -- bounds: validated before anything is allocated ---------------------------------------------
@pytest.mark.parametrize(("replace", "extra", "key", "bound"), [
    (("count: 30", "count: 10000000"), "", "population.groups[0].count", "1000000"),
    (("{series: eng, level: senior}", "{series: eng, level: senior, size: 1000000000}"), "", "committees[0].size",
     "1000"),
    (None, "post_quotas: {units: 1000000000}\n", "post_quotas.units", "100000"),
    (("size: 40", "size: 100000000"), "", "experts.pools[0].size", "1000000"),
    (None, "agencies: [{id: AG1, staff: 1000000000}]\n", "agencies[0].staff", "10000"),
    (None, "recusal: {graph: {employers: 1000000000}}\n", "recusal.graph.employers", "1000000"),
    (None, "results: {acceptance_working_days: 1000000000}\n", "results.acceptance_working_days", "500"),
    (("{series: eng, level: senior}", "{series: eng, level: senior, meeting_day: 1000000}"), "",
     "committees[0].meeting_day", "500"),
    (("{replications: 1}", "{replications: 1, seed: 1000000000000000000000000000000}"), "", "simulation.seed", ""),
    (None, "behaviour: {model: latent_quality, quality: 1e30}\n", "behaviour.quality", "100"),
])
def test_sizes_and_ranges_have_documented_maxima(tmp_path: Path, replace: tuple[str, str] | None, extra: str,
                                                 key: str, bound: str) -> None:
    code, _, err = simulate(scenario(tmp_path, replace=replace, extra=extra))
    one_error(code, err, key, bound)


def test_growth_beyond_the_applicant_maximum_is_refused(tmp_path: Path) -> None:
    path = scenario(tmp_path, replace=("count: 30", "count: 900000"), extra="multi_year: {growth: 0.5}\n")
    path.write_text(path.read_text().replace("{replications: 1}", "{replications: 1, years: 2}"))
    code, _, err = simulate(path)
    one_error(code, err, "multi_year.growth", "1,350,000 applicants in simulated year 2", "1,000,000")


def test_memory_estimate_refuses_before_allocating(tmp_path: Path) -> None:
    # a million applicants before one committee of 999 with records kept: ~10^9 votes a year
    path = scenario(tmp_path, replace=("count: 30", "count: 1000000"),
                    extra="experts:\n  pools: [{series: eng, size: 2000}]\n")
    text = path.read_text().replace("experts:\n  pools: [{series: eng, size: 40}]\n", "", 1)
    text = text.replace("{series: eng, level: senior}", "{series: eng, level: senior, size: 999}")
    path.write_text(text.replace("{replications: 1}", "{replications: 1, years: 2, keep_records: true}"))
    code, _, err = simulate(path)
    line = one_error(code, err, "this scenario needs about", "GB of memory per replication", "reduce")
    assert re.search(r"about [\d,.]+ GB of memory", line)


def test_memory_estimate_against_a_given_limit(tmp_path: Path) -> None:
    sc = load_scenario(scenario(tmp_path))
    est = estimate_memory(sc)
    assert 0 < est.total < 10**8
    assert check_memory(sc, limit=10**12) == est
    with pytest.raises(InputError, match="needs about .* more than the 1 kB"):
        check_memory(sc, limit=1000)


# -- a population of zero applicants ------------------------------------------------------------
def test_zero_applicants_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = simulate(scenario(tmp_path, replace=("count: 30", "count: 0")))
    one_error(code, err, "population.groups", "no applicant")


def test_a_year_without_applicants_runs(tmp_path: Path) -> None:
    path = scenario(tmp_path, replace=("count: 30", "count: 1"),
                    extra="multi_year: {growth: -0.9, reapply_probability: 0, next_level_probability: 0}\n")
    path.write_text(path.read_text().replace("{replications: 1}", "{replications: 1, years: 2}"))
    code, out, err = simulate(path, "--json")
    assert code == 0, err
    assert json.loads(out)["metrics"]["applicants"]["mean"] == 1.0


def test_extreme_latent_values_warn_nothing(tmp_path: Path) -> None:
    # log-odds of about -10,000: exp() overflowed with a RuntimeWarning on stderr
    path = scenario(tmp_path, replace=("count: 30}]", "count: 30}]\n  quality: {mean: -100}"),
                    extra="behaviour: {model: latent_quality, quality: 100}\n")
    code, _, err = simulate(path, "--json")
    assert code == 0 and err.strip() == "", err


def test_a_year_past_the_calendar_names_the_scenario(tmp_path: Path) -> None:
    code, _, err = simulate(scenario(tmp_path, extra="agencies: [{id: AG1, staff: 1, vetting_time: 500}]\n"))
    one_error(code, err, "s.yaml: calendar: ", "beyond the working-day calendar")


# -- the files a scenario reads -----------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_scenario_or_conflicts_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    one_error(*simulate(fifo)[::2], "fifo.yaml", "not a regular file")
    os.mkfifo(tmp_path / "c.json")
    code, _, err = simulate(scenario(tmp_path, extra="recusal: {conflicts: c.json}\n"))
    one_error(code, err, "recusal.conflicts", "c.json", "not a regular file")


def test_conflicts_file_is_strict_json(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text('[{"applicant": "A0000001",\n "expert": "E000001", "expert": "E000002"}]')
    code, _, err = simulate(scenario(tmp_path, extra="recusal: {conflicts: c.json}\n"))
    one_error(code, err, "recusal.conflicts", "c.json", "line 2", "duplicate key 'expert'")


# -- the published schema agrees ----------------------------------------------------------------
def test_schema_publishes_the_maxima() -> None:
    code, out, err = run("schema", "scenario")
    assert code == 0, err
    assert not re.search(r'"(ge|le|gt|lt)":', out)  # pydantic's own names leak when constraints are misplaced
    defs = json.loads(out)["$defs"]
    count = next(a for a in defs["Group"]["properties"]["count"]["anyOf"] if a.get("type") == "integer")
    assert count["maximum"] == 1_000_000
    size = next(a for a in defs["CommitteeSpec"]["properties"]["size"]["anyOf"] if a.get("type") == "integer")
    assert size["maximum"] == 1_000
    assert defs["PostQuotas"]["properties"]["units"]["maximum"] == 100_000
    mean = next(a for a in defs["Duration"]["properties"]["mean"]["anyOf"] if a.get("type") == "number")
    assert mean["maximum"] == 500


# -- reports --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("run")
    out = tmp / "results"
    code, _, err = run("simulate", str(scenario(tmp, name="private-scenario.yaml")), "--workers", "1",
                       "--out", str(out), "--records", "--json")
    assert code == 0, err
    return out


def test_report_shows_no_machine_path(results: Path, tmp_path: Path) -> None:
    code, _, err = run("report", str(results.resolve()), "--out", str(tmp_path / "r.html"))
    assert code == 0, err
    for f in (tmp_path / "r.html", tmp_path / "r.md"):
        text = f.read_text(encoding="utf-8")
        assert str(results.resolve().parent) not in text and str(tmp_path) not in text
        assert "private-scenario.yaml" in text
    assert "| Folder | results |" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_report_shows_no_expert_id(results: Path, tmp_path: Path) -> None:
    ids = set()
    for rec in (results / "records").glob("*.json"):
        ids |= set(re.findall(r"\bE\d{6}\b", rec.read_text(encoding="utf-8")))
    assert ids
    code, _, err = run("report", str(results), "--out", str(tmp_path / "r.html"))
    assert code == 0, err
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written
    for p in written:
        data = p.read_bytes().decode("latin-1")
        assert not [e for e in ids if re.search(rf"\b{e}\b", data)], p


@pytest.mark.parametrize(("file", "change", "field"), [
    ("summary.json", lambda d: d["metrics"]["pass_rate"].update(mean="high"), "metrics.pass_rate.mean"),
    ("summary.json", lambda d: d["metrics"]["pass_rate"].update(ci95="x"), "metrics.pass_rate.ci95"),
    ("summary.json", lambda d: d.update(metrics=[1, 2]), "metrics"),
    ("summary.json", lambda d: d.update(replications="two"), "replications"),
    ("manifest.json", lambda d: d.update(versions=["zcsim"]), "versions"),
    ("manifest.json", lambda d: d.update(seed=True), "seed"),
])
def test_report_type_checks_its_json(results: Path, tmp_path: Path, file: str, change, field: str) -> None:
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(results, bad)
    doc = json.loads((bad / file).read_text(encoding="utf-8"))
    change(doc)
    (bad / file).write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = run("report", str(bad), "--out", str(tmp_path / "r.html"))
    one_error(code, err, f"{file}: {field}: expected")


def test_report_json_is_strict(results: Path, tmp_path: Path) -> None:
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(results, bad)
    text = (bad / "summary.json").read_text(encoding="utf-8")
    (bad / "summary.json").write_text(text.replace('"seed": 2020', '"seed": 2020, "seed": 7'), encoding="utf-8")
    code, _, err = run("report", str(bad), "--out", str(tmp_path / "r.html"))
    one_error(code, err, "summary.json", "duplicate key 'seed'")
