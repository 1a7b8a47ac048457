"""The relationship graph behind recusal (Art. 29): people, organisations, typed and dated relations.

The graph is a :class:`networkx.MultiDiGraph` built from the CSV files an agency can export:

- ``experts.csv`` and ``applicants.csv`` (read by :func:`zcsim.draw.load_experts` and
  :func:`zcsim.draw.load_applicants`); their ``employer`` column is shorthand for a current
  ``works_at`` relation without dates;
- ``relations.csv``: ``source, target, type, since, until``, one relation a line. ``since`` and
  ``until`` are a year (``2019``: since 1 January, until 31 December of that year) or an ISO date
  (``2019-03-15``); either may be empty (open-ended).

Nodes are ids. A person node has ``kind="person"`` and the flags ``expert`` and ``applicant``
(an id in both files is one person with both roles); an organisation has
``kind="organisation"``. Each edge has the attributes ``type`` (one of :data:`EDGE_TYPES`),
``since``, ``until`` (:class:`datetime.date` or ``None``) and ``line`` (the line of
``relations.csv``, ``None`` for an edge from an ``employer`` column). Directed types keep their
direction (``parent_of`` goes parent → child); symmetric types (:data:`SYMMETRIC_TYPES`) are
stored once, in the direction of the row. ``graph.graph["warnings"]`` holds the
:class:`DataWarning` list, ``graph.graph["sources"]`` the file names.

Who may be what:

- relatives who are neither experts nor applicants (``R1``) may be endpoints of the kin
  relations ``spouse``, ``parent_of``, ``sibling`` and sources of ``works_at``;
- the target of ``works_at`` and every ``employer`` value is an organisation;
- both ends of ``supervisor_of``, ``coauthor`` and ``project_partner``, and the source of
  ``recommender_of``, are experts or applicants; the target of ``recommender_of`` is an applicant.

Anything else is an :class:`~zcsim.errors.InputError` naming the file, line and column, as are
an unknown relation type, a malformed ``since``/``until`` (or ``since`` after ``until``), a
missing column and an id used both as a person and as an organisation. Self-relations,
duplicate rows, a person with more than two parents and cycles of ``parent_of`` (someone their
own ancestor) are reported as :class:`DataWarning` and the rest of the data is kept.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import gc
import re
import sys
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx

from zcsim.draw._pool import (
    COMMENT_PREFIX,
    ApplicantRecord,
    CsvRow,
    CsvTable,
    DataWarning,
    ExpertRecord,
    People,
    TableInfo,
    _comment_body,
    _header,
    normalise_id,
    read_people,
    read_table,
)
from zcsim._files import STDIN
from zcsim.errors import InputError

__all__ = [
    "EDGE_TYPES",
    "KIN_TYPES",
    "SYMMETRIC_TYPES",
    "RELATIONS_COLUMNS",
    "Relation",
    "DataWarning",
    "parse_bound",
    "read_relations",
    "build_graph",
    "load_graph",
    "graph_warnings",
    "graph_inputs",
    "near_misses",
    "check_one_stdin",
    "NEAR_MISS_MAX_ID_LENGTH",
]

EDGE_TYPES: tuple[str, ...] = (
    "works_at",
    "spouse",
    "parent_of",
    "sibling",
    "supervisor_of",
    "coauthor",
    "project_partner",
    "recommender_of",
)
"""The relation types of ``relations.csv``."""

KIN_TYPES: frozenset[str] = frozenset({"spouse", "parent_of", "sibling"})
"""Relation types whose endpoints may be relatives who are neither experts nor applicants."""

SYMMETRIC_TYPES: frozenset[str] = frozenset({"spouse", "sibling", "coauthor", "project_partner"})
"""Relation types without a direction (stored once, in the direction of the row)."""

_ROLE_TYPES = frozenset({"supervisor_of", "coauthor", "project_partner", "recommender_of"})

RELATIONS_COLUMNS: tuple[str, ...] = ("source", "target", "type", "since", "until")
"""The columns ``relations.csv`` must have (more are allowed and ignored)."""

_YEAR = re.compile(r"\d{4}")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


class Relation(NamedTuple):
    """One typed, dated relation (one row of ``relations.csv``).

    ``since`` and ``until`` may be given as dates, years (``2019``) or text; :func:`build_graph`
    reads them with :func:`parse_bound`. ``line`` is the row's line in its file, if any.

    Examples
    --------
    >>> Relation("E5", "R1", "parent_of")
    Relation(source='E5', target='R1', type='parent_of', since=None, until=None, line=None)
    """

    source: str
    target: str
    type: str
    since: dt.date | int | str | None = None
    until: dt.date | int | str | None = None
    line: int | None = None


def sibling_components(sib_adj: Mapping[Any, Iterable[Any]]) -> Iterator[list[Any]]:
    """The groups of people linked by ``sibling`` rows, each in breadth-first order from its first
    member (deterministic: follows the order of ``sib_adj``)."""
    done: set[Any] = set()
    for start in sib_adj:
        if start in done:
            continue
        comp, queue = [start], deque([start])
        done.add(start)
        while queue:
            x = queue.popleft()
            for y in sib_adj[x]:
                if y not in done:
                    done.add(y)
                    comp.append(y)
                    queue.append(y)
        yield comp

def parse_bound(value: dt.date | int | str | None, *, end: bool) -> dt.date | None:
    """Read a ``since`` (``end=False``) or ``until`` (``end=True``) value.

    A year means its first day for ``since`` and its last day for ``until``; an ISO date is
    itself; an empty value is ``None`` (open-ended).

    Raises
    ------
    ValueError
        For anything else, with a message saying what was expected.

    Examples
    --------
    >>> parse_bound("2019", end=False), parse_bound("2019", end=True)
    (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
    >>> parse_bound("2021-06-30", end=False)
    datetime.date(2021, 6, 30)
    >>> parse_bound("", end=True) is None
    True
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:04d}" if value >= 0 else str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError(f"expected a year or an ISO date, got {value!r}")
    if not text:
        return None
    if _YEAR.fullmatch(text):
        year = int(text)
        if year < 1000:
            raise ValueError(f"expected a year (e.g. 2019) or an ISO date (e.g. 2019-03-15), got {text!r}")
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    if _ISO.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid date (YYYY-MM-DD)") from None
    raise ValueError(f"expected a year (e.g. 2019) or an ISO date (e.g. 2019-03-15), got {text!r}")


