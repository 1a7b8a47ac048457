"""Recusal conflicts (Art. 29): kinship and relation cases as data, the fast finder against a
naive all-pairs reference, bad input, warnings, and the example pool."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from zcsim.conflicts import (
    CONFLICT_KINDS,
    EDGE_TYPES,
    KIND_TO_RELATION,
    ConflictPair,
    ConflictPolicy,
    DataWarning,
    build_graph,
    find_conflicts,
    graph_warnings,
    kinship_name,
    load_graph,
    load_policy,
    plot_neighbourhood,
    read_relations,
)
from zcsim.conflicts._find import _find
from zcsim.conflicts._reference import _naive_conflicts
from zcsim.errors import InputError, ZcsimError
from zcsim.law import RELATION_TYPES

DATE = dt.date(2025, 11, 14)
POOL = ROOT / "examples" / "pool"


def graph_of(relations: list[tuple[Any, ...]], experts: list[str] | None = None,
             applicants: list[str] | None = None) -> Any:
    """Ids starting with E are experts and with A applicants, unless given; the rest are
    relatives or organisations."""
    ids = {x for r in relations for x in r[:2]}
    experts = experts if experts is not None else sorted(i for i in ids if i.startswith("E"))
    applicants = applicants if applicants is not None else sorted(i for i in ids if i.startswith("A"))
    return build_graph(experts, applicants, relations)


def fast(g: Any, policy: ConflictPolicy | None = None, date: dt.date = DATE) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    """``{(applicant, expert): (kind, other kinds)}`` from the fast finder, as the reference gives it."""
    return {(p.applicant, p.expert): (p.kind, p.other_kinds) for p in find_conflicts(g, date, policy or ConflictPolicy())}


# ------------------------------------------------------------------------------------------------
# Legal cases as data: one named case per line of the policy. The pair is always (A, E).
# expected: None (no conflict) or (kind, detail).
# ------------------------------------------------------------------------------------------------
CASES: list[tuple[str, list[tuple[Any, ...]], dict[str, Any], tuple[str, str] | None]] = [
    # spouse
    ("spouse_current", [("A", "E", "spouse", 2010)], {}, ("spouse", "spouse")),
    ("spouse_former_is_out", [("A", "E", "spouse", 2005, 2015)], {}, None),
    ("spouse_former_with_option", [("A", "E", "spouse", 2005, 2015)], {"former_spouses": True}, ("spouse", "former spouse")),
    ("spouse_future_is_out", [("A", "E", "spouse", "2026-05-01")], {"former_spouses": True}, None),
    ("spouse_off", [("A", "E", "spouse", 2010)], {"spouse": False}, None),
    # lineal, any generation
    ("parent", [("E", "A", "parent_of")], {}, ("lineal", "parent")),
    ("child", [("A", "E", "parent_of")], {}, ("lineal", "child")),
    ("grandparent", [("E", "R1", "parent_of"), ("R1", "A", "parent_of")], {}, ("lineal", "grandparent")),
    ("grandchild", [("A", "R1", "parent_of"), ("R1", "E", "parent_of")], {}, ("lineal", "grandchild")),
    ("great_grandparent_in_as_lineal", [("E", "R2", "parent_of"), ("R2", "R1", "parent_of"), ("R1", "A", "parent_of")],
     {}, ("lineal", "great-grandparent")),
    ("great_great_grandparent_any_generation",
     [("E", "R3", "parent_of"), ("R3", "R2", "parent_of"), ("R2", "R1", "parent_of"), ("R1", "A", "parent_of")],
     {}, ("lineal", "great-great-grandparent")),
    ("lineal_generations_2_excludes_great_grandparent",
     [("E", "R2", "parent_of"), ("R2", "R1", "parent_of"), ("R1", "A", "parent_of")], {"lineal_generations": 2}, None),
    ("lineal_off", [("E", "A", "parent_of")], {"lineal": False}, None),
    ("lineal_off_is_not_collateral", [("E", "R1", "parent_of"), ("R1", "A", "parent_of")], {"lineal": False}, None),
    # collateral within three generations
    ("sibling_from_shared_parent", [("R1", "A", "parent_of"), ("R1", "E", "parent_of")], {}, ("collateral", "sibling")),
    ("half_sibling_shares_one_parent", [("R1", "A", "parent_of"), ("R2", "A", "parent_of"), ("R1", "E", "parent_of"),
                                        ("R3", "E", "parent_of")], {}, ("collateral", "sibling")),
    ("sibling_from_sibling_row", [("A", "E", "sibling")], {}, ("collateral", "sibling")),
    ("sibling_chain_of_rows", [("A", "R1", "sibling"), ("R1", "E", "sibling")], {}, ("collateral", "sibling")),
    ("uncle_aunt_in", [("G", "P", "parent_of"), ("P", "A", "parent_of"), ("G", "E", "parent_of")], {}, ("collateral", "uncle/aunt")),
    ("uncle_via_parent_sibling_row", [("P", "A", "parent_of"), ("P", "E", "sibling")], {}, ("collateral", "uncle/aunt")),
    ("nephew_niece_in", [("G", "A", "parent_of"), ("G", "S", "parent_of"), ("S", "E", "parent_of")], {}, ("collateral", "nephew/niece")),
    ("first_cousin_in", [("G", "P1", "parent_of"), ("G", "P2", "parent_of"), ("P1", "A", "parent_of"), ("P2", "E", "parent_of")],
     {}, ("collateral", "first cousin")),
    ("first_cousin_via_parents_sibling_row", [("P1", "A", "parent_of"), ("P1", "P2", "sibling"), ("P2", "E", "parent_of")],
     {}, ("collateral", "first cousin")),
    ("first_cousins_child_out", [("G", "P1", "parent_of"), ("G", "P2", "parent_of"), ("P1", "A", "parent_of"),
                                 ("P2", "C", "parent_of"), ("C", "E", "parent_of")], {}, None),
    ("first_cousins_child_in_within_4_generations",
     [("G", "P1", "parent_of"), ("G", "P2", "parent_of"), ("P1", "A", "parent_of"), ("P2", "C", "parent_of"), ("C", "E", "parent_of")],
     {"collateral_generations": 4}, ("collateral", "first cousin once removed")),
    ("great_uncle_out", [("GG", "G", "parent_of"), ("G", "P", "parent_of"), ("P", "A", "parent_of"), ("GG", "E", "parent_of")], {}, None),
    ("great_uncle_in_within_4_generations",
     [("GG", "G", "parent_of"), ("G", "P", "parent_of"), ("P", "A", "parent_of"), ("GG", "E", "parent_of")],
     {"collateral_generations": 4}, ("collateral", "great-uncle/aunt")),
    ("first_cousin_out_within_2_generations",
     [("G", "P1", "parent_of"), ("G", "P2", "parent_of"), ("P1", "A", "parent_of"), ("P2", "E", "parent_of")],
     {"collateral_generations": 2}, None),
    ("sibling_in_within_2_generations", [("A", "E", "sibling")], {"collateral_generations": 2}, ("collateral", "sibling")),
    ("collateral_off", [("A", "E", "sibling")], {"collateral_generations": 0}, None),
    ("sibling_row_inherits_known_parent", [("E", "P", "parent_of"), ("P", "Q", "sibling"), ("Q", "A", "parent_of")],
     {}, ("lineal", "grandparent")),
    # close in-laws
    ("spouses_parent_in", [("A", "S", "spouse", 2015), ("E", "S", "parent_of")], {}, ("in_law", "spouse's parent")),
    ("spouses_sibling_in", [("A", "S", "spouse", 2015), ("S", "E", "sibling")], {}, ("in_law", "spouse's sibling")),
    ("spouses_sibling_via_shared_parent", [("A", "S", "spouse", 2015), ("P", "S", "parent_of"), ("P", "E", "parent_of")],
     {}, ("in_law", "spouse's sibling")),
    ("childs_spouse_in", [("A", "C", "parent_of"), ("C", "E", "spouse", 2020)], {}, ("in_law", "child's spouse")),
    ("siblings_spouse_in", [("A", "B", "sibling"), ("B", "E", "spouse", 2020)], {}, ("in_law", "sibling's spouse")),
    ("siblings_spouse_via_shared_parent", [("P", "A", "parent_of"), ("P", "B", "parent_of"), ("B", "E", "spouse", 2020)],
     {}, ("in_law", "sibling's spouse")),
    ("spouses_cousin_out", [("A", "S", "spouse", 2015), ("G", "P1", "parent_of"), ("G", "P2", "parent_of"),
                            ("P1", "S", "parent_of"), ("P2", "E", "parent_of")], {}, None),
    ("spouses_grandparent_out", [("A", "S", "spouse", 2015), ("E", "P", "parent_of"), ("P", "S", "parent_of")], {}, None),
    ("spouses_siblings_spouse_out", [("A", "S", "spouse", 2015), ("S", "B", "sibling"), ("B", "E", "spouse", 2016)], {}, None),
    ("former_spouses_parent_out", [("A", "S", "spouse", 2000, 2010), ("E", "S", "parent_of")], {}, None),
    ("former_spouses_parent_with_option", [("A", "S", "spouse", 2000, 2010), ("E", "S", "parent_of")],
     {"former_spouses": True}, ("in_law", "spouse's parent")),
    ("in_laws_off", [("A", "S", "spouse", 2015), ("E", "S", "parent_of")], {"in_laws": False}, None),
    # same employer
    ("employment_current", [("A", "ORG", "works_at"), ("E", "ORG", "works_at")], {}, ("employment", "same employer")),
    ("employment_current_dated", [("A", "ORG", "works_at", 2022), ("E", "ORG", "works_at", 2010)], {},
     ("employment", "same employer")),
    ("employment_past_is_out", [("A", "ORG", "works_at", 2015, 2020), ("E", "ORG", "works_at")], {}, None),
    ("employment_past_with_ever", [("A", "ORG", "works_at", 2015, 2020), ("E", "ORG", "works_at")], {"employment": "ever"},
     ("employment", "same employer (not both current)")),
    ("employment_future_is_out", [("A", "ORG", "works_at", "2026-01-01"), ("E", "ORG", "works_at")], {}, None),
    ("employment_future_is_out_even_ever", [("A", "ORG", "works_at", "2026-01-01"), ("E", "ORG", "works_at")],
     {"employment": "ever"}, None),
    ("employment_off", [("A", "ORG", "works_at"), ("E", "ORG", "works_at")], {"employment": "off"}, None),
    ("relative_at_the_same_employer_is_out", [("A", "S", "spouse", 2010), ("S", "ORG", "works_at"), ("E", "ORG", "works_at")],
     {}, None),
    # co-authors and project partners: within 5 years before the review date
    ("coauthor_4_years_ago_in", [("A", "E", "coauthor", 2021, 2021)], {}, ("coauthor", "co-author (2021)")),
    ("coauthor_6_years_ago_out", [("A", "E", "coauthor", 2019, 2019)], {}, None),
    ("coauthor_window_boundary_in", [("A", "E", "coauthor", "2020-06-01", "2020-11-14")], {}, ("coauthor", "co-author (2020-06-01 to 2020-11-14)")),
    ("coauthor_window_boundary_out", [("A", "E", "coauthor", "2020-06-01", "2020-11-13")], {}, None),
    ("coauthor_undated_in_conservative", [("A", "E", "coauthor")], {}, ("coauthor", "co-author (undated)")),
    ("coauthor_undated_out_by_option", [("A", "E", "coauthor")], {"undated_counts": False}, None),
    ("coauthor_ongoing_since_in", [("E", "A", "coauthor", 2012)], {}, ("coauthor", "co-author (since 2012)")),
    ("coauthor_window_3_excludes_2021", [("A", "E", "coauthor", 2021, 2021)], {"coauthor_window_years": 3}, None),
    ("coauthor_any_time", [("A", "E", "coauthor", 2001, 2001)], {"coauthor_window_years": None}, ("coauthor", "co-author (2001)")),
    ("coauthor_off", [("A", "E", "coauthor", 2021, 2021)], {"coauthor": False}, None),
    ("coauthor_future_out", [("A", "E", "coauthor", 2026, 2026)], {}, None),
    ("project_partner_recent_in", [("A", "E", "project_partner", 2022, 2024)], {}, ("project_partner", "project partner (2022–2024)")),
    ("project_partner_old_out", [("A", "E", "project_partner", 2010, 2014)], {}, None),
    ("project_partner_off", [("A", "E", "project_partner", 2022, 2024)], {"project_partner": False}, None),
    # supervisor / student, any time
    ("supervisor_any_time", [("E", "A", "supervisor_of", 1990, 1995)], {}, ("supervisor", "supervisor (1990–1995)")),
    ("student_the_other_way", [("A", "E", "supervisor_of", 2001, 2004)], {}, ("supervisor", "student (2001–2004)")),
    ("supervisor_window_10_out", [("E", "A", "supervisor_of", 1990, 1995)], {"supervisor_window_years": 10}, None),
    ("supervisor_off", [("E", "A", "supervisor_of", 1990, 1995)], {"supervisor": False}, None),
    # recommender
    ("recommender_in", [("E", "A", "recommender_of", 2025)], {}, ("recommender", "recommender")),
    ("recommender_off", [("E", "A", "recommender_of", 2025)], {"recommender": False}, None),
]


@pytest.mark.parametrize("side", ["applicants", "experts"])
@pytest.mark.parametrize("name,relations,options,expected", CASES, ids=[c[0] for c in CASES])
def test_conflict_case(name: str, relations: list[tuple[Any, ...]], options: dict[str, Any],
                       expected: tuple[str, str] | None, side: str) -> None:
    g = graph_of(relations)
    policy = ConflictPolicy(**options)
    report = _find(g, DATE, policy, None, side=side)  # kin walks from either side give the same answer
    pairs = {(p.applicant, p.expert): p for p in report.pairs}
    if expected is None:
        assert ("A", "E") not in pairs, pairs[("A", "E")].explanation
    else:
        p = pairs[("A", "E")]
        assert (p.kind, p.detail) == expected, p.explanation
        assert p.path[0] == "A" and p.path[-1] == "E"
        assert p.explanation.endswith(": " + p.detail)
    assert set(pairs) <= {("A", "E")}
    # and the naive reference agrees on every case
    assert fast(g, policy) == _naive_conflicts(g, DATE, policy)


def test_explanations_read_as_the_issue_says() -> None:
    g = graph_of([("E5", "R1", "parent_of"), ("R1", "A3", "parent_of"),
                  ("A1", "ORG7", "works_at"), ("E2", "ORG7", "works_at")])
    rep = find_conflicts(g, DATE)
    assert [p.explanation for p in rep.pairs] == [
        "A1 —works_at→ ORG7 ←works_at— E2: same employer",
        "A3 ←parent_of— R1 ←parent_of— E5: grandparent",
    ]
    assert rep.as_json()[1] == {"applicant": "A3", "expert": "E5", "kind": "lineal",
                                "path": ["A3", "<-parent_of-", "R1", "<-parent_of-", "E5"],
                                "detail": "grandparent", "other_kinds": []}


def test_inherited_parent_path_shows_the_sibling_row() -> None:
    g = graph_of([("E", "P", "parent_of"), ("P", "Q", "sibling"), ("Q", "A", "parent_of")])
    (p,) = find_conflicts(g, DATE).pairs
    assert p.explanation == "A ←parent_of— Q —sibling— P ←parent_of— E: grandparent"


def test_strongest_kind_reported_once_with_the_others() -> None:
    g = graph_of([("A", "E", "spouse", 2010), ("A", "E", "coauthor", 2023, 2023), ("A", "ORG", "works_at"),
                  ("E", "ORG", "works_at"), ("E", "A", "recommender_of", 2025)])
    (p,) = find_conflicts(g, DATE).pairs
    assert p.kind == "spouse"
    assert p.other_kinds == ("recommender", "employment", "coauthor")
    assert p.relations == ("spouse", "recommender", "same_employer", "coauthor")


def test_an_applicant_in_the_expert_pool_is_conflicted_with_themselves() -> None:
    g = build_graph(["X", "E"], ["X"], [("X", "E", "coauthor", 2024, 2024)])
    pairs = {(p.applicant, p.expert): p.kind for p in find_conflicts(g, DATE)}
    assert pairs == {("X", "X"): "self", ("X", "E"): "coauthor"}


def test_strength_order_and_mapping_to_meeting_record_types() -> None:
    assert CONFLICT_KINDS[1:] == ("spouse", "lineal", "collateral", "in_law", "supervisor", "recommender",
                                  "employment", "coauthor", "project_partner")
    assert set(KIND_TO_RELATION) == set(CONFLICT_KINDS)
    assert set(KIND_TO_RELATION.values()) <= set(RELATION_TYPES)
    assert KIND_TO_RELATION["collateral"] == "close_relative"
    assert KIND_TO_RELATION["employment"] == "same_employer"


def test_record_relations_feed_a_meeting_record() -> None:
    from zcsim.records._model import Relation as RecordRelation

    g = graph_of([("A", "E", "spouse", 2010), ("A", "E", "coauthor", 2023, 2023)])
    rels = find_conflicts(g, DATE).record_relations()
    assert rels == [{"expert": "E", "applicant": "A", "type": "spouse"},
                    {"expert": "E", "applicant": "A", "type": "coauthor"}]
    for r in rels:
        RecordRelation.model_validate(r)


@pytest.mark.parametrize("up,down,name", [
    (1, 0, "parent"), (2, 0, "grandparent"), (3, 0, "great-grandparent"), (4, 0, "great-great-grandparent"),
    (0, 1, "child"), (0, 2, "grandchild"), (0, 3, "great-grandchild"),
    (1, 1, "sibling"), (2, 1, "uncle/aunt"), (3, 1, "great-uncle/aunt"), (1, 2, "nephew/niece"),
    (1, 3, "grandnephew/niece"), (2, 2, "first cousin"), (3, 2, "first cousin once removed"),
    (3, 3, "second cousin"), (2, 4, "first cousin twice removed"),
])
def test_kinship_names(up: int, down: int, name: str) -> None:
    assert kinship_name(up, down) == name


# ------------------------------------------------------------------------------------------------
# Property: the fast finder equals the naive all-pairs reference on random small family graphs
# ------------------------------------------------------------------------------------------------
BOUNDS = st.one_of(st.none(), st.integers(2000, 2028))


@st.composite
def random_world(draw: st.DrawFn) -> tuple[Any, ConflictPolicy, dt.date]:
    n = draw(st.integers(2, 9))
    roles = draw(st.lists(st.sampled_from(["expert", "applicant", "relative", "relative", "both"]), min_size=n, max_size=n))
    people = [f"P{i}" for i in range(n)]
    experts = [p for p, r in zip(people, roles) if r in ("expert", "both")]
    applicants = [p for p, r in zip(people, roles) if r in ("applicant", "both")]
    staff = experts + [a for a in applicants if a not in experts]
    orgs = ["O0", "O1"]
    rels: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(0, 16))):
        typ = draw(st.sampled_from(EDGE_TYPES + ("parent_of", "parent_of", "sibling", "spouse")))
        a, b = sorted([draw(BOUNDS), draw(BOUNDS)], key=lambda x: (x is None, x or 0))
        if a is not None and b is not None and a > b:
            a, b = b, a
        if draw(st.booleans()):  # since only, until only, or both
            a, b = (a, None) if draw(st.booleans()) else (None, b)
        if typ in ("spouse", "parent_of", "sibling"):
            rels.append((draw(st.sampled_from(people)), draw(st.sampled_from(people)), typ, a, b))
        elif typ == "works_at":
            if staff or people:
                rels.append((draw(st.sampled_from(people)), draw(st.sampled_from(orgs)), typ, a, b))
        elif typ == "recommender_of":
            if staff and applicants:
                rels.append((draw(st.sampled_from(staff)), draw(st.sampled_from(applicants)), typ, a, b))
        elif staff:
            rels.append((draw(st.sampled_from(staff)), draw(st.sampled_from(staff)), typ, a, b))
    # a works_at source must be a person seen elsewhere: drop the ones that are not
    seen = set(experts) | set(applicants) | {x for r in rels if r[2] in ("spouse", "parent_of", "sibling") for x in r[:2]}
    rels = [r for r in rels if r[2] != "works_at" or r[0] in seen]
    policy = ConflictPolicy(
        former_spouses=draw(st.booleans()),
        lineal=draw(st.booleans()),
        lineal_generations=draw(st.sampled_from([None, 1, 2, 3])),
        collateral_generations=draw(st.sampled_from([0, 2, 3, 3, 4])),
        in_laws=draw(st.booleans()),
        employment=draw(st.sampled_from(["current", "ever", "off"])),
        supervisor_window_years=draw(st.sampled_from([None, 5, 20])),
        coauthor_window_years=draw(st.sampled_from([None, 5, 1])),
        project_partner_window_years=draw(st.sampled_from([None, 5])),
        undated_counts=draw(st.booleans()),
    )
    date = draw(st.sampled_from([DATE, dt.date(2024, 2, 29), dt.date(2030, 1, 1)]))
    return build_graph(experts, applicants, rels), policy, date


@given(random_world(), st.sampled_from(["applicants", "experts"]))
def test_fast_finder_equals_the_naive_reference(world: tuple[Any, ConflictPolicy, dt.date], side: str) -> None:
    g, policy, date = world
    got = {(p.applicant, p.expert): (p.kind, p.other_kinds) for p in _find(g, date, policy, None, side=side)}
    assert got == _naive_conflicts(g, date, policy)


@given(random_world(), st.sampled_from(["applicants", "experts"]))
def test_every_pair_once_sorted_and_explained(world: tuple[Any, ConflictPolicy, dt.date], side: str) -> None:
    g, policy, date = world
    rep = _find(g, date, policy, None, side=side)
    keys = [(p.applicant, p.expert) for p in rep.pairs]
    assert len(keys) == len(set(keys))
    assert keys == sorted(keys)  # ids P0…P8 sort the same naturally and lexically
    for p in rep.pairs:
        assert p.path[0] == p.applicant and p.path[-1] == p.expert
        assert len(p.path) % 2 == 1
        assert p.kind not in p.other_kinds
        assert list(p.other_kinds) == sorted(p.other_kinds, key=CONFLICT_KINDS.index)
        assert CONFLICT_KINDS.index(p.kind) < min((CONFLICT_KINDS.index(k) for k in p.other_kinds), default=99)
        # every node on the path exists and every labelled step is an edge of the graph
        for i in range(1, len(p.path) - 1, 2):
            u, label, v = p.path[i - 1], p.path[i], p.path[i + 1]
            typ = label.strip("<->")
            src, dst = (v, u) if label.startswith("<") else (u, v)
            found = [d["type"] for d in (g.get_edge_data(src, dst) or {}).values()]
            if not label.endswith(">") and not label.startswith("<"):  # symmetric
                found += [d["type"] for d in (g.get_edge_data(dst, src) or {}).values()]
            assert typ in found, (p.explanation, label)


def test_applicant_filter_and_unknown_applicant() -> None:
    g = graph_of([("A1", "E1", "spouse", 2000), ("A2", "E1", "coauthor")])
    assert [p.applicant for p in find_conflicts(g, DATE, applicants=["A2"])] == ["A2"]
    with pytest.raises(InputError, match=r"unknown applicant 'A22' \(did you mean 'A2'\?\)"):
        find_conflicts(g, DATE, applicants=["A22"])
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        find_conflicts(g, "14/11/2025")


# ------------------------------------------------------------------------------------------------
# Bad input: InputError naming file, line and column
# ------------------------------------------------------------------------------------------------
EXPERTS_CSV = "id,employer,series,specialty,level,grassroots,central,non_public,young\n" \
              "E1,ORG1,engineering,electrical,senior,false,false,false,false\n" \
              "E2,ORG2,engineering,civil,senior,false,true,false,false\n"
APPLICANTS_CSV = "id,employer,series,specialty,level\nA1,ORG3,engineering,civil,senior\nA2,ORG1,engineering,civil,intermediate\n"
HEADER = "source,target,type,since,until\n"


def write_pool(tmp_path: Path, relations: str, experts: str = EXPERTS_CSV, applicants: str = APPLICANTS_CSV) -> tuple[str, str, str]:
    paths = []
    for name, text in (("experts.csv", experts), ("applicants.csv", applicants), ("relations.csv", relations)):
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        paths.append(str(p))
    return paths[0], paths[1], paths[2]


BAD_RELATIONS: list[tuple[str, str, str, str | None, str]] = [
    # (name, relations.csv, which file, location, message fragment)
    ("unknown_type", HEADER + "A1,E1,coauthor,2021,\nA1,E2,spuse,,\n", "relations", "line 3, column 3 (type)",
     "unknown relation type 'spuse' (did you mean 'spouse'?); expected one of works_at, spouse, parent_of"),
    ("malformed_since", HEADER + "A1,E1,coauthor,20x9,\n", "relations", "line 2, column 4 (since)", "expected a year"),
    ("malformed_until", HEADER + "A1,E1,coauthor,,2019-13-01\n", "relations", "line 2, column 5 (until)",
     "'2019-13-01' is not a valid date"),
    ("since_after_until", HEADER + "A1,E1,coauthor,2021,2019\n", "relations", "line 2, column 5 (until)", "is before since"),
    ("missing_column", "source,target,type,since\nA1,E1,coauthor,2021\n", "relations", "line 1", "missing column 'until'"),
    ("empty_target", HEADER + "A1,,coauthor,,\n", "relations", "line 2, column 2 (target)", "target is empty"),
    ("dangling_coauthor", HEADER + "A1,X9,coauthor,2021,\n", "relations", "line 2, column 2 (target)",
     "dangling id 'X9': neither an expert nor an applicant"),
    ("dangling_supervisor", HEADER + "R1,A1,spouse,,\nR1,A1,supervisor_of,,\n", "relations", "line 3, column 1 (source)",
     "dangling id 'R1'"),
    ("dangling_recommender", HEADER + "E11,A1,recommender_of,2025,\n", "relations", "line 2, column 1 (source)",
     "dangling id 'E11': neither an expert nor an applicant (did you mean 'E1'?)"),
    ("recommender_of_an_expert", HEADER + "E1,E2,recommender_of,2025,\n", "relations", "line 2, column 2 (target)",
     "'E2' is not an applicant"),
    ("dangling_works_at_source", HEADER + "Z1,ORG1,works_at,,\n", "relations", "line 2, column 1 (source)",
     "dangling id 'Z1'"),
    ("person_used_as_organisation", HEADER + "A1,E1,works_at,,\n", "relations", "line 2, column 2 (target)",
     "'E1' is used as an organisation here but is a person"),
    ("organisation_used_as_person", HEADER + "ORG1,R1,spouse,,\n", "relations", "line 2, column 1 (source)",
     "'ORG1' is used as a person here but is an organisation"),
    ("organisation_as_coauthor", HEADER + "A1,ORG2,coauthor,,\n", "relations", "line 2, column 2 (target)",
     "'ORG2' is an organisation"),
    ("relative_then_organisation", HEADER + "R1,A1,parent_of,,\nE1,R1,works_at,,\n", "relations", "line 3, column 2 (target)",
     "'R1' is used as an organisation here but is a person (" ),
    ("too_many_fields", HEADER + "A1,E1,coauthor,,,extra\n", "relations", "line 2", "6 fields but the header has 5"),
]


@pytest.mark.parametrize("name,relations,which,where,needle", BAD_RELATIONS, ids=[b[0] for b in BAD_RELATIONS])
def test_bad_input_names_file_line_and_column(tmp_path: Path, name: str, relations: str, which: str, where: str | None,
                                              needle: str) -> None:
    ex, ap, rel = write_pool(tmp_path, relations)
    with pytest.raises(InputError) as info:
        load_graph(ex, ap, rel)
    err = info.value
    assert err.source == {"relations": rel, "experts": ex, "applicants": ap}[which]
    if where is not None:
        assert err.location == where, str(err)
    assert needle in err.message, str(err)
    assert isinstance(err, ZcsimError) and isinstance(err, ValueError)


def test_employer_that_is_a_person_is_an_error_in_the_people_file(tmp_path: Path) -> None:
    applicants = APPLICANTS_CSV + "A3,E2,engineering,civil,senior\n"
    ex, ap, rel = write_pool(tmp_path, HEADER, applicants=applicants)
    with pytest.raises(InputError) as info:
        load_graph(ex, ap, rel)
    assert info.value.source == ap
    assert info.value.location == "line 4, column 2 (employer)"
    assert "'E2' is a person" in info.value.message


def test_programmatic_relations_are_checked_too() -> None:
    with pytest.raises(InputError, match=r"<relations>: row 2, column 3 \(type\): unknown relation type 'friend'"):
        build_graph(["E"], ["A"], [("A", "E", "coauthor"), ("A", "E", "friend")])
    with pytest.raises(InputError, match=r"row 1, column 4 \(since\)"):
        build_graph(["E"], ["A"], [("A", "E", "coauthor", "last year")])


def test_read_relations_parses_years_and_dates(tmp_path: Path) -> None:
    _, _, rel = write_pool(tmp_path, HEADER + "A1,E1,coauthor,2019,2019\nE1,A1,supervisor_of,2010-09-01,\n")
    rows = read_relations(rel)
    assert rows[0].since == dt.date(2019, 1, 1) and rows[0].until == dt.date(2019, 12, 31) and rows[0].line == 2
    assert rows[1].since == dt.date(2010, 9, 1) and rows[1].until is None


# ------------------------------------------------------------------------------------------------
# Reported, not crashed on
# ------------------------------------------------------------------------------------------------
def test_contradictory_data_is_reported_and_the_result_still_computed(tmp_path: Path) -> None:
    relations = HEADER + "\n".join([
        "R1,R2,parent_of,,",        # 2  a cycle: R1 and R2 each other's parent
        "R2,R1,parent_of,,",        # 3
        "R2,A1,parent_of,,",        # 4
        "E1,R1,parent_of,,",        # 5  E1 is an ancestor of A1 through the cycle
        "A2,A2,spouse,,",           # 6  self-relation
        "R3,R3,parent_of,,",        # 7  self-relation
        "A1,E2,coauthor,2023,2023", # 8
        "E2,A1,coauthor,2023,2023", # 9  duplicate (coauthor has no direction)
        "R4,A2,parent_of,,",        # 10
        "R5,A2,parent_of,,",        # 11
        "R6,A2,parent_of,,",        # 12 a third parent
        "A2,ORG1,works_at,,",       # 13 duplicate of A2's employer column
    ]) + "\n"
    ex, ap, rel = write_pool(tmp_path, relations)
    g = load_graph(ex, ap, rel)
    warnings = graph_warnings(g)
    text = "\n".join(map(str, warnings))
    assert all(isinstance(w, DataWarning) and w.source == rel for w in warnings)
    assert "line 2: contradictory parent_of data: R1, R2 would each be their own ancestor (a cycle through lines 2, 3)" in text
    assert "line 6: self-relation: A2 spouse A2; ignored" in text
    assert "line 7: self-relation: R3 parent_of R3; ignored" in text
    assert "line 9: duplicate relation E2 coauthor A1 (same as line 8); ignored" in text
    assert "line 12: A2 has 3 parents" in text
    assert "line 13: duplicate relation A2 works_at ORG1 (same as an employer column); ignored" in text
    rep = find_conflicts(g, DATE)
    assert rep.warnings == tuple(warnings)
    got = {(p.applicant, p.expert): (p.kind, p.detail) for p in rep.pairs}
    assert got == {("A1", "E1"): ("lineal", "great-grandparent"), ("A1", "E2"): ("coauthor", "co-author (2023)"),
                   ("A2", "E1"): ("employment", "same employer")}
    assert fast(g) == _naive_conflicts(g, DATE)


def test_long_parent_cycles_terminate() -> None:
    ring = [(f"R{i}", f"R{(i + 1) % 50}", "parent_of") for i in range(50)]
    g = graph_of(ring + [("R0", "A", "parent_of"), ("E", "R25", "parent_of"), ("R10", "B", "sibling")],
                 experts=["E"], applicants=["A"])
    assert any("own ancestor" in w.message for w in graph_warnings(g))
    rep = find_conflicts(g, DATE)
    assert {(p.applicant, p.expert): p.kind for p in rep.pairs} == {("A", "E"): "lineal"}


# ------------------------------------------------------------------------------------------------
# Policy files
# ------------------------------------------------------------------------------------------------
def test_policy_file_round_trip(tmp_path: Path) -> None:
    p = tmp_path / "policy.yaml"
    p.write_text("# stricter\nemployment: ever\ncoauthor_window_years: 3\nlineal_generations: null\n", encoding="utf-8")
    pol = load_policy(p)
    assert pol.employment == "ever" and pol.coauthor_window_years == 3 and pol.lineal_generations is None
    assert ConflictPolicy.from_mapping(pol.as_dict()) == pol
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    assert load_policy(tmp_path / "empty.yaml") == ConflictPolicy()


@pytest.mark.parametrize("text,location,needle", [
    ("coauthor_windows: 3\n", "coauthor_windows", "unknown key (did you mean 'coauthor_window_years'?); valid keys: spouse, "),
    ("employment: sometimes\n", "employment", "expected one of current, ever, off, got 'sometimes'"),
    ("coauthor_window_years: five\n", "coauthor_window_years", "expected an integer from 0 to 100 (MAX_WINDOW_YEARS) or null, got 'five'"),
    ("in_laws: 1\n", "in_laws", "expected true or false, got 1"),
    ("collateral_generations: -1\n", "collateral_generations", "expected an integer from 0 to 10"),
    ("lineal_generations: 0\n", "lineal_generations", "expected an integer from 1 to 10 (MAX_KIN_GENERATIONS) or null"),
    ("- spouse\n", None, "must be a mapping of options"),
    ("spouse: [\n", "line 2, column 1", "not valid YAML"),
])
def test_bad_policy_file(tmp_path: Path, text: str, location: str | None, needle: str) -> None:
    p = tmp_path / "policy.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_policy(p)
    assert info.value.source == str(p)
    assert info.value.location == location
    assert needle in info.value.message, str(info.value)


def test_policy_rejects_ill_typed_values_in_code() -> None:
    with pytest.raises(InputError, match="former_spouses: expected true or false"):
        ConflictPolicy(former_spouses="yes")  # type: ignore[arg-type]
    assert ConflictPolicy(coauthor=False, employment="off").kinds[-2:] == ("recommender", "project_partner")


def test_policy_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="policy file not found"):
        load_policy(tmp_path / "nope.yaml")


# ------------------------------------------------------------------------------------------------
# The example pool (examples/pool): the expected conflicts, derived by hand from the data
# (see examples/pool/README.md), not by running the code.
# ------------------------------------------------------------------------------------------------
EXPECTED_EXAMPLE = {
    ("A1", "E2"): ("employment", "same employer", ()),
    ("A2", "E46"): ("collateral", "first cousin", ()),
    ("A3", "E5"): ("lineal", "grandparent", ("project_partner",)),
    ("A4", "E6"): ("collateral", "first cousin", ()),
    ("A5", "E9"): ("lineal", "great-grandparent", ()),
    ("A6", "E8"): ("collateral", "sibling", ()),
    ("A7", "E10"): ("collateral", "uncle/aunt", ()),
    ("A8", "E12"): ("collateral", "nephew/niece", ()),
    ("A9", "E13"): ("spouse", "spouse", ()),
    ("A11", "E15"): ("in_law", "spouse's parent", ()),
    ("A12", "E16"): ("in_law", "spouse's sibling", ()),
    ("A13", "E17"): ("in_law", "child's spouse", ()),
    ("A14", "E18"): ("in_law", "sibling's spouse", ()),
    ("A18", "E22"): ("employment", "same employer", ()),
    ("A19", "E23"): ("coauthor", "co-author (2021)", ()),
    ("A21", "E25"): ("coauthor", "co-author (undated)", ()),
    ("A22", "E26"): ("project_partner", "project partner (2022–2024)", ()),
    ("A24", "E28"): ("supervisor", "supervisor (2008–2012)", ()),
    ("A25", "E29"): ("recommender", "recommender", ()),
    ("A26", "E30"): ("employment", "same employer", ("coauthor",)),
    ("A27", "E31"): ("supervisor", "supervisor (2015–2018)", ("recommender",)),
    ("A28", "E32"): ("collateral", "sibling", ()),
    ("A31", "E35"): ("lineal", "child", ()),
    ("A32", "E36"): ("lineal", "parent", ()),
    ("A33", "E37"): ("collateral", "uncle/aunt", ()),
    ("A36", "E40"): ("supervisor", "student (2000–2004)", ()),
    ("A38", "E42"): ("project_partner", "project partner (undated)", ()),
    ("A38", "E51"): ("recommender", "recommender", ()),
    ("A39", "E43"): ("coauthor", "co-author (2020-06-01 to 2020-12-15)", ()),
}


@pytest.fixture(scope="module")
def example_graph() -> Any:
    return load_graph(POOL / "experts.csv", POOL / "applicants.csv", POOL / "relations.csv")


def test_example_files_are_plain_csv_of_the_promised_size() -> None:
    sizes = {}
    for name in ("experts.csv", "applicants.csv", "relations.csv"):
        text = (POOL / name).read_text(encoding="utf-8")
        assert not text.startswith("#") and "\n#" not in text, name
        sizes[name] = len(text.strip().splitlines()) - 1
    assert sizes == {"experts.csv": 60, "applicants.csv": 40, "relations.csv": 79}
    assert set(EDGE_TYPES) == {r.type for r in read_relations(POOL / "relations.csv")}


def test_example_expected_conflicts(example_graph: Any) -> None:
    assert graph_warnings(example_graph) == []
    rep = find_conflicts(example_graph, DATE)
    got = {(p.applicant, p.expert): (p.kind, p.detail, p.other_kinds) for p in rep.pairs}
    assert got == EXPECTED_EXAMPLE
    assert rep.applicants_affected == 28
    by = rep.by_applicant()
    assert by["A38"] == frozenset({"E42", "E51"}) and "A10" not in by
    explained = {(p.applicant, p.expert): p.explanation for p in rep.pairs}
    assert explained[("A3", "E5")] == "A3 ←parent_of— R1 ←parent_of— E5: grandparent"
    assert explained[("A1", "E2")] == "A1 —works_at→ ORG7 ←works_at— E2: same employer"
    assert explained[("A2", "E46")] == "A2 ←parent_of— R28 —sibling— R29 —parent_of→ E46: first cousin"
    assert explained[("A14", "E18")] == "A14 —sibling— R16 —spouse— E18: sibling's spouse"
    assert fast(example_graph) == _naive_conflicts(example_graph, DATE)
    other_side = _find(example_graph, DATE, ConflictPolicy(), None, side="experts")
    assert [(p.applicant, p.expert, p.kind, p.detail, p.other_kinds, p.explanation) for p in other_side] == \
        [(p.applicant, p.expert, p.kind, p.detail, p.other_kinds, p.explanation) for p in rep]


@pytest.mark.parametrize("options,added", [
    ({"employment": "ever"}, {("A16", "E20"): "employment", ("A29", "E33"): "employment"}),
    ({"former_spouses": True}, {("A10", "E14"): "spouse"}),
    ({"collateral_generations": 4}, {("A4", "E7"): "collateral", ("A30", "E34"): "collateral"}),
    ({"coauthor_window_years": None, "project_partner_window_years": None},
     {("A20", "E24"): "coauthor", ("A40", "E44"): "coauthor", ("A23", "E27"): "project_partner"}),
])
def test_example_policy_options_add_exactly_these_pairs(example_graph: Any, options: dict[str, Any],
                                                        added: dict[tuple[str, str], str]) -> None:
    base = {(p.applicant, p.expert) for p in find_conflicts(example_graph, DATE)}
    rep = find_conflicts(example_graph, DATE, ConflictPolicy(**options))
    now = {(p.applicant, p.expert): p.kind for p in rep.pairs}
    assert {k: v for k, v in now.items() if k not in base} == added
    assert base <= set(now)


def test_example_plot_is_written(example_graph: Any, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    rep = find_conflicts(example_graph, DATE)
    fig = plot_neighbourhood(example_graph, rep, "A3", date=DATE)
    out = tmp_path / "A3.png"
    fig.savefig(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"A3", "R1", "E5", "parent_of"} <= texts
    with pytest.raises(InputError, match="'E5' is not an applicant"):
        plot_neighbourhood(example_graph, rep, "E5", date=DATE)


def test_plot_on_given_axes_and_without_conflicts(example_graph: Any) -> None:
    mpl = pytest.importorskip("matplotlib.figure")
    fig = mpl.Figure()
    ax = fig.add_subplot()
    rep = find_conflicts(example_graph, DATE)
    assert plot_neighbourhood(example_graph, rep, "A10", date=DATE, ax=ax) is fig


# ------------------------------------------------------------------------------------------------
# Layering (DESIGN.md): conflicts may import draw, procedure, law, calendar, errors — never sim/verify
# ------------------------------------------------------------------------------------------------
def test_conflicts_imports_only_lower_layers() -> None:
    import zcsim.conflicts as pkg

    allowed = {"zcsim.conflicts", "zcsim.draw", "zcsim.procedure", "zcsim.law", "zcsim.calendar", "zcsim.errors", "zcsim._files"}
    for path in Path(pkg.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zcsim"):
                assert any(node.module == a or node.module.startswith(a + ".") for a in allowed), (path, node.module)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(("zcsim.sim", "zcsim.verify", "matplotlib.pyplot")), (path, alias.name)


def test_conflict_pair_is_frozen() -> None:
    p = ConflictPair("A", "E", "spouse", ("A", "-spouse-", "E"), "spouse")
    with pytest.raises(AttributeError):
        p.kind = "lineal"  # type: ignore[misc]


# ------------------------------------------------------------------------------------------------
# A generated pool (the benchmark's generator, scaled down): both walks equal the naive reference
# ------------------------------------------------------------------------------------------------
def test_generated_pool_agrees_with_the_naive_reference(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from make_pool import make_pool
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    make_pool(tmp_path, experts=40, applicants=120, orgs=8, seed=3)
    g = load_graph(tmp_path / "experts.csv", tmp_path / "applicants.csv", tmp_path / "relations.csv")
    assert any("own ancestor" in w.message for w in graph_warnings(g))  # the generator's dirty data
    naive = _naive_conflicts(g, DATE)
    kinds = {k for k, _ in naive.values()}
    assert {"lineal", "collateral", "in_law", "employment"} <= kinds
    for side in ("applicants", "experts"):
        got = {(p.applicant, p.expert): (p.kind, p.other_kinds) for p in _find(g, DATE, ConflictPolicy(), None, side=side)}
        assert got == naive, side
