"""Pieces shared by the zcsim commands: exit statuses, the console, the rule-set options."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console

from zcsim.errors import ZcsimError
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

allow_outside_option = click.option(
    "--allow-outside-paths", "allow_outside", is_flag=True,
    help="Let the scenario name files outside its folder (rules, calendar.file, recusal.conflicts, "
         "recusal.graph.policy); by default they must stay inside it.",
)


class ZcsimCommand(click.Command):
    """A command that turns zcsim's own errors into one line on stderr and exit status 2.

    Every zcsim command uses it (the main group's commands through ``command_class``), so the
    rule holds whether a command runs under ``zcsim`` or on its own.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ZcsimError as exc:
            click.echo(f"zcsim: error: {exc}", err=True)
            ctx.exit(EXIT_BAD_INPUT)


class OneLineUsageError(click.ClickException):
    """A command-line usage error shown as one line, like zcsim's own errors."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file: Any = None) -> None:
        click.echo(f"zcsim: error: {self.format_message()}", err=True)


class OneLineUsageCommand(ZcsimCommand):
    """A :class:`ZcsimCommand` whose usage errors are one line too (``zcsim draw``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise OneLineUsageError(exc.format_message()) from None
