"""zcsim sweep: keys, values, variants, common random numbers, files and CLI errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from zcsim.cli import main
from zcsim.errors import InputError
from zcsim.sim import load_scenario
from zcsim.sim.sweep import build_variants, parse_values, parse_vary, run_sweep

TINY = """\
format: zcsim.scenario/1
name: tiny
population:
  groups:
    - {series: engineering, specialty: electrical, level: senior, count: 60}
    - {series: accounting, level: senior, count: 40}
experts:
  pools:
    - {series: engineering, specialty: electrical, size: 60}
    - {series: accounting, size: 80}
  no_show: 0.15
committees:
  - {series: engineering, specialty: electrical, level: senior, size: 11, panels: 2}
  - {series: accounting, level: senior, size: 25, panels: 2}
agencies:
  - {id: AG1, staff: 2}
simulation: {replications: 4, seed: 7}
"""


def _same(a: object, b: object) -> bool:
    """Equal metrics, NaN equal to NaN (replications returned by worker processes)."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.yaml"
    p.write_text(TINY, encoding="utf-8")
    return p


def test_parse_values_lists_and_ranges() -> None:
    assert parse_values("11..17:2") == (11, 13, 15, 17)
    assert parse_values("0.05..0.2:0.05") == (0.05, 0.1, 0.15, 0.2)
    assert parse_values("1/2..2/3:1/6", rule=True) == ("1/2", "2/3")
    assert parse_values("3/5,0.7,true,x") == (0.6, 0.7, True, "x")
    assert parse_values("3/5,2/3", rule=True) == ("3/5", "2/3")
    for bad in ("", "5..1", "1..5:0", "a..b", "1,,2"):
        with pytest.raises(InputError):
            parse_values(bad, "k")


def test_keys_resolve_to_alias_rule_and_path(tiny: Path) -> None:
    sc = load_scenario(tiny)
    assert parse_vary("pool.size=100,200", sc).kind == "alias"
    assert parse_vary("quorum_ratio=1/2,2/3", sc).kind == "rule"
    v = parse_vary("committees[1].size=25,27", sc)
    assert (v.kind, v.path) == ("path", ("committees", 1, "size"))
    with pytest.raises(InputError, match="did you mean 'quorum_ratio'"):
        parse_vary("quorum_ratoi=1/2", sc)
    with pytest.raises(InputError, match="did you mean 'experts.no_show'"):
        parse_vary("experts.no_shw=0.1", sc)
    with pytest.raises(InputError, match=r"committees has 2 entries"):
        parse_vary("committees[4].size=3", sc)


def test_aliases_change_every_entry(tiny: Path) -> None:
    sc = load_scenario(tiny)
    vs = [parse_vary("pool.size=70", sc), parse_vary("staff=4", sc), parse_vary("applicants=200", sc),
          parse_vary("panels=3", sc), parse_vary("committee.size=27", sc)]
    (var,) = build_variants(sc, vs)
    s = var.scenario
    assert sum(p.size for p in s.experts.pools) == 70
    assert [p.size for p in s.experts.pools] == [30, 40]       # scaled 60:80
    assert [a.staff for a in s.agencies] == [4]
    assert sum(g.count for g in s.population.groups) == 200  # type: ignore[misc]
    assert {c.panels for c in s.committees} == {3} and {c.size for c in s.committees} == {27}


def test_bad_values_name_the_key(tiny: Path) -> None:
    sc = load_scenario(tiny)
    with pytest.raises(InputError, match=r"experts\.no_show") as e:
        build_variants(sc, [parse_vary("experts.no_show=0.1,1.5", sc)])
    assert "1.5" in str(e.value) and str(tiny) in str(e.value)
    with pytest.raises(InputError, match=r"committee.size=9.*Art\. 9"):
        build_variants(sc, [parse_vary("committee.size=9", sc)])
    with pytest.raises(InputError, match="quorum_ratio"):
        build_variants(sc, [parse_vary("quorum_ratio=3/2", sc)])


