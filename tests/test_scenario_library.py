"""The scenario library (scenarios/library/): every file loads and says what it models, golden
summaries of short runs, and sanity checks of each rule change against the baseline.

Golden tests
------------
Each library scenario runs ``REPLICATIONS`` replications from seed ``SEED`` in this process (one
worker) and its summary — :func:`zcsim.sim.output.summary_json`, what ``zcsim simulate --json``
prints — is compared with ``tests/golden/<scenario>.json``. The policy:

* exact: the scenario, the rule set's name, the number of replications, the seed, the set of
  figures and each figure's ``n`` (replications where it is defined);
* every figure's ``mean`` and ``sd`` within a relative tolerance of ``1e-9`` (absolute ``1e-12``),
  ``None`` (undefined) only where the golden has ``None``. A run is deterministic for a seed, so
  any change of one applicant's outcome (at least 1/4,500 of a rate here) fails, while the last
  bits of floating-point sums may differ between platforms. The confidence intervals are not
  compared: they follow from ``mean``, ``sd`` and ``n`` (and scipy's t quantile);
* the rule set's fingerprint is recorded but not compared (a new rule parameter with a default
  changes it without changing any figure);
* numpy does not promise that a ``Generator``'s distributions give the same numbers in every
  release (NEP 19), so a golden records the numpy version that made it: under another numpy
  *major.minor* the metadata is still compared, the figures are skipped with a message saying
  to regenerate.

A golden is regenerated on purpose — after a deliberate change of the simulator, a library file
or numpy — with::

    ZCSIM_UPDATE_GOLDEN=1 pytest tests/test_scenario_library.py

which rewrites every ``tests/golden/*.json`` from the current code (review the diff before
committing it). A missing golden fails with the same hint.

Sanity tests
------------
The other tests do not use the goldens: they compare the variants with the baseline on the same
seeds (common random numbers) and check what each rule change must do — e.g. a quorum of 1/2
adjourns less, a 3/5 threshold passes at least as many, the 2003-style threshold passes only
with yes > 2/3 of all members, no held meeting of the "not a multiple of 3" variant has 12 or 15
present. They fail if the simulator stops honouring a rule, whatever the goldens say.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from zcsim.errors import InputError
from zcsim.sim import RunResult, load_scenario, run_replication, run_replications
from zcsim.sim.output import summary_json

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "scenarios" / "library"
GOLDEN = Path(__file__).resolve().parent / "golden"
REPLICATIONS = 3
SEED = 2020
REL_TOL = 1e-9
ABS_TOL = 1e-12
UPDATE = os.environ.get("ZCSIM_UPDATE_GOLDEN") == "1"

# the issue's list (issue 6, part 3): the Beijing-scale baseline lives beside the library
EXPECTED = {
    "baseline": "the quick baseline under beijing-2020",
    "national-2019": "national-2019",
    "threshold-2003": "the 2003-style strict threshold",
    "quorum-half": "quorum 1/2",
    "pass-3-5": "pass threshold 3/5",
    "series-min-15": "committee minimum 15 by series",
    "no-recusal": "no recusal",
    "strict-recusal": "a strict conflict policy",
    "present-not-multiple-3": "present not a multiple of 3",
    "small-agency": "a small agency (one specialty committee)",
    "exam-surge": "an exam-season surge of applicants",
}
FILES = sorted(LIBRARY.glob("*.yaml"))
NAMES = [p.stem for p in FILES]
PASSED = ("over_quota", "passed", "revoked")  # outcomes of an applicant whose vote passed (Art. 23)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@functools.cache
def run(name: str, policy: str | None = None) -> RunResult:
    """The library scenario ``name`` run REPLICATIONS times from SEED in this process (cached).

    ``policy="default"`` replaces a graph recusal's policy with the default one."""
    sc = load_scenario(LIBRARY / f"{name}.yaml")
    kw: dict[str, Any] = {}
    if sc.recusal.graph is not None:
        from zcsim.recusal import GraphRecusal, recusal_source

        kw["recusal"] = GraphRecusal() if policy == "default" else recusal_source(sc)
    task = functools.partial(run_replication, sc, sc.ruleset(), **kw)
    return run_replications(task, REPLICATIONS, SEED, workers=1)


def summary(name: str) -> dict[str, Any]:
    path = LIBRARY / f"{name}.yaml"
    return summary_json(run(name), scenario=rel(path), rules=load_scenario(path).ruleset())


