"""Panels under a committee (Art. 20) and the assignment of applicants to them (Art. 29).

The committee's experts are split at random into ``k`` panels whose sizes differ by at most one,
each of at least ``panel_min_size`` experts. An applicant may go to a panel only if none of its
experts is conflicted with that applicant. When the random split leaves some applicant without
such a panel, a repair step moves conflicted experts between panels: a local search of swaps,
then an exhaustive backtracking search over the panels of the conflicted experts (bounded; when
it finishes without a solution, the impossibility is proved for that number of panels).
Applicants are then assigned by a max-flow over classes of applicants with the same allowed
panels (networkx), with the smallest possible largest panel load and, within that, every panel
holding at least ``⌊n / k⌋`` applicants where the conflicts allow (loads within ±1).

Default number of panels: as many as give about ``DEFAULT_APPLICANTS_PER_PANEL`` (50) applicants
per panel, and no more than the committee can staff with ``panel_min_size`` experts each; when the
conflicts leave some applicant without a free panel at that number, more (smaller) panels are
tried, up to ``size // panel_min_size``. An explicit number of panels is used as given.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zcsim.draw._committee import CommitteeDraw, find_replacement, with_replacement
from zcsim.draw._errors import Diagnosis, DrawError, Relaxation
from zcsim.draw._pool import ApplicantRecord
from zcsim.draw._seed import Seed, child, generator, seed_json, seed_sequence
from zcsim.law import LEVELS, RuleSet
from zcsim.procedure._finding import Finding
from zcsim.procedure.committee import panel_composition
from zcsim.procedure.meeting import conflicts_for, panel_conflicts

__all__ = ["assign_panels", "default_panel_count", "PanelAssignment", "Panel", "OutOfScope",
           "DEFAULT_APPLICANTS_PER_PANEL", "EXACT_SEARCH_NODES"]

DEFAULT_APPLICANTS_PER_PANEL = 50
"""Applicants per panel the default number of panels aims at."""

EXACT_SEARCH_NODES = 50_000
"""Node budget of the exhaustive repair search; beyond it a failure is reported as not proved."""

_VERIFY_NODES = 10_000
"""Node budget when zcsim checks a proposed relaxation (a relaxation that needs more is unverified)."""


@dataclass(frozen=True, slots=True)
class Panel:
    """One panel: its experts and the applicants it reviews."""

    id: str
    experts: tuple[str, ...]
    applicants: tuple[str, ...]

    @property
    def load(self) -> int:
        return len(self.applicants)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "experts": list(self.experts), "applicants": list(self.applicants), "load": self.load}


@dataclass(frozen=True, slots=True)
class OutOfScope:
    """An applicant the committee may not review (Art. 7 series/specialty, Art. 9 level)."""

    applicant: str
    reason: str
    article: int

    def as_json(self) -> dict[str, Any]:
        return {"applicant": self.applicant, "reason": self.reason, "article": self.article}


@dataclass(frozen=True)
class PanelAssignment:
    """Panels of a committee and the applicants assigned to each.

    Attributes
    ----------
    committee : CommitteeDraw
    panels : tuple of Panel
    out_of_scope : tuple of OutOfScope
        Applicants outside the committee's series, specialty or levels (not assigned).
    search : str
        ``random`` (the first random split worked), ``repaired`` (local search), ``exhaustive``
        (backtracking search).
    findings : tuple of Finding
        :func:`~zcsim.procedure.committee.panel_composition` for each panel (all ok); conflict
        findings (``recusal.panel``) would appear here if any, and never do.
    """

    committee: CommitteeDraw = field(repr=False)
    panels: tuple[Panel, ...]
    out_of_scope: tuple[OutOfScope, ...]
    seed: Any
    search: str
    findings: tuple[Finding, ...] = field(repr=False)

    @property
    def loads(self) -> tuple[int, ...]:
        return tuple(p.load for p in self.panels)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def panel_of(self, applicant: str) -> Panel | None:
        return next((p for p in self.panels if applicant in p.applicants), None)

    def as_json(self) -> dict[str, Any]:
        return {"seed": self.seed, "search": self.search, "panels": [p.as_json() for p in self.panels],
                "loads": {"min": min(self.loads, default=0), "max": max(self.loads, default=0)},
                "out_of_scope": [o.as_json() for o in self.out_of_scope],
                "checks": [{**f.as_dict(), "ok": f.ok} for f in self.findings]}


def default_panel_count(committee_size: int, applicants: int, rules: RuleSet) -> int:
    """``min(size // panel_min_size, ⌈applicants / 50⌉)``, at least 1.

    >>> from zcsim import load_rules
    >>> default_panel_count(25, 1000, load_rules()), default_panel_count(25, 120, load_rules())
    (8, 3)
    """
    most = committee_size // rules.panel_min_size
    return max(1, min(most, math.ceil(applicants / DEFAULT_APPLICANTS_PER_PANEL)))


def _sizes(n: int, k: int) -> list[int]:
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _scope(draw: CommitteeDraw, applicants: Iterable[ApplicantRecord], rules: RuleSet
           ) -> tuple[list[ApplicantRecord], list[OutOfScope]]:
    inside: list[ApplicantRecord] = []
    out: list[OutOfScope] = []
    seen: set[str] = set()
    rank = LEVELS.index(draw.level)
    level_rank = {lv: i for i, lv in enumerate(LEVELS)}
    series, specialty = draw.series, draw.specialty
    cross = rules.no_cross_series_committees
    lower = rules.higher_committee_reviews_lower
    for a in applicants:
        aid = a.id
        n = len(seen)
        seen.add(aid)
        if len(seen) == n:
            raise DrawError([Diagnosis(f"applicant {aid} is listed twice", 20, aid)])
        r = level_rank.get(a.level, -1)
        if a.series != series and cross:
            out.append(OutOfScope(aid, f"series {a.series} is not the committee's series {series} "
                                       "(no cross-series committees)", 7))
        elif specialty is not None and a.specialty != specialty:
            out.append(OutOfScope(aid, f"specialty {a.specialty or '(none)'} is not the specialty {specialty} "
                                       "the committee is formed for", 7))
        elif r < 0 or r > rank:
            out.append(OutOfScope(aid, f"applies at {a.level} level, above the {draw.level} committee's level", 9))
        elif r < rank and not lower:
            out.append(OutOfScope(aid, f"applies at {a.level} level; a {draw.level} committee reviews only its own "
                                       "level (higher_committee_reviews_lower = false)", 9))
        else:
            inside.append(a)
    return inside, out


# ----------------------------------------------------------------------------------------------
# partition search
# ----------------------------------------------------------------------------------------------
@dataclass
class _Search:
    """Experts 0..n-1 in panels; applicants with their conflicted experts (indices)."""

    n: int
    sizes: list[int]
    conf: list[list[int]]  # per problem applicant

    def __post_init__(self) -> None:
        self.k = len(self.sizes)
        self.by_expert: list[list[int]] = [[] for _ in range(self.n)]
        for a, es in enumerate(self.conf):
            for e in es:
                self.by_expert[e].append(a)

    def counts(self, panel_of: np.ndarray) -> np.ndarray:
        cnt = np.zeros((len(self.conf), self.k), dtype=np.int64)
        for a, es in enumerate(self.conf):
            for e in es:
                cnt[a, panel_of[e]] += 1
        return cnt

    def unplaced(self, panel_of: np.ndarray) -> list[int]:
        cnt = self.counts(panel_of)
        return [a for a in range(len(self.conf)) if (cnt[a] > 0).all()]

    def random_split(self, rng: np.random.Generator) -> np.ndarray:
        order = rng.permutation(self.n)
        panel_of = np.empty(self.n, dtype=np.int64)
        start = 0
        for p, s in enumerate(self.sizes):
            panel_of[order[start:start + s]] = p
            start += s
        return panel_of

    def local_search(self, panel_of: np.ndarray, rng: np.random.Generator, iters: int) -> tuple[np.ndarray, int]:
        """Swap experts between panels to reduce the number of applicants with no free panel."""
        panel_of = panel_of.copy()
        cnt = self.counts(panel_of).tolist()
        free = [row.count(0) for row in cnt]  # panels with none of the applicant's conflicted experts
        bad = {a for a in range(len(self.conf)) if not free[a]}
        best, best_bad = panel_of.copy(), len(bad)
        for _ in range(iters):
            if not bad:
                return panel_of, 0
            a = sorted(bad)[int(rng.integers(len(bad)))]
            row = cnt[a]
            least = min(row)
            low = [p for p in range(self.k) if row[p] == least]
            p = low[int(rng.integers(len(low)))]
            mine = [e for e in self.conf[a] if panel_of[e] == p]
            e = mine[int(rng.integers(len(mine)))]
            conf_a = set(self.conf[a])
            others = [f for f in range(self.n) if panel_of[f] != p and f not in conf_a]
            if not others:
                continue
            f = others[int(rng.integers(len(others)))]
            q = int(panel_of[f])
            before = len(bad)
            self._move(cnt, free, bad, panel_of, e, p, q)
            self._move(cnt, free, bad, panel_of, f, q, p)
            if len(bad) > before and rng.random() > 0.05:
                self._move(cnt, free, bad, panel_of, e, q, p)
                self._move(cnt, free, bad, panel_of, f, p, q)
            if len(bad) < best_bad:
                best, best_bad = panel_of.copy(), len(bad)
        return best, best_bad

    def _move(self, cnt: list[list[int]], free: list[int], bad: set[int], panel_of: np.ndarray, e: int,
              src: int, dst: int) -> None:
        panel_of[e] = dst
        for a in self.by_expert[e]:
            row = cnt[a]
            row[src] -= 1
            if row[src] == 0:
                free[a] += 1
            if row[dst] == 0:
                free[a] -= 1
            row[dst] += 1
            if free[a]:
                bad.discard(a)
            else:
                bad.add(a)

    def exhaustive(self, rng: np.random.Generator, budget: int) -> tuple[np.ndarray | None, bool]:
        """Backtracking over the panels of the conflicted experts. Returns (solution or None,
        finished): ``(None, True)`` proves that no split into these panel sizes works."""
        involved = [e for e in range(self.n) if self.by_expert[e]]
        tie = rng.permutation(self.n)
        involved.sort(key=lambda e: (-len(self.by_expert[e]), tie[e]))
        full = (1 << self.k) - 1
        masks = [0] * len(self.conf)
        left = list(self.sizes)
        where = [-1] * self.n
        nodes = 0

        def place(i: int) -> bool:
            nonlocal nodes
            if i == len(involved):
                return True
            e = involved[i]
            tried_empty: set[int] = set()
            for p in range(self.k):
                if not left[p]:
                    continue
                if left[p] == self.sizes[p]:  # empty panel: equal-size empty panels are interchangeable
                    if self.sizes[p] in tried_empty:
                        continue
                    tried_empty.add(self.sizes[p])
                nodes += 1
                if nodes > budget:
                    raise _Budget
                saved = [(a, masks[a]) for a in self.by_expert[e]]
                dead = False
                for a in self.by_expert[e]:
                    masks[a] |= 1 << p
                    dead = dead or masks[a] == full
                if not dead:
                    left[p] -= 1
                    where[e] = p
                    if place(i + 1):
                        return True
                    left[p] += 1
                    where[e] = -1
                for a, m in saved:
                    masks[a] = m
            return False

        try:
            found = place(0)
        except _Budget:
            return None, False
        if not found:
            return None, True
        panel_of = np.array(where, dtype=np.int64)
        free = [e for e in rng.permutation(self.n) if where[int(e)] < 0]
        slots = [p for p in range(self.k) for _ in range(left[p])]
        for e, p in zip(free, slots):
            panel_of[int(e)] = p
        return panel_of, True

    def solve(self, rng: np.random.Generator, budget: int = EXACT_SEARCH_NODES
              ) -> tuple[np.ndarray, str, list[int], bool]:
        """(split, method, applicants left unplaced, proved impossible)."""
        panel_of = self.random_split(rng)
        left = self.unplaced(panel_of)
        if not left:
            return panel_of, "random", [], False
        best, nbad = self.local_search(panel_of, rng, iters=max(200, 40 * self.n))
        if nbad == 0:
            return best, "repaired", [], False
        exact, finished = self.exhaustive(rng, budget)
        if exact is not None:
            return exact, "exhaustive", [], False
        return best, "failed", self.unplaced(best), finished


class _Budget(Exception):
    pass


# ----------------------------------------------------------------------------------------------
# load balancing
# ----------------------------------------------------------------------------------------------
def _balance(classes: Mapping[int, list[str]], k: int, rng: np.random.Generator) -> list[list[str]]:
    """Assign applicants (grouped by allowed-panel mask) minimising the largest load, then
    keeping every panel at ⌊n/k⌋ or more where possible."""
    import networkx as nx

    n = sum(len(v) for v in classes.values())
    out: list[list[str]] = [[] for _ in range(k)]
    if n == 0:
        return out

    def graph(cap: int, floor: int | None = None) -> Any:
        g = nx.DiGraph()
        for mask, apps in classes.items():
            g.add_edge("s", ("c", mask), capacity=len(apps))
            for p in range(k):
                if mask >> p & 1:
                    g.add_edge(("c", mask), ("p", p))
        for p in range(k):
            if floor is None:
                g.add_edge(("p", p), "t", capacity=cap)
            else:
                g.add_edge(("p", p), "t", capacity=floor, weight=-1)
                g.add_edge(("p", p), ("q", p), capacity=cap - floor, weight=0)
                g.add_edge(("q", p), "t")
        return g

    cap = _least_largest_load(classes, k, n)
    if cap is None:  # too many panels for the subset test: binary search with max-flows
        def ok(cap: int) -> bool:
            return nx.maximum_flow_value(graph(cap), "s", "t") == n

        lo, hi = math.ceil(n / k), n
        if not ok(lo):
            while lo < hi:
                mid = (lo + hi) // 2
                if ok(mid):
                    hi = mid
                else:
                    lo = mid + 1
        cap = lo
    # a maximum flow of least cost; its value is n (every applicant has a panel and cap is
    # feasible), so this is nx.max_flow_min_cost without the max-flow it would run to learn that
    g = graph(cap, min(n // k, cap))
    g.add_node("s", demand=-n)
    g.add_node("t", demand=n)
    flow = nx.min_cost_flow(g)
    for mask in sorted(classes):
        apps = sorted(classes[mask])
        apps = [apps[int(i)] for i in rng.permutation(len(apps))]
        start = 0
        for p in range(k):
            take = flow[("c", mask)].get(("p", p), 0)
            out[p].extend(apps[start:start + take])
            start += take
    return [sorted(x) for x in out]


_SUBSET_TEST_PANELS = 16
"""Up to this many panels, :func:`_least_largest_load` tests all 2^k sets of panels."""


def _least_largest_load(classes: Mapping[int, list[str]], k: int, n: int) -> int | None:
    """The smallest largest load of any assignment (each applicant to a panel its mask allows).

    By Hall's theorem (Gale's supply–demand form) loads of at most ``cap`` are possible iff every
    set ``T`` of panels can take the applicants allowed only in ``T``: ``#{a: mask(a) ⊆ T} ≤
    cap·|T|``. So the answer is ``max(⌈n/k⌉, max_T ⌈#{a: mask(a) ⊆ T} / |T|⌉)``; the counts come
    from one subset-sum transform over the ``2^k`` masks. ``None`` beyond
    :data:`_SUBSET_TEST_PANELS` panels.
    """
    if k > _SUBSET_TEST_PANELS:
        return None
    f = np.zeros(1 << k, dtype=np.int64)
    for mask, apps in classes.items():
        f[mask] += len(apps)
    f = f.reshape((2,) * k)
    for axis in range(k):
        f = np.cumsum(f, axis=axis)
    f = f.reshape(-1)[1:]  # T ≠ ∅
    size = np.zeros(1 << k, dtype=np.int64)
    for bit in range(k):
        size[1 << bit:1 << (bit + 1)] = size[:1 << bit] + 1
    size = size[1:]
    return max(math.ceil(n / k), int(((f + size - 1) // size).max()))


# ----------------------------------------------------------------------------------------------
# the public function
# ----------------------------------------------------------------------------------------------
def assign_panels(
    draw: CommitteeDraw,
    applicants: Iterable[ApplicantRecord],
    conflicts: Mapping[str, Collection[str]],
    rules: RuleSet,
    *,
    panels: int | None = None,
    seed: Seed,
) -> PanelAssignment:
    """Split the committee into panels and assign applicants with no conflicted panel expert.

    Parameters
    ----------
    draw : CommitteeDraw
    applicants : iterable of ApplicantRecord
        Applicants outside the committee's series (Art. 7), specialty, or levels (Art. 9) are
        listed in ``out_of_scope`` and not assigned.
    conflicts : mapping of applicant id to expert ids
        The experts who must recuse from each applicant (Art. 29); experts not on the committee
        are ignored.
    rules : RuleSet
    panels : int, optional
        Number of panels (default :func:`default_panel_count`).
    seed : int or numpy.random.SeedSequence
        Children 0 and 1 drive the expert split (and its repair) and the order of applicants.

    Returns
    -------
    PanelAssignment

    Raises
    ------
    DrawError
        When no assignment exists (or none was found): which applicants, why, and the smallest
        relaxation (more panels, replacing conflicted experts by alternates, a larger committee).

    Examples
    --------
    >>> from zcsim import load_rules
    >>> from zcsim.draw import ApplicantRecord, ExpertRecord, draw_committee
    >>> rules = load_rules()
    >>> pool = [ExpertRecord(f"E{i:02}", "O", "eng", "el", "senior") for i in range(20)]
    >>> d = draw_committee(pool, rules, series="eng", specialty="el", level="senior", seed=3)
    >>> apps = [ApplicantRecord(f"A{i}", "X", "eng", "el", "senior") for i in range(7)]
    >>> pa = assign_panels(d, apps, {"A0": d.ids[:2]}, rules, panels=3, seed=3)
    >>> [p.load for p in pa.panels], not set(d.ids[:2]) & set(pa.panel_of("A0").experts)
    ([2, 3, 2], True)
    """
    return _assign(draw, applicants, conflicts, rules, panels=panels, seed=seed, propose=True)


def _assign(draw: CommitteeDraw, applicants: Iterable[ApplicantRecord], conflicts: Mapping[str, Collection[str]],
            rules: RuleSet, *, panels: int | None, seed: Seed, propose: bool,
            budget: int | None = None) -> PanelAssignment:
    budget = EXACT_SEARCH_NODES if budget is None else budget
    ss = seed_sequence(seed)
    inside, out = _scope(draw, applicants, rules)
    size, pms = draw.size, rules.panel_min_size
    most = size // pms
    if panels is not None and not 1 <= panels <= most:
        relax = [Relaxation("panels", f"use {most} panel{'s' if most != 1 else ''}", options={"panels": most})] if most else []
        raise DrawError([Diagnosis(f"{panels} panel{'s' if panels != 1 else ''} of at least {pms} experts "
                                   f"{'cannot be formed' if panels < 1 else f'need {panels * pms} experts'}; the committee "
                                   f"has {size} (panel_min_size)", 20, "panels")], relax)
    if most < 1:
        raise DrawError([Diagnosis(f"a panel needs {pms} experts; the committee has {size} (panel_min_size)", 20, "panels")])
    cset = set(draw.ids)
    conf: dict[str, list[str]] = {}
    get = conflicts.get
    for a in inside:
        es = get(a.id, ())
        conf[a.id] = sorted(set(es) & cset) if es else []
    hopeless = [a.id for a in inside if size - len(conf[a.id]) < pms]
    if hopeless:
        diags = [Diagnosis(f"applicant {a} has only {size - len(conf[a])} non-conflicted expert"
                           f"{'s' if size - len(conf[a]) != 1 else ''} in the committee; a panel needs {pms}", 20, a)
                 for a in hopeless]
        raise DrawError(diags, _expert_relaxations(draw, inside, conflicts, rules, hopeless, pms, panels) if propose else ())
    if panels is not None:
        return _assign_k(draw, inside, out, conf, conflicts, rules, panels, ss, seed, panels, propose, budget)
    # default: the suggested count, or more panels (smaller ones) until every applicant has a free one
    first = default_panel_count(size, len(inside), rules)
    for k in range(first, most):
        try:
            return _assign_k(draw, inside, out, conf, conflicts, rules, k, ss, seed, None, False, budget)
        except DrawError:
            continue
    return _assign_k(draw, inside, out, conf, conflicts, rules, most, ss, seed, None, propose, budget)


def _assign_k(draw: CommitteeDraw, inside: Sequence[ApplicantRecord], out: Sequence[OutOfScope],
              conf: Mapping[str, list[str]], conflicts: Mapping[str, Collection[str]], rules: RuleSet, k: int,
              ss: np.random.SeedSequence, seed: Seed, requested: int | None, propose: bool,
              budget: int) -> PanelAssignment:
    experts = sorted(draw.ids)
    size = len(experts)
    sizes = _sizes(size, k)
    smallest = min(sizes)
    tight = [a.id for a in inside if size - len(conf[a.id]) < smallest]
    if tight:
        diags = [Diagnosis(f"applicant {a} has {size - len(conf[a])} non-conflicted experts in the committee, but "
                           f"with {k} panels of {'/'.join(str(s) for s in sorted(set(sizes), reverse=True))} experts "
                           f"the smallest panel has {smallest}", 20, a) for a in tight]
        relax = (_more_panels(draw, inside, conf, rules, k)
                 + _expert_relaxations(draw, inside, conflicts, rules, tight, smallest, requested)) if propose else []
        raise DrawError(diags, relax)
    index = {e: i for i, e in enumerate(experts)}
    problem = [a.id for a in inside if conf[a.id]]
    search = _Search(size, sizes, [[index[e] for e in conf[a]] for a in problem])
    panel_of, method, left, proved = search.solve(generator(child(ss, 0)), budget)
    if left:
        raise _unplaceable(draw, inside, conf, conflicts, rules, k, experts, panel_of,
                           [problem[i] for i in left], proved, requested, propose, budget)
    groups = [[experts[i] for i in range(size) if panel_of[i] == p] for p in range(k)]
    classes: dict[int, list[str]] = {}
    full = (1 << k) - 1
    for a in inside:
        banned = 0
        for e in conf[a.id]:
            banned |= 1 << int(panel_of[index[e]])
        classes.setdefault(full & ~banned, []).append(a.id)
    loads = _balance(classes, k, generator(child(ss, 1)))
    result = tuple(Panel(f"P{p + 1}", tuple(groups[p]), tuple(loads[p])) for p in range(k))
    findings: list[Finding] = []
    table = conflicts_for([], [(e, a) for a, es in conf.items() for e in es], rules)
    for p in result:
        findings += panel_composition(p.id, p.experts, rules, committee=draw.ids)
        findings += panel_conflicts(p.id, p.experts, p.applicants, table)
    assignment = PanelAssignment(draw, result, tuple(out), seed_json(seed), method, tuple(findings))
    if assignment.violations or sum(assignment.loads) != len(inside):  # pragma: no cover - invariant
        raise RuntimeError("zcsim bug: panel assignment fails its own checks: "
                           + "; ".join(f.detail for f in assignment.violations))
    return assignment


def _more_panels(draw: CommitteeDraw, inside: Sequence[ApplicantRecord], conf: Mapping[str, list[str]],
                 rules: RuleSet, k: int) -> list[Relaxation]:
    experts = sorted(draw.ids)
    index = {e: i for i, e in enumerate(experts)}
    problem = [a.id for a in inside if conf[a.id]]
    for k2 in range(k + 1, len(experts) // rules.panel_min_size + 1):
        sizes = _sizes(len(experts), k2)
        if any(len(experts) - len(conf[a]) < min(sizes) for a in problem):
            continue
        s = _Search(len(experts), sizes, [[index[e] for e in conf[a]] for a in problem])
        _, _, left, _ = s.solve(np.random.default_rng(k2), _VERIFY_NODES)
        if not left:
            return [Relaxation("panels", f"use {k2} panels of {min(sizes)}+ experts", options={"panels": k2}, cost=k2 - k)]
    return []


def _expert_relaxations(draw: CommitteeDraw, inside: Sequence[ApplicantRecord],
                        conflicts: Mapping[str, Collection[str]], rules: RuleSet, stuck: Sequence[str],
                        target: int, requested: int | None) -> list[Relaxation]:
    """Replace conflicted committee experts by the next qualifying alternates, or a larger committee."""
    out: list[Relaxation] = []
    d = draw
    swaps: list[tuple[str, str, int]] = []
    rank = {e.id: i + 1 for i, e in enumerate(draw.alternates)}
    for a in stuck:
        banned = set(conflicts.get(a, ()))
        while draw.size - len(banned & set(d.ids)) < target:
            done = False
            for leaver in sorted(banned & set(d.ids), key=lambda e: (d.role_of(e) != "member", e)):
                rep = find_replacement(d, leaver, conflicted_with=banned)
                if rep.expert is not None:
                    d = with_replacement(d, leaver, rep.expert)
                    swaps.append((leaver, rep.expert.id, rank[rep.expert.id]))
                    done = True
                    break
            if not done:
                break
    fixed = all(draw.size - len(set(conflicts.get(a, ())) & set(d.ids)) >= target for a in stuck)
    if swaps and fixed:
        verified = True
        try:
            _assign(d, inside, conflicts, rules, panels=requested, seed=0, propose=False, budget=_VERIFY_NODES)
        except DrawError:
            verified = False
        out.append(Relaxation(
            "alternates",
            "replace " + ", ".join(f"{old} by alternate {new} (rank {r})" for old, new, r in swaps)
            + " (each keeps the quotas and is not conflicted with " + ", ".join(stuck) + ")",
            cost=len(swaps), verified=verified, replace=tuple((old, new) for old, new, _ in swaps)))
    worst = max(len(set(conflicts.get(a, ())) & set(draw.ids)) for a in stuck)
    bigger = worst + target
    if draw.rules.committee_size_odd and bigger % 2 == 0:
        bigger += 1
    bigger = max(bigger, draw.size + (2 if draw.rules.committee_size_odd else 1))
    out.append(Relaxation("committee", f"draw a larger committee (at least {bigger} experts, so that {target} are "
                                       f"free of conflicts with {', '.join(stuck)} even if all {worst} conflicted stay)",
                          options={"size": bigger}, cost=bigger - draw.size, verified=False))
    return out


def _unplaceable(draw: CommitteeDraw, inside: Sequence[ApplicantRecord], conf: Mapping[str, list[str]],
                 conflicts: Mapping[str, Collection[str]], rules: RuleSet, k: int, experts: list[str],
                 panel_of: np.ndarray, left: list[str], proved: bool, requested: int | None,
                 propose: bool, budget: int) -> DrawError:
    diags = []
    for a in left:
        per = {}
        for e in conf[a]:
            per.setdefault(int(panel_of[experts.index(e)]), []).append(e)
        where = "; ".join(f"P{p + 1} has {', '.join(es)}" for p, es in sorted(per.items()))
        diags.append(Diagnosis(f"applicant {a} has no panel free of its conflicted experts ({where})", 29, a))
    if proved:
        head = Diagnosis(f"no split of the {len(experts)} committee experts into {k} panels of "
                         f"{'/'.join(str(s) for s in sorted(set(_sizes(len(experts), k)), reverse=True))} gives every "
                         "applicant a panel without conflicted experts (exhaustive search)", 20)
    else:
        head = Diagnosis(f"the repair search found no split into {k} panels that gives every applicant a panel "
                         f"without conflicted experts ({budget:,}-node search exhausted; a split may "
                         "still exist)", 20)
    if not propose:
        return DrawError([head, *diags])
    relax = _more_panels(draw, inside, conf, rules, k)
    if not proved:
        relax.append(Relaxation("panels", "run the split again with another seed (the search was cut short)",
                                verified=False))
    # one more non-conflicted expert than the smallest panel for each applicant left over
    relax += _expert_relaxations(draw, inside, conflicts, rules, left, min(_sizes(len(experts), k)) + 1, requested)
    return DrawError([head, *diags], relax)
