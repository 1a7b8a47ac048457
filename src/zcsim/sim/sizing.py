"""Sizing: the smallest configuration of a grid that meets every target, with stated confidence.

A **target** is ``METRIC<=X`` or ``METRIC>=X`` on a replication-level metric
(:data:`TARGET_METRICS`; ``p95_days_to_result`` and ``mean_days_to_result`` are aliases of
``p95_working_days`` and ``mean_working_days``: working days from application to result).

**Search.** The grid (:func:`~zcsim.sim.sweep.build_variants`) is searched smallest-first by
cost = the sum of the numeric varied values (:attr:`~zcsim.sim.sweep.Variant.cost`; ties in
grid order), so vary resources only. Each configuration is first checked **analytically**:

* *quorum* (Art. 22): each sitting of a committee of ``n`` experts fails the quorum with
  ``q = P(Binomial(n, 1 − no_show) < quorum_required(n))`` exactly (no-shows are independent,
  redrawn at every sitting; ``quorum_required`` is the engine's). A failed sitting is adjourned
  to the next working day and sits again, so the pooled rate (failed sittings / sittings) is an
  average of the committees' ``q`` weighted by their expected sittings (Wald's identity): it
  lies between ``min q`` and ``max q``. ``min q > X`` rules a configuration out; ``max q ≤ X``
  meets a ``quorum_failure_rate<=X`` target without simulation.
* *vetting* (Art. 18): per agency, the offered load ``ρ = λ·E[S]/staff`` with ``λ`` a lower
  bound on arrivals (applicants minus every ineligibility, objection and self-employed share)
  spread over the window plus the spread of the employer's vetting time. If ``ρ ≥ 1`` the queue
  is unstable through the window and the fluid queue's mean wait ``(ρ − 1)·T/2`` is a lower
  bound (the random queue waits longer on average); a ``vetting_wait_mean<=X`` target below it
  is ruled out. For ``ρ < 1`` the Erlang C (M/M/s steady state) mean wait is reported but not used
  to prune: the queue lives for one window and service is not exponential, so it is neither a
  lower nor an upper bound.

The others are **simulated** in batches on common random numbers (replication ``r`` has the
same seed in every configuration) until every target is decided:

* ``quorum_failure_rate``: exact one-sided Clopper–Pearson bounds (``scipy.stats.beta``) on
  the pooled counts (failed sittings of all sittings). Committees of unequal size make the
  sittings a Poisson-binomial sum, less variable than the binomial, so the bound is
  conservative; the number of sittings depends on earlier failures (adjournments), which the
  exact binomial bound ignores — negligible when failures are rare, the case targets are about.
* other metrics: a one-sided Student t bound on the mean across replications.

Replications run ``batch, 2·batch, 4·batch …`` up to ``max_replications`` (a look after each);
each look tests at level ``(1 − confidence)/looks`` (Bonferroni over the planned looks), so
each target's decision holds with at least ``confidence`` however many looks were made. A
target is *met* when its bound is on the right side of ``X``, *failed* when the opposite bound is
on the wrong side, otherwise *undecided* at the cap. A configuration is met when every target
is, failed when one fails; the search stops at the first met configuration.

The **binding constraint** is the target of the answer with the smallest relative margin, and
the target that ruled out the configuration searched just before it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from zcsim.errors import InputError
from zcsim.law import RuleSet
from zcsim.sim._result import METRICS
from zcsim.sim.scenario import Scenario, expand_committees, expand_groups, route
from zcsim.sim.sweep import Variant, Vary, build_variants, run_jobs

__all__ = [
    "TARGET_ALIASES",
    "TARGET_METRICS",
    "Candidate",
    "QuorumBound",
    "SizingResult",
    "Target",
    "TargetCheck",
    "VettingBound",
    "clopper_pearson",
    "erlang_c",
    "erlang_c_wait",
    "look_schedule",
    "parse_target",
    "quorum_bound",
    "size_search",
    "t_bounds",
    "vetting_bound",
]

_EXTRA = ("vote_pass_rate", "not_reviewed_share", "over_quota_share", "meeting_attempts", "presiding_failures",
          "meetings_postponed", "vetting_wait_mean", "vetting_wait_p95", "correction_notice_share")
TARGET_METRICS: tuple[str, ...] = tuple(m for m in METRICS + _EXTRA)
"""Metrics a target may name (besides the aliases)."""

TARGET_ALIASES: dict[str, str] = {"p95_days_to_result": "p95_working_days", "mean_days_to_result": "mean_working_days"}
"""Other names of metrics: working days from application to result."""

Status = Literal["met", "failed", "undecided", "not checked"]


@dataclass(frozen=True)
class Target:
    """``metric op value``; ``text`` as written."""

    metric: str
    op: Literal["<=", ">="]
    value: float
    text: str

    def ok(self, x: float) -> bool:
        """Whether ``x`` satisfies the target."""
        return x <= self.value if self.op == "<=" else x >= self.value


_TARGET = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|≤|≥)\s*([-+0-9.eE/%]+)\s*$")


def parse_target(text: str) -> Target:
    """Read ``METRIC<=X`` or ``METRIC>=X`` (``X`` may be ``1%`` or ``1/100``).

    Examples
    --------
    >>> parse_target("p95_days_to_result<=60")
    Target(metric='p95_working_days', op='<=', value=60.0, text='p95_days_to_result<=60')
    """
    import difflib

    m = _TARGET.match(text)
    if not m:
        raise InputError(f"--target {text!r}: expected METRIC<=VALUE or METRIC>=VALUE, e.g. "
                         "'quorum_failure_rate<=0.01'", location="--target")
    name, op, val = m.groups()
    metric = TARGET_ALIASES.get(name, name)
    if metric not in TARGET_METRICS:
        options = list(TARGET_METRICS) + list(TARGET_ALIASES)
        close = difflib.get_close_matches(name, options, n=1)
        raise InputError(f"--target {text!r}: unknown metric {name!r}"
                         + (f" (did you mean {close[0]!r}?)" if close else "")
                         + "; known: " + ", ".join(options), location="--target")
    number = val[:-1] if val.endswith("%") else val
    # floats, never a Fraction: Fraction('1e-999999999') would build a billion-digit integer
    num, slash, den = number.partition("/")
    try:
        value = (float(num) / float(den) if slash else float(number)) if len(number) <= 40 else math.nan
    except (ValueError, ZeroDivisionError):
        value = math.nan
    if not math.isfinite(value) or abs(value) > 1e12:
        raise InputError(f"--target {text!r}: {val!r} is not a number (a finite decimal or fraction such as 0.01, "
                         "1/100 or 1%, at most 1e12)", location="--target")
    if val.endswith("%"):
        value /= 100
    return Target(metric, "<=" if op in ("<=", "≤") else ">=", value, text.strip())


# ----------------------------------------------------------------------------------------------
# statistics
# ----------------------------------------------------------------------------------------------
def clopper_pearson(k: int, n: int, confidence: float) -> tuple[float, float]:
    """One-sided exact (Clopper–Pearson) bounds of a binomial proportion: ``(lower, upper)``,
    each holding with ``confidence`` on its own.

    Examples
    --------
    >>> lo, hi = clopper_pearson(0, 300, 0.95)
    >>> lo, round(hi, 4)
    (0.0, 0.0099)
    """
    from scipy.stats import beta

    if n <= 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"k = {k} outside 0..{n}")
    lower = 0.0 if k == 0 else float(beta.ppf(1 - confidence, k, n - k + 1))
    upper = 1.0 if k == n else float(beta.ppf(confidence, k + 1, n - k))
    return lower, upper


def t_bounds(values: Sequence[float], confidence: float) -> tuple[float, float, float, int]:
    """``(mean, lower, upper, n)``: one-sided Student t bounds of the mean at ``confidence``
    (NaNs left out; with fewer than 2 values the bounds are infinite)."""
    from scipy.stats import t

    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    n = int(arr.size)
    if n == 0:
        return math.nan, -math.inf, math.inf, 0
    mean = float(arr.mean())
    if n == 1:
        return mean, -math.inf, math.inf, 1
    half = float(t.ppf(confidence, n - 1)) * float(arr.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half, n


def erlang_c(servers: int, load: float) -> float:
    """Probability an arrival waits in an M/M/s queue (Erlang C) with offered load ``a = λ/μ``
    (1 when ``a ≥ servers``). Exact, through the Erlang B recursion.

    Examples
    --------
    >>> round(erlang_c(2, 1.0), 4)
    0.3333
    """
    if servers < 1:
        raise ValueError("servers must be ≥ 1")
    if load >= servers:
        return 1.0
    if load <= 0:
        return 0.0
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return servers * b / (servers - load * (1 - b))


def erlang_c_wait(servers: int, load: float, mean_service: float) -> float:
    """Mean wait in queue of M/M/s, ``C(s, a)·E[S]/(s − a)`` (infinite when ``a ≥ s``)."""
    if load >= servers:
        return math.inf
    return erlang_c(servers, load) * mean_service / (servers - load)


# ----------------------------------------------------------------------------------------------
# analytic bounds of a scenario
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuorumBound:
    """Per-sitting quorum failure of each meeting committee (Art. 22), ``(id, size, quorum, q)``,
    and the range ``[low, high]`` = ``[min q, max q]`` of the pooled rate."""

    committees: tuple[tuple[str, int, int, float], ...]
    low: float
    high: float


def quorum_bound(sc: Scenario, rules: RuleSet) -> QuorumBound:
    """The binomial tail ``P(Binomial(n, 1 − no_show) < quorum_required(n))`` of every committee
    that reviews applicants (see the module docstring for how it bounds the pooled rate).

    Examples
    --------
    >>> from zcsim.sim import load_scenario
    >>> b = quorum_bound(load_scenario("scenarios/quick.yaml"), load_scenario("scenarios/quick.yaml").ruleset())  # doctest: +SKIP
    """
    from scipy.stats import binom

    from zcsim.draw import committee_size
    from zcsim.procedure.vote import quorum_required

    plans = expand_committees(sc)
    used = set()
    for g in expand_groups(sc):
        if (g.count or 0) > 0 or (g.share or 0) > 0:
            p = route(plans, g.series, g.specialty, g.level, rules)
            if p is not None:
                used.add(p.id)
    p_present = 1.0 - sc.experts.no_show
    rows = []
    for plan in plans:
        if plan.id not in used:
            continue
        spec = plan.spec
        n = committee_size(rules, level=plan.level, by_specialty=plan.specialty is not None, size=spec.size,
                           size_adjustment_filed=spec.size_adjustment_filed, vice_chairs=spec.vice_chairs)
        k = quorum_required(n, rules)
        q = float(binom.cdf(k - 1, n, p_present)) if k > 0 else 0.0
        rows.append((plan.id, n, k, q))
    qs = [r[3] for r in rows]
    return QuorumBound(tuple(rows), min(qs) if qs else 0.0, max(qs) if qs else 0.0)


@dataclass(frozen=True)
class VettingBound:
    """Agency vetting queues (Art. 18): per agency ``(id, staff, arrivals, days, load ρ, Erlang C
    mean wait, fluid lower bound of the mean wait)``, and the lower bound of the pooled mean
    wait (``None`` when the scenario's shape gives none: several years, or an employer vetting
    time that is not fixed or uniform)."""

    agencies: tuple[tuple[str, int, float, float, float, float, float], ...]
    mean_wait_low: float | None


def _agency_index(sc: Scenario, plan: Any) -> int:
    if plan.spec.agency is not None:
        return next(i for i, a in enumerate(sc.agencies) if a.id == plan.spec.agency)
    for i, a in enumerate(sc.agencies):
        if a.series is not None and plan.series in a.series:
            return i
    return next((i for i, a in enumerate(sc.agencies) if a.series is None), 0)


def vetting_bound(sc: Scenario, rules: RuleSet) -> VettingBound:
    """Offered load, Erlang C wait and a fluid lower bound of the mean vetting wait per agency."""
    pop = sc.population
    out_share = (pop.retired + pop.sanctioned + pop.skip_level + pop.objection
                 + pop.employer_kinds.get("self_employed", 0.0))
    keep = max(0.0, 1.0 - out_share)
    ev = sc.employer.vetting_time
    spread: float | None
    if ev.distribution == "uniform":
        spread = float(ev.high) - float(ev.low)  # type: ignore[arg-type]
    elif ev.distribution == "fixed":
        spread = 0.0
    else:
        spread = None
    _, wo, wc, _ = sc.calendar.dates()
    window = sc.working_calendar().working_days_between(wo, wc)
    days = window + (spread or 0.0)
    plans = expand_committees(sc)
    arrivals = [0.0] * len(sc.agencies)
    total = 0.0
    for g in expand_groups(sc):
        n = float(g.count if g.count is not None else (g.share or 0.0) * (pop.total or 0))
        total += n
        plan = route(plans, g.series, g.specialty, g.level, rules)
        if plan is not None:
            arrivals[_agency_index(sc, plan)] += n * keep
    rows = []
    weighted = 0.0
    for i, a in enumerate(sc.agencies):
        es = a.vetting_time.expected
        lam = arrivals[i] / days if days > 0 else math.inf
        rho = lam * es / a.staff
        ec = erlang_c_wait(a.staff, lam * es, es) if rho < 1 else math.inf
        fluid = max(0.0, rho - 1.0) * days / 2
        weighted += arrivals[i] * fluid
        rows.append((a.id, a.staff, arrivals[i], float(days), rho, ec, fluid))
    ok = spread is not None and sc.simulation.years == 1 and total > 0
    return VettingBound(tuple(rows), weighted / total if ok else None)


# ----------------------------------------------------------------------------------------------
# the search
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TargetCheck:
    """How a configuration fares on one target.

    ``estimate`` is the point estimate (pooled rate or mean), ``bound`` the one-sided bound the
    decision rests on (upper for ``<=`` when met, lower when failed …), ``margin`` how far that
    bound is inside the target (negative: outside), ``method`` one of ``clopper-pearson``,
    ``t``, ``binomial tail``, ``fluid queue``; ``replications`` and ``trials`` (sittings, for
    Clopper–Pearson) the evidence.
    """

    target: Target
    status: Status
    estimate: float
    bound: float
    confidence: float
    margin: float
    method: str
    replications: int = 0
    trials: int = 0

    @property
    def relative_margin(self) -> float:
        """``margin / |X|`` (the margin itself when ``X`` is 0)."""
        return self.margin / abs(self.target.value) if self.target.value else self.margin

    def describe(self) -> str:
        """One line, e.g. ``quorum_failure_rate ≤ 0.01 met with 99% confidence after 4,200 sittings``."""
        t = self.target
        what = f"{t.metric} {'≤' if t.op == '<=' else '≥'} {t.value:g}"
        if self.method in ("binomial tail", "fluid queue"):
            return f"{what} {self.status} analytically ({self.method}: {self.bound:.4g})"
        ev = f"{self.replications:,} replications" + (f", {self.trials:,} simulated sittings" if self.trials else "")
        return (f"{what} {self.status} with {self.confidence:.0%} confidence after {ev} "
                f"(estimate {self.estimate:.4g}, bound {self.bound:.4g})")


@dataclass(frozen=True)
class Candidate:
    """One configuration of the grid as the search left it."""

    variant: Variant
    status: Literal["met", "failed", "undecided", "pruned", "not searched"]
    checks: tuple[TargetCheck, ...] = ()
    replications: int = 0
    quorum: QuorumBound | None = field(default=None, repr=False)
    vetting: VettingBound | None = field(default=None, repr=False)

    @property
    def failing(self) -> list[TargetCheck]:
        """The checks that failed or stayed undecided."""
        return [c for c in self.checks if c.status in ("failed", "undecided")]


@dataclass(frozen=True)
class SizingResult:
    """The answer of :func:`size_search` and how it was reached."""

    targets: tuple[Target, ...]
    confidence: float
    candidates: tuple[Candidate, ...]
    best: Candidate | None
    binding: TargetCheck | None
    ruled_out_previous: tuple[Candidate, tuple[TargetCheck, ...]] | None
    grid: int
    pruned: int
    simulated: int
    replications: int
    seed: int
    looks: tuple[int, ...]

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready summary (``zcsim size --json``)."""
        def chk(c: TargetCheck) -> dict[str, Any]:
            f = (lambda x: None if x is None or not math.isfinite(x) else x)
            return {"target": c.target.text, "metric": c.target.metric, "status": c.status, "estimate": f(c.estimate),
                    "bound": f(c.bound), "confidence": c.confidence, "margin": f(c.margin), "method": c.method,
                    "replications": c.replications, "sittings": c.trials}

        def cand(c: Candidate) -> dict[str, Any]:
            return {"values": dict(c.variant.values), "cost": c.variant.cost, "status": c.status,
                    "replications": c.replications, "checks": [chk(x) for x in c.checks],
                    "quorum_failure_per_sitting": [c.quorum.low, c.quorum.high] if c.quorum else None,
                    "vetting_mean_wait_lower_bound": c.vetting.mean_wait_low if c.vetting else None}

        return {
            "format": "zcsim.sizing/1",
            "targets": [t.text for t in self.targets],
            "confidence": self.confidence,
            "seed": self.seed,
            "looks": list(self.looks),
            "best": cand(self.best) if self.best else None,
            "binding": chk(self.binding) if self.binding else None,
            "ruled_out_previous": ({"values": dict(self.ruled_out_previous[0].variant.values),
                                    "by": [chk(c) for c in self.ruled_out_previous[1]]}
                                   if self.ruled_out_previous else None),
            "counts": {"grid": self.grid, "pruned_analytically": self.pruned, "simulated": self.simulated,
                       "replications": self.replications},
            "candidates": [cand(c) for c in self.candidates],
        }


