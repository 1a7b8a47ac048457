"""Quorum (Art. 22) and the vote tally (Art. 23), on scalars and on numpy arrays.

Every comparison is in integers: with a ratio ``p/q`` the test "yes reaches p/q of n" is
``q * yes >= p * n`` (or ``>`` when the rule set's threshold is not inclusive). No float ever
comes near a vote count.
"""

from __future__ import annotations

from typing import TypeVar, overload

import numpy as np
import numpy.typing as npt

from zcsim.law import RuleSet
from zcsim.procedure._finding import Finding, register

__all__ = [
    "quorum_required",
    "quorum_met",
    "min_yes_to_pass",
    "threshold_basis",
    "passes",
    "decide",
    "QUORUM",
    "THRESHOLD",
]

QUORUM = register("meeting.quorum", 22, "experts present ≥ quorum_ratio of the committee's size")
THRESHOLD = register("vote.threshold", 23, "yes votes reach pass_ratio of the threshold basis")

IntLike = TypeVar("IntLike", int, npt.NDArray[np.integer])
ArrayOrInt = int | npt.NDArray[np.integer]


def _reaches(count: ArrayOrInt, basis: ArrayOrInt, num: int, den: int, inclusive: bool) -> bool | npt.NDArray[np.bool_]:
    """``count / basis`` reaches ``num / den`` (``>=`` or ``>``), in integers."""
    if isinstance(count, np.ndarray) or isinstance(basis, np.ndarray):
        c = np.asarray(count, dtype=np.int64)
        b = np.asarray(basis, dtype=np.int64)
        return (den * c >= num * b) if inclusive else (den * c > num * b)
    return (den * count >= num * basis) if inclusive else (den * count > num * basis)


def _smallest_reaching(basis: int, num: int, den: int, inclusive: bool) -> int:
    """Smallest integer k with k/basis reaching num/den."""
    if inclusive:
        return -((-num * basis) // den)  # ceil(num * basis / den)
    return (num * basis) // den + 1


def quorum_required(size: int, rules: RuleSet) -> int:
    """Fewest experts present that make a meeting of a committee of ``size`` valid (Art. 22).

    Examples
    --------
    >>> from zcsim import load_rules
    >>> quorum_required(25, load_rules())
    17
    """
    q = rules.quorum_ratio
    return _smallest_reaching(size, q.numerator, q.denominator, rules.quorum_inclusive)


@overload
def quorum_met(present: int, size: int, rules: RuleSet) -> bool: ...
@overload
def quorum_met(present: npt.NDArray[np.integer], size: ArrayOrInt, rules: RuleSet) -> npt.NDArray[np.bool_]: ...
def quorum_met(present, size, rules):  # type: ignore[no-untyped-def]
    """Whether ``present`` experts make a quorum of a committee of ``size`` (Art. 22).

    Works element-wise on numpy integer arrays.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> quorum_met(17, 25, load_rules()), quorum_met(16, 25, load_rules())
    (True, False)
    """
    q = rules.quorum_ratio
    return _reaches(present, size, q.numerator, q.denominator, rules.quorum_inclusive)


def threshold_basis(present: ArrayOrInt, rules: RuleSet, *, recused: ArrayOrInt = 0,
                    members: ArrayOrInt | None = None) -> ArrayOrInt:
    """The number the pass ratio is taken of, for one applicant (Art. 23, options).

    ``threshold_basis = "present"`` takes the experts present, ``"members"`` the committee's
    members (then ``members`` is required). With ``recusal_denominator = "eligible"`` the experts
    recused for this applicant are dropped from that number; with ``"present"`` (the literal
    reading) they stay in it as non-yes votes.
    """
    if rules.threshold_basis == "members":
        if members is None:
            raise ValueError("threshold_basis = 'members' needs the committee's size (members=)")
        basis = members
    else:
        basis = present
    if rules.recusal_denominator == "eligible":
        basis = basis - recused
    return basis


def min_yes_to_pass(basis: int, rules: RuleSet) -> int:
    """Fewest yes votes that pass an applicant when the threshold basis is ``basis``.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> min_yes_to_pass(18, load_rules()), min_yes_to_pass(19, load_rules())
    (12, 13)
    >>> min_yes_to_pass(18, load_rules("beijing-2003-style"))
    13
    """
    p = rules.pass_ratio
    return _smallest_reaching(basis, p.numerator, p.denominator, rules.threshold_inclusive)


@overload
def passes(yes: int, present: int, rules: RuleSet, *, recused: int = 0, members: int | None = None) -> bool: ...
@overload
def passes(yes: npt.NDArray[np.integer], present: ArrayOrInt, rules: RuleSet, *, recused: ArrayOrInt = 0,
           members: ArrayOrInt | None = None) -> npt.NDArray[np.bool_]: ...
def passes(yes, present, rules, *, recused=0, members=None):  # type: ignore[no-untyped-def]
    """Whether an applicant with ``yes`` votes passes (Art. 23), element-wise on arrays.

    Parameters
    ----------
    yes : int or ndarray of int
        Valid yes votes. Abstentions, blank and invalid ballots are not yes votes.
    present : int or ndarray of int
        Experts present at the meeting (Art. 22–23).
    rules : RuleSet
        Supplies ``pass_ratio``, ``threshold_inclusive``, ``threshold_basis`` and
        ``recusal_denominator``.
    recused : int or ndarray of int, default 0
        Experts present but recused for this applicant (Art. 29).
    members : int or ndarray of int, optional
        The committee's size; required when ``threshold_basis = "members"``.

    Returns
    -------
    bool or ndarray of bool

    Examples
    --------
    >>> import numpy as np
    >>> from zcsim import load_rules
    >>> rules = load_rules()
    >>> passes(12, 18, rules), passes(12, 19, rules)
    (True, False)
    >>> passes(np.array([11, 12, 13]), 18, rules).tolist()
    [False, True, True]
    """
    basis = threshold_basis(present, rules, recused=recused, members=members)
    p = rules.pass_ratio
    ok = _reaches(yes, basis, p.numerator, p.denominator, rules.threshold_inclusive)
    if isinstance(ok, np.ndarray):
        return ok & (np.asarray(basis) > 0)
    return bool(ok) and basis > 0


def decide(yes: int, present: int, rules: RuleSet, *, recused: int = 0, members: int | None = None,
           applicant: str | None = None) -> Finding:
    """The tally of one applicant as a :class:`Finding` (``ok`` = passes) whose detail shows the sum.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> decide(12, 18, load_rules()).detail
    '12 yes ≥ 12 required (⌈2/3 × 18 present⌉): pass'
    """
    basis = threshold_basis(present, rules, recused=recused, members=members)
    need = min_yes_to_pass(basis, rules)
    ok = passes(yes, present, rules, recused=recused, members=members)
    what = "members" if rules.threshold_basis == "members" else "present"
    if rules.recusal_denominator == "eligible" and recused:
        what += f" − {recused} recused"
    elif recused:
        what += f", {recused} recused counted as non-yes"
    base_n = members if rules.threshold_basis == "members" else present
    p = rules.pass_ratio
    how = f"⌈{p} × {base_n} {what}⌉" if rules.threshold_inclusive else f"more than {p} × {base_n} {what}"
    rel = "≥" if ok else "<"
    detail = f"{yes} yes {rel} {need} required ({how}): {'pass' if ok else 'fail'}"
    if basis <= 0:
        detail = f"no expert may vote ({base_n} {what}): fail"
    return THRESHOLD.finding(bool(ok), detail, applicant=applicant)
