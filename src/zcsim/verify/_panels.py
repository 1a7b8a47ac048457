"""Committee and panel assignment over a concrete pool, as a Z3 problem (Art. 9, 10, 20, 29)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import z3

from zcsim.draw import CATEGORIES, ExpertRecord, quota_need
from zcsim.law import RuleSet
from zcsim.procedure.vote import quorum_required

__all__ = ["PanelProblem", "panel_constraints"]


@dataclass(frozen=True)
class PanelProblem:
    """A pool, the applicants one committee reviews, and who must recuse from whom.

    Parameters
    ----------
    experts : sequence of ExpertRecord
        The experts who may sit on the committee (same series, title at or above its level).
    applicants : sequence of str
    conflicts : mapping of applicant id to expert ids that must recuse (Art. 29)
    size : int
        The committee's size (Art. 9).
    panels : int
        How many panels the committee splits into (Art. 20).
    scope : str
        A description of the committee for messages ("series engineering, senior").
    """

    experts: Sequence[ExpertRecord]
    applicants: Sequence[str]
    conflicts: Mapping[str, Collection[str]]
    size: int
    panels: int
    scope: str = ""
    notes: tuple[str, ...] = field(default=())


def panel_constraints(prob: PanelProblem, rules: RuleSet) -> tuple[list[z3.BoolRef], list[tuple[str, int, str, z3.BoolRef]],
                                                                     dict[str, z3.BoolRef], dict[tuple[str, int], z3.BoolRef],
                                                                     dict[tuple[str, int], z3.BoolRef]]:
    """Background, tracked rules ``(rule, article, text, expr)`` and the variables.

    ``x[e]``: expert ``e`` is on the committee; ``y[e, p]``: on panel ``p``; ``z[a, p]``: applicant
    ``a`` is reviewed by panel ``p``. Each applicant's constraint is tracked on its own, as is each
    Art. 10 quota (only under ``min_share_scope = committee``; under the default ``pool`` the
    shares bind the pool and the committee has no quota), so an unsat core names the applicants
    and quotas that cannot all be met.
    """
    E = [e.id for e in prob.experts]
    P = range(prob.panels)
    x = {e: z3.Bool(f"x_{e}") for e in E}
    y = {(e, p): z3.Bool(f"y_{e}_{p}") for e in E for p in P}
    z = {(a, p): z3.Bool(f"z_{a}_{p}") for a in prob.applicants for p in P}
    bg: list[z3.BoolRef] = []
    tracked: list[tuple[str, int, str, z3.BoolRef]] = []
    tracked.append(("committee.size", 9, f"the committee has {prob.size} experts",
                    z3.PbEq([(x[e], 1) for e in E], prob.size)))
    for e in E:
        bg.append(z3.AtMost(*[y[e, p] for p in P], 1))  # an expert sits on one panel
        if rules.panel_experts_from_committee:
            for p in P:
                bg.append(z3.Implies(y[e, p], x[e]))
    need = quota_need(rules, prob.size)  # all 0 under min_share_scope = pool: Art. 10 binds the pool, not the committee
    for c in CATEGORIES:
        if need[c] > 0:
            members = [x[e.id] for e in prob.experts if getattr(e, c)]
            tracked.append((f"quota.{c}", 10, f"at least {need[c]} {c.replace('_', '-')} experts "
                            f"(pool_min_share_{c} = {getattr(rules, 'pool_min_share_' + c)}, min_share_scope = committee)",
                            z3.PbGe([(v, 1) for v in members], need[c]) if members else z3.BoolVal(False)))
    for p in P:
        tracked.append((f"panel.min_size[{p + 1}]", 20, f"panel {p + 1} has at least {rules.panel_min_size} experts",
                        z3.PbGe([(y[e, p], 1) for e in E], rules.panel_min_size)))
    q = quorum_required(prob.size, rules)
    for a in prob.applicants:
        bad = set(prob.conflicts.get(a, ())) & set(E)
        parts = [z3.PbEq([(z[a, p], 1) for p in P], 1)]
        for p in P:
            for e in bad:
                parts.append(z3.Not(z3.And(z[a, p], y[e, p])))
        text = f"applicant {a} has a panel with no expert related to them"
        if bad:
            text += f" ({len(bad)} related: {', '.join(sorted(bad))})"
        if rules.quorum_after_recusal:
            parts.append(z3.PbGe([(x[e], 1) for e in E if e not in bad], q))
            text += f", and {q} committee experts free to vote on them"
        tracked.append((f"applicant.{a}", 29, text, z3.And(parts)))
    return bg, tracked, x, y, z
