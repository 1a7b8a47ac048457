"""Runs every named legal case in src/zcsim/cases/*.yaml (one case per line of law)."""

from __future__ import annotations

import copy
import datetime
import json
import re
from typing import Any

import pytest

from conftest import EXAMPLES
from zcsim import load_rules
from zcsim.coverage import LegalCase, load_cases
from zcsim.procedure import CHECKS, passes, quorum_met
from zcsim.procedure import Finding
from zcsim.procedure.application import (
    Applicant,
    Title,
    acceptance,
    appeal,
    eligibility,
    materials_vetting,
    result_publicity,
    unit_publicity,
)
from zcsim.procedure.committee import committee_constitution, panel_composition
from zcsim.records import audit, parse_record

CASES = load_cases()
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _path(path: str) -> list[str | int]:
    return [int(i) if i else k for k, i in _STEP.findall(path)]


def _set(doc: Any, path: str, value: Any) -> None:
    *head, last = _path(path)
    for step in head:
        doc = doc[step]
    if isinstance(last, int) and isinstance(doc, list) and last == len(doc):
        doc.append(value)
    else:
        doc[last] = value


def _delete(doc: Any, path: str) -> None:
    *head, last = _path(path)
    for step in head:
        doc = doc[step]
    del doc[last]


def _violated(findings: Any) -> set[str]:
    return {f.rule for f in findings if not f.ok and f.rule != "vote.threshold"}


def run_case(case: LegalCase) -> Any:
    """The outcome the engine gives for ``case``, in the case's own terms."""
    rules = load_rules(case.rules, list(case.overrides) or None)
    g = case.given
    if case.kind == "tally":
        ok = passes(g["yes_votes"], g["present"], rules, recused=g.get("recused", 0), members=g.get("members"))
        return "pass" if ok else "fail"
    if case.kind == "quorum":
        return "met" if quorum_met(g["present"], g["size"], rules) else "not_met"
    if case.kind == "committee":
        chairs, vices = g.get("chairs", 1), g.get("vice_chairs", 1)
        members = [(f"C{i}", "chair") for i in range(chairs)] + [(f"V{i}", "vice_chair") for i in range(vices)]
        members += [(f"M{i}", "member") for i in range(g["size"] - len(members))]
        fs = committee_constitution(members, rules, by_specialty=g["by"] == "specialty", level=g["level"],
                                    size_adjustment_filed=g.get("size_adjustment_filed", False),
                                    filed_size=g.get("filed_size"))
        return {"violated": sorted(_violated(fs))}
    if case.kind == "panel":
        fs = panel_composition("P", [f"E{i}" for i in range(g["experts"])], rules)
        return {"violated": sorted(_violated(fs))}
    if case.kind == "record":
        doc = json.loads((EXAMPLES / "compliant.json").read_text(encoding="utf-8"))
        doc = copy.deepcopy(doc)
        doc["rules"] = rules.name  # a meeting held under the case's rules (else record.rules reports the difference)
        for path, value in (g.get("set") or {}).items():
            _set(doc, path, value)
        for path in g.get("delete") or []:
            _delete(doc, path)
        rep = audit(parse_record(doc), rules)
        return {"violated": sorted(_violated(rep.findings))}
    if case.kind == "eligibility":
        fields = {"id": "A", "series": "engineering", "level_applied": "junior", "employer_kind": "non_public",
                  **g["applicant"]}
        fields["titles"] = tuple(Title(**t) for t in fields.get("titles", ()))
        fields["exceptional_grounds"] = tuple(fields.get("exceptional_grounds", ()))
        for key in ("sanction_until", "sanction_from", "blacklisted_on"):
            if key in fields:
                fields[key] = _date(fields[key])
        fs = eligibility(Applicant(**fields), rules, on=_date(g["date"]))
        return {"violated": sorted(_violated(fs))}
    if case.kind == "publicity":
        start, end = _date(g["start"]), _date(g["end"])
        if g["which"] == "unit":
            fs = unit_publicity(start, end, rules, objection=g.get("objection", False))
        else:
            fs = result_publicity(start, end, rules, complaints=g.get("complaints", 0),
                                  verified_problem=g.get("verified_problem", False))
        return {"violated": sorted(_violated(fs))}
    if case.kind == "vetting":
        kw = {k: (_date(v) if k in {"notice_date", "corrected_on", "as_of"} else v) for k, v in g.items()}
        return {"violated": sorted(_violated(materials_vetting(rules, **kw).findings))}
    if case.kind == "acceptance":
        procedure = [Finding("meeting.quorum", 22, False, "x")] * g.get("procedure_violations", 0)
        fs = acceptance(*g["committee"], *g["applicant"], rules, procedure=procedure,
                        post_quota=g.get("post_quota"), quota_used=g.get("quota_used", 0))
        return {"violated": sorted(_violated(fs))}
    if case.kind == "appeal":
        return {"violated": sorted(_violated(appeal(rules, **g)))}
    if case.kind in ("pool", "draw"):  # Art. 10 (the pool's shares) and Art. 44 (removed experts), issue 12
        return _run_pool_case(case, rules)
    raise AssertionError(f"no runner for kind {case.kind!r}")


