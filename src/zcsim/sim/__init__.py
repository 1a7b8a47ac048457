"""The simulator: SimPy model of annual review cycles, scenarios, behaviour models.

``zcsim.sim`` may import :mod:`zcsim.draw`, :mod:`zcsim.records`, :mod:`zcsim.procedure`,
:mod:`zcsim.calendar` and :mod:`zcsim.law` — never ``conflicts`` or ``verify`` — and no pandas (the tables of :mod:`zcsim.sim.output` use it, imported on demand).
Recusals found in a relationship graph come through a :class:`RecusalSource` the caller passes
(:class:`zcsim.recusal.GraphRecusal`, which joins this package and :mod:`zcsim.conflicts`).
"""

from zcsim.sim._result import APPLICANT_COLUMNS, MEETING_COLUMNS, METRICS, Replication
from zcsim.sim.behaviour import (
    BehaviourModel,
    ReviewContext,
    behaviour_names,
    make_behaviour,
    register_behaviour,
)
from zcsim.sim.model import (
    EXTRA_APPLICANT_COLUMNS,
    EXTRA_MEETING_COLUMNS,
    EXTRA_METRICS,
    OUTCOMES,
    run_replication,
)
from zcsim.sim.relations import RecusalQuestion, RecusalSource, SyntheticPeople
from zcsim.sim.runner import Comparison, Estimate, RunResult, compare_runs, run_replications
from zcsim.sim.scenario import Scenario, load_scenario, parse_scenario, scenario_schema

__all__ = [
    "run_replications",
    "compare_runs",
    "RunResult",
    "Comparison",
    "Estimate",
    "Replication",
    "APPLICANT_COLUMNS",
    "MEETING_COLUMNS",
    "METRICS",
    "EXTRA_APPLICANT_COLUMNS",
    "EXTRA_MEETING_COLUMNS",
    "EXTRA_METRICS",
    "OUTCOMES",
    "run_replication",
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_schema",
    "BehaviourModel",
    "ReviewContext",
    "register_behaviour",
    "make_behaviour",
    "behaviour_names",
    "RecusalQuestion",
    "RecusalSource",
    "SyntheticPeople",
]
