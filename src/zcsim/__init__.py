"""zcsim — simulate and verify professional-title review procedures written in law.

The first subject is the 2020 Beijing Interim Measures for the Management of Professional Title
Review (北京市职称评审管理暂行办法). The rules are data (:class:`RuleSet`), the procedure is
pure code that reads them (:mod:`zcsim.procedure`), and everything else is built on the
procedure.

Examples
--------
>>> import zcsim
>>> rules = zcsim.load_rules("beijing-2020")
>>> zcsim.passes(12, 18, rules)      # 12 of 18 present is exactly 2/3: "以上" includes it
True
>>> zcsim.quorum_required(25, rules)
17
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zcsim.errors import CalendarError, InputError, RecordError, RuleSetError, ZcsimError
    from zcsim.law import Citation, RuleSet, builtin_rule_sets, load_rules
    from zcsim.procedure import CHECKS, Finding, decide, min_yes_to_pass, passes, quorum_met, quorum_required

_LAZY = {
    "zcsim.errors": ("CalendarError", "InputError", "RecordError", "RuleSetError", "ZcsimError"),
    "zcsim.law": ("Citation", "RuleSet", "builtin_rule_sets", "load_rules"),
    "zcsim.procedure": ("CHECKS", "Finding", "decide", "min_yes_to_pass", "passes", "quorum_met", "quorum_required"),
}
"""Where each public name lives. They load on first use, so ``import zcsim`` (and the ``zcsim``
command's start, which Ctrl-C may interrupt) loads no numpy until something needs it."""
_WHERE = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'zcsim' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__version__ = "0.1.0"

__all__ = [
    "__version__",
    # rules
    "RuleSet",
    "Citation",
    "load_rules",
    "builtin_rule_sets",
    # procedure
    "Finding",
    "CHECKS",
    "passes",
    "decide",
    "min_yes_to_pass",
    "quorum_met",
    "quorum_required",
    # errors
    "ZcsimError",
    "InputError",
    "RuleSetError",
    "RecordError",
    "CalendarError",
]
