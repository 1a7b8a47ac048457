"""The Monte Carlo runner: independent replications, executors, summaries with confidence intervals.

Replication ``i`` of a run with seed ``s`` always uses ``numpy.random.SeedSequence(s).spawn(n)[i]``,
whatever the executor or the number of workers, so a run replays exactly. A comparison of two rule
sets uses the same seeds for both (common random numbers) and reports paired differences.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from zcsim.errors import InputError
from zcsim.sim._result import Replication

__all__ = [
    "Estimate",
    "RunResult",
    "Comparison",
    "run_replications",
    "summarise",
    "compare_runs",
    "EXECUTORS",
]

EXECUTORS = ("local", "dask")


class ReplicationTask(Protocol):
    """A picklable callable that runs one replication from its seed."""

    def __call__(self, seed: np.random.SeedSequence, *, index: int) -> Replication: ...


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over replications with its 95% confidence interval (Student t).

    Examples
    --------
    >>> e = summarise_values([0.5, 0.7, 0.6])
    >>> round(e.mean, 3), e.n
    (0.6, 3)
    """

    mean: float
    low: float
    high: float
    sd: float
    n: int

    def as_json(self) -> dict[str, Any]:
        """``{"mean", "ci95": [low, high], "sd", "n"}``."""
        return {"mean": _num(self.mean), "ci95": [_num(self.low), _num(self.high)], "sd": _num(self.sd), "n": self.n}


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def t_quantile(df: int, q: float = 0.975) -> float:
    """Student t quantile (scipy), for confidence intervals."""
    from scipy.stats import t

    return float(t.ppf(q, df))


def summarise_values(values: Sequence[float]) -> Estimate:
    """Mean and 95% CI of ``values``; NaNs (figures undefined in a replication) are left out."""
    arr = np.asarray([v for v in values if v is not None], dtype=float)
    arr = arr[np.isfinite(arr)]
    n = int(arr.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, 0)
    mean = float(arr.mean())
    if n == 1:
        return Estimate(mean, math.nan, math.nan, math.nan, 1)
    sd = float(arr.std(ddof=1))
    half = t_quantile(n - 1) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, sd, n)


__all__.append("summarise_values")


@dataclass(frozen=True)
class RunResult:
    """All replications of one run, in replication order."""

    replications: tuple[Replication, ...]
    seed: int
    label: str = ""

    @property
    def metrics(self) -> list[str]:
        """Metric names, in the order the first replication gives them."""
        names: dict[str, None] = {}
        for r in self.replications:
            names.update(dict.fromkeys(r.metrics))
        return list(names)

    def summary(self) -> dict[str, Estimate]:
        """Each metric's mean and 95% CI over replications."""
        return {m: summarise_values([r.metrics.get(m, math.nan) for r in self.replications]) for m in self.metrics}


def summarise(result: RunResult) -> dict[str, Estimate]:
    """Same as ``result.summary()``."""
    return result.summary()


def _spawn(seed: int, n: int) -> list[np.random.SeedSequence]:
    if n < 1:
        raise InputError(f"replications = {n}; expected at least 1", location="replications")
    return np.random.SeedSequence(seed).spawn(n)


def _run_one(task: ReplicationTask, seed: np.random.SeedSequence, index: int) -> Replication:
    return task(seed, index=index)


_WORKER_TASK: ReplicationTask | None = None


def _set_worker_task(task: ReplicationTask) -> None:
    """Process-pool initializer: unpickle the task (scenario, rules, caches) once per worker."""
    global _WORKER_TASK
    _WORKER_TASK = task


def _preload() -> None:
    import importlib

    importlib.import_module("networkx")


def _run_worker(seed: np.random.SeedSequence, index: int) -> Replication:
    assert _WORKER_TASK is not None, "the worker's task is set by the pool's initializer"
    return _WORKER_TASK(seed, index=index)


def run_replications(
    task: ReplicationTask,
    n: int,
    seed: int,
    *,
    executor: str = "local",
    workers: int | None = None,
    address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    label: str = "",
) -> RunResult:
    """Run ``n`` independent replications of ``task``.

    Parameters
    ----------
    task : callable ``(seed, *, index) -> Replication``
        Must be picklable for process and Dask executors (a module-level function or a
        :func:`functools.partial` of one).
    n : int
        Number of replications.
    seed : int
        The run's seed; replication ``i`` gets ``SeedSequence(seed).spawn(n)[i]``.
    executor : {"local", "dask"}
        ``local``: a pool of local processes (``workers`` of them, default all cores; 1 runs
        in this process). ``dask``: a Dask distributed cluster at ``address``, or a local one
        started for the run.
    progress : callable ``(done, total)``, optional
        Called after each finished replication.

    Returns
    -------
    RunResult
        Replications in index order, identical for any executor and worker count.
    """
    seeds = _spawn(seed, n)
    if executor not in EXECUTORS:
        raise InputError(f"executor {executor!r} is not known; expected one of {', '.join(EXECUTORS)}", location="--executor")
    done = 0
    results: dict[int, Replication] = {}

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, n)

    if executor == "dask":
        results = _run_dask(task, seeds, address, workers, tick)
    else:
        workers = workers or os.cpu_count() or 1
        if workers < 1:
            raise InputError(f"workers = {workers}; expected at least 1", location="--workers")
        if workers == 1 or n == 1:
            for i, s in enumerate(seeds):
                results[i] = task(s, index=i)
                tick()
        else:
            # Modules the model imports on first use (networkx, for panel assignment) are imported
            # here, before the workers fork, so each worker does not pay for them again.
            _preload()
            # the task goes to each worker once; each job then carries only its seed and index
            with ProcessPoolExecutor(max_workers=min(workers, n), initializer=_set_worker_task,
                                     initargs=(task,)) as pool:
                futures = {pool.submit(_run_worker, s, i): i for i, s in enumerate(seeds)}
                for fut in as_completed(futures):
                    results[futures[fut]] = fut.result()
                    tick()
    return RunResult(tuple(results[i] for i in range(n)), seed, label)


def _run_dask(task: ReplicationTask, seeds: list[np.random.SeedSequence], address: str | None,
              workers: int | None, tick: Callable[[], None]) -> dict[int, Replication]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError:
        raise InputError("the dask executor needs the 'dist' extra: pip install 'zcsim[dist]'", location="--executor") from None
    cluster = None
    if address is None:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="10s")
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}", location="--address") from None
    try:
        futures = [client.submit(_run_one, task, s, i, pure=False) for i, s in enumerate(seeds)]
        index = {f.key: i for i, f in enumerate(futures)}
        out: dict[int, Replication] = {}
        for fut in dask_completed(futures):
            out[index[fut.key]] = fut.result()
            tick()
        return out
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclass(frozen=True)
class Comparison:
    """Paired differences (reform − base) of every metric over common random numbers."""

    base: RunResult
    reform: RunResult

    def differences(self) -> dict[str, Estimate]:
        """Each metric's mean paired difference and its 95% CI."""
        out = {}
        for m in self.base.metrics:
            diffs = [r.metrics.get(m, math.nan) - b.metrics.get(m, math.nan)
                     for b, r in zip(self.base.replications, self.reform.replications)]
            out[m] = summarise_values(diffs)
        return out


def compare_runs(base: RunResult, reform: RunResult) -> Comparison:
    """Pair two runs made with the same seed and replication count."""
    if base.seed != reform.seed or len(base.replications) != len(reform.replications):
        raise InputError("a comparison needs both runs made with the same seed and number of replications")
    return Comparison(base, reform)


