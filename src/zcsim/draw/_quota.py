"""Quota sampling: a committee drawn uniformly among all committees that meet the Art. 10 shares.

A committee of ``size`` experts is *valid* when, for each category ``c`` (grassroots, central,
non-public, young), it holds at least ``need[c]`` experts of that category. Experts are grouped
by the categories that carry a quota (at most 16 groups); experts of one group are
interchangeable for validity, so the number of valid committees is a sum over group counts
``n_g`` of ``prod C(m_g, n_g)``. A backward dynamic programme over the groups, with state
(experts chosen so far, per-category counts capped at the need), counts the valid committees
(in log space, or exactly with Python integers), samples group counts with the right
probabilities, and gives each expert's exact inclusion probability ``E[n_g] / m_g``.

Examples
--------
>>> from zcsim.draw import ExpertRecord
>>> pool = [ExpertRecord(f"E{i}", "O", "s", "", "senior", young=i < 3) for i in range(8)]
>>> m = QuotaModel(pool, 3, {"young": 2})
>>> m.count_exact()      # C(3,2)·C(5,1) + C(3,3)
16
>>> {g: str(p) for g, p in m.inclusion_probabilities(exact=True).items()}
{0: '3/16', 1: '11/16'}
"""

from __future__ import annotations

import functools
import math
import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from zcsim.draw._pool import CATEGORIES, ExpertRecord

__all__ = ["QuotaModel", "Group", "MAX_STATES", "legacy_sample", "type_label", "type_mask"]

MAX_STATES = 2_000_000
"""Largest DP table (committee size + 1 times the product of (need + 1)) the sampler builds."""

_INF = np.iinfo(np.int64).max // 4


def type_mask(e: ExpertRecord, categories: Sequence[str] = CATEGORIES) -> int:
    """Bit ``i`` set when the expert belongs to ``categories[i]``."""
    return sum(1 << i for i, c in enumerate(categories) if getattr(e, c))


def type_label(mask: int, categories: Sequence[str] = CATEGORIES) -> str:
    """``"grassroots+young"`` for a mask over ``categories``; ``"(none)"`` for no category.

    >>> type_label(0b1001)
    'grassroots+young'
    """
    names = [c for i, c in enumerate(categories) if mask >> i & 1]
    return "+".join(names) if names else "(none)"


@functools.cache
def _lcomb(m: int, n: int) -> float:
    return math.lgamma(m + 1) - math.lgamma(n + 1) - math.lgamma(m - n + 1)


@functools.lru_cache(maxsize=4096)
def _lcomb_arr(m: int) -> np.ndarray:
    """``log C(m, n)`` for ``n = 0 … m`` (read-only)."""
    n = np.arange(m + 1, dtype=float)
    out = math.lgamma(m + 1) - np.array([math.lgamma(x + 1) for x in n]) - np.array([math.lgamma(m - x + 1) for x in n])
    out.setflags(write=False)
    return out


def _cap_shift(v: np.ndarray, axis: int, n: int, ni: int, *, exact: bool) -> np.ndarray:
    """Scatter along ``axis``: ``out[k'] = Σ {v[k] : min(k + n, ni) = k'}`` (log-sum in log space)."""
    out = np.full(v.shape, 0 if exact else -np.inf, dtype=v.dtype)
    dst: list[Any] = [slice(None)] * v.ndim
    src: list[Any] = [slice(None)] * v.ndim
    if n < ni:
        dst[axis], src[axis] = slice(n, ni), slice(0, ni - n)
        out[tuple(dst)] = v[tuple(src)]
    src[axis] = slice(max(ni - n, 0), ni + 1)
    dst[axis] = ni
    tail = v[tuple(src)]
    out[tuple(dst)] = tail.sum(axis=axis) if exact else np.logaddexp.reduce(tail, axis=axis)
    return out


@dataclass(frozen=True, slots=True)
class Group:
    """Experts with the same quota categories (``mask`` over :attr:`QuotaModel.categories`)."""

    mask: int
    experts: tuple[ExpertRecord, ...]

    @property
    def m(self) -> int:
        return len(self.experts)


