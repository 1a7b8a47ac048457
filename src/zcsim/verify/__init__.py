"""Z3 verification of rule sets and rule changes (``zcsim verify``).

A :class:`~zcsim.law.RuleSet` becomes integer constraints over one committee, one meeting and one
applicant's ballot (:class:`MeetingModel`), each tracked by its rule id and article. The
properties of :mod:`zcsim.proofs` are then proved for every committee size, refuted with the
smallest counterexample the solver finds (numbers, and a ``zcsim.meeting/1`` record that the audit
accepts), or left ``unknown`` when the solver runs out of time — never counted as a pass.

Examples
--------
>>> from zcsim import load_rules
>>> from zcsim.verify import verify
>>> [r.verdict.value for r in verify(load_rules("beijing-2003-style"), only=["pass.requires_majority_of_members"])]
['proved']
"""

from zcsim.verify._core import Context, Obligation, PropertyResult, Verdict
from zcsim.verify._encoding import Constraint, MeetingModel
from zcsim.verify._panels import PanelProblem
from zcsim.verify._record import counterexample_record
from zcsim.verify._run import Property, RuleChange, compare_rules, properties, verify, write_smt2

__all__ = [
    "verify",
    "compare_rules",
    "properties",
    "write_smt2",
    "Verdict",
    "PropertyResult",
    "RuleChange",
    "Property",
    "Context",
    "Obligation",
    "MeetingModel",
    "Constraint",
    "PanelProblem",
    "counterexample_record",
]
