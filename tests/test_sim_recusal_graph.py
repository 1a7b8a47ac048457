"""Recusal from a relationship graph of the simulated population (Art. 29): the synthetic relations
(zcsim.sim.relations), the graph source (zcsim.recusal) checked against brute force, the hook in the
model, reproducibility across workers, the CLI and the scenario's errors."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from zcsim.cli import main
from zcsim.conflicts import ConflictPolicy
from zcsim.errors import InputError
from zcsim.law import RELATION_TYPES
from zcsim.recusal import GraphRecusal, recusal_source
from zcsim.sim import load_scenario, parse_scenario, run_replication, run_replications, scenario_schema
from zcsim.sim.relations import KIN_KINDS, RELATION_KINDS, RecusalQuestion, SyntheticRelations
from zcsim.sim.scenario import RecusalGraph

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "quick-graph-recusal.yaml"
DATE = dt.date(2025, 9, 15)
NO_KIN = dict.fromkeys(KIN_KINDS, 0.0)
NO_OTHER = {k: 0.0 for k in RELATION_KINDS if k not in KIN_KINDS}


def population(relations: dict[str, float], *, n_persons: int = 300, experts: tuple[int, ...] = (60, 40),
               employers: int = 8, units: int | None = 5, share: float = 0.5, seed: int = 7) -> SyntheticRelations:
    """A synthetic population: experts of two series, persons of both, employers and relations."""
    rng = np.random.default_rng(seed)
    series_e = np.repeat(np.arange(len(experts)), experts)
    rng.shuffle(series_e)
    ids = [f"E{i + 1:06d}" for i in range(series_e.size)]
    settings = RecusalGraph(employers=employers, same_employer_share=share, history_years=10, relations=relations)
    rel = SyntheticRelations(settings, ids, series_e, len(experts), units, np.random.default_rng(seed + 1))
    series = rng.integers(0, len(experts), n_persons)
    ekind = rng.integers(0, 5, n_persons)
    unit = np.where(ekind == 1, rng.integers(0, units or 1, n_persons), -1)
    half = n_persons // 2  # two entry batches, as two simulated years add persons
    rel.add_persons(np.arange(half), series[:half], ekind[:half], unit[:half], year=2024, rng=np.random.default_rng(seed + 2))
    rel.add_persons(np.arange(half, n_persons), series[half:], ekind[half:], unit[half:], year=2025,
                    rng=np.random.default_rng(seed + 3))
    rel.test_series = (series, series_e)  # type: ignore[attr-defined]
    return rel


def question(rel: SyntheticRelations, persons: np.ndarray, experts: np.ndarray,
             relations: tuple[str, ...] = RELATION_TYPES) -> RecusalQuestion:
    return RecusalQuestion(1, "C001", DATE, tuple(f"A{p + 1:07d}" for p in persons.tolist()),
                           tuple(rel.expert_ids[e] for e in experts.tolist()), rel.people(persons, experts), relations)


def brute_force(rel: SyntheticRelations, q: RecusalQuestion, policy: ConflictPolicy) -> set[tuple[str, str]]:
    """The conflicted pairs computed directly from what was drawn (no graph): same current employer,
    and the dated non-kin relations read with the policy's switches and windows."""
    out: set[tuple[str, str]] = set()
    if policy.employment != "off":
        for a in q.applicants:
            ea = rel.employer_of(a)
            for e in q.experts:
                if ea is not None and ea == rel.employer_of(e):
                    out.add((a, e))
    apps, experts = set(q.applicants), set(q.experts)
    year = q.date.year

    def recent(until: int | None, window: int | None) -> bool:
        return window is None or until is None or until >= year - window

    for a, e, kind, since, until in rel.links():
        if a not in apps or e not in experts or (since is not None and since > year):
            continue
        ok = {
            "coauthor": policy.coauthor and recent(until, policy.coauthor_window_years),
            "project_partner": policy.project_partner and recent(until, policy.project_partner_window_years),
            "supervisor_of": policy.supervisor and recent(until, policy.supervisor_window_years),
            "recommender_of": policy.recommender,
            "former_colleague": policy.employment == "ever",
        }[kind]
        if ok:
            out.add((a, e))
    return out


def committees(rel: SyntheticRelations, rng: np.random.Generator, k: int = 4) -> list[tuple[np.ndarray, np.ndarray]]:
    series, series_e = rel.test_series  # type: ignore[attr-defined]
    out = []
    for s in (0, 1):
        for _ in range(k):
            persons = np.sort(rng.choice(np.flatnonzero(series == s), 60, replace=False))
            experts = np.sort(rng.choice(np.flatnonzero(series_e == s), 15, replace=False))
            out.append((persons, experts))
    return out


