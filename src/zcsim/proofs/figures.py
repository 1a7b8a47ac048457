"""Figures per committee size — Art. 9, 22, 23 and 29. Numbers, not verdicts.

For every committee size the rules allow (1 to 51 by default, or ``--committee-size``):

``min_yes_to_pass``
    the fewest yes votes that can pass an applicant at some valid meeting;
``min_absent_to_stop``
    the fewest absent members that make a meeting invalid by the counting rules of Art. 22
    (the quorum, and ``present_not_multiple_of`` where set). The presiding rule is separate: a
    meeting also fails when no chair or vice-chair is present;
``min_no_to_block``
    the fewest no votes that can make an applicant fail when every other expert present votes yes
    and nobody recuses (at the attendance where that is easiest);
``max_recused_passable``
    the most recusals an applicant can have and still pass (everyone else present voting yes).

Each is found by Z3's optimiser over every meeting the rules allow for that size; a size no
valid committee has is left out of the table.
"""

from __future__ import annotations

import z3

from zcsim.verify._core import Context, PropertyResult, Verdict, checked, minimise
from zcsim.verify._run import register

ARTICLES = (9, 22, 23, 29)
STATEMENT = "per committee size: fewest yes votes to pass, absences to stop a meeting, no votes to block, most recusals passable"
COLUMNS = ("min_yes_to_pass", "min_absent_to_stop", "min_no_to_block", "max_recused_passable")
MEETING_RULES = ("meeting.quorum", "meeting.present_not_multiple", "meeting.presiding",
                 "meeting.quorum_after_recusal", "vote.ballots")


@register("figures.committee_size", articles=ARTICLES, statement=STATEMENT)
def committee_size_table(ctx: Context) -> PropertyResult:
    res = PropertyResult("figures.committee_size", Verdict.FIGURE, ARTICLES, STATEMENT, table=[])
    ms = ctx.timeout_ms
    inexact: list[str] = []
    for size in ctx.sizes:
        m = ctx.model()
        fix = [m.size == size]
        s = z3.Solver()
        s.set("timeout", ms)
        s.add(*m.constraints(), *fix)
        status = checked(s)
        if status == z3.unsat:  # no committee of this size is allowed
            continue
        row: dict[str, int | None] = {"size": size}
        if status != z3.sat:
            row.update(dict.fromkeys(COLUMNS))
            inexact.append(f"size {size} (could not decide whether it is allowed)")
            res.table.append(row)  # type: ignore[union-attr]
            continue
        full = m.constraints() + fix
        committee_only = m.constraints(skip=MEETING_RULES) + fix
        queries = {
            "min_yes_to_pass": (m.yes, full + [m.passes], False),
            "min_absent_to_stop": (m.size - m.present, committee_only + [z3.Not(m.quorate)], False),
            "min_no_to_block": (m.no, full + [m.recused == 0, m.abstain == 0, z3.Not(m.passes)], False),
            "max_recused_passable": (m.recused, full + [m.passes, m.yes == m.eligible], True),
        }
        for col, (goal, premises, up) in queries.items():
            val, _, exact = minimise(m, goal, premises, ms, maximise=up)
            row[col] = val
            if not exact:
                inexact.append(f"{col} at size {size}")
        res.table.append(row)  # type: ignore[union-attr]
    lo, hi = min(ctx.sizes), max(ctx.sizes)
    res.detail = (f"{len(res.table or [])} allowed sizes between {lo} and {hi}"
                  + (f"; solver timed out, bounds or blanks only: {', '.join(inexact)}" if inexact else ""))
    return res


if __name__ == "__main__":
    from zcsim.proofs import main

    raise SystemExit(main("figures"))
