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

from zcsim.errors import CalendarError, InputError, RecordError, RuleSetError, ZcsimError
from zcsim.law import Citation, RuleSet, builtin_rule_sets, load_rules
from zcsim.procedure import CHECKS, Finding, decide, min_yes_to_pass, passes, quorum_met, quorum_required

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
