"""Expert pools and applicant lists, read from the CSV files an agency exports (Art. 7, 10).

``experts.csv``: ``id, employer, series, specialty, level, grassroots, central, non_public, young``
(booleans ``true``/``false``); ``applicants.csv``: ``id, employer, series, specialty, level``.
More columns are allowed and kept in ``extra``. Every problem is reported with the file, the line
and the column, and what was expected.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zcsim.errors import InputError
from zcsim.law import LEVELS

__all__ = [
    "CATEGORIES",
    "ExpertRecord",
    "ApplicantRecord",
    "Pool",
    "load_experts",
    "load_applicants",
    "read_csv",
    "CsvRow",
]

CATEGORIES: tuple[str, ...] = ("grassroots", "central", "non_public", "young")
"""Pool categories whose shares Art. 10 asks for (基层一线, 中央单位, 非公领域, 青年专家)."""

EXPERT_COLUMNS = ("id", "employer", "series", "specialty", "level", *CATEGORIES)
APPLICANT_COLUMNS = ("id", "employer", "series", "specialty", "level")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


@dataclass(frozen=True, slots=True)
class ExpertRecord:
    """One expert of the pool (one row of ``experts.csv``).

    Examples
    --------
    >>> e = ExpertRecord("E1", "ORG1", "engineering", "electrical", "senior", young=True)
    >>> e.categories
    ('young',)
    """

    id: str
    employer: str
    series: str
    specialty: str
    level: str
    grassroots: bool = False
    central: bool = False
    non_public: bool = False
    young: bool = False
    extra: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def categories(self) -> tuple[str, ...]:
        """The Art. 10 categories this expert belongs to."""
        return tuple(c for c in CATEGORIES if getattr(self, c))

    @property
    def level_rank(self) -> int:
        """0 junior, 1 intermediate, 2 senior."""
        return LEVELS.index(self.level)


@dataclass(frozen=True, slots=True)
class ApplicantRecord:
    """One applicant of a review round (one row of ``applicants.csv``)."""

    id: str
    employer: str
    series: str
    specialty: str
    level: str
    extra: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class CsvRow:
    """A row of a CSV file with where it came from, for error messages."""

    source: str
    line: int
    header: tuple[str, ...]
    values: dict[str, str]

    def error(self, column: str, message: str) -> InputError:
        """An :class:`InputError` naming the file, line and column."""
        col = self.header.index(column) + 1 if column in self.header else None
        where = f"line {self.line}, column {col} ({column})" if col else f"line {self.line}"
        return InputError(message, source=self.source, location=where)

    def get(self, column: str) -> str:
        return self.values.get(column, "")


def read_csv(path: str | Path, required: Sequence[str], *, what: str) -> Iterator[CsvRow]:
    """Yield the rows of a CSV file after checking its header.

    Raises
    ------
    InputError
        For an unreadable file, a missing column (naming it and the expected ones), a row with
        more fields than the header, or text that is not UTF-8.
    """
    src = str(path)
    try:
        fh = open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError(f"{what} file not found", source=src) from None
    except IsADirectoryError:
        raise InputError(f"{what} file expected, got a directory", source=src) from None
    except OSError as exc:
        raise InputError(f"cannot read {what} file: {exc.strerror}", source=src) from None
    with fh:
        reader = csv.reader(fh)
        try:
            header_row = next(reader, None)
            if header_row is None:
                raise InputError(f"empty file; expected a header line: {','.join(required)}", source=src, location="line 1")
            header = tuple(h.strip() for h in header_row)
            for col in required:
                if col not in header:
                    close = difflib.get_close_matches(col, header, n=1)
                    hint = f" ({close[0]!r} looks like a misspelling)" if close else ""
                    raise InputError(
                        f"missing column {col!r}{hint}; expected columns {', '.join(required)} (more are allowed)",
                        source=src, location="line 1")
            dupes = sorted({h for h in header if header.count(h) > 1})
            if dupes:
                raise InputError(f"column {dupes[0]!r} appears twice in the header", source=src, location="line 1")
            for fields in reader:
                if not fields or all(not f.strip() for f in fields):
                    continue
                if fields[0].lstrip().startswith("#"):
                    continue
                if len(fields) > len(header):
                    raise InputError(f"{len(fields)} fields but the header has {len(header)}",
                                     source=src, location=f"line {reader.line_num}")
                values = {h: (fields[i].strip() if i < len(fields) else "") for i, h in enumerate(header)}
                yield CsvRow(src, reader.line_num, header, values)
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", source=src) from None
        except csv.Error as exc:
            raise InputError(f"not valid CSV: {exc}", source=src, location=f"line {reader.line_num}") from None


def _bool(row: CsvRow, column: str) -> bool:
    text = row.get(column).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise row.error(column, f"expected true or false, got {row.get(column)!r}")


def _required(row: CsvRow, column: str) -> str:
    text = row.get(column)
    if not text:
        raise row.error(column, f"{column} is empty")
    return text


def _level(row: CsvRow) -> str:
    text = row.get("level").lower()
    if text not in LEVELS:
        close = difflib.get_close_matches(text, LEVELS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise row.error("level", f"got {row.get('level')!r}; expected one of {', '.join(LEVELS)}{hint}")
    return text


def _unique(rows: Iterable[CsvRow], what: str) -> Iterator[tuple[CsvRow, str]]:
    first: dict[str, int] = {}
    for row in rows:
        ident = _required(row, "id")
        if ident in first:
            raise row.error("id", f"duplicate {what} id {ident!r} (first on line {first[ident]})")
        first[ident] = row.line
        yield row, ident


def load_experts(path: str | Path) -> list[ExpertRecord]:
    """Read ``experts.csv``: ``id, employer, series, specialty, level, grassroots, central,
    non_public, young`` (more columns are kept in ``extra``).

    Raises
    ------
    InputError
        Naming the file, line and column of the first problem.
    """
    out = []
    for row, ident in _unique(read_csv(path, EXPERT_COLUMNS, what="experts"), "expert"):
        out.append(ExpertRecord(
            id=ident, employer=row.get("employer"), series=_required(row, "series"),
            specialty=row.get("specialty"), level=_level(row),
            **{c: _bool(row, c) for c in CATEGORIES},
            extra={k: v for k, v in row.values.items() if k not in EXPERT_COLUMNS},
        ))
    return out


def load_applicants(path: str | Path) -> list[ApplicantRecord]:
    """Read ``applicants.csv``: ``id, employer, series, specialty, level`` (more columns kept).

    Raises
    ------
    InputError
        Naming the file, line and column of the first problem.
    """
    out = []
    for row, ident in _unique(read_csv(path, APPLICANT_COLUMNS, what="applicants"), "applicant"):
        out.append(ApplicantRecord(
            id=ident, employer=row.get("employer"), series=_required(row, "series"),
            specialty=row.get("specialty"), level=_level(row),
            extra={k: v for k, v in row.values.items() if k not in APPLICANT_COLUMNS},
        ))
    return out


@dataclass(frozen=True)
class Pool:
    """An expert pool with lookups by id.

    Examples
    --------
    >>> pool = Pool([ExpertRecord("E1", "O", "engineering", "", "senior")])
    >>> pool["E1"].series, len(pool)
    ('engineering', 1)
    """

    experts: tuple[ExpertRecord, ...]

    def __init__(self, experts: Iterable[ExpertRecord]):
        object.__setattr__(self, "experts", tuple(experts))
        object.__setattr__(self, "_by_id", {e.id: e for e in self.experts})

    def __getitem__(self, expert_id: str) -> ExpertRecord:
        return self._by_id[expert_id]  # type: ignore[attr-defined]

    def __contains__(self, expert_id: object) -> bool:
        return expert_id in self._by_id  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self.experts)

    def __iter__(self) -> Iterator[ExpertRecord]:
        return iter(self.experts)

    def eligible(self, series: str, level: str, specialty: str | None = None) -> list[ExpertRecord]:
        """Experts who may sit on a committee of ``series`` (and ``specialty``) at ``level``:
        same series (no cross-series committees, Art. 7) and a title of at least that level
        ("具有相应等级职称的专家", Art. 7)."""
        rank = LEVELS.index(level)
        high_enough = set(LEVELS[rank:])  # level_rank >= rank
        return [e for e in self.experts
                if e.series == series and (e.level in high_enough or e.level_rank >= rank)
                and (specialty is None or e.specialty == specialty)]
