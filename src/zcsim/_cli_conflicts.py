"""The ``zcsim conflicts`` command: recusal conflicts (Art. 29) from an agency's CSV exports.

The command object is :data:`conflicts`; the main group registers it. It catches zcsim's own
errors itself, so it prints one line and exits 2 also when invoked on its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from zcsim._cli_common import ZcsimCommand, console

__all__ = ["conflicts"]


@click.command("conflicts", cls=ZcsimCommand)
@click.option("--experts", "experts_file", required=True, metavar="FILE",
              help="experts.csv: id, employer, series, specialty, level, grassroots, central, non_public, young.")
@click.option("--applicants", "applicants_file", required=True, metavar="FILE",
              help="applicants.csv: id, employer, series, specialty, level.")
@click.option("--relations", "relations_file", required=True, metavar="FILE",
              help="relations.csv: source, target, type, since, until.")
@click.option("--date", "review_date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The review date: dated relations are judged on it.")
@click.option("--policy", "policy_file", metavar="FILE",
              help="A YAML file of conflict-policy options (default: kin, same employer, supervisor, "
                   "co-authors and project partners within 5 years, recommender).")
@click.option("--json", "as_json", is_flag=True, help="Print the pairs as a JSON list.")
@click.option("--applicant", "only", multiple=True, metavar="ID", help="Only this applicant (repeatable).")
@click.option("--plot", "plot_id", metavar="ID", help="Draw this applicant's conflict neighbourhood (needs --out).")
@click.option("--out", "out_file", metavar="FILE.png", help="Where --plot writes the picture.")
def conflicts(experts_file: str, applicants_file: str, relations_file: str, review_date: Any,
              policy_file: str | None, as_json: bool, only: Sequence[str], plot_id: str | None,
              out_file: str | None) -> None:
    """List the experts who must recuse from each applicant's review (Art. 29), with the relation
    path that explains each conflict.

    \b
    zcsim conflicts --experts experts.csv --applicants applicants.csv \\
                    --relations relations.csv --date 2025-11-14

    Exit status: 0 (conflicts are information, not violations), 2 for unreadable or malformed
    input. Data warnings (cycles, duplicates, self-relations) go to stderr.
    """
    if (plot_id is None) != (out_file is None):
        raise click.UsageError("--plot ID and --out FILE.png go together")
    _run(experts_file, applicants_file, relations_file, review_date.date(), policy_file, as_json,
         only, plot_id, out_file)


def _run(experts_file: str, applicants_file: str, relations_file: str, day: Any, policy_file: str | None,
         as_json: bool, only: Sequence[str], plot_id: str | None, out_file: str | None) -> None:
    from zcsim.conflicts import ConflictPolicy, find_conflicts, load_graph, load_policy

    policy = load_policy(policy_file) if policy_file else ConflictPolicy()
    graph = load_graph(experts_file, applicants_file, relations_file)
    wanted = list(dict.fromkeys([*only, *([plot_id] if plot_id else [])]))
    report = find_conflicts(graph, day, policy, applicants=wanted or None)
    for w in report.warnings:
        click.echo(f"zcsim: warning: {w}", err=True)
    shown = report
    if only:
        keep = set(only)
        shown = type(report)(report.date, report.policy, tuple(p for p in report.pairs if p.applicant in keep),
                             report.warnings)
    if plot_id is not None and out_file is not None:
        from zcsim.conflicts import plot_neighbourhood

        fig = plot_neighbourhood(graph, report, plot_id, date=day)
        try:
            fig.savefig(out_file, dpi=150)
        except (OSError, ValueError) as exc:
            from zcsim.errors import InputError

            raise InputError(f"cannot write the plot: {exc}", source=out_file) from None
        click.echo(f"zcsim: wrote {out_file} ({plot_id}'s conflict neighbourhood)", err=True)
    if as_json:
        click.echo(json.dumps(shown.as_json(), ensure_ascii=False, indent=2))
        return
    con = console()
    if not shown.pairs:
        con.print(escape(f"No conflicts (Art. 29) on {report.date.isoformat()}"
                         + (f" for {', '.join(only)}" if only else "") + "."))
        return
    table = Table(show_lines=False, expand=False)
    table.add_column("Applicant", no_wrap=True)
    table.add_column("Expert", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Art. 29 relation", no_wrap=True)
    table.add_column("Explanation", overflow="fold")
    table.add_column("Also", overflow="fold")
    previous = None
    for p in shown.pairs:
        if previous is not None and p.applicant != previous:
            table.add_section()
        table.add_row(escape(p.applicant) if p.applicant != previous else "", escape(p.expert), p.kind,
                      p.relation, escape(p.explanation), ", ".join(p.other_kinds))
        previous = p.applicant
    con.print(table)
    con.print(escape(shown.summary()), soft_wrap=True)
