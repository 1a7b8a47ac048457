"""Seeds: every random draw comes from a numpy Generator seeded through a SeedSequence."""

from __future__ import annotations

from typing import Any

import numpy as np

from zcsim.errors import InputError

__all__ = ["Seed", "MAX_SEED", "seed_sequence", "child", "generator", "seed_json"]

Seed = int | np.random.SeedSequence

MAX_SEED = 2**63 - 1
"""Largest seed zcsim takes, for a draw or a simulation (``--seed``, ``simulation.seed``, a manifest's
``seed``): a signed 64-bit integer, as tables and the tools that read them store it."""


def seed_sequence(seed: Seed) -> np.random.SeedSequence:
    """A SeedSequence from an int seed (or the SeedSequence itself)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or a numpy SeedSequence, got {type(seed).__name__}")
    if not 0 <= int(seed) <= MAX_SEED:
        raise InputError(f"seed {int(seed)}; expected a whole number 0..{MAX_SEED} (MAX_SEED)", location="seed")
    return np.random.SeedSequence(int(seed))


def child(ss: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """The ``i``-th child of ``ss``, as ``ss.spawn`` would make it on a fresh ``ss``, without
    advancing ``ss`` (so passing the same SeedSequence twice gives the same draw)."""
    return np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, i), pool_size=ss.pool_size)


def generator(ss: np.random.SeedSequence) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(ss))


def seed_json(seed: Seed) -> Any:
    """The seed as JSON: the int, or ``{"entropy", "spawn_key"}`` for a SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return int(seed)
