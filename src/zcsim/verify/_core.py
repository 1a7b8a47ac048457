"""Verdicts, property results, and the solver calls every property shares.

A property is a claim about every meeting the rules allow. :func:`check_claim` asks Z3 for a
meeting that obeys every rule and breaks the claim: ``unsat`` means **proved**, a model means
**refuted** (the model, made as small as the solver can in the time, is the counterexample),
anything else — a timeout, an incomplete theory — is **unknown**, which never counts as a pass.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import z3

from zcsim.law import RuleSet
from zcsim.verify._encoding import Constraint, MeetingModel

__all__ = ["Verdict", "PropertyResult", "Obligation", "Context", "check_claim", "model_values", "core_of"]


class Verdict(str, enum.Enum):
    """The outcome of checking a property (UNKNOWN never counts as a pass)."""

    PROVED = "proved"
    REFUTED = "refuted"
    UNKNOWN = "unknown"
    FIGURE = "figure"  # a table of numbers, not a verdict

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Obligation:
    """One query sent to the solver, kept so it can be exported as SMT-LIB 2 (``--smt2``).

    ``expect`` is what the query returns when the verdict is right: ``unsat`` for a proof,
    ``sat`` for a refutation or a consistency check that holds.
    """

    name: str
    assertions: tuple[z3.BoolRef, ...]
    expect: str
    comment: str

    def smt2(self) -> str:
        """The obligation as an SMT-LIB 2 script ending in ``(check-sat)``.

        Z3's pseudo-Boolean atoms (``(_ pbeq …)``, ``(_ at-most …)``, used by the panel property)
        are written as integer sums, so the file is plain SMT-LIB 2 that cvc5 also reads.
        """
        s = z3.Solver()
        s.add(*(_plain_smtlib(a) for a in self.assertions))
        head = "".join(f"; {line}\n" for line in self.comment.splitlines())
        return f"{head}; expected: {self.expect}\n(set-logic ALL)\n{s.sexpr()}(check-sat)\n"


_PB_OPS = (z3.Z3_OP_PB_AT_MOST, z3.Z3_OP_PB_AT_LEAST, z3.Z3_OP_PB_LE, z3.Z3_OP_PB_GE, z3.Z3_OP_PB_EQ)


def _plain_smtlib(e: z3.BoolRef) -> z3.BoolRef:
    """``e`` with every Z3-only pseudo-Boolean atom rewritten as a sum of ``(ite b c 0)`` terms."""
    pairs, seen, stack = [], set(), [e]
    while stack:
        t = stack.pop()
        if t.get_id() in seen or not z3.is_app(t):
            continue
        seen.add(t.get_id())
        kind = t.decl().kind()
        if kind not in _PB_OPS:
            stack.extend(t.children())
            continue
        k, *coeffs = t.decl().params()
        args = t.children()
        terms = [z3.If(a, c, 0) for a, c in zip(args, coeffs or [1] * len(args), strict=True)]
        total = terms[0] if len(terms) == 1 else z3.Sum(terms) if terms else z3.IntVal(0)  # no unary (+ x)
        rel = {z3.Z3_OP_PB_AT_MOST: total <= k, z3.Z3_OP_PB_LE: total <= k, z3.Z3_OP_PB_AT_LEAST: total >= k,
               z3.Z3_OP_PB_GE: total >= k, z3.Z3_OP_PB_EQ: total == k}[kind]
        pairs.append((t, rel))
    return z3.substitute(e, *pairs) if pairs else e


@dataclass
class PropertyResult:
    """A property's verdict, with the articles it rests on and what shows it.

    ``counterexample`` holds the numbers of the meeting that refutes the property and, where one
    can be written, a ``zcsim.meeting/1`` record of it under ``"record"``.
    """

    id: str
    verdict: Verdict
    articles: tuple[int, ...]
    statement: str
    detail: str = ""
    counterexample: dict[str, Any] | None = None
    table: list[dict[str, Any]] | None = None
    seconds: float = 0.0
    obligations: list[Obligation] = field(default_factory=list, repr=False)
    core: list[str] | None = None
    witness: dict[str, Any] | None = None
    vacuous: bool = False

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` form: ``id``, ``verdict``, ``articles``, ``counterexample``, ``seconds`` …"""
        out: dict[str, Any] = {
            "id": self.id, "verdict": self.verdict.value, "articles": list(self.articles),
            "statement": self.statement, "detail": self.detail,
            "counterexample": self.counterexample, "seconds": round(self.seconds, 4),
        }
        if self.table is not None:
            out["table"] = self.table
        if self.core is not None:
            out["core"] = self.core
        if self.witness is not None:
            out["witness"] = self.witness
        if self.vacuous:
            out["vacuous"] = True
        return out


@dataclass
class Context:
    """What a property is checked against: the rules and the options of the run.

    ``committee_size`` restricts every meeting to that size; ``sizes`` are the committee sizes
    the figure tables cover (bounded, and stated in each table's detail). ``pool`` is an optional
    expert pool, applicants and conflicts for the panel-assignment property.
    """

    rules: RuleSet
    committee_size: int | None = None
    timeout: float = 10.0
    sizes: Sequence[int] = tuple(range(1, 52))
    pool: Any = None

    def model(self, prefix: str = "") -> MeetingModel:
        return MeetingModel(self.rules, committee_size=self.committee_size, prefix=prefix)

    @property
    def timeout_ms(self) -> int:
        return max(1, int(self.timeout * 1000))


def model_values(model: z3.ModelRef, m: MeetingModel) -> dict[str, Any]:
    """A solver model as plain Python numbers, keyed like :meth:`MeetingModel.variables`."""
    out: dict[str, Any] = {}
    for name, var in m.variables().items():
        v = model.eval(var, model_completion=True)
        if z3.is_true(v) or z3.is_false(v):
            out[name] = z3.is_true(v)
        else:
            out[name] = v.as_long()
    return out


