"""Reading a user's text file with errors that name it (shared by every loader)."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from zcsim.errors import InputError, ZcsimError

__all__ = ["read_user_text", "read_user_bytes", "decode_utf8", "decode_table", "normalise_encoding",
           "load_user_json", "load_user_yaml", "yaml_errors", "check_yaml_data", "yaml_problem", "STDIN",
           "MAX_INPUT_BYTES", "TABLE_ENCODINGS"]

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The loader of every user YAML file but scenarios (which index lines): the C safe loader where
available, never an unsafe one."""


MAX_INPUT_BYTES = 256 * 2**20
"""Largest user file zcsim reads (256 MiB): a bigger one, or an endless device such as
``/dev/zero``, is refused before it fills memory."""

STDIN = "-"
"""The path that names standard input, where a command reads one input that may be a pipe."""


def read_user_bytes(path: str | Path, what: str, *, stream_ok: bool = False, max_bytes: int = MAX_INPUT_BYTES,
                    error: type[InputError] = InputError) -> bytes:
    """The bytes of the user's file ``path``, read exactly once, or one ``error`` naming it.

    Only a regular file is read, so a FIFO, a terminal or a device such as ``/dev/zero`` never
    hangs or fills memory. Where ``stream_ok`` (an input a user may pipe in: a CSV table), ``-``
    names standard input and a pipe (``<(cat f.csv)``, ``/dev/stdin``) is read too, once, to its
    end; a named FIFO that no program writes to reads as empty rather than waiting. Nothing larger
    than ``max_bytes`` is read.

    Examples
    --------
    >>> read_user_bytes("/dev/zero", "rule")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: /dev/zero: rule file expected, got a character device (not a regular file)
    """
    src = str(path)
    with _reading(src, what, error):
        if src == STDIN:
            if not stream_ok:
                raise error(f"standard input ('-') is not accepted for a {what} file; give a file path", source=src)
            return _read_capped(sys.stdin.buffer, src, what, max_bytes, error)
        st = os.stat(path)
        kind = _file_kind(st.st_mode)
        if kind == "directory":
            raise error(f"{what} file expected, got a directory", source=src)
        if kind != "file" and not (stream_ok and kind == "pipe"):
            hint = " or '-' for standard input" if stream_ok else ""
            raise error(f"{what} file expected, got a {kind} (not a regular file{hint})", source=src)
        if kind == "file" and st.st_size > max_bytes:
            raise error(f"{what} file is {st.st_size:,} bytes; the most zcsim reads is {max_bytes:,}", source=src)
        if kind == "pipe":
            # opened without waiting for a writer: a FIFO nobody writes to reads as empty, never hangs
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            os.set_blocking(fd, True)
            with os.fdopen(fd, "rb") as fh:
                return _read_capped(fh, src, what, max_bytes, error)
        with open(path, "rb") as fh:
            return _read_capped(fh, src, what, max_bytes, error)


