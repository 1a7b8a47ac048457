"""Sweeps: a grid of scenario variants run on common random numbers into one table.

A sweep varies one or more **keys** over lists of values and runs every combination (a
*variant*) with the same replication seeds, so differences between variants are paired (common
random numbers, as :func:`~zcsim.sim.runner.compare_runs`). A key is one of

* an **alias** acting on every entry (:data:`ALIASES`): ``pool.size`` (scale every expert pool
  so the pools add up to the value), ``panels`` (every committee's panel count),
  ``committee.size`` (every committee's size), ``staff`` (every agency's staff), ``applicants``
  (scale the population's counts to the total, or set ``population.total`` when groups give
  shares);
* a **rule** key, any key ``zcsim rules`` lists (``quorum_ratio``, ``pass_ratio`` …): a rule
  override added to the scenario's ``set``; fractions such as ``3/5`` are kept exact;
* a **scenario path**, dotted with list indices: ``experts.no_show``, ``committees[1].size``,
  ``agencies[0].staff``, ``population.materials.incomplete``.

Every variant is re-validated as a scenario (:func:`~zcsim.sim.scenario.parse_scenario`), so a
bad value is an :class:`~zcsim.errors.InputError` naming the scenario file, the ``--vary`` item
and the field. Values are ``a,b,c`` or an inclusive range ``START..STOP:STEP`` (step 1 by
default; decimal and fraction steps are exact).

Replication ``r`` of every variant uses ``numpy.random.SeedSequence(seed).spawn(n)[r]`` —
the seed a plain ``zcsim simulate`` of that variant would use — whatever the executor and the
number of workers. All variants × replications go through one
:func:`~zcsim.sim.runner.run_replications` call (one process pool, one progress callback);
each job returns only its metrics, not its tables.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import yaml

from zcsim.errors import InputError
from zcsim.law import RuleSet
from zcsim.law._load import canonical_key, parse_ratio
from zcsim.sim._result import METRICS, Replication
from zcsim.sim.runner import Estimate, check_replications, run_replications, summarise_values
from zcsim.sim.scenario import Scenario, expand_committees, parse_scenario

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ALIASES",
    "TABLE_METRICS",
    "SweepResult",
    "Variant",
    "Vary",
    "build_variants",
    "check_jobs",
    "MAX_JOBS",
    "MAX_VARIANTS",
    "parse_values",
    "parse_vary",
    "run_jobs",
    "run_sweep",
]

ALIASES: dict[str, str] = {
    "pool.size": "total experts: every expert pool scaled so the pools add up to the value (largest remainder)",
    "panels": "panels of every committee",
    "committee.size": "size of every committee",
    "staff": "staff of every agency",
    "applicants": "applicants per year: group counts scaled to the total (or population.total when groups give shares)",
}
"""Keys acting on every entry of a list, with what they do."""

TABLE_METRICS: tuple[str, ...] = METRICS + ("meeting_attempts", "vetting_wait_mean", "vetting_wait_p95",
                                            "not_reviewed_share")
"""Metrics in a sweep's table: :data:`~zcsim.sim._result.METRICS` and the ones sizing uses."""

Kind = Literal["alias", "rule", "path"]
PathPart = str | int


# ----------------------------------------------------------------------------------------------
# keys and values
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Vary:
    """One varied key and its values.

    Attributes
    ----------
    key : str
        As written (``experts.no_show``, ``pool.size``, ``quorum_ratio``).
    kind : {"alias", "rule", "path"}
    target : str
        The alias, the canonical rule key, or the dotted path.
    values : tuple
        The values, in order (numbers, text such as ``"3/5"``, booleans).
    path : tuple of str or int
        The scenario path (``kind == "path"``), else empty.
    """

    key: str
    kind: Kind
    target: str
    values: tuple[Any, ...]
    path: tuple[PathPart, ...] = ()


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _split_path(key: str) -> tuple[PathPart, ...] | None:
    parts: list[PathPart] = []
    pos = 0
    for m in _PART.finditer(key):
        gap = key[pos:m.start()]
        if gap not in ("", "."):
            return None
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    return tuple(parts) if parts and pos == len(key) else None


