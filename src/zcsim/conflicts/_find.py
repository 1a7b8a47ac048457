"""Finding every conflicted (applicant, expert) pair with its explanation (Art. 29).

The search never looks at all pairs. Plain dict/list indices are derived once from the
networkx graph; then, for each applicant, it walks a bounded kin neighbourhood (its ancestors,
their descendants down to the collateral depth, its own descendants, the spouses of the people
that matter) and the applicant's own employer, supervisor, recommender, co-author and
project-partner edges, and keeps what lands on an expert. Every walk keeps a visited set, so
cyclic (contradictory) family data terminates.

Kinship is computed on *effective parents*: the ``parent_of`` rows, plus, for people tied by
explicit ``sibling`` rows, the parents of all of them (siblings share their parents); siblings
with no known parent share an unknown one. Two people are then siblings when they share an
effective parent, and collateral relatives when they have a common ancestor close enough to both.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx

from zcsim.conflicts._graph import DataWarning, TableInfo, _gc_paused, graph_inputs, graph_warnings, sibling_components
from zcsim.conflicts._policy import CONFLICT_KINDS, DEFAULT_POLICY, KIND_TO_RELATION, ConflictPolicy
from zcsim.errors import InputError

__all__ = [
    "ConflictPair",
    "ConflictReport",
    "find_conflicts",
    "kinship_name",
    "natural_key",
    "display_path",
]

ARTICLE = 29

MAX_KIN_LINKS = 10_000_000
"""Most (person, effective parent) links the kinship index may hold (about 1 GB). Explicit
``sibling`` rows make every member of a sibling group a child of all the group's parents, so a
few contradictory rows (a "family" of 40,000 siblings with 10,000 parents) would need billions;
such data is refused, with the count, before any memory is taken."""

MAX_KIN_HITS = 1_000_000
"""Most kin relations (an expert and an applicant related by blood or marriage) one search may
find: each is kept with its path until the pairs are reported (about 1 KB each). The Beijing-scale
benchmark pool has about 160,000; a random tangle of kin rows relates everyone to everyone."""

MAX_KIN_STEPS = 50_000_000
"""Most steps (edges followed) all kin walks of one search may take together (half a minute or
so; the Beijing-scale benchmark pool, a million relations, needs about 600,000). Beyond it the
search stops and is refused with an estimate of what it would have needed, instead of running
for hours."""

_DIGITS = re.compile(r"(\d+)")


def natural_key(ident: str) -> tuple[Any, ...]:
    """Sort key putting ``A2`` before ``A10``.

    Examples
    --------
    >>> sorted(["A10", "A2", "B1"], key=natural_key)
    ['A2', 'A10', 'B1']
    """
    return tuple(int(t) if i % 2 else t for i, t in enumerate(_DIGITS.split(ident)))


# ------------------------------------------------------------------------------------------------
# names of kinship
# ------------------------------------------------------------------------------------------------
_ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
_TIMES = {1: "once", 2: "twice", 3: "three times"}


def _great(n: int) -> str:
    return "great-" * n


def kinship_name(up: int, down: int) -> str:
    """Name the expert's relation to the applicant from the generations to their nearest common
    ancestor: ``up`` from the applicant, ``down`` from the expert (0 when the common ancestor
    is the person itself).

    Examples
    --------
    >>> kinship_name(2, 0), kinship_name(0, 1), kinship_name(1, 1)
    ('grandparent', 'child', 'sibling')
    >>> kinship_name(2, 1), kinship_name(1, 2), kinship_name(2, 2), kinship_name(2, 3)
    ('uncle/aunt', 'nephew/niece', 'first cousin', 'first cousin once removed')
    """
    if down == 0:
        return "parent" if up == 1 else _great(up - 2) + "grandparent"
    if up == 0:
        return "child" if down == 1 else _great(down - 2) + "grandchild"
    if up == down == 1:
        return "sibling"
    if down == 1:
        return "uncle/aunt" if up == 2 else _great(up - 3) + "great-uncle/aunt"
    if up == 1:
        return "nephew/niece" if down == 2 else _great(down - 3) + "grandnephew/niece"
    degree, removed = min(up, down) - 1, abs(up - down)
    name = f"{_ORDINAL.get(degree, f'{degree}th')} cousin"
    if removed:
        name += f" {_TIMES.get(removed, f'{removed} times')} removed"
    return name


def _period(since: dt.date | None, until: dt.date | None) -> str:
    if since is None and until is None:
        return "undated"
    a = None if since is None else (str(since.year) if (since.month, since.day) == (1, 1) else since.isoformat())
    b = None if until is None else (str(until.year) if (until.month, until.day) == (12, 31) else until.isoformat())
    if a and b:
        if a == b:
            return a
        return f"{a}–{b}" if len(a) == len(b) == 4 else f"{a} to {b}"
    return f"since {a}" if a else f"until {b}"


_ARROWS = (
    (re.compile(r"^<-(.+)-$"), "←{}—"),
    (re.compile(r"^-(.+)->$"), "—{}→"),
    (re.compile(r"^-(.+)-$"), "—{}—"),
)


def display_path(path: Iterable[str]) -> str:
    """The path with arrows, as printed: ``A3 ←parent_of— R1 ←parent_of— E5``.

    Examples
    --------
    >>> display_path(["A1", "-works_at->", "ORG7", "<-works_at-", "E2"])
    'A1 —works_at→ ORG7 ←works_at— E2'
    """
    out = []
    for i, part in enumerate(path):
        if i % 2:
            for pat, fmt in _ARROWS:
                m = pat.match(part)
                if m:
                    part = fmt.format(m.group(1))
                    break
        out.append(part)
    return " ".join(out)


# ------------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ConflictPair:
    """One conflicted (applicant, expert) pair: the expert must recuse from this applicant (Art. 29).

    Parameters
    ----------
    applicant, expert : str
    kind : str
        The strongest kind of conflict (:data:`CONFLICT_KINDS`).
    path : tuple of str
        Node ids alternating with edge labels (``-type->``, ``<-type-``, ``-type-``), from the
        applicant to the expert.
    detail : str
        The kinship or relation named (``grandparent``, ``same employer``, ``co-author (2021)``).
    other_kinds : tuple of str
        The other kinds that apply too, strongest first.

    Examples
    --------
    >>> p = ConflictPair("A3", "E5", "lineal", ("A3", "<-parent_of-", "R1", "<-parent_of-", "E5"), "grandparent")
    >>> p.explanation
    'A3 ←parent_of— R1 ←parent_of— E5: grandparent'
    >>> p.relation, p.citation
    ('close_relative', 'Art. 29')
    """

    applicant: str
    expert: str
    kind: str
    path: tuple[str, ...]
    detail: str
    other_kinds: tuple[str, ...] = ()

    @property
    def relation(self) -> str:
        """The meeting-record relation type (Art. 29) of the strongest kind."""
        return KIND_TO_RELATION[self.kind]

    @property
    def relations(self) -> tuple[str, ...]:
        """The meeting-record relation types of every kind that applies, strongest first."""
        out: list[str] = []
        for k in (self.kind, *self.other_kinds):
            r = KIND_TO_RELATION[k]
            if r not in out:
                out.append(r)
        return tuple(out)

    @property
    def citation(self) -> str:
        """``Art. 29``: recusal."""
        return f"Art. {ARTICLE}"

    @property
    def explanation(self) -> str:
        """The path and the relation named: ``A1 —works_at→ ORG7 ←works_at— E2: same employer``."""
        return f"{display_path(self.path)}: {self.detail}"

    def as_dict(self) -> dict[str, Any]:
        """``{"applicant", "expert", "kind", "path", "detail", "other_kinds"}``."""
        return {"applicant": self.applicant, "expert": self.expert, "kind": self.kind,
                "path": list(self.path), "detail": self.detail, "other_kinds": list(self.other_kinds)}


@dataclass(frozen=True)
class ConflictReport:
    """Every conflicted pair on a review date under a policy, and the data warnings (Art. 29).

    ``pairs`` are sorted by applicant, then expert (``A2`` before ``A10``); each pair appears once.

    Examples
    --------
    >>> from zcsim.conflicts import build_graph, find_conflicts
    >>> g = build_graph(["E2"], ["A1"], [("A1", "ORG7", "works_at"), ("E2", "ORG7", "works_at")])
    >>> rep = find_conflicts(g, "2025-11-14")
    >>> rep.by_applicant()
    {'A1': frozenset({'E2'})}
    >>> rep.pairs[0].explanation
    'A1 —works_at→ ORG7 ←works_at— E2: same employer'
    """

    date: dt.date
    policy: ConflictPolicy
    pairs: tuple[ConflictPair, ...]
    warnings: tuple[DataWarning, ...] = ()
    inputs: tuple[TableInfo, ...] = ()
    """How each input file was read (encoding, rows, skipped lines); empty for a graph built in code."""

    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self) -> Iterator[ConflictPair]:
        return iter(self.pairs)

    def by_applicant(self) -> dict[str, frozenset[str]]:
        """Applicant → the experts who must recuse from their review (only applicants with one)."""
        out: dict[str, set[str]] = {}
        for p in self.pairs:
            out.setdefault(p.applicant, set()).add(p.expert)
        return {a: frozenset(es) for a, es in out.items()}

    def for_applicant(self, applicant: str) -> tuple[ConflictPair, ...]:
        """The pairs of one applicant."""
        return tuple(p for p in self.pairs if p.applicant == applicant)

    @property
    def applicants_affected(self) -> int:
        """How many applicants have at least one conflicted expert."""
        return len({p.applicant for p in self.pairs})

    def counts_by_kind(self) -> dict[str, int]:
        """Pairs per (strongest) kind, strongest first, kinds with no pair left out."""
        counts = dict.fromkeys(CONFLICT_KINDS, 0)
        for p in self.pairs:
            counts[p.kind] += 1
        return {k: n for k, n in counts.items() if n}

    def summary(self) -> str:
        """One line: ``N conflicted pairs, M applicants affected (Art. 29 recusal): kind n, …``."""
        n = len(self.pairs)
        kinds = ", ".join(f"{k} {c}" for k, c in self.counts_by_kind().items())
        head = (f"{n} conflicted pair{'s' if n != 1 else ''}, {self.applicants_affected} applicant"
                f"{'s' if self.applicants_affected != 1 else ''} affected (Art. {ARTICLE} recusal) "
                f"on {self.date.isoformat()}")
        return f"{head}: {kinds}" if kinds else head

    def as_json(self) -> list[dict[str, Any]]:
        """The pairs as JSON-ready dicts (see :meth:`ConflictPair.as_dict`)."""
        return [p.as_dict() for p in self.pairs]

    def as_document(self) -> dict[str, Any]:
        """What ``zcsim conflicts --json`` prints: ``{"date", "conflicts": [pairs], "inputs": [how
        each file was read], "warnings": [data warnings]}`` (``zcsim draw --conflicts`` reads it)."""
        return {"date": self.date.isoformat(), "conflicts": self.as_json(),
                "inputs": [i.as_json() for i in self.inputs], "warnings": [w.as_json() for w in self.warnings]}

    def record_relations(self) -> list[dict[str, str]]:
        """The ``relations`` entries of a ``zcsim.meeting/1`` record (Art. 29): one per pair and
        relation type, ``{"expert", "applicant", "type"}``.

        Examples
        --------
        >>> rep = ConflictReport(dt.date(2025, 1, 1), ConflictPolicy(),
        ...                      (ConflictPair("A1", "E2", "employment", (), "same employer", ("coauthor",)),))
        >>> rep.record_relations()
        [{'expert': 'E2', 'applicant': 'A1', 'type': 'same_employer'}, {'expert': 'E2', 'applicant': 'A1', 'type': 'coauthor'}]
        """
        return [{"expert": p.expert, "applicant": p.applicant, "type": r} for p in self.pairs for r in p.relations]


# ------------------------------------------------------------------------------------------------
# indices
# ------------------------------------------------------------------------------------------------
class _Virtual(tuple):  # type: ignore[type-arg]
    """The unknown common parent of siblings tied only by ``sibling`` rows (never a person)."""

    __slots__ = ()


Node = Any  # str (a person) or _Virtual


class _KinTooLarge(Exception):
    """The kin walks used up :data:`MAX_KIN_STEPS`."""


class _Budget:
    """Steps and kin hits left to the kin walks of one search, and how many walks were made (for
    the estimate)."""

    __slots__ = ("left", "hits_left", "walks", "total")

    def __init__(self, steps: int, hits: int) -> None:
        self.left, self.hits_left, self.walks, self.total = steps, hits, 0, 0

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise _KinTooLarge

    def hit(self) -> None:
        self.hits_left -= 1
        if self.hits_left < 0:
            raise _KinTooLarge


class _Index:
    """Plain dicts derived from the graph for one review date and policy."""

    def __init__(self, g: nx.MultiDiGraph, date: dt.date, policy: ConflictPolicy,
                 max_links: int = MAX_KIN_LINKS, max_steps: int = MAX_KIN_STEPS, max_hits: int = MAX_KIN_HITS) -> None:
        self.date = date
        self.budget = _Budget(max_steps, max_hits)
        self.source = (g.graph.get("sources") or {}).get("relations") or "<relations>"
        experts: set[str] = set()
        applicants: list[str] = []
        for n, d in g.nodes(data=True):
            if d.get("kind", "person") == "person":
                if d.get("expert"):
                    experts.add(n)
                if d.get("applicant"):
                    applicants.append(n)
        app = set(applicants)
        self.experts, self.applicants, self.applicant_set = experts, applicants, app
        parents: dict[str, list[str]] = {}
        sib_adj: dict[str, list[str]] = {}
        spouses: dict[str, list[tuple[str, Any, Any]]] = {}
        jobs: dict[str, list[tuple[str, Any, Any]]] = {}
        org_experts: dict[str, list[tuple[str, Any, Any]]] = {}
        sup: dict[str, list[tuple[str, str, Any, Any]]] = {}
        rec: dict[str, list[tuple[str, Any, Any]]] = {}
        collab: dict[str, dict[str, list[tuple[str, Any, Any]]]] = {"coauthor": {}, "project_partner": {}}
        counts = policy.counts
        emp_on = policy.employment != "off"
        sup_on, rec_on = policy.supervisor, policy.recommender
        col_on = {"coauthor": policy.coauthor, "project_partner": policy.project_partner}
        for u, nbrs in g.adjacency():  # every edge, without the overhead of an edge view
            for v, keydict in nbrs.items():
                if u == v:
                    continue
                for d in keydict.values():
                    t = d["type"]
                    s, e = d.get("since"), d.get("until")
                    if t == "parent_of":
                        ps = parents.get(v)
                        if ps is None:
                            parents[v] = [u]
                        elif u not in ps:
                            ps.append(u)
                    elif t == "works_at":
                        if emp_on and (u in experts or u in app) and (
                                s is None and e is None or counts("employment", s, e, date)):
                            if u in experts:
                                org_experts.setdefault(v, []).append((u, s, e))
                            if u in app:
                                jobs.setdefault(u, []).append((v, s, e))
                    elif t == "spouse":
                        if counts("spouse", s, e, date):
                            spouses.setdefault(u, []).append((v, s, e))
                            spouses.setdefault(v, []).append((u, s, e))
                    elif t == "sibling":
                        sib_adj.setdefault(u, []).append(v)
                        sib_adj.setdefault(v, []).append(u)
                    elif t == "supervisor_of":
                        if sup_on and counts("supervisor", s, e, date):
                            if v in app and u in experts:
                                sup.setdefault(v, []).append((u, "supervisor", s, e))
                            if u in app and v in experts:
                                sup.setdefault(u, []).append((v, "student", s, e))
                    elif t == "recommender_of":
                        if rec_on and v in app and u in experts and counts("recommender", s, e, date):
                            rec.setdefault(v, []).append((u, s, e))
                    elif t in collab:
                        if col_on[t]:
                            ua, va = u in app and v in experts, v in app and u in experts
                            if (ua or va) and counts(t, s, e, date):
                                idx = collab[t]
                                if ua:
                                    idx.setdefault(u, []).append((v, s, e))
                                if va:
                                    idx.setdefault(v, []).append((u, s, e))
        self.parents, self.sib_adj, self.spouses = parents, sib_adj, spouses
        order = {e: i for i, e in enumerate(sorted(experts, key=natural_key))}
        self.rank = order.__getitem__
        for staff in org_experts.values():
            staff.sort(key=lambda item: order[item[0]])  # pairs come out in expert order: no re-sorting
        self.jobs, self.org_experts, self.sup, self.rec = jobs, org_experts, sup, rec
        self.coauthor, self.project_partner = collab["coauthor"], collab["project_partner"]
        # Effective parents: members of a sibling component share all their parents.
        eparents: dict[Node, tuple[Node, ...]] = {c: tuple(ps) for c, ps in parents.items()}
        groups: list[tuple[list[str], tuple[Node, ...]]] = []
        links = sum(len(ps) for ps in eparents.values())
        for comp in sibling_components(sib_adj):
            union = tuple(dict.fromkeys(p for m in comp for p in parents.get(m, ())))
            links += len(comp) * max(len(union), 1) - sum(len(parents.get(m, ())) for m in comp)
            if links > max_links:
                raise InputError(
                    f"the kin rows are too entangled to search: sibling rows join {len(comp):,} people who share "
                    f"{len(union):,} parents, and kinship would need more than {max_links:,} (person, parent) links "
                    f"(MAX_KIN_LINKS); check the sibling and parent_of rows",
                    source=self.source, location="kinship")
            groups.append((comp, union))
        for comp, union in groups:
            shared = union if union else (_Virtual(("siblings", min(comp))),)
            for m in comp:
                eparents[m] = shared
        echildren: dict[Node, list[Node]] = {}
        for c, ps in eparents.items():
            for p in ps:
                echildren.setdefault(p, []).append(c)
        self.eparents, self.echildren = eparents, echildren

    # --- rendering of kin paths -----------------------------------------------------------
    def _sib_bfs(self, x: str, goal: Any) -> list[str]:
        """Nodes from ``x`` to the first node satisfying ``goal`` along sibling rows."""
        prev: dict[str, str | None] = {x: None}
        queue = deque([x])
        while queue:
            n = queue.popleft()
            if goal(n):
                chain = [n]
                while prev[chain[-1]] is not None:
                    chain.append(prev[chain[-1]])  # type: ignore[arg-type]
                return chain[::-1]
            for m in self.sib_adj.get(n, ()):
                if m not in prev:
                    prev[m] = n
                    queue.append(m)
        return [x]

    def _sib_chain(self, x: str, z: str) -> list[str]:
        out: list[str] = []
        for n in self._sib_bfs(x, lambda n: n == z)[1:]:
            out += ["-sibling-", n]
        return out

    def render(self, a: str, steps: list[tuple[str, Node, Node]]) -> tuple[str, ...]:
        """Turn kin steps (``up``/``down`` along effective parents, ``spouse``) into a path of
        real rows: an inherited parent shows the ``sibling`` rows it comes through."""
        out: list[str] = [a]
        i = 0
        while i < len(steps):
            kind, x, y = steps[i]
            if kind == "spouse":
                out += ["-spouse-", y]
            elif kind == "up":
                if isinstance(y, _Virtual):  # the unknown shared parent: the next step goes down from it
                    out += self._sib_chain(x, steps[i + 1][2])
                    i += 2
                    continue
                if y in self.parents.get(x, ()):
                    out += ["<-parent_of-", y]
                else:
                    chain = self._sib_bfs(x, lambda n, y=y: y in self.parents.get(n, ()))
                    for n in chain[1:]:
                        out += ["-sibling-", n]
                    out += ["<-parent_of-", y]
            else:  # down
                if x in self.parents.get(y, ()):
                    out += ["-parent_of->", y]
                else:
                    chain = self._sib_bfs(y, lambda n, x=x: x in self.parents.get(n, ()))[::-1]
                    out += ["-parent_of->", chain[0]]
                    for n in chain[1:]:
                        out += ["-sibling-", n]
            i += 1
        return tuple(out)


# ------------------------------------------------------------------------------------------------
# the search
# ------------------------------------------------------------------------------------------------
def _add(found: dict[str, list[Any]], kind: str, e: str, detail: str, path: Any) -> None:
    hit = found.get(e)
    if hit is None:
        found[e] = [kind, path, detail, None]
    elif hit[0] != kind:
        if hit[3] is None:
            hit[3] = [kind]
        elif kind not in hit[3]:
            hit[3].append(kind)


def _up_chain(up: dict[Node, tuple[int, Node]], n: Node) -> list[Node]:
    chain = [n]
    while up[chain[-1]][1] is not None:
        chain.append(up[chain[-1]][1])
    return chain[::-1]  # from the start to n


def _bfs(start: Node, nbrs: dict[Node, Any], limit: int | None, budget: _Budget) -> dict[Node, tuple[int, Node]]:
    """Shortest distance and predecessor of everything reachable from ``start`` (visited set:
    terminates on cycles), up to ``limit`` steps; each level's edges are charged to ``budget``."""
    seen: dict[Node, tuple[int, Node]] = {start: (0, None)}
    frontier = [start]
    depth = 0
    while frontier and (limit is None or depth < limit):
        depth += 1
        nxt = []
        work = 0
        for x in frontier:
            ys = nbrs.get(x, ())
            work += len(ys)
            for y in ys:
                if y not in seen:
                    seen[y] = (depth, x)
                    nxt.append(y)
        budget.spend(work + 1)
        frontier = nxt
    return seen


