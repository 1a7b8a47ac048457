"""Reading meeting records, with errors that name the file and the field."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from zcsim.errors import RecordError
from zcsim.records._model import FORMAT, Record

__all__ = ["load_record", "parse_record", "record_schema"]


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _model_at(loc: tuple[Any, ...]) -> type | None:
    """The pydantic model class that owns the field at ``loc`` (for 'did you mean')."""
    model: Any = Record
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        # unwrap list[X], X | None
        for _ in range(3):
            args = getattr(ann, "__args__", None)
            if args:
                cands = [a for a in args if isinstance(a, type) and hasattr(a, "model_fields")]
                if cands:
                    ann = cands[0]
                    break
                ann = args[0]
        model = ann if isinstance(ann, type) and hasattr(ann, "model_fields") else None
    return model


_SECTION_ARTICLE = {
    "agency": "Art. 11",
    "committee": "Art. 9",
    "panels": "Art. 20–21",
    "meeting": "Art. 22–23, 27",
    "relations": "Art. 29",
    "recusals": "Art. 29",
    "ballots": "Art. 23",
    "format": "Art. 27",
    "rules": "Art. 27",
    "seal": "Art. 27",
}
"""The article each top-level section of a record records, for error messages."""


def _explain_with_article(err: dict[str, Any]) -> str:
    text = _explain(err)
    loc = err.get("loc") or ()
    art = _SECTION_ARTICLE.get(str(loc[0])) if loc else None
    return f"{text} ({art})" if art else text


def _explain(err: dict[str, Any]) -> str:
    kind = err["type"]
    loc = err["loc"]
    if kind == "extra_forbidden":
        model = _model_at(loc)
        names = list(model.model_fields) if model is not None else []
        close = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field{hint}; expected one of: {', '.join(names)}" if names else "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        return f"got {err.get('input')!r}; expected {err['ctx']['expected']}"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"got {err.get('input')!r}; expected a date YYYY-MM-DD"
    return f"{err['msg']} (got {err.get('input')!r})"


def parse_record(data: Any, *, source: str = "<record>") -> Record:
    """Validate decoded JSON as a ``zcsim.meeting/1`` record.

    Raises
    ------
    RecordError
        Naming ``source``, the field path and what was expected.
    """
    if not isinstance(data, dict):
        raise RecordError(f"a meeting record is a JSON object with \"format\": \"{FORMAT}\"; got {type(data).__name__}", source=source)
    fmt = data.get("format")
    if fmt != FORMAT:
        raise RecordError(f"format is {fmt!r}; expected {FORMAT!r}", source=source, location="format")
    try:
        return Record.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f"; {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''} in this record" if len(errors) > 1 else ""
        raise RecordError(_explain_with_article(first) + more, source=source, location=_loc(first["loc"])) from None


def load_record(path: str | Path) -> Record:
    """Read a ``zcsim.meeting/1`` JSON file.

    Examples
    --------
    >>> load_record("no/such/file.json")
    Traceback (most recent call last):
    ...
    zcsim.errors.RecordError: no/such/file.json: cannot read: No such file or directory
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordError("cannot read: No such file or directory", source=str(path)) from None
    except IsADirectoryError:
        raise RecordError("cannot read: it is a directory", source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 text (byte {exc.start})", source=str(path)) from None
    except OSError as exc:
        raise RecordError(f"cannot read: {exc.strerror}", source=str(path)) from None
    try:
        # fast path: one pass of pydantic's JSON parser; any problem is re-diagnosed below
        return Record.model_validate_json(text)
    except ValidationError:
        pass
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"not valid JSON: {exc.msg}", source=str(path), location=f"line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise RecordError("not valid JSON: nested too deeply", source=str(path)) from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise RecordError(f"not valid JSON: {exc}", source=str(path)) from None
    return parse_record(data, source=str(path))


def record_schema() -> dict[str, Any]:
    """The JSON Schema of the ``zcsim.meeting/1`` format."""
    schema = Record.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "zcsim.meeting/1 — a title-review committee meeting record"
    return schema
