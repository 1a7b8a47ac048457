"""The property registry, the run over a rule set, and the comparison of two rule sets."""

from __future__ import annotations

import importlib
import math
import numbers
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zcsim.errors import InputError
from zcsim.law import RuleSet
from zcsim.law._load import shown
from zcsim.law._params import MAX_COMMITTEE_SIZE
from zcsim.verify._core import Context, PropertyResult, Verdict

__all__ = ["Property", "register", "properties", "verify", "RuleChange", "compare_rules", "write_smt2",
           "MAX_TIMEOUT_SECONDS", "MAX_FIGURE_SIZES", "DEFAULT_SIZES"]

#: The modules of :mod:`zcsim.proofs`, one per property group, in the order they run.
GROUPS = ("consistency", "threshold", "passing", "quorum", "panels", "figures")

MAX_TIMEOUT_SECONDS = 3600.0
"""Longest solver time per query (``--timeout``, seconds): an hour; the queries of the 2020 rules
take well under a second, and a run has a few dozen queries."""

MAX_FIGURE_SIZES = 1_000
"""Most committee sizes one figures table covers (``--sizes``); each size is at most
:data:`~zcsim.law._params.MAX_COMMITTEE_SIZE`."""

DEFAULT_SIZES = tuple(range(1, 52))
"""Committee sizes of the figures table when none are given (1–51)."""


def check_timeout(timeout: object) -> float:
    """``timeout`` as seconds, or an :class:`InputError` naming ``--timeout``: a finite number
    above 0 and at most :data:`MAX_TIMEOUT_SECONDS` (NaN, infinity, 0 and negatives are refused)."""
    ok = isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and math.isfinite(timeout)
    if not ok or not 0 < float(timeout) <= MAX_TIMEOUT_SECONDS:  # type: ignore[arg-type]
        raise InputError(f"expected a number of seconds above 0 and at most {MAX_TIMEOUT_SECONDS:g}, "
                         f"got {shown(timeout)}", source="--timeout")
    return float(timeout)  # type: ignore[arg-type]


def check_size(size: object, source: str) -> int:
    """``size`` as a committee size from 1 to :data:`~zcsim.law._params.MAX_COMMITTEE_SIZE`, or an
    :class:`InputError` naming ``source``."""
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or not 1 <= size <= MAX_COMMITTEE_SIZE:
        raise InputError(f"expected a committee size from 1 to {MAX_COMMITTEE_SIZE:,}, got {shown(size)}",
                         source=source)
    return int(size)


@dataclass(frozen=True)
class Property:
    """A named property: its id, the articles it covers, its statement in plain words, its check."""

    id: str
    group: str
    articles: tuple[int, ...]
    statement: str
    check: Callable[[Context], PropertyResult]
    needs_pool: bool = False


_REGISTRY: dict[str, Property] = {}


def register(id: str, *, articles: Iterable[int], statement: str, needs_pool: bool = False
             ) -> Callable[[Callable[[Context], PropertyResult]], Callable[[Context], PropertyResult]]:
    """Decorator: register ``fn(ctx) -> PropertyResult`` as the property ``id``."""

    def deco(fn: Callable[[Context], PropertyResult]) -> Callable[[Context], PropertyResult]:
        group = fn.__module__.rsplit(".", 1)[-1]
        _REGISTRY[id] = Property(id, group, tuple(articles), statement, fn, needs_pool)
        return fn

    return deco


def properties() -> dict[str, Property]:
    """Every registered property by id, in the order of :data:`GROUPS` (imports :mod:`zcsim.proofs`)."""
    for g in GROUPS:
        importlib.import_module(f"zcsim.proofs.{g}")
    order = {g: i for i, g in enumerate(GROUPS)}
    return dict(sorted(_REGISTRY.items(), key=lambda kv: order.get(kv[1].group, len(order))))


