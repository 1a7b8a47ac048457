"""The SimPy model of annual review cycles under a rule set (Art. 3–41 of the 2020 Beijing Measures).

:func:`run_replication` simulates ``simulation.years`` annual cycles of one scenario with one seed
and returns a :class:`~zcsim.sim.Replication`. Time is in **working days** counted from each
year's plan date (working day 0); :class:`~zcsim.calendar.WorkingCalendar` turns them into dates.

The cycle of one year
---------------------
1. **Application** (Art. 12, 14): applicants arrive over the application window (a Beta profile).
2. **Eligibility** (Art. 3, 13, 16, 41): :func:`~zcsim.procedure.application.eligibility` on each
   applicant's attributes (employer kind, years working in Beijing, retired, sanction, held title,
   exceptional ground, blacklist); evaluated once per distinct profile and reused.
3. **Employer vetting and unit publicity** (Art. 15): a vetting delay, then publicity for the
   number of working days :func:`~zcsim.procedure.application.unit_publicity` requires; an
   objection means no recommendation.
4. **Agency vetting** (Art. 8, 18) — a SimPy process per application: the agency's full-time staff
   serve the queue first come first served, like a :class:`simpy.Resource` of that capacity
   (contention matters; :class:`_VettingDesk`); incomplete materials get the single
   correction notice; a correction later than the deadline
   :func:`~zcsim.procedure.application.materials_vetting` computes means *deemed withdrawn*;
   corrected materials queue again. False materials may be found here (Art. 41).
5. **Committee** (Art. 7, 9–11): drawn at random from the pool with
   :func:`~zcsim.draw.draw_committee` once a year (or once per filing); the filing must be valid on
   the meeting day (:func:`~zcsim.procedure.committee.filing_valid`) — renewed on expiry
   (proactive) or when a meeting finds it expired (reactive, the meeting waits).
6. **Panels** (Art. 20–21, 29): when the agency has handed over the committee's whole batch,
   :func:`~zcsim.draw.assign_panels` forms panels of ≥ ``panel_min_size`` experts with no
   conflicted expert; each panel reviews ``panel_capacity`` applicants a working day and writes an
   opinion (behaviour model).
7. **Meeting** (Art. 22–23, 29) — a SimPy process per committee: on the meeting day (or when the
   panels are done, if later) each expert is present independently; the meeting is valid when
   :func:`~zcsim.procedure.meeting.attendance` finds the quorum and a presiding chair or
   vice-chair. Otherwise it is **adjourned to the next working day** and counted as a quorum (or
   presiding) failure; after ``max_adjournments`` the review is abandoned (``not_reviewed``).
   Present experts related to an applicant recuse (Art. 29); one round of votes (behaviour model),
   all applicants of the meeting at once as one votes matrix, decided by the vectorised
   :func:`~zcsim.procedure.passes`.
8. **Acceptance check** (Art. 24): :func:`~zcsim.procedure.application.acceptance` — scope and,
   for public institutions, post quotas (passes ranked by yes share within employer and level).
9. **Result publicity** (Art. 25–26) for the working days
   :func:`~zcsim.procedure.application.result_publicity` requires; complaints trigger a
   re-examination; a verified problem changes the result, else the Bureau confirms.
10. **Fraud** (Art. 41): found at vetting, in a re-examination, or by a look-back inspection after
    confirmation (Art. 36–37): disqualified or revoked, and blacklisted for ``blacklist_years``.

Between years: failed applicants re-apply with a probability; title holders apply one level up
after ``years_before_next_level`` years; blacklists expire through the eligibility check; filings
expire after ``filing_validity_years`` (Art. 11) and are renewed.

Every decision is the procedure engine's: the model calls it (memoised on distinct inputs) or,
in the hot path, uses numbers it derives from it once per replication (publicity lengths,
correction deadline) and the vectorised tally; no number of the Measures is written here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import math
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from heapq import heappop, heappush
from typing import Any

import numpy as np
import simpy
from simpy.core import NORMAL

from zcsim.calendar import WorkingCalendar
from zcsim.draw import (
    ApplicantRecord,
    CommitteeDraw,
    DrawError,
    ExpertRecord,
    assign_panels,
    committee_size,
    draw_committee,
)
from zcsim.errors import CalendarError, InputError
from zcsim.law import LEVELS, RuleSet
from zcsim.procedure.application import (
    EMPLOYER_KINDS,
    EXCEPTIONAL_GROUNDS,
    Applicant,
    Title,
    acceptance,
    eligibility,
    materials_vetting,
    result_publicity,
    unit_publicity,
)
from zcsim.procedure.committee import filing_valid
from zcsim.procedure.meeting import attendance
from zcsim.procedure.vote import passes, quorum_met
from zcsim.records import FORMAT as RECORD_FORMAT
from zcsim.sim._result import APPLICANT_COLUMNS, MEETING_COLUMNS, METRICS, Replication
from zcsim.sim.behaviour import BehaviourModel, ReviewContext, make_behaviour
from zcsim.sim.relations import RecusalQuestion, RecusalSource, SyntheticRelations
from zcsim.sim.scenario import (
    CommitteePlan,
    RecusalGraph,
    Scenario,
    expand_groups,
    expand_pools,
    route,
    shift,
    yearly_applicants,
)

__all__ = [
    "run_replication",
    "MemoryEstimate",
    "estimate_memory",
    "check_memory",
    "MEMORY_SHARE",
    "OUTCOMES",
    "EXTRA_APPLICANT_COLUMNS",
    "EXTRA_MEETING_COLUMNS",
    "EXTRA_METRICS",
    "QueueRun",
    "simulate_vetting_queue",
    "engine_numbers",
    "EngineNumbers",
]

OUTCOMES: tuple[str, ...] = (
    "ineligible",     # eligibility failed (Art. 3, 13, 16)
    "blacklisted",    # eligibility failed only on the blacklist (Art. 41)
    "objection",      # objection in unit publicity: not recommended (Art. 15)
    "withdrawn",      # deemed withdrawn: not corrected in time (Art. 18)
    "disqualified",   # false materials found before confirmation (Art. 41)
    "not_reviewed",   # the meeting never reached a valid sitting, or no quorum among eligible voters
    "failed",         # the vote did not reach the threshold (Art. 23)
    "over_quota",     # passed the vote, beyond the public institution's post quota (Art. 24)
    "passed",         # confirmed after result publicity (Art. 25)
    "revoked",        # confirmed, then revoked after a look-back found fraud (Art. 36–37, 41)
)
"""Outcomes of an application (the ``outcome`` column)."""

_O = {name: i for i, name in enumerate(OUTCOMES)}
_FAILURES = np.array([_O[o] for o in ("objection", "withdrawn", "not_reviewed", "failed", "over_quota")])

EXTRA_APPLICANT_COLUMNS: tuple[str, ...] = ("committee", "meeting_day", "exceptional", "vetting_wait")
"""Columns beyond :data:`~zcsim.sim._result.APPLICANT_COLUMNS`: committee id (or ``""``), the day of
the vote (−1), exceptional application (Art. 16), working days waited for agency staff (−1)."""

EXTRA_MEETING_COLUMNS: tuple[str, ...] = ("attempt", "adjourned", "presided", "panels", "postponed")
"""Columns beyond :data:`~zcsim.sim._result.MEETING_COLUMNS`: attempt number of the sitting,
adjourned (no quorum or nobody to preside), presided by a chair or vice-chair, number of panels,
working days the meeting was held after its scheduled day (waiting for panels or a filing)."""

EXTRA_METRICS: tuple[str, ...] = (
    "vote_pass_rate", "objection_share", "over_quota_share", "not_reviewed_share", "disqualified",
    "revoked", "blacklisted_blocked", "correction_notice_share", "complaints", "meeting_attempts",
    "presiding_failures", "meetings_postponed", "filings_renewed", "vetting_wait_mean", "vetting_wait_p95",
    "fraud", "experts_serving",
)
"""Metrics beyond :data:`~zcsim.sim._result.METRICS`."""


# ----------------------------------------------------------------------------------------------
# seeds
# ----------------------------------------------------------------------------------------------
def _child(ss: np.random.SeedSequence, *keys: int) -> np.random.SeedSequence:
    """A named child of ``ss`` (as ``spawn`` would make it, without advancing ``ss``)."""
    return np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, *keys), pool_size=ss.pool_size)


def _rng(ss: np.random.SeedSequence, *keys: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(_child(ss, *keys)))


# stream keys (fixed, so rule variants of a scenario share their random numbers)
_POOL, _POP, _YEAR, _COMMITTEE, _RESULTS, _DRAW, _PANELS, _NEXT, _RELATIONS = range(9)


# ----------------------------------------------------------------------------------------------
# working days ↔ dates
# ----------------------------------------------------------------------------------------------
class _Days:
    """Working day ``i`` (0 = the first working day on or after ``start``) ↔ date."""

    def __init__(self, cal: WorkingCalendar, start: dt.date, years_ahead: int = 3, source: str | None = None):
        self.source = source  # the scenario, named by errors
        ords: list[int] = []
        d, end = start, shift(start, years_ahead)
        one = dt.timedelta(days=1)
        while d < end and cal.covers(d.year):
            if cal.is_working_day(d):
                ords.append(d.toordinal())
            d += one
        if not ords:
            raise CalendarError(f"no working day known from {start}: the calendar does not cover {start.year}; "
                                "give calendar.file in the scenario", source=source, location="calendar")
        self.start = start
        self.ord = np.asarray(ords, dtype=np.int64)

    def __len__(self) -> int:
        return int(self.ord.shape[0])

    def date(self, i: int) -> dt.date:
        if not 0 <= i < len(self):
            last = dt.date.fromordinal(int(self.ord[-1]))
            raise CalendarError(f"working day {i} after {self.start} is beyond the working-day calendar (known "
                                f"to {last}): the year's durations, queues or meeting days run past it; shorten "
                                "them, or give calendar.file covering the following years", source=self.source,
                                location="calendar")
        return dt.date.fromordinal(int(self.ord[i]))

    def date_clamped(self, i: int) -> dt.date:
        return dt.date.fromordinal(int(self.ord[min(max(int(i), 0), len(self) - 1)]))

    def index(self, d: dt.date) -> int:
        """The first working day on or after ``d``."""
        return int(np.searchsorted(self.ord, d.toordinal(), "left"))

    def index_before(self, d: dt.date) -> int:
        """The last working day on or before ``d``."""
        return int(np.searchsorted(self.ord, d.toordinal(), "right")) - 1


# ----------------------------------------------------------------------------------------------
# the procedure engine, asked once per distinct question
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EngineNumbers:
    """Working-day lengths the procedure engine requires, derived by asking it (not re-coded).

    Attributes
    ----------
    unit_publicity_days : int
        Working days a unit publicity posted on a working day must cover for
        :func:`~zcsim.procedure.application.unit_publicity` to pass (Art. 15).
    result_publicity_days : int
        The same for :func:`~zcsim.procedure.application.result_publicity` (Art. 25).
    correction_deadline_days : int
        The last working day after a correction notice on which
        :func:`~zcsim.procedure.application.materials_vetting` still accepts the correction
        (Art. 18): a correction on working day ``notice + k`` is accepted iff ``k ≤`` this.
    """

    unit_publicity_days: int
    result_publicity_days: int
    correction_deadline_days: int


def engine_numbers(rules: RuleSet, cal: WorkingCalendar, on: dt.date) -> EngineNumbers:
    """Ask the engine for the lengths of :class:`EngineNumbers` around day ``on``.

    Examples
    --------
    >>> import datetime
    >>> from zcsim import load_rules
    >>> from zcsim.calendar import default_calendar
    >>> engine_numbers(load_rules(), default_calendar(), datetime.date(2025, 5, 6))
    EngineNumbers(unit_publicity_days=5, result_publicity_days=5, correction_deadline_days=10)
    >>> engine_numbers(load_rules(overrides=["publicity_start_day_counts=false"]), default_calendar(),
    ...                datetime.date(2025, 5, 6)).unit_publicity_days
    6
    """
    d0 = cal.next_working_day(on)

    def span(ok: Callable[[dt.date, dt.date], bool], hint: int) -> int:
        for n in range(1, 4 * hint + 10):
            if ok(d0, cal.add_working_days(d0, n)):
                return n
        raise InputError(f"no publicity period up to {4 * hint + 9} working days satisfies the rule set")

    unit = span(lambda s, e: all(f.ok for f in unit_publicity(s, e, rules, calendar=cal)),
                rules.unit_publicity_working_days)
    result = span(lambda s, e: result_publicity(s, e, rules, calendar=cal)[0].ok,
                  rules.result_publicity_working_days)
    after = d0 + dt.timedelta(days=1)
    k = 0
    for k in range(1, 4 * rules.correction_deadline_working_days + 10):
        v = materials_vetting(rules, notices=1, notice_date=d0, corrected_on=cal.add_working_days(after, k),
                              calendar=cal)
        if v.status != "accepted":
            break
    return EngineNumbers(unit, result, k - 1)


class _Engine:
    """Memoised calls of the procedure engine."""

    def __init__(self, rules: RuleSet, cal: WorkingCalendar, ref: dt.date):
        self.rules, self.cal = rules, cal
        self.numbers = engine_numbers(rules, cal, ref)
        self.d0 = cal.next_working_day(ref)
        self._elig: dict[tuple[Any, ...], tuple[bool, bool]] = {}
        self._rec: dict[bool, bool] = {}
        self._acc: dict[tuple[Any, ...], bool] = {}
        self._conf: dict[tuple[bool, bool], bool] = {}

    def eligible(self, key: tuple[Any, ...], applicant: Callable[[], Applicant], on: dt.date) -> tuple[bool, bool]:
        """(eligible, blocked only by the blacklist) — :func:`eligibility` (Art. 3, 13, 16, 41)."""
        hit = self._elig.get(key)
        if hit is None:
            fails = [f.rule for f in eligibility(applicant(), self.rules, on=on) if not f.ok]
            hit = self._elig[key] = (not fails, fails == ["eligibility.blacklist"])
        return hit

    def recommended(self, objection: bool) -> bool:
        """:func:`unit_publicity` over the required length, with or without objection (Art. 15)."""
        hit = self._rec.get(objection)
        if hit is None:
            end = self.cal.add_working_days(self.d0, self.numbers.unit_publicity_days)
            hit = self._rec[objection] = all(
                f.ok for f in unit_publicity(self.d0, end, self.rules, objection=objection, calendar=self.cal))
        return hit

    def accepted(self, cs: str, cl: str, a_s: str, al: str, quota: int | None, used: int) -> bool:
        """:func:`acceptance` of one result (Art. 24)."""
        key = (cs, cl, a_s, al, quota, used)
        hit = self._acc.get(key)
        if hit is None:
            hit = self._acc[key] = all(f.ok for f in acceptance(cs, cl, a_s, al, self.rules, post_quota=quota,
                                                                 quota_used=used))
        return hit

    def confirmed(self, complaint: bool, verified: bool) -> bool:
        """:func:`result_publicity` over the required length: confirmed or not (Art. 25)."""
        key = (complaint, verified)
        hit = self._conf.get(key)
        if hit is None:
            end = self.cal.add_working_days(self.d0, self.numbers.result_publicity_days)
            hit = self._conf[key] = result_publicity(self.d0, end, self.rules, complaints=int(complaint),
                                                     verified_problem=verified, calendar=self.cal)[1].ok
        return hit

    def filing_ok(self, on: dt.date, valid_until: dt.date, filed_on: dt.date) -> bool:
        """:func:`filing_valid` (Art. 11, 40)."""
        return all(f.ok for f in filing_valid(on, valid_until, self.rules, filed_on=filed_on))


# ----------------------------------------------------------------------------------------------
# SimPy: the environment, the agency's vetting desk, arrivals
# ----------------------------------------------------------------------------------------------
class _Env(simpy.Environment):
    """A SimPy environment that counts the events it processes.

    SimPy numbers every event it schedules (``Environment._eid``); once :meth:`run` has emptied the
    queue, every scheduled event has been processed, so the count is free. Where a SimPy version
    lacks that counter, :meth:`step` is wrapped instead.
    """

    def __init__(self) -> None:
        super().__init__()
        self._counted = 0
        eid = getattr(self, "_eid", None)
        self._free_count = eid is not None and hasattr(eid, "__next__")
        if not self._free_count:
            self.step = self._counting_step  # type: ignore[method-assign]

    def _counting_step(self) -> None:
        self._counted += 1
        simpy.Environment.step(self)

    @property
    def steps(self) -> int:
        """Events processed so far (all scheduled events, once the queue is empty)."""
        if self._free_count:
            self._eid, probe = _tee_count(self._eid)
            return probe - len(self._queue)
        return self._counted


def _tee_count(counter: Any) -> tuple[Any, int]:
    """Read an ``itertools.count`` without losing its place."""
    import itertools

    n = next(counter)
    return itertools.count(n), n


class _VettingDesk:
    """Agencies' vetting staff (Art. 8: dedicated full-time staff), first come first served.

    Agency ``a`` has ``staff[a]`` identical staff members. An application that finds one idle is
    served at once; otherwise it joins the agency's queue and the member who frees up first hands
    it over (an event at that moment), in arrival order. This is the queue a
    ``simpy.Resource(capacity=staff[a])`` forms — first come first served, ties by arrival order,
    the same waits to the last bit — without a ``Request`` and a ``Release`` event per
    application. Waiting applications sit in a FIFO, not in SimPy's event queue, which stays short.
    """

    def __init__(self, env: simpy.Environment, staff: Sequence[int]):
        if any(int(s) < 1 for s in staff):
            raise ValueError(f"every agency needs at least one staff member, got {list(staff)}")
        self.env = env
        self.idle = [int(s) for s in staff]
        self.queue: list[deque[simpy.Event]] = [deque() for _ in staff]  # waiting, in arrival order
        self.capacity = np.asarray(staff, dtype=float)
        self.busy = [0.0] * len(staff)
        self.first_in = [math.inf] * len(staff)
        self.last_out = [-math.inf] * len(staff)

    def vet(self, agency: int, service: float) -> Generator[simpy.Event, Any, float]:
        """Queue for a staff member, be served for ``service`` working days; return the wait."""
        env = self.env
        t0 = env.now
        self.first_in[agency] = min(self.first_in[agency], t0)
        if self.idle[agency]:
            self.idle[agency] -= 1
            wait = 0.0
        else:
            turn = env.event()
            self.queue[agency].append(turn)
            yield turn  # a member has freed up
            wait = env.now - t0
        yield env.timeout(service)
        self.busy[agency] += service
        self.last_out[agency] = env.now
        queue = self.queue[agency]
        if queue:  # hand over to the first in the queue
            queue.popleft().succeed()
        else:
            self.idle[agency] += 1
        return wait

    def utilisation(self) -> tuple[float, float]:
        """(busy staff time, available staff time) between each agency's first arrival and last exit."""
        first, last = np.asarray(self.first_in), np.asarray(self.last_out)
        used = np.isfinite(first)
        span = np.where(used, last - first, 0.0)
        return float(np.asarray(self.busy)[used].sum()), float((self.capacity * span)[used].sum())


