"""The procedure engine: pure functions, one per step of the Measures, returning findings.

Imports neither simpy, z3 nor networkx. Numbers come from the :class:`~zcsim.law.RuleSet`.
"""

from zcsim.procedure._finding import CHECKS, Check, Finding
from zcsim.procedure.lifecycle import ApplicantCase, Decision, StepRefused
from zcsim.procedure.vote import (
    decide,
    min_yes_to_pass,
    passes,
    quorum_met,
    quorum_required,
    threshold_basis,
)

__all__ = [
    "ApplicantCase",
    "Decision",
    "StepRefused",
    "CHECKS",
    "Check",
    "Finding",
    "decide",
    "min_yes_to_pass",
    "passes",
    "quorum_met",
    "quorum_required",
    "threshold_basis",
]
