"""``zcsim replay DIR``: rerun a results folder from its run manifest and confirm every figure."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from zcsim._cli_common import EXIT_OK, EXIT_VIOLATIONS, ZcsimCommand, allow_outside_option, console
from zcsim._cli_sim import address_option, executor_option, workers_option
from zcsim.errors import InputError


def _read_manifest(folder: Path) -> dict[str, Any]:
    """The folder's run manifest, read strictly and validated (every field, its type and bounds)."""
    from zcsim.sim.output import read_manifest

    if not folder.is_dir():
        raise InputError("results folder not found", source=str(folder))
    if not (folder / "manifest.json").exists():
        raise InputError("no manifest.json: not a results folder of `zcsim simulate --out` or `zcsim sweep --out`",
                         source=str(folder))
    return read_manifest(folder)


def _scenario_file(manifest: dict[str, Any], given: str | None) -> str:
    from zcsim.sim.output import file_sha256

    path = given or manifest.get("scenario_path") or manifest["scenario"]
    if not Path(path).is_file():
        raise InputError(f"scenario file not found (the run used {manifest.get('scenario_path') or path}); give "
                         "--scenario PATH of a copy with the same content", source=path)
    digest = file_sha256(path)
    if digest != manifest["scenario_sha256"]:
        raise InputError(f"the scenario file changed since the run (SHA-256 {digest[:12]}… now, "
                         f"{manifest['scenario_sha256'][:12]}… in the manifest); give --scenario PATH of a file with "
                         "the run's content", source=path)
    return path


def _warn_versions(manifest: dict[str, Any]) -> None:
    from zcsim.sim.output import _versions

    then, now = manifest.get("versions") or {}, _versions()
    diff = [f"{p} {then.get(p, 'absent')} (run) → {now.get(p, 'absent')} (now)"
            for p in sorted(set(then) | set(now)) if then.get(p) != now.get(p)]
    if diff:
        console(err=True).print("zcsim: warning: package versions differ from the run's: " + ", ".join(diff)
                                + " (numpy's random streams and the model may change between versions, so figures "
                                "may differ)")


@click.command("replay", cls=ZcsimCommand)
@click.argument("folder", metavar="DIR")
@click.option("--scenario", "scenario_path", metavar="SCENARIO.yaml",
              help="The run's scenario file, when it moved (its content must match the manifest's SHA-256).")
@executor_option
@workers_option
@address_option
@allow_outside_option
def replay(folder: str, scenario_path: str | None, executor: str, workers: int | None, address: str | None,
           allow_outside: bool) -> None:
    """Rerun a results folder from its manifest and confirm every file of it is what the rerun writes.

    DIR is what `zcsim simulate --out` or `zcsim sweep --out` wrote. Its manifest.json is read
    strictly and validated (each field's type and bounds: seed 0..2**63-1, replications
    1..100,000). The scenario file must be unchanged (its SHA-256 is in the manifest); the run is
    repeated with the same seed, rule set, overrides, varied keys, records setting and
    replications, and EVERY file of DIR is compared with the rerun's: a file added, removed or
    changed is a difference. The manifest must equal the rerun's but for scenario_path, zcsim
    and versions (a version change is a warning). JSON is compared value by value with types
    (0.0 is not false), tables cell by cell, other files byte by byte; .partial/ when DIR still
    has it; the lock file .zcsim.lock is left out. A JSON file with a duplicate key is malformed.

    Exit status: 0 identical, 1 files differ (each difference is listed), 2 the run cannot be
    replayed (no or invalid manifest, malformed JSON, scenario file changed or missing, rule set
    changed, folder in use by a run).

    \b
    zcsim simulate scenarios/quick.yaml -n 10 --out results/
    zcsim replay results/
    zcsim replay results/ --scenario archive/quick.yaml
    """
    from zcsim.sim.output import compare_folders, lock_folder
    from zcsim.sim.runner import check_address, check_workers

    check_workers(workers)
    check_address(address, executor)
    root = Path(folder)
    manifest = _read_manifest(root)
    lock = lock_folder(root, shared=True)  # no run may write the folder while it is compared
    try:
        manifest = _read_manifest(root)  # as it is under the lock
        path = _scenario_file(manifest, scenario_path)
        _warn_versions(manifest)
        with tempfile.TemporaryDirectory(prefix="zcsim-replay-") as tmp:
            rerun = Path(tmp) / "rerun"
            if manifest["command"] == "simulate":
                _rerun_simulate(manifest, path, rerun, executor, workers, address, allow_outside)
            else:
                _rerun_sweep(manifest, path, rerun, executor, workers, address, allow_outside)
            count, diffs = compare_folders(root, rerun)
    finally:
        lock.release()
    what = (f"{manifest['replications']} replications, seed {manifest['seed']}"
            + (f", {len(manifest.get('vary') or [])} varied key(s)" if manifest["command"] == "sweep" else ""))
    if diffs:  # plain lines (no wrapping): each names the file, the figure and both values
        click.echo(f"different: {len(diffs)} difference(s) between {folder} and a rerun ({what}):")
        for d in diffs:
            click.echo(f"  {d}")
        sys.exit(EXIT_VIOLATIONS)
    click.echo(f"identical: every file of {folder} ({count} files: manifest, summary, tables"
               + (", records" if (root / "records").is_dir() else "")
               + (", checkpoints" if (root / ".partial").is_dir() else "") + f") reproduced by a rerun ({what}).")
    sys.exit(EXIT_OK)


