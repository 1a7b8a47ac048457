"""The law layer: rule sets as data, each parameter with its citation.

Imports neither simpy, z3 nor networkx: this is the plain, fast core.
"""

from zcsim.law._load import apply_overrides, builtin_rule_sets, load_rules, parse_assignment, parse_ratio
from zcsim.law._params import LEVELS, RELATION_TYPES, REGIONS, ROLES, Citation, ParamSpec
from zcsim.law._ruleset import ParamInfo, RuleSet, format_value

__all__ = [
    "RuleSet",
    "ParamInfo",
    "ParamSpec",
    "Citation",
    "load_rules",
    "apply_overrides",
    "builtin_rule_sets",
    "parse_assignment",
    "parse_ratio",
    "format_value",
    "LEVELS",
    "ROLES",
    "RELATION_TYPES",
    "REGIONS",
]
