"""A deliberately naive all-pairs reference for :func:`zcsim.conflicts.find_conflicts`.

For every (applicant, expert) pair it tests each rule of the policy from its definition, by path
search on networkx graphs, sharing nothing with the fast finder but the graph and the policy's
options. It is quadratic and slow on purpose: the tests check the fast finder against it on
small random graphs, and the benchmark measures the speed ratio.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import networkx as nx

from zcsim.conflicts._policy import CONFLICT_KINDS, DEFAULT_POLICY, ConflictPolicy

__all__ = ["_naive_conflicts"]


def _minus_years(d: dt.date, n: int) -> dt.date:
    y = d.year - n
    return dt.date(y, d.month, min(d.day, 28 if d.month == 2 and not _leap(y) else d.day))


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _naive_conflicts(
    graph: nx.MultiDiGraph,
    date: dt.date,
    policy: ConflictPolicy = DEFAULT_POLICY,
    *,
    applicants: Iterable[str] | None = None,
) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    """``{(applicant, expert): (strongest kind, other kinds)}`` by testing every pair.

    Examples
    --------
    >>> from zcsim.conflicts import build_graph
    >>> g = build_graph(["E5"], ["A3"], [("E5", "R1", "parent_of"), ("R1", "A3", "parent_of")])
    >>> _naive_conflicts(g, dt.date(2025, 11, 14))
    {('A3', 'E5'): ('lineal', ())}
    """
    nodes = graph.nodes
    persons = [n for n in graph if nodes[n].get("kind", "person") == "person"]
    experts = [n for n in persons if nodes[n].get("expert")]
    apps = [n for n in persons if nodes[n].get("applicant")] if applicants is None else list(applicants)

    def edges(u: str, v: str, typ: str, either: bool = True) -> list[dict[str, Any]]:
        out = [d for d in (graph.get_edge_data(u, v) or {}).values() if d["type"] == typ]
        if either:
            out += [d for d in (graph.get_edge_data(v, u) or {}).values() if d["type"] == typ]
        return out

    def valid(kind: str, d: dict[str, Any]) -> bool:
        s, u = d.get("since"), d.get("until")
        if s is not None and s > date:
            return False
        if kind == "spouse":
            return policy.former_spouses or u is None or not u < date
        if kind == "employment":
            if policy.employment == "ever":
                return True
            return policy.employment == "current" and (u is None or not u < date)
        if kind == "recommender":
            return True
        window = {"supervisor": policy.supervisor_window_years, "coauthor": policy.coauthor_window_years,
                  "project_partner": policy.project_partner_window_years}[kind]
        if window is None:
            return True
        if s is None and u is None:
            return policy.undated_counts
        return u is None or not u < _minus_years(date, window)

    # Effective parents: a DiGraph parent -> child; explicit siblings share all their parents,
    # or an unknown one.
    known = nx.DiGraph()
    sib = nx.Graph()
    for u, v, d in graph.edges(data=True):
        if u == v:
            continue
        if d["type"] == "parent_of":
            known.add_edge(u, v)
        elif d["type"] == "sibling":
            sib.add_edge(u, v)
    par = known.copy()
    for comp in nx.connected_components(sib):
        shared = set()
        for m in comp:
            if m in known:
                shared |= set(known.predecessors(m))
        if not shared:
            shared = {("unknown parent of", min(comp))}
        for m in comp:
            for p in shared:
                par.add_edge(p, m)
    up = par.reverse(copy=True)

    def preds(x: Any) -> set[Any]:
        return set(par.predecessors(x)) if x in par else set()

    def succs(x: Any) -> set[Any]:
        return set(par.successors(x)) if x in par else set()

    def spouses(x: str) -> set[str]:
        out = set()
        for y in graph.successors(x):
            if any(valid("spouse", d) for d in edges(x, y, "spouse", either=False)):
                out.add(y)
        for y in graph.predecessors(x):
            if any(valid("spouse", d) for d in edges(y, x, "spouse", either=False)):
                out.add(y)
        out.discard(x)
        return out

    def siblings(x: Any) -> set[Any]:  # people sharing a parent with x
        return {y for p in preds(x) for y in succs(p) if y != x and isinstance(y, str)}

    def ancestor(x: Any, y: Any) -> bool:  # x is an ancestor of y
        return x in par and y in par and x != y and nx.has_path(par, x, y)

    def orgs(x: str) -> set[str]:
        return {o for o in graph.successors(x)
                if nodes[o].get("kind") == "organisation" and any(valid("employment", d) for d in edges(x, o, "works_at", False))}

    depth = policy.collateral_generations - 1
    kinds_on = set(policy.kinds)
    result: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}
    for a in apps:
        for e in experts:
            found: list[str] = []
            if a == e:
                result[(a, e)] = ("self", ())
                continue
            if "spouse" in kinds_on and e in spouses(a):
                found.append("spouse")
            if "lineal" in kinds_on:
                lim = policy.lineal_generations
                for x, y in ((e, a), (a, e)):
                    if ancestor(x, y) and (lim is None or nx.shortest_path_length(par, x, y) <= lim):
                        found.append("lineal")
                        break
            if "collateral" in kinds_on and not ancestor(e, a) and not ancestor(a, e) and a in par and e in par:
                da = nx.single_source_shortest_path_length(up, a, cutoff=depth)
                de = nx.single_source_shortest_path_length(up, e, cutoff=depth)
                if any(da[c] >= 1 and de[c] >= 1 for c in set(da) & set(de)):
                    found.append("collateral")
            if "in_law" in kinds_on:
                sa = spouses(a)
                if (any(e in preds(s) or e in siblings(s) for s in sa)
                        or any(e in spouses(c) for c in succs(a) if isinstance(c, str))
                        or any(e in spouses(b) for b in siblings(a))):
                    found.append("in_law")
            if "supervisor" in kinds_on and any(valid("supervisor", d) for d in edges(a, e, "supervisor_of")):
                found.append("supervisor")
            if "recommender" in kinds_on and any(valid("recommender", d) for d in edges(e, a, "recommender_of", False)):
                found.append("recommender")
            if "employment" in kinds_on and orgs(a) & orgs(e):
                found.append("employment")
            for kind in ("coauthor", "project_partner"):
                if kind in kinds_on and any(valid(kind, d) for d in edges(a, e, kind)):
                    found.append(kind)
            if found:
                found.sort(key=CONFLICT_KINDS.index)
                result[(a, e)] = (found[0], tuple(found[1:]))
    return result