# --- the graph source against brute force ------------------------------------------------------------

@pytest.mark.parametrize("policy", [
    ConflictPolicy(),
    ConflictPolicy(employment="ever", coauthor_window_years=2, supervisor_window_years=3),
    ConflictPolicy(employment="off", coauthor=False, project_partner_window_years=None, recommender=False),
], ids=["default", "stricter", "looser"])
def test_graph_source_pairs_equal_brute_force(policy: ConflictPolicy) -> None:
    rates = {"supervisor_of": 0.02, "coauthor": 0.05, "project_partner": 0.03, "recommender_of": 0.01,
             "former_colleague": 0.05, **NO_KIN}
    rel = population(rates)
    source = GraphRecusal(policy)
    total = 0
    for persons, experts in committees(rel, np.random.default_rng(3)):
        q = question(rel, persons, experts)
        got = source(q)
        assert len(got) == len(set(got))
        want = brute_force(rel, q, policy)
        assert set(got) == want
        total += len(want)
    assert total > 50  # the comparison is not vacuous
    kinds = {k for _, _, k, _, _ in rel.links()}
    assert kinds == {"supervisor_of", "coauthor", "project_partner", "recommender_of", "former_colleague"}


def test_same_employer_pairs_alone_are_the_pairs_sharing_an_employer() -> None:
    rel = population(dict.fromkeys(RELATION_KINDS, 0.0), employers=4, units=None, share=0.8)
    assert rel.links() == []
    for persons, experts in committees(rel, np.random.default_rng(5), k=2):
        q = question(rel, persons, experts)
        want = {(a, e) for a in q.applicants for e in q.experts
                if rel.employer_of(a) is not None and rel.employer_of(a) == rel.employer_of(e)}
        assert want and set(GraphRecusal()(q)) == want
        assert GraphRecusal(ConflictPolicy(employment="off"))(q) == []


def test_the_rule_sets_recusal_relations_filter_the_pairs() -> None:
    rates = {"coauthor": 0.05, "supervisor_of": 0.0, "project_partner": 0.0, "recommender_of": 0.0,
             "former_colleague": 0.0, **NO_KIN}
    rel = population(rates)
    persons, experts = committees(rel, np.random.default_rng(3), k=1)[0]
    both = set(GraphRecusal()(question(rel, persons, experts)))
    only_employer = set(GraphRecusal()(question(rel, persons, experts, ("same_employer",))))
    only_coauthor = set(GraphRecusal()(question(rel, persons, experts, ("coauthor",))))
    assert only_employer and only_coauthor and only_employer | only_coauthor == both
    assert GraphRecusal()(question(rel, persons, experts, ("spouse",))) == []


def test_kin_relations_are_found_through_relatives_and_follow_the_policy() -> None:
    rates = {**NO_OTHER, "spouse": 0.0005, "parent_of": 0.0005, "sibling": 0.0005, "grandparent": 0.0005,
             "first_cousin": 0.001, "in_law": 0.0005}
    rel = population(rates, n_persons=400, experts=(80, 40), share=0.0)
    links = rel.links()
    assert {k for _, _, k, _, _ in links} == set(KIN_KINDS)
    series, series_e = rel.test_series  # type: ignore[attr-defined]
    persons, experts = np.arange(series.size), np.arange(series_e.size)
    q = question(rel, persons, experts)
    default = set(GraphRecusal()(q))
    assert {(a, e) for a, e, *_ in links} <= default  # every kin relation drawn is a conflict by default
    # an independent union-find: every conflict joins people connected by kin relations
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, e, *_ in links:
        parent[find(a)] = find(e)
    assert all(find(a) == find(e) for a, e in default)
    # a pair related only by this one relation: the policy decides by its kind
    degree: dict[str, int] = {}
    for a, e, *_ in links:
        degree[a] = degree.get(a, 0) + 1
        degree[e] = degree.get(e, 0) + 1
    strict = set(GraphRecusal(ConflictPolicy(lineal_generations=1, collateral_generations=2, in_laws=False))(q))
    alone = [(a, e, k) for a, e, k, _, _ in links if degree[a] == degree[e] == 1]
    assert {k for _, _, k in alone} >= {"grandparent", "first_cousin", "in_law", "spouse"}
    for a, e, k in alone:
        assert ((a, e) in strict) == (k in {"spouse", "parent_of", "sibling"}), (a, e, k)