def _few(items: Sequence[str], n: int = 10) -> str:
    """The first ``n`` items, comma-separated, and how many more (a warning stays one readable line).

    Examples
    --------
    >>> _few(["a", "b", "c"], 2)
    'a, b (and 1 more)'
    """
    head = ", ".join(items[:n])
    return head + (f" (and {len(items) - n:,} more)" if len(items) > n else "")


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _relation_like(fields: list[str], idx: tuple[int, int, int]) -> bool:
    """Whether the fields of a comment line (its ``#`` taken off) read as a relation row."""
    i_src, i_tgt, i_typ = idx
    get = (lambda i: fields[i].strip() if i < len(fields) else "")
    return bool(get(i_src)) and bool(get(i_tgt)) and get(i_typ).lower() in EDGE_TYPES


def _read_relations(path: str | Path | CsvTable, *, encoding: str | None = None
                    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]], CsvTable]:
    """The header of ``relations.csv``, its rows as ``(source, target, type, since, until,
    line)`` tuples (types and dates checked, ids normalised by :func:`normalise_id`), and the
    :class:`CsvTable` read (once: a pipe or ``-`` works; its ``info`` counts rows, blank and
    comment lines, its ``warnings`` the comments that read as relation rows).

    The rows are read with a lean loop of :func:`zcsim.draw._pool.read_csv`'s rules (blank and
    ``#`` lines skipped and counted, extra fields rejected) because this file can have a million
    lines. Errors are worded by :meth:`CsvRow.error`.
    """
    table = read_table(path, "relations", encoding=encoding)
    src, info = table.source, table.info
    reader = table.reader()
    intern = sys.intern
    cache: dict[tuple[str, bool], dt.date | None] = {}
    ids: dict[str, str] = {}
    types = {t: t for t in EDGE_TYPES}
    out: list[tuple[Any, ...]] = []
    append = out.append
    comment = COMMENT_PREFIX

    def norm(text: str) -> str:
        got = ids.get(text)
        if got is None:
            got = ids[text] = intern(normalise_id(text))
        return got

    try:
        header = _header(reader, RELATIONS_COLUMNS, src)
        width = len(header)
        i_src, i_tgt, i_typ, i_since, i_until = (header.index(c) for c in RELATIONS_COLUMNS)
        need = max(i_src, i_tgt, i_typ, i_since, i_until) + 1

        def error(fields: list[str], line: int, column: str, message: str) -> InputError:
            values = {h: (fields[i].strip() if i < len(fields) else "") for i, h in enumerate(header)}
            return CsvRow(src, line, header, values).error(column, message)

        def bound(fields: list[str], line: int, column: str, text: str, end: bool) -> dt.date | None:
            key = (text, end)
            if key in cache:
                return cache[key]
            try:
                d = parse_bound(text, end=end)
            except ValueError as exc:
                raise error(fields, line, column, str(exc)) from None
            cache[key] = d
            return d

        for fields in reader:
            n = len(fields)
            first_field = fields[0] if n else ""
            if first_field[:1] in (comment, " ", "\t") and first_field.lstrip().startswith(comment):
                body = _comment_body(fields)
                table.comment(reader.line_num, "a relation row" if len(body) <= width and
                              _relation_like(body, (i_src, i_tgt, i_typ)) else None)
                continue
            if n < need:
                if not fields or all(not f.strip() for f in fields):
                    info.blank += 1
                    continue
                fields = fields + [""] * (need - n)
            if n > width:
                raise InputError(f"{n} fields but the header has {width}", source=src,
                                 location=f"line {reader.line_num}")
            line = reader.line_num
            s, t, typ = norm(fields[i_src]), norm(fields[i_tgt]), fields[i_typ].strip()
            if not s:
                if all(not f.strip() for f in fields):
                    info.blank += 1
                    continue
                raise error(fields, line, "source", "source is empty; expected a person id")
            if not t:
                raise error(fields, line, "target", "target is empty; expected a person or organisation id")
            canonical = types.get(typ)
            if canonical is None:
                canonical = types.get(typ.lower())
                if canonical is None:
                    raise error(fields, line, "type",
                                f"unknown relation type {typ!r}{_suggest(typ.lower(), EDGE_TYPES)}; "
                                f"expected one of {', '.join(EDGE_TYPES)}")
            a_text, b_text = fields[i_since].strip(), fields[i_until].strip()
            since = bound(fields, line, "since", a_text, False) if a_text else None
            until = bound(fields, line, "until", b_text, True) if b_text else None
            if since is not None and until is not None and since > until:
                raise error(fields, line, "until", f"until {b_text!r} ({until}) is before since {a_text!r} ({since})")
            append((s, t, canonical, since, until, line))
    except csv.Error as exc:
        raise InputError(f"not valid CSV: {exc}", source=src, location=f"line {reader.line_num}") from None
    info.rows = len(out)
    return header, out, table


