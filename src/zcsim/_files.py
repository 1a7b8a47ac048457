"""Reading a user's text file with errors that name it (shared by every loader)."""

from __future__ import annotations

from pathlib import Path

from zcsim.errors import InputError

__all__ = ["read_user_text"]


def read_user_text(path: str | Path, what: str) -> str:
    """The UTF-8 text of ``path``, or an :class:`InputError` naming the file and what went wrong.

    ``what`` names the kind of file in messages: ``"policy"`` gives "policy file not found".

    Examples
    --------
    >>> read_user_text("no/such/file.yaml", "scenario")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: no/such/file.yaml: scenario file not found
    """
    src = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} file not found", source=src) from None
    except IsADirectoryError:
        raise InputError(f"{what} file expected, got a directory", source=src) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=src) from None
    except OSError as exc:
        raise InputError(f"cannot read {what} file: {exc.strerror}", source=src) from None


YAML_MAX_VALUES = 200_000
"""Most values a user's YAML file may expand to (anchors and aliases counted each time they are used)."""
YAML_MAX_DEPTH = 100
"""Deepest nesting of mappings and lists a user's YAML file may have."""


def check_yaml_data(data: object, source: str, what: str) -> None:
    """Reject decoded YAML that would make later steps hang or crash: an alias "bomb" (a few
    lines whose aliases expand to billions of values), a self-referencing alias, or nesting
    deeper than :data:`YAML_MAX_DEPTH`. The walk stops at the limits, so it is cheap.

    Examples
    --------
    >>> check_yaml_data({"a": [1, 2]}, "f.yaml", "policy")
    >>> x: list = []
    >>> x.append(x)
    >>> check_yaml_data(x, "f.yaml", "policy")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: f.yaml: values nested more than 100 levels deep (a self-referencing YAML alias?)
    """
    count = 0
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > YAML_MAX_VALUES:
            raise InputError(f"the {what} file expands to more than {YAML_MAX_VALUES:,} values (YAML anchors "
                             "and aliases used over and over?); refusing to read it", source=source)
        if depth > YAML_MAX_DEPTH:
            raise InputError(f"values nested more than {YAML_MAX_DEPTH} levels deep (a self-referencing "
                             "YAML alias?)", source=source)
        if isinstance(value, dict):
            stack.extend((k, depth + 1) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend((v, depth + 1) for v in value)


def yaml_problem(exc: Exception, text: str) -> tuple[str, str | None]:
    """``(message, location)`` of an error of the YAML parser, on one line.

    PyYAML's messages of a bad character (``ReaderError``) or a value its constructor cannot
    build span several lines and carry no mark; this gives ``"not valid YAML: …"`` and
    ``"line N"`` (or ``"line N, column M"``) for every kind.
    """
    mark = getattr(exc, "problem_mark", None)
    loc: str | None = None
    if mark is not None:
        loc = f"line {mark.line + 1}, column {mark.column + 1}"
    elif isinstance(getattr(exc, "position", None), int):
        pos = exc.position  # type: ignore[attr-defined]
        loc = f"line {text.count(chr(10), 0, pos) + 1}"
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    character = getattr(exc, "character", None)
    if character is not None and not getattr(exc, "problem", None):
        problem = f"character {character if isinstance(character, str) else chr(character)!r} is not allowed ({problem})"
    return "not valid YAML: " + " ".join(str(problem).split())[:300], loc
