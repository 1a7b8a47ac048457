"""Assertions shared by the CLI tests (imported by name: pytest puts tests/ on the path)."""

from __future__ import annotations


def one_error(code: int, err: str, *needles: str) -> str:
    """Exit 2 and exactly one ``zcsim: error:`` line holding every needle; returns that line."""
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("zcsim: error: "), err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]