_KIN_RANK = {"spouse": 0, "lineal": 1, "collateral": 2, "in_law": 3}
_IN_LAW_SWAP = {"spouse's parent": "child's spouse", "child's spouse": "spouse's parent",
                "spouse's sibling": "sibling's spouse", "sibling's spouse": "spouse's sibling"}


class _Deferred(tuple):  # type: ignore[type-arg]
    """A kin path to render only if it explains a reported pair: (origin, steps, reversed)."""

    __slots__ = ()


def _reverse_path(path: tuple[str, ...]) -> tuple[str, ...]:
    """The same path read from the other end: ``-t->`` and ``<-t-`` swap."""
    out = []
    for i, part in enumerate(reversed(path)):
        if i % 2:
            if part.startswith("<-"):
                part = "-" + part[2:] + ">"
            elif part.endswith("->"):
                part = "<-" + part[1:-1]
        out.append(part)
    return tuple(out)


def _kin(x: str, targets: Any, ix: _Index, policy: ConflictPolicy, emit: Any) -> None:
    """Every kin relation (spouse, lineal, collateral, in-law) from person ``x`` to a person in
    ``targets``: ``emit(kind, y, info, steps)`` with ``info`` the kinship seen from ``x`` —
    ``(up, down)`` generations for blood relatives, the in-law's name, or the spouse's."""
    eparents, echildren, spouses = ix.eparents, ix.echildren, ix.spouses
    budget = ix.budget
    budget.walks += 1
    found = emit

    def emit(kind: str, y: str, info: Any, steps: list[Any]) -> None:
        budget.hit()
        budget.spend(len(steps))  # the path was traced step by step
        found(kind, y, info, steps)

    sp_x = spouses.get(x, ())
    if policy.spouse:
        for s, since, until in sp_x:
            if s in targets and s != x:
                former = until is not None and until < ix.date
                emit("spouse", s, "former spouse" if former else "spouse", [("spouse", x, s)])
    depth = policy.collateral_generations - 1
    if policy.lineal or depth >= 1:
        up = _bfs(x, eparents, None, budget) if x in eparents else {x: (0, None)}
        down = _bfs(x, echildren, None, budget) if x in echildren else {x: (0, None)}
        if policy.lineal:
            limit = policy.lineal_generations
            for tree, direction in ((up, "up"), (down, "down")):
                for n, (dist, _) in tree.items():
                    if dist and n in targets and (limit is None or dist <= limit):
                        chain = _up_chain(tree, n)
                        steps = [(direction, chain[i], chain[i + 1]) for i in range(len(chain) - 1)]
                        emit("lineal", n, (dist, 0) if direction == "up" else (0, dist), steps)
        if depth >= 1:
            best: dict[str, tuple[tuple[int, int, int], Node, dict[Node, tuple[int, Node]]]] = {}
            for c, (da, _) in up.items():
                if da == 0 or da > depth:
                    continue
                below = _bfs(c, echildren, depth, budget)
                for y, (de, _) in below.items():
                    if de and y in targets and y not in up and y not in down:
                        rank = (max(da, de), da + de, da)
                        if y not in best or rank < best[y][0]:
                            best[y] = (rank, c, below)
            for y, ((_, _, da), c, below) in best.items():
                upc, downc = _up_chain(up, c), _up_chain(below, y)
                steps = [("up", upc[i], upc[i + 1]) for i in range(len(upc) - 1)]
                steps += [("down", downc[i], downc[i + 1]) for i in range(len(downc) - 1)]
                emit("collateral", y, (da, below[y][0]), steps)
    if policy.in_laws:
        for s, _, _ in sp_x:
            ps = eparents.get(s, ())
            for p in ps:
                if p in targets and p != x:
                    emit("in_law", p, "spouse's parent", [("spouse", x, s), ("up", s, p)])
            for p in ps:
                for y in echildren.get(p, ()):
                    if y != s and y != x and y in targets:
                        emit("in_law", y, "spouse's sibling", [("spouse", x, s), ("up", s, p), ("down", p, y)])
        for c in echildren.get(x, ()):
            for e, _, _ in spouses.get(c, ()):
                if e != x and e in targets:
                    emit("in_law", e, "child's spouse", [("down", x, c), ("spouse", c, e)])
        for p in eparents.get(x, ()):
            for b in echildren.get(p, ()):
                if b == x:
                    continue
                for e, _, _ in spouses.get(b, ()):
                    if e != x and e in targets:
                        emit("in_law", e, "sibling's spouse", [("up", x, p), ("down", p, b), ("spouse", b, e)])


