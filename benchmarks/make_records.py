"""Generate realistic, compliant ``zcsim.meeting/1`` records for benchmarks.

    python benchmarks/make_records.py OUTDIR --count N --seed S [--experts 25] [--applicants 50]

Every record is built to pass ``zcsim audit`` under beijing-2020:

- committee formed by series (``specialty: null``), odd size (25 by default, the Art. 9 minimum
  for a series committee), 1 chair and 2 vice-chairs; agency filing valid on the meeting day and
  for at most 3 years (Art. 11);
- 21-25 experts present (quorum ceil(2/3 x 25) = 17 met), presided by the chair, or by a
  vice-chair when the chair is absent (Art. 22); everyone present signs the minutes (Art. 23);
- panels of 3-5 committee experts, together covering every applicant, each applicant with a
  written opinion (Art. 20-21);
- a few expert-applicant relations, each with a recorded recusal; the related expert neither
  votes on that applicant nor sits on a panel that reviews them (Art. 29);
- one ballot per applicant, round 1, with a vote from every present non-recused expert (yes with
  probability ~0.75) and ``declared_result`` = pass iff ``3 * yes >= 2 * present`` with recused
  experts counted in ``present`` (the literal reading, ``recusal_denominator = present``).

The generator is independent of zcsim (it only needs numpy), so the audit checks it rather than
agreeing with itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["make_record", "write_records"]

SERIES = ("engineering", "health", "economics", "education", "agriculture", "journalism", "law")
LEVELS = ("junior", "intermediate", "senior")
RELATION_TYPES = (
    "spouse", "close_relative", "same_employer", "supervisor_student",
    "coauthor", "project_partner", "recommender", "interest",
)
OPINIONS_FOR = ("support", "support; strong project record", "support with reservations")
OPINIONS_AGAINST = ("oppose", "oppose; publications below the standard", "do not support at this time")


def _pick(rng: np.random.Generator, seq: tuple[str, ...] | list[str]) -> str:
    return seq[int(rng.integers(len(seq)))]


def make_record(rng: np.random.Generator, *, experts: int = 25, applicants: int = 50) -> dict[str, Any]:
    """One compliant ``zcsim.meeting/1`` record as a JSON-ready dict.

    Parameters
    ----------
    rng : numpy.random.Generator
    experts : int, default 25
        Committee size; must be odd and >= 25 for a series committee under beijing-2020.
    applicants : int, default 50

    Examples
    --------
    >>> r = make_record(np.random.default_rng(0))
    >>> len(r["committee"]["members"]), len(r["ballots"])
    (25, 50)
    """
    if experts % 2 == 0 or experts < 7:
        raise ValueError("experts must be odd and >= 7 (and >= 25 for a beijing-2020 series committee)")
    width = max(2, len(str(experts)))
    eids = [f"E{i + 1:0{width}d}" for i in range(experts)]
    aw = max(3, len(str(applicants)))
    aids = [f"A{i + 1:0{aw}d}" for i in range(applicants)]
    chair, vices = eids[0], eids[1:3]
    roles = {chair: "chair", vices[0]: "vice_chair", vices[1]: "vice_chair"}
    members = [{"id": e, "role": roles.get(e, "member")} for e in eids]

    series = _pick(rng, SERIES)
    level_i = int(rng.choice(3, p=[0.2, 0.35, 0.45]))
    level = LEVELS[level_i]

    # --- attendance: ~21-25 of 25 present (scaled for other sizes), quorum ceil(2/3 n) always met
    quorum = -((-2 * experts) // 3)
    lo = max(quorum, experts - max(1, round(experts * 4 / 25)))
    n_present = int(rng.integers(lo, experts + 1))
    chair_present = n_present == experts or rng.random() < 0.9
    must = [chair] if chair_present else [_pick(rng, vices)]
    others = [e for e in eids if e not in must and (chair_present or e != chair)]
    chosen = set(must) | set(rng.choice(others, size=n_present - len(must), replace=False).tolist())
    present = [e for e in eids if e in chosen]  # committee order
    presided_by = chair if chair_present else must[0]

    # --- panels: disjoint groups of 3-5 present experts; applicants split evenly among them
    pool = list(rng.permutation(present))
    n_panels = max(1, min(int(rng.integers(4, 7)), len(pool) // 3, applicants))
    sizes = rng.integers(3, 6, size=n_panels)
    while sizes.sum() > len(pool):
        sizes[int(np.argmax(sizes))] -= 1
    panel_experts: list[list[str]] = []
    k = 0
    for s in sizes:
        panel_experts.append(sorted(pool[k:k + int(s)]))
        k += int(s)
    groups = np.array_split(np.array(aids), n_panels)
    panel_of: dict[str, int] = {}
    for p, g in enumerate(groups):
        for a in g.tolist():
            panel_of[a] = p

    # --- relations with matching recusals; the related expert is not on the applicant's panel
    n_rel = int(rng.integers(1, 5))
    relations: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    while len(relations) < n_rel:
        a = _pick(rng, aids)
        cands = [e for e in eids if e not in panel_experts[panel_of[a]]]
        e = _pick(rng, cands)
        if (e, a) in seen:
            continue
        seen.add((e, a))
        relations.append({"expert": e, "applicant": a, "type": _pick(rng, RELATION_TYPES)})
    recusals = [{"expert": r["expert"], "applicant": r["applicant"]} for r in relations]
    recused_for: dict[str, set[str]] = {}
    for e, a in seen:
        recused_for.setdefault(a, set()).add(e)

    # --- opinions and ballots
    opinions: list[dict[str, str]] = [{} for _ in range(n_panels)]
    ballots: list[dict[str, Any]] = []
    for a in aids:
        strength = float(rng.beta(6, 2))  # an applicant's merit: mean 0.75
        supported = rng.random() < min(0.97, strength + 0.1)
        opinions[panel_of[a]][a] = _pick(rng, OPINIONS_FOR if supported else OPINIONS_AGAINST)
        p_yes = 0.75 + 0.5 * (strength - 0.75)
        excluded = recused_for.get(a, set())
        voters = [e for e in present if e not in excluded]
        u = rng.random(len(voters))
        votes: dict[str, str] = {}
        for e, x in zip(voters, u.tolist()):
            if x < p_yes:
                votes[e] = "yes"
            elif x < p_yes + (1 - p_yes) * 0.9:
                votes[e] = "no"
            else:
                votes[e] = "abstain"
        yes = sum(v == "yes" for v in votes.values())
        basis = len(present)  # literal reading: present experts recused for a stay in the basis
        a_level = level if rng.random() < 0.9 else LEVELS[int(rng.integers(0, level_i + 1))]
        ballots.append({
            "applicant": a,
            "applicant_series": series,
            "applicant_level": a_level,
            "round": 1,
            "votes": votes,
            "declared_result": "pass" if 3 * yes >= 2 * basis else "fail",
        })
    panels = [
        {"id": f"P{p + 1}", "experts": panel_experts[p], "applicants": groups[p].tolist(), "opinions": opinions[p]}
        for p in range(n_panels)
    ]

    # --- dates: filed <= 3 years before valid_until, meeting inside the filing
    filed_on = dt.date(2021, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3 * 365)))
    valid_until = dt.date(filed_on.year + 3, filed_on.month, min(filed_on.day, 28)) - dt.timedelta(days=1)
    meeting_date = filed_on + dt.timedelta(days=int(rng.integers(30, (valid_until - filed_on).days)))
    n_opp = sum(1 for b in ballots if b["declared_result"] == "fail")
    remarks = (
        f"{n_panels} panels reported on {applicants} applicants; the committee discussed each applicant's "
        f"achievements and the employer's recommendation; {len(recusals)} recusal(s) observed; "
        f"{n_opp} applicant(s) did not reach two-thirds of those present (Art. 23)."
    )

    return {
        "format": "zcsim.meeting/1",
        "rules": "beijing-2020",
        "agency": {
            "id": f"AG-BJ-{series[:3].upper()}-{int(rng.integers(1, 100)):02d}",
            "filing_valid_until": valid_until.isoformat(),
            "filed_on": filed_on.isoformat(),
        },
        "committee": {
            "id": f"C-{series[:3].upper()}-{level[:2].upper()}-{int(rng.integers(1000, 10000))}",
            "series": series,
            "specialty": None,
            "level": level,
            "size_adjustment_filed": False,
            "members": members,
        },
        "panels": panels,
        "meeting": {
            "date": meeting_date.isoformat(),
            "presided_by": presided_by,
            "present": present,
            "signed_minutes": list(present),
            "rounds": 1,
            "remarks_summary": remarks,
        },
        "relations": relations,
        "recusals": recusals,
        "ballots": ballots,
    }


def write_records(outdir: str | Path, count: int, seed: int, *, experts: int = 25, applicants: int = 50,
                  indent: int | None = None) -> list[Path]:
    """Write ``count`` records ``record-00000.json`` … into ``outdir``; return their paths."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    width = max(5, len(str(count - 1)))
    paths = []
    for i in range(count):
        rec = make_record(rng, experts=experts, applicants=applicants)
        p = out / f"record-{i:0{width}d}.json"
        p.write_text(json.dumps(rec, ensure_ascii=False, indent=indent), encoding="utf-8")
        paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--experts", type=int, default=25)
    ap.add_argument("--applicants", type=int, default=50)
    ap.add_argument("--indent", type=int, default=None, help="pretty-print JSON with this indent")
    ns = ap.parse_args(argv)
    paths = write_records(ns.outdir, ns.count, ns.seed, experts=ns.experts, applicants=ns.applicants, indent=ns.indent)
    print(f"wrote {len(paths)} records to {ns.outdir}")


if __name__ == "__main__":
    main()
