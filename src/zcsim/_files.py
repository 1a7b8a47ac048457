"""Reading a user's text file with errors that name it (shared by every loader)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from zcsim.errors import InputError, ZcsimError

__all__ = ["read_user_text", "read_user_bytes", "load_user_yaml", "yaml_errors", "check_yaml_data", "yaml_problem"]

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The loader of every user YAML file but scenarios (which index lines): the C safe loader where
available, never an unsafe one."""


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
    with _reading(src, what):
        try:
            return Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", source=src) from None


def read_user_bytes(path: str | Path, what: str) -> bytes:
    """The bytes of ``path``, with the errors of :func:`read_user_text` (a key file, say)."""
    with _reading(str(path), what):
        return Path(path).read_bytes()


@contextmanager
def _reading(src: str, what: str) -> Iterator[None]:
    """An operating-system error reading a user's file as one :class:`InputError` naming it."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(f"{what} file not found", source=src) from None
    except IsADirectoryError:
        raise InputError(f"{what} file expected, got a directory", source=src) from None
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


@contextmanager
def yaml_errors(text: str, source: str, error: type[InputError] = InputError) -> Iterator[None]:
    """Turn what PyYAML raises while reading ``text`` into a one-line ``error`` naming ``source``.

    zcsim's own errors raised inside the block pass through unchanged.
    """
    try:
        yield
    except ZcsimError:
        raise
    except Exception as exc:
        if isinstance(exc, yaml.YAMLError):
            message, loc = yaml_problem(exc, text)
            raise error(message, source=source, location=loc) from None
        if isinstance(exc, RecursionError):
            raise error("not valid YAML: nested too deeply", source=source) from None
        if isinstance(exc, ValueError):  # a scalar the constructor cannot build, e.g. an integer of 5,000 digits
            raise error(f"not valid YAML: {' '.join(str(exc).split())[:200]}", source=source) from None
        raise


def load_user_yaml(text: str, source: str, what: str, error: type[InputError] = InputError) -> Any:
    """Decode a user's YAML with the safe loader (the C one where available), never an unsafe one,
    and reject alias bombs and deep nesting (:func:`check_yaml_data`); every problem is one
    ``error`` naming ``source``.

    Examples
    --------
    >>> load_user_yaml("a: [1, 2]", "f.yaml", "policy")
    {'a': [1, 2]}
    >>> load_user_yaml("a: [1, 2", "f.yaml", "policy")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: f.yaml: line 2, column 1: not valid YAML: did not find expected ',' or ']'
    """
    with yaml_errors(text, source, error):
        data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    try:
        check_yaml_data(data, source, what)
    except InputError as exc:
        raise error(exc.message, source=source) from None
    return data
