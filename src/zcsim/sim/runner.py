"""The Monte Carlo runner: independent replications, executors, summaries with confidence intervals.

Replication ``i`` of a run with seed ``s`` always uses ``numpy.random.SeedSequence(s).spawn(n)[i]``,
whatever the executor or the number of workers, so a run replays exactly. A comparison of two rule
sets uses the same seeds for both (common random numbers) and reports paired differences.
"""

from __future__ import annotations

import math
import os
import re
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from zcsim.draw._seed import MAX_SEED
from zcsim.errors import InputError
from zcsim.sim._result import Replication
from zcsim.sim.scenario import MAX_REPLICATIONS

__all__ = [
    "Estimate",
    "RunResult",
    "Comparison",
    "run_replications",
    "summarise",
    "compare_runs",
    "EXECUTORS",
    "MAX_REPLICATIONS",
    "MAX_SEED",
    "MAX_WORKERS",
    "DASK_NO_WORKERS_TIMEOUT",
    "check_replications",
    "check_seed",
    "check_workers",
    "RESULTS_MEMORY_SHARE",
]

EXECUTORS = ("local", "dask")

# MAX_REPLICATIONS (most replications one run takes: -n, simulation.replications, a sweep's
# replications per variant, size --max-replications, a manifest's replications) has its home in the
# scenario schema, and MAX_SEED (a signed 64-bit integer, as tables store it) in zcsim.draw's seeds.

MAX_WORKERS = 512
"""Most worker processes (``--workers``); each is a whole Python process with a copy of the scenario."""

RESULTS_MEMORY_SHARE = 0.5
"""Largest share of this machine's memory a run's results may take: after the first replication
finishes, its size times the replications to come is estimated, and a run that would need more
stops at once with the estimate (fewer replications, or no ``--records``, make it fit)."""

DASK_NO_WORKERS_TIMEOUT = 60.0
"""Seconds a Dask run waits while the scheduler has no worker and no replication finishes; then it
stops with an error naming the scheduler instead of waiting forever."""


def check_replications(n: int, *, source: str | None = None, location: str = "--replications") -> int:
    """``n`` if it is a replication count zcsim runs (1 .. :data:`MAX_REPLICATIONS`), else an InputError.

    Examples
    --------
    >>> check_replications(10)
    10
    >>> check_replications(10**12)
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: --replications: 1000000000000 replications; the most zcsim runs is 100,000 (MAX_REPLICATIONS)
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_REPLICATIONS:
        raise InputError(f"{n!r} replications; " + (f"the most zcsim runs is {MAX_REPLICATIONS:,} (MAX_REPLICATIONS)"
                                                     if isinstance(n, int) and n > MAX_REPLICATIONS else
                                                     f"expected a whole number 1..{MAX_REPLICATIONS:,}"),
                         source=source, location=location)
    return n


def check_seed(seed: int, *, source: str | None = None, location: str = "--seed") -> int:
    """``seed`` if it is a whole number 0 .. :data:`MAX_SEED`, else an InputError."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError(f"seed {seed!r}; expected a whole number 0..{MAX_SEED} (MAX_SEED)", source=source,
                         location=location)
    return seed


