"""Employers and relations of the simulated population, and the recusal hook (Art. 29).

Art. 29 makes an expert recuse from an applicant's review when they have "an interest in, or
another relationship to, the review that may affect impartiality". With ``recusal.graph`` in a
scenario the simulator draws who works where and who is related to whom
(:class:`SyntheticRelations`), and asks a :class:`RecusalSource`, once per committee and year,
which of the committee's (applicant, expert) pairs must recuse (:class:`RecusalQuestion`).

The simulator never decides that itself: the source does. The one ``zcsim simulate`` uses,
:class:`zcsim.recusal.GraphRecusal`, builds the relationship graph of the question's people with
:func:`zcsim.conflicts.build_graph` and searches it with :func:`zcsim.conflicts.find_conflicts`
under a conflict policy. (``zcsim.sim`` does not import ``zcsim.conflicts``: the two meet in
:mod:`zcsim.recusal` and the CLI.) Any callable with the same signature works, e.g. a lookup in
an agency's real data.

What is drawn
-------------
- **Employers.** Applicants of public institutions work at their post-quota unit (``U0001`` …)
  when the scenario sets ``post_quotas``; other applicants (and public-institution ones without
  post quotas) at one of ``employers`` organisations (``O00001`` …); self-employed applicants at
  none. A share ``same_employer_share`` of the experts work at one of the applicants'
  organisations (uniformly), the others at an organisation of their own (``X000001`` …).
- **Relations** between an applicant and an expert of the applicant's series, each kind
  (:data:`RELATION_KINDS`) with its own rate per pair, drawn once per applicant when they first
  apply: ``supervisor_of``, ``coauthor``, ``project_partner``, ``recommender_of`` and
  ``former_colleague`` (both worked at a past organisation ``P…``) are dated in the
  ``history_years`` before that year; ``spouse``, ``parent_of``, ``sibling`` are direct kin rows;
  ``grandparent``, ``first_cousin`` and ``in_law`` go through relatives who are neither
  applicants nor experts (``A0000001.parent``, ``E000001.parent``, ``E000001.spouse``), so only a
  graph search finds them. Each person has one family: an applicant with two first cousins on
  the committee has one parent, whose siblings are the cousins' parents. Kinship composes —
  two siblings of one expert are siblings — so a committee's question carries the kin rows of
  everyone connected to its people by kinship.

Every draw comes from numpy generators the model derives from the replication's seed by fixed
keys, so the population is the same for any executor and for both sides of a comparison.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

__all__ = [
    "RELATION_KINDS",
    "KIN_KINDS",
    "RelationRow",
    "SyntheticPeople",
    "RecusalQuestion",
    "RecusalSource",
    "SyntheticRelations",
]

RELATION_KINDS: tuple[str, ...] = (
    "supervisor_of",
    "coauthor",
    "project_partner",
    "recommender_of",
    "former_colleague",
    "spouse",
    "parent_of",
    "sibling",
    "grandparent",
    "first_cousin",
    "in_law",
)
"""Kinds of synthetic relation between an applicant and an expert (the keys of
``recusal.graph.relations``), in the order they are drawn."""

KIN_KINDS: frozenset[str] = frozenset({"spouse", "parent_of", "sibling", "grandparent", "first_cousin", "in_law"})
"""Kinds made of kin rows: kinship composes (two siblings of one expert are siblings), so the
kin rows of everyone connected to a committee's people go into its question."""

RelationRow = tuple[str, str, str, "int | None", "int | None"]
"""``(source, target, type, since, until)``: one row of an agency's ``relations.csv``; ``type``
is a relation type of :mod:`zcsim.conflicts` (``works_at``, ``spouse``, ``parent_of``,
``sibling``, ``supervisor_of``, ``coauthor``, ``project_partner``, ``recommender_of``);
``since``/``until`` are years or ``None``."""

_K = {k: i for i, k in enumerate(RELATION_KINDS)}
_KIN_CODES = np.array(sorted(_K[k] for k in KIN_KINDS), dtype=np.int8)


@dataclass(frozen=True)
class SyntheticPeople:
    """Employers and relations of some simulated people, as an agency would export them.

    Parameters
    ----------
    employers : mapping of person id to organisation id
        Current employers (a person without one is absent).
    relations : tuple of RelationRow
        Relation rows; their endpoints are the question's applicants and experts, their
        relatives (``A0000001.parent`` …), past organisations (``P…``) — and, in kin rows only,
        other simulated people connected to them by kinship.

    Examples
    --------
    >>> p = SyntheticPeople({"A0000001": "O00003", "E000002": "O00003"}, (("E000002", "A0000001", "coauthor", 2022, 2022),))
    >>> p.rows()
    [('A0000001', 'O00003', 'works_at', None, None), ('E000002', 'O00003', 'works_at', None, None), ('E000002', 'A0000001', 'coauthor', 2022, 2022)]
    """

    employers: Mapping[str, str]
    relations: tuple[RelationRow, ...] = ()

    def rows(self) -> list[RelationRow]:
        """Every row: a current ``works_at`` per employer, then the relations."""
        return [(p, org, "works_at", None, None) for p, org in self.employers.items()] + list(self.relations)


