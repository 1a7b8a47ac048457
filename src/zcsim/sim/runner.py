"""The Monte Carlo runner: independent replications, executors, summaries with confidence intervals.

Replication ``i`` of a run with seed ``s`` always uses ``numpy.random.SeedSequence(s).spawn(n)[i]``,
whatever the executor or the number of workers, so a run replays exactly. A comparison of two rule
sets uses the same seeds for both (common random numbers) and reports paired differences.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
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
    """Process-pool initializer: unpickle the task (scenario, rules, caches) once per worker, and
    watch the parent: a worker whose parent was killed (SIGKILL leaves no time to stop the pool)
    exits instead of waiting forever for work that will never come."""
    global _WORKER_TASK
    _WORKER_TASK = task
    import threading

    parent = os.getppid()

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="zcsim-parent-watch", daemon=True).start()


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
    done: Mapping[int, Replication] | None = None,
    on_result: Callable[[int, Replication], None] | None = None,
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
        Called after each finished replication (``done`` counts the replications of ``done`` too).
    done : mapping of index to Replication, optional
        Replications already finished (a resumed run): they are not run again and appear in the
        result as given. The index is a replication's identity, so none is counted twice.
    on_result : callable ``(index, replication)``, optional
        Called in this process as each replication finishes, before ``progress`` (a resumable
        run writes its checkpoint here). Workers only return results; they never write.

    Returns
    -------
    RunResult
        Replications in index order, identical for any executor and worker count.
    """
    seeds = _spawn(seed, n)
    if executor not in EXECUTORS:
        raise InputError(f"executor {executor!r} is not known; expected one of {', '.join(EXECUTORS)}", location="--executor")
    results: dict[int, Replication] = {}
    for i, rep in (done or {}).items():
        if not 0 <= i < n:
            raise InputError(f"a finished replication has index {i}; expected 0..{n - 1}", location="replications")
        results[i] = rep
    todo = [i for i in range(n) if i not in results]
    count = len(results)

    def finish(i: int, rep: Replication) -> None:
        nonlocal count
        if on_result is not None:
            on_result(i, rep)
        results[i] = rep
        count += 1
        if progress is not None:
            progress(count, n)

    if not todo:
        pass
    elif executor == "dask":
        _run_dask(task, seeds, todo, address, workers, finish)
    else:
        workers = workers or os.cpu_count() or 1
        if workers < 1:
            raise InputError(f"workers = {workers}; expected at least 1", location="--workers")
        if workers == 1 or len(todo) == 1:
            for i in todo:
                finish(i, task(seeds[i], index=i))
        else:
            # Modules the model imports on first use (networkx, for panel assignment) are imported
            # here, before the workers fork, so each worker does not pay for them again.
            _preload()
            # the task goes to each worker once; each job then carries only its seed and index
            pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), initializer=_set_worker_task,
                                       initargs=(task,))
            try:
                futures = {pool.submit(_run_worker, seeds[i], i): i for i in todo}
                for fut in as_completed(futures):
                    finish(futures[fut], fut.result())
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            pool.shutdown(wait=True)
    return RunResult(tuple(results[i] for i in range(n)), seed, label)


def _run_dask(task: ReplicationTask, seeds: list[np.random.SeedSequence], todo: Sequence[int], address: str | None,
              workers: int | None, finish: Callable[[int, Replication], None]) -> None:
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
        futures = [client.submit(_run_one, task, seeds[i], i, pure=False) for i in todo]
        index = {f.key: i for i, f in zip(todo, futures)}
        for fut in dask_completed(futures):
            finish(index[fut.key], fut.result())
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