def read_relations(path: str | Path, *, encoding: str | None = None) -> list[Relation]:
    """Read ``relations.csv`` (``source, target, type, since, until``) into :class:`Relation` rows.

    The file is read once (a pipe or ``-`` too), in UTF-8 or GB18030 (detected unless
    ``encoding``). Types and dates are checked here, ids normalised (:func:`normalise_id`);
    ids are checked by :func:`build_graph`.

    Raises
    ------
    InputError
        Naming the file, line and column: a missing column, an empty id, an unknown relation
        type (with the valid ones and a "did you mean"), a malformed ``since``/``until``, or
        ``since`` after ``until``.
    """
    return [Relation(*row) for row in _read_relations(path, encoding=encoding)[1]]


# ------------------------------------------------------------------------------------------------
# near misses: a relative's id one keystroke from an expert's or applicant's
# ------------------------------------------------------------------------------------------------
NEAR_MISS_MAX_ID_LENGTH = 64
"""Longest id checked for a near miss (longer ids are not typed by hand, and each check costs
as many lookups as the id has characters)."""


def _letter_prefix(ident: str) -> str:
    """The leading letters of an id: ``E`` of ``E13``, ``ORG`` of ``ORG7``."""
    i = 0
    while i < len(ident) and ident[i].isalpha():
        i += 1
    return ident[:i]


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are at Levenshtein distance exactly 1 (one character changed,
    inserted or deleted).

    Examples
    --------
    >>> _one_edit("E13", "e13"), _one_edit("E13", "E133"), _one_edit("E13", "E31"), _one_edit("E13", "E13")
    (True, True, False, False)
    """
    la, lb = len(a), len(b)
    if a == b or abs(la - lb) > 1:
        return False
    if la == lb:
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


class _NearMissIndex:
    """Known ids indexed for "one edit or one case-fold away" queries in time proportional to the
    length of the query, not to the number of known ids: each id is filed under itself and each
    of its one-character deletions (a *deletion neighbourhood*); two ids one edit apart share a key."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = set(known)
        self.folded: dict[str, str] = {}
        self.keys: dict[str, Any] = {}  # key -> an id, or a list of ids when several share it
        self.prefixes: set[str] = set()
        keys = self.keys
        for k in sorted(self.known):
            self.folded.setdefault(k.casefold(), k)
            self.prefixes.add(_letter_prefix(k))
            if len(k) > NEAR_MISS_MAX_ID_LENGTH:
                continue
            for key in {k, *(k[:i] + k[i + 1:] for i in range(len(k)))}:
                got = keys.get(key)
                if got is None:
                    keys[key] = k
                elif isinstance(got, list):
                    got.append(k)
                else:
                    keys[key] = [got, k]

    def matches(self, q: str) -> list[str]:
        """Known ids ``q`` may be a typo of: equal ignoring case, or one edit away when ``q``
        looks like an id of the same scheme (same leading letters as some known id) or has no
        digit at all (a name). Sorted, at most three."""
        out: set[str] = set()
        f = self.folded.get(q.casefold())
        if f is not None and f != q:
            out.add(f)
        if len(q) <= NEAR_MISS_MAX_ID_LENGTH and (_letter_prefix(q) in self.prefixes
                                                 or not any(c.isdigit() for c in q)):
            keys = self.keys
            for key in {q, *(q[:i] + q[i + 1:] for i in range(len(q)))}:
                got = keys.get(key)
                if got is None:
                    continue
                for k in (got if isinstance(got, list) else (got,)):
                    if _one_edit(q, k):
                        out.add(k)
        return sorted(out)[:3]