@dataclass(frozen=True)
class RecusalQuestion:
    """Which (applicant, expert) pairs of this committee must recuse (Art. 29)?

    Parameters
    ----------
    year : int
        Simulated year, from 1.
    committee : str
        Committee id (``C001`` …).
    date : datetime.date
        The review date: the committee's scheduled meeting day (dated relations are judged on it).
    applicants : tuple of str
        The committee's applicants this year (synthetic ids ``A0000001`` …).
    experts : tuple of str
        The committee's members (``E000001`` …).
    people : SyntheticPeople
        Employers and relations of these people (empty when the scenario draws none).
    recusal_relations : tuple of str
        The rule set's ``recusal_relations`` (Art. 29): the relationship types
        (:data:`zcsim.law.RELATION_TYPES`) that require recusal.
    """

    year: int
    committee: str
    date: dt.date
    applicants: tuple[str, ...]
    experts: tuple[str, ...]
    people: SyntheticPeople
    recusal_relations: tuple[str, ...]


class RecusalSource(Protocol):
    """Answers a :class:`RecusalQuestion` with the (applicant, expert) pairs that must recuse.

    Called once per committee and year, in the worker process that runs the replication, so it
    must be picklable (a module-level class or function). Pairs naming anyone outside the
    question are ignored. The answer must depend on the question only (not on call order), so a
    replication replays exactly whatever the executor.
    """

    def __call__(self, question: RecusalQuestion) -> Iterable[tuple[str, str]]: ...


def applicant_id(person: int) -> str:
    """The synthetic id of simulated person ``person`` (0-based): ``A0000001`` …"""
    return f"A{person + 1:07d}"


