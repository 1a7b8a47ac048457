"""The review meeting: attendance and presiding (Art. 22), votes and minutes (Art. 23),
recusal (Art. 29)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from zcsim.law import RuleSet
from zcsim.procedure._finding import Finding, register
from zcsim.procedure.vote import QUORUM, decide, quorum_required

__all__ = [
    "VOTE_VALUES",
    "attendance",
    "minutes",
    "rounds",
    "ballot",
    "Conflict",
]

VOTE_VALUES: tuple[str, ...] = ("yes", "no", "abstain", "blank", "invalid")
"""Ballot values a record may hold; only ``yes`` counts toward the threshold (Art. 23)."""

PRESIDING = register("meeting.presiding", 22, "the meeting is presided by the chair or a vice-chair who is present")
PRESENT_MEMBER = register("meeting.present_member", 22, "everyone counted present is an expert of the committee")
PRESENT_MULTIPLE = register("meeting.present_not_multiple", 22, "the number present is not a multiple of present_not_multiple_of (provincial option)")
QUORUM_RECUSAL = register("meeting.quorum_after_recusal", 22, "the quorum holds among the experts eligible to vote on each applicant (option)")
NON_MEMBER_VOTE = register("vote.non_member", 23, "only experts of the committee vote")
ABSENT_VOTE = register("vote.absent_voter", 23, "no proxy or supplementary votes by experts not present")
VOTE_ROUNDS = register("vote.rounds", 23, "one round of votes per applicant; no multiple rounds")
DECLARED = register("vote.declared_result", 23, "the declared result is the one the tally gives")
MINUTES = register("minutes.signed", 23, "every expert present signs the minutes, and only they")
RECUSAL_VOTED = register("recusal.voted", 29, "no expert votes on an applicant they are recused from or related to")
RECUSAL_PANEL = register("recusal.panel", 29, "no expert sits on the panel of an applicant they are recused from or related to")
RECUSAL_MISSING = register("recusal.not_recorded", 29, "a relationship requiring recusal is matched by a recorded recusal")


@dataclass(frozen=True, slots=True)
class Conflict:
    """Why an expert may not take part in one applicant's review (Art. 29).

    ``recorded`` is true when the recusal was ordered or declared; ``relations`` lists the
    relationship types that require it (those in ``rules.recusal_relations``).
    """

    expert: str
    applicant: str
    recorded: bool
    relations: tuple[str, ...] = field(default=())

    @property
    def reason(self) -> str:
        """A short human reason."""
        parts = []
        if self.relations:
            parts.append("relationship: " + ", ".join(self.relations))
        if self.recorded:
            parts.append("recusal recorded")
        return "; ".join(parts)


def attendance(
    present: Collection[str],
    members: Mapping[str, str],
    rules: RuleSet,
    *,
    presided_by: str | None,
) -> list[Finding]:
    """Check who is present and who presides (Art. 22).

    Parameters
    ----------
    present : collection of str
        Experts recorded present.
    members : mapping of expert id to role
        The committee (``chair``, ``vice_chair``, ``member``).
    rules : RuleSet
    presided_by : str or None
        The expert who presided.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> members = {f"E{i}": "member" for i in range(25)} | {"E0": "chair"}
    >>> [f.detail for f in attendance([f"E{i}" for i in range(16)], members, load_rules(), presided_by="E0") if not f.ok]
    ['16 present < 17 required (⌈2/3 × 25⌉, quorum_ratio)']
    """
    size = len(members)
    valid_present = [e for e in set(present) if e in members]
    out: list[Finding] = []
    for e in sorted(set(present) - set(members)):
        out.append(PRESENT_MEMBER.finding(False, f"{e} is recorded present but is not an expert of the committee", expert=e))
    n = len(valid_present)
    need = quorum_required(size, rules)
    ok = n >= need
    how = f"⌈{rules.quorum_ratio} × {size}⌉" if rules.quorum_inclusive else f"more than {rules.quorum_ratio} × {size}"
    out.append(QUORUM.finding(ok, f"{n} present {'≥' if ok else '<'} {need} required ({how}, quorum_ratio)"))
    if rules.present_not_multiple_of is not None:
        k = rules.present_not_multiple_of
        ok = n % k != 0
        out.append(PRESENT_MULTIPLE.finding(ok, f"{n} present {'is not' if ok else 'is'} a multiple of {k} (present_not_multiple_of)"))
    allowed = " or ".join(r.replace("_", "-") for r in rules.presiding_roles)
    if presided_by is None:
        out.append(PRESIDING.finding(False, f"no presiding expert recorded; the {allowed} presides"))
    elif presided_by not in members:
        out.append(PRESIDING.finding(False, f"presided by {presided_by}, who is not an expert of the committee; the {allowed} presides", expert=presided_by))
    elif members[presided_by] not in rules.presiding_roles:
        role = members[presided_by].replace("_", "-")
        out.append(PRESIDING.finding(False, f"presided by {presided_by}, a {role}; the {allowed} presides", expert=presided_by))
    elif presided_by not in present:
        out.append(PRESIDING.finding(False, f"presided by {presided_by}, who is not recorded present", expert=presided_by))
    else:
        out.append(PRESIDING.finding(True, f"presided by {presided_by} ({members[presided_by].replace('_', '-')})", expert=presided_by))
    return out


def minutes(present: Collection[str], signed: Collection[str], rules: RuleSet) -> list[Finding]:
    """Every expert present signs the minutes; nobody else does (Art. 23).

    Examples
    --------
    >>> from zcsim import load_rules
    >>> [f.expert for f in minutes(["A", "B", "C"], ["A", "B"], load_rules()) if not f.ok]
    ['C']
    """
    if not rules.minutes_signed_by_all_present:
        return []
    out: list[Finding] = []
    signed_set, present_set = set(signed), set(present)
    for e in sorted(present_set - signed_set):
        out.append(MINUTES.finding(False, f"{e} was present but did not sign the minutes", expert=e))
    for e in sorted(signed_set - present_set):
        out.append(MINUTES.finding(False, f"{e} signed the minutes but was not recorded present", expert=e))
    if not out:
        out.append(MINUTES.finding(True, f"all {len(present_set)} experts present signed"))
    return out


def rounds(meeting_rounds: int | None, ballot_rounds: Mapping[str, list[int]], rules: RuleSet) -> list[Finding]:
    """One round of votes, one ballot per applicant (Art. 23: 严禁多轮投票).

    Parameters
    ----------
    meeting_rounds : int or None
        Rounds of voting the meeting record declares.
    ballot_rounds : mapping of applicant to the list of round numbers of its ballots
    """
    out: list[Finding] = []
    limit = rules.voting_rounds
    if meeting_rounds is not None and meeting_rounds > limit:
        out.append(VOTE_ROUNDS.finding(False, f"the meeting held {meeting_rounds} rounds of votes > {limit} allowed (voting_rounds)"))
    for a, rs in ballot_rounds.items():
        if len(rs) > limit:
            out.append(VOTE_ROUNDS.finding(False, f"{len(rs)} ballots recorded for {a} (rounds {', '.join(map(str, rs))}) > {limit} allowed (voting_rounds)", applicant=a))
        elif any(r > limit or r < 1 for r in rs):
            out.append(VOTE_ROUNDS.finding(False, f"ballot for {a} is in round {max(rs)}; only round 1 to {limit} allowed (voting_rounds)", applicant=a))
    if not out:
        out.append(VOTE_ROUNDS.finding(True, f"one ballot per applicant, at most {limit} round(s)"))
    return out


def ballot(
    applicant: str,
    votes: Mapping[str, str],
    *,
    members: Collection[str],
    present: Collection[str],
    conflicts: Mapping[str, Conflict],
    rules: RuleSet,
    declared: str | None,
) -> list[Finding]:
    """Check one applicant's ballot and recompute its result (Art. 23, Art. 29).

    Only votes by experts of the committee who are present and free of conflict count. Experts
    present but recused (or related) stay in the basis as non-yes votes under the literal reading
    (``recusal_denominator = "present"``) and leave it under ``"eligible"``.

    Parameters
    ----------
    applicant : str
    votes : mapping of expert id to ``yes``/``no``/``abstain``/``blank``/``invalid``
    members, present : collections of expert ids
    conflicts : mapping of expert id to :class:`Conflict` for this applicant
    rules : RuleSet
    declared : ``"pass"``, ``"fail"`` or None
        The result the presiding expert announced; None if not recorded.

    Returns
    -------
    list of Finding
        Violations, plus the tally (``vote.threshold``; ``ok`` = passes).

    Examples
    --------
    >>> from zcsim import load_rules
    >>> present = [f"E{i}" for i in range(18)]
    >>> votes = {e: ("yes" if i < 12 else "no") for i, e in enumerate(present)}
    >>> fs = ballot("A1", votes, members=present, present=present, conflicts={}, rules=load_rules(), declared="pass")
    >>> [(f.rule, f.ok) for f in fs]
    [('vote.threshold', True), ('vote.declared_result', True)]
    """
    member_set = members if isinstance(members, (set, frozenset)) else set(members)
    present_set = set(present) & member_set
    out: list[Finding] = []
    yes = 0
    for e, v in votes.items():
        if e not in member_set:
            out.append(NON_MEMBER_VOTE.finding(False, f"{e} voted {v!r} on {applicant} but is not an expert of the committee", applicant=applicant, expert=e))
            continue
        if e not in present_set and not rules.proxy_votes_allowed:
            out.append(ABSENT_VOTE.finding(False, f"{e} voted {v!r} on {applicant} but was not present (proxy or supplementary vote)", applicant=applicant, expert=e))
            continue
        c = conflicts.get(e)
        if c is not None:
            out.append(RECUSAL_VOTED.finding(False, f"{e} voted {v!r} on {applicant} despite {c.reason}", applicant=applicant, expert=e))
            continue
        if v == "yes":
            yes += 1
    recused = sum(1 for e in conflicts if e in present_set)
    n_present = len(present_set)
    tally = decide(yes, n_present, rules, recused=recused, members=len(member_set), applicant=applicant)
    out.append(tally)
    if rules.quorum_after_recusal:
        eligible = n_present - recused
        need = quorum_required(len(member_set), rules)
        ok = eligible >= need
        out.append(QUORUM_RECUSAL.finding(ok, f"{eligible} eligible to vote on {applicant} ({n_present} present − {recused} recused) {'≥' if ok else '<'} {need} required (quorum_after_recusal)", applicant=applicant))
    if declared is not None:
        computed = "pass" if tally.ok else "fail"
        ok = declared == computed
        out.append(DECLARED.finding(ok, f"declared {declared!r}; the tally gives {computed!r}: {tally.detail}", applicant=applicant))
    return out


def conflicts_for(
    relations: Iterable[tuple[str, str, str]],
    recusals: Iterable[tuple[str, str]],
    rules: RuleSet,
) -> dict[str, dict[str, Conflict]]:
    """Index conflicts by applicant then expert (Art. 29).

    Relations whose type is not in ``rules.recusal_relations`` do not require recusal.

    Parameters
    ----------
    relations : iterable of (expert, applicant, type)
    recusals : iterable of (expert, applicant)
    """
    rel: dict[tuple[str, str], list[str]] = {}
    for e, a, t in relations:
        if t in rules.recusal_relations:
            rel.setdefault((e, a), []).append(t)
    rec = set(recusals)
    out: dict[str, dict[str, Conflict]] = {}
    for e, a in set(rel) | rec:
        out.setdefault(a, {})[e] = Conflict(e, a, (e, a) in rec, tuple(sorted(set(rel.get((e, a), ())))))
    return out


def unrecorded_recusals(conflicts: Mapping[str, Mapping[str, Conflict]], present: Collection[str]) -> list[Finding]:
    """Relationships requiring recusal with no recusal recorded, for experts present (Art. 29)."""
    out = []
    ps = set(present)
    for a in sorted(conflicts):
        for e in sorted(conflicts[a]):
            c = conflicts[a][e]
            if not c.recorded and e in ps:
                out.append(RECUSAL_MISSING.finding(False, f"{e} is related to {a} ({', '.join(c.relations)}) but no recusal is recorded; the agency must order it", applicant=a, expert=e))
    return out


def panel_conflicts(panel_id: str, experts: Iterable[str], applicants: Iterable[str],
                    conflicts: Mapping[str, Mapping[str, Conflict]]) -> list[Finding]:
    """Experts who sat on the panel of an applicant they are recused from or related to (Art. 29)."""
    out = []
    ex = list(experts)
    for a in applicants:
        for e in ex:
            c = conflicts.get(a, {}).get(e)
            if c is not None:
                out.append(RECUSAL_PANEL.finding(False, f"{e} sat on panel {panel_id}, which reviewed {a}, despite {c.reason}", applicant=a, expert=e))
    return out


__all__ += ["conflicts_for", "unrecorded_recusals", "panel_conflicts"]
