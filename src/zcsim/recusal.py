"""Recusal in simulations from the relationship graph (Art. 29): where :mod:`zcsim.sim` meets
:mod:`zcsim.conflicts`.

The simulator draws employers and relations of its synthetic population
(:mod:`zcsim.sim.relations`) and asks a recusal source, once per committee and year, which
(applicant, expert) pairs must recuse. :class:`GraphRecusal` answers by building that
committee's relationship graph with :func:`zcsim.conflicts.build_graph` and searching it with
:func:`zcsim.conflicts.find_conflicts` under a :class:`~zcsim.conflicts.ConflictPolicy` — the
same code ``zcsim conflicts`` runs on an agency's CSV files — keeping the relationship types
the rule set's ``recusal_relations`` lists (Art. 29), as ``zcsim draw --relations`` does.

``zcsim.sim`` and ``zcsim.conflicts`` do not import each other (DESIGN.md); this module and the
CLI import both.

Examples
--------
>>> from zcsim.sim import load_scenario, run_replication
>>> from pathlib import Path
>>> sc = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "quick-graph-recusal.yaml")
>>> rep = run_replication(sc, None, 1, recusal=GraphRecusal.from_scenario(sc))
>>> rep.metrics["recusals_per_meeting"] > 0
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zcsim.conflicts import (
    DEFAULT_POLICY,
    KIND_TO_RELATION,
    ConflictPolicy,
    ConflictReport,
    build_graph,
    find_conflicts,
    load_policy,
)
from zcsim.errors import InputError
from zcsim.sim.relations import RecusalQuestion
from zcsim.sim.scenario import Scenario

__all__ = ["GraphRecusal", "recusal_source"]


@dataclass(frozen=True)
class GraphRecusal:
    """A recusal source (:class:`~zcsim.sim.relations.RecusalSource`) that searches each
    committee's relationship graph under a conflict policy (Art. 29).

    Picklable, so replications in worker processes and on Dask use it as they are.

    Parameters
    ----------
    policy : ConflictPolicy
        Which relations make an expert conflicted (default: :data:`~zcsim.conflicts.DEFAULT_POLICY`).

    Examples
    --------
    >>> import datetime
    >>> from zcsim.sim.relations import RecusalQuestion, SyntheticPeople
    >>> q = RecusalQuestion(1, "C001", datetime.date(2025, 9, 15), ("A0000001", "A0000002"), ("E000001", "E000002"),
    ...                     SyntheticPeople({"A0000001": "O00001", "E000002": "O00001"},
    ...                                     (("E000001", "R1", "parent_of", None, None),
    ...                                      ("R1", "A0000002", "parent_of", None, None))),
    ...                     ("spouse", "close_relative", "same_employer"))
    >>> GraphRecusal()(q)
    [('A0000001', 'E000002'), ('A0000002', 'E000001')]
    >>> GraphRecusal(ConflictPolicy(employment="off"))(q)
    [('A0000002', 'E000001')]
    """

    policy: ConflictPolicy = DEFAULT_POLICY

    def report(self, question: RecusalQuestion) -> ConflictReport:
        """Every conflicted pair of the committee with its explanation (all relationship types)."""
        people = question.people
        # only an employer some member works at can make a same-employer conflict: the others'
        # works_at rows would change no answer, so the graph leaves them out
        shared = {people.employers[e] for e in question.experts if e in people.employers}
        rows = [(p, org, "works_at", None, None) for p, org in people.employers.items() if org in shared]
        graph = build_graph(question.experts, question.applicants, rows + list(people.relations),
                            relations_source=f"<simulated relations, {question.committee} year {question.year}>")
        return find_conflicts(graph, question.date, self.policy)

    def __call__(self, question: RecusalQuestion) -> list[tuple[str, str]]:
        """The (applicant, expert) pairs that must recuse: conflicted under the policy by a
        relationship type the rule set's ``recusal_relations`` lists (Art. 29)."""
        wanted = set(question.recusal_relations)
        return [(p.applicant, p.expert) for p in self.report(question).pairs
                if any(KIND_TO_RELATION[k] in wanted for k in (p.kind, *p.other_kinds))]

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> GraphRecusal:
        """The source for a scenario's ``recusal.graph`` (its ``policy``: a file, options, or the default).

        Raises
        ------
        InputError
            A missing or malformed policy file, or an unknown or ill-typed policy option, naming
            the scenario file, the line and the key ``recusal.graph.policy``.
        """
        graph = scenario.recusal.graph
        spec = graph.policy if graph is not None else None
        where = ("recusal", "graph", "policy")
        if spec is None:
            return cls()
        if isinstance(spec, str):
            path = Path(spec)
            if not path.is_absolute():
                path = scenario.folder / path
            try:
                return cls(load_policy(path))
            except InputError as exc:
                raise scenario.error(f"policy file {spec!r}: {exc}", *where) from None
        assert isinstance(spec, Mapping)
        try:
            return cls(ConflictPolicy.from_mapping(spec))
        except InputError as exc:
            key = exc.location if exc.location in spec else None
            raise scenario.error(exc.message, *where, *((key,) if key is not None else ())) from None


def recusal_source(scenario: Scenario) -> GraphRecusal | None:
    """The recusal source a scenario asks for: a :class:`GraphRecusal` when it sets
    ``recusal.graph``, else ``None`` (a rate or a conflicts file, which the simulator reads itself)."""
    if scenario.recusal.graph is None:
        return None
    return GraphRecusal.from_scenario(scenario)
