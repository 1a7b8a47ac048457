"""How often each expert is drawn: repeated draws, exact probabilities, and the legacy method.

:func:`selection_frequencies` makes ``repeat`` independent committee draws exactly as
:func:`~zcsim.draw.draw_committee` makes them (replication ``i`` is the committee of
``draw_committee(..., seed=SeedSequence(seed).spawn(repeat)[i])``), counts how often each
eligible expert is drawn, and sets the frequencies beside

- the exact inclusion probabilities of the uniform quota draw (from its dynamic programme; under
  the default ``min_share_scope = pool`` there is no quota and every eligible expert's probability
  is ``size / eligible``), and
- the frequencies of the greedy "legacy" quota method that sortition practitioners use
  (:func:`~zcsim.draw.legacy_sample`), run ``repeat`` times on seeds ``spawn(2 * repeat)[repeat:]``.

Both methods meet the same quotas; they differ in *which* experts bear the selection: the report
gives, per expert type (combination of Art. 10 categories) and per method, the probability, and
per method the spread (min, max, std) of the experts' probabilities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from zcsim.draw._committee import CATEGORY_NAMES, _prepare
from zcsim.draw._errors import DrawError
from zcsim.draw._pool import CATEGORIES, ExpertRecord, Pool
from zcsim.draw._quota import legacy_sample, type_label, type_mask
from zcsim.draw._seed import Seed, child, generator, seed_json, seed_sequence
from zcsim.law import RuleSet

__all__ = ["selection_frequencies", "FrequencyReport", "TypeFrequency", "MethodSpread", "MAX_REPEAT"]


@dataclass(frozen=True, slots=True)
class TypeFrequency:
    """Selection probability of the experts of one type (a combination of Art. 10 categories).

    ``exact`` is the uniform quota draw's inclusion probability, ``empirical`` the mean frequency
    of the type's experts over the repeated draws, ``legacy`` the same under the legacy method.
    """

    label: str
    categories: tuple[str, ...]
    pool: int
    exact: float
    empirical: float
    legacy: float | None

    def as_json(self) -> dict[str, Any]:
        return {"type": self.label, "categories": list(self.categories), "pool": self.pool, "exact": self.exact,
                "empirical": self.empirical, "legacy": self.legacy}


@dataclass(frozen=True, slots=True)
class MethodSpread:
    """Spread of the eligible experts' selection probabilities under one method."""

    method: str
    min: float
    max: float
    mean: float
    std: float
    favoured: str
    least_favoured: str

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "min": self.min, "max": self.max, "mean": self.mean, "std": self.std,
                "favoured": self.favoured, "least_favoured": self.least_favoured}


@dataclass(frozen=True)
class FrequencyReport:
    """The outcome of :func:`selection_frequencies`.

    Attributes
    ----------
    expert_ids : tuple of str
        The eligible experts, sorted by id; ``counts``, ``legacy_counts`` and ``exact`` follow it.
    counts : tuple of int
        Times each expert was drawn in ``repeat`` uniform quota draws.
    legacy_counts : tuple of int or None
        Times each expert was drawn in ``repeat`` legacy draws (``None`` when not run).
    exact : tuple of float
        Each expert's exact inclusion probability under the uniform quota draw.
    legacy_failures : int
        Legacy draws that hit ``max_retries`` dead ends and produced no committee.
    summary : tuple of str
        Sentences saying which experts each method favours.
    """

    series: str
    level: str
    specialty: str | None
    size: int
    need: dict[str, int]
    repeat: int
    seed: Any
    expert_ids: tuple[str, ...]
    counts: tuple[int, ...]
    legacy_counts: tuple[int, ...] | None
    exact: tuple[float, ...]
    types: tuple[TypeFrequency, ...]
    spreads: tuple[MethodSpread, ...]
    legacy_failures: int
    summary: tuple[str, ...]

    @property
    def eligible(self) -> int:
        return len(self.expert_ids)

    def frequency(self, expert_id: str) -> float:
        """Share of the uniform quota draws that included ``expert_id``."""
        return self.counts[self.expert_ids.index(expert_id)] / self.repeat

    def as_json(self) -> dict[str, Any]:
        return {
            "series": self.series, "specialty": self.specialty, "level": self.level, "size": self.size,
            "need": self.need, "repeat": self.repeat, "seed": self.seed, "eligible": self.eligible,
            "types": [t.as_json() for t in self.types],
            "spreads": [s.as_json() for s in self.spreads],
            "legacy_failures": self.legacy_failures,
            "summary": list(self.summary),
            "experts": [{"id": e, "count": c, "exact": p, **({"legacy_count": lc} if self.legacy_counts else {})}
                        for e, c, p, lc in zip(self.expert_ids, self.counts, self.exact,
                                               self.legacy_counts or [None] * len(self.counts))],
        }


