"""What one simulated replication returns: column tables and scalar metrics (no pandas here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Replication", "APPLICANT_COLUMNS", "MEETING_COLUMNS", "METRICS"]

APPLICANT_COLUMNS: tuple[str, ...] = (
    "year",            # int: simulated year (1 = first)
    "applicant",       # str: applicant id (stable across years for re-applicants)
    "series", "specialty", "level",   # str
    "employer_kind",   # str
    "outcome",         # str: one of zcsim.sim.model.OUTCOMES (ineligible, objection, withdrawn, disqualified,
                       # not_reviewed, failed, over_quota, passed, revoked, …)
    "applied_day",     # int: working-day index of the application (from the plan date)
    "result_day",      # int: working-day index of the result (confirmation or final decision); -1 if none
    "working_days",    # int: result_day - applied_day, or -1
    "yes", "present", "recused",      # int: the tally (−1 when not voted)
    "fraud", "fraud_caught",          # bool
    "correction_notice",              # bool: got the single correction notice (Art. 18)
)
"""Columns of the per-applicant table (one row per application per year)."""

MEETING_COLUMNS: tuple[str, ...] = (
    "year", "meeting", "committee", "series", "specialty", "level", "day",
    "size", "present", "quorum", "applicants", "passed", "recusals",
)
"""Columns of the per-meeting table."""

METRICS: tuple[str, ...] = (
    "applicants", "pass_rate", "mean_working_days", "p95_working_days", "quorum_failure_rate",
    "recusals_per_meeting", "expert_load_mean", "expert_load_max", "staff_utilisation",
    "withdrawn_share", "fraud_caught", "fraud_caught_share", "ineligible_share", "meetings",
)
"""Scalar figures every replication reports (the summary averages them with 95% CIs)."""


@dataclass(frozen=True)
class Replication:
    """One replication's output.

    Attributes
    ----------
    index : int
        Replication number (0-based); its seed is ``SeedSequence(seed).spawn(n)[index]``.
    applicants, meetings : mapping of column name to 1-D numpy array
        Column tables (see :data:`APPLICANT_COLUMNS`, :data:`MEETING_COLUMNS`).
    metrics : mapping of name to float
        The scalar figures of :data:`METRICS` (and possibly more), plus per-group pass rates
        under keys ``pass_rate[<series>/<level>]``.
    records : tuple of dict
        ``zcsim.meeting/1`` records of the simulated meetings (empty unless asked for).
    events : int
        SimPy events processed (for the events-per-second benchmark).
    """

    index: int
    applicants: Mapping[str, np.ndarray]
    meetings: Mapping[str, np.ndarray]
    metrics: Mapping[str, float]
    records: tuple[dict[str, Any], ...] = field(default=())
    events: int = 0