class _Wakeup(simpy.Event):
    """A timeout that is not yet in SimPy's event queue (see :class:`_Sleepers`): triggered, with
    value ``None``, like :class:`simpy.Timeout`; :meth:`_Sleepers.wait` schedules it later."""

    def __init__(self, env: simpy.Environment):
        super().__init__(env)
        self._ok = True
        self._value = None


class _Sleepers:
    """Waits of days (a correction, a deadline) kept out of SimPy's event queue until they are near.

    SimPy keeps pending events in one binary heap, and every event pays for its depth. Staff
    serve an application in minutes while a correction takes days, so the few thousand
    applications waiting on corrections would make the heap some ten times larger than it
    needs to be (and every event slower). :meth:`wait` returns an event that fires at exactly
    ``now + delay``, as ``env.timeout(delay)`` would: a wait ending before the next move is an
    ordinary timeout; a later one is parked here, and a mover — a timeout every ``horizon``
    working days while anything is parked — schedules the parked wakeups that end before its
    next run. Wakeups ending at the same time keep their order.
    """

    def __init__(self, env: simpy.Environment, horizon: float):
        self.env = env
        self.horizon = float(horizon)
        self.parked: list[tuple[float, int, _Wakeup]] = []
        self.seq = 0
        self.next_move: float | None = None  # when the pending mover runs; waits ending by then go to SimPy

    def wait(self, delay: float) -> simpy.Event:
        env = self.env
        now = env.now
        at = now + delay
        nxt = self.next_move
        if at <= (now + self.horizon if nxt is None else nxt):
            return env.timeout(delay)
        ev = _Wakeup(env)
        self.seq += 1
        heappush(self.parked, (at, self.seq, ev))
        if nxt is None:
            self._arm(now + self.horizon)
        return ev

    def _arm(self, at: float) -> None:
        self.next_move = at
        env = self.env
        env.timeout(_exact_delay(env.now, at)).callbacks.append(self._move)

    def _move(self, _: simpy.Event) -> None:
        env, parked = self.env, self.parked
        now = env.now
        until = now + self.horizon
        while parked and parked[0][0] <= until:
            at, _, ev = heappop(parked)
            env.schedule(ev, NORMAL, _exact_delay(now, at))
        if parked:
            self._arm(until)
        else:
            self.next_move = None


_SLEEP_HORIZON = 1.0
"""Working days of waits :class:`_Sleepers` hands to SimPy at a time (a speed setting only)."""


