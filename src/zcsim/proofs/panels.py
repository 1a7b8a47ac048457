"""A committee and conflict-free panels exist for a given pool — Art. 9, 10, 20, 21 and 29.

``panel.conflict_free_assignment_exists``
    Given a pool of experts, the applicants a committee reviews and who must recuse from whom
    (from the relationship graph), some committee of the required size meets the Art. 10 quotas
    and splits into panels of at least ``panel_min_size`` experts (Art. 20) such that every
    applicant has a panel (Art. 21) with no expert related to them (Art. 29). When none exists the
    unsat core names the applicants and quotas that cannot all be served, with their articles.

This property needs a concrete pool: ``zcsim verify --pool DIR`` (experts.csv, applicants.csv,
relations.csv); without one it is reported ``unknown`` (not checked), never a pass.
"""

from __future__ import annotations

import z3

from zcsim.verify._core import Context, Obligation, PropertyResult, Verdict, checked
from zcsim.verify._panels import PanelProblem, panel_constraints
from zcsim.verify._run import register

ARTICLES = (9, 10, 20, 21, 29)
STATEMENT = ("for the given pool and conflicts, a committee and panels exist in which every applicant's panel "
             "has no expert related to them")


@register("panel.conflict_free_assignment_exists", articles=ARTICLES, statement=STATEMENT, needs_pool=True)
def conflict_free_assignment(ctx: Context) -> PropertyResult:
    res = PropertyResult("panel.conflict_free_assignment_exists", Verdict.UNKNOWN, ARTICLES, STATEMENT)
    prob = ctx.pool
    if not isinstance(prob, PanelProblem):
        res.detail = "not checked: needs a pool and its conflicts (zcsim verify --pool DIR)"
        return res
    bg, tracked, x, y, z = panel_constraints(prob, ctx.rules)
    s = z3.Solver()
    s.set("timeout", ctx.timeout_ms)
    s.add(*bg)
    tags = {}
    for i, (rule, art, text, expr) in enumerate(tracked):
        t = z3.Bool(f"t{i}")
        tags[str(t)] = (rule, art, text)
        s.assert_and_track(expr, t)
    status = checked(s)
    res.obligations.append(Obligation("panel.conflict_free_assignment_exists", tuple(bg) + tuple(e for *_, e in tracked),
                                      "unsat" if status == z3.unsat else "sat", STATEMENT))
    scope = f" ({prob.scope})" if prob.scope else ""
    if status == z3.sat:
        mdl = s.model()
        members = sorted(e for e, v in x.items() if z3.is_true(mdl.eval(v, model_completion=True)))
        panels = []
        for p in range(prob.panels):
            ex = sorted(e for (e, q), v in y.items() if q == p and z3.is_true(mdl.eval(v, model_completion=True)))
            ap = sorted(a for (a, q), v in z.items() if q == p and z3.is_true(mdl.eval(v, model_completion=True)))
            panels.append({"panel": p + 1, "experts": ex, "applicants": ap})
        res.verdict = Verdict.PROVED
        res.detail = (f"a committee of {prob.size}{scope} with {prob.panels} panels serves all "
                      f"{len(prob.applicants)} applicants without a conflicted panel expert")
        res.witness = {"committee": members, "panels": panels}
    elif status == z3.unsat:
        core = [tags[str(t)] for t in s.unsat_core()]
        res.verdict = Verdict.REFUTED
        res.core = [f"{r} (Art. {a})" for r, a, _ in core]
        res.detail = (f"no committee of {prob.size}{scope} with {prob.panels} panels exists: these cannot all hold: "
                      + "; ".join(f"{text} (Art. {a})" for _, a, text in core))
        res.counterexample = {"core": [{"rule": r, "article": a, "text": t} for r, a, t in core]}
    else:
        res.detail = f"the solver gave up ({s.reason_unknown()}) within {ctx.timeout:g} s"
    return res


if __name__ == "__main__":
    from zcsim.proofs import main

    raise SystemExit(main("panels"))
