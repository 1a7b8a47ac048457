"""Loading rule sets: built-in names, YAML rule files, and ``KEY=VALUE`` overrides."""

from __future__ import annotations

import contextvars
import dataclasses
import difflib
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any


from zcsim._files import load_user_yaml
from zcsim.errors import RuleSetError
from zcsim.law._params import LEVELS, REGIONS, RELATION_TYPES, ROLES, Citation, ParamSpec
from zcsim.law._ruleset import RuleSet

__all__ = ["load_rules", "builtin_rule_sets", "parse_assignment", "parse_value"]

_RULE_FILE_KEYS = ("format", "name", "base", "description", "instrument", "set", "citations")
_LIST_POOLS = {"levels": LEVELS, "relations": RELATION_TYPES, "regions": REGIONS, "roles": ROLES}
_TRUE = {"true", "yes", "on", "1"}
_INT = re.compile(r"[+-]?[0-9]{1,1000}")
_EXPONENT = re.compile(r"[eE][+-]?(\d+)")
_FALSE = {"false", "no", "off", "0"}


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
        f"unknown rule {key!r}{_suggest(canonical_key(key), specs)}; valid rules: "
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
            f"{spec.key} = {raw!r} is not valid: expected {spec.expected}{extra} ({spec.citation.label})",
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
            value = int(text)  # ASCII digits only: "²" or "+-5" passed isdigit() and crashed int()
        else:
            raise bad()
        if spec.minimum is not None and value < spec.minimum:
            raise bad()
        return value
    if kind == "fraction":
        if isinstance(text, bool) or text is None:
            raise bad()
        number = str(text).replace(" ", "")
        # str() first, so a YAML float 0.1 becomes exactly 1/10, never a binary float; at most
        # 4 exponent digits and 1000 digits ("1e-99999999999" made Fraction compute 10**99999999999)
        if len(number) > 1000 or any(len(e) > 4 for e in _EXPONENT.findall(number)):
            raise bad()
        try:
            value = Fraction(number)
        except (ValueError, ZeroDivisionError, OverflowError):
            raise bad() from None
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            raise bad()
        return value
    if kind == "choice":
        if isinstance(text, str) and text in spec.choices:
            return text
        raise bad(_suggest(str(text), spec.choices))
    if kind in _LIST_POOLS:
        pool = _LIST_POOLS[kind]
        if isinstance(text, str):
            items = [t.strip() for t in text.split(",") if t.strip()]
        elif isinstance(text, (list, tuple)):
            items = [str(t).strip() for t in text]
        else:
            raise bad()
        for item in items:
            if item not in pool:
                raise bad(f"; {item!r} is not one of them{_suggest(item, pool)}")
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
        raise RuleSetError(f"expected KEY=VALUE, got {text!r}", source="--set")
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
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RuleSetError(f"not UTF-8 text (byte {exc.start})", source=display) from None
    except OSError as exc:
        raise RuleSetError(f"cannot read rule file: {exc.strerror}", source=display) from None
    data = load_user_yaml(text, display, "rule", RuleSetError)
    if not isinstance(data, Mapping):
        raise RuleSetError("a rule file must be a mapping with keys " + ", ".join(_RULE_FILE_KEYS), source=display)
    for key in data:
        if key not in _RULE_FILE_KEYS:
            raise RuleSetError(
                f"unknown top-level key {key!r}{_suggest(str(key), _RULE_FILE_KEYS)}; expected "
                + ", ".join(_RULE_FILE_KEYS) + " (rule values go under 'set:')",
                source=display,
            )
    fmt = data.get("format", "zcsim.rules/1")
    if fmt != "zcsim.rules/1":
        raise RuleSetError(f"format {fmt!r} is not supported; expected 'zcsim.rules/1'", source=display, location="format")
    if data.get("set") is not None and not isinstance(data.get("set"), Mapping):
        raise RuleSetError("'set' must be a mapping of rule = value", source=display, location="set")
    return dict(data)


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
        if not isinstance(cit, Mapping) or "phrase" not in cit:
            raise RuleSetError("a citation needs 'phrase' (and optionally 'article')", source=display, location=f"citations.{key}")
        art = cit.get("article")
        citations[key] = Citation(
            int(art) if art is not None else None,
            str(cit["phrase"]),
            str(data.get("instrument", base.instrument)),
        )
    return dataclasses.replace(
        rules,
        name=str(data.get("name", display)),
        base=str(base_name) if base_name is not None else None,
        description=str(data.get("description", rules.description)),
        instrument=str(data.get("instrument", base.instrument)),
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
        f"unknown rule set {spec!r}{_suggest(spec, names)}; built-in rule sets: "
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
