"""``zcsim pool check``: an expert pool's composition against the Art. 10 minimum shares.

Art. 10: 专家库中基层一线专家、中央单位专家、非公领域专家、青年专家应有一定比例 — the shares are a duty on
the pool (experts.csv, as the agency keeps it). Experts with ``status = removed`` (Art. 44:
取消其评审专家资格) are not counted, and the output says how many were left out.

Exit status: 0 every share met; 1 a share is short; 2 bad input. :data:`pool` is registered on the
main group in :mod:`zcsim.cli`.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Sequence
from typing import Any

import click
from rich.table import Table

from zcsim._cli_common import EXIT_OK, EXIT_VIOLATIONS, ZcsimCommand, ZcsimGroup, console, rules_option, set_option
from zcsim._cli_conflicts import encoding_option, report_inputs
from zcsim.errors import InputError

__all__ = ["pool"]


@click.group("pool", cls=ZcsimGroup)
def pool() -> None:
    """The expert pool (专家库, Art. 7, 10, 44): `zcsim pool check experts.csv`."""


@pool.command("check", cls=ZcsimCommand)
@click.argument("experts_file", metavar="EXPERTS.CSV")
@click.option("--min-share", "min_shares", multiple=True, metavar="CAT=SHARE",
              help="Minimum share of a category in the pool, e.g. young=1/5 (sugar for --set pool_min_share_CAT=SHARE).")
@click.option("--series", metavar="S", help="Count only the experts of this series (with --level).")
@click.option("--specialty", metavar="X", help="Count only the experts of this specialty (with --series).")
@click.option("--level", metavar="LEVEL",
              help="Count only the experts with a title of at least this level (junior, intermediate, senior; with --series).")
@encoding_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@rules_option
@set_option
def check(experts_file: str, min_shares: Sequence[str], series: str | None, specialty: str | None,
          level: str | None, encoding: str | None, as_json: bool, rules_spec: str | None,
          overrides: Sequence[str]) -> None:
    """Check the pool's shares of grassroots, central-unit, non-public and young experts against
    the rule set's minimums (Art. 10; pool_min_share_*, exact comparison).

    \b
    zcsim pool check examples/pool/experts.csv --min-share young=1/5
    zcsim pool check experts.csv --series engineering --level senior --min-share young=1/5 --json

    \b
    With --series and --level only the experts eligible for such a committee are counted (same
    series, a title of at least the level, Art. 7). Experts whose status column says `removed`
    (Art. 44) are not counted. EXPERTS.CSV is read once ('-' is standard input); UTF-8 or
    GB18030, detected (--encoding forces one); '#' comment lines and blank lines are skipped
    and counted.

    Exit status: 0 every minimum share met; 1 a share is short; 2 bad input.
    """
    from zcsim._cli_draw import _min_share_overrides
    from zcsim.draw import Pool, read_people, read_table
    from zcsim.law import LEVELS, apply_overrides, load_rules
    from zcsim.procedure.pool import pool_composition

    if (series is None) != (level is None):
        raise InputError("--series and --level go together (the experts eligible for a committee of that series "
                         "and level, Art. 7)", source="--series" if series is None else "--level")
    if specialty is not None and series is None:
        raise InputError("--specialty needs --series and --level", source="--specialty")
    rules = load_rules(rules_spec or "beijing-2020", list(overrides) or None)
    if min_shares:
        rules = apply_overrides(rules, _min_share_overrides(min_shares), where="--min-share")
    table = read_table(experts_file, "experts", encoding=encoding)
    people = read_people(table, "experts")
    experts = Pool(people.records)
    if not len(experts):
        raise InputError("the pool has no experts (no data rows)", source=table.source)
    scope = "the whole pool"
    chosen = list(experts)
    if series is not None and level is not None:
        level = level.strip().lower()
        if level not in LEVELS:
            close = difflib.get_close_matches(level, LEVELS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"got {level!r}; expected one of {', '.join(LEVELS)}{hint}", source="--level")
        chosen = experts.in_scope(series, level, specialty)
        scope = f"series {series}" + (f", specialty {specialty}" if specialty else "") + f", {level} level or above"
        if not chosen:
            known = sorted({e.series for e in experts})
            raise InputError(f"no expert of {scope} in the pool (series there: {', '.join(known)})",
                             source=table.source)
    comp = pool_composition(chosen, rules, scope=scope)
    report_inputs([table.info], table.warnings)
    if as_json:
        click.echo(json.dumps({"rules": rules.name, "file": table.source, **comp.as_json(),
                               "findings": [{**f.as_dict(), "ok": f.ok} for f in comp.findings]},
                              ensure_ascii=False, indent=2))
    else:
        _print(comp, rules)
    sys.exit(EXIT_OK if comp.ok else EXIT_VIOLATIONS)


def _print(comp: Any, rules: Any) -> None:
    from zcsim.procedure.pool import format_percent

    con = console()
    head = f"[bold]Expert pool (Art. 10)[/bold] — {comp.scope}: {comp.total} active expert{'s' if comp.total != 1 else ''}"
    if comp.removed:
        head += f"; {comp.removed_note}"
    con.print(head + f"; rules {rules.name}", soft_wrap=True)
    t = Table()
    for col in ("Category", "Experts", "Share", "Minimum", ""):
        t.add_column(col)
    for s in comp.shares:
        status = "—" if s.minimum == 0 else "[green]ok[/green]" if s.met else "[red]short[/red]"
        t.add_row(s.category, f"{s.count} of {s.total}", format_percent(s.share, s.minimum),
                  f"{format_percent(s.minimum, s.share)} ({s.minimum})" if s.minimum else "none", status)
    con.print(t)
    for s in comp.short:
        con.print(f"short: {s.text} (pool_min_share_{s.category} = {s.minimum}, Art. 10)", soft_wrap=True)
    if comp.ok:
        set_ = [s for s in comp.shares if s.minimum]
        con.print("every minimum share is met" if set_ else
                  "no minimum share is set (pool_min_share_* = 0: Art. 10 names no number); set one with --min-share")
    con.print(f"min_share_scope = {rules.min_share_scope}: "
              + ("the shares bind the pool; committees are drawn uniformly, without quota"
                 if rules.min_share_scope == "pool" else
                 "each drawn committee must also hold ⌈share × size⌉ of each category"), soft_wrap=True)
