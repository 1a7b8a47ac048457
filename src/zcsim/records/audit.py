"""Auditing a meeting record against a rule set, as the Bureau's acceptance check would (Art. 24)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zcsim.errors import RecordError, RuleSetError
from zcsim.law import RuleSet, builtin_rule_sets, load_rules
from zcsim.law._load import shown
from zcsim.procedure import committee as pc
from zcsim.procedure import meeting as pm
from zcsim.procedure._finding import Finding, register
from zcsim.procedure.application import Entrustment, committee_may_review, entrustment, entrustment_recognised
from zcsim.records._io import load_record
from zcsim.records._model import Record
from zcsim.records._seal import key_from_env, verify_seal

__all__ = ["AuditReport", "DEFAULT_RULES", "audit", "audit_file", "rules_for"]

COMPLETE = register("record.complete", 27, "the record holds the date, experts present, applicants, remarks, review "
                                           "situation, panel opinions and votes")
RULES_NAMED = register(
    "record.rules", 27,
    "the rule set the record says it was held under (its rules field) is the one it is audited against; "
    "a record never chooses the rules it is judged by",
)

IN_FORCE = register(
    "record.in_force", 45,
    "the meeting was held on or after the day its rule set's instrument came into force (本办法自2020年8月1日起施行)",
)

DEFAULT_RULES = "beijing-2020"
"""The rule set a record is audited against when the auditor names none (``zcsim audit --rules``)."""


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The outcome of auditing one record.

    Attributes
    ----------
    findings : tuple of Finding
        Every finding, compliant or not, in record order.
    rules : RuleSet
        The rule set the record was audited against.
    source : str
        Where the record came from.
    """

    findings: tuple[Finding, ...]
    rules: RuleSet
    source: str

    @property
    def violations(self) -> list[Finding]:
        """Findings that are not ok."""
        return [f for f in self.findings if not f.ok and f.rule != "vote.threshold"]

    @property
    def compliant(self) -> bool:
        """True when there is no violation."""
        return not self.violations

    def as_dict(self) -> dict[str, object]:
        """The JSON object ``zcsim audit --json`` prints."""
        return {
            "compliant": self.compliant,
            "record": self.source,
            "rules": self.rules.name,
            "violations": [f.as_dict() for f in self.violations],
        }


def rules_for(record: Record, rules: str | RuleSet | None = None, overrides: Sequence[str] = (), *,
              from_record: bool = False, source: str = "<record>") -> RuleSet:
    """The rule set to audit ``record`` against: the auditor's, never one the record chooses.

    That is ``rules`` (a built-in name, a rule file or a RuleSet), else :data:`DEFAULT_RULES`, with
    ``overrides`` (``--set KEY=VALUE``) applied. With ``from_record`` (``--rules-from-record``)
    it is the *built-in* rule set the record's ``rules`` field names (``beijing-2020`` when it
    names none): a record never makes zcsim read a file, and a name with changes such as
    ``beijing-2020+quorum_ratio=1/2`` is not taken from it.

    Raises
    ------
    RecordError
        With ``from_record``, when the record's ``rules`` is not a built-in rule set (naming
        ``source`` and ``rules``), or when ``rules`` is given too.
    RuleSetError
        When ``rules`` cannot be loaded, or an override is invalid (naming ``--set``).

    Examples
    --------
    >>> from zcsim.records import parse_record
    >>> rec = parse_record({"format": "zcsim.meeting/1", "rules": "beijing-2020+quorum_ratio=1/2",
    ...     "committee": {"id": "C", "series": "engineering", "level": "senior", "members": []}})
    >>> rules_for(rec).name
    'beijing-2020'
    >>> rules_for(rec, from_record=True, source="r.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    zcsim.errors.RecordError: r.json: rules: 'beijing-2020+quorum_ratio=1/2' is not a built-in rule set; ...
    """
    if from_record:
        if rules is not None:
            raise RecordError("give --rules or --rules-from-record, not both", source="--rules-from-record")
        spec: str | RuleSet = record.rules or DEFAULT_RULES
        names = builtin_rule_sets()
        if spec not in names:
            raise RecordError(f"{shown(spec, limit=80)} is not a built-in rule set; --rules-from-record takes only a built-in name "
                              f"({', '.join(names)}); to audit under other rules, name them yourself with "
                              "--rules NAME|FILE [--set KEY=VALUE]", source=source, location="rules")
    else:
        spec = rules if rules is not None else DEFAULT_RULES
    base = load_rules(spec)
    return load_rules(base, list(overrides)) if overrides else base  # a bad override names --set


