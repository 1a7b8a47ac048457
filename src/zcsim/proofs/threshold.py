"""The two-thirds test in integers — Art. 23 (and Art. 22 for the quorum).

``threshold.integer_exact``
    The engine decides "yes votes reach ``pass_ratio`` of the basis" as ``den * yes >= num * basis``
    in integers (``>`` when the threshold is exclusive). For every basis and every number of yes
    votes this equals the exact rational definition ``yes / basis >= num / den``; the same holds
    for the quorum test. Proved for all integers, not up to a bound.

    The detail also shows why a float test is wrong: ``yes / present >= 0.667`` (the ratio rounded
    to three decimals, as a spreadsheet would write it) decides some meetings differently. The
    smallest such meeting is found by the solver and confirmed with Python's own float division.
"""

from __future__ import annotations

from fractions import Fraction

import z3

from zcsim.verify._core import Context, Obligation, PropertyResult, Verdict, checked
from zcsim.verify._encoding import reaches
from zcsim.verify._run import register

ARTICLES = (22, 23)
FLOAT_BOUND = 1000  # the float search covers bases up to this many experts


def _exact(count: z3.ArithRef, basis: z3.ArithRef, ratio: Fraction, inclusive: bool) -> z3.BoolRef:
    """The rational definition, over the reals."""
    q = z3.RealVal(f"{ratio.numerator}/{ratio.denominator}")
    lhs, rhs = z3.ToReal(count), q * z3.ToReal(basis)
    return lhs >= rhs if inclusive else lhs > rhs


@register("threshold.integer_exact", articles=ARTICLES,
          statement="the integer pass and quorum tests equal the exact rational definitions for every number present")
def integer_exact(ctx: Context) -> PropertyResult:
    r = ctx.rules
    res = PropertyResult("threshold.integer_exact", Verdict.UNKNOWN, ARTICLES,
                         "the integer pass and quorum tests equal the exact rational definitions for every number present")
    count, basis = z3.Ints("count basis")
    dom = [basis >= 1, count >= 0, count <= basis]
    verdicts = []
    for name, ratio, inclusive in (("pass", r.pass_ratio, r.threshold_inclusive),
                                   ("quorum", r.quorum_ratio, r.quorum_inclusive)):
        claim = reaches(count, basis, ratio, inclusive) == _exact(count, basis, ratio, inclusive)
        s = z3.Solver()
        s.set("timeout", ctx.timeout_ms)
        s.add(*dom, z3.Not(claim))
        status = checked(s)
        res.obligations.append(Obligation(f"threshold.integer_exact--{name}", tuple(dom) + (z3.Not(claim),), "unsat",
                                          f"threshold.integer_exact: the integer {name} test equals yes/basis vs {ratio}"))
        verdicts.append(status)
    if any(v == z3.sat for v in verdicts):
        res.verdict = Verdict.REFUTED
        res.detail = "the integer test differs from the rational definition (a bug in the encoding)"
    elif all(v == z3.unsat for v in verdicts):
        res.verdict = Verdict.PROVED
        op = ">=" if r.threshold_inclusive else ">"
        res.detail = (f"{r.pass_ratio.denominator}*yes {op} {r.pass_ratio.numerator}*basis ⇔ yes/basis {op} "
                      f"{r.pass_ratio} for every basis ≥ 1; likewise the quorum")
    else:
        res.detail = f"the solver gave up within {ctx.timeout:g} s"
        return res
    res.detail += "; " + _float_note(ctx, count, basis, dom)
    return res


def _float_note(ctx: Context, count: z3.ArithRef, basis: z3.ArithRef, dom: list[z3.BoolRef]) -> str:
    """The smallest meeting a float test ``yes / basis >= round(ratio, 3)`` decides wrongly."""
    r = ctx.rules
    c = round(float(r.pass_ratio), 3)
    as_double = Fraction(c)  # the exact value of the double the float test compares with
    float_test = _exact(count, basis, as_double, r.threshold_inclusive)
    integer = reaches(count, basis, r.pass_ratio, r.threshold_inclusive)
    opt = z3.Optimize()
    opt.set("timeout", ctx.timeout_ms)
    opt.add(*dom, basis <= FLOAT_BOUND, float_test != integer)
    opt.minimize(basis)
    opt.minimize(count)
    op = ">=" if r.threshold_inclusive else ">"
    if checked(opt) != z3.sat:
        return f"a float test yes/basis {op} {c} agrees with it for every basis up to {FLOAT_BOUND}"
    mdl = opt.model()
    y, b = mdl.eval(count).as_long(), mdl.eval(basis).as_long()
    py_float = (y / b >= c) if r.threshold_inclusive else (y / b > c)
    exact = (r.pass_ratio.denominator * y >= r.pass_ratio.numerator * b) if r.threshold_inclusive else \
        (r.pass_ratio.denominator * y > r.pass_ratio.numerator * b)
    if py_float == exact:  # the division's rounding happened to hide it
        return f"a float test yes/basis {op} {c} differs only within rounding (e.g. {y} of {b})"
    return (f"a float test yes/basis {op} {c} is wrong: with {b} present and {y} yes it says "
            f"{'pass' if py_float else 'fail'}, the exact test says {'pass' if exact else 'fail'} "
            f"(smallest such meeting)")


if __name__ == "__main__":
    from zcsim.proofs import main

    raise SystemExit(main("threshold"))
