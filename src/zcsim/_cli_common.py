"""Pieces shared by the zcsim commands: exit statuses, the outer boundary (every error is one line:
exit 2 for bad input, 70 for an internal error, 130 for Ctrl-C), the console, the rule-set options."""

from __future__ import annotations

import _thread
import os
import sys
import threading
from typing import Any, NoReturn

import click
from rich.console import Console

from zcsim.errors import ZcsimError
from zcsim.law import builtin_rule_sets

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2
"""Exit statuses: compliant or done, violations found (or a guarantee lost), bad input."""


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


EXIT_INTERNAL = 70
"""An internal error: an exception no check of zcsim's anticipated (``EX_SOFTWARE``). It is a bug."""
EXIT_INTERRUPTED = 130
"""Stopped by Ctrl-C (128 + SIGINT), distinct from "violations found" and from bad input."""

BUG_HINT = ("this is a bug in zcsim: please report it with the command you ran "
            "(set ZCSIM_DEBUG=1 to see the traceback)")


def interrupted() -> NoReturn:
    """Ctrl-C: one line and exit status 130. Objects a library left half-built when the interrupt
    came (a Z3 context, say) may complain as they are collected at exit; those messages are
    silenced, as the run is over."""
    sys.unraisablehook = lambda unraisable: None
    if sys.stderr.isatty():  # end the line the terminal's "^C" is on
        click.echo(err=True)
    click.echo("zcsim: interrupted", err=True)
    sys.exit(EXIT_INTERRUPTED)


def _from_interrupt(exc: BaseException | None) -> bool:
    """Whether ``exc`` is Ctrl-C, or was raised by it: when Ctrl-C interrupts ctypes while it
    converts a foreign call's arguments (Z3's calls), ctypes raises ``ctypes.ArgumentError`` with
    the message ``argument N: KeyboardInterrupt: `` and no chained exception, so that message is
    what tells."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, KeyboardInterrupt):
            return True
        if type(exc).__name__ == "ArgumentError" and ": KeyboardInterrupt:" in str(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _redeliver_interrupt(unraisable: Any) -> None:
    """``sys.unraisablehook`` while a command runs: a Ctrl-C that arrives while a finalizer runs (a
    Z3 object's ``__del__``, say) cannot raise there, and Python would print it as "Exception
    ignored" and carry on, so the interrupt would be lost. It is delivered again to the main
    thread instead, a moment later from a timer thread (delivered at once, it would land in this
    hook and be lost the same way), where it ends the command (:func:`interrupted`); should it
    land in a finalizer again, this hook sends it once more. Anything else goes to Python's own
    hook."""
    if _from_interrupt(unraisable.exc_value):
        timer = threading.Timer(0.01, _thread.interrupt_main)
        timer.daemon = True
        timer.start()
        return
    sys.__unraisablehook__(unraisable)


def _passable(arg: str) -> bool:
    """Could an operating system pass ``arg`` on a command line? (No NUL byte, no lone surrogate
    that the file-system encoding cannot carry; only a caller from Python can pass those.)"""
    if "\x00" in arg:
        return False
    try:
        os.fsencode(arg)
    except UnicodeEncodeError:
        return False
    return True


def _usage_line(exc: click.UsageError) -> str:
    path = exc.ctx.command_path if exc.ctx is not None else "zcsim"
    return f"{path}: {exc.format_message().rstrip('.')} (see '{path} --help')"


def _os_error_line(exc: OSError) -> str | None:
    """One line for an operating-system error naming a file (an unwritable, full or missing output
    location), else ``None``."""
    name = exc.filename
    if name is None:
        return None
    what = exc.strerror or type(exc).__name__
    return f"{os.fsdecode(name)}: cannot read or write: {what}"


class ZcsimCommand(click.Command):
    """A command that turns zcsim's own errors into one line on stderr and exit status 2.

    Every zcsim command uses it (the main group's commands through ``command_class``), so the
    rule holds whether a command runs under ``zcsim`` or on its own. Usage errors (a bad option
    or value) are one line too, and so is an operating-system error naming a file, such as an
    output folder that cannot be written.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for arg in args:
            if not _passable(arg):
                raise OneLineUsageError(f"{ctx.command_path}: an argument is not a valid command-line string "
                                        f"(a NUL byte or a lone surrogate): {ascii(arg)[:200]}")
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if isinstance(exc, OneLineUsageError):
                raise
            raise OneLineUsageError(_usage_line(exc)) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ZcsimError as exc:
            click.echo(f"zcsim: error: {exc}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except OSError as exc:
            line = _os_error_line(exc)
            if line is None or isinstance(exc, BrokenPipeError):
                raise
            click.echo(f"zcsim: error: {line}", err=True)
            ctx.exit(EXIT_BAD_INPUT)


class OneLineUsageError(click.ClickException):
    """A command-line usage error shown as one line, like zcsim's own errors."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file: Any = None) -> None:
        click.echo(f"zcsim: error: {self.format_message()}", err=True)


class ZcsimGroup(click.Group):
    """The ``zcsim`` group: its commands are :class:`ZcsimCommand`, and nothing escapes it as a traceback.

    - a usage error is one ``zcsim: error:`` line, exit status 2;
    - Ctrl-C is one line, exit status 130 (:data:`EXIT_INTERRUPTED`);
    - any other exception is an internal error: one line with a bug-report hint, exit status 70
      (:data:`EXIT_INTERNAL`); ``ZCSIM_DEBUG=1`` lets the traceback through.
    """

    command_class = ZcsimCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise OneLineUsageError(_usage_line(exc)) from None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            raise OneLineUsageError(_usage_line(exc)) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # before click's own handler, which writes a blank line first
            interrupted()

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        previous_hook = sys.unraisablehook
        sys.unraisablehook = _redeliver_interrupt
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message(), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except click.ClickException as exc:
            if isinstance(exc, OneLineUsageError):
                exc.show()
            elif isinstance(exc, click.UsageError):
                click.echo(f"zcsim: error: {_usage_line(exc)}", err=True)
            else:
                click.echo(f"zcsim: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code if exc.exit_code else EXIT_BAD_INPUT)
        except (click.Abort, KeyboardInterrupt):
            interrupted()
        except SystemExit:
            raise
        except BrokenPipeError:  # the reader of our output went away (`zcsim … | head`)
            sys.exit(1)
        except Exception as exc:
            if _from_interrupt(exc):  # Ctrl-C inside a library's foreign call (ctypes.ArgumentError)
                interrupted()
            if os.environ.get("ZCSIM_DEBUG"):
                raise
            detail = " ".join(str(exc).split())[:300]
            click.echo(f"zcsim: internal error: {type(exc).__name__}{': ' + detail if detail else ''} — {BUG_HINT}",
                       err=True)
            sys.exit(EXIT_INTERNAL)
        finally:
            if sys.unraisablehook is _redeliver_interrupt:
                sys.unraisablehook = previous_hook
        sys.exit(code if isinstance(code, int) else 0)