def _rules_named(record: Record, rules: RuleSet) -> Finding:
    """The ``record.rules`` finding: does the record's ``rules`` field name the rule set audited against?"""
    named = record.rules
    if named is None:
        return RULES_NAMED.finding(True, f"the record names no rule set; audited against {rules.name}")
    if named == rules.name:
        return RULES_NAMED.finding(True, f"held under {named}, audited against it")
    return RULES_NAMED.finding(False, f"the record says it was held under {shown(named, limit=80)} but is audited against "
                                      f"{rules.name!r}; the auditor names the rules (--rules), a record never chooses "
                                      "them: audit under the record's rules by naming them with --rules "
                                      "(--rules-from-record for a built-in name)")


def _in_force(record: Record, rules: RuleSet) -> list[Finding]:
    """The ``record.in_force`` finding: was the meeting held once ``rules``' instrument was in force?

    None without a meeting date (``record.complete`` reports that) or an in-force date. A date known
    to the year only (``2003``) decides only meetings outside that year.

    Examples
    --------
    >>> import datetime
    >>> from zcsim import load_rules
    >>> from zcsim.records import parse_record
    >>> rec = parse_record({"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "engineering",
    ...     "level": "senior", "members": [{"id": "E1", "role": "chair"}]}, "meeting": {"date": "2020-07-31"}})
    >>> [(f.ok, f.detail[:40]) for f in _in_force(rec, load_rules())]
    [(False, 'held on 2020-07-31, before beijing-2020 ')]
    """
    day = record.meeting.date if record.meeting is not None else None
    bounds = rules.in_force_bounds()
    if day is None or bounds is None:
        return []
    first, last = bounds
    cite = f"{rules.instrument}, {rules.in_force_citation.label}: {rules.in_force_citation.phrase}"
    if day < first:
        return [IN_FORCE.finding(False, f"held on {day}, before {rules.name} was in force (from {rules.in_force}; "
                                        f"{cite}): its rules did not govern this meeting")]
    if day < last:
        return [IN_FORCE.finding(True, f"held on {day}, in the year {rules.name} came into force ({rules.in_force}, "
                                       f"the day is not known): cannot tell whether it was in force ({cite})")]
    return [IN_FORCE.finding(True, f"held on {day}, {rules.name} in force from {rules.in_force} ({cite})")]


