"""Recusal conflicts (Art. 29) found in a relationship graph of people and organisations.

Load the graph from the CSV files an agency exports, choose a :class:`ConflictPolicy` (the
default follows the civil-service recusal rules 人社部规〔2019〕1号 and common practice), and list
every conflicted (applicant, expert) pair once, with the relation path that explains it.

Examples
--------
>>> from zcsim.conflicts import build_graph, find_conflicts
>>> g = build_graph(
...     ["E2", "E5"], ["A1", "A3"],
...     [("E5", "R1", "parent_of"), ("R1", "A3", "parent_of"),
...      ("A1", "ORG7", "works_at"), ("E2", "ORG7", "works_at", 2020)])
>>> report = find_conflicts(g, "2025-11-14")
>>> for pair in report.pairs:
...     print(pair.explanation)
A1 —works_at→ ORG7 ←works_at— E2: same employer
A3 ←parent_of— R1 ←parent_of— E5: grandparent
>>> report.by_applicant()["A3"]
frozenset({'E5'})
"""

from zcsim.conflicts._find import ConflictPair, ConflictReport, display_path, find_conflicts, kinship_name
from zcsim.conflicts._graph import (
    EDGE_TYPES,
    KIN_TYPES,
    RELATIONS_COLUMNS,
    SYMMETRIC_TYPES,
    DataWarning,
    Relation,
    TableInfo,
    build_graph,
    check_one_stdin,
    graph_inputs,
    graph_warnings,
    load_graph,
    near_misses,
    parse_bound,
    read_relations,
)
from zcsim.conflicts._plot import PlotUnavailableError, plot_neighbourhood
from zcsim.conflicts._policy import (
    CONFLICT_KINDS,
    DEFAULT_POLICY,
    EMPLOYMENT_MODES,
    KIND_TO_RELATION,
    ConflictPolicy,
    load_policy,
)

__all__ = [
    # graph
    "EDGE_TYPES",
    "KIN_TYPES",
    "SYMMETRIC_TYPES",
    "RELATIONS_COLUMNS",
    "Relation",
    "DataWarning",
    "parse_bound",
    "read_relations",
    "build_graph",
    "load_graph",
    "graph_warnings",
    "graph_inputs",
    "near_misses",
    "check_one_stdin",
    "TableInfo",
    # policy
    "CONFLICT_KINDS",
    "KIND_TO_RELATION",
    "DEFAULT_POLICY",
    "EMPLOYMENT_MODES",
    "ConflictPolicy",
    "load_policy",
    # finding
    "ConflictPair",
    "ConflictReport",
    "find_conflicts",
    "kinship_name",
    "display_path",
    # plotting
    "PlotUnavailableError",
    "plot_neighbourhood",
]