def near_misses(third: Sequence[tuple[str, int | None]], known: Iterable[str], source: str) -> list[DataWarning]:
    """Warnings for relatives (ids of kin rows that are no expert or applicant) whose id is one
    edit (Levenshtein distance 1, a case change included) or a case-fold away from an expert's or
    applicant's: ``e13`` next to ``E13`` is most likely a typo that drops a real conflict.

    An edit is only reported when the relative's id begins with the same letters as some known id
    (or has no digit, as a name): a scheme of relatives' ids such as ``R1``, ``R2`` … is one edit
    from ``E1`` by design, not by typo.

    Examples
    --------
    >>> [str(w) for w in near_misses([("e13", 7), ("R1", 8)], ["E13", "E1", "A1"], "relations.csv")]
    ["relations.csv: line 7: 'e13' is not a known expert or applicant (a relative named only in kin rows); did you mean 'E13'?"]
    """
    index = _NearMissIndex(known)
    out = []
    for ident, line in third:
        hits = index.matches(ident)
        if hits:
            options = " or ".join(repr(h) for h in hits)
            out.append(DataWarning(source, line, f"{ident!r} is not a known expert or applicant (a relative named "
                                                 f"only in kin rows); did you mean {options}?"))
    return out


class _Builder:
    """Checks ids and builds the graph; errors name the file, line and column."""

    def __init__(self, *, experts_source: str | None, applicants_source: str | None,
                 relations_source: str | None, header: Sequence[str] | None) -> None:
        self.experts_source = experts_source
        self.applicants_source = applicants_source
        self.rel_is_file = relations_source is not None
        self.rel_source = relations_source or "<relations>"
        self.header = tuple(header) if header else RELATIONS_COLUMNS
        self.experts: dict[str, ExpertRecord | None] = {}
        self.applicants: dict[str, ApplicantRecord | None] = {}
        self.persons: dict[str, str] = {}   # id -> where it was first seen as a person
        self.orgs: dict[str, str] = {}      # id -> where it was first seen as an organisation
        self.edges: list[tuple[str, str, dict[str, Any]]] = []
        self.warnings: list[DataWarning] = []
        self.people: dict[str, People] = {}  # which -> the rows read, when loaded from files

    # --- locations ------------------------------------------------------------------------
    def rel_error(self, rel: Sequence[Any], column: str, message: str) -> InputError:
        col = self.header.index(column) + 1 if column in self.header else None
        unit = "line" if self.rel_is_file else "row"
        where = f"{unit} {rel[5]}, column {col} ({column})" if col else f"{unit} {rel[5]}"
        return InputError(message, source=self.rel_source, location=where)

    def rel_where(self, rel: Sequence[Any]) -> str:
        return f"{self.rel_source} {'line' if self.rel_is_file else 'row'} {rel[5]}"

    def people_error(self, which: str, ident: str, column: str, message: str) -> InputError:
        people = self.people.get(which)
        if people is not None:
            return people.error(ident, column, message)
        source = self.experts_source if which == "experts" else self.applicants_source
        if source is not None:
            return InputError(message, source=source, location=f"id {ident} ({column})")
        return InputError(message, source=f"<{which}>", location=f"{which[:-1]} {ident} ({column})")

    def people_label(self, which: str) -> str:
        source = self.experts_source if which == "experts" else self.applicants_source
        return source or f"<{which}>"

    # --- people ---------------------------------------------------------------------------
    def add_people(self, experts: Iterable[ExpertRecord | str], applicants: Iterable[ApplicantRecord | str]) -> None:
        intern = sys.intern
        people: list[tuple[str, str, str]] = []   # (which, id, employer)
        for which, items, target in (("experts", experts, self.experts), ("applicants", applicants, self.applicants)):
            for item in items:
                rec = None if isinstance(item, str) else item
                ident = intern(normalise_id(item) if isinstance(item, str) else item.id)
                if not ident:
                    raise InputError(f"empty {which[:-1]} id", source=self.people_label(which))
                if ident in target:
                    raise self.people_error(which, ident, "id", f"duplicate {which[:-1]} id {ident!r}")
                target[ident] = rec
                self.persons.setdefault(ident, f"{which[:-1]} in {self.people_label(which)}")
                employer = "" if rec is None else rec.employer.strip()
                if employer:
                    people.append((which, ident, intern(employer)))
        for which, ident, employer in people:
            if employer in self.persons:
                raise self.people_error(
                    which, ident, "employer",
                    f"employer {employer!r} is a person ({self.persons[employer]}), not an organisation; "
                    "an id names either a person or an organisation")
            self.orgs.setdefault(employer, f"employer in {self.people_label(which)}")
            self.edges.append((ident, employer, {"type": "works_at", "since": None, "until": None, "line": None}))

    # --- relations ------------------------------------------------------------------------
    def _clash_person(self, rel: Sequence[Any], column: str, ident: str) -> InputError:
        return self.rel_error(rel, column, f"{ident!r} is used as a person here but is an organisation "
                                           f"({self.orgs[ident]}); an id names either a person or an organisation")

    def _clash_org(self, rel: Sequence[Any], column: str, ident: str) -> InputError:
        return self.rel_error(rel, column, f"{ident!r} is used as an organisation here but is a person "
                                           f"({self.persons[ident]}); an id names either a person or an organisation")

    def _not_expert_or_applicant(self, rel: Sequence[Any], column: str, ident: str) -> InputError:
        typ = rel[2]
        if ident in self.orgs:
            return self.rel_error(rel, column, f"{ident!r} is an organisation ({self.orgs[ident]}); "
                                               f"both ends of {typ} must be experts or applicants")
        known = list(self.experts) + list(self.applicants)
        hint = _suggest(ident, known) if len(known) <= 20_000 else ""
        return self.rel_error(rel, column, f"dangling id {ident!r}: neither an expert nor an applicant{hint}; "
                                           f"both ends of {typ} must be experts or applicants (Art. 29 relations "
                                           "between reviewers and the reviewed)")

    def normalise(self, relations: Iterable[Relation | Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Relations given in code, as checked ``(source, target, type, since, until, line)`` tuples."""
        intern = sys.intern
        types = set(EDGE_TYPES)
        rows: list[tuple[Any, ...]] = []
        for n, item in enumerate(relations, start=1):
            fields = list(item) + [None] * (6 - len(item))
            if len(fields) > 6:
                raise InputError(f"expected (source, target, type[, since[, until[, line]]]), got {item!r}",
                                 source=self.rel_source, location=f"row {n}")
            if fields[5] is None:
                fields[5] = n
            src, tgt = (normalise_id(str(f if f is not None else "")) for f in fields[:2])
            typ = str(fields[2] if fields[2] is not None else "").strip()
            fields[:3] = src, tgt, typ
            if typ not in types:
                raise self.rel_error(fields, "type", f"unknown relation type {typ!r}{_suggest(typ.lower(), EDGE_TYPES)}; "
                                                     f"expected one of {', '.join(EDGE_TYPES)}")
            for i, col, end in ((3, "since", False), (4, "until", True)):
                try:
                    fields[i] = parse_bound(fields[i], end=end)
                except ValueError as exc:
                    raise self.rel_error(fields, col, str(exc)) from None
            if fields[3] is not None and fields[4] is not None and fields[3] > fields[4]:
                raise self.rel_error(fields, "until", f"until {fields[4]} is before since {fields[3]}")
            if not src:
                raise self.rel_error(fields, "source", "source is empty; expected a person id")
            if not tgt:
                raise self.rel_error(fields, "target", "target is empty; expected a person or organisation id")
            rows.append((intern(src), intern(tgt), typ, fields[3], fields[4], fields[5]))
        return rows

    def add_relations(self, rows: list[tuple[Any, ...]]) -> None:
        """Check ids (rows as from :meth:`normalise` or :func:`_read_relations`) and keep the edges."""
        persons, orgs = self.persons, self.orgs
        experts, applicants = self.experts, self.applicants
        # Pass A: who is a person, who is an organisation (in row order, so a clash names the later row).
        third: list[tuple[str, int | None]] = []  # relatives named only in kin rows, with their first line
        for rel in rows:
            typ = rel[2]
            if typ in KIN_TYPES:
                for col, ident in (("source", rel[0]), ("target", rel[1])):
                    if ident not in persons:
                        if ident in orgs:
                            raise self._clash_person(rel, col, ident)
                        persons[ident] = self.rel_where(rel)
                        third.append((ident, rel[5]))
            elif typ == "works_at":
                org = rel[1]
                if org not in orgs:
                    if org in persons:
                        raise self._clash_org(rel, "target", org)
                    orgs[org] = self.rel_where(rel)
        if third:
            self.warnings.extend(near_misses(third, [*experts, *applicants], self.rel_source))
        # Pass B: dangling ids, roles, self-relations, duplicates.
        seen: dict[tuple[Any, ...], int | None] = {}
        for src, org, _ in self.edges:  # an employer column and a works_at row saying the same: a duplicate
            seen[(src, org, "works_at", None, None)] = None
        edges = self.edges
        append = edges.append
        warn = self.warnings.append
        role_types, symmetric = _ROLE_TYPES, SYMMETRIC_TYPES
        for rel in rows:
            src, tgt, typ, since, until, line = rel
            if typ == "works_at":
                if src not in persons or src in orgs:
                    if src in orgs:
                        raise self.rel_error(rel, "source", f"{src!r} is an organisation ({orgs[src]}); "
                                                            "works_at goes from a person to an organisation")
                    raise self.rel_error(rel, "source", f"dangling id {src!r}: not an expert, an applicant or a relative "
                                                        "named in a spouse/parent_of/sibling row; works_at needs a known person")
            elif typ in role_types:
                if src not in experts and src not in applicants:
                    raise self._not_expert_or_applicant(rel, "source", src)
                if tgt not in experts and tgt not in applicants:
                    raise self._not_expert_or_applicant(rel, "target", tgt)
                if typ == "recommender_of" and tgt not in applicants:
                    raise self.rel_error(rel, "target", f"{tgt!r} is not an applicant; recommender_of goes from "
                                                        "the recommender to the applicant recommended")
            if src == tgt:
                warn(DataWarning(self.rel_source, line, f"self-relation: {src} {typ} {tgt}; ignored"))
                continue
            key = (src, tgt, typ, since, until) if typ not in symmetric or src <= tgt else (tgt, src, typ, since, until)
            if key in seen:
                first = seen[key]
                what = f"line {first}" if first is not None else "an employer column"
                warn(DataWarning(self.rel_source, line, f"duplicate relation {src} {typ} {tgt} (same as {what}); ignored"))
                continue
            seen[key] = line
            append((src, tgt, {"type": typ, "since": since, "until": until, "line": line}))

    # --- family checks --------------------------------------------------------------------
    def check_family(self) -> None:
        parents: dict[str, dict[str, int | None]] = {}
        sib_adj: dict[str, list[str]] = defaultdict(list)
        for u, v, d in self.edges:
            t = d["type"]
            if t == "parent_of":
                ps = parents.get(v)
                if ps is None:
                    parents[v] = {u: d["line"]}
                elif u not in ps:
                    ps[u] = d["line"]
            elif t == "sibling":
                sib_adj[u].append(v)
                sib_adj[v].append(u)
        for child, ps in parents.items():
            if len(ps) > 2:
                items = list(ps.items())
                names = _few([f"{p} (line {ln})" for p, ln in items])
                self.warnings.append(DataWarning(self.rel_source, items[2][1],
                                                 f"{child} has {len(ps)} parents: {names}; kinship uses all of them"))
        # Explicit sibling rows make siblings share their parents.
        for comp in sibling_components(sib_adj):
            union: dict[str, None] = {}
            for m in comp:
                union.update(dict.fromkeys(parents.get(m, ())))
            if len(union) > 2:
                self.warnings.append(DataWarning(
                    self.rel_source, None,
                    f"sibling rows make {_few(sorted(comp))} share their parents, and together they have "
                    f"{len(union)}: {_few(list(union))}; kinship uses all of them"))
        # Someone their own ancestor: Kahn's algorithm, then strongly connected components of what is left.
        indeg: dict[str, int] = {c: len(ps) for c, ps in parents.items()}
        children: dict[str, list[str]] = defaultdict(list)
        for child, ps in parents.items():
            for p in ps:
                children[p].append(child)
        queue = deque(p for p in children if p not in indeg)
        while queue:
            n = queue.popleft()
            for c in children.get(n, ()):
                indeg[c] -= 1
                if indeg[c] == 0:
                    queue.append(c)
        left = {n for n, k in indeg.items() if k > 0}
        if not left:
            return
        sub = nx.DiGraph((p, c) for c in left for p in parents[c] if p in left)
        for comp_set in nx.strongly_connected_components(sub):
            if len(comp_set) < 2:
                continue
            members = sorted(comp_set)
            lines = sorted({ln for c in members for p, ln in parents[c].items() if p in comp_set and ln is not None})
            self.warnings.append(DataWarning(
                self.rel_source, lines[0] if lines else None,
                f"contradictory parent_of data: {_few(members)} would each be their own ancestor "
                f"(a cycle through lines {_few([str(n) for n in lines])}); kept, and every search walks it once"))

    # --- result ---------------------------------------------------------------------------
    def graph(self) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        g.graph["sources"] = {"experts": self.experts_source, "applicants": self.applicants_source,
                              "relations": self.rel_source}
        self.warnings.sort(key=lambda w: (w.source, w.line if w.line is not None else -1))
        g.graph["warnings"] = list(self.warnings)
        experts, applicants = self.experts, self.applicants
        g.add_nodes_from(
            (p, {"kind": "person", "expert": p in experts, "applicant": p in applicants,
                 "record": experts.get(p) or applicants.get(p)})
            for p in self.persons)
        g.add_nodes_from(self.orgs, kind="organisation")
        _add_edges(g, self.edges)
        return g


def _add_edges(g: nx.MultiDiGraph, edges: list[tuple[str, str, dict[str, Any]]]) -> None:
    """Add edges whose endpoints are already nodes, keeping each attribute dict as given.

    For a plain :class:`networkx.MultiDiGraph` this fills its adjacency dicts directly (keys
    0, 1, … per node pair, exactly as ``add_edge`` numbers them), which is about five times faster
    than ``add_edges_from`` on a million edges; any other graph class goes through ``add_edge``.
    """
    succ, pred = getattr(g, "_succ", None), getattr(g, "_pred", None)
    if type(g) is not nx.MultiDiGraph or succ is None or pred is None or g._adj is not succ:  # pragma: no cover
        for u, v, d in edges:
            g.add_edge(u, v, **d)
        return
    for u, v, d in edges:
        su = succ[u]
        keydict = su.get(v)
        if keydict is None:
            su[v] = pred[v][u] = {0: d}
        else:
            key = len(keydict)
            while key in keydict:
                key += 1
            keydict[key] = d
    clear = getattr(nx, "_clear_cache", None)
    if clear is not None:
        clear(g)


def build_graph(
    experts: Iterable[ExpertRecord | str],
    applicants: Iterable[ApplicantRecord | str],
    relations: Iterable[Relation | Sequence[Any]] = (),
    *,
    experts_source: str | None = None,
    applicants_source: str | None = None,
    relations_source: str | None = None,
    header: Sequence[str] | None = None,
    _checked: bool = False,
) -> nx.MultiDiGraph:
    """Build the relationship graph from records (or plain ids) and relations.

    Parameters
    ----------
    experts, applicants : iterable of records or ids
        :class:`~zcsim.draw.ExpertRecord` / :class:`~zcsim.draw.ApplicantRecord` (whose
        ``employer`` becomes a current ``works_at``), or bare ids.
    relations : iterable of Relation or tuples
        ``(source, target, type[, since[, until]])``.
    experts_source, applicants_source, relations_source : str, optional
        The files the data came from, for error messages and warnings.
    header : sequence of str, optional
        The header of ``relations.csv``, to give column numbers in errors.

    Returns
    -------
    networkx.MultiDiGraph
        With ``graph.graph["warnings"]`` (a list of :class:`DataWarning`).

    Raises
    ------
    InputError
        Dangling ids, an id used as both a person and an organisation, an unknown type, bad
        dates: naming the file (or ``<relations>``), line (or row) and column.

    Examples
    --------
    >>> g = build_graph(["E5"], ["A3"], [("E5", "R1", "parent_of"), ("R1", "A3", "parent_of")])
    >>> sorted(g.nodes), g.nodes["R1"]["expert"], g.nodes["A3"]["applicant"]
    (['A3', 'E5', 'R1'], False, True)
    >>> build_graph(["E1"], ["A1"], [("E1", "X9", "coauthor", 2021)])
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: <relations>: row 1, column 2 (target): dangling id 'X9': ...
    """
    b = _Builder(experts_source=experts_source, applicants_source=applicants_source,
                 relations_source=relations_source, header=header)
    return _build(b, experts, applicants, relations if _checked else b.normalise(relations))


def _build(b: _Builder, experts: Iterable[ExpertRecord | str], applicants: Iterable[ApplicantRecord | str],
           rows: list[tuple[Any, ...]]) -> nx.MultiDiGraph:
    b.add_people(experts, applicants)
    b.add_relations(rows)
    b.check_family()
    return b.graph()


def load_graph(experts: str | Path | CsvTable, applicants: str | Path | CsvTable, relations: str | Path | CsvTable,
               *, encoding: str | None = None) -> nx.MultiDiGraph:
    """Load ``experts.csv``, ``applicants.csv`` and ``relations.csv`` into the relationship graph.

    Each file is read once (:func:`zcsim.draw._pool.read_table`): a pipe such as ``<(cat f)`` or
    ``/dev/stdin`` works, and ``-`` is standard input (for one of the three at most); an input
    already read may be passed as a :class:`~zcsim.draw._pool.CsvTable`. The encoding of each is
    UTF-8 (with or without BOM) or GB18030/GBK, detected, unless ``encoding`` names it. Ids are
    normalised (NFKC, surrounding blanks stripped; :func:`~zcsim.draw._pool.normalise_id`).

    See :func:`build_graph` for the result and the checks; besides, ``graph.graph["inputs"]``
    holds a :class:`~zcsim.draw._pool.TableInfo` per file (encoding used, rows, blank and comment
    lines skipped), and the warnings include comment lines that read as data rows and relatives
    whose id is one keystroke from an expert's or applicant's (:func:`near_misses`).

    Raises
    ------
    InputError
        Naming the file, the line and the column of the first problem.

    Examples
    --------
    >>> from pathlib import Path
    >>> pool = Path(__file__).resolve().parents[3] / "examples" / "pool"
    >>> g = load_graph(pool / "experts.csv", pool / "applicants.csv", pool / "relations.csv")
    >>> g.nodes["A3"]["applicant"], g.nodes["ORG7"]["kind"], graph_warnings(g)
    (True, 'organisation', [])
    >>> [(i.what, i.rows, i.encoding) for i in g.graph["inputs"]]
    [('experts', 60, 'utf-8'), ('applicants', 40, 'utf-8'), ('relations', 79, 'utf-8')]
    """
    check_one_stdin({"experts": experts, "applicants": applicants, "relations": relations})
    with _gc_paused():
        ex = read_people(experts, "experts", encoding=encoding)
        ap = read_people(applicants, "applicants", encoding=encoding)
        header, rows, rel = _read_relations(relations, encoding=encoding)
    with _gc_paused():
        b = _Builder(experts_source=ex.table.source, applicants_source=ap.table.source,
                     relations_source=rel.source, header=header)
        b.people = {"experts": ex, "applicants": ap}
        for t in (ex.table, ap.table, rel):
            b.warnings.extend(t.warnings)
        g = _build(b, ex.records, ap.records, rows)
    g.graph["inputs"] = [ex.table.info, ap.table.info, rel.info]
    return g


def check_one_stdin(inputs: Mapping[str, object]) -> None:
    """Refuse ``-`` (standard input) for more than one input: it can be read only once.

    Examples
    --------
    >>> check_one_stdin({"experts": "-", "relations": "-"})
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: -: standard input ('-') is given for experts and relations; at most one input may be '-'
    """
    dash = [name for name, value in inputs.items() if isinstance(value, str) and value == STDIN]
    if len(dash) > 1:
        raise InputError(f"standard input ('-') is given for {' and '.join(dash)}; at most one input may be '-'",
                         source=STDIN)


def graph_inputs(graph: nx.MultiDiGraph) -> list[TableInfo]:
    """How each file of :func:`load_graph` was read (empty for a graph built from code)."""
    return list(graph.graph.get("inputs", ()))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of long-lived containers are built (it
    would otherwise rescan the growing heap again and again); restore its state afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def graph_warnings(graph: nx.MultiDiGraph) -> list[DataWarning]:
    """The data warnings found while the graph was built."""
    return list(graph.graph.get("warnings", ()))