def test_a_question_carries_the_kin_of_everyone_connected() -> None:
    rates = {**NO_OTHER, **NO_KIN, "sibling": 1.0}
    rel = population(rates, n_persons=2, experts=(2,), units=None)
    p = rel.people(np.array([0]), np.array([0]))
    # A2 and E2 are not on the committee, but siblings of its people: their kin rows come too
    assert ("A0000002", "E000002", "sibling", None, None) in p.relations
    assert "E000001" in p.employers and set(p.employers) <= {"A0000001", "E000001"}  # employers: the committee's only


def test_same_seed_same_population_and_different_seed_another() -> None:
    rates = {"coauthor": 0.05, **NO_KIN}
    a, b, c = population(rates), population(rates), population(rates, seed=8)
    assert a.links() == b.links() and a.expert_employer == b.expert_employer
    assert a.links() != c.links()


# --- the hook in the model ----------------------------------------------------------------------------

def small_scenario(**recusal: Any) -> Any:
    graph = {"employers": 10, "same_employer_share": 0.5,
             "relations": {"coauthor": 0.02, "supervisor_of": 0.01, "sibling": 0.002, "first_cousin": 0.002}, **recusal}
    return parse_scenario({
        "format": "zcsim.scenario/1",
        "calendar": {"year": 2024},
        "population": {"groups": [{"series": "eng", "specialty": "el", "level": "senior", "count": 400}],
                       "materials": {"incomplete": 0.0}, "fraud": {"rate": 0.0}},
        "experts": {"pools": [{"series": "eng", "specialty": "el", "size": 60}], "no_show": 0.0},
        "committees": [{"series": "eng", "specialty": "el", "level": "senior", "size": 15, "panel_capacity": 50}],
        "agencies": [{"id": "AG1", "staff": 20, "vetting_time": 0.01}],
        "recusal": {"graph": graph},
        "post_quotas": {"units": 20},
        "simulation": {"replications": 1, "seed": 1, "years": 2},
    }, source="test", folder=ROOT)