def _exact_delay(now: float, at: float) -> float:
    """A delay ``d ≥ 0`` with ``now + d == at`` in floating point (``at - now`` may miss by an ulp)."""
    d = at - now
    while now + d < at:
        d = math.nextafter(d, math.inf)
    while now + d > at and d > 0:
        d = math.nextafter(d, -math.inf)
    return d


def _source(env: simpy.Environment, times: Sequence[float], order: Iterable[int],
            start: Callable[[int], Generator[simpy.Event, Any, Any]]) -> Generator[simpy.Event, Any, None]:
    """Start ``start(i)`` at ``times[i]`` for each ``i`` of ``order`` (sorted by time)."""
    process, timeout = env.process, env.timeout
    for i in order:
        dt_ = times[i] - env.now
        if dt_ > 0:
            yield timeout(dt_)
        process(start(i))


@dataclass(frozen=True)
class QueueRun:
    """The outcome of :func:`simulate_vetting_queue`."""

    wait: np.ndarray
    busy: float
    available: float
    events: int

    @property
    def utilisation(self) -> float:
        return self.busy / self.available if self.available else 0.0


def simulate_vetting_queue(arrivals: np.ndarray, service: np.ndarray, staff: int) -> QueueRun:
    """Run the agency's vetting desk alone: applications arriving at ``arrivals`` (working days),
    each needing ``service`` working days of one of ``staff`` staff, first come first served.

    The same SimPy code the model runs for agency vetting (:class:`_VettingDesk`, the arrival
    source). For validation against queueing theory (Erlang C).

    Examples
    --------
    >>> import numpy as np
    >>> q = simulate_vetting_queue(np.array([0.0, 0.1, 0.2]), np.array([1.0, 1.0, 1.0]), 2)
    >>> q.wait.round(2).tolist()
    [0.0, 0.0, 0.8]
    """
    arrivals = np.asarray(arrivals, dtype=float)
    service = np.asarray(service, dtype=float)
    env = _Env()
    desk = _VettingDesk(env, [staff])
    wait = np.zeros(arrivals.shape[0])

    def one(i: int) -> Generator[simpy.Event, Any, None]:
        wait[i] = yield from desk.vet(0, float(service[i]))

    env.process(_source(env, arrivals.tolist(), np.argsort(arrivals, kind="stable").tolist(), one))
    env.run()
    busy, available = desk.utilisation()
    return QueueRun(wait, busy, available, env.steps)


# ----------------------------------------------------------------------------------------------
# persons (applicants across years)
# ----------------------------------------------------------------------------------------------
_PERSON_COLS: dict[str, Any] = {
    "series": np.int16, "specialty": np.int16, "held": np.int8, "target": np.int8, "ekind": np.int8,
    "unit": np.int32, "years_bj": np.float64, "retired": np.bool_, "sanction_year": np.int16,
    "ground": np.int8, "quality": np.float64, "next_year": np.int16, "blacklisted_ord": np.int64,
}


class _Persons:
    def __init__(self) -> None:
        self.cols = {k: np.zeros(0, dtype=t) for k, t in _PERSON_COLS.items()}

    def __len__(self) -> int:
        return int(self.cols["series"].shape[0])

    def add(self, **cols: np.ndarray) -> None:
        for k, t in _PERSON_COLS.items():
            self.cols[k] = np.concatenate([self.cols[k], np.asarray(cols[k], dtype=t)])

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["cols"][name]
        except KeyError:
            raise AttributeError(name) from None


def _largest_remainder(total: int, shares: Sequence[float]) -> np.ndarray:
    raw = np.asarray(shares, dtype=float) * total
    out = np.floor(raw).astype(np.int64)
    rest = total - int(out.sum())
    if rest > 0:
        out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


@dataclass
class _Hot:
    """Per-application values as Python lists, for the SimPy process of agency vetting."""

    agency: list[int]
    service1: list[float]
    service2: list[float]
    caught: list[bool]
    incomplete: list[bool]
    corrects: list[bool]
    delay: list[float]
    committee: list[int]
    outstanding: list[int]
    wait: list[float]
    notices: int
    deadline: int
    still_incomplete: float


# ----------------------------------------------------------------------------------------------
# committees
# ----------------------------------------------------------------------------------------------
@dataclass
class _Committee:
    plan: CommitteePlan
    index: int
    agency: int
    filed_on: dt.date | None = None
    valid_until: dt.date | None = None
    renewed_since_draw: bool = False
    draw: CommitteeDraw | None = None
    ids: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    experts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # global expert index
    chair: int = -1
    vice: list[int] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# memory: estimated before anything is allocated
# ----------------------------------------------------------------------------------------------
MEMORY_SHARE = 0.8
"""Share of the machine's physical memory one replication may be estimated to need
(:func:`check_memory`); a scenario needing more is refused before the run starts, with the
estimate. Replications running in parallel (``--workers``) each need as much."""

MEMORY_FALLBACK_BYTES = 8 * 2**30
"""The memory assumed when the machine's physical memory cannot be read (8 GiB)."""

# bytes per item, measured on scenarios/beijing-2020.yaml and larger synthetic scenarios (rounded up)
_BYTES_PER_APPLICATION = 1_000     # one applicant of a year: its columns, SimPy process and table row
_BYTES_PER_EXPERT = 1_000          # one expert of the pool: its record and columns
_BYTES_PER_PAIR = 32               # one (applicant, member) pair of a committee: recusal draws, votes
_BYTES_PER_BALLOT = 150            # one vote kept in a meeting record (simulation.keep_records)
_BYTES_PER_RELATION = 100          # one synthetic relation (recusal.graph)


@dataclass(frozen=True)
class MemoryEstimate:
    """About how much memory one replication of a scenario needs, by part.

    Attributes
    ----------
    parts : dict of str to (bytes, key)
        What needs memory (e.g. ``"applicants (largest year 100,300)"``) → its estimate in bytes
        and the scenario key to change to reduce it.
    """

    parts: dict[str, tuple[int, tuple[Any, ...]]]

    @property
    def total(self) -> int:
        """Bytes in all."""
        return sum(b for b, _ in self.parts.values())

    @property
    def largest(self) -> tuple[str, int, tuple[Any, ...]]:
        """``(part, bytes, key)`` of the part needing the most memory."""
        name = max(self.parts, key=lambda k: self.parts[k][0])
        return name, *self.parts[name]


def _gb(n: float) -> str:
    return f"{n / 1e9:,.1f} GB" if n >= 1e8 else f"{n / 1e6:,.0f} MB" if n >= 1e6 else f"{n / 1e3:,.0f} kB"


def estimate_memory(sc: Scenario, rules: RuleSet | None = None, *, keep_records: bool | None = None) -> MemoryEstimate:
    """Estimate the memory of one replication of ``sc`` under ``rules`` (default its own).

    Counts the applicants of the largest simulated year (new ones grown by ``multi_year.growth``,
    plus those who may apply again), the experts, the (applicant, member) pairs each committee
    votes on (Art. 23, 29), the votes kept in meeting records, and the synthetic relations of
    ``recusal.graph``. An upper estimate: applicants stopped before the meeting count as voted on.

    Examples
    --------
    >>> from zcsim.sim import load_scenario
    >>> est = estimate_memory(load_scenario("scenarios/quick.yaml"))
    >>> 1e6 < est.total < 1e9
    True
    """
    rules = rules if rules is not None else sc.ruleset()
    keep = sc.simulation.keep_records if keep_records is None else bool(keep_records)
    my = sc.multi_year
    again = max(my.reapply_probability, my.next_level_probability)
    cohorts: list[float] = []
    for new in yearly_applicants(sc):  # at most: every earlier applicant may apply again
        cohorts.append(new + again * (cohorts[-1] if cohorts else 0.0))
    peak, applications = max(cohorts), sum(cohorts)
    persons = float(sum(yearly_applicants(sc)))
    groups = expand_groups(sc)
    base = [float(g.count) if g.count is not None else float(g.share or 0.0) * float(sc.population.total or 0)
            for g in groups]
    scale = peak / (sum(base) or 1.0)
    plans = sc.committee_plans()
    routed = [0.0] * len(plans)
    for g, b in zip(groups, base):
        p = route(plans, g.series, g.specialty, g.level, rules)
        if p is not None:
            routed[plans.index(p)] += b * scale
    pairs = 0.0
    biggest = ("committees",)
    most = -1.0
    for p, k in zip(plans, routed):
        spec = p.spec
        try:
            size = committee_size(rules, level=p.level, by_specialty=p.specialty is not None, size=spec.size,
                                  size_adjustment_filed=spec.size_adjustment_filed, vice_chairs=spec.vice_chairs)
        except DrawError:
            size = spec.size or 1  # the draw will say what is wrong with it
        pairs += k * size
        if k * size > most:
            most, biggest = k * size, (*p.path, "size")
    parts: dict[str, tuple[int, tuple[Any, ...]]] = {
        f"applicants (about {peak:,.0f} in the largest year)": (
            int(peak * _BYTES_PER_APPLICATION + applications * _BYTES_PER_APPLICATION / 4), ("population", "groups")),
        f"experts ({sum(n for *_, n in expand_pools(sc)):,})": (
            sum(n for *_, n in expand_pools(sc)) * _BYTES_PER_EXPERT, ("experts", "pools")),
        f"applicant–member pairs the committees vote on ({pairs:,.0f} a year)": (
            int(pairs * _BYTES_PER_PAIR), biggest),
    }
    if keep:  # every year's votes stay in the records
        ballots = pairs * applications / peak if peak else 0.0
        parts[f"votes kept in meeting records ({ballots:,.0f})"] = (int(ballots * _BYTES_PER_BALLOT),
                                                                  ("simulation", "keep_records"))
    graph = sc.recusal.graph
    if graph is not None:
        pool_of: dict[str, int] = {}
        for series, _, n in expand_pools(sc):
            pool_of[series] = pool_of.get(series, 0) + n
        rate = sum(graph.relations.model_dump().values())
        total_base = sum(base) or 1.0
        links = sum(b / total_base * persons * pool_of.get(g.series, 0) for g, b in zip(groups, base)) * rate
        parts[f"synthetic relations ({links:,.0f})"] = (int(links * _BYTES_PER_RELATION),
                                                        ("recusal", "graph", "relations"))
    return MemoryEstimate(parts)