def look_schedule(batch: int, max_replications: int) -> tuple[int, ...]:
    """Cumulative replications at each look: ``batch``, doubling, capped at ``max_replications``.

    Examples
    --------
    >>> look_schedule(10, 200)
    (10, 20, 40, 80, 160, 200)
    """
    if batch < 2:
        raise InputError(f"batch = {batch}; expected at least 2 replications (a t bound needs two)", location="--batch")
    if max_replications < batch:
        raise InputError(f"max replications {max_replications} < batch {batch}", location="--max-replications")
    out = [batch]
    while out[-1] < max_replications:
        out.append(min(out[-1] * 2, max_replications))
    return tuple(out)


def _check(t: Target, metrics: Sequence[Mapping[str, float]], conf: float, overall: float,
           quorum: QuorumBound | None) -> TargetCheck:
    n = len(metrics)
    if t.metric == "quorum_failure_rate":
        if quorum is not None and t.op == "<=" and quorum.high <= t.value:
            return TargetCheck(t, "met", quorum.high, quorum.high, 1.0, t.value - quorum.high, "binomial tail")
        fails = sittings = 0
        for r in metrics:
            a = r.get("meeting_attempts", math.nan)
            rate = r.get("quorum_failure_rate", math.nan)
            if math.isfinite(a) and math.isfinite(rate):
                sittings += round(a)
                fails += round(rate * a)
        lo, hi = clopper_pearson(fails, sittings, conf)
        est = fails / sittings if sittings else math.nan
        extra = {"replications": n, "trials": sittings}
        method = "clopper-pearson"
    else:
        est, lo, hi, _ = t_bounds([r.get(t.metric, math.nan) for r in metrics], conf)
        extra = {"replications": n, "trials": 0}
        method = "t"
    if t.op == "<=":
        if hi <= t.value:
            return TargetCheck(t, "met", est, hi, overall, t.value - hi, method, **extra)
        if lo > t.value:
            return TargetCheck(t, "failed", est, lo, overall, t.value - lo, method, **extra)
        return TargetCheck(t, "undecided", est, hi, overall, t.value - hi, method, **extra)
    if lo >= t.value:
        return TargetCheck(t, "met", est, lo, overall, lo - t.value, method, **extra)
    if hi < t.value:
        return TargetCheck(t, "failed", est, hi, overall, hi - t.value, method, **extra)
    return TargetCheck(t, "undecided", est, lo, overall, lo - t.value, method, **extra)


