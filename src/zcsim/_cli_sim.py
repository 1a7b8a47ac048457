"""``zcsim simulate`` and ``zcsim compare``: Monte Carlo runs of scenario files."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from typing import Any

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from zcsim._cli_common import ZcsimCommand, allow_outside_option, console, set_option
from zcsim._cli_report import report_option, require_plot
from zcsim.errors import InputError

LABELS = {
    "applicants": ("Applicants per year", "{:,.0f}"),
    "pass_rate": ("Pass rate (of applicants)", "{:.1%}"),
    "mean_working_days": ("Working days, application → result (mean)", "{:.1f}"),
    "p95_working_days": ("Working days, application → result (95th pct)", "{:.1f}"),
    "quorum_failure_rate": ("Meetings failing quorum (Art. 22)", "{:.2%}"),
    "recusals_per_meeting": ("Recusals per meeting (Art. 29)", "{:.2f}"),
    "expert_load_mean": ("Applicants reviewed per expert (mean)", "{:.1f}"),
    "expert_load_max": ("Applicants reviewed per expert (max)", "{:.1f}"),
    "staff_utilisation": ("Agency staff utilisation", "{:.1%}"),
    "withdrawn_share": ("Deemed withdrawn after correction notice (Art. 18)", "{:.2%}"),
    "fraud_caught": ("Frauds caught (Art. 41)", "{:.1f}"),
    "fraud_caught_share": ("Share of frauds caught", "{:.1%}"),
    "ineligible_share": ("Ineligible (Art. 3, 13, 16, 41)", "{:.2%}"),
    "meetings": ("Meetings held", "{:,.0f}"),
    "vote_pass_rate": ("Pass rate (of applicants voted on, Art. 23)", "{:.1%}"),
    "objection_share": ("Objection in unit publicity (Art. 15)", "{:.2%}"),
    "over_quota_share": ("Passed but over the post quota (Art. 24)", "{:.2%}"),
    "not_reviewed_share": ("Not reviewed (no valid sitting)", "{:.2%}"),
    "disqualified": ("Disqualified for fraud before confirmation (Art. 41)", "{:.1f}"),
    "revoked": ("Titles revoked (Art. 41)", "{:.1f}"),
    "blacklisted_blocked": ("Applications blocked by the blacklist (Art. 41)", "{:.1f}"),
    "correction_notice_share": ("Got the single correction notice (Art. 18)", "{:.1%}"),
    "complaints": ("Complaints in result publicity (Art. 25)", "{:.1f}"),
    "meeting_attempts": ("Sittings, adjourned ones included", "{:,.1f}"),
    "presiding_failures": ("Sittings without a chair or vice-chair (Art. 22)", "{:.2f}"),
    "meetings_postponed": ("Meetings postponed (panels late or filing renewal)", "{:.2f}"),
    "filings_renewed": ("Filings renewed (Art. 11)", "{:.2f}"),
    "vetting_wait_mean": ("Wait for agency vetting, working days (mean)", "{:.2f}"),
    "vetting_wait_p95": ("Wait for agency vetting, working days (95th pct)", "{:.2f}"),
    "fraud": ("Frauds committed", "{:.1f}"),
    "experts_serving": ("Experts serving on committees", "{:,.1f}"),
}


def _fmt(name: str, x: float | None) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    pattern = LABELS.get(name, (name, "{:.4g}"))[1]
    if name.startswith("pass_rate[") or name.endswith("_rate") or name.endswith("_share"):
        pattern = "{:.1%}"
    return pattern.format(x)


def _fmt_diff(name: str, x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    if name.startswith("pass_rate") or name.endswith("_rate") or name.endswith("_share") or name == "staff_utilisation":
        return f"{x * 100:+.2f} pp"
    return f"{x:+.4g}"


def _is_rate(name: str) -> bool:
    return name.startswith("pass_rate") or name.endswith("_rate") or name.endswith("_share") or name == "staff_utilisation"


def _ci(name: str, est: Any) -> str:
    """The 95% t-interval for display, clipped to the figure's range (all are ≥ 0; rates ≤ 1)."""
    if est.n <= 1:
        return "—"
    low, high = max(est.low, 0.0), est.high
    if _is_rate(name):
        high = min(high, 1.0)
    return f"{_fmt(name, low)} – {_fmt(name, high)}"