def _select(only: Sequence[str] | None) -> list[Property]:
    props = properties()
    if not only:
        return list(props.values())
    out = []
    for want in only:
        hits = [p for pid, p in props.items() if pid == want or pid.startswith(want + ".") or p.group == want]
        if not hits:
            import difflib

            close = difflib.get_close_matches(want, list(props), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise InputError(f"no property or group {want!r}{hint} (known: {', '.join(props)})",
                             source="--only")
        out += [h for h in hits if h not in out]
    return out


def verify(rules: RuleSet, *, committee_size: int | None = None, timeout: float = 10.0,
           sizes: Sequence[int] | None = None, pool: Any = None, only: Sequence[str] | None = None,
           progress: Callable[[Property], None] | None = None) -> list[PropertyResult]:
    """Check every property (or those in ``only``) of ``rules``.

    Parameters
    ----------
    rules : RuleSet
    committee_size : int, optional
        Check meetings of this committee size only (default: every size the rules allow); 1 to
        :data:`~zcsim.law._params.MAX_COMMITTEE_SIZE`.
    timeout : float
        Seconds per solver query (above 0, at most :data:`MAX_TIMEOUT_SECONDS`); a query that runs
        out gives ``unknown``, never a pass.
    sizes : sequence of int, optional
        Committee sizes of the figures table (default 1–51, or ``committee_size``): at most
        :data:`MAX_FIGURE_SIZES` sizes, each from 1 to :data:`~zcsim.law._params.MAX_COMMITTEE_SIZE`.
    pool : PanelProblem, optional
        A pool, applicants and conflicts for ``panel.conflict_free_assignment_exists``; without it
        that property is reported ``unknown`` ("not checked: needs a pool"), never a pass.
    only : sequence of str, optional
        Property ids or group names to check.
    progress : callable, optional
        Called with each property before it is checked.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> res = verify(load_rules(), committee_size=25, only=["pass.requires_majority_of_members"])
    >>> res[0].verdict.value, res[0].counterexample["yes"], res[0].counterexample["present"]
    ('refuted', 12, 17)
    """
    if committee_size is not None:
        check_size(committee_size, "--committee-size")
    timeout = check_timeout(timeout)
    if sizes is None:
        sizes = (committee_size,) if committee_size is not None else DEFAULT_SIZES
    sizes = tuple(sizes)
    if not 1 <= len(sizes) <= MAX_FIGURE_SIZES:
        raise InputError(f"expected 1 to {MAX_FIGURE_SIZES:,} committee sizes, got {len(sizes):,}", source="--sizes")
    sizes = tuple(check_size(s, "--sizes") for s in sizes)
    ctx = Context(rules, committee_size=committee_size, timeout=timeout, sizes=tuple(sizes), pool=pool)
    out = []
    for p in _select(only):
        if progress is not None:
            progress(p)
        t0 = time.perf_counter()
        res = p.check(ctx)
        res.seconds = time.perf_counter() - t0
        out.append(res)
    _mark_vacuous(out)
    return out


def _mark_vacuous(results: list[PropertyResult]) -> None:
    """A proof over rules no meeting satisfies proves nothing: say so in each proved property."""
    if not any(r.id == "ruleset.consistent" and r.verdict == Verdict.REFUTED for r in results):
        return
    for r in results:
        if r.verdict == Verdict.PROVED and r.id != "threshold.integer_exact":
            r.vacuous = True
            r.detail = "vacuous — no meeting satisfies these rules (see ruleset.consistent); " + r.detail


@dataclass
class RuleChange:
    """How a rule change moves each property and figure (``zcsim verify --against``).

    ``proposed`` and ``baseline`` are the two runs; :attr:`changes` lists what differs, and
    :attr:`lost` the guarantees the proposal loses (proved before, not proved after), each
    with the proposal's counterexample.
    """

    proposed: RuleSet
    baseline: RuleSet
    proposed_results: list[PropertyResult]
    baseline_results: list[PropertyResult]
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def lost(self) -> list[dict[str, Any]]:
        return [c for c in self.changes if c["kind"] == "lost"]

    @property
    def gained(self) -> list[dict[str, Any]]:
        return [c for c in self.changes if c["kind"] == "gained"]

    @property
    def kept(self) -> list[str]:
        changed = {c["id"] for c in self.changes}
        return [r.id for r in self.proposed_results if r.verdict == Verdict.PROVED and r.id not in changed]

    def as_json(self) -> dict[str, Any]:
        return {
            "proposed": self.proposed.name, "baseline": self.baseline.name,
            "rule_diff": {k: [str(a), str(b)] for k, a, b in self.baseline.diff(self.proposed)},
            "changes": self.changes, "kept": self.kept,
            "proposed_results": [r.as_json() for r in self.proposed_results],
            "baseline_results": [r.as_json() for r in self.baseline_results],
        }


def _table_changes(pid: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    b = {row["size"]: row for row in before}
    out = []
    for row in after:
        old = b.get(row["size"])
        if old is None:
            continue
        for k, v in row.items():
            if k != "size" and old.get(k) != v:
                out.append({"id": f"{pid}[size={row['size']}].{k}", "kind": "figure", "before": old.get(k), "after": v})
    after_sizes = {row["size"] for row in after}
    for s in sorted(set(b) ^ after_sizes):
        out.append({"id": f"{pid}[size={s}]", "kind": "figure",
                    "before": "allowed" if s in b else "not allowed", "after": "allowed" if s in after_sizes else "not allowed"})
    return out


def compare_rules(proposed: RuleSet, baseline: RuleSet, **kwargs: Any) -> RuleChange:
    """Verify both rule sets with the same options and list what the change moves.

    A guarantee is *lost* when the baseline proves it and the proposal does not (its
    counterexample is attached), *gained* the other way round; figures are compared size by size.

    Examples
    --------
    >>> from zcsim import load_rules
    >>> ch = compare_rules(load_rules("beijing-2003-style"), load_rules(), only=["pass.requires_majority_of_members"],
    ...                    committee_size=25)
    >>> [(c["id"], c["kind"]) for c in ch.changes]
    [('pass.requires_majority_of_members', 'gained')]
    """
    a = verify(proposed, **kwargs)
    b = verify(baseline, **kwargs)
    ch = RuleChange(proposed, baseline, a, b)
    by_id = {r.id: r for r in b}
    for r in a:
        old = by_id.get(r.id)
        if old is None:
            continue
        if r.verdict == Verdict.FIGURE or old.verdict == Verdict.FIGURE:
            ch.changes += _table_changes(r.id, old.table or [], r.table or [])
            continue
        if r.verdict == old.verdict:
            continue
        if old.verdict == Verdict.PROVED:
            kind = "lost"
        elif r.verdict == Verdict.PROVED:
            kind = "gained"
        else:
            kind = "changed"
        ch.changes.append({"id": r.id, "kind": kind, "before": old.verdict.value, "after": r.verdict.value,
                           "statement": r.statement, "articles": list(r.articles), "detail": r.detail,
                           "counterexample": r.counterexample if kind != "gained" else old.counterexample})
    return ch


def write_smt2(results: Sequence[PropertyResult], directory: str | Path) -> list[Path]:
    """Write every solver query of ``results`` as ``DIR/<property>--<query>.smt2``.

    Each file says in a comment what it checks and which answer (``sat``/``unsat``) confirms the
    verdict, so another solver (cvc5) can confirm it independently.
    """
    d = Path(directory)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the SMT-LIB folder: {exc.strerror}", source=str(d)) from None
    paths = []
    for r in results:
        for ob in r.obligations:
            p = d / f"{ob.name}.smt2"
            try:
                p.write_text(ob.smt2(), encoding="utf-8")
            except OSError as exc:
                raise InputError(f"cannot write the SMT-LIB file: {exc.strerror or exc}", source=str(p)) from None
            paths.append(p)
    return paths