class SyntheticRelations:
    """Draws and keeps the employers and relations of one replication's population.

    Parameters
    ----------
    settings : zcsim.sim.scenario.RecusalGraph
        ``recusal.graph`` of the scenario.
    expert_ids : sequence of str
        The expert pool's ids, in pool order.
    expert_series : numpy.ndarray of int
        Each expert's series (an index shared with the applicants' ``series``).
    n_series : int
        Number of series indices.
    units : int or None
        Post-quota units of public institutions (``post_quotas.units``), or ``None``.
    rng : numpy.random.Generator
        For the experts' employers.

    Examples
    --------
    >>> import datetime, numpy as np
    >>> from zcsim.sim.scenario import RecusalGraph
    >>> s = RecusalGraph(employers=3, same_employer_share=1.0, relations={"coauthor": 1.0})
    >>> r = SyntheticRelations(s, ["E000001", "E000002"], np.array([0, 0]), 1, None, np.random.default_rng(1))
    >>> r.add_persons(np.array([0]), np.array([0]), np.array([1]), np.array([-1]), year=2025, rng=np.random.default_rng(2))
    >>> p = r.people(np.array([0]), np.array([0, 1]))
    >>> sorted(row[2] for row in p.relations)
    ['coauthor', 'coauthor']
    """

    def __init__(self, settings: Any, expert_ids: Sequence[str], expert_series: np.ndarray, n_series: int,
                 units: int | None, rng: np.random.Generator):
        self.settings = settings
        self.rates = np.array([getattr(settings.relations, k) for k in RELATION_KINDS], dtype=float)
        self.expert_ids = list(expert_ids)
        n_e = len(self.expert_ids)
        self.units = units or 0
        self.n_orgs = self.units + int(settings.employers)
        series = np.asarray(expert_series, dtype=np.int64)
        self.series_order = np.argsort(series, kind="stable")
        self.series_size = np.bincount(series, minlength=n_series).astype(np.int64)
        self.series_start = np.r_[0, np.cumsum(self.series_size)[:-1]].astype(np.int64)
        inside = rng.random(n_e) < settings.same_employer_share
        org = rng.integers(0, self.n_orgs, n_e)
        self.expert_employer = [self.org_id(int(o)) if i else f"X{j + 1:06d}"
                                for j, (i, o) in enumerate(zip(inside.tolist(), org.tolist()))]
        self.person_employer = np.zeros(0, dtype=np.int64)   # organisation code, −1 none
        # relations ("links"), sorted by person: kind, expert, years (−1: none), link number
        self.l_person = np.zeros(0, dtype=np.int64)
        self.l_expert = np.zeros(0, dtype=np.int64)
        self.l_kind = np.zeros(0, dtype=np.int8)
        self.l_since = np.zeros(0, dtype=np.int64)
        self.l_until = np.zeros(0, dtype=np.int64)
        self.l_id = np.zeros(0, dtype=np.int64)
        self._kin: tuple[dict[int, int], np.ndarray, np.ndarray] | None = None

    # -- ids ------------------------------------------------------------------------------------
    def org_id(self, code: int) -> str:
        """``U0001`` … for post-quota units, ``O00001`` … for the other employers."""
        return f"U{code + 1:04d}" if code < self.units else f"O{code - self.units + 1:05d}"

    # -- drawing --------------------------------------------------------------------------------
    def add_persons(self, persons: np.ndarray, series: np.ndarray, ekind: np.ndarray, unit: np.ndarray, *,
                    year: int, rng: np.random.Generator, public_kind: int = 1, self_employed_kind: int = 4) -> None:
        """Draw employers and relations of new persons (their first application in calendar ``year``).

        ``persons`` are their indices (consecutive, after every person added before); ``series``,
        ``ekind`` (employer kind index) and ``unit`` (post-quota unit, −1 none) their attributes.
        """
        persons = np.asarray(persons, dtype=np.int64)
        n = int(persons.size)
        if n and persons[0] != self.person_employer.size:
            raise ValueError("persons must be added in order")
        series = np.asarray(series, dtype=np.int64)
        other = rng.integers(self.units, self.n_orgs, n) if n else np.zeros(0, dtype=np.int64)
        in_unit = (np.asarray(ekind) == public_kind) & (np.asarray(unit) >= 0) & (self.units > 0)
        emp = np.where(in_unit, np.asarray(unit, dtype=np.int64), other)
        emp = np.where(np.asarray(ekind) == self_employed_kind, -1, emp)
        self.person_employer = np.concatenate([self.person_employer, emp])
        size = self.series_size[series] if n else np.zeros(0, dtype=np.int64)
        H = int(self.settings.history_years)
        parts: list[tuple[np.ndarray, ...]] = []
        for k, rate in enumerate(self.rates.tolist()):
            if rate <= 0 or n == 0:
                continue
            count = rng.binomial(size, rate)
            total = int(count.sum())
            if total == 0:
                continue
            who = np.repeat(np.arange(n), count)
            pick = np.minimum((rng.random(total) * size[who]).astype(np.int64), size[who] - 1)
            expert = self.series_order[self.series_start[series[who]] + pick]
            back = rng.integers(0, H, total)  # years before `year`
            length = rng.integers(0, 3, total)
            since, until = self._dates(RELATION_KINDS[k], year, back, length)
            # one relation of a kind per pair
            key = persons[who] * max(len(self.expert_ids), 1) + expert
            _, first = np.unique(key, return_index=True)
            parts.append((persons[who][first], expert[first], np.full(first.size, k, dtype=np.int8),
                          since[first], until[first]))
        if not parts:
            return
        p, e, kd, s, u = (np.concatenate(cols) for cols in zip(*parts))
        order = np.lexsort((kd, e, p))
        start = int(self.l_id[-1]) + 1 if self.l_id.size else 1
        self.l_person = np.concatenate([self.l_person, p[order]])
        self.l_expert = np.concatenate([self.l_expert, e[order]])
        self.l_kind = np.concatenate([self.l_kind, kd[order]])
        self.l_since = np.concatenate([self.l_since, s[order]])
        self.l_until = np.concatenate([self.l_until, u[order]])
        self.l_id = np.concatenate([self.l_id, start + np.arange(order.size, dtype=np.int64)])
        if np.isin(kd, _KIN_CODES).any():
            self._kin = None

    @staticmethod
    def _dates(kind: str, year: int, back: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(since, until) years of relations of ``kind`` (−1: open)."""
        none = np.full(back.size, -1, dtype=np.int64)
        if kind == "coauthor":
            y = year - back
            return y, y
        if kind == "project_partner":
            y = year - back
            return y - length, y
        if kind == "supervisor_of":
            y = year - back
            return y - 3, y
        if kind == "former_colleague":
            y = year - 1 - back
            return y - 1 - length, y
        if kind == "recommender_of":
            return np.full(back.size, year, dtype=np.int64), none
        return none, none

    # -- kinship components ------------------------------------------------------------------
    def _kin_components(self) -> tuple[dict[int, int], np.ndarray, np.ndarray]:
        """(node → root, kin link indices, their roots); nodes are 2·person and 2·expert + 1."""
        if self._kin is None:
            idx = np.flatnonzero(np.isin(self.l_kind, _KIN_CODES))
            parent: dict[int, int] = {}

            def find(x: int) -> int:
                root = x
                while parent.get(root, root) != root:
                    root = parent[root]
                while parent.get(x, x) != root:
                    parent[x], x = root, parent[x]
                return root

            a_nodes = (2 * self.l_person[idx]).tolist()
            e_nodes = (2 * self.l_expert[idx] + 1).tolist()
            for a, e in zip(a_nodes, e_nodes):
                ra, re_ = find(a), find(e)
                if ra != re_:
                    parent[max(ra, re_)] = min(ra, re_)
            root_of = {x: find(x) for x in set(a_nodes) | set(e_nodes)}
            roots = np.array([root_of[a] for a in a_nodes], dtype=np.int64)
            self._kin = (root_of, idx, roots)
        return self._kin

    # -- questions --------------------------------------------------------------------------
    def people(self, persons: np.ndarray, experts: np.ndarray) -> SyntheticPeople:
        """Employers and relations for a committee: ``persons`` (its applicants) and ``experts``
        (its members, pool indices).

        Holds the current employers of all of them; every relation between one of the persons
        and one of the experts; and the kin rows of everyone connected to them by kinship (so
        that kinship composed through other people — two siblings of the same expert are
        siblings — is found as in the population's whole graph).
        """
        persons = np.asarray(persons, dtype=np.int64)
        experts = np.asarray(experts, dtype=np.int64)
        employers: dict[str, str] = {}
        for p, code in zip(persons.tolist(), self.person_employer[persons].tolist()):
            if code >= 0:
                employers[applicant_id(p)] = self.org_id(code)
        for e in experts.tolist():
            employers[self.expert_ids[e]] = self.expert_employer[e]
        # relations of these persons (links are sorted by person) with these experts
        lo = np.searchsorted(self.l_person, persons, "left")
        hi = np.searchsorted(self.l_person, persons, "right")
        n = hi - lo
        if n.sum():
            rows = np.repeat(lo - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(int(n.sum()))
            rows = rows[np.isin(self.l_expert[rows], experts)]
        else:
            rows = np.zeros(0, dtype=np.int64)
        chosen = set(rows.tolist())
        root_of, kin_idx, kin_roots = self._kin_components()
        if kin_idx.size:
            wanted = {root_of[x] for x in (2 * persons).tolist() + (2 * experts + 1).tolist() if x in root_of}
            if wanted:
                chosen.update(kin_idx[np.isin(kin_roots, list(wanted))].tolist())
        out: dict[RelationRow, None] = {}
        for i in sorted(chosen):
            out.update(dict.fromkeys(self._rows(int(i))))
        return SyntheticPeople(employers, tuple(out))

    def _rows(self, i: int) -> list[RelationRow]:
        """The relation rows of link ``i``."""
        a, e = applicant_id(int(self.l_person[i])), self.expert_ids[int(self.l_expert[i])]
        kind = RELATION_KINDS[int(self.l_kind[i])]
        s_, u_ = int(self.l_since[i]), int(self.l_until[i])
        s, u = (s_ if s_ >= 0 else None), (u_ if u_ >= 0 else None)
        n = int(self.l_id[i])
        if kind in ("supervisor_of", "recommender_of"):
            return [(e, a, kind, s, u)]
        if kind in ("coauthor", "project_partner", "spouse", "sibling"):
            return [(a, e, kind, s, u)]
        if kind == "parent_of":
            return [(e, a, "parent_of", None, None)]
        if kind == "former_colleague":
            org = f"P{n:07d}"
            return [(a, org, "works_at", s, u), (e, org, "works_at", s, u)]
        pa, pe = f"{a}.parent", f"{e}.parent"  # each person's one family: relatives are shared by their relations
        if kind == "grandparent":
            return [(e, pa, "parent_of", None, None), (pa, a, "parent_of", None, None)]
        if kind == "first_cousin":
            return [(pa, a, "parent_of", None, None), (pe, e, "parent_of", None, None), (pa, pe, "sibling", None, None)]
        if kind == "in_law":
            sp = f"{e}.spouse"
            return [(e, sp, "spouse", None, None), (sp, a, "sibling", None, None)]
        raise AssertionError(kind)  # pragma: no cover

    def links(self) -> list[tuple[str, str, str, int | None, int | None]]:
        """Every relation drawn so far as ``(applicant, expert, kind, since, until)`` (kinds of
        :data:`RELATION_KINDS`, years or ``None``)."""
        return [(applicant_id(p), self.expert_ids[e], RELATION_KINDS[k], s if s >= 0 else None, u if u >= 0 else None)
                for p, e, k, s, u in zip(self.l_person.tolist(), self.l_expert.tolist(), self.l_kind.tolist(),
                                         self.l_since.tolist(), self.l_until.tolist())]

    def employer_of(self, ident: str) -> str | None:
        """The current employer of a person (``A…``) or expert (``E…``), or ``None``."""
        if ident.startswith("A"):
            code = int(self.person_employer[int(ident[1:]) - 1])
            return self.org_id(code) if code >= 0 else None
        return self.expert_employer[self.expert_ids.index(ident)]