def _check_rules(manifest: dict[str, Any], fingerprint: Any) -> None:
    if manifest.get("rules_fingerprint") is not None and fingerprint != manifest["rules_fingerprint"]:
        raise InputError(f"the rule set's fingerprint is {fingerprint} now, {manifest['rules_fingerprint']} in the "
                         "manifest: a rule-set file the scenario names (or a built-in rule set) changed since the run",
                         source=manifest.get("scenario"))


def _rerun_manifest(manifest: dict[str, Any], path: str, rules: Any) -> dict[str, Any]:
    """The manifest the rerun writes: made afresh from the scenario file and the settings the
    stored manifest gives, so any field edited in the stored one is a difference."""
    from zcsim.sim.output import run_manifest

    new = run_manifest(manifest["command"], scenario=path, rules=rules, overrides=manifest["overrides"],
                       seed=manifest["seed"], replications=manifest["replications"],
                       keep_records=manifest["keep_records"],
                       vary=manifest["vary"] if manifest["command"] == "sweep" else None)
    new["scenario"] = manifest["scenario"]  # the label the results carry (checked in them)
    return new


def _rerun_simulate(manifest: dict[str, Any], path: str, tmp: Path, executor: str, workers: int | None,
                    address: str | None, allow_outside: bool = False) -> None:
    from zcsim._cli_sim import _prepare, _progress_run, _task
    from zcsim.sim.output import RunStore, write_results

    sc, rules = _prepare(path, manifest["overrides"], allow_outside)
    _check_rules(manifest, rules.fingerprint())
    store = RunStore.open(tmp, _rerun_manifest(manifest, path, rules), resume=False)
    try:
        task = _task(sc, rules, keep_records=manifest["keep_records"])
        result = _progress_run(task, manifest["replications"], manifest["seed"], executor, workers, address,
                               f"replay {sc.name or path}", False, store)
        write_results(result, tmp, scenario=manifest["scenario"], rules=rules, manifest=store.manifest)
    finally:
        store.release()


def _rerun_sweep(manifest: dict[str, Any], path: str, tmp: Path, executor: str, workers: int | None,
                 address: str | None, allow_outside: bool = False) -> None:
    import dataclasses

    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

    from zcsim._cli_sim import progress_bar

    from zcsim._cli_sweep import _recusal_factory
    from zcsim.sim import load_scenario
    from zcsim.sim.output import RunStore
    from zcsim.sim.sweep import build_variants, parse_vary, run_sweep

    sc = load_scenario(path, allow_outside=allow_outside)
    vs = [parse_vary(v, sc) for v in manifest["vary"]]
    overrides = list(manifest["overrides"]) or None
    variants = build_variants(sc, vs, overrides)
    prints = sorted({v.rules.fingerprint() for v in variants})
    fingerprint = prints[0] if len(prints) == 1 else prints
    _check_rules(manifest, fingerprint)
    new = _rerun_manifest(manifest, path, variants[0].rules)
    new["rules_fingerprint"] = fingerprint  # as `zcsim sweep --out` writes it
    store = RunStore.open(tmp, new, resume=False)
    n = manifest["replications"]
    try:
        with progress_bar(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn()) as bar:
            t = bar.add_task(f"replay {sc.name or path}: variants × replications", total=len(variants) * n)
            res = run_sweep(sc, vs, replications=n, seed=manifest["seed"], overrides=overrides, executor=executor,
                            workers=workers, address=address, recusal=_recusal_factory(sc),
                            on_result=store.save_job, progress=lambda d, _t: bar.update(t, completed=d))
        saved = store.jobs()  # the table from the checkpoints, as `zcsim sweep --out` assembles it
        res = dataclasses.replace(res, scenario=manifest["scenario"], metrics=tuple(
            tuple(saved[(var.index, r)] for r in range(n)) for var in res.variants))
        res.write(tmp)
    finally:
        store.release()