_FILE_KINDS = ((stat.S_ISREG, "file"), (stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "pipe"),
               (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"))


def _file_kind(mode: int) -> str:
    return next((name for test, name in _FILE_KINDS if test(mode)), "special file")


def _line_of(data: bytes, pos: int) -> str:
    """``line N`` of byte ``pos`` of ``data``."""
    return "line " + str(data.count(b"\n", 0, pos) + 1)


def _read_capped(fh: Any, src: str, what: str, max_bytes: int, error: type[InputError]) -> bytes:
    data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise error(f"{what} input is larger than {max_bytes:,} bytes, the most zcsim reads", source=src)
    return bytes(data)


def read_user_text(path: str | Path, what: str, *, stream_ok: bool = False, max_bytes: int = MAX_INPUT_BYTES,
                   error: type[InputError] = InputError) -> str:
    """The UTF-8 text of ``path`` (read as :func:`read_user_bytes` does), or an ``error`` naming
    the file and what went wrong; text that is not UTF-8 is refused with its line.

    ``what`` names the kind of file in messages: ``"policy"`` gives "policy file not found".

    Examples
    --------
    >>> read_user_text("no/such/file.yaml", "scenario")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: no/such/file.yaml: scenario file not found
    """
    data = read_user_bytes(path, what, stream_ok=stream_ok, max_bytes=max_bytes, error=error)
    return decode_utf8(data, str(path), what, error)


def decode_utf8(data: bytes, source: str, what: str, error: type[InputError] = InputError) -> str:
    """``data`` as UTF-8 text, or one ``error`` naming the line and byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte {exc.start}); save the {what} file as UTF-8", source=source,
                    location=_line_of(data, exc.start)) from None


@contextmanager
def _reading(src: str, what: str, error: type[InputError] = InputError) -> Iterator[None]:
    """An operating-system error reading a user's file as one ``error`` naming it."""
    try:
        yield
    except FileNotFoundError:
        raise error(f"{what} file not found", source=src) from None
    except IsADirectoryError:
        raise error(f"{what} file expected, got a directory", source=src) from None
    except OSError as exc:
        raise error(f"cannot read {what} file: {exc.strerror or exc}", source=src) from None
    except (ValueError, UnicodeError) as exc:  # a path with a NUL byte or a lone surrogate
        if isinstance(exc, ZcsimError):
            raise
        raise error(f"cannot read {what} file: {' '.join(str(exc).split())[:200]}", source=src) from None


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


# --------------------------------------------------------------------------------------------
# The encoding of a table an agency exports (UTF-8 with or without BOM, GB18030/GBK)
# --------------------------------------------------------------------------------------------
TABLE_ENCODINGS = ("utf-8", "gb18030")
"""The encodings a CSV table may be in: UTF-8 (with or without a byte-order mark) and GB18030,
the superset of GBK and GB2312 that a spreadsheet on a Chinese-language system saves as "ANSI"."""

_ENCODING_NAMES = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "utf_8": "utf-8",
                   "gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030",
                   "gb-18030": "gb18030", "gb_18030": "gb18030"}

_COMMON_SHARE = 0.8
"""Share of the non-ASCII characters of a decoding that must be common Chinese (a GB2312
level-1 character or CJK punctuation) for that decoding to be taken when the bytes are valid in
both encodings; the other decoding must then score below :data:`_RARE_SHARE`."""
_RARE_SHARE = 0.5


def _is_common(ch: str) -> bool:
    """A character common in Chinese text: GB2312 level 1 (the 3,755 most used hanzi), CJK
    punctuation or a full-width form."""
    if "\u3000" <= ch <= "\u303f" or "\uff01" <= ch <= "\uff5e" or ch in "\u2014\u2018\u2019\u201c\u201d\u2026\u00b7":
        return True
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xB0 <= b[0] <= 0xD7


def _common_share(text: str) -> float:
    chars = [c for c in text if ord(c) > 0x7F]
    return sum(map(_is_common, chars)) / len(chars) if chars else 1.0


def normalise_encoding(name: str, source: str = "--encoding") -> str:
    """The canonical name (``utf-8`` or ``gb18030``) of an encoding a user names.

    Examples
    --------
    >>> normalise_encoding("GBK"), normalise_encoding("utf-8-sig")
    ('gb18030', 'utf-8')
    """
    key = name.strip().lower()
    if key not in _ENCODING_NAMES:
        raise InputError(f"unknown encoding {name!r}; expected utf-8 or gb18030 (gbk and gb2312 are read as "
                         "gb18030, their superset)", source=source)
    return _ENCODING_NAMES[key]


def decode_table(data: bytes, source: str, what: str, encoding: str | None = None,
                 error: type[InputError] = InputError) -> tuple[str, str]:
    """``(text, encoding)`` of a CSV table's bytes: ``encoding`` is ``"utf-8"``,
    ``"utf-8 (BOM)"`` or ``"gb18030"``, the one that was used, for the caller to report.

    With ``encoding`` given (``--encoding``), only that one is tried. Otherwise a byte-order mark
    means UTF-8; bytes valid in only one of UTF-8 and GB18030 are read in that one; bytes valid in
    both (GBK text can be valid UTF-8 by chance) are read in the one whose non-ASCII characters
    are common Chinese text, and refused as ambiguous, with the first line that differs and a
    hint, when that does not tell them apart.

    Examples
    --------
    >>> decode_table("专家,配偶\\n".encode("gbk"), "r.csv", "relations")
    ('专家,配偶\\n', 'gb18030')
    >>> decode_table("专家,配偶\\n".encode("utf-8"), "r.csv", "relations")
    ('专家,配偶\\n', 'utf-8')
    """
    bom = data.startswith(b"\xef\xbb\xbf")
    if encoding is not None:
        enc = normalise_encoding(encoding)
        body = data[3:] if bom and enc == "utf-8" else data
        try:
            return body.decode(enc), ("utf-8 (BOM)" if bom and enc == "utf-8" else enc)
        except UnicodeDecodeError as exc:
            raise error(f"not {enc} text (byte {exc.start}); check --encoding (utf-8 or gb18030)",
                        source=source, location=_line_of(body, exc.start)) from None
    if bom:
        try:
            return data[3:].decode("utf-8"), "utf-8 (BOM)"
        except UnicodeDecodeError as exc:
            raise error(f"starts with a UTF-8 byte-order mark but is not UTF-8 text (byte {exc.start})",
                        source=source, location=_line_of(data, exc.start)) from None
    results: dict[str, str] = {}
    failures: dict[str, UnicodeDecodeError] = {}
    for enc in TABLE_ENCODINGS:
        try:
            results[enc] = data.decode(enc)
        except UnicodeDecodeError as exc:
            failures[enc] = exc
    if not results:
        exc = failures["utf-8"]
        raise error(f"the {what} file is neither UTF-8 nor GB18030/GBK text (byte {exc.start} is not UTF-8); "
                    "save it as UTF-8 (\"CSV UTF-8\" in a spreadsheet) or name its encoding with --encoding",
                    source=source, location=_line_of(data, exc.start))
    if len(results) == 1 or results["utf-8"] == results["gb18030"]:
        enc = "utf-8" if "utf-8" in results else "gb18030"
        return results[enc], enc
    utf, gb = results["utf-8"], results["gb18030"]
    s_utf, s_gb = _common_share(utf), _common_share(gb)
    if s_utf >= _COMMON_SHARE and s_gb < _RARE_SHARE:
        return utf, "utf-8"
    if s_gb >= _COMMON_SHARE and s_utf < _RARE_SHARE:
        return gb, "gb18030"
    line = next((i for i, (a, b) in enumerate(zip(utf.split("\n"), gb.split("\n"), strict=False), 1) if a != b), 1)
    raise error(f"ambiguous encoding: the {what} file is valid both as UTF-8 and as GB18030/GBK, and they read "
                "differently; name the encoding with --encoding utf-8 or --encoding gb18030",
                source=source, location=f"line {line}")


# --------------------------------------------------------------------------------------------
# Strict JSON: what a record, a manifest or a summary is parsed with
# --------------------------------------------------------------------------------------------
class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _lone_surrogate(data: Any) -> str | None:
    """The first string (or key) of decoded JSON that holds a lone surrogate, else ``None``."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return value
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return None


def load_user_json(text: str, source: str, what: str, error: type[InputError] = InputError) -> Any:
    """Decode a user's JSON strictly, or raise one ``error`` naming ``source`` and the line.

    Refused, as JSON itself leaves them open or Python's reader is lax about them: a key that
    appears twice in one object (readers disagree on which copy wins, so a record could show one
    value to zcsim and another to a person), ``NaN`` and ``Infinity``, an escaped lone surrogate
    (``"\\ud800"``, which is no character), integers of more than 4,300 digits and nesting too
    deep to walk.

    Examples
    --------
    >>> load_user_json('{"a": 1}', "r.json", "record")
    {'a': 1}
    >>> load_user_json('{"a": 1,\\n "a": 2}', "r.json", "record")
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: r.json: line 2: duplicate key 'a'; every key appears once in an object
    """
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _DuplicateKey as exc:
        raise error(f"duplicate key {exc.key!r}; every key appears once in an object", source=source,
                    location=_duplicate_line(text, exc.key)) from None
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg}", source=source, location=f"line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise error("not valid JSON: nested too deeply", source=source) from None
    except ValueError as exc:  # NaN/Infinity, or an integer of more than 4,300 digits
        text_ = str(exc)
        if "integer string conversion" in text_:
            text_ = f"a number has more than {sys.get_int_max_str_digits():,} digits"
        raise error(f"not valid JSON: {' '.join(text_.split())[:200]}", source=source) from None
    bad = _lone_surrogate(data) if "\\u" in text else None
    if bad is not None:
        at = text.find("\\u" + format(next(ord(c) for c in bad if 0xD800 <= ord(c) <= 0xDFFF), "04x"))
        raise error(f"a string holds an escaped lone surrogate ({bad.encode('utf-8', 'backslashreplace').decode()[:40]!r}), "
                    "which is no character", source=source,
                    location=f"line {text.count(chr(10), 0, at) + 1}" if at >= 0 else None)
    return data


def _duplicate_line(text: str, key: str) -> str | None:
    """``line N`` of the second occurrence of ``key`` as an object key (close enough to find it)."""
    pat = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")
    hits = [m.start() for m in pat.finditer(text)]
    if len(hits) < 2:
        pat = re.compile(re.escape(json.dumps(key)) + r"\s*:")
        hits = [m.start() for m in pat.finditer(text)]
    return f"line {text.count(chr(10), 0, hits[1]) + 1}" if len(hits) >= 2 else None
