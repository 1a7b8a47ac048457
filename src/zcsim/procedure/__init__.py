"""The procedure engine: pure functions, one per step of the Measures, returning findings.

Imports neither simpy, z3 nor networkx. Numbers come from the :class:`~zcsim.law.RuleSet`.
"""

from typing import Any

from zcsim.procedure._finding import CHECKS, Check, Finding
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


def __getattr__(name: str) -> Any:
    """``ApplicantCase``, ``Decision`` and ``StepRefused`` load :mod:`zcsim.procedure.lifecycle` on
    first use, so ``import zcsim`` does not load the calendar (chinesecalendar)."""
    if name in ("ApplicantCase", "Decision", "StepRefused"):
        from zcsim.procedure import lifecycle

        return getattr(lifecycle, name)
    raise AttributeError(f"module 'zcsim.procedure' has no attribute {name!r}")
