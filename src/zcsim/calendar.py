"""Chinese statutory working days, for counting publicity periods.

The Measures require publicity periods of "不少于5个工作日" (at least five working days;
Art. 15 unit publicity, Art. 25 result publicity). A *working day* is a day on which the
statutory calendar has people at work: Monday to Friday, minus public holidays, plus the
State Council's adjusted working weekends (调休, e.g. Saturday 2025-10-11).

Official data comes from the ``chinesecalendar`` package (import name ``chinese_calendar``),
which covers a fixed range of years. A year outside that range is never guessed: it must be
declared by a user calendar file (``# covers: 2027``), otherwise every question about it
raises :class:`~zcsim.errors.CalendarError`. See ``docs/calendar.md``.

Counting convention: a period that *starts on* ``start`` counts ``start`` as day 1 if it is a
working day; the interval ``[start, end]`` is closed at both ends.

Examples
--------
>>> import datetime
>>> cal = default_calendar()
>>> cal.is_working_day(datetime.date(2025, 10, 11))
True
>>> cal.add_working_days(datetime.date(2025, 9, 29), 5)
datetime.date(2025, 10, 11)
"""

from __future__ import annotations

import codecs
import datetime
import functools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import chinese_calendar
import numpy as np

from zcsim._files import decode_utf8, read_user_bytes
from zcsim.errors import CalendarError

__all__ = [
    "WorkingCalendar",
    "default_calendar",
]


# ---------------------------------------------------------------------------------------------
# What the installed chinesecalendar package covers
# ---------------------------------------------------------------------------------------------


def _package_version() -> str:
    version = getattr(chinese_calendar, "__version__", None)
    if isinstance(version, str) and version:
        return version
    try:
        from importlib.metadata import version as _dist_version

        return _dist_version("chinesecalendar")
    except Exception:  # pragma: no cover - metadata missing
        return "(unknown version)"


def _probe_years() -> tuple[int, int]:  # pragma: no cover - only if constants are unusable
    covered = []
    for year in range(1990, 2101):
        try:
            chinese_calendar.is_workday(datetime.date(year, 1, 1))
        except NotImplementedError:
            continue
        covered.append(year)
    if not covered:
        return (0, -1)
    return (min(covered), max(covered))


def _package_tables() -> tuple[dict, dict] | None:
    """Return the package's ``(holidays, workdays)`` dicts, or ``None`` if unavailable."""
    try:
        from chinese_calendar.constants import holidays, workdays
    except ImportError:  # pragma: no cover - package layout changed
        return None
    if not isinstance(holidays, Mapping) or not isinstance(workdays, Mapping) or not holidays:
        return None  # pragma: no cover
    return holidays, workdays


_PACKAGE_VERSION = _package_version()
_PACKAGE_DATA = _package_tables()
if _PACKAGE_DATA is not None:
    # The same rule chinese_calendar uses to decide what it supports.
    _PACKAGE_MIN = min(_PACKAGE_DATA[0]).year
    _PACKAGE_MAX = max(_PACKAGE_DATA[0]).year
else:  # pragma: no cover
    _PACKAGE_MIN, _PACKAGE_MAX = _probe_years()


def _package_covers(year: int) -> bool:
    return _PACKAGE_MIN <= year <= _PACKAGE_MAX


# ---------------------------------------------------------------------------------------------
# Per-year tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Year:
    """Working-day table of one year.

    ``mask[i]`` says whether day ``i`` (0 = 1 January) is a working day; ``cum[i]`` is the
    number of working days among days ``0 .. i-1`` (so ``cum`` has one more entry than
    ``mask``). ``known`` is ``None`` when every day is answerable (a covered year), else a
    boolean array marking the days that single-day overrides answer in an uncovered year.
    """

    year: int
    mask: np.ndarray
    cum: np.ndarray
    known: np.ndarray | None

    def first_unknown(self, lo: int, hi: int) -> int | None:
        """Index of the first unanswerable day in ``[lo, hi)``, or ``None``."""
        if self.known is None or hi <= lo:
            return None
        missing = np.flatnonzero(~self.known[lo:hi])
        return int(missing[0]) + lo if missing.size else None