MAX_REPEAT = 100_000
"""Most draws :func:`selection_frequencies` makes per method (each takes about a millisecond; the
frequencies' error is then below 0.3 percentage points)."""


def selection_frequencies(
    pool: Pool | Iterable[ExpertRecord],
    rules: RuleSet,
    *,
    series: str,
    level: str,
    specialty: str | None = None,
    size: int | None = None,
    repeat: int,
    seed: Seed,
    size_adjustment_filed: bool = False,
    legacy: bool = True,
    legacy_max_retries: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> FrequencyReport:
    """Draw the committee ``repeat`` times and report each expert's selection frequency.

    Parameters
    ----------
    pool, rules, series, level, specialty, size, size_adjustment_filed
        As for :func:`~zcsim.draw.draw_committee`.
    repeat : int
        Number of independent draws per method, 1 to :data:`MAX_REPEAT`.
    seed : int or numpy.random.SeedSequence
    legacy : bool
        Also run the legacy greedy method for comparison.
    legacy_max_retries : int
        Dead ends after which one legacy draw gives up.
    progress : callable(done, total), optional
        Called as draws complete (the CLI shows a progress bar with it).

    Examples
    --------
    >>> from zcsim import load_rules
    >>> from zcsim.draw import ExpertRecord
    >>> pool = [ExpertRecord(f"E{i}", "O", "s", "x", "senior", young=i < 4) for i in range(20)]
    >>> quota = load_rules(overrides=["pool_min_share_young=3/11", "min_share_scope=committee"])
    >>> rep = selection_frequencies(pool, quota, series="s", specialty="x", level="senior", repeat=200, seed=1)
    >>> [(t.label, t.pool, round(t.exact, 3)) for t in rep.types]
    [('(none)', 16, 0.489), ('young', 4, 0.795)]
    >>> rep = selection_frequencies(pool, load_rules(overrides=["pool_min_share_young=3/11"]),  # scope pool
    ...                             series="s", specialty="x", level="senior", repeat=200, seed=1)
    >>> [(t.label, t.pool, t.exact) for t in rep.types]   # no quota: 11/20 for everyone
    [('(none)', 16, 0.55), ('young', 4, 0.55)]
    """
    if repeat < 1 or repeat > MAX_REPEAT:
        raise DrawError(f"repeat must be at least 1 and at most {MAX_REPEAT:,} (MAX_REPEAT), got {repeat}", article=7)
    model, _ = _prepare(pool, rules, series=series, level=level, specialty=specialty, size=size,
                        vice_chairs=None, size_adjustment_filed=size_adjustment_filed)
    experts = model.experts
    index = {e.id: i for i, e in enumerate(experts)}
    m = len(experts)
    root = seed_sequence(seed)
    total = repeat * (2 if legacy else 1)
    step = max(1, total // 100)
    counts = np.zeros(m, dtype=np.int64)
    for i in range(repeat):
        for e in model.sample(generator(child(child(root, i), 0))):
            counts[index[e.id]] += 1
        if progress is not None and (i + 1) % step == 0:
            progress(i + 1, total)
    legacy_counts: np.ndarray | None = None
    failures = 0
    if legacy:
        flags = np.array([[getattr(e, c) for c in model.categories] for e in experts], dtype=bool).reshape(m, -1)
        legacy_counts = np.zeros(m, dtype=np.int64)
        for i in range(repeat):
            picked = legacy_sample(flags, model.size, model.need, generator(child(root, repeat + i)),
                                   max_retries=legacy_max_retries)
            if picked is None:
                failures += 1
            else:
                legacy_counts[picked] += 1
            if progress is not None and (repeat + i + 1) % step == 0:
                progress(repeat + i + 1, total)
    if progress is not None:
        progress(total, total)
    exact_by_id = model.expert_probabilities()
    exact = np.array([float(exact_by_id[e.id]) for e in experts])
    emp = counts / repeat
    leg = legacy_counts / max(repeat - failures, 1) if legacy_counts is not None else None
    masks = np.array([type_mask(e) for e in experts], dtype=np.int64)
    types = []
    for t in sorted(set(masks.tolist())):
        sel = masks == t
        types.append(TypeFrequency(
            label=type_label(t), categories=tuple(c for i, c in enumerate(CATEGORIES) if t >> i & 1),
            pool=int(sel.sum()), exact=float(exact[sel].mean()), empirical=float(emp[sel].mean()),
            legacy=float(leg[sel].mean()) if leg is not None else None))
    spreads = [_spread("uniform quota draw (exact)", exact, masks),
               _spread(f"uniform quota draw ({repeat} draws)", emp, masks)]
    if leg is not None:
        spreads.append(_spread(f"legacy greedy ({repeat - failures} draws)", leg, masks))
    summary = _summary(model.size, m, model.categories, experts, exact, leg, failures)
    return FrequencyReport(
        series=series, level=level, specialty=specialty, size=model.size, need=dict(model.need_by_category),
        repeat=repeat, seed=seed_json(seed), expert_ids=tuple(e.id for e in experts),
        counts=tuple(int(c) for c in counts),
        legacy_counts=tuple(int(c) for c in legacy_counts) if legacy_counts is not None else None,
        exact=tuple(float(x) for x in exact), types=tuple(types), spreads=tuple(spreads),
        legacy_failures=failures, summary=tuple(summary))


def _spread(method: str, p: np.ndarray, masks: np.ndarray) -> MethodSpread:
    by_type = {t: round(float(p[masks == t].mean()), 12) for t in set(masks.tolist())}
    hi = max(by_type, key=lambda t: (by_type[t], -t))
    lo = min(by_type, key=lambda t: (by_type[t], t))
    return MethodSpread(method, float(p.min()), float(p.max()), float(p.mean()), float(p.std()),
                        type_label(hi), type_label(lo))


def _p(x: float) -> str:
    """A probability with three significant digits: ``0.42``, ``0.0104``."""
    return f"{x:.3g}"


def _summary(size: int, m: int, categories: tuple[str, ...], experts: tuple[ExpertRecord, ...],
             exact: np.ndarray, leg: np.ndarray | None, failures: int) -> list[str]:
    if not categories:
        line = (f"no quotas: every eligible expert is drawn with probability {size}/{m} = {_p(size / m)} "
                "by the uniform draw")
        if leg is not None:
            line += f" (legacy: {_p(leg.mean())} on average, from {_p(leg.min())} to {_p(leg.max())})"
        return [line]
    out = []
    for c in categories:
        has = np.array([getattr(e, c) for e in experts], dtype=bool)
        name = CATEGORY_NAMES[c]
        if has.all() or not has.any():
            continue
        line = (f"with quotas, {name} experts are drawn with probability {_p(exact[has].mean())} vs "
                f"{_p(exact[~has].mean())} for others (uniform draw, exact)")
        if leg is not None:
            line += f"; legacy: {_p(leg[has].mean())} vs {_p(leg[~has].mean())}"
        out.append(line)
    if leg is not None:
        out.append(f"spread of the experts' probabilities (std): uniform {exact.std():.4f}, legacy {leg.std():.4f}")
    if failures:
        out.append(f"the legacy method gave up on {failures} draw(s) after repeated dead ends")
    return out
