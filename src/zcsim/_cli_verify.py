"""``zcsim verify``: prove or refute properties of a rule set, or of a rule change."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import click

from zcsim._cli_common import EXIT_OK, EXIT_VIOLATIONS, ZcsimCommand, console, rules_option, set_option
from zcsim._cli_report import announce, report_from_json, report_option, require_plot
from zcsim.errors import InputError, RuleSetError
from zcsim.law import LEVELS, RuleSet, load_rules
from zcsim.law._load import shown
from zcsim.law._params import MAX_COMMITTEE_SIZE

VERDICT_STYLE = {"proved": "green", "refuted": "red", "unknown": "yellow", "figure": "cyan"}


_SIZE = re.compile(r"[0-9]{1,9}")  # ASCII digits: int() would also take '١٢' and full-width digits


def _sizes(text: str | None) -> tuple[int, ...] | None:
    """``--sizes LO..HI`` or ``N,N,…`` as committee sizes, checked by their bounds before any
    range is built: at most :data:`MAX_FIGURE_SIZES` sizes, each from 1 to
    :data:`~zcsim.law._params.MAX_COMMITTEE_SIZE`.

    Examples
    --------
    >>> _sizes("3..5"), _sizes("25, 11,25")
    ((3, 4, 5), (11, 25))
    """
    if text is None:
        return None
    from zcsim.verify._run import MAX_FIGURE_SIZES  # not at import time: zcsim.verify imports z3

    def bad(why: str) -> InputError:
        return InputError(f"{why}: expected sizes like 11..51 or 11,13,25, each from 1 to {MAX_COMMITTEE_SIZE:,}, "
                          f"at most {MAX_FIGURE_SIZES:,} of them; got {shown(text)}", source="--sizes")

    if ".." in text:
        parts = [x.strip() for x in text.split("..", 1)]
        if not all(_SIZE.fullmatch(x) for x in parts):
            raise bad("not a range of whole numbers")
        lo, hi = (int(x) for x in parts)
        if lo > hi:
            raise bad(f"the range {lo}..{hi} is empty")
        if lo < 1 or hi > MAX_COMMITTEE_SIZE:
            raise bad("a size out of range")
        if hi - lo + 1 > MAX_FIGURE_SIZES:  # pragma: no cover - implied by the size bound today
            raise bad("too many sizes")
        return tuple(range(lo, hi + 1))
    items = text.split(",", MAX_FIGURE_SIZES)
    if len(items) > MAX_FIGURE_SIZES:
        raise bad("too many sizes")
    items = [x.strip() for x in items]
    if not all(_SIZE.fullmatch(x) for x in items):
        raise bad("not a whole number")
    values = sorted({int(x) for x in items})
    if values[0] < 1 or values[-1] > MAX_COMMITTEE_SIZE:
        raise bad("a size out of range")
    return tuple(values)


def _pool_problem(pool_dir: str, rules: RuleSet, day: dt.date, series: str | None, specialty: str | None,
                  level: str | None, size: int | None, panels: int | None, policy_file: str | None
                  ) -> tuple[Any, set[str]]:
    """Read a pool folder and its conflicts (the conflicts module) into a PanelProblem, with the
    ids of every expert of the pool (what a public report must not show, Art. 28)."""
    from zcsim.conflicts import ConflictPolicy, find_conflicts, load_graph, load_policy
    from zcsim.draw import Pool, committee_size, default_panel_count, load_applicants, load_experts
    from zcsim.verify import PanelProblem
    from zcsim.verify._run import check_size

    d = Path(pool_dir)
    files = {n: d / f"{n}.csv" for n in ("experts", "applicants", "relations")}
    for n, p in files.items():
        if not p.is_file():
            raise InputError(f"the pool folder needs {n}.csv (expected {p})", source="--pool")
    records = load_experts(files["experts"])
    identifiers = {e.id for e in records}  # the results name experts by id only, never by a name column
    experts = Pool(records)
    applicants = load_applicants(files["applicants"])
    if series is None:
        found = sorted({a.series for a in applicants})
        if len(found) != 1:
            raise InputError(f"the applicants are of several series ({', '.join(found)}); choose one with --series",
                             source=str(files["applicants"]))
        series = found[0]
    chosen = [a for a in applicants if a.series == series and (specialty is None or a.specialty == specialty)]
    if not chosen:
        raise InputError(f"no applicant of series {series!r}" + (f", specialty {specialty!r}" if specialty else ""),
                         source=str(files["applicants"]))
    if level is None:  # the committee of the highest level among them (it may review lower levels, Art. 9)
        level = max((a.level for a in chosen), key=LEVELS.index)
    by_specialty = specialty is not None
    if size is not None:
        check_size(size, "--pool-size")
    size = committee_size(rules, level=level, by_specialty=by_specialty, size=size)
    policy = load_policy(policy_file) if policy_file else ConflictPolicy()
    report = find_conflicts(load_graph(files["experts"], files["applicants"], files["relations"]), day, policy,
                            applicants=[a.id for a in chosen])
    eligible = experts.eligible(series, level, specialty)
    k = panels if panels is not None else default_panel_count(size, len(chosen), rules)
    if not 1 <= k <= size:  # each panel needs an expert (Art. 20); more would only grow the solver's problem
        raise InputError(f"expected 1 to {size} panels (the committee's size), got {shown(k)}", source="--panels")
    scope = f"series {series}" + (f", specialty {specialty}" if specialty else "") + f", {level}"
    return PanelProblem(eligible, [a.id for a in chosen], report.by_applicant(), size, k, scope), identifiers


def _public(doc: Any, identifiers: set[str]) -> Any:
    """``doc`` (what ``--json`` prints) as a public report may show it (Art. 28: expert lists are
    not made public): every string or key that is an expert id of the pool becomes its
    pseudonym, and in the results of the properties that read the pool every text is
    pseudonymised too (:class:`zcsim.report.Pseudonyms`, the report's own function, with the
    report's key: ``--pseudonym-key-file``/``ZCSIM_PSEUDONYM_KEY``, else a secret never written)."""
    from zcsim._cli_report import cli_pseudonym_key
    from zcsim.report import Pseudonyms
    from zcsim.verify import properties

    if not identifiers:
        return doc
    pool_properties = {pid for pid, prop in properties().items() if prop.needs_pool}
    names = Pseudonyms(identifiers, key=cli_pseudonym_key())
    known = names.mapping

    def word(x: Any) -> Any:
        return known[x] if isinstance(x, str) and x in known else x

    def text(x: Any) -> Any:
        if isinstance(x, dict):
            return {names.text(k): text(v) for k, v in x.items()}
        if isinstance(x, list):
            if x and all(isinstance(v, str) and v in known for v in x):
                return names.listed(x)
            return [text(v) for v in x]
        return names.text(x) if isinstance(x, str) else x

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            if x.get("id") in pool_properties:
                return text(x)
            return {word(k): walk(v) for k, v in x.items()}
        if isinstance(x, list):
            if x and all(isinstance(v, str) and v in known for v in x):
                return names.listed(x)  # a list of experts in pseudonym order, not in the order of their ids
            return [walk(v) for v in x]
        return word(x)

    return walk(doc)


@click.command("verify", cls=ZcsimCommand)
@rules_option
@set_option
@click.option("--against", "against", metavar="NAME|FILE",
              help="Compare with this baseline rule set: list the guarantees and figures the change moves.")
@click.option("--against-set", "against_overrides", metavar="KEY=VALUE", multiple=True,
              help="Override a rule of the baseline (repeatable; default baseline: the --rules set without --set).")
@click.option("--committee-size", type=int, metavar="N",
              help=f"Check committees of this size only (1 to {MAX_COMMITTEE_SIZE:,}).")
@click.option("--sizes", "sizes_text", metavar="LO..HI|N,N,…",
              help=f"Committee sizes of the figures table, each 1 to {MAX_COMMITTEE_SIZE:,}, at most 1,000 sizes "
                   "[1..51].")
@click.option("--only", multiple=True, metavar="ID|GROUP", help="Check only this property or group (repeatable).")
@click.option("--timeout", type=float, default=10.0, show_default=True, metavar="S",
              help="Seconds per solver query, above 0 and at most 3600; a query that runs out is 'unknown', "
                   "never a pass.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--smt2", "smt2_dir", metavar="DIR", help="Also write every solver query as SMT-LIB 2 into DIR.")
@click.option("--pool", "pool_dir", metavar="DIR",
              help="A pool folder (experts.csv, applicants.csv, relations.csv) for the panel-assignment property.")
@click.option("--date", "review_date", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Review date for the pool's relations [today].")
@click.option("--policy", "policy_file", metavar="FILE", help="Conflict policy for the pool (default policy if absent).")
@click.option("--series", metavar="NAME", help="The pool committee's series [the applicants' only series].")
@click.option("--specialty", metavar="NAME", help="Form the pool committee by this specialty [by series].")
@click.option("--level", type=click.Choice(LEVELS), help="The pool committee's level [the applicants' highest].")
@click.option("--pool-size", type=int, metavar="N",
              help=f"The pool committee's size, 1 to {MAX_COMMITTEE_SIZE:,} [the smallest valid].")
@click.option("--panels", type=int, metavar="K",
              help="Panels of the pool committee, 1 to the committee's size [default_panel_count].")
@report_option
def verify_command(rules_spec: str | None, overrides: tuple[str, ...], against: str | None,
                   against_overrides: tuple[str, ...], committee_size: int | None, sizes_text: str | None,
                   only: tuple[str, ...], timeout: float, as_json: bool, smt2_dir: str | None, pool_dir: str | None,
                   review_date: Any, policy_file: str | None, series: str | None, specialty: str | None,
                   level: str | None, pool_size: int | None, panels: int | None, report_path: str | None) -> None:
    """Prove or refute properties of a rule set with Z3 (Art. 9, 10, 20–23, 29).

    Every property is checked for every committee size (or --committee-size N) and gets a verdict:
    proved, refuted (with the smallest meeting that shows it, as numbers and a zcsim.meeting/1
    record that `zcsim audit` accepts), or unknown (the solver ran out of time; never a pass).
    A table gives, per committee size, the fewest yes votes that pass, absences that stop a
    meeting and no votes that block.

    With --against BASELINE (or --against-set KEY=VALUE), the rule set under --rules/--set is a
    proposed change: the command lists the guarantees it loses (exit status 1) and gains, and the
    figures it moves.

    With --pool and --report, the report and the verify.json beside it name experts only by
    pseudonyms (Art. 28); --json and --smt2 keep the real ids (internal outputs).

    \b
    Examples:
      zcsim verify
      zcsim verify --committee-size 25 --json
      zcsim verify --set pass_ratio=3/5 --against beijing-2020
      zcsim verify --rules beijing-2003-style --against beijing-2020
      zcsim verify --pool examples/pool --date 2025-11-14 --only panel
      zcsim verify --report reports/        (reports/verify.json, report.html, report.md)
    """
    from zcsim.verify import compare_rules, verify, write_smt2

    from zcsim.verify._run import check_size, check_timeout

    require_plot(report_path)
    timeout = check_timeout(timeout)
    if committee_size is not None:
        check_size(committee_size, "--committee-size")
    sizes = _sizes(sizes_text)
    rules = load_rules("beijing-2020" if rules_spec is None else rules_spec, list(overrides) or None)
    pool, identifiers = None, set()
    if pool_dir is not None:
        day = review_date.date() if review_date is not None else dt.date.today()
        pool, identifiers = _pool_problem(pool_dir, rules, day, series, specialty, level, pool_size, panels,
                                          policy_file)
    kwargs: dict[str, Any] = {"committee_size": committee_size, "timeout": timeout, "sizes": sizes, "pool": pool,
                              "only": list(only) or None}
    out = console()
    if against is not None or against_overrides:
        try:
            base = against if against is not None else rules_spec if rules_spec is not None else "beijing-2020"
            baseline = load_rules(base, list(against_overrides) or None)
        except RuleSetError as exc:  # name the option the baseline came from, not --rules/--set
            where = {"--rules": "--against" if against is not None else "--rules", "--set": "--against-set"}
            raise RuleSetError(exc.message, source=where.get(exc.source or "", exc.source),
                               location=exc.location) from None
        with console(err=True).status("verifying the proposal and the baseline …", spinner="dots") if not as_json \
                else contextlib.nullcontext():
            change = compare_rules(rules, baseline, **kwargs)
        if smt2_dir:
            write_smt2(change.proposed_results, Path(smt2_dir) / "proposed")
            write_smt2(change.baseline_results, Path(smt2_dir) / "baseline")
        if report_path is not None:
            announce(report_from_json(_public(change.as_json(), identifiers), report_path), err=as_json)
        if as_json:
            click.echo(json.dumps(change.as_json(), ensure_ascii=False, indent=2, default=str))
        else:
            _print_change(out, change)
        raise SystemExit(EXIT_VIOLATIONS if change.lost else EXIT_OK)

    with console(err=True).status("verifying …", spinner="dots") if not as_json else contextlib.nullcontext():
        results = verify(rules, **kwargs)
    if smt2_dir:
        paths = write_smt2(results, smt2_dir)
        if not as_json:
            console(err=True).print(f"wrote {len(paths)} SMT-LIB 2 files to {smt2_dir}")
    if report_path is not None:
        announce(report_from_json(_public([r.as_json() for r in results], identifiers), report_path), err=as_json)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2, default=str))
        return
    _print_results(out, rules, results)


