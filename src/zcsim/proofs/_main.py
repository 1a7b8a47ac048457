"""Run one proof group from the command line: ``python -m zcsim.proofs.<group>``."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(group: str, argv: Sequence[str] | None = None) -> int:
    """Check the properties of ``group`` through the ``zcsim verify`` command (same options)."""
    from zcsim.cli import main as cli

    args = ["verify", "--only", group, *(sys.argv[1:] if argv is None else argv)]
    try:
        cli(args, standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
