"""``zcsim draw``: a committee drawn from the expert pool, its panels, and the fairness report.

:data:`draw` is registered on the main group in :mod:`zcsim.cli`. Every bad input
and every impossible draw is one line ``zcsim: error: …`` on stderr and exit status 2.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from zcsim._cli_common import ZcsimCommand, console, rules_option, set_option
from zcsim._cli_conflicts import CSV_INPUT_HELP, encoding_option, report_inputs
from zcsim._files import load_user_json, read_user_text
from zcsim.draw._committee import MAX_COMMITTEE_SIZE
from zcsim.draw._fairness import MAX_REPEAT
from zcsim.draw._seed import MAX_SEED
from zcsim.errors import InputError

__all__ = ["draw", "_load_conflicts"]


# ----------------------------------------------------------------------------------------------
# inputs
# ----------------------------------------------------------------------------------------------
def _min_share_overrides(items: Sequence[str]) -> list[str]:
    """``young=0.2`` → ``pool_min_share_young=0.2`` (the value is checked by the rule loader)."""
    from zcsim.draw import CATEGORIES

    out = []
    for item in items:
        if "=" not in item:
            raise InputError(f"expected CATEGORY=SHARE (e.g. young=1/5), got {item!r}", source="--min-share")
        cat, value = item.split("=", 1)
        cat = cat.strip().replace("-", "_")
        if cat not in CATEGORIES:
            close = difflib.get_close_matches(cat, CATEGORIES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"unknown category {cat!r}{hint}; categories: {', '.join(CATEGORIES)} (Art. 10)",
                             source="--min-share")
        out.append(f"pool_min_share_{cat}={value.strip()}")
    return out


def _read_conflicts_json(path: str) -> dict[str, frozenset[str]]:
    """A JSON list of ``{"applicant", "expert", …}`` objects (extra keys ignored), or the document
    ``zcsim conflicts --json`` prints (``{"conflicts": [...], …}``); ids are normalised
    (:func:`~zcsim.draw.normalise_id`), the JSON read strictly (:func:`~zcsim._files.load_user_json`)."""
    from zcsim.draw import normalise_id

    doc = load_user_json(read_user_text(path, "conflicts"), path, "conflicts")
    if isinstance(doc, Mapping) and isinstance(doc.get("conflicts"), list):
        doc = doc["conflicts"]
    if not isinstance(doc, list):
        raise InputError('expected a JSON list of {"applicant": …, "expert": …} objects', source=path)
    out: dict[str, set[str]] = {}
    for i, item in enumerate(doc):
        if not isinstance(item, Mapping):
            raise InputError('expected an object with "applicant" and "expert"', source=path, location=f"[{i}]")
        ids = []
        for key in ("applicant", "expert"):
            value = item.get(key)
            if not isinstance(value, str) or not normalise_id(value):
                raise InputError(f"{key!r} must be a non-empty string", source=path, location=f"[{i}].{key}")
            ids.append(normalise_id(value))
        out.setdefault(ids[0], set()).add(ids[1])
    return {a: frozenset(es) for a, es in out.items()}


def _load_conflicts(conflicts_file: str | None, relations_file: str | None, date: str | None, *,
                    rules: Any = None, experts_file: Any = None, applicants_file: Any = None,
                    policy_file: str | None = None, encoding: str | None = None) -> dict[str, frozenset[str]]:
    """The experts each applicant's panel must not include (Art. 29), applicant id → expert ids.

    From ``--conflicts FILE`` (the JSON ``zcsim conflicts --json`` prints), or from
    ``--relations FILE --date D`` evaluated by :mod:`zcsim.conflicts` (with ``--policy``), keeping
    only the relationship types of ``rules.recusal_relations``. Both may be given: they are merged.
    ``experts_file`` and ``applicants_file`` may be tables already read (:class:`~zcsim.draw.CsvTable`).
    """
    return _conflicts(conflicts_file, relations_file, date, rules=rules, experts_file=experts_file,
                      applicants_file=applicants_file, policy_file=policy_file, encoding=encoding)[0]


def _conflicts(conflicts_file: str | None, relations_file: str | None, date: str | None, *, rules: Any,
               experts_file: Any, applicants_file: Any, policy_file: str | None,
               encoding: str | None) -> tuple[dict[str, frozenset[str]], Any]:
    """:func:`_load_conflicts` and the :class:`~zcsim.conflicts.ConflictReport` (``None`` without
    ``--relations``), whose inputs and warnings the command reports."""
    out: dict[str, set[str]] = {}
    report = None
    if relations_file is not None or date is not None:
        if relations_file is None or date is None:
            raise InputError("--relations and --date go together", source="--relations" if relations_file is None else "--date")
        from zcsim.conflicts import KIND_TO_RELATION, find_conflicts, load_graph, load_policy

        policy = load_policy(policy_file) if policy_file else None
        graph = load_graph(experts_file, applicants_file, relations_file, encoding=encoding)
        report = find_conflicts(graph, date, policy) if policy is not None else find_conflicts(graph, date)
        wanted = set(rules.recusal_relations) if rules is not None else None
        for p in report.pairs:
            kinds = (p.kind, *p.other_kinds)
            if wanted is None or any(KIND_TO_RELATION[k] in wanted for k in kinds):
                out.setdefault(p.applicant, set()).add(p.expert)
    if conflicts_file is not None:
        for a, es in _read_conflicts_json(conflicts_file).items():
            out.setdefault(a, set()).update(es)
    return {a: frozenset(es) for a, es in out.items()}, report


# ----------------------------------------------------------------------------------------------
# the command
# ----------------------------------------------------------------------------------------------
@click.command("draw", cls=ZcsimCommand)
@click.option("--experts", "experts_file", metavar="FILE", help="The expert pool (experts.csv). " + CSV_INPUT_HELP)
@click.option("--series", metavar="S", help="The committee's series (Art. 7: only experts of this series).")
@click.option("--specialty", metavar="X", help="Form the committee by specialty (Art. 7, 9).")
@click.option("--level", metavar="LEVEL", help="junior, intermediate or senior (experts need at least this title).")
@click.option("--size", type=int, metavar="N",
              help=f"Committee size (odd, ≥ the Art. 9 minimum, at most the eligible experts and {MAX_COMMITTEE_SIZE:,}); "
                   "default the smallest valid.")
@click.option("--min-share", "min_shares", multiple=True, metavar="CAT=SHARE",
              help="Minimum share of a category, e.g. young=1/5 (sugar for --set pool_min_share_CAT=SHARE): checked on the "
                   "pool (Art. 10); a quota on the committee only with --set min_share_scope=committee.")
@click.option("--vice-chairs", type=int, metavar="K", help="Number of vice-chairs (Art. 9: 1 to 3; default the rule's minimum).")
@click.option("--alternates", type=click.IntRange(min=0), metavar="N",
              help="Length of the ranked alternates list, 0 or more (default: the committee size; at most the "
                   "eligible experts left).")
@click.option("--size-adjustment-filed", is_flag=True, help="The Bureau has accepted a filing adjusting the size (Art. 9).")
@click.option("--applicants", "applicants_file", metavar="FILE", help="Applicants (applicants.csv) to assign to panels.")
@click.option("--conflicts", "conflicts_file", metavar="FILE",
              help='Conflicts: a JSON list of {"applicant", "expert"} objects (as `zcsim conflicts --json` prints).')
@click.option("--relations", "relations_file", metavar="FILE",
              help="relations.csv: find conflicts from the relationship graph (with --date; see `zcsim conflicts`).")
@click.option("--date", metavar="D", help="Review date at which relations are evaluated (with --relations).")
@click.option("--policy", "policy_file", metavar="FILE", help="Conflict policy YAML (with --relations; default policy otherwise).")
@click.option("--panels", type=int, metavar="K", help="Number of panels (default: about 50 applicants per panel).")
@click.option("--seed", type=click.IntRange(0, MAX_SEED), metavar="S",
              help="Random seed (required), 0 to 2**63-1: same seed, same draw.")
@click.option("--repeat", type=int, metavar="N",
              help=f"Also draw N times (1 to {MAX_REPEAT:,}) and report selection frequencies against the legacy method.")
@encoding_option
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON document (with \"inputs\": how each CSV file was read, and \"warnings\").")
@rules_option
@set_option
def draw(experts_file: str | None, series: str | None, specialty: str | None, level: str | None, size: int | None,
         min_shares: Sequence[str], vice_chairs: int | None, alternates: int | None, size_adjustment_filed: bool,
         applicants_file: str | None, conflicts_file: str | None, relations_file: str | None, date: str | None,
         policy_file: str | None, panels: int | None, seed: int | None, repeat: int | None, encoding: str | None,
         as_json: bool, rules_spec: str | None, overrides: Sequence[str]) -> None:
    """Draw a committee from the expert pool at random (Art. 7, 9, 10), with roles and ranked
    alternates; split it into panels and assign applicants without conflicts (Art. 20, 29).

    \b
    The Art. 10 minimum shares bind the pool (min_share_scope = pool, the default): the
    committee is a uniform draw from the eligible experts, and the output states the pool's
    shares against the minimums. --set min_share_scope=committee draws with ⌈share × size⌉
    quotas instead. Experts whose status is `removed` (Art. 44) are never drawn.

    \b
    zcsim draw --experts experts.csv --series engineering --specialty electrical --level senior \\
               --min-share young=1/5 --seed 7
    zcsim draw ... --applicants applicants.csv --relations relations.csv --date 2025-11-14 --panels 4
    zcsim draw ... --repeat 1000          selection frequencies: uniform draw vs the legacy method

    \b
    CSV inputs (--experts, --applicants, --relations) are read once; '-' is standard
    input (for one of them); UTF-8 (with or without BOM) or GB18030/GBK, detected
    (--encoding forces one); '#' comment lines and blank lines are skipped and counted;
    ids are normalised (NFKC, blanks stripped). How each was read goes to stderr.
    See docs/conflicts.md.

    Exit status: 0 drawn; 2 bad input or an impossible draw (the reason and the smallest relaxation).
    """
    from zcsim.conflicts import check_one_stdin
    from zcsim.draw import (
        assign_panels,
        draw_committee,
        load_applicants,
        load_experts,
        read_table,
        selection_frequencies,
    )
    from zcsim.law import apply_overrides, load_rules

    for flag, value in (("--experts", experts_file), ("--series", series), ("--level", level), ("--seed", seed)):
        if value is None:
            raise InputError(f"{flag} is required", source="zcsim draw")
    assert experts_file is not None and series is not None and level is not None and seed is not None
    if repeat is not None and not 1 <= repeat <= MAX_REPEAT:
        raise InputError(f"--repeat must be at least 1 and at most {MAX_REPEAT:,} (MAX_REPEAT), got {repeat}",
                         source="--repeat")
    if (panels is not None or conflicts_file or relations_file) and not applicants_file:
        raise InputError("--panels, --conflicts and --relations need --applicants FILE", source="zcsim draw")
    rules = load_rules(rules_spec or "beijing-2020", list(overrides) or None)
    if min_shares:
        rules = apply_overrides(rules, _min_share_overrides(min_shares), where="--min-share")
    check_one_stdin({"experts": experts_file, "applicants": applicants_file, "relations": relations_file})
    experts_table = read_table(experts_file, "experts", encoding=encoding)
    applicants_table = read_table(applicants_file, "applicants", encoding=encoding) if applicants_file else None
    pool = load_experts(experts_table)
    applicants = load_applicants(applicants_table) if applicants_table is not None else None
    conflicts, conflict_report = _conflicts(conflicts_file, relations_file, date, rules=rules,
                                            experts_file=experts_table, applicants_file=applicants_table,
                                            policy_file=policy_file, encoding=encoding)
    tables = [t for t in (experts_table, applicants_table) if t is not None]
    inputs = list(conflict_report.inputs) if conflict_report is not None else [t.info for t in tables]
    warnings = (list(conflict_report.warnings) if conflict_report is not None
                else [w for t in tables for w in t.warnings])
    committee = draw_committee(pool, rules, series=series, level=level.lower(), specialty=specialty, size=size,
                               seed=seed, vice_chairs=vice_chairs, alternates=alternates,
                               size_adjustment_filed=size_adjustment_filed)
    assignment = (assign_panels(committee, applicants, conflicts, rules, panels=panels, seed=seed)
                  if applicants is not None else None)
    report = None
    if repeat is not None:
        report = _frequencies(selection_frequencies, pool, rules, series=series, level=level.lower(),
                              specialty=specialty, size=committee.size, repeat=repeat, seed=seed,
                              size_adjustment_filed=size_adjustment_filed)
    report_inputs(inputs, warnings)  # only once the draw succeeded: bad input is one line
    if as_json:
        click.echo(json.dumps({
            "rules": rules.name,
            "committee": committee.as_json(),
            "panels": assignment.as_json() if assignment is not None else None,
            "frequencies": report.as_json() if report is not None else None,
            "inputs": [i.as_json() for i in inputs],
            "warnings": [w.as_json() for w in warnings],
        }, ensure_ascii=False, indent=2))
        return
    con = console()
    _print_committee(con, committee)
    if assignment is not None:
        _print_panels(con, assignment)
    if report is not None:
        _print_report(con, report)


def _frequencies(fn: Any, *args: Any, repeat: int, **kwargs: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = console(err=True)
    with Progress(TextColumn("draws"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=repeat < 200 or not err.is_terminal) as bar:
        task = bar.add_task("draws", total=2 * repeat)
        return fn(*args, repeat=repeat, progress=lambda done, total: bar.update(task, completed=done, total=total),
                  **kwargs)


# ----------------------------------------------------------------------------------------------
# printing
# ----------------------------------------------------------------------------------------------
def _cats(cats: Sequence[str]) -> str:
    return ", ".join(cats) if cats else "—"


def _print_committee(con: Console, d: Any) -> None:
    basis = f"formed by specialty {d.specialty} (series {d.series})" if d.specialty else f"formed by series {d.series}"
    con.print(f"[bold]Committee[/bold] — {d.level}, {basis}; {d.size} of {d.eligible} eligible "
              f"experts; seed {d.seed}; rules {d.rules.name}", soft_wrap=True)
    t = Table()
    for col in ("#", "Expert", "Role", "Employer", "Categories"):
        t.add_column(col, overflow="fold")
    for i, m in enumerate(d.members, start=1):
        t.add_row(str(i), m.id, m.role.replace("_", "-"), m.expert.employer, _cats(m.expert.categories))
    con.print(t)
    drawn = d.drawn
    if d.min_share_scope == "committee":
        q = Table(title="Committee quotas (Art. 10, scope committee): ⌈share × size⌉")
        for col in ("Category", "Share", "Need", "Drawn", "In pool", ""):
            q.add_column(col)
        for c in d.need:
            ok = drawn[c] >= d.need[c]
            q.add_row(c, str(d.shares[c]), str(d.need[c]), str(drawn[c]), str(d.available[c]),
                      "[green]ok[/green]" if ok else "[red]short[/red]")
        con.print(q)
    _print_pool_shares(con, d)
    checks = ", ".join(f"{f.rule} ok" for f in d.findings if f.article == 9)
    con.print(f"Art. 9 checks: {checks}", soft_wrap=True)
    if d.alternates:
        a = Table(title=f"Alternates ({len(d.alternates)}, in the order they replace a member)")
        for col in ("Rank", "Expert", "Employer", "Categories"):
            a.add_column(col)
        for i, e in enumerate(d.alternates, start=1):
            a.add_row(str(i), e.id, e.employer, _cats(e.categories))
        con.print(a)
    elif d.eligible > d.size:
        con.print("No alternates drawn (--alternates 0).")
    else:
        con.print("No alternates: every eligible expert is on the committee.")


def _print_pool_shares(con: Console, d: Any) -> None:
    """The pool's Art. 10 shares (the pool check) under the committee table, and the scope."""
    comp = d.pool
    if comp is None:
        return
    head = f"Pool shares (Art. 10), {comp.scope}: {comp.total} active experts"
    if comp.removed:
        head += f"; {comp.removed_note}, never drawn"
    con.print(head, soft_wrap=True)
    for s in comp.shares:
        mark = "" if s.minimum == 0 else " [green]ok[/green]" if s.met else " [red]short[/red]"
        con.print(f"  {s.text}{mark}", soft_wrap=True)
    if d.min_share_scope == "pool":
        con.print("min_share_scope = pool: the shares bind the pool, the committee is a uniform draw without "
                  "quota" + ("" if comp.ok else "; the pool is short of a minimum share (zcsim pool check)"),
                  soft_wrap=True)


