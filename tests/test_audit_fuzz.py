"""Hypothesis on the audit: random meetings against an independent oracle, and mutated records
that must give a result or a RecordError — never another exception."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from zcsim import RecordError, load_rules
from zcsim.records import audit, parse_record

RULES = load_rules()
BASE = json.loads((EXAMPLES / "compliant.json").read_text(encoding="utf-8"))


@st.composite
def meeting_records(draw: st.DrawFn) -> dict[str, Any]:
    size = draw(st.integers(3, 31))
    ids = [f"E{i}" for i in range(size)]
    vices = draw(st.integers(0, min(4, size - 1)))
    members = [{"id": ids[0], "role": "chair"}] + [{"id": i, "role": "vice_chair"} for i in ids[1:1 + vices]]
    members += [{"id": i, "role": "member"} for i in ids[1 + vices:]]
    present = sorted(draw(st.sets(st.sampled_from(ids), min_size=1)), key=ids.index)
    n_app = draw(st.integers(1, 5))
    apps = [f"A{j}" for j in range(n_app)]
    recusals = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(apps)), max_size=3, unique=True))
    ballots = []
    for a in apps:
        voters = draw(st.sets(st.sampled_from(ids)))
        votes = {e: draw(st.sampled_from(["yes", "no", "abstain", "blank", "invalid"])) for e in sorted(voters)}
        ballots.append({"applicant": a, "applicant_series": "engineering", "applicant_level": "senior", "round": 1,
                        "votes": votes, "declared_result": draw(st.sampled_from(["pass", "fail"]))})
    return {
        "format": "zcsim.meeting/1",
        "agency": {"id": "AG", "filing_valid_until": "2026-12-31"},
        "committee": {"id": "C", "series": "engineering", "specialty": draw(st.sampled_from([None, "s"])),
                      "level": "senior", "members": members},
        "panels": [{"id": "P", "experts": ids[:3], "applicants": apps, "opinions": {a: "support" for a in apps}}],
        "meeting": {"date": "2025-11-14", "presided_by": draw(st.sampled_from(ids)), "present": present,
                    "signed_minutes": present, "rounds": 1, "remarks_summary": "discussed",
                    "review_summary": "reviewed in one round"},
        "relations": [],
        "recusals": [{"expert": e, "applicant": a} for e, a in recusals],
        "ballots": ballots,
    }


def oracle(rec: dict[str, Any]) -> dict[str, Any]:
    """Beijing 2020, written out by hand: who passes, and whether the meeting is valid."""
    members = {m["id"] for m in rec["committee"]["members"]}
    present = set(rec["meeting"]["present"]) & members
    recused = {(r["expert"], r["applicant"]) for r in rec["recusals"]}
    result = {}
    for b in rec["ballots"]:
        yes = sum(1 for e, v in b["votes"].items()
                  if v == "yes" and e in present and (e, b["applicant"]) not in recused)
        result[b["applicant"]] = 3 * yes >= 2 * len(present)
    size = len(members)
    return {"passes": result, "quorum": 3 * len(present) >= 2 * size, "odd": size % 2 == 1}


@given(meeting_records())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_audit_agrees_with_an_independent_oracle(rec: dict[str, Any]) -> None:
    report = audit(parse_record(rec), RULES)
    want = oracle(rec)
    tallies = {f.applicant: f.ok for f in report.findings if f.rule == "vote.threshold"}
    assert tallies == want["passes"]
    violated = {f.rule for f in report.violations}
    assert ("meeting.quorum" in violated) == (not want["quorum"])
    assert ("committee.size_parity" in violated) == (not want["odd"])
    declared = {b["applicant"]: b["declared_result"] == "pass" for b in rec["ballots"]}
    assert ("vote.declared_result" in violated) == (declared != want["passes"])
    for f in report.violations:
        assert f.article in range(1, 46) and f.detail


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 30) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


@given(st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_mutated_records_give_a_result_or_a_record_error(data: st.DataObject) -> None:
    doc = copy.deepcopy(BASE)
    for _ in range(data.draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()):
            parent[path[-1]] = data.draw(JSONISH)
        elif isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    try:
        record = parse_record(doc, source="mutant.json")
    except RecordError as err:
        assert str(err).startswith("mutant.json")
        return
    report = audit(record, RULES)
    assert isinstance(report.compliant, bool)