def _detail(kind: str, info: Any, swap: bool) -> str:
    if kind == "spouse":
        return info
    if kind == "in_law":
        return _IN_LAW_SWAP[info] if swap else info
    up, down = info
    return kinship_name(down, up) if swap else kinship_name(up, down)


def _kin_from_experts(ix: _Index, policy: ConflictPolicy, todo: set[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Kin hits found by walking from each expert (fewer walks when experts are fewer than the
    applicants asked about): applicant -> [(rank, kind, expert, detail, deferred path)]."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    kin_people = (ix.eparents, ix.echildren, ix.spouses)
    for e in ix.experts:
        if not any(e in d for d in kin_people):
            continue

        def emit(kind: str, a: str, info: Any, steps: list[Any], e: str = e) -> None:
            out.setdefault(a, []).append((_KIN_RANK[kind], kind, e, _detail(kind, info, True),
                                          _Deferred((e, steps, True))))

        _kin(e, todo, ix, policy, emit)
    return out


_SAME, _SAME_PAST = "same employer", "same employer (not both current)"


def _conflicts_of(a: str, ix: _Index, policy: ConflictPolicy,
                  kin_hits: dict[str, list[tuple[Any, ...]]] | None = None) -> dict[str, list[Any]]:
    """Applicant ``a``'s conflicts: expert -> [kind, path or deferred path, detail, other kinds].

    Kinds are added strongest first, so the first one recorded for an expert is the strongest.
    ``kin_hits`` holds kin found from the experts' side; without it the kin walk starts at ``a``.
    """
    found: dict[str, list[Any]] = {}
    if a in ix.experts:
        _add(found, "self", a, "the applicant is also in the expert pool", (a,))
    if kin_hits is None:
        if a in ix.eparents or a in ix.echildren or a in ix.spouses:
            def emit(kind: str, e: str, info: Any, steps: list[Any]) -> None:
                _add(found, kind, e, _detail(kind, info, False), _Deferred((a, steps, False)))

            _kin(a, ix.experts, ix, policy, emit)
    else:
        hits = kin_hits.get(a)
        if hits:
            hits.sort(key=lambda h: h[0])
            for _, kind, e, detail, deferred in hits:
                _add(found, kind, e, detail, deferred)
    for e, role, s, u in ix.sup.get(a, ()):
        if role == "supervisor":
            _add(found, "supervisor", e, f"supervisor ({_period(s, u)})", (a, "<-supervisor_of-", e))
        else:
            _add(found, "supervisor", e, f"student ({_period(s, u)})", (a, "-supervisor_of->", e))
    for e, s, u in ix.rec.get(a, ()):
        _add(found, "recommender", e, "recommender", (a, "<-recommender_of-", e))
    jobs = ix.jobs.get(a)
    if jobs:
        date = ix.date
        org_experts = ix.org_experts
        get = found.get
        for org, s1, u1 in jobs:
            now_a = u1 is None or u1 >= date
            for e, s2, u2 in org_experts.get(org, ()):
                if e == a:
                    continue
                hit = get(e)
                if hit is None:
                    detail = _SAME if now_a and (u2 is None or u2 >= date) else _SAME_PAST
                    found[e] = ["employment", (a, "-works_at->", org, "<-works_at-", e), detail, None]
                elif hit[0] != "employment":
                    _add(found, "employment", e, "", None)
    for kind, idx, label in (("coauthor", ix.coauthor, "co-author"), ("project_partner", ix.project_partner, "project partner")):
        for e, s, u in idx.get(a, ()):
            _add(found, kind, e, f"{label} ({_period(s, u)})", (a, f"-{kind}-", e))
    return found


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"expected a review date YYYY-MM-DD, got {value!r}", location="date") from None


def find_conflicts(
    graph: nx.MultiDiGraph,
    date: dt.date | str,
    policy: ConflictPolicy = DEFAULT_POLICY,
    *,
    applicants: Iterable[str] | None = None,
) -> ConflictReport:
    """Every (applicant, expert) pair in which the expert must recuse (Art. 29), each once, with
    the relation path that creates it and the strongest kind (:data:`CONFLICT_KINDS` order).

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        From :func:`load_graph` or :func:`build_graph`.
    date : datetime.date or str
        The review date; dated relations are judged on it.
    policy : ConflictPolicy
        Which relations count, how far and how recent.
    applicants : iterable of str, optional
        Only these applicants (default: all).

    Returns
    -------
    ConflictReport

    Raises
    ------
    InputError
        A malformed date or an applicant id not in the graph.

    Examples
    --------
    >>> from zcsim.conflicts import build_graph
    >>> g = build_graph(["E5"], ["A3"], [("E5", "R1", "parent_of"), ("R1", "A3", "parent_of")])
    >>> [p.explanation for p in find_conflicts(g, "2025-11-14").pairs]
    ['A3 ←parent_of— R1 ←parent_of— E5: grandparent']
    >>> len(find_conflicts(g, "2025-11-14", ConflictPolicy(lineal=False)))
    0
    """
    if not isinstance(graph, nx.MultiDiGraph):
        raise InputError(f"expected the relationship graph (a networkx.MultiDiGraph from load_graph or "
                         f"build_graph), got {type(graph).__name__}")
    day = _as_date(date)
    with _gc_paused():
        return _find(graph, day, policy, applicants)


def _too_large(ix: _Index, max_steps: int, max_hits: int) -> InputError:
    b = ix.budget
    if b.hits_left < 0:
        return InputError(
            f"the kin rows relate more than {max_hits:,} (expert, applicant) pairs by blood or marriage "
            f"(MAX_KIN_HITS), found in {b.walks:,} of {b.total:,} kin walks; check the spouse, sibling and parent_of "
            "rows, or ask about fewer applicants (--applicant)", source=ix.source, location="kinship")
    spent = max_steps - b.left
    estimate = spent * max(b.total, b.walks) // max(b.walks, 1)
    return InputError(
        f"the kin rows are too entangled to search: after {b.walks:,} of {b.total:,} kin walks the search had taken "
        f"{spent:,} steps (about {estimate:,} in all), more than {max_steps:,} (MAX_KIN_STEPS); check the sibling and "
        "parent_of rows (people with many parents, parent_of cycles), or ask about fewer applicants (--applicant)",
        source=ix.source, location="kinship")


def _find(graph: nx.MultiDiGraph, day: dt.date, policy: ConflictPolicy,
          applicants: Iterable[str] | None, side: str | None = None, *,
          max_links: int = MAX_KIN_LINKS, max_steps: int = MAX_KIN_STEPS,
          max_hits: int = MAX_KIN_HITS) -> ConflictReport:
    """The search. ``side`` forces where kin walks start (``"applicants"`` or ``"experts"``);
    by default, from whichever side has fewer people to walk from. The kin walks are bounded by
    ``max_links`` (:data:`MAX_KIN_LINKS`), ``max_steps`` (:data:`MAX_KIN_STEPS`) and ``max_hits``
    (:data:`MAX_KIN_HITS`)."""
    ix = _Index(graph, day, policy, max_links, max_steps, max_hits)
    if applicants is None:
        todo = ix.applicants
    else:
        todo = []
        for a in applicants:
            if a not in ix.applicant_set:
                close = difflib.get_close_matches(a, ix.applicants, n=1) if len(ix.applicants) <= 20_000 else []
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise InputError(f"unknown applicant {a!r}{hint}", location="applicant")
            if a not in todo:
                todo.append(a)
    if side is None:
        side = "experts" if len(ix.experts) < len(todo) else "applicants"
    kin_people = (ix.eparents, ix.echildren, ix.spouses)
    walkers = ix.experts if side == "experts" else todo
    ix.budget.total = sum(1 for x in walkers if any(x in d for d in kin_people))
    try:
        kin_hits = _kin_from_experts(ix, policy, set(todo)) if side == "experts" else None
        found_by = {a: _conflicts_of(a, ix, policy, kin_hits) for a in sorted(todo, key=natural_key)}
    except _KinTooLarge:
        raise _too_large(ix, max_steps, max_hits) from None
    pairs: list[ConflictPair] = []
    append = pairs.append
    render = ix.render
    rank = ix.rank
    for a, found in found_by.items():
        if not found:
            continue
        for e in sorted(found, key=rank) if len(found) > 1 else found:
            kind, path, detail, others = found[e]
            if type(path) is _Deferred:
                origin, steps, backwards = path
                path = render(origin, steps)
                if backwards:
                    path = _reverse_path(path)
            append(ConflictPair(a, e, kind, path, detail, tuple(others) if others else ()))
    return ConflictReport(day, policy, tuple(pairs), tuple(graph_warnings(graph)), tuple(graph_inputs(graph)))
