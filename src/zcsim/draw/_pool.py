"""Expert pools and applicant lists, read from the CSV files an agency exports (Art. 7, 10).

``experts.csv``: ``id, employer, series, specialty, level, grassroots, central, non_public, young``
(booleans ``true``/``false``) and an optional ``status`` column: ``active`` (also when blank or
absent) or ``removed`` (the expert's qualification cancelled, 取消评审专家资格, Art. 44: counted
apart by the pool check and never drawn); ``applicants.csv``: ``id, employer, series, specialty, level``.
More columns are allowed and kept in ``extra``. Every problem is reported with the file, the line
and the column, and what was expected.

How every CSV table is read (:class:`CsvTable`, shared with ``relations.csv``):

- once, whole (so a pipe such as ``<(cat f.csv)``, ``/dev/stdin`` or ``-`` for standard input
  works), at most :data:`zcsim._files.MAX_INPUT_BYTES`;
- in UTF-8 (with or without a byte-order mark) or GB18030/GBK, detected, or as ``--encoding``
  says (:func:`zcsim._files.decode_table`); the encoding used is reported (:class:`TableInfo`);
- blank lines are skipped, and so is a *comment*: a line whose first field starts with
  :data:`COMMENT_PREFIX` (``#``). Both are counted; a comment that would read as a data row
  (``#A9,E13,spouse``) is warned about, as it silently drops data;
- every id (``id``, ``employer``, a relation's ``source`` and ``target``) is normalised by
  :func:`normalise_id`: Unicode NFKC (a full-width ``Ｅ13`` is ``E13``) and surrounding blanks
  stripped; case is kept (``E13`` and ``e13`` are different ids).
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zcsim._files import STDIN, decode_table, read_user_bytes
from zcsim.errors import InputError
from zcsim.law import LEVELS
from zcsim.procedure.pool import STATUSES

__all__ = [
    "CATEGORIES",
    "ExpertRecord",
    "ApplicantRecord",
    "Pool",
    "load_experts",
    "load_applicants",
    "read_csv",
    "CsvRow",
    "CsvTable",
    "TableInfo",
    "DataWarning",
    "COMMENT_PREFIX",
    "read_table",
    "read_people",
    "People",
    "normalise_id",
]

CATEGORIES: tuple[str, ...] = ("grassroots", "central", "non_public", "young")
"""Pool categories whose shares Art. 10 asks for (基层一线, 中央单位, 非公领域, 青年专家)."""

EXPERT_COLUMNS = ("id", "employer", "series", "specialty", "level", *CATEGORIES)
APPLICANT_COLUMNS = ("id", "employer", "series", "specialty", "level")
COMMENT_PREFIX = "#"
"""A CSV line whose first field starts with this (after blanks) is a comment: skipped, counted in
:class:`TableInfo`, and warned about when the rest of it reads as a data row."""

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
    status: str = "active"
    """``active``, or ``removed`` from the pool (取消评审专家资格, Art. 44): never drawn."""
    extra: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def removed(self) -> bool:
        """Whether the expert is removed from the pool (Art. 44)."""
        return self.status == "removed"

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


def normalise_id(text: str) -> str:
    """An id as zcsim compares it: Unicode NFKC (full-width ``Ｅ１３`` is ``E13``, a compatibility
    character is its plain form), surrounding blanks stripped; case is kept.

    Examples
    --------
    >>> normalise_id(" Ｅ１３ "), normalise_id("e13")
    ('E13', 'e13')
    """
    if text.isascii():
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


@dataclass(frozen=True, slots=True)
class DataWarning:
    """Contradictory or suspicious data that was kept (or skipped) rather than rejected.

    Examples
    --------
    >>> str(DataWarning("relations.csv", 7, "self-relation: X spouse X; ignored"))
    'relations.csv: line 7: self-relation: X spouse X; ignored'
    """

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: line {self.line}" if self.line is not None else self.source
        return f"{where}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        """``{"file", "line", "message"}``."""
        return {"file": self.source, "line": self.line, "message": self.message}


@dataclass(slots=True)
class TableInfo:
    """How one CSV input was read, for the command's summary and ``--json``.

    ``rows`` counts data rows; ``blank`` and ``comments`` the lines skipped (blank lines, and
    lines whose first field starts with :data:`COMMENT_PREFIX`).

    Examples
    --------
    >>> str(TableInfo("relations.csv", "relations", "gb18030", rows=29, comments=1))
    'read relations.csv: 29 rows, gb18030; skipped 1 comment line'
    """

    source: str
    what: str
    encoding: str
    rows: int = 0
    blank: int = 0
    comments: int = 0

    def __str__(self) -> str:
        text = f"read {self.source}: {self.rows} row{'s' if self.rows != 1 else ''}, {self.encoding}"
        skipped = [f"{n} {label} line{'s' if n != 1 else ''}" for n, label in ((self.blank, "blank"),
                                                                               (self.comments, "comment")) if n]
        return text + ("; skipped " + " and ".join(skipped) if skipped else "")

    def as_json(self) -> dict[str, Any]:
        """``{"file", "what", "encoding", "rows", "skipped_blank", "skipped_comments"}``."""
        return {"file": self.source, "what": self.what, "encoding": self.encoding, "rows": self.rows,
                "skipped_blank": self.blank, "skipped_comments": self.comments}


@dataclass
class CsvTable:
    """The decoded text of one CSV input, read once, with how it was read.

    ``info`` gets its counts while the rows are read (:func:`read_csv`); ``warnings`` the
    :class:`DataWarning` of comment lines that look like data rows.

    Examples
    --------
    >>> t = CsvTable("t.csv", "experts", "id,level\\n# a note\\n\\nE1,senior\\n", "utf-8")
    >>> [r.get("id") for r in read_csv(t, ("id",), what="experts")], str(t.info)
    (['E1'], 'read t.csv: 1 row, utf-8; skipped 1 blank line and 1 comment line')
    """

    source: str
    what: str
    text: str
    encoding: str
    info: TableInfo = field(init=False)
    warnings: list[DataWarning] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.info = TableInfo(self.source, self.what, self.encoding)

    def reader(self) -> Any:
        """A :func:`csv.reader` over the text, from its start: the counts of ``info`` and the
        ``warnings`` start anew, so a table read twice counts once."""
        self.info.rows = self.info.blank = self.info.comments = 0
        self.warnings.clear()
        return csv.reader(io.StringIO(self.text, newline=""))

    def comment(self, line: int, looks_like: str | None) -> None:
        """Count a comment line; warn when it reads as a data row (``looks_like`` names the row kind)."""
        self.info.comments += 1
        if looks_like is not None:
            self.warnings.append(DataWarning(
                self.source, line, f"skipped as a comment (its first field starts with {COMMENT_PREFIX!r}) but it "
                                   f"reads as {looks_like}; remove the {COMMENT_PREFIX!r} to use it"))


def read_table(path: str | Path | CsvTable, what: str, *, encoding: str | None = None) -> CsvTable:
    """Read a CSV input once: a file, a pipe, or ``-`` for standard input; decode it (UTF-8 with
    or without BOM, GB18030/GBK, detected, or ``encoding``). A :class:`CsvTable` is returned as is.

    Raises
    ------
    InputError
        An unreadable, non-regular (a device) or too large file, or text in neither encoding
        (or ambiguous between them), naming the file and line.
    """
    if isinstance(path, CsvTable):
        return path
    src = str(path)
    data = read_user_bytes(path, what, stream_ok=True)
    name = "<stdin>" if src == STDIN else src
    text, used = decode_table(data, name, what, encoding)
    return CsvTable(name, what, text, used)


def _comment_body(fields: list[str]) -> list[str]:
    """The fields of a comment line with its ``#`` taken off (to tell whether it reads as data)."""
    first = fields[0].lstrip()[len(COMMENT_PREFIX):]
    return [first, *fields[1:]]


