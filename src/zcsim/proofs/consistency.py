"""Consistency — Art. 9, 20, 22, 23, 29 together.

``ruleset.consistent``
    Some committee, meeting and vote satisfies every rule at once, and some applicant can pass.
    Rules that cannot all hold make every other proof vacuous ("every pass has a majority" is
    true of a rule set under which nothing passes), so this runs first. When it fails, the unsat
    core lists the rules, with their articles, that cannot hold together.

Run alone: ``python -m zcsim.proofs.consistency [--rules NAME] [--set KEY=VALUE]``.
"""

from __future__ import annotations

import z3

from zcsim.verify._core import (
    Context,
    PropertyResult,
    Verdict,
    checked,
    core_of,
    counterexample,
    describe,
    model_values,
)
from zcsim.verify._run import register

ARTICLES = (9, 20, 22, 23, 29)


@register("ruleset.consistent", articles=ARTICLES,
          statement="some committee, meeting and vote satisfies every rule, and some applicant can pass")
def consistent(ctx: Context) -> PropertyResult:
    m = ctx.model()
    res = PropertyResult("ruleset.consistent", Verdict.UNKNOWN, ARTICLES,
                         "some committee, meeting and vote satisfies every rule, and some applicant can pass")
    from zcsim.verify._core import Obligation

    # 1. every rule at once, tracked so an unsat core names the articles
    status, core = core_of(m.rules, m.background, ctx.timeout_ms)
    res.obligations.append(Obligation("ruleset.consistent--rules", tuple(m.constraints()),
                                      "unsat" if status == z3.unsat else "sat",
                                      "ruleset.consistent: some meeting satisfies every rule"))
    if status == z3.unsat:
        res.verdict = Verdict.REFUTED
        res.core = [c.label for c in core]
        res.detail = "no meeting satisfies these rules together: " + "; ".join(
            f"{c.label}: {c.text}" for c in core)
        return res
    if status != z3.sat:
        res.detail = f"the solver gave up ({status}) within {ctx.timeout:g} s"
        return res
    # 2. ... and some applicant passes
    s = z3.Optimize()  # a plain witness: few recusals, full attendance, a small committee
    s.set("timeout", ctx.timeout_ms)
    s.add(*m.constraints(), m.passes)
    for goal in (m.recused, m.size - m.present, m.size, m.no + m.abstain):
        s.minimize(goal)
    status = checked(s)
    res.obligations.append(Obligation("ruleset.consistent--pass", tuple(m.constraints()) + (m.passes,),
                                      "unsat" if status == z3.unsat else "sat",
                                      "ruleset.consistent: some applicant can pass"))
    if status == z3.unsat:
        res.verdict = Verdict.REFUTED
        res.detail = "meetings can be held, but no applicant can ever pass (Art. 23)"
        return res
    if status != z3.sat:
        res.detail = f"the solver gave up ({status}) within {ctx.timeout:g} s"
        return res
    v = model_values(s.model(), m)
    res.verdict = Verdict.PROVED
    res.detail = f"witness: {describe(v)}: passes"
    res.counterexample = None
    res.witness = counterexample(v, ctx.rules, "a meeting where every rule holds and the applicant passes")
    return res


if __name__ == "__main__":
    from zcsim.proofs import main

    raise SystemExit(main("consistency"))