def audit(record: Record, rules: RuleSet, *, source: str = "<record>", key: bytes | None = None,
          require_seal: bool = False) -> AuditReport:
    """Check a meeting record against ``rules`` and return every finding with its article.

    Covers committee shape (Art. 9), series and level (Art. 7, 9), filing (Art. 11), panels
    (Art. 20–21), attendance, quorum and presiding (Art. 22), ballots, rounds, minutes and
    declared results (Art. 23), recorded content and, for a sealed record, its integrity
    (Art. 27: ``record.integrity``; with ``key``, the seal's HMAC too) and recusal (Art. 29).
    A record whose ``rules`` field names another rule set than ``rules`` is a violation of
    Art. 27 (``record.rules``): it is judged by ``rules`` all the same.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> from zcsim.records import parse_record
    >>> rec = parse_record({"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "engineering",
    ...     "level": "senior", "members": [{"id": "E1", "role": "chair"}]}})
    >>> rep = audit(rec, load_rules())
    >>> rep.compliant
    False
    >>> sorted({v.citation for v in rep.violations})
    ['Art. 11', 'Art. 22', 'Art. 27', 'Art. 9']
    """
    out: list[Finding] = [_rules_named(record, rules)]
    out += _in_force(record, rules)  # Art. 45: a meeting before the rules came into force
    com = record.committee
    members = {m.id: m.role for m in com.members}
    member_ids = list(members)

    # Art. 27: what the record must hold
    missing: list[str] = []
    mt = record.meeting
    if mt is None:
        missing.append("meeting")
    else:
        if mt.date is None:
            missing.append("meeting.date (评审日期)")
        if not mt.present:
            missing.append("meeting.present (出席评审专家)")
        if not mt.remarks_summary:
            missing.append("meeting.remarks_summary (评审专家发言摘要)")
        if not mt.review_summary:
            missing.append("meeting.review_summary (评审情况)")
        if not mt.signed_minutes:
            missing.append("meeting.signed_minutes (会议纪要签字)")
    if not record.ballots:
        missing.append("ballots (评审对象, 投票结果)")
    if not record.panels:
        missing.append("panels (评议意见)")
    if not com.members:
        missing.append("committee.members")
    for b in record.ballots:
        if b.declared_result is None:
            missing.append(f"ballots[{b.applicant}].declared_result (投票结果)")
    out.append(COMPLETE.finding(not missing, ("missing: " + "; ".join(missing)) if missing else "all Art. 27 elements recorded"))
    # Art. 27: traceable — a sealed record is unchanged since sealing
    out += verify_seal(record, key=key, require=require_seal)

    # Art. 9: committee shape
    out += pc.committee_constitution(
        [(m.id, m.role) for m in com.members], rules,
        by_specialty=com.specialty is not None, level=com.level,
        size_adjustment_filed=com.size_adjustment_filed, filed_size=com.filed_size,
    )

    # Art. 11: filing
    ag = record.agency
    if ag is None or ag.filing_valid_until is None:
        out.append(pc.FILING.finding(False, "no filing recorded (agency.filing_valid_until); results of an unfiled committee are not recognised (Art. 40)"))
    elif mt is not None and mt.date is not None:
        out += pc.filing_valid(mt.date, ag.filing_valid_until, rules, filed_on=ag.filed_on)

    # Art. 29: who must stay out of which review
    conflicts = pm.conflicts_for(
        ((r.expert, r.applicant, r.type) for r in record.relations),
        ((r.expert, r.applicant) for r in record.recusals),
        rules,
    )

    # Art. 20–21: panels
    opinions: dict[str, str] = {}
    for p in record.panels:
        out += pc.panel_composition(p.id, p.experts, rules, committee=member_ids)
        out += pm.panel_conflicts(p.id, p.experts, p.applicants, conflicts)
        opinions.update({a: o for a, o in p.opinions.items() if o})
    if record.panels:
        out += pc.panel_opinions(dict.fromkeys(b.applicant for b in record.ballots), opinions)

    # Art. 22: attendance, quorum, presiding
    # (with no meeting section nothing shows a quorum or a presiding expert: both are reported)
    present = list(dict.fromkeys(mt.present)) if mt is not None else []
    out += pm.attendance(present, members, rules, presided_by=mt.presided_by if mt is not None else None)
    if mt is not None:
        dupes = sorted(e for e, n in Counter(mt.present).items() if n > 1)
        if dupes:
            out.append(COMPLETE.finding(False, f"meeting.present lists {', '.join(dupes)} more than once"))
        out += pm.minutes(present, mt.signed_minutes, rules)
        out += pm.unrecorded_recusals(conflicts, present)

    # Art. 23: rounds and ballots
    by_applicant: dict[str, list[int]] = {}
    for b in record.ballots:
        by_applicant.setdefault(b.applicant, []).append(b.round)
    out += pm.rounds(mt.rounds if mt is not None else None, by_applicant, rules)
    member_set = frozenset(member_ids)
    present_set = frozenset(present) & member_set
    for b in record.ballots:
        if b.applicant_series is not None and b.applicant_level is not None:
            out += committee_may_review(com.series, com.level, b.applicant_series, b.applicant_level, rules, applicant=b.applicant)
        # Art. 17, 42: an applicant of a central unit in Beijing or of another province is reviewed on entrustment
        ent = (Entrustment("inbound", employer_consent=b.entrustment.employer_consent,
                           letter_issuer=b.entrustment.letter_issuer) if b.entrustment is not None else None)
        if ent is not None and b.applicant_employer in (None, "beijing"):
            out.append(COMPLETE.finding(False, f"ballots[{b.applicant}].entrustment is recorded but applicant_employer is "
                                               f"{b.applicant_employer or 'not given'}: an entrustment is for central units in "
                                               "Beijing and other provinces (Art. 17)", applicant=b.applicant))
        else:
            found = entrustment(b.applicant_employer or "beijing", ent, applicant=b.applicant)
            out += found + entrustment_recognised(found, applicant=b.applicant)
        out += pm.ballot(
            b.applicant, b.votes, members=member_set, present=present_set,
            conflicts=conflicts.get(b.applicant, {}), rules=rules, declared=b.declared_result,
        )
    return AuditReport(tuple(out), rules, source)


def audit_file(path: str | Path, rules: str | RuleSet | None = None, overrides: Sequence[str] = (), *,
               key: bytes | None = None, require_seal: bool = False, rules_from_record: bool = False) -> AuditReport:
    """Load a record file and audit it against ``rules`` (default :data:`DEFAULT_RULES`), see :func:`rules_for`.

    ``key`` is the HMAC key a sealed record is verified with; by default the key in the
    ``ZCSIM_SEAL_KEY`` environment variable, if set (docs/records.md, "Sealed records").
    ``require_seal`` makes an unsealed record a violation of Art. 27. ``rules_from_record``
    audits against the built-in rule set the record's ``rules`` field names.

    Raises
    ------
    RecordError, RuleSetError
        When the file is unreadable or malformed, or the rule set cannot be loaded.
    """
    record = load_record(path)
    rs = rules_for(record, rules, overrides, from_record=rules_from_record, source=str(path))
    return audit(record, rs, source=str(path),
                 key=key if key is not None else key_from_env(), require_seal=require_seal)
