"""The ``zcsim`` command. The library never prints; this module does.

Every :class:`~zcsim.errors.ZcsimError` becomes one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from zcsim._cli_common import EXIT_OK, EXIT_VIOLATIONS, ZcsimGroup, console, rules_option, set_option

from zcsim import __version__
from zcsim.law import RuleSet, format_value, load_rules

@click.group("zcsim", cls=ZcsimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zcsim")
def main() -> None:
    """zcsim — simulate and verify professional-title review procedures (职称评审).

    The rules of the 2020 Beijing Measures are data; every finding names its article.
    """


# --------------------------------------------------------------------------------------------
# audit
# --------------------------------------------------------------------------------------------
@main.command()
@click.argument("records", nargs=-1, required=True, metavar="RECORD.json...")
@click.option("--rules", "rules_spec", metavar="NAME|FILE",
              help="The rule set the records are judged by: a built-in name or a zcsim.rules/1 YAML file "
                   "(default beijing-2020). A record whose \"rules\" field names another is a violation "
                   "of Art. 27 (record.rules); a record never chooses its rules.")
@click.option("--rules-from-record", is_flag=True,
              help="Judge each record by the rule set its \"rules\" field names (beijing-2020 if none); only "
                   "built-in names are taken (never a file or a name with changes); not with --rules.")
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {compliant, violations: [...]} (a list for several records).")
@click.option("--key-file", metavar="FILE", help="HMAC key that sealed records are verified with (else $ZCSIM_SEAL_KEY).")
@click.option("--require-seal", is_flag=True, help="Count an unsealed record as a violation of Art. 27.")
def audit(records: Sequence[str], rules_spec: str | None, rules_from_record: bool, overrides: Sequence[str],
          as_json: bool, key_file: str | None, require_seal: bool) -> None:
    """Check meeting records against a rule set and list every violation with its article.

    Exit status: 0 compliant, 1 violations found, 2 unreadable or malformed input.
    The auditor names the rule set: --rules (default beijing-2020) with any --set changes. The
    record's own "rules" field is compared with it, never obeyed: a difference is reported as a
    violation of Art. 27 (record.rules). --rules-from-record judges a record by the built-in rule
    set its "rules" field names. A sealed record (`zcsim seal`, and every record `zcsim simulate
    --records` writes) is also checked for any change, reordering or removal of its entries (Art. 27).
    Records are regular files of at most 256 MiB; lists hold at most 10,000 experts and 100,000
    other entries (docs/records.md, "Bounds").
    """
    from zcsim.records import audit_file, read_key

    if rules_from_record and rules_spec is not None:
        raise click.UsageError("give --rules NAME|FILE or --rules-from-record, not both")
    key = read_key(key_file) if key_file else None
    reports = [audit_file(path, rules_spec, overrides, key=key, require_seal=require_seal,
                          rules_from_record=rules_from_record) for path in records]
    if as_json:
        payload: Any = reports[0].as_dict() if len(reports) == 1 else [r.as_dict() for r in reports]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        con = console()
        for rep in reports:
            _print_report(con, rep)
    sys.exit(EXIT_OK if all(r.compliant for r in reports) else EXIT_VIOLATIONS)


TABLE_MAX_ROWS = 1_000
"""Most violations ``zcsim audit`` shows in its table for one record; the rest are counted on a line
after it, and ``--json`` lists them all (drawing a table of a hundred thousand rows takes minutes)."""


def _print_report(con: Console, rep: Any) -> None:
    from rich.markup import escape
    from rich.text import Text  # ids and details are the record's text, never rich markup

    v = rep.violations
    head = f"[bold]{escape(rep.source)}[/bold] — audited against [bold]{escape(rep.rules.name)}[/bold]"
    if not v:
        con.print(f"{head}: [green]compliant[/green] ({len(rep.findings)} checks passed)")
        return
    table = Table(title=None, show_lines=False, expand=False)
    table.add_column("Article", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Applicant", no_wrap=True)
    table.add_column("Expert", no_wrap=True)
    table.add_column("Detail", overflow="fold")
    for f in v[:TABLE_MAX_ROWS]:
        table.add_row(f.citation, f.rule, Text(f.applicant or ""), Text(f.expert or ""), Text(f.detail))
    arts = sorted({f.article for f in v})
    con.print(f"{head}: [red]{len(v)} violation{'s' if len(v) != 1 else ''}[/red] of " + ", ".join(f"Art. {a}" for a in arts))
    con.print(table)
    if len(v) > TABLE_MAX_ROWS:
        con.print(f"… and {len(v) - TABLE_MAX_ROWS:,} more violations not shown (the table shows the first "
                  f"{TABLE_MAX_ROWS:,}); `zcsim audit --json` lists them all")


# --------------------------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------------------------
@main.command()
@rules_option
@set_option
@click.option("--diff", "other", metavar="NAME|FILE", help="Show this rule set side by side with another.")
@click.option("--coverage", is_flag=True, help="List, article by article, the checks and named legal cases that encode it.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def rules(rules_spec: str | None, overrides: Sequence[str], other: str | None, coverage: bool, as_json: bool) -> None:
    """Print every parameter and check of a rule set with its article and original phrase."""
    rs = load_rules("beijing-2020" if rules_spec is None else rules_spec, list(overrides) or None)
    con = console()
    if coverage:
        _print_coverage(con, rs, as_json)
        return
    if other is not None:
        _print_diff(con, rs, load_rules(other), as_json)
        return
    from zcsim.procedure import CHECKS

    if as_json:
        click.echo(json.dumps({
            "name": rs.name, "base": rs.base, "instrument": rs.instrument, "fingerprint": rs.fingerprint(),
            "in_force": rs.in_force, "in_force_article": rs.in_force_citation.article,
            "in_force_phrase": rs.in_force_citation.phrase,
            "parameters": [
                {"key": p.key, "value": p.display, "article": p.citation.article, "phrase": p.citation.phrase,
                 "instrument": p.citation.instrument, "not_in_instrument": p.citation.not_in_instrument,
                 "interpretation": p.interpretation, "allowed": p.allowed, "doc": p.doc} for p in rs],
            "checks": [{"id": c.id, "article": c.article, "title": c.title} for c in CHECKS.values()],
        }, ensure_ascii=False, indent=2))
        return
    con.print(f"[bold]{rs.name}[/bold] — {rs.description}\ninstrument: {rs.instrument}; "
              f"{_in_force_line(rs)}; fingerprint {rs.fingerprint()}")
    foreign = sorted({p.citation.instrument for p in rs if p.citation.instrument != rs.instrument})
    t = Table(title="Parameters (I = interpretation option: the text leaves it open)")
    for col in ("Key", "Value", "Allowed", "Article", "I", "Original phrase", "Meaning"):
        t.add_column(col, overflow="fold", no_wrap=col == "Key")  # a key stays whole, to be copied
    for p in rs:
        t.add_row(p.key, p.display, p.allowed, _citation_label(p.citation, rs), "I" if p.interpretation else "",
                  p.citation.phrase, p.doc)
    con.print(t)
    if foreign:
        con.print("Rules marked 'of …' are not in " + rs.instrument + ": this rule set keeps them from its base, "
                  "cited to their own instrument (" + "; ".join(foreign) + ").")
    t = Table(title="Checks of the procedure engine")
    for col in ("Article", "Check", "What it requires"):
        t.add_column(col, overflow="fold")
    for c in sorted(CHECKS.values(), key=lambda c: (c.article, c.id)):
        t.add_row(f"Art. {c.article}", c.id, c.title)
    con.print(t)


def _citation_label(cit: Any, rs: RuleSet) -> str:
    """``Art. 9``, ``by content``, ``not in this instrument``, or, for a citation of another instrument
    than the rule set's, ``Art. 9 of <instrument>``: a phrase is never shown under another instrument's name."""
    if cit.instrument == rs.instrument:
        return cit.label
    return f"{cit.label} of {cit.instrument}"


def _in_force_line(rs: RuleSet) -> str:
    """``in force from 2020-08-01 (Art. 45)``; a year-only date says the day is unknown."""
    if rs.in_force is None:
        return "in-force date not stated"
    lo, hi = rs.in_force_bounds() or (None, None)
    when = rs.in_force if lo == hi else f"{rs.in_force} (the day is not known)"
    return f"in force from {when} ({rs.in_force_citation.label})"


def _print_diff(con: Console, a: RuleSet, b: RuleSet, as_json: bool) -> None:
    rows = a.diff(b)
    if as_json:
        click.echo(json.dumps([{"key": k, a.name: format_value(x), b.name: format_value(y),
                                "article": a.citation(k).article} for k, x, y in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        con.print(f"{a.name} and {b.name} have the same values for every parameter.")
        return
    t = Table(title=f"{a.name} vs {b.name}: {len(rows)} parameter(s) differ")
    for col in ("Key", "Article", a.name, b.name, "Phrase (" + b.name + ")"):
        t.add_column(col, overflow="fold")
    for k, x, y in rows:
        t.add_row(k, _citation_label(a.citation(k), a), format_value(x), format_value(y),
                  b.citation(k).phrase + ("" if b.citation(k).instrument == b.instrument else f" (of {b.citation(k).instrument})"))
    con.print(t)


def _print_coverage(con: Console, rs: RuleSet, as_json: bool) -> None:
    from zcsim.coverage import STATUSES, coverage_table

    rows = coverage_table(rs)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    t = Table(title="Coverage of the Measures, article by article (full: every checkable part encoded)")
    for col in ("Article", "Status", "Encoded by", "Missing", "Named legal cases"):
        t.add_column(col, overflow="fold")
    for r in rows:
        enc = "; ".join(r.encoded)
        if r.not_checkable:
            enc += ("; " if enc else "") + "not checkable: " + "; ".join(r.not_checkable)
        t.add_row(f"Art. {r.article}", r.status, enc, "\n".join(f"- {m}" for m in r.missing),
                  (", ".join(r.cases[:4]) + (f" (+{len(r.cases) - 4})" if len(r.cases) > 4 else "")))
    con.print(t)
    counts = {s: sum(1 for r in rows if r.status == s) for s in STATUSES}
    con.print(", ".join(f"{n} {s}" for s, n in counts.items()) + f" of {len(rows)} articles; "
              "`zcsim rules --coverage --json` lists the parameters, checks and cases of each.")


# --------------------------------------------------------------------------------------------
# workdays
# --------------------------------------------------------------------------------------------
@main.command()
@click.argument("start", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="START")
@click.argument("end", type=click.DateTime(formats=["%Y-%m-%d"]), required=False, metavar="[END]")
@click.option("--add", "n", type=click.IntRange(min=1), help="Print the day on which N working days starting at START end.")
@click.option("--calendar", "calendar_file", metavar="FILE",
              help="A calendar file (docs/calendar.md) for years chinesecalendar does not cover, or to correct a day.")
@rules_option
@set_option
def workdays(start: Any, end: Any, n: int | None, calendar_file: str | None, rules_spec: str | None,
             overrides: Sequence[str]) -> None:
    """Count Chinese statutory working days, as publicity periods do (Art. 15, Art. 25).

    \b
    zcsim workdays 2025-09-29 2025-10-10     working days from START to END, both included,
                                             and whether that is a valid publicity period
    zcsim workdays 2025-09-29 --add 5        the day a 5-working-day period starting then ends
    """
    from zcsim.calendar import WorkingCalendar, default_calendar
    from zcsim.procedure.application import result_publicity, unit_publicity

    # the rules only matter with END, but a bad --rules/--set is an error either way, never ignored
    rs = load_rules("beijing-2020" if rules_spec is None else rules_spec, list(overrides) or None)
    cal = WorkingCalendar.from_file(calendar_file) if calendar_file is not None else default_calendar()
    d0 = start.date()
    if n is not None:
        if end is not None:
            raise click.UsageError("give END or --add N, not both")
        click.echo(f"{n} working days starting {d0.isoformat()} end on {cal.add_working_days(d0, n).isoformat()}")
        return
    if end is None:
        state = "a working day" if cal.is_working_day(d0) else "not a working day"
        click.echo(f"{d0.isoformat()} ({d0:%A}) is {state}")
        return
    d1 = end.date()
    click.echo(f"{cal.working_days_between(d0, d1)} working days from {d0.isoformat()} to {d1.isoformat()} (both included)")
    for f in unit_publicity(d0, d1, rs, calendar=cal)[:1] + result_publicity(d0, d1, rs, calendar=cal)[:1]:
        click.echo(f"  {f.citation:8} {'ok ' if f.ok else 'too short'}  {f.detail}")


# --------------------------------------------------------------------------------------------
# schema
# --------------------------------------------------------------------------------------------
@main.command()
@click.argument("what", type=click.Choice(["meeting", "scenario"]), default="meeting")
def schema(what: str) -> None:
    """Print the JSON Schema of a file format (meeting: zcsim.meeting/1 records; scenario: zcsim.scenario/1)."""
    if what == "scenario":
        from zcsim.sim import scenario_schema

        doc = scenario_schema()
    else:
        from zcsim.records import record_schema

        doc = record_schema()
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def _register_commands() -> None:
    from zcsim._cli_conflicts import conflicts
    from zcsim._cli_draw import draw
    from zcsim._cli_report import report
    from zcsim._cli_seal import seal
    from zcsim._cli_sim import compare, simulate
    from zcsim._cli_sweep import size, sweep
    from zcsim._cli_verify import verify_command

    main.add_command(conflicts)
    main.add_command(draw)
    main.add_command(simulate)
    main.add_command(compare)
    main.add_command(verify_command)
    main.add_command(sweep)
    main.add_command(size)
    main.add_command(report)
    main.add_command(seal)
    from zcsim._cli_replay import replay; main.add_command(replay)  # noqa: E702
    from zcsim._cli_pool import pool; main.add_command(pool)  # noqa: E702


_register_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
