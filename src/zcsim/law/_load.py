"""Loading rule sets: built-in names, YAML rule files, and ``KEY=VALUE`` overrides."""

from __future__ import annotations

import contextvars
import dataclasses
import datetime
import difflib
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any


from zcsim._files import load_user_yaml, read_user_text
from zcsim.errors import InputError, RuleSetError
from zcsim.law._params import (
    LEVELS,
    RATIO_MAX_DENOMINATOR,
    RATIO_MAX_DIGITS,
    RATIO_MAX_EXPONENT,
    REGIONS,
    RELATION_TYPES,
    ROLES,
    Citation,
    ParamSpec,
)
from zcsim.law._ruleset import RuleSet, parse_in_force

__all__ = ["load_rules", "builtin_rule_sets", "parse_assignment", "parse_value", "parse_ratio"]

_RULE_FILE_KEYS = ("format", "name", "base", "description", "instrument", "in_force", "set", "citations")
_CITATION_KEYS = ("article", "phrase", "not_in_instrument")
_IN_FORCE_KEYS = ("date", "article", "phrase")
MAX_ARTICLE = 1_000
"""Largest article number a rule file's citation may name (the 2020 Measures have 46 articles)."""
_TEXT_KEYS = ("name", "description", "instrument")
_LIST_POOLS = {"levels": LEVELS, "relations": RELATION_TYPES, "regions": REGIONS, "roles": ROLES}
_TRUE = {"true", "yes", "on", "1"}
_INT = re.compile(r"[+-]?[0-9]{1,30}")  # ASCII digits only: "²" passes isdigit() and crashes int()
_D = RATIO_MAX_DIGITS
_RATIO = re.compile(
    rf"[+]?(?:[0-9]{{1,{_D}}}/[0-9]{{1,{_D}}}"  # p/q
    rf"|(?:[0-9]{{1,{_D}}}(?:\.[0-9]{{0,{_D}}})?|\.[0-9]{{1,{_D}}})"  # 0.5, 1., .5
    r"(?:[eE][+-]?[0-9]{1,2})?)")  # 1e-3, 1e-05 (a YAML float's text); the exponent's size is checked next
_FALSE = {"false", "no", "off", "0"}
MAX_SHOWN = 60
"""Most characters of a bad value an error message repeats (the rest is cut with '…')."""