def per_rep(name: str, metric: str) -> np.ndarray:
    return np.array([r.metrics[metric] for r in run(name).replications], dtype=float)


def mean(name: str, metric: str) -> float:
    return float(per_rep(name, metric).mean())


def header(path: Path) -> str:
    """The comment lines a file opens with."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# the files
# ----------------------------------------------------------------------------------------------
def test_library_has_every_scenario_of_the_issue() -> None:
    assert set(NAMES) == set(EXPECTED), f"missing: {set(EXPECTED) - set(NAMES)}; unexpected: {set(NAMES) - set(EXPECTED)}"
    assert (ROOT / "scenarios" / "beijing-2020.yaml").is_file()  # the Beijing-scale baseline


@pytest.mark.parametrize("path", [*FILES, ROOT / "scenarios" / "beijing-2020.yaml"], ids=lambda p: p.stem)
def test_file_loads_and_opens_with_what_it_models_and_its_articles(path: Path) -> None:
    sc = load_scenario(path)
    top = header(path)
    assert top.startswith("# "), "a scenario opens with a comment (DESIGN.md)"
    assert re.search(r"Art\. \d", top), "the opening comment names the articles it exercises"
    assert len(top.splitlines()) >= 5
    sc.ruleset()  # the rule set and its overrides resolve
    if path.parent == LIBRARY:
        assert top.splitlines()[0].startswith(f"# library/{path.name} — ")
        assert sc.name == f"lib-{path.stem}"
        assert "zcsim compare scenarios/library/" in top, "says what to compare it with"
        for ref in re.findall(r"scenarios/\S+\.yaml", top):
            assert (ROOT / ref).is_file(), f"{path.name} refers to {ref}, which does not exist"
        assert sc.simulation.seed == SEED


def test_variants_differ_from_the_baseline_in_their_rules_or_their_data() -> None:
    base = load_scenario(LIBRARY / "baseline.yaml")
    seen = set()
    for name in NAMES:
        sc = load_scenario(LIBRARY / f"{name}.yaml")
        key = (sc.ruleset().fingerprint(), sc.model_dump_json(exclude={"name", "description"}))
        assert key not in seen, f"{name} duplicates another library file"
        seen.add(key)
    assert base.ruleset().name.startswith("beijing-2020")


# ----------------------------------------------------------------------------------------------
# goldens
# ----------------------------------------------------------------------------------------------
def _versions() -> dict[str, str]:
    from importlib import metadata

    return {pkg: metadata.version(pkg) for pkg in ("numpy", "simpy", "scipy")}


def _major_minor(v: str) -> str:
    return ".".join(v.split(".")[:2])


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


@pytest.mark.parametrize("name", NAMES)
def test_golden_summary(name: str) -> None:
    doc = summary(name)
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        gold = {"about": f"golden summary of scenarios/library/{name}.yaml: {REPLICATIONS} replications, seed {SEED}, "
                         "one worker; regenerate with ZCSIM_UPDATE_GOLDEN=1 pytest tests/test_scenario_library.py",
                "generated_with": _versions(), "summary": doc}
        path.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    if not path.is_file():
        pytest.fail(f"no golden {rel(path)}: generate it with ZCSIM_UPDATE_GOLDEN=1 pytest tests/test_scenario_library.py")
    gold = json.loads(path.read_text(encoding="utf-8"))
    want = gold["summary"]
    for key in ("scenario", "rules", "replications", "seed"):
        assert doc[key] == want[key], f"{key}: {doc[key]!r} != golden {want[key]!r}"
    missing = set(want["metrics"]) - set(doc["metrics"])
    assert not missing, f"figures no longer reported: {sorted(missing)}"
    for m, w in want["metrics"].items():
        assert doc["metrics"][m]["n"] == w["n"], f"{m}: defined in {doc['metrics'][m]['n']} replications, golden {w['n']}"
    made_with = gold["generated_with"]["numpy"]
    if _major_minor(made_with) != _major_minor(_versions()["numpy"]):
        pytest.skip(f"golden made with numpy {made_with}, running {_versions()['numpy']}: random streams may differ; "
                    "regenerate with ZCSIM_UPDATE_GOLDEN=1 pytest tests/test_scenario_library.py")
    diffs = []
    for m, w in want["metrics"].items():
        got = doc["metrics"][m]
        for field in ("mean", "sd"):
            if not _close(got[field], w[field]):
                diffs.append(f"{m}.{field}: {got[field]!r} != golden {w[field]!r}")
    for key in ("applicants", "pass_rate"):
        if not _close(doc.get(key), want.get(key)):
            diffs.append(f"{key}: {doc.get(key)!r} != golden {want.get(key)!r}")
    assert not diffs, (f"{name}: the summary changed ({len(diffs)} figures):\n  " + "\n  ".join(diffs)
                       + "\nIf the change is intended: ZCSIM_UPDATE_GOLDEN=1 pytest tests/test_scenario_library.py")


def test_cli_prints_the_summary_the_goldens_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """`zcsim simulate --json` with the goldens' replications, seed and one worker prints the same summary."""
    from zcsim.cli import main

    monkeypatch.chdir(ROOT)
    res = CliRunner().invoke(main, ["simulate", rel(LIBRARY / "small-agency.yaml"), "-n", str(REPLICATIONS),
                                    "--seed", str(SEED), "--workers", "1", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == json.loads(json.dumps(summary("small-agency")))


# ----------------------------------------------------------------------------------------------
# sanity: each change against the baseline, on common random numbers
# ----------------------------------------------------------------------------------------------
def meetings(name: str) -> list[dict[str, np.ndarray]]:
    return [dict(r.meetings) for r in run(name).replications]


def applicants(name: str) -> list[dict[str, np.ndarray]]:
    return [dict(r.applicants) for r in run(name).replications]


def test_every_run_reviews_the_applicants_it_was_given() -> None:
    for name in NAMES:
        sc = load_scenario(LIBRARY / f"{name}.yaml")
        total = sum(g.count or 0 for g in sc.population.groups)
        assert (per_rep(name, "applicants") == total).all(), name
        assert (per_rep(name, "meetings") >= 1).all(), name
        assert 0 < mean(name, "pass_rate") < 1, name


def test_quorum_half_adjourns_less_and_holds_smaller_meetings() -> None:
    """Art. 22 with quorum 1/2: fewer sittings fail for want of quorum; some sit with < 2/3 present."""
    base, half = mean("baseline", "quorum_failure_rate"), mean("quorum-half", "quorum_failure_rate")
    assert base > 0, "the baseline must show quorum failures for the comparison to mean anything"
    assert half < base
    assert mean("quorum-half", "meeting_attempts") <= mean("baseline", "meeting_attempts")
    below_two_thirds = 0
    for m in meetings("quorum-half"):
        held = ~m["adjourned"].astype(bool)
        assert (2 * m["present"][held] >= m["size"][held]).all()  # ≥ 1/2 of the committee
        below_two_thirds += int((3 * m["present"][held] < 2 * m["size"][held]).sum())
    assert below_two_thirds > 0, "some meeting sat that the 2/3 quorum would have adjourned"
    for m in meetings("baseline"):
        held = ~m["adjourned"].astype(bool)
        assert (3 * m["present"][held] >= 2 * m["size"][held]).all()


def test_pass_threshold_three_fifths_passes_at_least_as_many() -> None:
    """Art. 23 with 3/5: the same votes (common random numbers) and a lower bar."""
    base, reform = per_rep("baseline", "vote_pass_rate"), per_rep("pass-3-5", "vote_pass_rate")
    assert (reform >= base).all()
    assert mean("pass-3-5", "pass_rate") > mean("baseline", "pass_rate")
    for a in applicants("pass-3-5"):
        voted = a["present"] > 0
        ok = np.isin(a["outcome"], PASSED) | (a["outcome"] == "disqualified")
        assert (5 * a["yes"][voted & ok] >= 3 * a["present"][voted & ok]).all()
        failed = a["outcome"] == "failed"
        assert (5 * a["yes"][failed] < 3 * a["present"][failed]).all()


def test_threshold_2003_passes_fewer_and_only_above_two_thirds_of_all_members() -> None:
    """Art. 23, 2003-style: yes > 2/3 of the committee's members, not of those present."""
    assert (per_rep("threshold-2003", "pass_rate") < per_rep("baseline", "pass_rate")).all()
    for name, strict in (("threshold-2003", True), ("baseline", False)):
        bites = 0
        for a, m in zip(applicants(name), meetings(name)):
            size = dict(zip(m["committee"].tolist(), m["size"].tolist()))
            members = np.array([size.get(c, 0) for c in a["committee"].tolist()])
            passed = np.isin(a["outcome"], PASSED) & (a["present"] > 0)
            failed = a["outcome"] == "failed"
            if strict:
                assert (3 * a["yes"][passed] > 2 * members[passed]).all()
                assert (3 * a["yes"][failed] <= 2 * members[failed]).all()
            bites += int((3 * a["yes"][passed] <= 2 * members[passed]).sum())
        if not strict:
            assert bites > 0, "under beijing-2020 some pass with yes ≤ 2/3 of the members (the 2003 rule bites)"
    sc = load_scenario(LIBRARY / "threshold-2003.yaml")
    assert max(c.size or 0 for c in sc.committees) <= 15  # 2003 practice: 7 to 15 members (Art. 9)


def test_present_is_never_a_multiple_of_three_where_the_option_is_set() -> None:
    """present_not_multiple_of = 3: no held meeting has 3k present; the baseline has some."""
    for m in meetings("present-not-multiple-3"):
        held = ~m["adjourned"].astype(bool)
        assert held.any()
        assert (m["present"][held] % 3 != 0).all(), m["present"][held]
    multiples = sum(int(((m["present"] % 3 == 0) & ~m["adjourned"].astype(bool)).sum()) for m in meetings("baseline"))
    assert multiples > 0, "the baseline holds meetings with a multiple of 3 present (the option bites)"
    for a in applicants("present-not-multiple-3"):
        voted = a["present"] > 0
        assert (a["present"][voted] % 3 != 0).all()


def test_exam_surge_lengthens_waits_with_the_same_staff() -> None:
    base, surge = load_scenario(LIBRARY / "baseline.yaml"), load_scenario(LIBRARY / "exam-surge.yaml")
    assert [a.staff for a in surge.agencies] == [a.staff for a in base.agencies]
    assert sum(g.count or 0 for g in surge.population.groups) == 2 * sum(g.count or 0 for g in base.population.groups)
    assert mean("exam-surge", "vetting_wait_mean") > 5 * mean("baseline", "vetting_wait_mean")
    assert mean("exam-surge", "vetting_wait_p95") > mean("baseline", "vetting_wait_p95")
    assert mean("exam-surge", "staff_utilisation") > mean("baseline", "staff_utilisation")
    assert mean("exam-surge", "mean_working_days") > mean("baseline", "mean_working_days")


def test_recusal_none_versus_strict_policy() -> None:
    """Art. 29: no recusal recuses nobody; a strict policy recuses a superset of the default's pairs."""
    assert (per_rep("no-recusal", "recusals_per_meeting") == 0).all()
    for a in applicants("no-recusal"):
        assert (a["recused"] <= 0).all()
    strict = per_rep("strict-recusal", "recusals_per_meeting")
    default = np.array([r.metrics["recusals_per_meeting"] for r in run("strict-recusal", "default").replications])
    assert (strict >= default).all() and strict.mean() > default.mean(), (strict, default)
    assert strict.mean() > mean("baseline", "recusals_per_meeting")
    for s, d in zip(applicants("strict-recusal"), [dict(r.applicants) for r in run("strict-recusal", "default").replications]):
        both = (s["present"] > 0) & (d["present"] > 0)
        assert (s["recused"][both] >= d["recused"][both]).all()


@pytest.mark.parametrize(("name", "override"), [
    ("national-2019", "committee_min_size_levels=junior,intermediate,senior"),
    ("series-min-15", "committee_min_size_series=25"),
])
def test_smaller_committees_are_what_the_variant_allows_and_beijing_2020_does_not(name: str, override: str) -> None:
    """Art. 9: the variant's committees are refused under the 2020 minimums; fewer experts serve."""
    sc = load_scenario(LIBRARY / f"{name}.yaml")
    with pytest.raises(InputError, match=r"Art\. 9"):
        run_replication(sc, sc.ruleset([override]), 1)
    assert mean(name, "experts_serving") < mean("baseline", "experts_serving")


def test_small_agency_has_one_committee_reviewing_two_levels() -> None:
    sc = load_scenario(LIBRARY / "small-agency.yaml")
    assert len(sc.committees) == 1 and sc.committees[0].specialty and len(sc.agencies) == 1
    for a, m in zip(applicants("small-agency"), meetings("small-agency")):
        assert len(set(m["committee"].tolist())) == 1
        voted = a["present"] > 0
        assert set(a["level"][voted].tolist()) == {"senior", "intermediate"}  # Art. 9: the higher committee
    assert mean("small-agency", "staff_utilisation") > 0