def _person_like(values: Mapping[str, str]) -> bool:
    return bool(values.get("id")) and values.get("level", "").lower() in LEVELS


def read_csv(path: str | Path | CsvTable, required: Sequence[str], *, what: str,
             encoding: str | None = None,
             looks_like: Callable[[Mapping[str, str]], bool] | None = _person_like) -> Iterator[CsvRow]:
    """Yield the rows of a CSV input (a path read once by :func:`read_table`, or a
    :class:`CsvTable`) after checking its header; values are stripped.

    Blank lines and comment lines (:data:`COMMENT_PREFIX`) are skipped and counted in the
    table's :class:`TableInfo`; a comment for which ``looks_like`` holds (its values with the
    ``#`` taken off) adds a warning to the table.

    Raises
    ------
    InputError
        For an unreadable file, a missing column (naming it and the expected ones), a row with
        more fields than the header, or text that is not in a table encoding.
    """
    table = read_table(path, what, encoding=encoding)
    src, info = table.source, table.info
    reader = table.reader()
    try:
        header = _header(reader, required, src)
        width = len(header)
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                info.blank += 1
                continue
            if fields[0].lstrip().startswith(COMMENT_PREFIX):
                body = _comment_body(fields)
                data_like = (looks_like is not None and len(body) <= width
                             and looks_like({h: (body[i].strip() if i < len(body) else "") for i, h in enumerate(header)}))
                table.comment(reader.line_num, f"a row of {what}" if data_like else None)
                continue
            if len(fields) > width:
                raise InputError(f"{len(fields)} fields but the header has {width}",
                                 source=src, location=f"line {reader.line_num}")
            values = {h: (fields[i].strip() if i < len(fields) else "") for i, h in enumerate(header)}
            info.rows += 1
            yield CsvRow(src, reader.line_num, header, values)
    except csv.Error as exc:
        raise InputError(f"not valid CSV: {exc}", source=src, location=f"line {reader.line_num}") from None


def _header(reader: Any, required: Sequence[str], src: str) -> tuple[str, ...]:
    """The checked header line: every ``required`` column present, none twice."""
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
    return header


def _bool(row: CsvRow, column: str) -> bool:
    text = row.get(column).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise row.error(column, f"expected true or false, got {row.get(column)!r}")