def test_same_variant_twice_gives_identical_rows_and_crn(tiny: Path) -> None:
    sc = load_scenario(tiny)
    res = run_sweep(sc, [parse_vary("experts.no_show=0.1,0.4,0.1", sc)], replications=4, workers=1)
    assert _same(res.metrics[0], res.metrics[2])
    df = res.table()
    a, b = df.drop(columns=["variant"]).iloc[0], df.drop(columns=["variant"]).iloc[2]
    assert a.equals(b)
    # common random numbers: no_show does not touch the applicants' own draws
    assert [r["applicants"] for r in res.metrics[0]] == [r["applicants"] for r in res.metrics[1]]
    # and the seeds are the ones a plain run of the variant uses
    import functools

    from zcsim.sim import run_replication
    from zcsim.sim.runner import run_replications

    var = res.variants[1]
    plain = run_replications(functools.partial(run_replication, var.scenario, var.rules), 4, sc.simulation.seed,
                             workers=1)
    assert _same([dict(r.metrics) for r in plain.replications], [dict(m) for m in res.metrics[1]])


def test_one_and_two_workers_agree(tiny: Path) -> None:
    sc = load_scenario(tiny)
    vs = [parse_vary("staff=1,3", sc)]
    one = run_sweep(sc, vs, replications=3, workers=1)
    two = run_sweep(sc, vs, replications=3, workers=2)
    assert _same(one.metrics, two.metrics)


def test_quorum_failure_rises_with_no_show_and_quorum_ratio(tiny: Path) -> None:
    sc = load_scenario(tiny)
    res = run_sweep(sc, [parse_vary("experts.no_show=0.02,0.35", sc), parse_vary("quorum_ratio=1/2,2/3", sc)],
                    replications=6, workers=1)
    df = res.table().set_index(["experts.no_show", "quorum_ratio"])["quorum_failure_rate"]
    assert df[(0.35, "2/3")] > df[(0.02, "2/3")]
    assert df[(0.35, "2/3")] > df[(0.35, "1/2")]
    assert df[(0.02, "1/2")] == 0.0


def test_cli_sweep_writes_files_and_json(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["sweep", str(tiny), "--vary", "staff=1,2", "-n", "2", "--workers", "1",
                                  "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["format"] == "zcsim.sweep/1" and doc["replications"] == 2 and doc["seed"] == 7
    assert doc["varied"][0]["key"] == "staff" and len(doc["variants"]) == 2
    assert (out / "sweep.csv").is_file() and (out / "sweep.json").is_file()
    import pandas as pd

    df = pd.read_csv(out / "sweep.csv")
    assert list(df["staff"]) == [1, 2] and "quorum_failure_rate_high" in df.columns


@pytest.mark.parametrize("args, words", [
    (["--vary", "quorum_ratoi=1/2"], ["quorum_ratoi", "did you mean 'quorum_ratio'"]),
    (["--vary", "experts.no_show=2"], ["experts.no_show", "2"]),
    (["--vary", "staff=x..y"], ["staff", "START..STOP:STEP"]),
    (["--vary", "staff"], ["staff", "KEY=VALUES"]),
])
def test_cli_bad_vary_exits_2_with_one_line(tiny: Path, args: list[str], words: list[str]) -> None:
    r = CliRunner().invoke(main, ["sweep", str(tiny), "-n", "1", *args])
    assert r.exit_code == 2, r.output
    err = r.stderr if hasattr(r, "stderr") else r.output
    assert err.startswith("zcsim: error:") and len(err.strip().splitlines()) == 1
    for w in words:
        assert w in err


def test_cli_sweep_report(tiny: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "rep"
    r = CliRunner().invoke(main, ["sweep", str(tiny), "--vary", "staff=1,2", "-n", "2", "--workers", "1",
                                  "--out", str(out), "--report", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "report.html").is_file() and "staff" in (out / "report.md").read_text(encoding="utf-8")
    # without --out the sweep's files go to a temporary folder; the report is still written
    alone = tmp_path / "alone.html"
    r = CliRunner().invoke(main, ["sweep", str(tiny), "--vary", "staff=1,2", "-n", "2", "--workers", "1",
                                  "--report", str(alone)])
    assert r.exit_code == 0, r.output
    assert alone.is_file() and "staff" in alone.with_suffix(".md").read_text(encoding="utf-8")
    r = CliRunner().invoke(main, ["sweep", str(tiny), "--vary", "staff=1,2", "--report"])
    assert r.exit_code == 2  # --report needs a place to write
