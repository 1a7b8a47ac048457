"""Reading meeting records, with errors that name the file and the field."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from zcsim._files import load_user_json, read_user_text
from zcsim.errors import RecordError
from zcsim.law._load import shown
from zcsim.records._model import FORMAT, Record

__all__ = ["load_record", "parse_record", "read_record_json", "record_schema"]


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
        return f"got {_shown(err.get('input'))}; expected {err['ctx']['expected']}"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"got {_shown(err.get('input'))}; expected a date YYYY-MM-DD"
    if kind in ("string_too_short", "string_pattern_mismatch"):
        return f"got {_shown(err.get('input'))}; expected a non-blank id or name"
    if kind in ("seal_null", "duplicate_key"):
        return err["msg"]
    if kind == "too_long":
        ctx = err.get("ctx") or {}
        return (f"holds {ctx.get('actual_length', 0):,} items; the format allows at most {ctx.get('max_length', 0):,} "
                "(docs/records.md, \"Bounds\")")
    return f"{err['msg']} (got {_shown(err.get('input'))})"


def _shown(value: Any) -> str:
    """``repr`` of a bad value, cut short so that one error stays one readable line."""
    return shown(value, limit=80)


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

    The file is read once and only if it is a regular file (not a FIFO or a device) of at most
    :data:`zcsim._files.MAX_INPUT_BYTES`; its JSON is decoded strictly: a key that appears twice in
    one object (``"E01": "yes", "E01": "no"``), ``NaN``, a lone surrogate or an integer of
    thousands of digits makes the record malformed, as do values the format does not allow.

    Examples
    --------
    >>> load_record("no/such/file.json")
    Traceback (most recent call last):
    ...
    zcsim.errors.RecordError: no/such/file.json: record file not found
    """
    source = str(path)
    return parse_record(read_record_json(source), source=source)


def read_record_json(path: str | Path) -> Any:
    """The decoded JSON of the record file ``path``, read and decoded as :func:`load_record` does.

    Raises
    ------
    RecordError
        When the file is not a readable regular file, not UTF-8, or not strict JSON (naming the
        duplicate key and its line).
    """
    source = str(path)
    text = read_user_text(path, "record", error=RecordError)
    return load_user_json(text, source, "record", RecordError)


class _RecordSchema(GenerateJsonSchema):
    """The JSON Schema of records, with keys of id-keyed objects (``votes``, ``opinions``)
    constrained by ``propertyNames`` (pydantic writes a ``patternProperties`` that lets any
    other key through with any value)."""

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        out = super().dict_schema(schema)
        patterns = out.pop("patternProperties", None)
        if patterns:
            (pattern, values), = patterns.items()
            out["additionalProperties"] = values
            out["propertyNames"] = {**out.get("propertyNames", {}), "pattern": pattern}
        return out


def record_schema() -> dict[str, Any]:
    """The JSON Schema of the ``zcsim.meeting/1`` format."""
    schema = Record.model_json_schema(schema_generator=_RecordSchema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "zcsim.meeting/1 — a title-review committee meeting record"
    return schema
