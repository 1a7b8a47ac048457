"""Typed errors of zcsim.

Every error zcsim raises on purpose derives from :class:`ZcsimError`, and each subclass also
derives from the nearest builtin (``ValueError`` …) so callers can catch either. An error says
*what* was wrong, *where* (file, line, field or key) and *what was expected*; the CLI turns any
``ZcsimError`` into one line on stderr and exit status 2.
"""

from __future__ import annotations

__all__ = [
    "ZcsimError",
    "RuleSetError",
    "RecordError",
    "CalendarError",
    "InputError",
]


class ZcsimError(Exception):
    """Root of every error zcsim raises on purpose."""


class InputError(ZcsimError, ValueError):
    """A user-supplied file or value is unreadable or malformed.

    Parameters
    ----------
    message : str
        What was wrong and what was expected.
    source : str, optional
        The file (or other origin) of the bad input.
    location : str, optional
        The field path, key or ``line N`` inside ``source``.
    """

    def __init__(self, message: str, *, source: str | None = None, location: str | None = None):
        self.message = message
        self.source = source
        self.location = location
        super().__init__(self._render())

    def _render(self) -> str:
        where = ": ".join(p for p in (self.source, self.location) if p)
        return f"{where}: {self.message}" if where else self.message


class RuleSetError(InputError):
    """A rule set, a rule file or a ``--set KEY=VALUE`` override is invalid."""


class RecordError(InputError):
    """A meeting record is unreadable or does not follow the ``zcsim.meeting/1`` format."""


class CalendarError(InputError):
    """A working-day question cannot be answered (year not covered, bad calendar file)."""
