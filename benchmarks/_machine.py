"""What the benchmarks report about the machine, and pinning to one core (shared by the scripts)."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np

import zcsim


def machine() -> dict[str, Any]:
    """Platform, CPU model, core count, Python, numpy (with its BLAS) and zcsim versions."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = ""
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]  # type: ignore[index]
        blas = f" ({cfg.get('name')} {cfg.get('version')})"
    except Exception:  # noqa: BLE001 — informational only
        pass
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0] + f" ({platform.python_implementation()})",
        "numpy": np.__version__ + blas,
        "zcsim": zcsim.__version__,
    }
    try:
        import pydantic

        info["pydantic"] = pydantic.__version__
    except ImportError:  # pragma: no cover
        pass
    return info


def pin_one_core() -> int | None:
    """Run on a single CPU (the last one the process may use); return it."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def pin_and_report() -> tuple[dict[str, Any], int | None]:
    """Pin to one core, print the machine and the pinned CPU; return both for the result files."""
    info = machine()
    cpu = pin_one_core()
    print("machine:")
    for k, v in info.items():
        print(f"  {k:<10} {v}")
    print(f"  pinned to CPU {cpu}" if cpu is not None else "  (could not pin to one CPU)")
    return info, cpu