def _print_results(out: Any, rules: RuleSet, results: list[Any]) -> None:
    from rich.table import Table

    out.print(f"[bold]zcsim verify[/] — rule set [bold]{rules.name}[/] ({rules.fingerprint()})")
    t = Table(show_lines=False)
    t.add_column("property")
    t.add_column("articles")
    t.add_column("verdict")
    t.add_column("s", justify="right")
    t.add_column("detail", overflow="fold")
    figures = []
    for r in results:
        if r.table is not None:
            figures.append(r)
            continue
        style = VERDICT_STYLE.get(r.verdict.value, "")
        t.add_row(r.id, ", ".join(map(str, r.articles)), f"[{style}]{r.verdict.value}[/]", f"{r.seconds:.2f}", r.detail)
    if t.row_count:
        out.print(t)
    for r in results:
        if r.counterexample and "record" in r.counterexample:
            out.print(f"[red]{r.id}[/] — example meeting: {r.counterexample['explanation']}")
    for r in figures:
        _print_table(out, r)
    counts = Counter(r.verdict.value for r in results if r.table is None)
    if counts:
        tail = " Records of the example meetings: --json." if any(r.counterexample for r in results) else ""
        out.print(", ".join(f"{n} {v}" for v, n in counts.items()) + "." + tail)