class QuotaModel:
    """The valid committees of one size from one set of eligible experts.

    Parameters
    ----------
    experts : sequence of ExpertRecord
        The eligible experts; they are sorted by id, so the draw does not depend on file order.
    size : int
        Committee size.
    need : mapping of category to int
        Minimum number of experts of each category (missing categories: 0).
    """

    def __init__(self, experts: Sequence[ExpertRecord], size: int, need: Mapping[str, int]):
        self.experts: tuple[ExpertRecord, ...] = tuple(sorted(experts, key=lambda e: e.id))
        self.size = int(size)
        self.need_by_category: dict[str, int] = {c: int(need.get(c, 0)) for c in CATEGORIES}
        self.categories: tuple[str, ...] = tuple(c for c in CATEGORIES if self.need_by_category[c] > 0)
        self.need: tuple[int, ...] = tuple(self.need_by_category[c] for c in self.categories)
        # each expert's category flags in one C-level call; masks and counts from them
        flags = list(map(operator.attrgetter(*CATEGORIES), self.experts))
        bit = [1 << self.categories.index(c) if c in self.categories else 0 for c in CATEGORIES]
        mask_of: dict[tuple[Any, ...], int] = {}
        by_mask: dict[int, list[ExpertRecord]] = {}
        for e, f in zip(self.experts, flags):
            mask = mask_of.get(f)
            if mask is None:
                mask = mask_of[f] = sum(b for b, v in zip(bit, f) if v)  # = type_mask(e, self.categories)
            group = by_mask.get(mask)
            if group is None:
                by_mask[mask] = [e]
            else:
                group.append(e)
        self._available = {c: sum(n for f, n in Counter(flags).items() if f[i]) for i, c in enumerate(CATEGORIES)}
        self.groups: tuple[Group, ...] = tuple(Group(k, tuple(v)) for k, v in sorted(by_mask.items()))
        self.shape: tuple[int, ...] = (self.size + 1, *(n + 1 for n in self.need))
        self._log_tables: list[np.ndarray] | None = None

    # ------------------------------------------------------------------------------------------
    @property
    def states(self) -> int:
        """Number of DP states per table."""
        return math.prod(self.shape)

    def available(self, category: str) -> int:
        """Eligible experts of ``category``."""
        n = self._available.get(category)
        return n if n is not None else sum(1 for e in self.experts if getattr(e, category))

    # ------------------------------------------------------------------------------------------
    def _backward(self, groups: Sequence[Group], *, exact: bool) -> list[np.ndarray]:
        """``tables[g][c, k…]``: (log) number of ways to complete a valid committee with groups
        ``g…`` from ``c`` chosen so far and capped category counts ``k``."""
        size, need, shape = self.size, self.need, self.shape
        dtype: Any = object if exact else float
        zero: Any = 0 if exact else -np.inf
        term = np.full(shape, zero, dtype=dtype)
        term[(size, *need)] = 1 if exact else 0.0
        tables = [term]
        for g in reversed(groups):
            nxt = tables[-1]
            acc = np.full(shape, zero, dtype=dtype)
            for n in range(min(g.m, size) + 1):
                v = nxt[n:]
                if n:
                    for i, ni in enumerate(need):
                        if g.mask >> i & 1:
                            v = np.take(v, np.minimum(np.arange(ni + 1) + n, ni), axis=i + 1)
                part = acc[: size + 1 - n]
                if exact:
                    part += v * math.comb(g.m, n)
                else:
                    np.logaddexp(part, v + _lcomb(g.m, n), out=part)
            tables.append(acc)
        tables.reverse()
        return tables

    def _tables(self) -> list[np.ndarray]:
        if self._log_tables is None:
            self._log_tables = self._backward(self.groups, exact=False)
        return self._log_tables

    def log_count(self) -> float:
        """Natural log of the number of valid committees (``-inf`` when there is none)."""
        return float(self._tables()[0][(0,) * len(self.shape)])

    def count_exact(self) -> int:
        """The number of valid committees, exactly (Python integers; for small pools and tests)."""
        return int(self._backward(self.groups, exact=True)[0][(0,) * len(self.shape)])

    def feasible(self) -> bool:
        """Whether at least one valid committee exists (exact, from the min-seats table)."""
        return self.size <= len(self.experts) and self.min_seats() <= self.size

    # ------------------------------------------------------------------------------------------
    def sample_counts(self, rng: np.random.Generator) -> list[int]:
        """Group counts ``n_g`` of one committee drawn uniformly among the valid ones."""
        tables = self._tables()
        c, k = 0, [0] * len(self.need)
        counts = []
        for gi, g in enumerate(self.groups):
            nxt = tables[gi + 1]
            hi = min(g.m, self.size - c)
            ns = np.arange(hi + 1)
            idx = (c + ns, *(np.minimum(k[i] + ns * (g.mask >> i & 1), ni) for i, ni in enumerate(self.need)))
            w = nxt[idx] + _lcomb_arr(g.m)[: hi + 1]
            top = w.max()
            if not np.isfinite(top):  # pragma: no cover - guarded by feasible()
                raise RuntimeError("sampling from an infeasible quota model")
            cum = np.cumsum(np.exp(w - top))
            n = min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), hi)
            counts.append(n)
            c += n
            k = [min(k[i] + n * (g.mask >> i & 1), ni) for i, ni in enumerate(self.need)]
        return counts

    def sample(self, rng: np.random.Generator) -> list[ExpertRecord]:
        """One committee, uniformly among all valid committees (experts sorted by id)."""
        out: list[ExpertRecord] = []
        for g, n in zip(self.groups, self.sample_counts(rng)):
            if n:
                picks = rng.choice(g.m, size=n, replace=False)
                out.extend(g.experts[int(i)] for i in np.sort(picks))
        return sorted(out, key=lambda e: e.id)

    # ------------------------------------------------------------------------------------------
    def _forward(self, *, exact: bool) -> list[np.ndarray]:
        """``tables[g][c, k…]``: (log) number of ways to choose ``c`` experts from groups ``< g``
        with capped category counts exactly ``k`` (the scatter twin of :meth:`_backward`)."""
        size, need, shape = self.size, self.need, self.shape
        dtype: Any = object if exact else float
        zero: Any = 0 if exact else -np.inf
        start = np.full(shape, zero, dtype=dtype)
        start[(0,) * len(shape)] = 1 if exact else 0.0
        tables = [start]
        for g in self.groups:
            prev = tables[-1]
            acc = np.full(shape, zero, dtype=dtype)
            for n in range(min(g.m, size) + 1):
                v = prev[: size + 1 - n]
                if n:
                    for i, ni in enumerate(need):
                        if g.mask >> i & 1:
                            v = _cap_shift(v, i + 1, n, ni, exact=exact)
                part = acc[n:]
                if exact:
                    part += v * math.comb(g.m, n)
                else:
                    np.logaddexp(part, v + _lcomb(g.m, n), out=part)
            tables.append(acc)
        return tables

    def count_distribution(self, *, exact: bool = False) -> list[np.ndarray]:
        """For each group, the distribution of ``n_g`` (how many of its experts sit on a committee
        drawn uniformly among the valid ones): ``dist[g][n] = P(n_g = n)``.

        With ``exact=True`` the entries are :class:`~fractions.Fraction` (integer arithmetic).
        """
        fwd = self._forward(exact=exact)
        bwd = self._backward(self.groups, exact=exact) if exact else self._tables()
        total = bwd[0][(0,) * len(self.shape)]
        size, need = self.size, self.need
        out = []
        for gi, g in enumerate(self.groups):
            f, nxt = fwd[gi], bwd[gi + 1]
            probs: list[Any] = []
            for n in range(min(g.m, size) + 1):
                v = nxt[n:]
                if n:
                    for i, ni in enumerate(need):
                        if g.mask >> i & 1:
                            v = np.take(v, np.minimum(np.arange(ni + 1) + n, ni), axis=i + 1)
                joint = f[: size + 1 - n]
                if exact:
                    ways = int((joint * v).sum()) * math.comb(g.m, n)
                    probs.append(Fraction(ways, int(total)) if total else Fraction(0))
                else:
                    s = joint + v
                    top = s.max()
                    lw = top + np.log(np.exp(s - top).sum()) + _lcomb(g.m, n) if np.isfinite(top) else -np.inf
                    probs.append(float(np.exp(lw - total)) if np.isfinite(total) else 0.0)
            out.append(np.array(probs, dtype=object if exact else float))
        return out

    def inclusion_probabilities(self, *, exact: bool = False) -> dict[int, float | Fraction]:
        """Each group's per-expert inclusion probability ``E[n_g] / m_g`` under uniform sampling.

        With ``exact=True`` the values are :class:`~fractions.Fraction` (integer arithmetic; use on
        small pools). Keys are group masks over :attr:`categories`.
        """
        out: dict[int, float | Fraction] = {}
        for g, dist in zip(self.groups, self.count_distribution(exact=exact)):
            mean = sum(n * p for n, p in enumerate(dist))
            out[g.mask] = (Fraction(mean) / g.m) if exact else float(mean) / g.m
        return out

    def expert_probabilities(self, *, exact: bool = False) -> dict[str, float | Fraction]:
        """Each eligible expert's inclusion probability, keyed by expert id."""
        by_group = self.inclusion_probabilities(exact=exact)
        return {e.id: by_group[g.mask] for g in self.groups for e in g.experts}

    # ------------------------------------------------------------------------------------------
    @functools.cached_property
    def _min_seats_table(self) -> np.ndarray:
        """``R[k]``: fewest experts that take capped counts ``k`` to the needs (min-plus DP)."""
        need = self.need
        shape = tuple(n + 1 for n in need)
        r = np.full(shape, _INF, dtype=np.int64)
        r[tuple(need)] = 0
        top = max(need, default=0)
        for g in reversed(self.groups):
            acc = r.copy()
            for n in range(1, min(g.m, top) + 1):
                v = r
                for i, ni in enumerate(need):
                    if g.mask >> i & 1:
                        v = np.take(v, np.minimum(np.arange(ni + 1) + n, ni), axis=i)
                np.minimum(acc, np.where(v >= _INF, _INF, v + n), out=acc)
            r = acc
        return r

    def min_seats(self, need: Mapping[str, int] | None = None) -> int:
        """Fewest experts of this pool that meet ``need`` (≤ this model's needs; default: its
        own), or a huge number when no set of experts does."""
        if need is None:
            start: tuple[int, ...] = (0,) * len(self.need)
        else:
            for c, v in need.items():
                if v > self.need_by_category.get(c, 0):
                    raise ValueError(f"min_seats: {c} need {v} exceeds the model's {self.need_by_category.get(c, 0)}")
            start = tuple(ni - min(int(need.get(c, 0)), ni) for c, ni in zip(self.categories, self.need))
        return int(self._min_seats_table[start]) if self.need else 0

    def overlap(self, categories: Sequence[str]) -> int:
        """Eligible experts who belong to every category of ``categories``."""
        return sum(1 for e in self.experts if all(getattr(e, c) for c in categories))


