"""A counterexample's numbers as a ``zcsim.meeting/1`` record that ``zcsim audit`` can check.

The record is built from the numbers alone (no solver), so the audit that accepts it is an
independent check that the counterexample is a meeting the rules allow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zcsim.law import LEVELS, RuleSet

__all__ = ["counterexample_record"]

MEETING_DATE = "2025-11-14"  # a Friday and a working day
SERIES, SPECIALTY = "engineering", "electrical engineering"


def counterexample_record(values: Mapping[str, Any], rules: RuleSet, *, applicant: str = "A01", ballot: bool = True) -> dict[str, Any]:
    """Write the meeting of a counterexample as a ``zcsim.meeting/1`` record (a dict).

    The committee has ``size`` experts E001… (chairs first, then vice-chairs); the experts present
    are the presiding roles present and then ordinary members; recused experts are ordinary
    members where possible, each with a relation and a recusal on record; the eligible experts
    vote ``yes`` first, then ``no``, then ``abstain``; the declared result is the tally's.

    With ``ballot=False`` the applicant is not voted on (the meeting cannot decide it); so that the
    record is still complete (Art. 27 asks for the votes), the meeting votes on one other applicant,
    related to nobody, with every expert present voting yes.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> v = dict(size=11, chairs=1, vice_chairs=1, by_specialty=True, level=2, present=8, chairs_present=1,
    ...          vices_present=0, conflicted=0, recused=0, yes=6, no=2, abstain=0, panel=3)
    >>> rec = counterexample_record(v, load_rules())
    >>> len(rec["committee"]["members"]), len(rec["meeting"]["present"]), rec["ballots"][0]["declared_result"]
    (11, 8, 'pass')
    """
    from zcsim.procedure.vote import passes

    v = values
    size = int(v["size"])
    ids = [f"E{i + 1:03d}" for i in range(size)]
    nc, nv = int(v["chairs"]), int(v["vice_chairs"])
    roles = ["chair"] * nc + ["vice_chair"] * nv + ["member"] * (size - nc - nv)
    chairs, vices, plain = ids[:nc], ids[nc:nc + nv], ids[nc + nv:]
    cp, vp = int(v["chairs_present"]), int(v["vices_present"])
    present_n = int(v["present"])
    present = chairs[:cp] + vices[:vp] + plain[:present_n - cp - vp]
    absent = [e for e in ids if e not in set(present)]
    presiding = next((e for e in present if roles[ids.index(e)] in rules.presiding_roles), None)

    # recused experts: present, not presiding, ordinary members first
    recused_n, conflicted_n = int(v["recused"]), int(v["conflicted"])
    order = [e for e in reversed(present) if e != presiding] + ([presiding] if presiding else [])
    recused = order[:recused_n]
    absent_conflicted = absent[:conflicted_n - recused_n]
    conflicted = set(recused) | set(absent_conflicted)

    eligible = [e for e in present if e not in set(recused)]
    yes, no, abstain = int(v["yes"]), int(v["no"]), int(v["abstain"])
    ballots = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    votes = dict(zip(eligible, ballots, strict=False))
    # proxy ballots (only when the rule set allows them) come from absent, unconflicted experts
    extra = ballots[len(eligible):]
    votes.update(zip([e for e in absent if e not in conflicted], extra, strict=False))

    panel_n = int(v["panel"])
    free = [e for e in present if e not in conflicted] + [e for e in absent if e not in conflicted]
    panel = free[:panel_n] if rules.panel_experts_from_committee else \
        free[:panel_n] + [f"X{i + 1:03d}" for i in range(panel_n - len(free[:panel_n]))]

    ok = passes(yes, present_n, rules, recused=recused_n, members=size)
    # a recorded recusal makes the conflict whatever the type; "interest" is a valid type even
    # when the rule set lists no relation that requires recusal
    relation = rules.recusal_relations[0] if rules.recusal_relations else "interest"
    voted = applicant if ballot else ("A02" if applicant != "A02" else "A03")
    if ballot:
        votes_of, result = votes, ok
    else:  # the other applicant: no relations, everyone present votes yes
        votes_of = dict.fromkeys(present, "yes")
        result = passes(len(present), present_n, rules, recused=0, members=size)
    level = LEVELS[int(v["level"])]
    committee: dict[str, Any] = {
        "id": "C-EXAMPLE", "series": SERIES, "specialty": SPECIALTY if v["by_specialty"] else None,
        "level": level, "size_adjustment_filed": False,
        "members": [{"id": e, "role": r} for e, r in zip(ids, roles, strict=True)],
    }
    if rules.size_adjustment_filed:  # the rule set assumes a filed size adjustment: the committee's own size (Art. 9)
        committee.update(size_adjustment_filed=True, filed_size=size)
    return {
        "format": "zcsim.meeting/1",
        "rules": rules.name,
        "agency": {"id": "AG-EXAMPLE", "filing_valid_until": "2027-06-30", "filed_on": "2024-07-01"},
        "committee": committee,
        "panels": [{"id": "P1", "experts": panel, "applicants": list(dict.fromkeys([applicant, voted])),
                    "opinions": dict.fromkeys([applicant, voted], "support")}],
        "meeting": {
            "date": MEETING_DATE, "presided_by": presiding, "present": present, "signed_minutes": present,
            "rounds": 1,
            "remarks_summary": "Counterexample written by zcsim verify: the panel reported and each expert "
                               "free to vote cast one ballot (Art. 23).",
            "review_summary": f"One applicant voted on in one round; declared {'pass' if result else 'fail'} "
                              "(a counterexample meeting of zcsim verify).",
        },
        "relations": [{"expert": e, "applicant": applicant, "type": relation} for e in sorted(conflicted)],
        "recusals": [{"expert": e, "applicant": applicant} for e in sorted(conflicted)],
        "ballots": [{
            "applicant": voted, "applicant_series": SERIES, "applicant_level": level, "round": 1,
            "votes": votes_of, "declared_result": "pass" if result else "fail",
        }],
    }