def _pool_experts(groups: list[dict[str, Any]]) -> list[Any]:
    from zcsim.draw import ExpertRecord

    out = []
    for g in groups:
        for _ in range(g["count"]):
            flags = {c: True for c in g.get("categories", ())}
            out.append(ExpertRecord(f"E{len(out) + 1}", f"ORG{len(out) + 1}", g.get("series", "engineering"), "x",
                                    g.get("level", "senior"), status=g.get("status", "active"), **flags))
    return out


def _run_pool_case(case: LegalCase, rules: Any) -> Any:
    from zcsim.draw import DrawError, Pool, draw_committee
    from zcsim.procedure.pool import pool_min_share

    g = case.given
    experts = _pool_experts(g["groups"])
    if case.kind == "pool":
        chosen = Pool(experts).in_scope(g["series"], g["level"]) if "series" in g else experts
        return {"violated": sorted(_violated(pool_min_share(chosen, rules)))}
    removed = {e.id for e in experts if e.status == "removed"}
    violated: set[str] = set()
    for seed in range(g["seeds"]):
        try:
            d = draw_committee(experts, rules, series="engineering", specialty=g.get("specialty", "x"), level="senior",
                               size=g["size"], seed=seed)
        except DrawError as exc:
            assert any(dg.article == 10 for dg in exc.diagnoses), str(exc)
            violated.add("committee.min_share")
            violated |= _violated(pool_min_share([e for e in experts if e.status != "removed"], rules))
            continue
        violated |= _violated(d.findings) | _violated(d.pool.findings if d.pool else ())
        if removed & set(d.ids):  # the runner's own check, not the draw's
            violated.add("pool.removed_not_drawn")
        need = {c: -(-getattr(rules, f"pool_min_share_{c}") * g["size"] // 1) for c in ("young", "grassroots")}
        if rules.min_share_scope == "committee" and any(
                sum(getattr(e, c) for e in d.experts) < n for c, n in need.items()):
            violated.add("committee.min_share")
    return {"violated": sorted(violated)}


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(str(text))


def _normalise(expect: Any) -> Any:
    if isinstance(expect, dict) and "violated" in expect:
        return {"violated": sorted(expect["violated"])}
    return expect


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_legal_case(case: LegalCase) -> None:
    assert run_case(case) == _normalise(case.expect), case.note


def test_case_names_are_unique() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_names_a_registered_check_of_its_article(case: LegalCase) -> None:
    import zcsim.coverage

    zcsim.coverage.coverage_table()  # registers every check
    assert case.check in CHECKS, f"{case.name}: unknown check {case.check!r}"
    assert CHECKS[case.check].article == case.article, f"{case.name}: {case.check} is Art. {CHECKS[case.check].article}"
    if isinstance(case.expect, dict):
        for rule in case.expect.get("violated", []):
            assert rule in CHECKS, f"{case.name}: unknown check {rule!r}"
