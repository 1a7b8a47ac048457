"""Pieces shared by the zcsim commands: exit statuses, the console, the rule-set options."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from zcsim.law import builtin_rule_sets

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2


def console(err: bool = False) -> Console:
    return Console(stderr=err, highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 140)


rules_option = click.option(
    "--rules", "rules_spec", metavar="NAME|FILE",
    help="Rule set: a built-in name (" + ", ".join(builtin_rule_sets()) + ") or a zcsim.rules/1 YAML file.",
)
set_option = click.option(
    "--set", "overrides", metavar="KEY=VALUE", multiple=True,
    help="Override one rule, e.g. --set pass_ratio=3/5 (repeatable; `zcsim rules` lists the keys).",
)