# ----------------------------------------------------------------------------------------------
# the reference method of sortition practice
# ----------------------------------------------------------------------------------------------
def legacy_sample(flags: np.ndarray, size: int, need: Sequence[int], rng: np.random.Generator,
                  *, max_retries: int = 100) -> np.ndarray | None:
    """The greedy "legacy" quota draw of sortition practice (Flanigan et al., Nature 2021).

    Repeatedly take the category with the highest ratio of members still needed to members still
    available (ties broken at random), and draw a uniformly random available expert of it; once
    every quota is met, fill the remaining seats uniformly from the available experts. A dead end
    (a quota needing more members than remain, or seats running out) restarts the draw; after
    ``max_retries`` dead ends the draw fails (``None``).

    Parameters
    ----------
    flags : bool array of shape (m, q)
        Category membership of each eligible expert for the ``q`` quota categories.
    size : int
    need : sequence of q ints
    rng : numpy.random.Generator

    Returns
    -------
    int array of the chosen experts' row indices (sorted), or ``None``.
    """
    m = flags.shape[0]
    need_arr = np.asarray(need, dtype=np.int64)
    fl = flags.astype(np.int64)
    members = [np.flatnonzero(flags[:, j]) for j in range(flags.shape[1])]
    total = fl.sum(axis=0)
    for _ in range(max_retries):
        avail = np.ones(m, dtype=bool)
        have = total.copy()
        remaining = need_arr.copy()
        chosen: list[int] = []
        dead = False
        while (remaining > 0).any():
            open_ = remaining > 0
            if len(chosen) >= size or (have[open_] < remaining[open_]).any():
                dead = True
                break
            ratio = np.where(open_, remaining / np.maximum(have, 1), -1.0)
            best = np.flatnonzero(ratio == ratio.max())
            cat = int(best[rng.integers(len(best))]) if len(best) > 1 else int(best[0])
            pool = members[cat]
            while True:  # uniform among the category's available experts, by rejection
                pick = int(pool[rng.integers(len(pool))])
                if avail[pick]:
                    break
            chosen.append(pick)
            avail[pick] = False
            have -= fl[pick]
            remaining -= fl[pick]
        if dead:
            continue
        rest = size - len(chosen)
        if rest:
            cand = np.flatnonzero(avail)
            chosen.extend(int(i) for i in rng.choice(cand, size=rest, replace=False))
        return np.sort(np.asarray(chosen, dtype=np.int64))
    return None