def _bounded(check: str) -> Any:
    """A click callback checking an option against its bound in :mod:`zcsim.sim.runner` (imported
    only when the option is given, so the CLI starts without numpy): a usage error, exit 2."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        from zcsim.sim import runner

        try:
            return getattr(runner, check)(value, location=param.opts[0])
        except InputError as exc:
            raise click.BadParameter(exc.message) from None

    return callback


# The numbers in the help texts are the bounds of zcsim.sim.runner (a test checks they agree):
# MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS, DASK_NO_WORKERS_TIMEOUT.
address_option = click.option(
    "--address", metavar="tcp://HOST:PORT",
    help="Dask scheduler, [tcp://]HOST:PORT (only with --executor dask); default: start a local cluster. A run "
         "stops with an error when the scheduler has had no worker for 60 s.")
workers_option = click.option("--workers", type=int, callback=_bounded("check_workers"),
                              help="Worker processes, 1..512 (default: all cores).")
executor_option = click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                               help="Where replications run: local processes, or a Dask distributed cluster.")
seed_option = click.option("--seed", type=int, callback=_bounded("check_seed"),
                           help="Seed, 0..9223372036854775807 (2**63-1; default: the scenario's simulation.seed).")
replications_option = click.option(
    "--replications", "-n", type=int, callback=_bounded("check_replications"),
    help="Replications, 1..100,000 (default: the scenario's simulation.replications).")


def _executor_options(f: Any) -> Any:
    for option in (address_option, workers_option, executor_option, seed_option, replications_option):
        f = option(f)
    return f


def check_run(sc: Any, replications: int | None, seed: int | None, executor: str, workers: int | None,
              address: str | None) -> tuple[int, int]:
    """The run's replications and seed (the options, else the scenario's ``simulation`` settings),
    each within its bound, and the executor options checked, before anything runs or is written."""
    from zcsim.sim.runner import check_address, check_replications, check_seed, check_workers

    n = check_replications(replications if replications is not None else sc.simulation.replications,
                           source=sc.source if replications is None else None,
                           location="--replications" if replications is not None else "simulation.replications")
    s = check_seed(seed if seed is not None else sc.simulation.seed, source=sc.source if seed is None else None,
                   location="--seed" if seed is not None else "simulation.seed")
    check_workers(workers)
    check_address(address, executor)
    return n, s


def progress_bar(*columns: Any) -> Progress:
    """A transient progress bar on stderr, shown only when stderr is a terminal (piped or captured,
    it would leave a blank line before an error or ``zcsim: interrupted``)."""
    con = console(err=True)
    return Progress(*columns, console=con, transient=True, disable=not con.is_terminal)


def _progress_run(task: Any, n: int, seed: int, executor: str, workers: int | None, address: str | None,
                  label: str, quiet: bool, store: Any = None) -> Any:
    """Run with a progress bar (unless ``quiet``); with a checkpoint ``store`` (``--out``), write
    each finished replication there and skip the ones it already holds (``--resume``)."""
    from zcsim.sim.runner import RunResult, run_replications

    done = store.replications() if store is not None else {}
    if store is not None:
        _announce_resume(store, len(done), n, "replications")
    kw: dict[str, Any] = {"executor": executor, "workers": workers, "address": address, "label": label, "done": done,
                          "on_result": store.save if store is not None else None}
    if quiet:
        result = run_replications(task, n, seed, **kw)
    else:
        with progress_bar(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), TimeRemainingColumn()) as bar:
            t = bar.add_task(f"{label}: replications", total=n, completed=len(done))
            result = run_replications(task, n, seed, progress=lambda d, total: bar.update(t, completed=d), **kw)
    if store is None:
        return result
    # the results are what the checkpoints hold: an interrupted and resumed run and an uninterrupted
    # one assemble their files from the same data
    saved = store.replications()
    missing = [i for i in range(n) if i not in saved]
    if missing:  # pragma: no cover - every finished replication was just written
        raise InputError(f"replications {missing} were not saved", source=str(store.folder))
    return RunResult(tuple(saved[i] for i in range(n)), seed, label)


def _announce_resume(store: Any, done: int, total: int, what: str) -> None:
    con = console(err=True)
    for name in store.skipped:
        con.print(f"zcsim: warning: {store.folder}/.partial/{name} is unreadable or incomplete; running it again")
    if done:
        con.print(f"Resuming {store.folder}: {done} of {total} {what} already done.")


def open_store(out: str | None, resume: bool, manifest: Any) -> Any:
    """The checkpoint store of ``--out`` (None without it); ``--resume`` needs ``--out``."""
    if resume and not out:
        raise click.UsageError("--resume needs --out DIR (the folder of the run to finish)")
    if not out:
        return None
    from zcsim.sim.output import RunStore

    store = RunStore.open(out, manifest, resume=resume)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # the folder's lock is held until the command ends, however it ends
        ctx.call_on_close(store.release)
    return store


resume_option = click.option(
    "--resume", is_flag=True,
    help="Finish the run in --out DIR: keep its finished replications and run only the missing ones (the "
         "settings must match DIR/manifest.json). The result is the same as an uninterrupted run.")


def _prepare(path: str, overrides: Sequence[str], allow_outside: bool = False) -> tuple[Any, Any]:
    from zcsim.sim import load_scenario

    sc = load_scenario(path, allow_outside=allow_outside)
    return sc, sc.ruleset(list(overrides) or None)


def _task(sc: Any, rules: Any, **kw: Any) -> Any:
    """The picklable replication task: with the relationship-graph recusal source when the
    scenario sets ``recusal.graph`` (Art. 29; :mod:`zcsim.recusal`, imported only then)."""
    from zcsim.sim import run_replication

    if sc.recusal.graph is not None:
        from zcsim.recusal import recusal_source

        kw["recusal"] = recusal_source(sc)
    return functools.partial(run_replication, sc, rules, **kw)


@click.command(cls=ZcsimCommand)
@click.argument("scenario", metavar="SCENARIO.yaml")
@_executor_options
@set_option
@click.option("--out", type=click.Path(file_okay=False), help="Write tables (CSV, Parquet), summary and records here.")
@resume_option
@click.option("--records", is_flag=True, help="Keep a zcsim.meeting/1 record of every meeting (written with --out).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@report_option
@allow_outside_option
def simulate(scenario: str, replications: int | None, seed: int | None, executor: str, workers: int | None,
             address: str | None, overrides: Sequence[str], out: str | None, resume: bool, records: bool,
             as_json: bool, report_path: str | None, allow_outside: bool) -> None:
    """Simulate annual review cycles of a scenario and summarise them with 95% confidence intervals.

    \b
    zcsim simulate scenarios/quick.yaml
    zcsim simulate scenarios/beijing-2020.yaml -n 20 --out results/
    zcsim simulate scenarios/quick.yaml --set quorum_ratio=1/2 --json
    zcsim simulate scenarios/quick.yaml -n 4 --report report.html
    zcsim simulate scenarios/quick.yaml -n 200 --out results/ --resume   (finish an interrupted run)

    With --out, each finished replication is saved at once (DIR/.partial/); a run stopped at any
    moment finishes with --resume, with the same results as an uninterrupted run. `zcsim replay
    DIR` reruns a results folder and confirms its figures. DIR is locked while the run works in it
    (DIR/.zcsim.lock names its pid and command): a second run on DIR fails at once. Ctrl-C stops
    the run (exit status 130); --resume finishes it.
    """
    from zcsim.sim.output import run_manifest, summary_json, write_results

    require_plot(report_path)
    if resume and not out:
        raise click.UsageError("--resume needs --out DIR (the folder of the run to finish)")
    sc, rules = _prepare(scenario, overrides, allow_outside)
    n, s = check_run(sc, replications, seed, executor, workers, address)
    keep = bool(records or sc.simulation.keep_records or report_path is not None)  # the report's expert-load histogram
    store = open_store(out, resume, run_manifest("simulate", scenario=scenario, rules=rules, overrides=overrides,
                                                 seed=s, replications=n, keep_records=keep) if out else None)
    label = store.manifest["scenario"] if store is not None else scenario  # a resumed run keeps its first label
    task = _task(sc, rules, keep_records=keep)
    result = _progress_run(task, n, s, executor, workers, address, sc.name or scenario, as_json, store)
    doc = summary_json(result, scenario=label, rules=rules)
    if out:
        written = write_results(result, out, scenario=label, rules=rules, manifest=store.manifest)
    if report_path is not None:
        from zcsim._cli_report import announce, with_results_folder, write_cli_report

        def _report(folder: str) -> Any:
            if folder != out:
                write_results(result, folder, scenario=scenario, rules=rules, formats=("csv",))
            return write_cli_report(folder, report_path)

        announce(with_results_folder(out, _report), err=as_json)
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    con = console()
    con.print(f"[bold]{sc.name or scenario}[/bold] — rules {rules.name}; {n} replications, seed {s}"
              + (f", {sc.simulation.years} years" if sc.simulation.years > 1 else ""))
    _print_summary(con, result.summary())
    if out:
        con.print(f"Wrote {len(written)} files to {out}/ (applicants, meetings, replications, summary.json, manifest.json"
                  + (", records/" if keep else "") + ").")


def _print_summary(con: Any, summ: dict[str, Any]) -> None:
    t = Table(title="Figures per simulated year (mean over replications; 95% t-interval, clipped to the figure's range)")
    for col in ("Figure", "Mean", "95% CI"):
        t.add_column(col, justify="right" if col != "Figure" else "left")
    for name, est in summ.items():
        if name.startswith("pass_rate["):
            continue
        label = LABELS.get(name, (name, ""))[0]
        t.add_row(label, _fmt(name, est.mean), _ci(name, est))
    con.print(t)
    groups = [(k, v) for k, v in summ.items() if k.startswith("pass_rate[")]
    if groups:
        g = Table(title="Pass rate by series and level")
        for col in ("Series / level", "Pass rate", "95% CI"):
            g.add_column(col, justify="right" if col != "Series / level" else "left")
        for k, est in groups:
            g.add_row(k[len("pass_rate["):-1], _fmt(k, est.mean), _ci(k, est))
        con.print(g)


@click.command(cls=ZcsimCommand)
@click.argument("base", metavar="BASE.yaml")
@click.argument("reform", metavar="[REFORM.yaml]", required=False)
@_executor_options
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.option("--out", type=click.Path(file_okay=False),
              help="Write both runs (base/, reform/: tables, summary, records) and comparison.json here.")
@report_option
@allow_outside_option
def compare(base: str, reform: str | None, replications: int | None, seed: int | None, executor: str,
            workers: int | None, address: str | None, overrides: Sequence[str], as_json: bool, out: str | None,
            report_path: str | None, allow_outside: bool) -> None:
    """Compare a rule change with common random numbers: each figure's difference and its 95% CI.

    The reform is REFORM.yaml, or BASE with the --set overrides (they apply to the reform only).

    \b
    zcsim compare scenarios/quick.yaml --set quorum_ratio=1/2
    zcsim compare scenarios/quick.yaml --set threshold_basis=members --set threshold_inclusive=false
    zcsim compare scenarios/beijing-2020.yaml scenarios/reform.yaml -n 20
    zcsim compare scenarios/quick.yaml --set quorum_ratio=1/2 -n 4 --out cmp/ --report cmp/
    """
    from zcsim.sim.output import comparison_json
    from zcsim.sim.runner import compare_runs

    if reform is None and not overrides:
        raise click.UsageError("give a REFORM scenario or --set overrides for the reform")
    require_plot(report_path)
    sc_a, rules_a = _prepare(base, (), allow_outside)
    sc_b, rules_b = _prepare(reform or base, overrides, allow_outside)
    n, s = check_run(sc_a, replications, seed, executor, workers, address)
    keep = True if report_path is not None else None  # the report's expert-load histogram reads the records
    task_a, task_b = _task(sc_a, rules_a, keep_records=keep), _task(sc_b, rules_b, keep_records=keep)
    res_a = _progress_run(task_a, n, s, executor, workers, address, "base", as_json)
    res_b = _progress_run(task_b, n, s, executor, workers, address, "reform", as_json)
    cmp = compare_runs(res_a, res_b)
    label_b = reform or (base + " with " + " ".join(overrides))
    doc = comparison_json(cmp, base=base, reform=label_b)
    if out or report_path is not None:
        from pathlib import Path

        from zcsim._cli_report import announce, with_results_folder, write_cli_report
        from zcsim.sim.output import write_results

        def _write(folder: str) -> Any:
            write_results(res_a, Path(folder) / "base", scenario=base, rules=rules_a)
            write_results(res_b, Path(folder) / "reform", scenario=reform or base, rules=rules_b)
            (Path(folder) / "comparison.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
            return write_cli_report(folder, report_path) if report_path is not None else None

        path = with_results_folder(out, _write)
        if path is not None:
            announce(path, err=as_json)
        elif not as_json:
            console().print(f"Wrote base/, reform/ and comparison.json to {out}/.")
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    con = console()
    con.print(f"[bold]Base[/bold] {base} (rules {rules_a.name})\n[bold]Reform[/bold] {label_b} (rules {rules_b.name})\n"
              f"{n} replications each, seed {s}, common random numbers")
    t = Table(title="Reform − base (paired over replications; * = 95% CI excludes 0)")
    for col in ("Figure", "Base", "Reform", "Difference", "95% CI", ""):
        t.add_column(col, justify="left" if col == "Figure" else "right")
    for m, row in doc["metrics"].items():
        label = LABELS.get(m, (m, ""))[0] if not m.startswith("pass_rate[") else f"Pass rate {m[len('pass_rate['):-1]}"
        d = row["difference"]
        ci = f"{_fmt_diff(m, d['ci95'][0])} – {_fmt_diff(m, d['ci95'][1])}" if d["n"] > 1 else "—"
        t.add_row(label, _fmt(m, row["base"]["mean"]), _fmt(m, row["reform"]["mean"]), _fmt_diff(m, d["mean"]), ci,
                  "*" if row["significant"] else "")
    con.print(t)
