"""The Monte Carlo runner: seeds, executors, confidence intervals, common random numbers.

The model here is a tiny stand-in (a module-level function, so it pickles) whose truth is known:
each replication draws ``Binomial(100, p)`` passes; the real model has its own tests.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from zcsim.sim._result import Replication
from zcsim.sim.runner import compare_runs, run_replications, summarise_values


def binomial_model(seed: np.random.SeedSequence, *, index: int, p: float = 0.6) -> Replication:
    rng = np.random.default_rng(seed)
    passed = rng.random(100) < p
    return Replication(index, {"passed": passed}, {}, {"applicants": 100.0, "pass_rate": float(passed.mean())})


def test_same_seed_same_results_and_order() -> None:
    a = run_replications(binomial_model, 6, seed=11, workers=1)
    b = run_replications(binomial_model, 6, seed=11, workers=1)
    assert [r.metrics for r in a.replications] == [r.metrics for r in b.replications]
    assert [r.index for r in a.replications] == list(range(6))
    c = run_replications(binomial_model, 6, seed=12, workers=1)
    assert [r.metrics for r in a.replications] != [r.metrics for r in c.replications]


def test_process_pool_gives_identical_results() -> None:
    one = run_replications(binomial_model, 8, seed=3, workers=1)
    two = run_replications(binomial_model, 8, seed=3, workers=2)
    assert [r.metrics for r in one.replications] == [r.metrics for r in two.replications]


def test_dask_executor_gives_identical_results() -> None:
    pytest.importorskip("dask.distributed")
    one = run_replications(binomial_model, 4, seed=5, workers=1)
    dk = run_replications(binomial_model, 4, seed=5, executor="dask", workers=2)
    assert [r.metrics for r in one.replications] == [r.metrics for r in dk.replications]


def test_progress_is_reported() -> None:
    seen = []
    run_replications(binomial_model, 5, seed=1, workers=1, progress=lambda d, n: seen.append((d, n)))
    assert seen == [(i, 5) for i in range(1, 6)]


def test_confidence_interval_covers_the_truth_at_the_nominal_rate() -> None:
    # 200 runs of 10 replications: the 95% t-interval of the mean pass rate covers p = 0.6
    # in about 95% of runs (binomial bounds for 200 trials at 0.95: 185..199 at 99.9%).
    covered = 0
    for s in range(200):
        res = run_replications(binomial_model, 10, seed=s, workers=1)
        e = res.summary()["pass_rate"]
        covered += e.low <= 0.6 <= e.high
    assert 182 <= covered <= 200


def test_summarise_values_matches_a_hand_computation() -> None:
    e = summarise_values([1.0, 2.0, 3.0, 4.0])
    sd = math.sqrt(sum((x - 2.5) ** 2 for x in (1, 2, 3, 4)) / 3)
    assert e.mean == 2.5 and math.isclose(e.sd, sd)
    assert math.isclose(e.high - e.mean, 3.182446305284263 * sd / 2, rel_tol=1e-9)  # t(0.975, 3)


def test_common_random_numbers_make_paired_differences_exact() -> None:
    base = run_replications(binomial_model, 10, seed=8, workers=1)
    same = run_replications(binomial_model, 10, seed=8, workers=1)
    d = compare_runs(base, same).differences()["pass_rate"]
    assert d.mean == 0 and d.sd == 0
    reform = run_replications(functools.partial(binomial_model, p=0.7), 10, seed=8, workers=1)
    d = compare_runs(base, reform).differences()["pass_rate"]
    assert d.low > 0  # same uniforms, higher threshold → every replication passes more