def _print_table(out: Any, r: Any) -> None:
    from rich.table import Table

    t = Table(title=f"{r.id} — {r.detail}")
    cols = [c for c in (r.table[0] if r.table else {"size": 0})]
    for c in cols:
        t.add_column(c.replace("_", " "), justify="right")
    for row in r.table or []:
        t.add_row(*("—" if row[c] is None else str(row[c]) for c in cols))
    out.print(t)


def _print_change(out: Any, change: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    p, b = change.proposed, change.baseline
    out.print(f"[bold]zcsim verify[/] — proposal [bold]{p.name}[/] against baseline [bold]{b.name}[/]")
    diff = b.diff(p)
    if diff:
        out.print("Rules changed: " + "; ".join(f"{k}: {x} → {y}" for k, x, y in diff))
    else:
        out.print("The two rule sets have the same values.")
    verdicts = [c for c in change.changes if c["kind"] != "figure"]
    if verdicts:
        t = Table(title="Guarantees that change")
        for col in ("property", "articles", "baseline", "proposal", "what it means"):
            t.add_column(col, overflow="fold")
        for c in verdicts:
            kind = {"lost": "[red]LOST[/] ", "gained": "[green]gained[/] "}.get(c["kind"], "")
            t.add_row(c["id"], ", ".join(map(str, c["articles"])), c["before"], c["after"],
                      kind + (c["statement"] if c["kind"] != "lost" else c["detail"]))
        out.print(t)
    else:
        out.print("No property changes its verdict.")
    if change.kept:
        out.print("Guarantees kept: " + ", ".join(change.kept))
    figs = [c for c in change.changes if c["kind"] == "figure"]
    if figs:
        t = Table(title="Figures that move (per committee size)")
        for col in ("figure", "baseline", "proposal"):
            t.add_column(col)
        for c in figs[:60]:
            t.add_row(escape(c["id"]), str(c["before"]), str(c["after"]))
        out.print(t)
        if len(figs) > 60:
            out.print(f"… and {len(figs) - 60} more (--json lists all).")
    for c in change.lost:
        if c.get("counterexample") and "record" in c["counterexample"]:
            out.print(f"[red]Lost {c['id']}[/]: {c['counterexample']['explanation']}")