def checked(solver: z3.Solver | z3.Optimize) -> z3.CheckSatResult:
    """``solver.check()``, where Ctrl-C stays Ctrl-C. By default Z3 catches SIGINT while it solves
    and answers ``unknown`` ("interrupted from keyboard", or "canceled" from an optimiser, which is
    also its word for a timeout), so an interrupted run would finish as if complete. With Z3's
    ``ctrl_c`` off, SIGINT reaches Python, and :class:`KeyboardInterrupt` is raised as the query
    returns (within its timeout)."""
    solver.set("ctrl_c", False)
    return solver.check()


def core_of(assertions: Sequence[Constraint], background: Sequence[z3.BoolRef], timeout_ms: int
            ) -> tuple[z3.CheckSatResult, list[Constraint]]:
    """Check rules plus background; when unsatisfiable, return a minimal set of rules in conflict."""
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    s.set("core.minimize", True)
    s.add(*background)
    tags = {}
    for i, c in enumerate(assertions):
        tag = z3.Bool(f"rule_{i}__{c.rule}")
        tags[str(tag)] = c
        s.assert_and_track(c.expr, tag)
    res = checked(s)
    if res != z3.unsat:
        return res, []
    return res, [tags[str(t)] for t in s.unsat_core()]


def check_claim(m: MeetingModel, claim: z3.BoolRef, *, timeout_ms: int, name: str, comment: str,
                extra: Sequence[z3.BoolRef] = (), minimize: Sequence[z3.ArithRef] = (),
                skip_rules: Sequence[str] = ()) -> tuple[Verdict, dict[str, Any] | None, Obligation]:
    """Prove ``claim`` for every meeting obeying the rules (and ``extra`` premises).

    Returns the verdict, the counterexample's numbers when refuted (the lexicographically
    smallest by ``minimize`` that the solver finds in time), and the obligation for export.
    """
    assertions = tuple(m.constraints(skip=skip_rules)) + tuple(extra) + (z3.Not(claim),)
    ob = Obligation(name, assertions, "unsat", comment)
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    s.add(*assertions)
    res = checked(s)
    if res == z3.unsat:
        return Verdict.PROVED, None, ob
    if res != z3.sat:
        return Verdict.UNKNOWN, None, ob
    model = s.model()
    if minimize:
        opt = z3.Optimize()
        opt.set("timeout", timeout_ms)
        opt.add(*assertions)
        for t in minimize:
            opt.minimize(t)
        if checked(opt) == z3.sat:
            model = opt.model()
    return Verdict.REFUTED, model_values(model, m), Obligation(name, assertions, "sat", comment)


def minimise(m: MeetingModel, goal: z3.ArithRef, premises: Sequence[z3.BoolRef], timeout_ms: int,
             *, maximise: bool = False, then: Sequence[z3.ArithRef] = ()) -> tuple[int | None, dict[str, Any] | None, bool]:
    """Smallest (or largest) value of ``goal`` over meetings obeying ``premises``.

    Returns ``(value, numbers, exact)``; ``value`` is ``None`` when no meeting qualifies, and
    ``exact`` is false when the solver ran out of time (the value is then only a bound).
    """
    opt = z3.Optimize()
    opt.set("timeout", timeout_ms)
    opt.add(*premises)
    h = opt.maximize(goal) if maximise else opt.minimize(goal)
    for t in then:
        opt.minimize(t)
    res = checked(opt)
    if res == z3.unsat:
        return None, None, True
    if res != z3.sat:
        return None, None, False
    model = opt.model()
    val = model.eval(goal, model_completion=True).as_long()
    bound = (h.upper() if maximise else h.lower())
    exact = z3.is_int_value(bound) and bound.as_long() == val
    return val, model_values(model, m), exact


def describe(values: Mapping[str, Any]) -> str:
    """A counterexample's numbers in plain words."""
    v = values
    basis = "specialty" if v.get("by_specialty") else "series"
    from zcsim.law import LEVELS

    level = LEVELS[v["level"]] if 0 <= v.get("level", -1) < len(LEVELS) else "?"
    article = "an" if level[0] in "aeiou" else "a"
    parts = [f"{article} {level} committee of {v['size']} formed by {basis}",
             f"{v['present']} present"]
    if v.get("recused"):
        parts.append(f"{v['recused']} recused")
    parts.append(f"{v['yes']} yes, {v['no']} no, {v['abstain']} abstain")
    return "; ".join(parts)


def counterexample(values: dict[str, Any], rules: RuleSet, why: str, *, ballot: bool = True) -> dict[str, Any]:
    """A refutation's numbers, its plain-words reading and its ``zcsim.meeting/1`` record."""
    from zcsim.verify._record import counterexample_record

    out = dict(values)
    out["explanation"] = why
    out["record"] = counterexample_record(values, rules, ballot=ballot)
    return out


def settle(res: PropertyResult, verdict: Verdict, values: dict[str, Any] | None, ob: Obligation, ctx: Context,
           *, why: Callable[[dict[str, Any]], str], proved: str, ballot: bool = True) -> PropertyResult:
    """Fill ``res`` from a :func:`check_claim` outcome: the counterexample and its reading when refuted,
    ``proved`` as the detail when proved, the timeout otherwise."""
    res.verdict, res.obligations = verdict, [ob]
    if verdict == Verdict.REFUTED and values is not None:
        res.detail = why(values)
        res.counterexample = counterexample(values, ctx.rules, res.detail, ballot=ballot)
    elif verdict == Verdict.PROVED:
        res.detail = proved
    else:
        res.detail = f"the solver gave up within {ctx.timeout:g} s"
    return res