def shown(raw: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(raw)`` cut to ``limit`` characters (:data:`MAX_SHOWN` by default), safe for any value
    (a 5,000-digit integer cannot even be turned into text).

    Examples
    --------
    >>> shown("x" * 100)[:8], len(shown("x" * 100))
    ("'xxxxxxx", 61)
    >>> shown(10**5000)
    'a 5001-digit number'
    """
    if isinstance(raw, int) and not isinstance(raw, bool) and raw.bit_length() > 64:
        return f"a {_digit_count(raw)}-digit number"
    try:
        text = repr(raw)
    except ValueError:  # pragma: no cover - a container holding a huge integer
        text = f"a {type(raw).__name__} too large to show"
    return text if len(text) <= limit else text[:limit] + "…"


def _digit_count(n: int) -> int:
    """Decimal digits of ``n`` without converting it to text (exact)."""
    n = abs(n)
    guess = n.bit_length() * 30103 // 100000 + 1  # 0.30103 >= log10(2): never too small, at most 1 too big
    return guess if n >= 10 ** (guess - 1) else guess - 1


def _ratio(text: str) -> Fraction | None:
    """``text`` as an exact ratio, or ``None`` if it is not one of the accepted forms.

    The form is checked before any conversion: ``Fraction("1e-5000")`` would build a 5,000-digit
    integer that cannot even be printed.
    """
    if not _RATIO.fullmatch(text):
        return None
    exp = re.search(r"[eE]([+-]?[0-9]+)", text)
    if exp is not None and abs(int(exp.group(1))) > RATIO_MAX_EXPONENT:
        return None
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None
    return value if value.denominator <= RATIO_MAX_DENOMINATOR else None


def parse_ratio(raw: Any, *, source: str | None = None, location: str | None = None,
                minimum: Fraction = Fraction(0), maximum: Fraction = Fraction(1),
                error: type[InputError] = RuleSetError) -> Fraction:
    """Read a ratio (``2/3``, ``0.5``, ``1e-1``) exactly, within ``[minimum, maximum]``.

    Every share or ratio a user gives (``--set pass_ratio=…``, ``draw --min-share``, a rule
    file) goes through here: at most :data:`~zcsim.law._params.RATIO_MAX_DIGITS` digits a side,
    an exponent of at most :data:`~zcsim.law._params.RATIO_MAX_EXPONENT`, and a denominator of
    at most :data:`~zcsim.law._params.RATIO_MAX_DENOMINATOR`, checked before conversion.

    Parameters
    ----------
    raw : str, int or float
        The value as typed or as YAML gave it (a YAML float is read through its text, so
        ``0.1`` is exactly 1/10).
    source, location : str, optional
        Where the value came from, for the error.
    minimum, maximum : Fraction
        The accepted range (inclusive).
    error : type of InputError
        The error class raised.

    Raises
    ------
    InputError
        ``error``, one line naming the value and what was expected.

    Examples
    --------
    >>> parse_ratio("2/3"), parse_ratio(0.1), parse_ratio(" 1e-1 ")
    (Fraction(2, 3), Fraction(1, 10), Fraction(1, 10))
    >>> parse_ratio("1e-5000", source="--set", location="pass_ratio")
    Traceback (most recent call last):
    ...
    zcsim.errors.RuleSetError: --set: pass_ratio: '1e-5000' is not a ratio between 0 and 1 ...
    """
    value = None
    if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        value = _ratio(str(raw).replace(" ", ""))
    if value is None or not minimum <= value <= maximum:
        raise error(f"{shown(raw)} is not a ratio between {minimum} and {maximum} (expected p/q or a decimal such as "
                    f"2/3 or 0.5, at most {RATIO_MAX_DIGITS} digits a side, denominator at most "
                    f"{RATIO_MAX_DENOMINATOR:,})", source=source, location=location)
    return value


@functools.cache
def _builtin_names() -> tuple[str, ...]:
    folder = resources.files("zcsim.law") / "rulesets"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def builtin_rule_sets() -> list[str]:
    """Names of the rule sets shipped with zcsim.

    Examples
    --------
    >>> "beijing-2020" in builtin_rule_sets()
    True
    """
    return list(_builtin_names())


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def canonical_key(key: str) -> str:
    """Accept ``pool_min_share.young`` and ``pool-min-share-young`` as ``pool_min_share_young``."""
    return key.strip().replace(".", "_").replace("-", "_")


def _unknown_key(key: str, where: str | None) -> RuleSetError:
    specs = RuleSet.specs()
    return RuleSetError(
        f"unknown rule {shown(key)}{_suggest(canonical_key(key), specs)}; valid rules: "
        + ", ".join(specs),
        source=where,
    )


def parse_value(spec: ParamSpec, raw: Any, *, where: str | None = None) -> Any:
    """Convert ``raw`` (a YAML value or a command-line string) to the type of ``spec``.

    Raises
    ------
    RuleSetError
        Naming the key, the bad value and what was expected.
    """

    def bad(extra: str = "") -> RuleSetError:
        return RuleSetError(
            f"{spec.key} = {shown(raw)} is not valid: expected {spec.expected}{extra} ({spec.citation.label})",
            source=where,
            location=spec.key,
        )

    kind = spec.kind
    text = raw.strip() if isinstance(raw, str) else raw
    if kind == "bool":
        if isinstance(text, bool):
            return text
        if isinstance(text, str) and text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise bad()
    if kind in ("int", "optional_int"):
        if kind == "optional_int" and (text is None or (isinstance(text, str) and text.lower() in {"none", "null", "off", ""})):
            return None
        if isinstance(text, bool):
            raise bad()
        if isinstance(text, int):
            value = text
        elif isinstance(text, str) and _INT.fullmatch(text):
            value = int(text)
        else:
            raise bad()
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            raise bad()
        return value
    if kind == "fraction":
        lo, hi = spec.minimum, spec.maximum
        try:
            return parse_ratio(text, minimum=Fraction(0) if lo is None else Fraction(lo),
                               maximum=Fraction(1) if hi is None else Fraction(hi))
        except RuleSetError:
            raise bad() from None
    if kind == "choice":
        if isinstance(text, str) and text in spec.choices:
            return text
        raise bad(_suggest(text, spec.choices) if isinstance(text, str) else "")
    if kind in _LIST_POOLS:
        pool = _LIST_POOLS[kind]
        if isinstance(text, str):
            items = [t.strip() for t in text.split(",") if t.strip()]
        elif isinstance(text, (list, tuple)) and all(isinstance(t, str) for t in text):
            items = [t.strip() for t in text]
        else:
            raise bad()
        for item in items:
            if item not in pool:
                raise bad(f"; {shown(item)} is not one of them{_suggest(item, pool)}")
        # keep the pool's canonical order, without repeats
        return tuple(p for p in pool if p in items)
    raise AssertionError(kind)  # pragma: no cover


def parse_assignment(text: str) -> tuple[str, str]:
    """Split ``KEY=VALUE`` (as given to ``--set``) into its parts.

    Examples
    --------
    >>> parse_assignment("pass_ratio=3/5")
    ('pass_ratio', '3/5')
    """
    if "=" not in text:
        raise RuleSetError(f"expected KEY=VALUE, got {shown(text)}", source="--set")
    key, value = text.split("=", 1)
    return canonical_key(key), value


def _flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        full = f"{prefix}_{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(_flatten(value, full))
        else:
            out[canonical_key(full)] = value
    return out


def apply_overrides(
    rules: RuleSet,
    overrides: Mapping[str, Any] | Sequence[str],
    *,
    where: str | None = None,
    name: str | None = None,
) -> RuleSet:
    """Return ``rules`` with some parameters replaced.

    ``overrides`` is a mapping (values as YAML would give them; nested mappings such as
    ``{"pool_min_share": {"young": "1/10"}}`` are flattened) or a sequence of ``KEY=VALUE``
    strings as given on the command line.
    """
    if isinstance(overrides, Mapping):
        items = list(_flatten(overrides).items())
        source = where
    else:
        items = [parse_assignment(s) for s in overrides]
        source = where or "--set"
    specs = RuleSet.specs()
    changes: dict[str, Any] = {}
    for key, raw in items:
        key = canonical_key(key)
        if key not in specs:
            raise _unknown_key(key, source)
        changes[key] = parse_value(specs[key], raw, where=source)
    if not changes:
        return rules
    new_name = name or (
        rules.name + "+" + ",".join(f"{k}={v if not isinstance(v, tuple) else '|'.join(v)}" for k, v in changes.items())
    )
    try:
        return dataclasses.replace(rules, name=new_name, base=rules.name, **changes).validate()
    except RuleSetError as exc:
        if source is not None and (exc.source or "").startswith("rule set "):
            # the overrides contradict the rules: name where they came from (--set, the file)
            raise RuleSetError(exc.message, source=source, location=exc.location) from None
        raise


def _read_rule_file(path: Path, display: str) -> dict[str, Any]:
    # a regular file only, read once and capped: a FIFO would block, /dev/zero fill memory
    text = read_user_text(path, "rule", error=RuleSetError)
    data = load_user_yaml(text, display, "rule", RuleSetError)
    if not isinstance(data, Mapping):
        raise RuleSetError("a rule file must be a mapping with keys " + ", ".join(_RULE_FILE_KEYS), source=display)
    for key in data:
        if key not in _RULE_FILE_KEYS:
            raise RuleSetError(
                f"unknown top-level key {shown(key)}{_suggest(str(key), _RULE_FILE_KEYS)}; expected "
                + ", ".join(_RULE_FILE_KEYS) + " (rule values go under 'set:')",
                source=display,
            )
    fmt = data.get("format", "zcsim.rules/1")
    if fmt != "zcsim.rules/1":
        raise RuleSetError(f"format {shown(fmt)} is not supported; expected 'zcsim.rules/1'", source=display,
                           location="format")
    if data.get("set") is not None and not isinstance(data.get("set"), Mapping):
        raise RuleSetError("'set' must be a mapping of rule = value", source=display, location="set")
    for key in _TEXT_KEYS:
        if key in data and not isinstance(data[key], str):
            raise RuleSetError(f"{key} must be text, got {shown(data[key])}", source=display, location=key)
    _check_citations(data.get("citations"), display)
    _check_in_force(data.get("in_force"), display)
    return dict(data)


def _in_force_text(raw: Any) -> str:
    """The ``date:`` of ``in_force:`` as text (YAML reads ``2019-09-01`` as a date, ``2003`` as a number)."""
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return raw if isinstance(raw, str) else ""


def _check_in_force(value: Any, display: str) -> None:
    """Check ``in_force: {date: YYYY[-MM[-DD]], article: N, phrase: TEXT}``."""
    if value is None:
        return
    shape = ("'in_force' is a mapping with 'date' (YYYY-MM-DD, or YYYY-MM / YYYY when only the year or month is "
             "known), 'phrase' (text) and optionally 'article'")
    if not isinstance(value, Mapping) or not isinstance(value.get("phrase"), str) or "date" not in value:
        raise RuleSetError(f"{shape}, got {shown(value)}", source=display, location="in_force")
    extra = [k for k in value if k not in _IN_FORCE_KEYS]
    if extra:
        raise RuleSetError(f"unknown in_force key {shown(extra[0])}; expected " + ", ".join(_IN_FORCE_KEYS),
                           source=display, location="in_force")
    try:
        parse_in_force(_in_force_text(value["date"]))
    except ValueError:
        raise RuleSetError(f"date {shown(value['date'])} is not a date YYYY-MM-DD, YYYY-MM or YYYY", source=display,
                           location="in_force.date") from None
    art = value.get("article")
    if art is not None and (isinstance(art, bool) or not isinstance(art, int) or not 1 <= art <= MAX_ARTICLE):
        raise RuleSetError(f"article must be a whole number from 1 to {MAX_ARTICLE} or null, got {shown(art)}",
                           source=display, location="in_force.article")


def _check_citations(citations: Any, display: str) -> None:
    """Check the shape of a rule file's ``citations:``: ``{rule: {article: N, phrase: TEXT}}``."""
    if citations is None:
        return
    if not isinstance(citations, Mapping):
        raise RuleSetError("'citations' must be a mapping of rule = {article: N, phrase: TEXT}", source=display,
                           location="citations")
    for key, cit in citations.items():
        where = f"citations.{shown(key) if not isinstance(key, str) else key}"
        if not isinstance(cit, Mapping) or not isinstance(cit.get("phrase"), str):
            raise RuleSetError("a citation is a mapping with 'phrase' (text) and optionally 'article' (a whole "
                               f"number from 1 to {MAX_ARTICLE}), got {shown(cit)}", source=display, location=where)
        extra = [k for k in cit if k not in _CITATION_KEYS]
        if extra:
            raise RuleSetError(f"unknown citation key {shown(extra[0])}; expected "
                               + " and ".join(_CITATION_KEYS), source=display, location=where)
        art = cit.get("article")
        if art is not None and (isinstance(art, bool) or not isinstance(art, int) or not 1 <= art <= MAX_ARTICLE):
            raise RuleSetError(f"article must be a whole number from 1 to {MAX_ARTICLE} or null, got {shown(art)}",
                               source=display, location=f"{where}.article")
        absent = cit.get("not_in_instrument", False)
        if not isinstance(absent, bool):
            raise RuleSetError(f"not_in_instrument must be true or false, got {shown(absent)}", source=display,
                               location=f"{where}.not_in_instrument")
        if absent and art is not None:
            raise RuleSetError("a rule that is not in the instrument has no article: drop 'article' or "
                               "'not_in_instrument'", source=display, location=f"{where}.article")


def _from_data(data: Mapping[str, Any], display: str, stack: tuple[str, ...], folder: Path | None = None) -> RuleSet:
    try:
        return _from_data_unnamed(data, display, stack, folder)
    except RuleSetError as exc:
        if exc.source is None or exc.source.startswith("rule set "):
            # RuleSet.validate() names the rule set, not the file its numbers came from
            raise RuleSetError(exc.message, source=display, location=exc.location) from None
        raise


def _from_data_unnamed(data: Mapping[str, Any], display: str, stack: tuple[str, ...],
                       folder: Path | None = None) -> RuleSet:
    base_name = data.get("base")
    if base_name is None:
        base = RuleSet()
    elif not isinstance(base_name, str):
        raise RuleSetError(f"base must be a rule set name or a rule file path, got {base_name!r}", source=display,
                           location="base")
    else:
        try:
            base = _load(base_name, stack, relative_to=folder)
        except RuleSetError as exc:
            if exc.source == "--rules":  # an unknown name: it came from this file's base:, not from --rules
                raise RuleSetError(exc.message, source=display, location="base") from None
            raise
    rules = apply_overrides(base, data.get("set") or {}, where=display, name=str(data.get("name", display)))
    citations = dict(base.citation_overrides)
    specs = RuleSet.specs()
    for key, cit in (data.get("citations") or {}).items():
        key = canonical_key(str(key))
        if key not in specs:
            raise _unknown_key(key, display)
        art = cit.get("article")  # shape checked by _check_citations
        citations[key] = Citation(
            art,
            str(cit["phrase"]),
            str(data.get("instrument", base.instrument)),
            not_in_instrument=bool(cit.get("not_in_instrument", False)),
        )
    # The base's citations are kept for the parameters this file does not cite, each under its own
    # instrument (zcsim rules names that instrument): never relabelled as this file's. The in-force
    # date belongs to an instrument too: a file naming another instrument states its own or has none.
    instrument = str(data.get("instrument", base.instrument))
    in_force, in_force_cit = (base.in_force, base.in_force_citation) if instrument == base.instrument else (
        None, Citation(None, "(in-force date not stated)", instrument))
    if data.get("in_force") is not None:
        f = data["in_force"]  # shape checked by _check_in_force
        in_force = _in_force_text(f["date"])
        in_force_cit = Citation(f.get("article"), str(f["phrase"]), instrument)
    return dataclasses.replace(
        rules,
        name=str(data.get("name", display)),
        base=str(base_name) if base_name is not None else None,
        description=str(data.get("description", rules.description)),
        instrument=instrument,
        in_force=in_force,
        in_force_citation=in_force_cit,
        citation_overrides=citations,
    ).validate()


@functools.cache
def _builtin(name: str) -> RuleSet:
    """A built-in rule set, read once (RuleSets are frozen, so sharing one is safe)."""
    res = resources.files("zcsim.law") / "rulesets" / f"{name}.yaml"
    return _from_data(_read_rule_file(Path(str(res)), name), name, (name,))


_WITHIN: contextvars.ContextVar[Path | None] = contextvars.ContextVar("zcsim_rules_within", default=None)


def load_rules_within(spec: str | Path, folder: Path) -> RuleSet:
    """:func:`load_rules` of a rule file that, with every ``base:`` file it names, must lie inside
    ``folder`` (after ``..`` and symbolic links are resolved): a scenario's rule file."""
    token = _WITHIN.set(folder.resolve())
    try:
        return load_rules(spec)
    finally:
        _WITHIN.reset(token)


def _load(spec: str, stack: tuple[str, ...], relative_to: Path | None) -> RuleSet:
    names = builtin_rule_sets()
    if spec in names:
        return _builtin(spec)
    if not spec.strip():
        raise RuleSetError("expected a built-in rule set name (" + ", ".join(names) + ") or a path to a .yaml rule "
                           "file, got an empty name", source=stack[-1] if stack else "--rules",
                           location="base" if stack else None)
    path = Path(spec)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    if "\0" in spec:
        raise RuleSetError("not a usable path (it contains a NUL character)", source=repr(spec))
    if path.suffix.lower() in {".yaml", ".yml"} or path.exists():
        within = _WITHIN.get()
        if within is not None and not path.resolve().is_relative_to(within):
            raise RuleSetError(f"rule file {spec!r} resolves to {path.resolve()}, outside the scenario's folder "
                               f"{within}; a scenario's files stay in its folder: move the file there, or allow "
                               "paths outside it with --allow-outside-paths (Python: "
                               "load_scenario(..., allow_outside=True))", source=stack[-1] if stack else spec,
                               location="base" if stack else None)
        if not path.exists():
            raise RuleSetError("rule file not found", source=spec)
        key = str(path.resolve())
        if key in stack:
            raise RuleSetError("rule files form a cycle: " + " -> ".join((*stack, key)), source=spec)
        data = _read_rule_file(path, spec)
        return _from_data(data, spec, (*stack, key), folder=path.parent)
    if "+" in spec and "=" in spec:
        # the name a rule change gets: BASE+KEY=VALUE,KEY=VALUE (list values joined with '|')
        base, *changes = spec.split("+")
        rules = _load(base, stack, relative_to)
        for change in changes:
            rules = apply_overrides(rules, [kv.replace("|", ",") for kv in change.split(",") if kv], where=f"rule set {spec!r}")
        return rules
    raise RuleSetError(
        f"unknown rule set {shown(spec)}{_suggest(spec, names)}; built-in rule sets: "
        + ", ".join(names) + "; or give a path to a .yaml rule file",
        source="--rules",
    )


def load_rules(
    spec: str | Path | RuleSet = "beijing-2020",
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
) -> RuleSet:
    """Load a rule set by built-in name or YAML file, then apply overrides.

    Parameters
    ----------
    spec : str, Path or RuleSet
        A built-in name (see :func:`builtin_rule_sets`), a path to a ``zcsim.rules/1`` YAML file
        (``base:`` plus ``set:`` overrides), or a RuleSet to start from.
    overrides : mapping or sequence of ``"KEY=VALUE"``, optional
        Parameters to replace, as in ``zcsim … --set KEY=VALUE``.

    Returns
    -------
    RuleSet

    Raises
    ------
    RuleSetError
        For an unknown name, an unreadable file, an unknown key (listing the valid ones) or an
        ill-typed value (saying what was expected).

    Examples
    --------
    >>> load_rules("beijing-2003-style").threshold_inclusive
    False
    >>> load_rules(overrides=["pass_ratio=3/5"]).pass_ratio
    Fraction(3, 5)
    """
    if isinstance(spec, RuleSet):
        rules = spec
    else:
        rules = _load(str(spec), (), relative_to=None)
    if overrides:
        rules = apply_overrides(rules, overrides)
    return rules