def memory_limit() -> int:
    """Bytes one replication may be estimated to need: :data:`MEMORY_SHARE` of physical memory."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        physical = 0
    return int(MEMORY_SHARE * (physical if physical > 0 else MEMORY_FALLBACK_BYTES))


def check_memory(sc: Scenario, rules: RuleSet | None = None, *, keep_records: bool | None = None,
                 limit: int | None = None) -> MemoryEstimate:
    """The :func:`estimate_memory` of ``sc``, or an :class:`InputError` when it exceeds ``limit``
    (default :func:`memory_limit`), naming the estimate, its largest part and the key to reduce.

    Examples
    --------
    >>> from zcsim.sim import load_scenario
    >>> check_memory(load_scenario("scenarios/quick.yaml"), limit=10**6)
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: scenarios/quick.yaml: line ..., population.groups: this scenario needs about 3 MB of memory per replication (mostly applicants ...), more than the 1 MB zcsim allows ...
    """
    est = estimate_memory(sc, rules, keep_records=keep_records)
    cap = memory_limit() if limit is None else int(limit)
    if est.total > cap:
        name, size, key = est.largest
        raise sc.error(f"this scenario needs about {_gb(est.total)} of memory per replication (mostly {name}: "
                       f"about {_gb(size)}), more than the {_gb(cap)} zcsim allows on this machine "
                       f"({MEMORY_SHARE:.0%} of its memory); reduce it here (the population's counts, committee "
                       "sizes, simulation.years or keep_records)", *key)
    return est


# ----------------------------------------------------------------------------------------------
# the replication
# ----------------------------------------------------------------------------------------------
def run_replication(scenario: Scenario, rules: RuleSet | None, seed: np.random.SeedSequence | int, *,
                    index: int = 0, keep_records: bool | None = None,
                    conflicts: Mapping[str, Iterable[str]] | None = None,
                    behaviour: BehaviourModel | None = None,
                    recusal: RecusalSource | None = None) -> Replication:
    """Simulate ``scenario.simulation.years`` annual cycles with one seed.

    Parameters
    ----------
    scenario : Scenario
        From :func:`~zcsim.sim.scenario.load_scenario`.
    rules : RuleSet or None
        The rule set (``None``: the scenario's own, ``scenario.ruleset()``).
    seed : numpy.random.SeedSequence or int
        The replication's seed (the runner passes ``SeedSequence(seed).spawn(n)[index]``). Every
        random draw comes from generators derived from it by fixed keys, so rule variants run on
        the same random numbers (common random numbers).
    index : int
        Replication number, copied into the result.
    keep_records : bool, optional
        Keep a ``zcsim.meeting/1`` record of every sitting (default: ``simulation.keep_records``).
    conflicts : mapping of applicant id to expert ids, optional
        Recusals (Art. 29) by synthetic ids (``A0000001``, ``E000001``); overrides the scenario's
        ``recusal`` section.
    behaviour : BehaviourModel, optional
        Overrides the scenario's behaviour model.
    recusal : RecusalSource, optional
        Asked once per committee and year which of its (applicant, expert) pairs must recuse
        (Art. 29; :class:`~zcsim.sim.relations.RecusalQuestion`), with employers and relations
        of the simulated population drawn by ``recusal.graph`` (its defaults when the scenario
        has none); overrides the scenario's ``rate`` or ``conflicts``. Required when the
        scenario sets ``recusal.graph``: :class:`zcsim.recusal.GraphRecusal` searches the
        relationship graph (``zcsim simulate`` passes it). Must be picklable for process and
        Dask executors.

    Returns
    -------
    Replication

    Raises
    ------
    InputError
        When a committee or its panels cannot be formed (with the scenario line), the calendar
        runs out (:class:`~zcsim.errors.CalendarError`), or the scenario sets ``recusal.graph``
        and no ``recusal`` source is given.
    """
    if conflicts is not None and recusal is not None:
        raise TypeError("give conflicts or recusal, not both")
    if recusal is None and conflicts is None and scenario.recusal.graph is not None:
        raise scenario.error("recusal.graph needs a recusal source, and zcsim.sim does not search relationship "
                             "graphs itself: pass recusal=zcsim.recusal.GraphRecusal.from_scenario(scenario) "
                             "(zcsim simulate and compare do)", "recusal", "graph")
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        seed = np.random.SeedSequence(int(seed))
    if not isinstance(seed, np.random.SeedSequence):
        raise TypeError(f"seed must be a numpy SeedSequence or an int, got {type(seed).__name__}")
    if rules is None:
        rules = scenario.ruleset()
    keep = scenario.simulation.keep_records if keep_records is None else bool(keep_records)
    check_memory(scenario, rules, keep_records=keep)  # before anything is allocated
    if conflicts is not None:
        conf = {str(a): frozenset(map(str, es)) for a, es in conflicts.items()}
    else:
        conf = scenario.conflicts() if recusal is None else None
    with _fewer_collections():
        return _Run(scenario, rules, seed, keep, conf, behaviour, recusal).run(index)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a replication runs.

    A replication creates and drops hundreds of thousands of small SimPy objects while tens of
    thousands of long-lived ones (experts, committees) exist; with the default thresholds the
    collector rescans the latter again and again (about a fifth of the run time at Beijing scale).
    The previous thresholds are restored afterwards.
    """
    old = gc.get_threshold()
    if old[0] and old[0] < _GC_THRESHOLDS[0]:
        gc.set_threshold(*_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)


_GC_THRESHOLDS = (20_000, 50, 50)


class _Run:
    def __init__(self, sc: Scenario, rules: RuleSet, ss: np.random.SeedSequence, keep: bool,
                 conflicts: Mapping[str, frozenset[str]] | None, behaviour: BehaviourModel | None,
                 recusal: RecusalSource | None = None):
        self.sc, self.rules, self.ss, self.keep = sc, rules, ss, keep
        self.conflicts = conflicts
        self.recusal = recusal
        self.behaviour = behaviour if behaviour is not None else make_behaviour(sc.behaviour)
        self.cal = sc.working_calendar()
        self.plans = sc.committee_plans()
        _, window_open, _, _ = sc.calendar.dates()
        self.engine = _Engine(rules, self.cal, window_open)
        # vocabularies
        self.groups = groups = expand_groups(sc)
        self.pools = expand_pools(sc)
        self.series_names = sorted({g.series for g in groups} | {p[0] for p in self.pools}
                                   | {p.series for p in self.plans})
        self.spec_names = [""] + sorted({g.specialty for g in groups if g.specialty}
                                        | {p[1] for p in self.pools if p[1]}
                                        | {p.specialty for p in self.plans if p.specialty})
        self.s_idx = {s: i for i, s in enumerate(self.series_names)}
        self.sp_idx = {s: i for i, s in enumerate(self.spec_names)}
        self.ekinds = EMPLOYER_KINDS
        self.pi_kind = EMPLOYER_KINDS.index("public_institution")
        self.se_kind = EMPLOYER_KINDS.index("self_employed")
        self._routes: dict[tuple[int, int, int], int] = {}
        self._build_pool()
        self.relations = self._build_relations() if recusal is not None else None
        self._build_committees()
        self.persons = _Persons()
        # outputs
        self.app_tables: list[dict[str, np.ndarray]] = []
        self.meeting_rows: list[tuple[Any, ...]] = []
        self.records: list[dict[str, Any]] = []
        self.expert_loads: list[np.ndarray] = []
        self.events = 0
        self.counts: dict[str, float] = dict.fromkeys(
            ("filings_renewed", "meetings_postponed", "presiding_failures", "complaints", "busy", "available"), 0.0)
        self.waits: list[np.ndarray] = []

    # -- the expert pool (Art. 7, 10) --------------------------------------------------------
    def _build_pool(self) -> None:
        sc = self.sc
        rng = _rng(self.ss, _POOL)
        lv_names = list(sc.experts.levels)
        lv_p = np.array([sc.experts.levels[k] for k in lv_names])
        cats = ("grassroots", "central", "non_public", "young")
        cat_p = np.array([sc.experts.categories.get(c, 0.0) for c in cats])  # type: ignore[call-overload]
        ids: list[str] = []
        strg: list[np.ndarray] = []
        self.pool_by: dict[tuple[str, str], list[ExpertRecord]] = {}
        n = 0
        for series, specialty, k in self.pools:
            lv = rng.choice(len(lv_names), size=k, p=lv_p)
            flags = (rng.random((k, 4)) < cat_p).tolist()
            strg.append(rng.normal(0.0, sc.experts.stringency_sd, k))
            recs = self.pool_by.setdefault((series, specialty), [])
            for j in range(k):
                eid = f"E{n + 1:06d}"
                f = flags[j]
                recs.append(ExpertRecord(eid, "", series, specialty, lv_names[lv[j]], f[0], f[1], f[2], f[3]))
                ids.append(eid)
                n += 1
        self.expert_ids = ids
        self.expert_index = {e: i for i, e in enumerate(ids)}
        self.stringency = np.concatenate(strg) if strg else np.zeros(0)

    def _build_relations(self) -> SyntheticRelations:
        """Employers of the experts, and the store of the population's relations (Art. 29)."""
        sc = self.sc
        settings = sc.recusal.graph if sc.recusal.graph is not None else RecusalGraph()
        series = np.zeros(len(self.expert_ids), dtype=np.int64)
        for recs in self.pool_by.values():
            for r in recs:
                series[self.expert_index[r.id]] = self.s_idx[r.series]
        units = sc.post_quotas.units if sc.post_quotas is not None else None
        rel = SyntheticRelations(settings, self.expert_ids, series, len(self.series_names), units,
                                 _rng(self.ss, _RELATIONS, 0))
        for key, recs in self.pool_by.items():
            self.pool_by[key] = [dataclasses.replace(r, employer=rel.expert_employer[self.expert_index[r.id]])
                                 for r in recs]
        return rel

    def _pool_for(self, plan: CommitteePlan) -> list[ExpertRecord]:
        if plan.specialty is not None:
            return self.pool_by.get((plan.series, plan.specialty), [])
        return [e for (s, _), es in self.pool_by.items() if s == plan.series for e in es]

    # -- committees and agencies -------------------------------------------------------------
    def _build_committees(self) -> None:
        sc = self.sc
        agency_of_series: dict[str, int] = {}
        catch_all = -1
        for i, a in enumerate(sc.agencies):
            if a.series is None:
                catch_all = i
            for s in a.series or ():
                agency_of_series[s] = i
        ids = [a.id for a in sc.agencies]
        self.committees: list[_Committee] = []
        for i, p in enumerate(self.plans):
            ag = ids.index(p.spec.agency) if p.spec.agency is not None else agency_of_series.get(p.series, catch_all)
            if ag < 0:
                raise sc.error(f"no agency serves series {p.series!r}", *p.path)
            self.committees.append(_Committee(p, i, ag))

    def route(self, s: int, sp: int, lv: int) -> int:
        """Committee index reviewing (series, specialty, level), or −1 (Art. 7, 9)."""
        key = (s, sp, lv)
        hit = self._routes.get(key)
        if hit is None:
            p = route(self.plans, self.series_names[s], self.spec_names[sp], LEVELS[lv], self.rules)
            hit = self._routes[key] = -1 if p is None else self.plans.index(p)
        return hit

    # -- the years --------------------------------------------------------------------------
    def run(self, index: int) -> Replication:
        for y in range(1, self.sc.simulation.years + 1):
            self._entrants(y)
            P = self.persons
            cohort = np.flatnonzero(P.next_year == y)
            _Year(self, y, cohort).run()
        return self._result(index)

    def _entrants(self, y: int) -> None:
        sc, pop = self.sc, self.sc.population
        rng = _rng(self.ss, _POP, y)
        groups = self.groups
        if pop.total is not None:
            base = _largest_remainder(pop.total, [g.share or 0.0 for g in groups])
        else:
            base = np.array([g.count or 0 for g in groups], dtype=np.int64)
        factor = (1.0 + sc.multi_year.growth) ** (y - 1)
        counts = np.rint(base * factor).astype(np.int64)
        n = int(counts.sum())
        if n == 0:
            return
        g_of = np.repeat(np.arange(len(groups)), counts)
        series = np.array([self.s_idx[g.series] for g in groups], dtype=np.int16)[g_of]
        spec = np.array([self.sp_idx[g.specialty] for g in groups], dtype=np.int16)[g_of]
        target = np.array([LEVELS.index(g.level) for g in groups], dtype=np.int8)[g_of]
        kinds = list(pop.employer_kinds)
        ek_p = np.array([pop.employer_kinds[k] for k in kinds])
        ekind = np.array([EMPLOYER_KINDS.index(k) for k in kinds], dtype=np.int8)[rng.choice(len(kinds), n, p=ek_p)]
        units = sc.post_quotas.units if sc.post_quotas is not None else 1
        unit = np.where(ekind == self.pi_kind, rng.integers(0, units, n), -1)
        yv = np.array(list(pop.self_employed_years_in_beijing), dtype=float)
        yp = np.array(list(pop.self_employed_years_in_beijing.values()))
        years_bj = np.where(ekind == self.se_kind, yv[rng.choice(len(yv), n, p=yp)], 0.0)
        retired = rng.random(n) < pop.retired
        sanction_year = np.where(rng.random(n) < pop.sanctioned, y, -1)
        skip = rng.random(n) < pop.skip_level
        held = np.maximum(target.astype(np.int64) - np.where(skip, 2, 1), -1)
        ground = np.where(rng.random(n) < pop.exceptional, rng.integers(0, len(EXCEPTIONAL_GROUNDS), n), -1)
        q = pop.quality
        quality = rng.normal(q.mean, q.sd, n) + np.where(ground >= 0, q.exceptional_shift, 0.0)
        first = len(self.persons)
        self.persons.add(series=series, specialty=spec, held=held, target=target, ekind=ekind, unit=unit,
                         years_bj=years_bj, retired=retired, sanction_year=sanction_year, ground=ground,
                         quality=quality, next_year=np.full(n, y), blacklisted_ord=np.zeros(n))
        if self.relations is not None:  # employers and relations of the new applicants (Art. 29)
            self.relations.add_persons(first + np.arange(n), series, ekind, unit, year=sc.calendar.year + y - 1,
                                       rng=_rng(self.ss, _RELATIONS, y), public_kind=self.pi_kind,
                                       self_employed_kind=self.se_kind)

    # -- output -----------------------------------------------------------------------------
    def _result(self, index: int) -> Replication:
        tabs = self.app_tables
        cols = APPLICANT_COLUMNS + EXTRA_APPLICANT_COLUMNS
        if tabs:
            apps = {c: np.concatenate([t[c] for t in tabs]) for c in cols}
        else:
            apps = {c: np.zeros(0) for c in cols}
        mcols = MEETING_COLUMNS + EXTRA_MEETING_COLUMNS
        rows = self.meeting_rows
        meetings: dict[str, np.ndarray] = {}
        for j, c in enumerate(mcols):
            vals = [r[j] for r in rows]
            meetings[c] = np.asarray(vals) if vals else np.zeros(0, dtype=np.int64)
        metrics = self._metrics(apps, meetings)
        return Replication(index=index, applicants=apps, meetings=meetings, metrics=metrics,
                           records=tuple(self.records), events=self.events)

    def _metrics(self, apps: Mapping[str, np.ndarray], meetings: Mapping[str, np.ndarray]) -> dict[str, float]:
        out = apps["outcome"]
        n = int(out.shape[0])

        def share(mask: np.ndarray, of: int | None = None) -> float:
            d = n if of is None else of
            return float(mask.sum()) / d if d else math.nan

        passed = out == "passed"
        wd = apps["working_days"]
        wd = wd[wd >= 0]
        voted = apps["yes"] >= 0
        m_quorum = meetings["quorum"].astype(bool) if meetings["quorum"].size else np.zeros(0, dtype=bool)
        held = ~meetings["adjourned"].astype(bool) if meetings["adjourned"].size else np.zeros(0, dtype=bool)
        loads = np.concatenate(self.expert_loads) if self.expert_loads else np.zeros(0)
        loads = loads[loads > 0]
        waits = np.concatenate(self.waits) if self.waits else np.zeros(0)
        fraud = apps["fraud"].astype(bool)
        caught = apps["fraud_caught"].astype(bool)
        c = self.counts
        metrics: dict[str, float] = {
            "applicants": float(n),
            "pass_rate": share(passed),
            "mean_working_days": float(wd.mean()) if wd.size else math.nan,
            "p95_working_days": float(np.percentile(wd, 95)) if wd.size else math.nan,
            "quorum_failure_rate": float((~m_quorum).mean()) if m_quorum.size else math.nan,
            "recusals_per_meeting": float(meetings["recusals"][held].sum()) / int(held.sum()) if held.any() else math.nan,
            "expert_load_mean": float(loads.mean()) if loads.size else math.nan,
            "expert_load_max": float(loads.max()) if loads.size else math.nan,
            "staff_utilisation": c["busy"] / c["available"] if c["available"] else math.nan,
            "withdrawn_share": share(out == "withdrawn"),
            "fraud_caught": float(caught.sum()),
            "fraud_caught_share": share(caught, int(fraud.sum())),
            "ineligible_share": share(out == "ineligible"),
            "meetings": float(held.sum()),
            # extras
            "vote_pass_rate": share(voted & np.isin(out, ["passed", "revoked", "over_quota", "disqualified"]),
                                    int(voted.sum())),
            "objection_share": share(out == "objection"),
            "over_quota_share": share(out == "over_quota"),
            "not_reviewed_share": share(out == "not_reviewed"),
            "disqualified": float((out == "disqualified").sum()),
            "revoked": float((out == "revoked").sum()),
            "blacklisted_blocked": float((out == "blacklisted").sum()),
            "correction_notice_share": share(apps["correction_notice"].astype(bool)),
            "complaints": c["complaints"],
            "meeting_attempts": float(m_quorum.size),
            "presiding_failures": c["presiding_failures"],
            "meetings_postponed": c["meetings_postponed"],
            "filings_renewed": c["filings_renewed"],
            "vetting_wait_mean": float(waits.mean()) if waits.size else math.nan,
            "vetting_wait_p95": float(np.percentile(waits, 95)) if waits.size else math.nan,
            "fraud": float(fraud.sum()),
            "experts_serving": float(loads.size),
        }
        for s in np.unique(apps["series"]):
            for lv in LEVELS:
                mask = (apps["series"] == s) & (apps["level"] == lv)
                if mask.any():
                    metrics[f"pass_rate[{s}/{lv}]"] = float(passed[mask].mean())
        years = np.unique(apps["year"])
        if years.size > 1:
            for y in years:
                mask = apps["year"] == y
                metrics[f"pass_rate[year={int(y)}]"] = float(passed[mask].mean())
                metrics[f"applicants[year={int(y)}]"] = float(mask.sum())
        assert all(k in metrics for k in METRICS)
        return metrics


# ----------------------------------------------------------------------------------------------
# one year
# ----------------------------------------------------------------------------------------------
class _Year:
    def __init__(self, run: _Run, y: int, cohort: np.ndarray):
        self.run_, self.y, self.cohort = run, y, cohort
        sc, P = run.sc, run.persons
        self.sc, self.rules, self.engine = sc, run.rules, run.engine
        n = self.n = int(cohort.shape[0])
        plan, wo, wc, fm = sc.calendar.dates(y - 1)
        self.days = _Days(run.cal, plan, source=sc.source)
        self.open_day, self.close_day = self.days.index(wo), self.days.index_before(wc)
        self.first_meeting_day = self.days.index(fm)
        self.series = P.series[cohort].astype(np.int64)
        self.spec = P.specialty[cohort].astype(np.int64)
        self.level = P.target[cohort].astype(np.int64)
        self.ekind = P.ekind[cohort].astype(np.int64)
        self.unit = P.unit[cohort].astype(np.int64)
        self.quality = P.quality[cohort]
        self.exceptional = P.ground[cohort] >= 0
        rng = self.rng = _rng(run.ss, _YEAR, y)
        pop = sc.population
        self.fraud = rng.random(n) < pop.fraud.rate
        self.recommendation = self.quality + rng.normal(0.0, pop.quality.recommendation_noise_sd, n)
        a, b = sc.calendar.arrival_profile
        self.arrival = self.open_day + (self.close_day - self.open_day + 1) * rng.beta(a, b, n)
        self.applied_day = np.floor(self.arrival).astype(np.int64)
        self.committee = np.zeros(n, dtype=np.int64)
        if n:
            keys, inv = np.unique(np.column_stack([self.series, self.spec, self.level]), axis=0, return_inverse=True)
            routes = np.array([run.route(int(a), int(b), int(c)) for a, b, c in keys], dtype=np.int64)
            self.committee = routes[inv.reshape(-1)]
        self.load = np.zeros(len(run.expert_ids))
        # results
        self.outcome = np.full(n, -1, dtype=np.int64)
        self.result_day = np.full(n, -1, dtype=np.int64)
        self.yes = np.full(n, -1, dtype=np.int64)
        self.present = np.full(n, -1, dtype=np.int64)
        self.recused = np.full(n, -1, dtype=np.int64)
        self.vote = np.full(n, -1, dtype=np.int64)   # −1 not voted, 0 fail, 1 pass
        self.vote_day = np.full(n, -1, dtype=np.int64)
        self.fraud_caught = np.zeros(n, dtype=bool)
        self.found_day = np.full(n, -1, dtype=np.int64)
        self.notice = np.zeros(n, dtype=bool)
        self.accepted = np.zeros(n, dtype=bool)
        self.wait = np.full(n, -1.0)

    # -- the whole year ---------------------------------------------------------------------
    def run(self) -> None:
        run = self.run_
        self._prepare_committees()
        self._before_agency()
        env = self.env = _Env()
        self._agency(env)
        try:
            env.run()
        except Exception as exc:
            # SimPy re-raises a process's exception as type(e)(*e.args), the original as its cause;
            # re-raise the original so typed errors keep their source and location
            cause = exc.__cause__
            if cause is not None and type(cause) is type(exc):
                raise cause from None
            raise
        run.events += env.steps
        self._after_meetings()
        self._collect()
        self._next_year()

    # -- filings and draws (Art. 7, 10, 11) ------------------------------------------------------
    def _scheduled_day(self, c: _Committee) -> int:
        md = c.plan.spec.meeting_day
        if md is None:
            return self.first_meeting_day
        if isinstance(md, int):
            return self.first_meeting_day + md
        return self.days.index(shift(md, self.y - 1))

    def _valid_until(self, filed_on: dt.date) -> dt.date:
        return shift(filed_on, self.rules.filing_validity_years) - dt.timedelta(days=1)

    def _prepare_committees(self) -> None:
        run, sc, my = self.run_, self.sc, self.sc.multi_year
        first_plan = sc.calendar.dates(0)[0]
        for c in run.committees:
            if c.filed_on is None:
                c.filed_on = c.plan.spec.filed_on or my.filed_on or first_plan
                c.valid_until = self._valid_until(c.filed_on)
            meet = self.days.date_clamped(self._scheduled_day(c))
            if my.renewal == "proactive":
                while c.valid_until < meet:  # type: ignore[operator]
                    c.filed_on = c.valid_until + dt.timedelta(days=1)  # type: ignore[operator]
                    c.valid_until = self._valid_until(c.filed_on)
                    c.renewed_since_draw = True
                    run.counts["filings_renewed"] += 1
            if c.draw is None or my.redraw == "per_year" or c.renewed_since_draw:
                self._draw(c)

    def _draw(self, c: _Committee) -> None:
        run, plan = self.run_, c.plan
        spec = plan.spec
        try:
            d = draw_committee(run._pool_for(plan), self.rules, series=plan.series, level=plan.level,
                               specialty=plan.specialty, size=spec.size, seed=_child(run.ss, _DRAW, self.y, c.index),
                               vice_chairs=spec.vice_chairs, alternates=0, size_adjustment_filed=spec.size_adjustment_filed)
        except DrawError as exc:
            raise self.sc.error(f"committee {plan.id} ({plan.series}"
                                + (f"/{plan.specialty}" if plan.specialty else "") + f", {plan.level}) cannot be drawn: {exc}",
                                *plan.path) from None
        c.draw = d
        c.renewed_since_draw = False
        c.ids = [m.id for m in d.members]
        c.roles = {m.id: m.role for m in d.members}
        c.experts = np.array([run.expert_index[i] for i in c.ids], dtype=np.int64)
        c.chair = next(j for j, m in enumerate(d.members) if m.role == "chair")
        c.vice = [j for j, m in enumerate(d.members) if m.role == "vice_chair"]

    # -- eligibility, employer vetting, unit publicity (Art. 3, 13, 15, 16, 41) --------------------
    def _before_agency(self) -> None:
        n, rng, sc = self.n, self.rng, self.sc
        if n == 0:  # nobody applies this year (a shrinking population): an empty year, not an error
            self.t_agency = np.zeros(0)
            self.to_agency = np.zeros(0, dtype=bool)
            return
        eligible, blacklist_only = self._eligibility()
        emp_done = self.arrival + sc.employer.vetting_time.sample(rng, n)
        stop = np.floor(emp_done).astype(np.int64)
        inel = ~eligible
        self.outcome[inel] = np.where(blacklist_only[inel], _O["blacklisted"], _O["ineligible"])
        self.result_day[inel] = stop[inel]
        post = stop + 1
        U = self.engine.numbers.unit_publicity_days
        objection = rng.random(n) < sc.population.objection
        recommended = np.where(objection, self.engine.recommended(True), self.engine.recommended(False))
        stopped = eligible & ~recommended
        self.outcome[stopped] = _O["objection"]
        self.result_day[stopped] = post[stopped] + U - 1
        self.t_agency = post + U + rng.random(n)  # handed to the agency during the day after publicity
        self.to_agency = eligible & recommended & (self.committee >= 0)
        lost = eligible & recommended & (self.committee < 0)
        self.outcome[lost] = _O["not_reviewed"]
        self.result_day[lost] = post[lost] + U

    def _eligibility(self) -> tuple[np.ndarray, np.ndarray]:
        """:func:`eligibility` per distinct profile of attributes (Art. 3, 13, 16, 32–35, 41)."""
        P, c, y = self.run_.persons, self.cohort, self.y
        bl = P.blacklisted_ord[c]
        self_emp = self.ekind == self.run_.se_kind
        cols = [self.level, P.held[c], self.ekind, np.where(self_emp, P.years_bj[c], -1.0), P.retired[c],
                P.sanction_year[c] == y, P.ground[c], bl, np.where(bl > 0, self.applied_day, -1)]
        # one integer code per profile (mixed radix over each column's distinct values), then unique
        code = np.zeros(self.n, dtype=np.int64)
        for col in cols:
            vals, inv = np.unique(col, return_inverse=True)
            code = np.unique(code * len(vals) + inv.reshape(-1), return_inverse=True)[1].reshape(-1)
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
        uniq = np.column_stack(cols).astype(np.float64)[first]
        ok = np.zeros(len(uniq), dtype=bool)
        only_bl = np.zeros(len(uniq), dtype=bool)
        window_open = self.days.date(self.open_day)
        for k, r in enumerate(uniq):
            bl_ord, day = r[7], r[8]
            on = self.days.date(int(day)) if bl_ord > 0 else window_open

            def make(r: np.ndarray = r, on: dt.date = on, k: int = k) -> Applicant:
                lv, held, ek, yrs, retired, sanctioned, ground, bl_ord, _ = r
                return Applicant(
                    f"profile-{k}", "series", LEVELS[int(lv)], EMPLOYER_KINDS[int(ek)],
                    years_working_in_beijing=max(float(yrs), 0.0), retired=bool(retired),
                    sanction_until=on if sanctioned else None,
                    titles=(Title(LEVELS[int(held)], "series"),) if held >= 0 else (),
                    exceptional_grounds=(EXCEPTIONAL_GROUNDS[int(ground)],) if ground >= 0 else (),
                    blacklisted_on=dt.date.fromordinal(int(bl_ord)) if bl_ord > 0 else None)

            ok[k], only_bl[k] = self.engine.eligible(tuple(r.tolist()) + (on,), make, on)
        inverse = inverse.reshape(-1)
        return ok[inverse], only_bl[inverse]

    # -- agency vetting (Art. 8, 18) in SimPy ----------------------------------------------------
    def _agency(self, env: _Env) -> None:
        run, sc, rng, n = self.run_, self.sc, self.rng, self.n
        self.desk = _VettingDesk(env, [a.staff for a in sc.agencies])
        comm = run.committees
        self.agency_of = np.array([comm[c].agency if c >= 0 else 0 for c in self.committee], dtype=np.int64)
        service1, service2 = np.zeros(n), np.zeros(n)
        for a, spec in enumerate(sc.agencies):
            mask = self.agency_of == a
            k = int(mask.sum())
            if k:
                service1[mask] = spec.vetting_time.sample(rng, k)
                service2[mask] = (spec.revetting_time or spec.vetting_time).sample(rng, k)
        mat, fr = sc.population.materials, sc.population.fraud
        incomplete = rng.random(n) < mat.incomplete
        corrects = rng.random(n) < mat.correction_probability
        delay = mat.correction_delay.sample(rng, n)
        detect = rng.random(n) < fr.detection_at_vetting
        self.proc_rng = _rng(run.ss, _YEAR, self.y, 1)
        outstanding = np.bincount(self.committee[self.to_agency], minlength=len(comm)) if n else np.zeros(len(comm), np.int64)
        # plain lists for the per-application process (numpy scalar access is slow in a hot loop)
        self.hot = _Hot(
            agency=self.agency_of.tolist(), service1=service1.tolist(), service2=service2.tolist(),
            caught=(self.fraud & detect).tolist(), incomplete=incomplete.tolist(), corrects=corrects.tolist(),
            delay=delay.tolist(), committee=self.committee.tolist(), outstanding=outstanding.tolist(),
            wait=[-1.0] * n, notices=self.rules.correction_notices,
            deadline=self.engine.numbers.correction_deadline_days, still_incomplete=mat.still_incomplete)
        self.ready = [env.event() for _ in comm]
        self.sleepers = _Sleepers(env, _SLEEP_HORIZON)
        order = np.flatnonzero(self.to_agency)
        order = order[np.argsort(self.t_agency[order], kind="stable")]
        env.process(_source(env, self.t_agency.tolist(), order.tolist(), self._application))
        for c in comm:
            if outstanding[c.index] > 0:
                env.process(self._committee(c))

    def _application(self, i: int) -> Generator[simpy.Event, Any, None]:
        """One application through agency vetting: queue, vet, single correction notice (Art. 18)."""
        env, desk, h = self.env, self.desk, self.hot
        agency = h.agency[i]
        notices, first = 0, True
        while True:
            wait = yield from desk.vet(agency, h.service1[i] if first else h.service2[i])
            now = env.now
            if first:
                h.wait[i] = wait
                if h.caught[i]:  # false materials found by the vetting (Art. 41)
                    self._close(i, "disqualified", int(now))
                    self.fraud_caught[i] = True
                    self.found_day[i] = int(now)
                    break
                bad = h.incomplete[i]
            else:
                bad = self.proc_rng.random() < h.still_incomplete
            first = False
            if not bad:
                self.accepted[i] = True
                break
            if notices >= h.notices:  # notices used up: the procedure is not completed (Art. 18)
                self._close(i, "withdrawn", int(now))
                break
            notices += 1
            self.notice[i] = True
            deadline_end = math.floor(now) + h.deadline + 1  # end of the last working day allowed
            delay = h.delay[i]
            if h.corrects[i] and now + delay < deadline_end:
                yield self.sleepers.wait(delay)
                continue
            yield self.sleepers.wait(deadline_end - now)
            self._close(i, "withdrawn", int(deadline_end))
            break
        c = h.committee[i]
        left = h.outstanding[c] = h.outstanding[c] - 1
        if left == 0:
            self.ready[c].succeed()

    def _close(self, i: int, outcome: str, day: int) -> None:
        self.outcome[i] = _O[outcome]
        self.result_day[i] = day

    # -- panels and the meeting (Art. 20–23, 29) ---------------------------------------------------
    def _committee(self, c: _Committee) -> Generator[simpy.Event, Any, None]:
        env, run, rules, sc = self.env, self.run_, self.rules, self.sc
        yield self.ready[c.index]
        apps = np.flatnonzero(self.accepted & (self.committee == c.index))
        if apps.size == 0:
            return
        crng = _rng(run.ss, _COMMITTEE, self.y, c.index)
        size = len(c.ids)
        app_ids = [f"A{int(p) + 1:07d}" for p in self.cohort[apps]]
        conf = self._conflicts(c, apps, app_ids, crng)
        panels, panel_of, dropped = self._panels(c, apps, app_ids, conf)
        if dropped.any():
            self.outcome[apps[dropped]] = _O["not_reviewed"]
            self.result_day[apps[dropped]] = math.floor(env.now) + 1
        keep = ~dropped
        # panel opinions (Art. 21)
        strg = run.stringency
        panel_strg = np.array([strg[[run.expert_index[e] for e in p.experts]].mean() for p in panels])
        loads = np.array([p.load for p in panels])
        pstr = np.where(panel_of >= 0, panel_strg[np.maximum(panel_of, 0)], 0.0)
        for p in panels:
            self.load[[run.expert_index[e] for e in p.experts]] += p.load
        ctx = ReviewContext(self.quality[apps], self.recommendation[apps], self.exceptional[apps], pstr,
                            strg[c.experts])
        support = np.asarray(run.behaviour.panel_support(ctx, crng), dtype=bool)
        ctx = dataclasses.replace(ctx, support=support)
        # panels review at panel_capacity applicants a working day, then the meeting
        start = math.floor(env.now) + 1
        panel_days = math.ceil(loads.max() / c.plan.spec.panel_capacity) if loads.size and loads.max() > 0 else 0
        scheduled = self._scheduled_day(c)
        day = max(scheduled, start + panel_days)
        if day > scheduled:
            run.counts["meetings_postponed"] += 1
        yield env.timeout(day - env.now)
        attempt = 0
        while True:
            date = self.days.date(day)
            if not self.engine.filing_ok(date, c.valid_until, c.filed_on):  # type: ignore[arg-type]
                # Art. 11, 40: no meeting under an expired filing; renew, then meet
                day += sc.multi_year.renewal_working_days
                c.filed_on = self.days.date(day)
                c.valid_until = self._valid_until(c.filed_on)
                c.renewed_since_draw = True
                run.counts["filings_renewed"] += 1
                yield env.timeout(day - env.now)
                continue
            attempt += 1
            present = crng.random(size) >= sc.experts.no_show
            self._excuse_if_multiple(present, c, crng)
            presided = self._presiding(present, c)
            present_ids = [c.ids[j] for j in np.flatnonzero(present)]
            findings = attendance(present_ids, c.roles, rules, presided_by=presided)
            valid = all(f.ok for f in findings)
            quorum_ok = next(f.ok for f in findings if f.rule == "meeting.quorum")
            presiding_ok = next(f.ok for f in findings if f.rule == "meeting.presiding")
            if quorum_ok and not presiding_ok:
                run.counts["presiding_failures"] += 1
            mid = f"Y{self.y}-{c.plan.id}-M{attempt}"
            if not valid:
                self._meeting_row(mid, c, day, size, present, False, quorum_ok, presiding_ok, 0, 0, 0, attempt,
                                  len(panels), day - scheduled)
                if run.keep:
                    why = "; ".join(f.detail for f in findings if not f.ok)
                    run.records.append(self._record(c, date, present_ids, presided, panels, support, app_ids,
                                                    conf, keep, None, f"adjourned to the next working day: {why}"))
                if attempt > sc.simulation.max_adjournments:
                    rows = apps[keep]
                    self.outcome[rows] = _O["not_reviewed"]
                    self.result_day[rows] = day
                    return
                day += 1
                yield env.timeout(1)
                continue
            self._vote(c, apps, keep, present, conf, ctx, crng, day, mid, attempt, len(panels), day - scheduled,
                       date, present_ids, presided, panels, support, app_ids)
            return

    def _conflicts(self, c: _Committee, apps: np.ndarray, app_ids: list[str], rng: np.random.Generator) -> np.ndarray:
        """Expert–applicant pairs that must recuse (Art. 29): a conflicts mapping, the recusal source
        (asked once for the whole committee), or a rate."""
        k, size = apps.size, len(c.ids)
        # drawn whatever the recusal mode, so every mode (a rate, 0, a mapping, a graph) leaves the
        # committee's stream in the same state and attendance and votes stay common random numbers
        u = rng.random((k, size))
        mapping = self.run_.conflicts
        source = self.run_.recusal
        if mapping is None and source is not None:
            rel = self.run_.relations
            assert rel is not None
            question = RecusalQuestion(
                year=self.y, committee=c.plan.id, date=self.days.date_clamped(self._scheduled_day(c)),
                applicants=tuple(app_ids), experts=tuple(c.ids), people=rel.people(self.cohort[apps], c.experts),
                recusal_relations=tuple(self.rules.recusal_relations))
            pairs: dict[str, set[str]] = {}
            for a, e in source(question):
                pairs.setdefault(str(a), set()).add(str(e))
            mapping = pairs
        if mapping is not None:
            conf = np.zeros((k, size), dtype=bool)
            pos = {e: j for j, e in enumerate(c.ids)}
            for r, a in enumerate(app_ids):
                es = mapping.get(a)
                if es:
                    for e in es:
                        j = pos.get(e)
                        if j is not None:
                            conf[r, j] = True
            return conf
        return u < self.sc.recusal.rate

    def _panels(self, c: _Committee, apps: np.ndarray, app_ids: list[str], conf: np.ndarray
                ) -> tuple[tuple[Any, ...], np.ndarray, np.ndarray]:
        """:func:`assign_panels` (Art. 20, 29); applicants no panel can take are dropped."""
        run, plan = self.run_, c.plan
        ser = np.asarray(run.series_names, dtype=object)[self.series[apps]].tolist()
        spe = np.asarray(run.spec_names, dtype=object)[self.spec[apps]].tolist()
        lev = np.asarray(LEVELS, dtype=object)[self.level[apps]].tolist()
        records = [ApplicantRecord(a, "", s_, p_, l_) for a, s_, p_, l_ in zip(app_ids, ser, spe, lev)]
        rows_c = np.flatnonzero(conf.any(axis=1))
        cmap = {app_ids[r]: [c.ids[j] for j in np.flatnonzero(conf[r])] for r in rows_c}
        dropped = np.zeros(apps.size, dtype=bool)
        row_of = {a: r for r, a in enumerate(app_ids)}
        requested = plan.spec.panels
        seed = _child(run.ss, _PANELS, self.y, c.index)
        for attempt in range(4):
            live = [r for r in records if not dropped[row_of[r.id]]]
            try:
                pa = assign_panels(c.draw, live, cmap, self.rules, panels=requested, seed=seed)  # type: ignore[arg-type]
                break
            except DrawError as exc:
                if requested is not None and any(d.article == 20 and d.subject == "panels" for d in exc.diagnoses):
                    raise self.sc.error(f"committee {plan.id}: {exc}", *plan.path, "panels") from None
                if requested is not None:
                    requested = None  # the conflicts need another number of panels: let the draw choose
                    continue
                stuck = [d.subject for d in exc.diagnoses if d.subject in row_of]
                if not stuck or attempt == 3:
                    raise self.sc.error(f"committee {plan.id}: panels cannot be formed: {exc}", *plan.path) from None
                for a in stuck:
                    dropped[row_of[a]] = True
        panel_of = np.full(apps.size, -1, dtype=np.int64)
        for p_i, p in enumerate(pa.panels):
            for a in p.applicants:
                panel_of[row_of[a]] = p_i
        for o in pa.out_of_scope:  # never, by routing; kept honest
            dropped[row_of[o.applicant]] = True
        return pa.panels, panel_of, dropped

    def _excuse_if_multiple(self, present: np.ndarray, c: _Committee, rng: np.random.Generator) -> None:
        """Where present_not_multiple_of is set, one member leaves if that keeps the quorum."""
        k = self.rules.present_not_multiple_of
        n = int(present.sum())
        if k is None or n == 0 or n % k or not quorum_met(n - 1, len(c.ids), self.rules):
            return
        cand = [j for j in np.flatnonzero(present) if j != c.chair and j not in c.vice]
        if cand:
            present[cand[int(rng.integers(len(cand)))]] = False

    def _presiding(self, present: np.ndarray, c: _Committee) -> str | None:
        """The chair if present, else the first vice-chair present (Art. 22)."""
        if "chair" in self.rules.presiding_roles and present[c.chair]:
            return c.ids[c.chair]
        if "vice_chair" in self.rules.presiding_roles:
            for j in c.vice:
                if present[j]:
                    return c.ids[j]
        return None

    def _vote(self, c: _Committee, apps: np.ndarray, keep: np.ndarray, present: np.ndarray, conf: np.ndarray,
              ctx: ReviewContext, rng: np.random.Generator, day: int, mid: str, attempt: int, n_panels: int,
              late: int, date: dt.date, present_ids: list[str], presided: str | None, panels: Any,
              support: np.ndarray, app_ids: list[str]) -> None:
        """One round of votes on every applicant of the meeting (Art. 23, 29), one matrix."""
        rules, size = self.rules, len(c.ids)
        cols = np.flatnonzero(present)
        m = cols.size
        conf_p = conf[:, cols]
        recused = conf_p.sum(axis=1)
        vctx = dataclasses.replace(ctx, stringency=ctx.stringency[cols])
        votes = np.asarray(self.run_.behaviour.yes_votes(vctx, rng), dtype=bool) & ~conf_p
        yes = votes.sum(axis=1)
        votable = keep.copy()
        if rules.quorum_after_recusal:
            votable &= quorum_met(m - recused, size, rules)
        ok = passes(yes, m, rules, recused=recused, members=size) & votable
        rows = apps[votable]
        self.yes[rows], self.present[rows], self.recused[rows] = yes[votable], m, recused[votable]
        self.vote[rows] = ok[votable].astype(np.int64)
        self.vote_day[apps[keep]] = day
        skipped = apps[keep & ~votable]
        self.outcome[skipped] = _O["not_reviewed"]
        self.result_day[skipped] = day
        self._meeting_row(mid, c, day, size, present, True, True, True, int(votable.sum()), int(ok.sum()),
                          int(recused[keep].sum()), attempt, n_panels, late)
        if self.run_.keep:
            ballots = []
            for r in np.flatnonzero(votable):
                ballots.append({
                    "applicant": app_ids[r],
                    "applicant_series": self.run_.series_names[int(self.series[apps[r]])],
                    "applicant_level": LEVELS[int(self.level[apps[r]])],
                    "round": 1,
                    "votes": {c.ids[j]: ("yes" if votes[r, q] else "no")
                              for q, j in enumerate(cols) if not conf_p[r, q]},
                    "declared_result": "pass" if ok[r] else "fail",
                })
            self.run_.records.append(self._record(c, date, present_ids, presided, panels, support, app_ids, conf,
                                                  keep, ballots, f"{int(votable.sum())} applicants discussed with "
                                                  "their panel opinions and employer recommendations; one round of votes"))

    def _meeting_row(self, mid: str, c: _Committee, day: int, size: int, present: np.ndarray, held: bool,
                     quorum: bool, presided: bool, n_apps: int, n_passed: int, recusals: int, attempt: int,
                     n_panels: int, late: int) -> None:
        p = c.plan
        self.run_.meeting_rows.append((
            self.y, mid, p.id, p.series, p.specialty or "", p.level, day, size, int(present.sum()), quorum,
            n_apps, n_passed, recusals, attempt, not held, presided, n_panels, late))

    def _record(self, c: _Committee, date: dt.date, present_ids: list[str], presided: str | None, panels: Any,
                support: np.ndarray, app_ids: list[str], conf: np.ndarray, keep: np.ndarray,
                ballots: list[dict[str, Any]] | None, remarks: str) -> dict[str, Any]:
        """A sealed ``zcsim.meeting/1`` record of one sitting (Art. 27); ids are synthetic."""
        from zcsim.records import seal_record

        row_of = {a: r for r, a in enumerate(app_ids)}
        p = c.plan
        recusals = [{"expert": c.ids[j], "applicant": app_ids[r]}
                    for r, j in zip(*np.nonzero(conf)) if keep[r]]
        if ballots:  # 评审情况 (Art. 27): how the review went
            passed = sum(b.get("declared_result") == "pass" for b in ballots)
            summary = (f"{len(ballots)} applicants reviewed in one round of votes (Art. 23); {passed} passed, "
                       f"{len(ballots) - passed} failed; {len(recusals)} recusals (Art. 29)")
        else:
            summary = f"no vote at this sitting: {remarks}"
        committee: dict[str, Any] = {"id": p.id, "series": p.series, "specialty": p.specialty, "level": p.level,
                                     "size_adjustment_filed": p.spec.size_adjustment_filed,
                                     "members": [{"id": e, "role": c.roles[e]} for e in c.ids]}
        if p.spec.size_adjustment_filed:  # the drawn size is the filed one (Art. 9)
            committee["filed_size"] = len(c.ids)
        return seal_record({
            "format": RECORD_FORMAT,
            "rules": self.rules.name,
            "agency": {"id": self.sc.agencies[c.agency].id, "filed_on": c.filed_on.isoformat(),  # type: ignore[union-attr]
                       "filing_valid_until": c.valid_until.isoformat()},  # type: ignore[union-attr]
            "committee": committee,
            "panels": [{"id": q.id, "experts": list(q.experts), "applicants": list(q.applicants),
                        "opinions": {a: ("support" if support[row_of[a]] else "oppose") for a in q.applicants}}
                       for q in panels],
            "meeting": {"date": date.isoformat(), "presided_by": presided, "present": present_ids,
                        "signed_minutes": list(present_ids), "rounds": 1 if ballots is not None else 0,
                        "remarks_summary": remarks, "review_summary": summary},
            "recusals": recusals,
            "ballots": ballots or [],
        })

    # -- acceptance, publicity, fraud (Art. 24–26, 36–37, 41) --------------------------------------
    def _after_meetings(self) -> None:
        run, sc, eng = self.run_, self.sc, self.engine
        rng = _rng(run.ss, _RESULTS, self.y)
        n = self.n
        if n == 0:
            return
        failed = self.vote == 0
        self.outcome[failed] = _O["failed"]
        self.result_day[failed] = self.vote_day[failed]
        passed = np.flatnonzero(self.vote == 1)
        acc_day = self.vote_day + sc.results.acceptance_working_days
        ok = np.ones(n, dtype=bool)
        comm = run.committees
        sn = run.series_names
        quota_rank = np.zeros(n, dtype=np.int64)
        quota = np.full(n, -1, dtype=np.int64)
        if sc.post_quotas is not None and passed.size:
            pq = sc.post_quotas
            pi = self.ekind == run.pi_kind
            group = np.where(pi, self.unit * len(LEVELS) + self.level, -1)
            n_groups = pq.units * len(LEVELS)
            applicants_in = np.bincount(group[pi], minlength=n_groups).astype(float)
            ratio = np.array([pq.ratio.get(lv, 1.0) for lv in LEVELS])  # type: ignore[call-overload]
            raw = ratio[np.arange(n_groups) % len(LEVELS)] * applicants_in
            quotas = np.floor(raw + rng.random(n_groups)).astype(np.int64)
            cand = passed[pi[passed]]
            share = self.yes[cand] / np.maximum(self.present[cand], 1)
            order = np.lexsort((rng.random(cand.size), -share, group[cand]))
            cand = cand[order]
            g = group[cand]
            starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
            rank = np.arange(cand.size) - np.repeat(starts, np.diff(np.r_[starts, cand.size]))
            quota_rank[cand] = rank + 1
            quota[cand] = quotas[g]
        for i in passed:
            cp = comm[int(self.committee[i])].plan
            q = int(quota[i])
            ok[i] = eng.accepted(cp.series, cp.level, sn[int(self.series[i])], LEVELS[int(self.level[i])],
                                 q if q >= 0 else None, int(quota_rank[i]))
        over = np.zeros(n, dtype=bool)
        over[passed] = ~ok[passed]
        self.outcome[over] = _O["over_quota"]
        self.result_day[over] = acc_day[over]
        pub = np.zeros(n, dtype=bool)
        pub[passed] = ok[passed]
        # result publicity (Art. 25): complaints, re-examination (Art. 25–26), confirmation
        R = eng.numbers.result_publicity_days
        pub_end = acc_day + R  # posted the working day after acceptance, R working days long
        fr = sc.population.fraud
        p_complaint = np.where(self.fraud, fr.complaint_probability, sc.population.complaint_rate)
        complaint = pub & (rng.random(n) < p_complaint)
        verified = complaint & self.fraud & (rng.random(n) < fr.detection_in_reexamination)
        run.counts["complaints"] += float(complaint.sum())
        re_end = pub_end + sc.results.reexamination_working_days
        table = np.array([[eng.confirmed(a, b) for b in (False, True)] for a in (False, True)])
        confirmed = table[complaint.astype(np.int64), verified.astype(np.int64)]
        disq = pub & ~confirmed
        self.outcome[disq] = _O["disqualified"]
        self.result_day[disq] = re_end[disq]
        self.fraud_caught[disq & self.fraud] = True
        self.found_day[disq & self.fraud] = re_end[disq & self.fraud]
        good = pub & confirmed
        day_ok = np.where(complaint, np.maximum(pub_end, re_end), pub_end)
        self.outcome[good] = _O["passed"]
        self.result_day[good] = day_ok[good]
        # look-back inspections (Art. 36–37): a title obtained by fraud is revoked (Art. 41)
        look = good & self.fraud & (rng.random(n) < fr.lookback_detection)
        self.outcome[look] = _O["revoked"]
        self.fraud_caught[look] = True
        self.found_day[look] = day_ok[look] + fr.lookback_working_days
        if (self.outcome < 0).any():  # pragma: no cover - an invariant
            raise RuntimeError(f"zcsim bug: {int((self.outcome < 0).sum())} applications without an outcome")

    # -- tables -----------------------------------------------------------------------------
    def _collect(self) -> None:
        run, n = self.run_, self.n
        sn = np.asarray(run.series_names, dtype=object)
        spn = np.asarray(run.spec_names, dtype=object)
        cids = np.asarray([c.plan.id for c in run.committees] + [""], dtype=object)
        wd = np.where(self.result_day >= 0, self.result_day - self.applied_day, -1)
        table = {
            "year": np.full(n, self.y, dtype=np.int32),
            "applicant": np.array([f"A{int(p) + 1:07d}" for p in self.cohort], dtype=object).astype(str)
            if n else np.zeros(0, dtype=str),
            "series": sn[self.series].astype(str) if n else np.zeros(0, dtype=str),
            "specialty": spn[self.spec].astype(str) if n else np.zeros(0, dtype=str),
            "level": np.asarray(LEVELS)[self.level] if n else np.zeros(0, dtype=str),
            "employer_kind": np.asarray(EMPLOYER_KINDS)[self.ekind] if n else np.zeros(0, dtype=str),
            "outcome": np.asarray(OUTCOMES)[self.outcome] if n else np.zeros(0, dtype=str),
            "applied_day": self.applied_day.astype(np.int32),
            "result_day": self.result_day.astype(np.int32),
            "working_days": wd.astype(np.int32),
            "yes": self.yes.astype(np.int32),
            "present": self.present.astype(np.int32),
            "recused": self.recused.astype(np.int32),
            "fraud": self.fraud.copy(),
            "fraud_caught": self.fraud_caught.copy(),
            "correction_notice": self.notice.copy(),
            "committee": cids[self.committee].astype(str) if n else np.zeros(0, dtype=str),
            "meeting_day": self.vote_day.astype(np.int32),
            "exceptional": self.exceptional.copy(),
            "vetting_wait": self.wait.copy(),
        }
        run.app_tables.append(table)
        if self.n:
            self.wait = np.asarray(self.hot.wait, dtype=float) if hasattr(self, "hot") else self.wait
        run.waits.append(self.wait[self.wait >= 0])
        run.expert_loads.append(self.load[self.load > 0])
        busy, avail = self.desk.utilisation()
        run.counts["busy"] += busy
        run.counts["available"] += avail

    # -- between years ------------------------------------------------------------------------
    def _next_year(self) -> None:
        run, sc, P, c, y = self.run_, self.sc, self.run_.persons, self.cohort, self.y
        my = sc.multi_year
        P.years_bj[:] += 1.0  # everyone keeps working a year
        if y >= sc.simulation.years or self.n == 0:
            return
        rng = _rng(run.ss, _NEXT, y)
        n = self.n
        out = self.outcome
        again = rng.random(n) < my.reapply_probability
        nxt = np.full(n, -1, dtype=np.int64)
        # passed: the title is held; one level up after years_before_next_level, if a committee exists
        won = out == _O["passed"]
        P.held[c[won]] = self.level[won]
        up = won & (self.level < len(LEVELS) - 1) & (rng.random(n) < my.next_level_probability)
        nxt[up] = y + my.years_before_next_level
        P.target[c[up]] = self.level[up] + 1
        # fraud found: blacklisted from the day it was found (Art. 41)
        caught = np.flatnonzero(self.fraud_caught)
        for i in caught:
            P.blacklisted_ord[c[i]] = self.days.date_clamped(int(self.found_day[i])).toordinal()
        retry = np.isin(out, _FAILURES) | (out == _O["blacklisted"]) | np.isin(out, [_O["disqualified"], _O["revoked"]])
        nxt[retry & again] = y + 1
        # ineligible: the retired never again; others fix what they can (level by level) and retry
        inel = (out == _O["ineligible"]) & ~P.retired[c] & again
        nxt[inel] = y + 1
        fix = inel & (self.level > P.held[c].astype(np.int64) + 1)
        P.target[c[fix]] = P.held[c[fix]] + 1
        # no committee for the new target: the person leaves the simulated population
        for r in np.flatnonzero(nxt >= 0):
            p = c[r]
            if run.route(int(P.series[p]), int(P.specialty[p]), int(P.target[p])) < 0:
                nxt[r] = -1
        P.next_year[c] = np.where(nxt >= 0, nxt, -1)