class Recording:
    """A recusal source that records the questions and answers of another."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.asked = inner, []

    def __call__(self, q: RecusalQuestion) -> list[tuple[str, str]]:
        answer = self.inner(q)
        self.asked.append((q, answer))
        return answer


def test_recusals_in_the_outputs_are_the_sources_answers() -> None:
    sc = small_scenario()
    rec = Recording(GraphRecusal())
    r = run_replication(sc, None, 3, keep_records=True, recusal=rec)
    assert [q.year for q, _ in rec.asked] == [1, 2]  # once per committee and year
    apps = r.applicants
    total = 0
    for q, answer in rec.asked:
        assert q.date.year == 2023 + q.year and len(q.experts) == 15
        assert q.recusal_relations == tuple(sc.ruleset().recusal_relations)
        per = {a: sum(1 for x, _ in answer if x == a) for a in q.applicants}
        rows = np.flatnonzero((apps["year"] == q.year) & np.isin(apps["applicant"], list(q.applicants)) & (apps["yes"] >= 0))
        assert rows.size > 0
        for i in rows:  # nobody is absent (no_show 0): every related member recused
            assert apps["recused"][i] == per[apps["applicant"][i]]
        total += len(answer)
        recorded = {(x["applicant"], x["expert"]) for m in r.records if m["meeting"]["date"][:4] == str(q.date.year)
                    for x in m["recusals"]}
        assert recorded <= set(answer)
    assert total > 0 and r.metrics["recusals_per_meeting"] > 0


def test_a_graph_scenario_without_a_source_says_what_to_pass() -> None:
    with pytest.raises(InputError, match=r"recusal\.graph.*GraphRecusal\.from_scenario"):
        run_replication(small_scenario(), None, 1)


def test_the_source_is_used_with_any_scenario_and_overrides_the_rate() -> None:
    sc = load_scenario(ROOT / "scenarios" / "quick.yaml")
    rec = Recording(lambda q: [])
    r = run_replication(sc, None, 1, recusal=rec)
    assert rec.asked and r.metrics["recusals_per_meeting"] == 0  # quick.yaml's rate is not used
    assert any(q.people.employers for q, _ in rec.asked)  # the default recusal.graph drew employers


def test_same_seed_same_results_with_one_and_two_workers() -> None:
    sc = small_scenario()
    task = functools.partial(run_replication, sc, sc.ruleset(), recusal=recusal_source(sc))
    one = run_replications(task, 3, 11, workers=1)
    two = run_replications(task, 3, 11, workers=2)
    for a, b in zip(one.replications, two.replications):
        assert json.dumps(a.metrics, sort_keys=True) == json.dumps(b.metrics, sort_keys=True)  # NaN == NaN here
        for col in ("applicant", "recused", "yes", "outcome"):
            assert (a.applicants[col] == b.applicants[col]).all()
    assert sum(r.metrics["recusals_per_meeting"] for r in one.replications) > 0


# --- the scenario and the CLI ---------------------------------------------------------------------

def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_shipped_graph_scenario_runs_through_simulate_json() -> None:
    code, out, _ = run("simulate", str(SCENARIO), "-n", "2", "--workers", "1", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["metrics"]["recusals_per_meeting"]["mean"] > 0
    code2, out2, _ = run("simulate", str(SCENARIO), "-n", "2", "--workers", "2", "--json")
    assert code2 == 0 and json.loads(out2)["metrics"] == doc["metrics"]


def test_compare_with_fewer_recusal_relations_recuses_less() -> None:
    code, out, _ = run("compare", str(SCENARIO), "--set", "recusal_relations=spouse,close_relative",
                       "-n", "2", "--workers", "1", "--json")
    assert code == 0
    d = json.loads(out)["metrics"]["recusals_per_meeting"]["difference"]
    assert d["mean"] < 0


def test_schema_documents_the_graph_section() -> None:
    defs = scenario_schema()["$defs"]
    assert "graph" in defs["RecusalSettings"]["properties"]
    props = defs["RecusalGraph"]["properties"]
    assert {"employers", "same_employer_share", "history_years", "relations", "policy"} <= set(props)
    assert set(defs["RelationRates"]["properties"]) == set(RELATION_KINDS)
    assert all(p.get("description") for p in props.values())
    assert all(p.get("description") for p in defs["RelationRates"]["properties"].values())


BASE = SCENARIO.read_text(encoding="utf-8")


def graph_variant(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    assert old in BASE
    text = BASE.replace(old, new)
    path = tmp_path / "g.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if new.splitlines()[-1] in ln)
    return path, line


@pytest.mark.parametrize("old, new, key, words", [
    ("  graph:\n", "  rate: 0.01\n  graph:\n", "recusal.graph", "not both"),
    ("      coauthor: 0.002\n", "      coauthors: 0.002\n", "recusal.graph.relations.coauthors", "did you mean 'coauthor'"),
    ("      coauthor: 0.002\n", "      coauthor: 1.5\n", "recusal.graph.relations.coauthor", "1.5"),
    ("    same_employer_share: 0.3", "    same_employer_share: lots", "recusal.graph.same_employer_share", "expected a number"),
    ("    policy: null", "    policy: no-such-policy.yaml", "recusal.graph.policy", "not found"),
    ("    policy: null", "    policy: {employment: sometimes}", "recusal.graph.policy.employment", "current, ever, off"),
    ("    policy: null", "    policy: {coauthor_windows: 3}", "recusal.graph.policy.coauthor_windows",
     "did you mean 'coauthor_window_years'"),
])
def test_bad_graph_settings_exit_2_naming_file_line_and_key(tmp_path: Path, old: str, new: str, key: str,
                                                           words: str) -> None:
    path, line = graph_variant(tmp_path, old, new)
    code, out, err = run("simulate", str(path), "-n", "1", "--workers", "1", "--json")
    assert code == 2 and out == "" and "Traceback" not in err
    assert str(path) in err and f"line {line}, {key}" in err and words in err, err


def test_a_bad_policy_file_exits_2_naming_both_files(tmp_path: Path) -> None:
    (tmp_path / "strict.yaml").write_text("employment: ever\ncoauthor_window_years: soon\n", encoding="utf-8")
    path, line = graph_variant(tmp_path, "    policy: null", "    policy: strict.yaml")
    code, _, err = run("simulate", str(path), "-n", "1", "--workers", "1")
    assert code == 2 and f"line {line}, recusal.graph.policy" in err and "strict.yaml" in err
    assert "coauthor_window_years" in err and "Traceback" not in err
    (tmp_path / "strict.yaml").write_text("employment: ever\ncoauthor_window_years: 3\n", encoding="utf-8")
    sc = load_scenario(path)
    assert GraphRecusal.from_scenario(sc).policy == ConflictPolicy(employment="ever", coauthor_window_years=3)
    code, _, err = run("simulate", str(path), "-n", "1", "--workers", "1", "--json")
    assert code == 0, err
