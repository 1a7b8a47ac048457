"""The ``zcsim conflicts`` command: recusal conflicts (Art. 29) from an agency's CSV exports.

The command object is :data:`conflicts`; the main group registers it. It catches zcsim's own
errors itself, so it prints one line and exits 2 also when invoked on its own.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from zcsim._cli_common import ZcsimCommand, console

__all__ = ["conflicts", "encoding_option", "report_inputs", "CSV_INPUT_HELP"]


def _encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--encoding``: a table encoding's canonical name (utf-8 or gb18030), checked before any file is read."""
    if value is None:
        return None
    from zcsim._files import normalise_encoding
    from zcsim.errors import InputError

    try:
        return normalise_encoding(value, "--encoding")
    except InputError as exc:
        raise click.BadParameter(exc.message) from None


encoding_option = click.option(
    "--encoding", metavar="ENC", callback=_encoding,
    help="Encoding of the CSV inputs: utf-8 (a byte-order mark is allowed) or gb18030 (also gbk, gb2312). "
         "Default: detected per file, and refused as ambiguous, with the line, when UTF-8 and GB18030 "
         "read differently and neither looks like Chinese text.")
"""The ``--encoding`` option of the commands that read CSV tables (``conflicts``, ``draw``)."""

CSV_INPUT_HELP = ("'-' reads standard input (one input at most); a pipe such as <(cat f.csv) works. "
                  "Blank lines and lines whose first field starts with '#' (comments) are skipped and counted.")


def report_inputs(infos: Sequence[Any], warnings: Sequence[Any]) -> None:
    """Print how each CSV input was read (``zcsim: read FILE: N rows, ENCODING``) and each data
    warning on stderr."""
    for info in infos:
        click.echo(f"zcsim: {info}", err=True)
    for w in warnings:
        click.echo(f"zcsim: warning: {w}", err=True)


@click.command("conflicts", cls=ZcsimCommand)
@click.option("--experts", "experts_file", required=True, metavar="FILE",
              help="experts.csv: id, employer, series, specialty, level, grassroots, central, non_public, young. "
                   + CSV_INPUT_HELP)
@click.option("--applicants", "applicants_file", required=True, metavar="FILE",
              help="applicants.csv: id, employer, series, specialty, level.")
@click.option("--relations", "relations_file", required=True, metavar="FILE",
              help="relations.csv: source, target, type, since, until.")
@encoding_option
@click.option("--date", "review_date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The review date: dated relations are judged on it.")
@click.option("--policy", "policy_file", metavar="FILE",
              help="A YAML file of conflict-policy options (default: kin, same employer, supervisor, "
                   "co-authors and project partners within 5 years, recommender).")
@click.option("--json", "as_json", is_flag=True,
              help='Print one JSON document: {"date", "conflicts": [pairs], "inputs": [file, encoding, rows, '
                   'skipped lines], "warnings": [...]}.')
@click.option("--applicant", "only", multiple=True, metavar="ID", help="Only this applicant (repeatable).")
@click.option("--plot", "plot_id", metavar="ID", help="Draw this applicant's conflict neighbourhood (needs --out).")
@click.option("--out", "out_file", metavar="FILE.png", help="Where --plot writes the picture.")
def conflicts(experts_file: str, applicants_file: str, relations_file: str, encoding: str | None, review_date: Any,
              policy_file: str | None, as_json: bool, only: Sequence[str], plot_id: str | None,
              out_file: str | None) -> None:
    """List the experts who must recuse from each applicant's review (Art. 29), with the relation
    path that explains each conflict.

    \b
    zcsim conflicts --experts experts.csv --applicants applicants.csv \\
                    --relations relations.csv --date 2025-11-14
    export-relations | zcsim conflicts ... --relations - --date 2025-11-14

    \b
    Inputs: each CSV file is read once; '-' is standard input (for one of them).
    Encodings: UTF-8 (with or without BOM) or GB18030/GBK, detected per file
    (--encoding forces one); ambiguous bytes are refused with the line.
    Comments: a line whose first field starts with '#' is skipped, like a blank
    line; both are counted, and a comment that reads as a data row is warned about.
    Ids are normalised (Unicode NFKC: full-width Ｅ13 is E13; blanks stripped);
    case is kept, and a relative whose id is one keystroke from an expert's or
    applicant's (e13 next to E13) is warned about. See docs/conflicts.md.

    Exit status: 0 (conflicts are information, not violations), 2 for unreadable or malformed
    input. How each file was read ("read relations.csv: 79 rows, utf-8") and data warnings
    (cycles, duplicates, self-relations, near-miss ids, comments) go to stderr.
    """
    if (plot_id is None) != (out_file is None):
        raise click.UsageError("--plot ID and --out FILE.png go together")
    _run(experts_file, applicants_file, relations_file, encoding, review_date.date(), policy_file, as_json,
         only, plot_id, out_file)


def _run(experts_file: str, applicants_file: str, relations_file: str, encoding: str | None, day: Any,
         policy_file: str | None, as_json: bool, only: Sequence[str], plot_id: str | None,
         out_file: str | None) -> None:
    from zcsim.conflicts import ConflictPolicy, find_conflicts, load_graph, load_policy
    from zcsim.draw._pool import normalise_id

    only = [normalise_id(a) for a in only]
    plot_id = normalise_id(plot_id) if plot_id is not None else None
    policy = load_policy(policy_file) if policy_file else ConflictPolicy()
    graph = load_graph(experts_file, applicants_file, relations_file, encoding=encoding)
    wanted = list(dict.fromkeys([*only, *([plot_id] if plot_id else [])]))
    report = find_conflicts(graph, day, policy, applicants=wanted or None)
    shown = report
    if only:
        keep = set(only)
        shown = dataclasses.replace(report, pairs=tuple(p for p in report.pairs if p.applicant in keep))
    if plot_id is not None and out_file is not None:
        from zcsim.conflicts import plot_neighbourhood

        fig = plot_neighbourhood(graph, report, plot_id, date=day)
        try:
            fig.savefig(out_file, dpi=150)
        except (OSError, ValueError) as exc:
            from zcsim.errors import InputError

            raise InputError(f"cannot write the plot: {exc}", source=out_file) from None
        click.echo(f"zcsim: wrote {out_file} ({plot_id}'s conflict neighbourhood)", err=True)
    report_inputs(report.inputs, report.warnings)  # only once nothing failed: bad input is one line
    if as_json:
        click.echo(json.dumps(shown.as_document(), ensure_ascii=False, indent=2))
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