def _analytic(var: Variant, targets: Sequence[Target]) -> tuple[QuorumBound, VettingBound, list[TargetCheck]]:
    qb = quorum_bound(var.scenario, var.rules)
    vb = vetting_bound(var.scenario, var.rules)
    out = []
    for t in targets:
        if t.metric == "quorum_failure_rate" and t.op == "<=" and qb.low > t.value:
            out.append(TargetCheck(t, "failed", qb.low, qb.low, 1.0, t.value - qb.low, "binomial tail"))
        elif (t.metric == "vetting_wait_mean" and t.op == "<=" and vb.mean_wait_low is not None
              and vb.mean_wait_low > t.value):
            out.append(TargetCheck(t, "failed", vb.mean_wait_low, vb.mean_wait_low, 1.0,
                                   t.value - vb.mean_wait_low, "fluid queue"))
    return qb, vb, out


def size_search(scenario: Scenario, varies: Sequence[Vary], targets: Sequence[Target], *,
                confidence: float = 0.95, batch: int = 10, max_replications: int = 200, seed: int | None = None,
                overrides: Mapping[str, Any] | Sequence[str] | None = None, prune: bool = True,
                executor: str = "local", workers: int | None = None, address: str | None = None,
                progress: Callable[[str, int, int], None] | None = None,
                recusal: Callable[[Scenario], Any] | None = None) -> SizingResult:
    """Find the cheapest configuration of the grid that meets every target (see the module docstring).

    Parameters
    ----------
    scenario, varies, overrides :
        The base scenario and the grid, as :func:`~zcsim.sim.sweep.run_sweep`.
    targets : sequence of Target
        From :func:`parse_target`.
    confidence : float
        Each target's decision holds with at least this confidence (default 0.95).
    batch, max_replications : int
        First look after ``batch`` replications, doubling to ``max_replications``.
    prune : bool
        Use the analytic bounds (turn off to measure what pruning saves).
    progress : callable ``(label, done, total)``, optional
        Called as each batch's replications finish.

    Returns
    -------
    SizingResult

    Examples
    --------
    >>> from zcsim.sim import load_scenario
    >>> from zcsim.sim.sweep import parse_vary
    >>> sc = load_scenario("scenarios/quick.yaml")  # doctest: +SKIP
    >>> res = size_search(sc, [parse_vary("committee.size=25..35:2", sc)],
    ...                   [parse_target("quorum_failure_rate<=0.01")])  # doctest: +SKIP
    >>> dict(res.best.variant.values)  # doctest: +SKIP
    """
    if not targets:
        raise InputError("give at least one --target METRIC<=VALUE", location="--target")
    if not 0.5 <= confidence < 1:
        raise InputError(f"confidence {confidence}; expected 0.5 ≤ confidence < 1", location="--confidence")
    if not varies:
        raise InputError("a sizing search needs at least one --vary KEY=VALUES", source=scenario.source)
    looks = look_schedule(batch, max_replications)
    per_look = 1 - (1 - confidence) / len(looks)
    s = scenario.simulation.seed if seed is None else seed
    variants = build_variants(scenario, varies, overrides)
    order = sorted(variants, key=lambda v: (v.cost, v.index))
    done: list[Candidate] = []
    best: Candidate | None = None
    pruned = simulated = reps = 0
    for var in order:
        if best is not None:
            done.append(Candidate(var, "not searched"))
            continue
        qb, vb, ruled = _analytic(var, targets)
        if prune and ruled:
            pruned += 1
            done.append(Candidate(var, "pruned", tuple(ruled), 0, qb, vb))
            continue
        simulated += 1
        metrics: list[Mapping[str, float]] = []
        checks: list[TargetCheck] = []
        for upto in looks:
            jobs = [(0, r) for r in range(len(metrics), upto)]
            cb = (lambda d, t, _l=var.label: progress(_l, d, t)) if progress else None
            metrics += run_jobs(scenario, varies, [var], jobs, s, overrides=overrides, executor=executor,
                                workers=workers, address=address, progress=cb, recusal=recusal)
            checks = [_check(t, metrics, per_look, confidence, qb if prune else None) for t in targets]
            if any(c.status == "failed" for c in checks) or all(c.status == "met" for c in checks):
                break
        reps += len(metrics)
        if any(c.status == "failed" for c in checks):
            status = "failed"
        elif all(c.status == "met" for c in checks):
            status = "met"
        else:
            status = "undecided"
        cand = Candidate(var, status, tuple(checks), len(metrics), qb, vb)  # type: ignore[arg-type]
        done.append(cand)
        if status == "met":
            best = cand
    binding = None
    previous = None
    if best is not None:
        binding = min(best.checks, key=lambda c: c.relative_margin)
        i = next(i for i, c in enumerate(done) if c is best)
        if i > 0:
            prev = done[i - 1]
            previous = (prev, tuple(prev.failing))
    return SizingResult(tuple(targets), confidence, tuple(done), best, binding, previous, len(variants), pruned,
                        simulated, reps, s, looks)