def _days_in_year(year: int) -> int:
    return 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365


def _weekday_mask(year: int) -> np.ndarray:
    n = _days_in_year(year)
    first = datetime.date(year, 1, 1).weekday()
    return ((np.arange(n) + first) % 7) < 5


def _package_mask(year: int) -> np.ndarray:
    mask = _weekday_mask(year)
    jan1 = datetime.date(year, 1, 1).toordinal()
    if _PACKAGE_DATA is not None:
        holidays, workdays = _PACKAGE_DATA
        for d in holidays:
            if d.year == year:
                mask[d.toordinal() - jan1] = False
        for d in workdays:
            if d.year == year:
                mask[d.toordinal() - jan1] = True
        return mask
    for i in range(mask.size):  # pragma: no cover - fallback on the public API
        mask[i] = chinese_calendar.is_workday(datetime.date.fromordinal(jan1 + i))
    return mask


def _as_date(d: object, name: str = "d") -> datetime.date:
    if isinstance(d, datetime.datetime):
        return d.date()
    if isinstance(d, datetime.date):
        return d
    raise TypeError(f"{name} must be a datetime.date, got {type(d).__name__}")


# ---------------------------------------------------------------------------------------------
# Calendar file parsing
# ---------------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COVERS = re.compile(r"#\s*covers\s*:(.*)", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def _parse_calendar_text(text: str, source: str) -> tuple[dict[datetime.date, bool], set[int]]:
    """Parse the text of a calendar file into ``(days, covered_years)``."""
    days: dict[datetime.date, bool] = {}
    first_seen: dict[datetime.date, int] = {}
    covered: set[int] = set()
    header_seen = False
    n = 0
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = _COVERS.fullmatch(line)
            if m is not None:
                items = [item.strip() for item in m.group(1).split(",")]
                bad = [item for item in items
                       if not _YEAR.fullmatch(item) or not datetime.MINYEAR <= int(item) <= datetime.MAXYEAR]
                if bad or not items:
                    raise CalendarError(
                        "expected '# covers: YEAR[, YEAR ...]' with 4-digit years, "
                        f"got {line!r}",
                        source=source,
                        location=f"line {n}",
                    )
                covered.update(int(item) for item in items)
            continue
        fields = [f.strip() for f in line.split(",")]
        if not header_seen:
            if [f.lower() for f in fields] != ["date", "working"]:
                raise CalendarError(
                    f"expected the header 'date,working', got {line!r}",
                    source=source,
                    location=f"line {n}",
                )
            header_seen = True
            continue
        if len(fields) != 2:
            raise CalendarError(
                f"expected 2 comma-separated fields 'date,working', got {len(fields)} in {line!r}",
                source=source,
                location=f"line {n}",
            )
        date_text, working_text = fields
        day: datetime.date | None = None
        if _ISO_DATE.fullmatch(date_text):
            try:
                day = datetime.date.fromisoformat(date_text)
            except ValueError:
                day = None
        if day is None:
            raise CalendarError(
                f"expected an ISO date YYYY-MM-DD, got {date_text!r}",
                source=source,
                location=f"line {n}",
            )
        flag = working_text.lower()
        if flag in _TRUE:
            working = True
        elif flag in _FALSE:
            working = False
        else:
            raise CalendarError(
                f"expected working = true/false (or 1/0, yes/no), got {working_text!r}",
                source=source,
                location=f"line {n}",
            )
        if day in days:
            raise CalendarError(
                f"{day.isoformat()} is listed twice (first on line {first_seen[day]})",
                source=source,
                location=f"line {n}",
            )
        days[day] = working
        first_seen[day] = n
    if not header_seen:
        raise CalendarError(
            "expected the header 'date,working', found no header line",
            source=source,
            location=f"line {max(n, 1)}",
        )
    return days, covered


