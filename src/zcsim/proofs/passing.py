"""What it takes to pass — Art. 9, 22, 23 and 29.

``pass.requires_majority_of_members``
    Every applicant who passes has yes votes from more than half of the committee's members
    (not just of those present). Under the 2020 Measures the two-thirds are of those *present*
    and the quorum is two-thirds of the members, so 2/3 × 2/3 = 4/9 of the members can pass an
    applicant; the solver finds the smallest such meeting. Under the 2003-style rule (more than
    two-thirds of all members) it is proved.

``pass.unanimous_eligible_always_passes``
    If every expert present and allowed to vote on an applicant votes yes (and there is at least
    one), the applicant passes: recusals alone cannot sink an applicant. Under the literal reading
    of Art. 23 (recused experts stay in the basis as non-yes votes) it is refuted — 17 present
    with 6 recused leaves 11 possible yes votes against 12 needed; under
    ``recusal_denominator = eligible`` it is proved.

Both are claims about every committee size (unbounded) unless ``--committee-size`` fixes one.
"""

from __future__ import annotations

from zcsim.verify._core import Context, PropertyResult, Verdict, check_claim, describe, settle
from zcsim.verify._run import register

MAJORITY = "every applicant who passes has yes votes from more than half of the committee's members"
UNANIMOUS = ("if every expert allowed to vote on an applicant votes yes (at least one), the applicant passes: "
             "recusals cannot sink an applicant")


def _scope(ctx: Context) -> str:
    return f"committees of {ctx.committee_size}" if ctx.committee_size else "every committee size"


@register("pass.requires_majority_of_members", articles=(9, 22, 23), statement=MAJORITY)
def requires_majority(ctx: Context) -> PropertyResult:
    m = ctx.model()
    res = PropertyResult("pass.requires_majority_of_members", Verdict.UNKNOWN, (9, 22, 23), MAJORITY)
    verdict, v, ob = check_claim(
        m, 2 * m.yes > m.size, timeout_ms=ctx.timeout_ms, name="pass.requires_majority_of_members",
        comment=MAJORITY, extra=[m.passes], minimize=[m.size, m.yes, m.present])
    return settle(res, verdict, v, ob, ctx, proved=f"proved for {_scope(ctx)}",
                  why=lambda v: (f"{describe(v)}: the applicant passes with {v['yes']} yes votes, "
                                 f"not more than half of the {v['size']} members"))


@register("pass.unanimous_eligible_always_passes", articles=(22, 23, 29), statement=UNANIMOUS)
def unanimous_passes(ctx: Context) -> PropertyResult:
    m = ctx.model()
    res = PropertyResult("pass.unanimous_eligible_always_passes", Verdict.UNKNOWN, (22, 23, 29), UNANIMOUS)
    premises = [m.yes == m.eligible, m.eligible >= 1]
    verdict, v, ob = check_claim(
        m, m.passes, timeout_ms=ctx.timeout_ms, name="pass.unanimous_eligible_always_passes",
        comment=UNANIMOUS, extra=premises, minimize=[m.size, m.recused, m.present])
    r = ctx.rules
    return settle(res, verdict, v, ob, ctx, proved=f"proved for {_scope(ctx)}",
                  why=lambda v: (f"{describe(v)}: every expert allowed to vote says yes, yet the applicant fails "
                                 f"(recusal_denominator = {r.recusal_denominator}, "
                                 f"threshold_basis = {r.threshold_basis})"))


if __name__ == "__main__":
    from zcsim.proofs import main

    raise SystemExit(main("passing"))