EXPERT_STATUSES: tuple[str, ...] = STATUSES
"""Values of the optional ``status`` column of ``experts.csv`` (blank = ``active``; Art. 44)."""


def _status(row: CsvRow) -> str:
    text = row.get("status").lower()
    if not text:
        return "active"
    if text not in EXPERT_STATUSES:
        close = difflib.get_close_matches(text, EXPERT_STATUSES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise row.error("status", f"got {row.get('status')!r}; expected active, removed (an expert whose "
                                  f"qualification is cancelled, Art. 44) or blank (= active){hint}")
    return text


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
        ident = normalise_id(_required(row, "id"))
        if ident in first:
            raise row.error("id", f"duplicate {what} id {ident!r} (first on line {first[ident]})")
        first[ident] = row.line
        yield row, ident


@dataclass(frozen=True)
class People:
    """The records of ``experts.csv`` or ``applicants.csv`` with where each came from.

    ``lines`` maps an id to its line, ``table`` is the :class:`CsvTable` read (its ``info`` says
    how).
    """

    which: str
    records: list[Any]
    lines: dict[str, int]
    header: tuple[str, ...]
    table: CsvTable

    def error(self, ident: str, column: str, message: str) -> InputError:
        """An :class:`InputError` naming the line and column of ``ident``'s row."""
        row = CsvRow(self.table.source, self.lines.get(ident, 0), self.header, {})
        if ident not in self.lines:
            return InputError(message, source=self.table.source, location=f"id {ident} ({column})")
        return row.error(column, message)


def read_people(path: str | Path | CsvTable, which: str, *, encoding: str | None = None) -> People:
    """Read ``experts.csv`` (``which="experts"``) or ``applicants.csv`` (``"applicants"``) once,
    into :class:`People`. See :func:`load_experts` and :func:`load_applicants`.

    Raises
    ------
    InputError
        Naming the file, line and column of the first problem.
    """
    table = read_table(path, which, encoding=encoding)
    expert = which == "experts"
    columns = EXPERT_COLUMNS if expert else APPLICANT_COLUMNS
    out: list[Any] = []
    lines: dict[str, int] = {}
    header: tuple[str, ...] = ()
    for row, ident in _unique(read_csv(table, columns, what=which), which[:-1]):
        header = row.header
        lines[ident] = row.line
        common = {"id": ident, "employer": normalise_id(row.get("employer")), "series": _required(row, "series"),
                  "specialty": row.get("specialty"), "level": _level(row),
                  "extra": {k: v for k, v in row.values.items() if k not in columns and not (expert and k == "status")}}
        out.append(ExpertRecord(**common, **{c: _bool(row, c) for c in CATEGORIES}, status=_status(row)) if expert
                   else ApplicantRecord(**common))
    return People(which, out, lines, header, table)


def load_experts(path: str | Path | CsvTable, *, encoding: str | None = None) -> list[ExpertRecord]:
    """Read ``experts.csv``: ``id, employer, series, specialty, level, grassroots, central,
    non_public, young`` and optionally ``status`` (``active``/blank or ``removed``, Art. 44; any
    other value is an error naming the line); more columns are kept in ``extra``; read once as :func:`read_table`
    says (a pipe or ``-`` too; UTF-8 or GB18030, detected unless ``encoding``); ids are
    normalised (:func:`normalise_id`).

    Raises
    ------
    InputError
        Naming the file, line and column of the first problem.
    """
    return read_people(path, "experts", encoding=encoding).records


def load_applicants(path: str | Path | CsvTable, *, encoding: str | None = None) -> list[ApplicantRecord]:
    """Read ``applicants.csv``: ``id, employer, series, specialty, level`` (more columns kept),
    as :func:`load_experts` reads its file.

    Raises
    ------
    InputError
        Naming the file, line and column of the first problem.
    """
    return read_people(path, "applicants", encoding=encoding).records


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

    def in_scope(self, series: str, level: str, specialty: str | None = None) -> list[ExpertRecord]:
        """Experts of ``series`` (and ``specialty``) with a title of at least ``level``, removed
        ones included (the pool check counts them apart, Art. 44)."""
        rank = LEVELS.index(level)
        high_enough = set(LEVELS[rank:])  # level_rank >= rank
        return [e for e in self.experts
                if e.series == series and (e.level in high_enough or e.level_rank >= rank)
                and (specialty is None or e.specialty == specialty)]

    def eligible(self, series: str, level: str, specialty: str | None = None) -> list[ExpertRecord]:
        """Experts who may sit on a committee of ``series`` (and ``specialty``) at ``level``:
        same series (no cross-series committees, Art. 7), a title of at least that level
        ("具有相应等级职称的专家", Art. 7), and not removed from the pool (Art. 44).

        >>> pool = Pool([ExpertRecord("E1", "O", "s", "", "senior"),
        ...              ExpertRecord("E2", "O", "s", "", "senior", status="removed")])
        >>> [e.id for e in pool.eligible("s", "senior")]
        ['E1']
        """
        return [e for e in self.in_scope(series, level, specialty) if not e.removed]
