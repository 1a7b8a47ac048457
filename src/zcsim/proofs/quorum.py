"""Quorum and recusal — Art. 22 and Art. 29.

``quorum.reachable_after_recusal``
    A valid meeting stays valid for every applicant it votes on: when the rule set asks the quorum
    to hold among the experts free to vote on each applicant (``quorum_after_recusal``), a
    meeting that met its quorum can lose it for an applicant through recusals, and that applicant
    then cannot be decided at that meeting. Claim: for every quorate, presided meeting and every
    applicant with at least one expert free to vote, the per-applicant quorum holds. Proved when
    the quorum is about the meeting (the default reading), refuted with the smallest meeting
    otherwise; the figures table gives, per size, how many recusals a full meeting can absorb.
"""

from __future__ import annotations

import z3

from zcsim.verify._core import Context, PropertyResult, Verdict, check_claim, describe, settle
from zcsim.verify._encoding import reaches
from zcsim.verify._run import register

STATEMENT = ("a meeting that met its quorum can vote on every applicant with an expert free to vote: "
             "recusals never take the quorum away")


@register("quorum.reachable_after_recusal", articles=(22, 29), statement=STATEMENT)
def reachable_after_recusal(ctx: Context) -> PropertyResult:
    r = ctx.rules
    m = ctx.model()
    res = PropertyResult("quorum.reachable_after_recusal", Verdict.UNKNOWN, (22, 29), STATEMENT)
    per_applicant = reaches(m.eligible, m.size, r.quorum_ratio, r.quorum_inclusive) if r.quorum_after_recusal \
        else z3.BoolVal(True)
    verdict, v, ob = check_claim(
        m, per_applicant, timeout_ms=ctx.timeout_ms, name="quorum.reachable_after_recusal", comment=STATEMENT,
        extra=[m.eligible >= 1], skip_rules=["meeting.quorum_after_recusal", "vote.ballots"],
        minimize=[m.size, m.recused, m.present])
    if v is not None:  # the counterexample's ballot: everyone free to vote says yes
        v["yes"], v["no"], v["abstain"] = v["present"] - v["recused"], 0, 0
    return settle(res, verdict, v, ob, ctx, ballot=False,
                  proved=("the quorum is about the meeting (quorum_after_recusal = false): recusals do not affect it"
                          if not r.quorum_after_recusal else "proved"),
                  why=lambda v: (f"{describe(v)}: the meeting is quorate, but only {v['present'] - v['recused']} "
                                 f"experts may vote on the applicant, below the quorum (quorum_after_recusal = true), "
                                 f"so the applicant cannot be voted on"))


if __name__ == "__main__":
    from zcsim.proofs import main

    raise SystemExit(main("quorum"))