# ---------------------------------------------------------------------------------------------
# The calendar
# ---------------------------------------------------------------------------------------------


class WorkingCalendar:
    """Answer working-day questions for Chinese statutory working days.

    A day is decided, in order, by: a single-day override (``overrides`` or a day listed in a
    calendar file); for a year declared covered by a calendar file, the weekday rule
    (Monday–Friday working); otherwise the ``chinesecalendar`` package. A year covered by
    neither raises :class:`~zcsim.errors.CalendarError` — it is never silently treated as
    "weekdays only".

    Parameters
    ----------
    overrides : Mapping[datetime.date, bool], optional
        Single days to force working (``True``) or off (``False``). An override in a year
        nobody covers answers that day only; other days of that year still raise.
    covered_years : Iterable[int], optional
        Years fully described by the caller (keyword only; normally set by
        :meth:`from_file`): every day not in ``overrides`` is decided by weekday. A covered
        year replaces the package's data for that year.
    source : str, optional
        Where the overrides came from (a file path), used in error messages.

    Examples
    --------
    >>> import datetime
    >>> cal = WorkingCalendar({datetime.date(2025, 10, 13): False})
    >>> cal.is_working_day(datetime.date(2025, 10, 13))
    False
    """

    __slots__ = ("_overrides", "_covered_years", "_source", "_years")

    def __init__(
        self,
        overrides: Mapping[datetime.date, bool] | None = None,
        *,
        covered_years: Iterable[int] = (),
        source: str | None = None,
    ) -> None:
        clean: dict[datetime.date, bool] = {}
        for key, value in (overrides or {}).items():
            day = _as_date(key, "override key")
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(
                    f"override for {day.isoformat()} must be a bool, got {type(value).__name__}"
                )
            clean[day] = bool(value)
        years: set[int] = set()
        for year in covered_years:
            if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
                raise TypeError(f"covered year must be an int, got {type(year).__name__}")
            if not datetime.MINYEAR <= int(year) <= datetime.MAXYEAR:
                raise ValueError(f"covered year {year} is outside {datetime.MINYEAR}–{datetime.MAXYEAR}")
            years.add(int(year))
        self._overrides: dict[datetime.date, bool] = clean
        self._covered_years: frozenset[int] = frozenset(years)
        self._source = source
        self._years: dict[int, _Year] = {}

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> WorkingCalendar:
        """Load a calendar file (CSV ``date,working`` with ``# covers: YEAR`` lines).

        Parameters
        ----------
        path : str or os.PathLike
            The calendar file; format in ``docs/calendar.md``.

        Returns
        -------
        WorkingCalendar
            A calendar whose covered years are those the file declares and whose listed days
            override everything else.

        Raises
        ------
        CalendarError
            If the file is missing or unreadable, or a line is malformed (the error names the
            line and what was expected).

        Examples
        --------
        >>> import pathlib, tempfile
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "cal.csv"
        >>> _ = f.write_text("# covers: 2027\\ndate,working\\n2027-01-01,false\\n")
        >>> cal = WorkingCalendar.from_file(f)
        >>> cal.covers(2027), cal.is_working_day(datetime.date(2027, 1, 1))
        (True, False)
        """
        source = os.fspath(path)
        # a regular file only, read once and capped: a FIFO would block, /dev/zero fill memory
        data = read_user_bytes(source, "calendar", error=CalendarError)
        text = decode_utf8(data.removeprefix(codecs.BOM_UTF8), source, "calendar", error=CalendarError)
        days, covered = _parse_calendar_text(text, source)
        return cls(days, covered_years=covered, source=source)

    # -- introspection ------------------------------------------------------------------------

    def covers(self, year: int) -> bool:
        """Whether every day of ``year`` can be answered.

        Parameters
        ----------
        year : int
            Calendar year.

        Returns
        -------
        bool
            True if the year is declared by a calendar file or covered by ``chinesecalendar``.
            Single-day overrides alone do not make a year covered.

        Examples
        --------
        >>> default_calendar().covers(2025), default_calendar().covers(2099)
        (True, False)
        """
        return year in self._covered_years or _package_covers(year)

    def __repr__(self) -> str:
        parts = []
        if self._source is not None:
            parts.append(f"source={self._source!r}")
        if self._covered_years:
            parts.append(f"covered_years={sorted(self._covered_years)}")
        if self._overrides:
            parts.append(f"overrides={len(self._overrides)}")
        return f"WorkingCalendar({', '.join(parts)})"

    # -- tables -------------------------------------------------------------------------------

    def _uncovered(self, year: int) -> CalendarError:
        message = (
            f"{year} is not covered by chinesecalendar {_PACKAGE_VERSION} "
            f"(covers {_PACKAGE_MIN}–{_PACKAGE_MAX})"
        )
        if self._source is not None:
            message += f" nor declared by this calendar file ('# covers: {year}')"
        message += "; supply a calendar file with --calendar FILE (format: docs/calendar.md)"
        return CalendarError(message, source=self._source)

    def _table(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is not None:
            return table
        if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
            raise CalendarError(f"counting reaches the year {year}, past the last date zcsim can hold "
                                f"({datetime.MAXYEAR}-12-31); give an earlier date or fewer working days",
                                source=self._source)
        known: np.ndarray | None = None
        if year in self._covered_years:
            mask = _weekday_mask(year)
        elif _package_covers(year):
            mask = _package_mask(year)
        else:
            mask = np.zeros(_days_in_year(year), dtype=bool)
            known = np.zeros(mask.size, dtype=bool)
        jan1 = datetime.date(year, 1, 1).toordinal()
        for day, working in self._overrides.items():
            if day.year == year:
                mask[day.toordinal() - jan1] = working
                if known is not None:
                    known[day.toordinal() - jan1] = True
        if known is not None and not known.any():
            raise self._uncovered(year)
        cum = np.zeros(mask.size + 1, dtype=np.int64)
        np.cumsum(mask, out=cum[1:])
        mask.setflags(write=False)
        cum.setflags(write=False)
        if known is not None:
            known.setflags(write=False)
        table = _Year(year, mask, cum, known)
        self._years[year] = table
        return table

    def _check_known(self, table: _Year, lo: int, hi: int) -> None:
        if table.first_unknown(lo, hi) is not None:
            raise self._uncovered(table.year)

    # -- questions ----------------------------------------------------------------------------

    def is_working_day(self, d: datetime.date) -> bool:
        """Whether ``d`` is a statutory working day.

        Parameters
        ----------
        d : datetime.date
            The day.

        Returns
        -------
        bool
            True on working days (including adjusted working weekends), False on weekends and
            public holidays.

        Raises
        ------
        CalendarError
            If the year of ``d`` is covered neither by the package nor by a calendar file
            (and ``d`` is not a single-day override).

        Examples
        --------
        >>> import datetime
        >>> default_calendar().is_working_day(datetime.date(2025, 10, 1))
        False
        """
        d = _as_date(d)
        override = self._overrides.get(d)
        if override is not None:
            return override
        table = self._table(d.year)
        i = d.toordinal() - datetime.date(d.year, 1, 1).toordinal()
        self._check_known(table, i, i + 1)
        return bool(table.mask[i])

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Number of working days in the closed interval ``[start, end]``.

        Parameters
        ----------
        start, end : datetime.date
            First and last day, both included.

        Returns
        -------
        int
            The count; 0 if ``end < start``.

        Raises
        ------
        CalendarError
            If the interval touches a day nobody covers.

        Examples
        --------
        >>> import datetime
        >>> default_calendar().working_days_between(
        ...     datetime.date(2025, 9, 29), datetime.date(2025, 10, 11))
        5
        """
        start = _as_date(start, "start")
        end = _as_date(end, "end")
        if end < start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            table = self._table(year)
            jan1 = datetime.date(year, 1, 1).toordinal()
            lo = start.toordinal() - jan1 if year == start.year else 0
            hi = end.toordinal() - jan1 + 1 if year == end.year else table.mask.size
            self._check_known(table, lo, hi)
            total += int(table.cum[hi] - table.cum[lo])
        return total

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """Last day of a period of ``n`` working days that starts on ``start``.

        ``start`` counts as day 1 if it is a working day; otherwise counting begins at the
        next working day. The result is the ``n``-th working day on or after ``start``.

        Parameters
        ----------
        start : datetime.date
            First day of the period.
        n : int
            Number of working days, at least 1.

        Returns
        -------
        datetime.date
            The ``n``-th working day counting from ``start`` inclusive (always a working day).

        Raises
        ------
        ValueError
            If ``n < 1``.
        CalendarError
            If counting reaches a day nobody covers.

        Examples
        --------
        >>> import datetime
        >>> default_calendar().add_working_days(datetime.date(2025, 9, 29), 5)
        datetime.date(2025, 10, 11)
        """
        start = _as_date(start, "start")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        remaining = int(n)
        year = start.year
        lo = start.toordinal() - datetime.date(year, 1, 1).toordinal()
        while True:
            table = self._table(year)
            available = int(table.cum[-1] - table.cum[lo])
            if available >= remaining:
                target = table.cum[lo] + remaining
                # cum[j + 1] == target first happens at the day j that is the target-th working day.
                j = int(np.searchsorted(table.cum, target, side="left")) - 1
                self._check_known(table, lo, j + 1)
                return datetime.date.fromordinal(datetime.date(year, 1, 1).toordinal() + j)
            self._check_known(table, lo, table.mask.size)
            remaining -= available
            year += 1
            lo = 0

    def next_working_day(self, d: datetime.date) -> datetime.date:
        """``d`` itself if it is a working day, else the next working day.

        Parameters
        ----------
        d : datetime.date
            The day.

        Returns
        -------
        datetime.date
            The first working day on or after ``d``.

        Examples
        --------
        >>> import datetime
        >>> default_calendar().next_working_day(datetime.date(2025, 10, 1))
        datetime.date(2025, 10, 9)
        """
        return self.add_working_days(d, 1)

    def period_satisfied(
        self, start: datetime.date, end: datetime.date, min_working_days: int
    ) -> bool:
        """Whether a period from ``start`` to ``end`` (inclusive) has enough working days.

        Parameters
        ----------
        start, end : datetime.date
            First and last day of the period, both included.
        min_working_days : int
            Required number of working days (e.g. 5 for "不少于5个工作日"); must be >= 0.

        Returns
        -------
        bool
            True iff ``working_days_between(start, end) >= min_working_days``.

        Raises
        ------
        ValueError
            If ``min_working_days < 0``.
        CalendarError
            If the period touches a day nobody covers.

        Examples
        --------
        >>> import datetime
        >>> cal = default_calendar()
        >>> cal.period_satisfied(datetime.date(2025, 9, 29), datetime.date(2025, 10, 10), 5)
        False
        """
        if isinstance(min_working_days, bool) or not isinstance(min_working_days, (int, np.integer)):
            raise TypeError(f"min_working_days must be an int, got {type(min_working_days).__name__}")
        if min_working_days < 0:
            raise ValueError(f"min_working_days must be >= 0, got {min_working_days}")
        return self.working_days_between(start, end) >= min_working_days


@functools.cache
def default_calendar() -> WorkingCalendar:
    """The shared calendar with no overrides (package data only).

    Returns
    -------
    WorkingCalendar
        A cached singleton; treat it as read-only.

    Examples
    --------
    >>> default_calendar() is default_calendar()
    True
    """
    return WorkingCalendar()