def _leaf_paths(data: Any, prefix: str = "") -> list[str]:
    out: list[str] = []
    if isinstance(data, Mapping):
        for k, v in data.items():
            out += _leaf_paths(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _leaf_paths(v, f"{prefix}[{i}]")
    else:
        out.append(prefix)
    return out


def _dump(sc: Scenario) -> dict[str, Any]:
    return sc.model_dump(mode="json", by_alias=True)


def _walk(data: Any, path: Sequence[PathPart]) -> tuple[bool, Any, str]:
    """(found, value, why-not) of ``path`` in a dumped scenario."""
    cur = data
    done = ""
    for p in path:
        if isinstance(p, int):
            if not isinstance(cur, list):
                return False, None, f"{done or 'the scenario'} is not a list"
            if p >= len(cur):
                return False, None, f"{done} has {len(cur)} entr{'y' if len(cur) == 1 else 'ies'} (indices from 0)"
            cur = cur[p]
            done += f"[{p}]"
        else:
            if cur is None:
                return False, None, f"{done} is null in this scenario"
            if not isinstance(cur, Mapping) or p not in cur:
                return False, None, f"no key {p!r} at {done or 'the top level'}"
            cur = cur[p]
            done += f".{p}" if done else p
    return True, cur, ""


def _resolve(key: str, sc: Scenario) -> tuple[Kind, str, tuple[PathPart, ...]]:
    k = key.strip()
    if k in ALIASES:
        return "alias", k, ()
    specs = RuleSet.specs()
    path = _split_path(k)
    top = {f.alias or n for n, f in Scenario.model_fields.items()}
    if path is not None and path[0] in top and len(path) > 1:
        found, value, why = _walk(_dump(sc), path)
        if not found:
            raise InputError(f"--vary {k}: {why}{_did_you_mean(k, _leaf_paths(_dump(sc)))}", source=sc.source,
                             location=k)
        if isinstance(value, (Mapping, list)):
            raise InputError(f"--vary {k}: a {'mapping' if isinstance(value, Mapping) else 'list'}; vary one of its "
                             f"values (e.g. {_leaf_paths(value, k)[0]})", source=sc.source, location=k)
        return "path", k, path
    if canonical_key(k) in specs:
        return "rule", canonical_key(k), ()
    options = list(ALIASES) + list(specs) + _leaf_paths(_dump(sc))
    raise InputError(f"--vary: unknown key {k!r}{_did_you_mean(k, options)}; give an alias ("
                     + ", ".join(ALIASES) + "), a rule key (`zcsim rules`) or a scenario path such as "
                     "experts.no_show or committees[0].size", source=sc.source, location=k)


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    opts = [o for o in dict.fromkeys(options) if o != word]
    close = difflib.get_close_matches(word, opts, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(canonical_key(word), opts, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


_NUMBER_BOUND = Fraction(10**9)
"""Largest magnitude of a number in ``--vary`` (a value, a range's ends or its step)."""


def _number(text: str) -> Fraction | None:
    """``text`` as an exact number, read by the rule sets' own reader (at most 9 digits a side and
    a bounded exponent, so ``1e-999999999`` is refused at once rather than computed), else ``None``."""
    try:
        return parse_ratio(text.strip(), minimum=-_NUMBER_BOUND, maximum=_NUMBER_BOUND, error=InputError)
    except InputError:
        return None


def _plain(x: Fraction, *, as_fraction: bool) -> Any:
    if x.denominator == 1:
        return int(x)
    return f"{x.numerator}/{x.denominator}" if as_fraction else float(x)


def parse_values(text: str, key: str = "", *, rule: bool = False, limit: int = 10_000) -> tuple[Any, ...]:
    """The values of ``--vary KEY=TEXT``: ``a,b,c`` or an inclusive range ``START..STOP:STEP``.

    List items are read as YAML scalars (``0.1``, ``true``, ``text``); a fraction ``3/5`` stays
    text for rule keys (the rule set reads it exactly) and becomes a number otherwise. In a range
    a fraction or decimal step is exact (``0.05..0.3:0.05`` has six values).

    Examples
    --------
    >>> parse_values("11..17:2")
    (11, 13, 15, 17)
    >>> parse_values("0.05..0.2:0.05")
    (0.05, 0.1, 0.15, 0.2)
    >>> parse_values("1/2,3/5,2/3", rule=True)
    ('1/2', '3/5', '2/3')
    """
    body = text.strip()
    where = f"--vary {key}={text}" if key else f"--vary {text}"
    if not body:
        raise InputError(f"{where}: no values; give a,b,c or START..STOP:STEP", location=key or None)
    if ".." in body:
        rng, _, step_s = body.partition(":")
        start_s, _, stop_s = rng.partition("..")
        start, stop = _number(start_s), _number(stop_s)
        step = _number(step_s) if step_s else Fraction(1)
        if start is None or stop is None or step is None:
            raise InputError(f"{where}: a range is START..STOP:STEP with numbers (e.g. 11..17:2, 0.05..0.3:0.05)",
                             location=key or None)
        if step <= 0:
            raise InputError(f"{where}: the step must be positive", location=key or None)
        if stop < start:
            raise InputError(f"{where}: STOP {stop_s.strip()} is below START {start_s.strip()}", location=key or None)
        count = int((stop - start) // step) + 1
        if count > limit:
            raise InputError(f"{where}: {count} values; at most {limit}", location=key or None)
        frac = rule and "/" in text
        return tuple(_plain(start + i * step, as_fraction=frac) for i in range(count))
    out: list[Any] = []
    for item in body.split(","):
        item = item.strip()
        if not item:
            raise InputError(f"{where}: an empty value in the list", location=key or None)
        if "/" in item and _number(item) is not None:
            out.append(item if rule else float(_number(item)))  # type: ignore[arg-type]
            continue
        try:
            out.append(yaml.safe_load(item))
        except yaml.YAMLError:
            out.append(item)
    return tuple(out)


def parse_vary(text: str, scenario: Scenario) -> Vary:
    """Read one ``--vary KEY=VALUES`` against ``scenario``.

    Raises
    ------
    InputError
        Unknown key (with "did you mean"), a path not in the scenario, or bad values.

    Examples
    --------
    >>> from zcsim.sim import load_scenario
    >>> sc = load_scenario("scenarios/quick.yaml")  # doctest: +SKIP
    >>> parse_vary("experts.no_show=0.1,0.2", sc).values  # doctest: +SKIP
    (0.1, 0.2)
    """
    key, eq, values = text.partition("=")
    if not eq or not key.strip():
        raise InputError(f"--vary {text!r}: expected KEY=VALUES (a,b,c or START..STOP:STEP)", source=scenario.source)
    kind, target, path = _resolve(key, scenario)
    vals = parse_values(values, key.strip(), rule=kind == "rule")
    return Vary(key.strip(), kind, target, vals, path)


# ----------------------------------------------------------------------------------------------
# variants
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One combination of values: its validated scenario and rule set.

    ``values`` maps each varied key (as written) to its value here.
    """

    index: int
    values: Mapping[str, Any]
    scenario: Scenario = field(repr=False, compare=False)
    rules: RuleSet = field(repr=False, compare=False)

    @property
    def label(self) -> str:
        """``key=value, key=value``."""
        return ", ".join(f"{k}={v}" for k, v in self.values.items())

    @property
    def cost(self) -> float:
        """Sum of the numeric varied values (the sizing search's order, smallest first)."""
        total = 0.0
        for v in self.values.values():
            if isinstance(v, bool):
                continue
            if isinstance(v, (int, float)):
                total += float(v)
            elif isinstance(v, str) and (x := _number(v)) is not None:
                total += float(x)
        return total


def _split_total(total: int, weights: Sequence[float]) -> list[int]:
    s = float(sum(weights))
    if s <= 0:
        weights, s = [1.0] * len(weights), float(len(weights))
    raw = [total * w / s for w in weights]
    out = [math.floor(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))[: total - sum(out)]:
        out[i] += 1
    return out


def _set_path(data: Any, path: Sequence[PathPart], value: Any) -> None:
    cur = data
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value


def _apply(data: dict[str, Any], v: Vary, value: Any, sc: Scenario) -> None:
    if v.kind == "rule":
        data["set"] = {**(data.get("set") or {}), v.target: value}
    elif v.kind == "path":
        _set_path(data, v.path, value)
    elif v.target in ("panels", "committee.size"):
        for c in data["committees"]:
            c["panels" if v.target == "panels" else "size"] = value
    elif v.target == "staff":
        for a in data["agencies"]:
            a["staff"] = value
    elif v.target == "pool.size":
        pools = data["experts"]["pools"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InputError("expected a whole number of experts", source=sc.source,
                             location="experts.pools")
        for p, n in zip(pools, _split_total(value, [p["size"] for p in pools])):
            p["size"] = n
    elif v.target == "applicants":
        pop = data["population"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InputError("expected a whole number of applicants", source=sc.source,
                             location="population")
        if pop.get("total") is not None:
            pop["total"] = value
        else:
            groups = pop["groups"]
            for g, n in zip(groups, _split_total(value, [g["count"] or 0 for g in groups])):
                g["count"] = n
    else:  # pragma: no cover - ALIASES and this function go together
        raise AssertionError(v.target)


def _check_sizes(sc: Scenario, rules: RuleSet) -> None:
    """Committee sizes are validated when drawn (Art. 9); check them now, naming the field."""
    from zcsim.draw import committee_size
    from zcsim.errors import ZcsimError

    for plan in expand_committees(sc):
        spec = plan.spec
        try:
            committee_size(rules, level=plan.level, by_specialty=plan.specialty is not None, size=spec.size,
                           size_adjustment_filed=spec.size_adjustment_filed, vice_chairs=spec.vice_chairs)
        except ZcsimError as exc:
            raise sc.error(f"committee {plan.id} ({plan.series}{'/' + plan.specialty if plan.specialty else ''}, "
                           f"{plan.level}): {getattr(exc, 'message', exc)}", *plan.path, "size") from None


def _variant(base: Scenario, data: Mapping[str, Any], assignment: Sequence[tuple[Vary, Any]],
             overrides: Mapping[str, Any] | Sequence[str] | None) -> tuple[Scenario, RuleSet]:
    d = json.loads(json.dumps(data))
    label = ", ".join(f"{v.key}={value}" for v, value in assignment)
    try:
        for v, value in assignment:
            _apply(d, v, value, base)
        sc = parse_scenario(d, source=base.source, folder=base.folder, allow_outside=base.allow_outside)
        rules = sc.ruleset(overrides or None)
        _check_sizes(sc, rules)
    except InputError as exc:
        raise InputError(f"--vary {label}: {exc.message}", source=exc.source or base.source,
                         location=exc.location) from None
    return sc, rules


MAX_VARIANTS = 10_000
"""Most variants (grid points) one sweep or sizing search builds: each is a validated scenario and
rule set, built before anything runs."""


def build_variants(scenario: Scenario, varies: Sequence[Vary],
                   overrides: Mapping[str, Any] | Sequence[str] | None = None) -> list[Variant]:
    """Every combination of the varied values (first key slowest), validated.

    ``overrides`` (``--set``) apply to every variant, after the varied rule keys.

    Raises
    ------
    InputError
        A variant the scenario model or the rule set rejects, naming the ``--vary`` values and
        the field.
    """
    keys = [v.key for v in varies]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise InputError(f"--vary {dup} is given twice; list all its values in one --vary", source=scenario.source,
                         location=dup)
    count = math.prod(len(v.values) for v in varies)
    if count > MAX_VARIANTS:
        raise InputError(f"the --vary values make {count:,} variants; the most a sweep or a sizing search builds is "
                         f"{MAX_VARIANTS:,} (MAX_VARIANTS): use fewer values", source=scenario.source,
                         location="--vary")
    data = _dump(scenario)
    out: list[Variant] = []
    for i, combo in enumerate(itertools.product(*[v.values for v in varies])):
        assignment = list(zip(varies, combo))
        sc, rules = _variant(scenario, data, assignment, overrides)
        out.append(Variant(i, {v.key: value for v, value in assignment}, sc, rules))
    return out


# ----------------------------------------------------------------------------------------------
# running variants × replications
# ----------------------------------------------------------------------------------------------
MAX_JOBS = 1_000_000
"""Most variant × replication jobs of one sweep (``zcsim sweep``): each job's metrics stay in
memory until the table is written, and every variant is validated before anything runs."""


def check_jobs(variants: int, replications: int) -> int:
    """The number of jobs, ``variants × replications``, if at most :data:`MAX_JOBS`, else an InputError.

    Examples
    --------
    >>> check_jobs(6, 20)
    120
    """
    total = variants * replications
    if total > MAX_JOBS:
        raise InputError(f"{variants:,} variants × {replications:,} replications = {total:,} jobs; the most one sweep "
                         f"runs is {MAX_JOBS:,} (MAX_JOBS): use fewer values or replications", location="--vary")
    return total


_CACHE: dict[tuple[str, int], tuple[Scenario, RuleSet, dict[str, Any]]] = {}


@dataclass(frozen=True)
class _GridTask:
    """A picklable replication task over (variant, replication) jobs.

    It carries the base scenario's dump and each variant's assignment, not the variants, so each
    submitted job pickles small; a worker builds each variant once (cached by ``token``).
    """

    token: str
    base: Scenario
    data: dict[str, Any]
    assignments: tuple[tuple[tuple[Vary, Any], ...], ...]
    overrides: tuple[tuple[str, Any], ...] | tuple[str, ...]
    jobs: tuple[tuple[int, int], ...]
    seed: int
    recusal: Callable[[Scenario], Any] | None = None

    def variant(self, v: int) -> tuple[Scenario, RuleSet, dict[str, Any]]:
        key = (self.token, v)
        if key not in _CACHE:
            if any(k[0] != self.token for k in _CACHE):
                _CACHE.clear()
            ov: Any = self.overrides
            ov = dict(ov) if ov and isinstance(ov[0], tuple) else list(ov)
            sc, rules = _variant(self.base, self.data, self.assignments[v], ov)
            kw: dict[str, Any] = {}
            if sc.recusal.graph is not None and self.recusal is not None:
                kw["recusal"] = self.recusal(sc)
            _CACHE[key] = (sc, rules, kw)
        return _CACHE[key]

    def __call__(self, seed: np.random.SeedSequence, *, index: int) -> Replication:
        from zcsim.sim.model import run_replication

        v, r = self.jobs[index]
        sc, rules, kw = self.variant(v)
        # replication r's seed: SeedSequence(seed).spawn(n)[r] for any n > r (common random numbers)
        ss = np.random.SeedSequence(self.seed, spawn_key=(r,))
        rep = run_replication(sc, rules, ss, index=r, keep_records=False, **kw)
        return Replication(r, {}, {}, dict(rep.metrics), events=rep.events)


def _overrides_tuple(overrides: Mapping[str, Any] | Sequence[str] | None) -> Any:
    if not overrides:
        return ()
    if isinstance(overrides, Mapping):
        return tuple(overrides.items())
    return tuple(overrides)


def run_jobs(scenario: Scenario, varies: Sequence[Vary], variants: Sequence[Variant],
             jobs: Sequence[tuple[int, int]], seed: int, *,
             overrides: Mapping[str, Any] | Sequence[str] | None = None, executor: str = "local",
             workers: int | None = None, address: str | None = None,
             progress: Callable[[int, int], None] | None = None,
             recusal: Callable[[Scenario], Any] | None = None,
             on_result: Callable[[int, Replication], None] | None = None) -> list[Mapping[str, float]]:
    """Metrics of (variant index, replication index) jobs, in job order, through one runner call.

    Replication ``r`` always runs on ``SeedSequence(seed).spawn(n)[r]`` (``n > r``), so the
    same job gives the same metrics on any executor and worker count, and in any subset of jobs.
    ``on_result(job position, replication)`` is called in this process as each job finishes.
    """
    if not jobs:
        return []
    by_key = {v.key: v for v in varies}
    assignments = tuple(tuple((by_key[k], val) for k, val in var.values.items()) for var in variants)
    task = _GridTask(uuid.uuid4().hex, scenario, _dump(scenario), assignments, _overrides_tuple(overrides),
                     tuple(jobs), seed, recusal)
    try:
        result = run_replications(task, len(jobs), seed, executor=executor, workers=workers, address=address,
                                  progress=progress, on_result=on_result)
    finally:
        _CACHE.clear()
    return [r.metrics for r in result.replications]


@dataclass(frozen=True)
class SweepResult:
    """Every variant's replication metrics, on common random numbers.

    Attributes
    ----------
    scenario : str
        The scenario file.
    varies : tuple of Vary
    variants : tuple of Variant
    metrics : tuple of tuple of mapping
        ``metrics[v][r]``: replication ``r`` of variant ``v``.
    seed, replications : int
    """

    scenario: str
    varies: tuple[Vary, ...]
    variants: tuple[Variant, ...]
    metrics: tuple[tuple[Mapping[str, float], ...], ...]
    seed: int
    replications: int

    def summary(self, v: int) -> dict[str, Estimate]:
        """Mean and 95% CI of each of :data:`TABLE_METRICS` for variant ``v``."""
        reps = self.metrics[v]
        return {m: summarise_values([r.get(m, math.nan) for r in reps]) for m in TABLE_METRICS}

    def table(self) -> pd.DataFrame:
        """One row per variant: the varied values, then ``METRIC``, ``METRIC_low``, ``METRIC_high``
        (mean and 95% t-interval over replications) for each of :data:`TABLE_METRICS`."""
        import pandas as pd

        rows = []
        for var in self.variants:
            row: dict[str, Any] = {"variant": var.index, **dict(var.values)}
            for m, e in self.summary(var.index).items():
                row[m], row[f"{m}_low"], row[f"{m}_high"] = e.mean, e.low, e.high
            row["rules_fingerprint"] = var.rules.fingerprint()
            rows.append(row)
        return pd.DataFrame(rows)

    def manifest(self) -> dict[str, Any]:
        """What ``sweep.json`` holds: scenario, seed, replications, varied keys, each variant's
        rule-set fingerprint and its figures (mean and 95% CI)."""
        from zcsim.sim.output import _versions

        prints = sorted({v.rules.fingerprint() for v in self.variants})
        return {
            "format": "zcsim.sweep/1",
            "scenario": self.scenario,
            "seed": self.seed,
            "replications": self.replications,
            "common_random_numbers": True,
            "keys": [v.key for v in self.varies],
            "varied": [{"key": v.key, "kind": v.kind, "target": v.target, "values": list(v.values)}
                       for v in self.varies],
            "rules": self.variants[0].rules.name if self.variants else None,
            "rules_fingerprint": prints[0] if len(prints) == 1 else prints,
            "variants": [{"variant": var.index, "values": dict(var.values),
                          "rules_fingerprint": var.rules.fingerprint(),
                          "metrics": {m: e.as_json() for m, e in self.summary(var.index).items()}}
                         for var in self.variants],
            "versions": _versions(),
        }

    def write(self, out: str | Path) -> list[Path]:
        """Write ``sweep.csv``, ``sweep.parquet`` (when pyarrow is installed) and ``sweep.json``."""
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the output folder: {exc.strerror}", source=str(out)) from None
        from zcsim.sim.output import _replacing, _write_text

        df = self.table()
        written = [folder / "sweep.csv"]
        with _replacing(written[0]) as tmp:  # each file whole or not at all
            df.to_csv(tmp, index=False)
        try:
            import pyarrow  # noqa: F401

            p = folder / "sweep.parquet"
            pq = df.copy()
            for k in (v.key for v in self.varies):  # mixed-type columns: keep them as text
                if pq[k].map(type).nunique() > 1:
                    pq[k] = pq[k].astype(str)
            with _replacing(p) as tmp:
                pq.to_parquet(tmp, index=False)
            written.append(p)
        except ImportError:
            pass
        p = folder / "sweep.json"
        _write_text(p, json.dumps(self.manifest(), ensure_ascii=False, indent=2, default=str))
        written.append(p)
        return written


def run_sweep(scenario: Scenario, varies: Sequence[Vary], *, replications: int | None = None,
              seed: int | None = None, overrides: Mapping[str, Any] | Sequence[str] | None = None,
              executor: str = "local", workers: int | None = None, address: str | None = None,
              progress: Callable[[int, int], None] | None = None,
              recusal: Callable[[Scenario], Any] | None = None,
              done: Mapping[tuple[int, int], Mapping[str, float]] | None = None,
              on_result: Callable[[int, int, Mapping[str, float]], None] | None = None) -> SweepResult:
    """Run every variant of ``varies`` for ``replications`` replications on common random numbers.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    varies : sequence of Vary
        From :func:`parse_vary`; the grid is their product (first key slowest).
    replications, seed : int, optional
        Default the scenario's ``simulation`` settings.
    overrides : ``--set`` overrides applied to every variant.
    executor, workers, address, progress :
        As :func:`~zcsim.sim.runner.run_replications`; ``progress(done, total)`` counts
        variant × replication jobs.
    recusal : callable ``Scenario -> RecusalSource``, optional
        For scenarios with ``recusal.graph`` (``zcsim.recusal.recusal_source``); picklable.
    done : mapping of (variant, replication) to metrics, optional
        Jobs already finished (a resumed sweep): not run again, used as given.
    on_result : callable ``(variant, replication, metrics)``, optional
        Called in this process as each job finishes (a resumable sweep writes its checkpoint).

    Examples
    --------
    >>> from zcsim.sim import load_scenario
    >>> sc = load_scenario("scenarios/quick.yaml")  # doctest: +SKIP
    >>> res = run_sweep(sc, [parse_vary("experts.no_show=0.1,0.3", sc)], replications=4)  # doctest: +SKIP
    >>> res.table()[["experts.no_show", "quorum_failure_rate"]]  # doctest: +SKIP
    """
    if not varies:
        raise InputError("a sweep needs at least one --vary KEY=VALUES", source=scenario.source)
    n = scenario.simulation.replications if replications is None else replications
    s = scenario.simulation.seed if seed is None else seed
    check_replications(n, source=scenario.source if replications is None else None,
                       location="--replications" if replications is not None else "simulation.replications")
    check_jobs(math.prod(len(v.values) for v in varies), n)
    variants = build_variants(scenario, varies, overrides)
    jobs = [(v.index, r) for v in variants for r in range(n)]
    known = set(jobs)
    finished: dict[tuple[int, int], Mapping[str, float]] = {j: m for j, m in (done or {}).items() if j in known}
    todo = [j for j in jobs if j not in finished]  # (variant, replication) is a job's identity
    skipped = len(jobs) - len(todo)
    report = None if on_result is None else (lambda i, rep: on_result(*todo[i], rep.metrics))
    flat = run_jobs(scenario, varies, variants, todo, s, overrides=overrides, executor=executor, workers=workers,
                    address=address, recusal=recusal, on_result=report,
                    progress=None if progress is None else (lambda d, _t: progress(skipped + d, len(jobs))))
    finished.update(zip(todo, flat))
    per = tuple(tuple(finished[(v.index, r)] for r in range(n)) for v in variants)
    return SweepResult(scenario.source, tuple(varies), tuple(variants), per, s, n)