def check_workers(workers: int | None, *, location: str = "--workers") -> int | None:
    """``workers`` if it is None (all cores) or 1 .. :data:`MAX_WORKERS`, else an InputError."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or not 1 <= workers <= MAX_WORKERS):
        raise InputError(f"workers = {workers!r}; expected 1..{MAX_WORKERS} (MAX_WORKERS)", location=location)
    return workers


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
    check_replications(n, location="replications")
    check_seed(seed, location="seed")
    return np.random.SeedSequence(seed).spawn(n)


def replication_bytes(rep: Replication) -> int:
    """A rough size in memory of one replication's results: its column arrays (64 bytes an
    element of a text column) and its meeting records (three times their JSON size)."""
    import json

    size = 0
    for cols in (rep.applicants, rep.meetings):
        for col in cols.values():
            a = np.asarray(col)
            size += a.size * 64 if a.dtype.hasobject else a.nbytes
    if rep.records:
        size += 3 * len(json.dumps(list(rep.records), default=str))
    return size


def _memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - platforms without sysconf
        return None


def check_memory(rep: Replication, n: int, *, memory: int | None = None) -> None:
    """An InputError with the estimate when ``n`` replications like ``rep`` would take more than
    :data:`RESULTS_MEMORY_SHARE` of the machine's memory (``memory`` bytes; default: this machine's)."""
    memory = _memory_bytes() if memory is None else memory
    need = replication_bytes(rep) * n
    if memory and need > RESULTS_MEMORY_SHARE * memory:
        gib = 2**30
        raise InputError(f"{n:,} replications would hold about {need / gib:,.1f} GiB of results in memory "
                         f"({replication_bytes(rep) / 2**20:,.1f} MiB each, estimated from the first); this machine "
                         f"has {memory / gib:,.1f} GiB and a run may use {RESULTS_MEMORY_SHARE:.0%} of it (RESULTS_MEMORY_SHARE): "
                         "use fewer replications" + (", or leave out --records" if rep.records else ""),
                         location="--replications")


def _run_one(task: ReplicationTask, seed: np.random.SeedSequence, index: int) -> Replication:
    return task(seed, index=index)


_WORKER_TASK: ReplicationTask | None = None


def _set_worker_task(task: ReplicationTask) -> None:
    """Process-pool initializer: unpickle the task (scenario, rules, caches) once per worker, and
    watch the parent: a worker whose parent was killed (SIGKILL leaves no time to stop the pool)
    exits instead of waiting forever for work that will never come."""
    global _WORKER_TASK
    _WORKER_TASK = task
    # Ctrl-C reaches every process of the terminal's group: the parent stops the run (and prints
    # one line); a worker printing its own KeyboardInterrupt traceback would only add noise
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
    check_address(address, executor)
    check_workers(workers)
    results: dict[int, Replication] = {}
    for i, rep in (done or {}).items():
        if not 0 <= i < n:
            raise InputError(f"a finished replication has index {i}; expected 0..{n - 1}", location="replications")
        results[i] = rep
    todo = [i for i in range(n) if i not in results]
    count = len(results)

    def finish(i: int, rep: Replication) -> None:
        nonlocal count
        if count == len(done or {}):  # the first replication of this call: is there room for all?
            check_memory(rep, n)
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
        workers = check_workers(workers) or os.cpu_count() or 1
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
            except KeyboardInterrupt:
                _stop_pool(pool)
                raise
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            pool.shutdown(wait=True)
    return RunResult(tuple(results[i] for i in range(n)), seed, label)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a process pool at once (Ctrl-C): queued replications are cancelled and running ones
    abandoned — workers only compute, the parent writes every checkpoint, so nothing is half-written
    and a resumed run reruns exactly the replications that had not finished."""
    pool.shutdown(wait=False, cancel_futures=True)
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=5)


_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")
"""A Dask scheduler address: ``[PROTOCOL://]HOST:PORT`` (tcp, tls, ws, wss or ucx; port 1..65535)."""


def check_address(address: str | None, executor: str) -> str | None:
    """``address`` if it is a Dask scheduler address given with ``executor == "dask"``, else an InputError.

    Examples
    --------
    >>> check_address("tcp://10.0.0.5:8786", "dask")
    'tcp://10.0.0.5:8786'
    >>> check_address("garbage", "dask")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: --address: 'garbage' is not a Dask scheduler address; expected [tcp://]HOST:PORT, e.g. tcp://10.0.0.5:8786
    """
    if address is None:
        return None
    if executor != "dask":
        raise InputError(f"a Dask scheduler address ({address!r}) is for --executor dask, not {executor!r}; "
                         "give --executor dask with it, or leave --address out", location="--address")
    m = _ADDRESS.match(address)
    if m is None or not 1 <= int(m.group(1)) <= 65535:
        raise InputError(f"{address!r} is not a Dask scheduler address; expected [tcp://]HOST:PORT, "
                         "e.g. tcp://10.0.0.5:8786", location="--address")
    return address


__all__.append("check_address")


def _worker_count(client: Any) -> int:
    info = client.scheduler_info(n_workers=1)
    return int(info.get("n_workers", len(info.get("workers") or {})))


def _run_dask(task: ReplicationTask, seeds: list[np.random.SeedSequence], todo: Sequence[int], address: str | None,
              workers: int | None, finish: Callable[[int, Replication], None]) -> None:
    try:
        from dask.distributed import Client, LocalCluster, wait
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
        except (OSError, ValueError, TypeError, AssertionError, TimeoutError) as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise InputError(f"cannot reach the Dask scheduler at {address}: {detail}", location="--address") from None
    where = address or "the local Dask cluster"
    try:
        futures = [client.submit(_run_one, task, seeds[i], i, pure=False) for i in todo]
        index = {f.key: i for i, f in zip(todo, futures)}
        pending = set(futures)
        idle_since: float | None = None  # since when the scheduler has had no worker and nothing finished
        while pending:
            try:
                done, pending = wait(list(pending), timeout=1.0, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            for fut in done:
                finish(index[fut.key], fut.result())
            if done or _worker_count(client):
                idle_since = None
                continue
            idle_since = time.monotonic() if idle_since is None else idle_since
            if time.monotonic() - idle_since > DASK_NO_WORKERS_TIMEOUT:
                raise InputError(f"the Dask scheduler at {where} has had no worker for {DASK_NO_WORKERS_TIMEOUT:g} s "
                                 f"and {len(pending)} replication(s) are waiting; start workers "
                                 "(dask worker ADDRESS) and rerun (with --out … --resume to keep the finished ones)",
                                 location="--address")
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


