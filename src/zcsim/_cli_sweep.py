"""``zcsim sweep`` and ``zcsim size``: grids of scenario variants on common random numbers."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from zcsim._cli_common import ZcsimCommand, allow_outside_option, console, set_option
from zcsim._cli_report import report_option, require_plot, write_cli_report
from zcsim._cli_sim import (
    _announce_resume,
    _executor_options,
    _fmt,
    address_option,
    check_run,
    executor_option,
    open_store,
    progress_bar,
    resume_option,
    seed_option,
    workers_option,
)

DEFAULT_COLUMNS = ("pass_rate", "mean_working_days", "p95_working_days", "quorum_failure_rate", "staff_utilisation",
                   "vetting_wait_mean")

vary_option = click.option(
    "--vary", "varies", metavar="KEY=LIST|START..STOP:STEP", multiple=True, required=True,
    help="A key and its values (repeatable; the grid is every combination). KEY: a rule key (`zcsim rules`), a "
         "scenario path (experts.no_show, committees[1].size, agencies[0].staff) or an alias: pool.size, panels, "
         "committee.size, staff, applicants. Values: a,b,c or START..STOP:STEP.")


def _recusal_factory(sc: Any) -> Any:
    if sc.recusal.graph is None:
        return None
    from zcsim.recusal import recusal_source

    return recusal_source


@click.command(cls=ZcsimCommand)
@click.argument("scenario", metavar="SCENARIO.yaml")
@vary_option
@_executor_options
@set_option
@click.option("--metric", "columns", multiple=True, metavar="METRIC",
              help="Figures shown on the terminal (repeatable; default: pass rate, days, quorum, staff). "
                   "The files and --json hold them all.")
@click.option("--out", type=click.Path(file_okay=False), help="Write sweep.csv, sweep.parquet and sweep.json here.")
@resume_option
@report_option
@click.option("--json", "as_json", is_flag=True, help="Print sweep.json (the manifest with every variant's figures).")
@allow_outside_option
def sweep(scenario: str, varies: Sequence[str], replications: int | None, seed: int | None, executor: str,
          workers: int | None, address: str | None, overrides: Sequence[str], columns: Sequence[str],
          out: str | None, resume: bool, report_path: str | None, as_json: bool, allow_outside: bool) -> None:
    """Run a grid of scenario variants on common random numbers into one table.

    Every variant uses the same replication seeds, so differences between rows are paired.

    \b
    zcsim sweep scenarios/quick.yaml --vary experts.no_show=0.05..0.3:0.05
    zcsim sweep scenarios/quick.yaml --vary quorum_ratio=1/2,3/5,2/3 --vary committee.size=25,31 -n 20
    zcsim sweep scenarios/quick.yaml --vary staff=3..8 --vary panels=2..6 --out results/sweep
    zcsim sweep scenarios/quick.yaml --vary staff=3..8 --out results/sweep --resume   (finish an interrupted sweep)

    With --out, each finished variant × replication is saved at once (DIR/.partial/); a sweep
    stopped at any moment finishes with --resume, with the same table as an uninterrupted one.
    DIR is locked while the sweep works in it (DIR/.zcsim.lock): a second run on DIR fails at
    once. At most 1,000,000 variant × replication jobs (MAX_JOBS).
    """
    import dataclasses

    from zcsim.sim import load_scenario
    from zcsim.sim.output import run_manifest
    from zcsim.sim.sweep import TABLE_METRICS, build_variants, check_jobs, parse_vary, run_sweep

    require_plot(report_path)
    if resume and not out:
        raise click.UsageError("--resume needs --out DIR (the folder of the sweep to finish)")
    sc = load_scenario(scenario, allow_outside=allow_outside)
    vs = [parse_vary(v, sc) for v in varies]
    for c in columns:
        if c not in TABLE_METRICS:
            raise click.BadParameter(f"unknown metric {c!r}; known: {', '.join(TABLE_METRICS)}", param_hint="--metric")
    n, s = check_run(sc, replications, seed, executor, workers, address)
    total = check_jobs(math.prod(len(v.values) for v in vs), n)
    variants = build_variants(sc, vs, list(overrides) or None)  # every variant valid before anything runs
    store = None
    if out:
        manifest = run_manifest("sweep", scenario=scenario, rules=variants[0].rules, overrides=overrides, seed=s,
                                replications=n, vary=list(varies))
        prints = sorted({v.rules.fingerprint() for v in variants})  # as sweep.json: one, or each variant's
        manifest["rules_fingerprint"] = prints[0] if len(prints) == 1 else prints
        store = open_store(out, resume, manifest)
    done = store.jobs() if store is not None else {}
    if store is not None:
        _announce_resume(store, len(done), total, "variant × replication jobs")
    kw: dict[str, Any] = {"replications": n, "seed": s, "overrides": list(overrides) or None, "executor": executor,
                          "workers": workers, "address": address, "recusal": _recusal_factory(sc), "done": done,
                          "on_result": store.save_job if store is not None else None}
    if as_json:
        res = run_sweep(sc, vs, **kw)
    else:
        with progress_bar(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          TimeRemainingColumn()) as bar:
            t = bar.add_task(f"{sc.name or scenario}: variants × replications", total=total, completed=len(done))
            res = run_sweep(sc, vs, progress=lambda d, _t: bar.update(t, completed=d), **kw)
    if store is not None:  # the table is what the checkpoints hold, for a resumed run as for an uninterrupted one
        saved = store.jobs()
        res = dataclasses.replace(res, scenario=store.manifest["scenario"], metrics=tuple(
            tuple(saved[(var.index, r)] for r in range(n)) for var in res.variants))
    written = res.write(out) if out else []
    if report_path:  # the report reads the sweep's files: from --out, or a temporary folder
        if out:
            written.append(write_cli_report(out, report_path))
        else:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                res.write(tmp)
                written.append(write_cli_report(tmp, report_path))
    if as_json:
        click.echo(json.dumps(res.manifest(), ensure_ascii=False, indent=2, default=str))
        return
    con = console()
    con.print(f"[bold]{sc.name or scenario}[/bold] — {len(res.variants)} variants × {n} replications, seed {res.seed}, "
              "common random numbers")
    cols = list(columns) or list(DEFAULT_COLUMNS)
    tab = Table(title="Mean over replications [95% t-interval]")
    for v in vs:
        tab.add_column(v.key, justify="right")
    for m in cols:
        tab.add_column(m, justify="right")
    for var in res.variants:
        summ = res.summary(var.index)
        cells = [str(var.values[v.key]) for v in vs]
        for m in cols:
            e = summ[m]
            ci = f" [{_fmt(m, max(e.low, 0.0))}–{_fmt(m, e.high)}]" if e.n > 1 and math.isfinite(e.low) else ""
            cells.append(_fmt(m, e.mean) + ci)
        tab.add_row(*cells)
    con.print(tab)
    if written:
        con.print(f"Wrote {', '.join(p.name for p in written)} to {out}/")


@click.command(cls=ZcsimCommand)
@click.argument("scenario", metavar="SCENARIO.yaml")
@vary_option
@click.option("--target", "targets", metavar="METRIC<=X|METRIC>=X", multiple=True, required=True,
              help="A target every configuration must meet (repeatable), e.g. 'quorum_failure_rate<=0.01', "
                   "'p95_days_to_result<=110', 'vetting_wait_mean<=1'.")
@click.option("--confidence", type=click.FloatRange(0.5, 1, max_open=True), default=0.95, show_default=True,
              help="Confidence with which each target is met (or failed).")
@click.option("--batch", type=click.IntRange(min=2), default=10, show_default=True,
              help="Replications before the first look; then doubling.")
@click.option("--max-replications", type=click.IntRange(min=2), default=200, show_default=True,
              help="Cap per configuration, at most 100,000; a target still open there is undecided.")
@click.option("--no-prune", is_flag=True, help="Simulate every configuration (no analytic pruning).")
@seed_option
@executor_option
@workers_option
@address_option
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print the search as JSON.")
@allow_outside_option
def size(scenario: str, varies: Sequence[str], targets: Sequence[str], confidence: float, batch: int,
         max_replications: int, no_prune: bool, seed: int | None, executor: str, workers: int | None,
         address: str | None, overrides: Sequence[str], as_json: bool, allow_outside: bool) -> None:
    """Find the smallest configuration of a grid meeting every target, with stated confidence.

    Configurations are searched by cost (the sum of the varied values), smallest first; analytic
    bounds (binomial quorum tail, fluid vetting queue) rule some out before any simulation.

    \b
    zcsim size scenarios/quick.yaml --target 'quorum_failure_rate<=0.002' --target 'vetting_wait_mean<=1' \\
        --vary committee.size=25..43:2 --vary staff=2..11
    """
    from zcsim.sim import load_scenario
    from zcsim.sim.sizing import parse_target, size_search
    from zcsim.sim.sweep import parse_vary

    from zcsim.sim.runner import check_address, check_replications, check_seed, check_workers

    sc = load_scenario(scenario, allow_outside=allow_outside)
    check_replications(max_replications, location="--max-replications")
    if seed is None:
        check_seed(sc.simulation.seed, source=sc.source, location="simulation.seed")
    check_workers(workers)
    check_address(address, executor)
    ts = [parse_target(t) for t in targets]
    vs = [parse_vary(v, sc) for v in varies]
    kw: dict[str, Any] = {"confidence": confidence, "batch": batch, "max_replications": max_replications, "seed": seed,
                          "overrides": list(overrides) or None, "prune": not no_prune, "executor": executor,
                          "workers": workers, "address": address, "recusal": _recusal_factory(sc)}
    if as_json:
        res = size_search(sc, vs, ts, **kw)
        click.echo(json.dumps(res.as_json(), ensure_ascii=False, indent=2, default=str))
        return
    with progress_bar(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn()) as bar:
        t = bar.add_task("sizing", total=None)
        res = size_search(sc, vs, ts, progress=lambda label, d, tot: bar.update(t, description=label, completed=d,
                                                                                  total=tot), **kw)
    _print_sizing(res, sc.name or scenario)


def _print_sizing(res: Any, name: str) -> None:
    con = console()
    con.print(f"[bold]{name}[/bold] — sizing: {', '.join(t.text for t in res.targets)}; confidence "
              f"{res.confidence:.0%} per target; looks at {', '.join(map(str, res.looks))} replications")
    tab = Table(title="Configurations searched (cheapest first; cost = sum of the varied values)")
    for col in ("Configuration", "Cost", "Status", "Replications", "Why"):
        tab.add_column(col, justify="left" if col in ("Configuration", "Status", "Why") else "right")
    shown = [c for c in res.candidates if c.status != "not searched"]
    quiet = len(shown) > 15  # many pruned: list the simulated ones, count the pruned
    for c in shown:
        if quiet and c.status == "pruned":
            continue
        why = "; ".join(x.describe() for x in c.failing) if c.status != "met" else "all targets met"
        tab.add_row(c.variant.label, f"{c.variant.cost:g}", c.status, str(c.replications), why)
    con.print(tab)
    if quiet:
        con.print(f"({res.pruned} pruned configurations not listed; --json lists every one with its bound)")
    if res.best is None:
        con.print("[bold red]No configuration of the grid meets every target[/bold red] "
                  "(failed or undecided; widen the grid or raise --max-replications).")
    else:
        con.print(f"[bold green]Smallest configuration meeting every target:[/bold green] {res.best.variant.label}")
        t = Table()
        for col in ("Target", "Estimate", "Bound", "Confidence", "Margin", "Method", "Evidence"):
            t.add_column(col, justify="left" if col in ("Target", "Method", "Evidence") else "right")
        for c in res.best.checks:
            ev = (f"{c.replications:,} replications" + (f", {c.trials:,} sittings" if c.trials else "")
                  if c.method not in ("binomial tail", "fluid queue") else "analytic")
            t.add_row(c.target.text, f"{c.estimate:.4g}", f"{c.bound:.4g}", f"{c.confidence:.0%}", f"{c.margin:+.4g}",
                      c.method, ev)
        con.print(t)
        if res.binding is not None:
            con.print(f"Binding constraint: [bold]{res.binding.target.text}[/bold] (smallest relative margin "
                      f"{res.binding.relative_margin:+.1%})")
        if res.ruled_out_previous is not None:
            prev, by = res.ruled_out_previous
            con.print(f"The configuration searched just before, {prev.variant.label}, was {prev.status}: "
                      + ("; ".join(x.describe() for x in by) or "—"))
    con.print(f"Grid {res.grid} configurations: {res.pruned} pruned analytically, {res.simulated} simulated "
              f"({res.replications:,} replications), {res.grid - res.pruned - res.simulated} not needed.")
