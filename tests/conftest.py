"""Shared fixtures: the repository's paths and the bundled example records."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "records"

# the default run is derandomized, so CI sees the same examples every time; the long profile explores
settings.register_profile("default", max_examples=200, deadline=None, derandomize=True)
settings.register_profile("long", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("ZCSIM_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def compliant_record() -> dict[str, Any]:
    """A fresh copy of examples/records/compliant.json as a dict."""
    return json.loads((EXAMPLES / "compliant.json").read_text(encoding="utf-8"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests run only with -m slow or ZCSIM_SLOW=1."""
    if os.environ.get("ZCSIM_SLOW") == "1" or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow or ZCSIM_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