def _short_list(items: Sequence[str], n: int = 10) -> str:
    return ", ".join(items[:n]) + (f" (+{len(items) - n})" if len(items) > n else "")


def _print_panels(con: Console, pa: Any) -> None:
    t = Table(title=f"Panels (Art. 20; no panel expert conflicted with its applicants, Art. 29; split: {pa.search})")
    for col in ("Panel", "Experts", "Applicants", "Load"):
        t.add_column(col, overflow="fold")
    for p in pa.panels:
        t.add_row(p.id, ", ".join(p.experts), _short_list(p.applicants), str(p.load))
    con.print(t)
    loads = pa.loads
    con.print(f"{sum(loads)} applicants assigned; load {min(loads, default=0)}–{max(loads, default=0)} per panel")
    for o in pa.out_of_scope:
        con.print(f"  outside the committee's scope (Art. {o.article}): {o.applicant} — {o.reason}")


def _print_report(con: Console, r: Any) -> None:
    con.print(f"[bold]Selection frequencies[/bold] — {r.repeat} draws of {r.size} from {r.eligible} eligible experts; "
              f"need {', '.join(f'{c} {n}' for c, n in r.need.items() if n) or 'no quotas'}", soft_wrap=True)
    t = Table(title="By expert type")
    for col in ("Type", "In pool", "Exact probability", "Empirical frequency", "Legacy frequency"):
        t.add_column(col, justify="right" if col != "Type" else "left")
    for ty in r.types:
        t.add_row(ty.label, str(ty.pool), f"{ty.exact:.4f}", f"{ty.empirical:.4f}",
                  f"{ty.legacy:.4f}" if ty.legacy is not None else "—")
    con.print(t)
    s = Table(title="Spread of the experts' selection probabilities")
    for col in ("Method", "Min", "Max", "Mean", "Std", "Favoured type", "Least favoured type"):
        s.add_column(col)
    for sp in r.spreads:
        s.add_row(sp.method, f"{sp.min:.4f}", f"{sp.max:.4f}", f"{sp.mean:.4f}", f"{sp.std:.4f}", sp.favoured,
                  sp.least_favoured)
    con.print(s)
    for line in r.summary:
        con.print(f"  {line}")
