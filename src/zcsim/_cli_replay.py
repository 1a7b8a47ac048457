"""``zcsim replay DIR``: rerun a results folder from its run manifest and confirm every figure."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from zcsim._cli_common import EXIT_OK, EXIT_VIOLATIONS, ZcsimCommand, allow_outside_option, console
from zcsim.errors import InputError


def _read_manifest(folder: Path) -> dict[str, Any]:
    from zcsim.sim.output import RUN_FORMAT

    path = folder / "manifest.json"
    if not folder.is_dir():
        raise InputError("results folder not found", source=str(folder))
    if not path.is_file():
        raise InputError("no manifest.json: not a results folder of `zcsim simulate --out` or `zcsim sweep --out`",
                         source=str(folder))
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable manifest ({exc})", source=str(path)) from None
    if not isinstance(doc, dict) or doc.get("format") != RUN_FORMAT:
        raise InputError(f"not a {RUN_FORMAT} run manifest (written by an older zcsim, or by `zcsim compare`); "
                         "nothing to replay", source=str(path))
    for key in ("command", "scenario_sha256", "seed", "replications", "overrides"):
        if key not in doc:
            raise InputError(f"the run manifest has no {key!r}", source=str(path))
    if doc["command"] not in ("simulate", "sweep"):
        raise InputError(f"command {doc['command']!r} cannot be replayed; expected simulate or sweep", source=str(path))
    return doc


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
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where replications run (results do not depend on it).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--address", metavar="tcp://HOST:PORT", help="Dask scheduler (with --executor dask).")
@allow_outside_option
def replay(folder: str, scenario_path: str | None, executor: str, workers: int | None, address: str | None,
           allow_outside: bool) -> None:
    """Rerun a results folder from its manifest and confirm every figure is identical.

    DIR is what `zcsim simulate --out` or `zcsim sweep --out` wrote. The scenario file must be
    unchanged (its SHA-256 is in DIR/manifest.json); the run is repeated with the same seed,
    rule set, overrides, varied keys and replications, and every figure — summary, each
    replication's metrics, every table cell, the meeting records — is compared exactly.

    Exit status: 0 identical, 1 figures differ (each is listed), 2 the run cannot be replayed
    (no manifest, scenario file changed or missing, rule set changed).

    \b
    zcsim simulate scenarios/quick.yaml -n 10 --out results/
    zcsim replay results/
    zcsim replay results/ --scenario archive/quick.yaml
    """
    from zcsim.sim.output import compare_folders

    root = Path(folder)
    manifest = _read_manifest(root)
    path = _scenario_file(manifest, scenario_path)
    _warn_versions(manifest)
    with tempfile.TemporaryDirectory(prefix="zcsim-replay-") as tmp:
        if manifest["command"] == "simulate":
            _rerun_simulate(manifest, path, tmp, executor, workers, address, allow_outside)
        else:
            _rerun_sweep(manifest, path, tmp, executor, workers, address, allow_outside)
        count, diffs = compare_folders(root, tmp)
    what = (f"{manifest['replications']} replications, seed {manifest['seed']}"
            + (f", {len(manifest.get('vary') or [])} varied key(s)" if manifest["command"] == "sweep" else ""))
    if diffs:  # plain lines (no wrapping): each names the file, the figure and both values
        click.echo(f"different: {len(diffs)} figure(s) of {folder} differ from a rerun ({what}):")
        for d in diffs:
            click.echo(f"  {d}")
        sys.exit(EXIT_VIOLATIONS)
    click.echo(f"identical: every figure of {folder} ({count} files: summary, tables"
               + (", records" if (root / "records").is_dir() else "") + f") reproduced by a rerun ({what}).")
    sys.exit(EXIT_OK)


def _check_rules(manifest: dict[str, Any], fingerprint: Any) -> None:
    if manifest.get("rules_fingerprint") is not None and fingerprint != manifest["rules_fingerprint"]:
        raise InputError(f"the rule set's fingerprint is {fingerprint} now, {manifest['rules_fingerprint']} in the "
                         "manifest: a rule-set file the scenario names (or a built-in rule set) changed since the run",
                         source=manifest.get("scenario"))


def _rerun_simulate(manifest: dict[str, Any], path: str, tmp: str, executor: str, workers: int | None,
                    address: str | None, allow_outside: bool = False) -> None:
    from zcsim._cli_sim import _prepare, _progress_run, _task
    from zcsim.sim.output import write_results

    sc, rules = _prepare(path, manifest["overrides"], allow_outside)
    _check_rules(manifest, rules.fingerprint())
    task = _task(sc, rules, keep_records=bool(manifest.get("keep_records")))
    result = _progress_run(task, int(manifest["replications"]), int(manifest["seed"]), executor, workers, address,
                           f"replay {sc.name or path}", False)
    write_results(result, tmp, scenario=manifest["scenario"], rules=rules, manifest=manifest)


def _rerun_sweep(manifest: dict[str, Any], path: str, tmp: str, executor: str, workers: int | None,
                 address: str | None, allow_outside: bool = False) -> None:
    import dataclasses

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from zcsim._cli_sweep import _recusal_factory
    from zcsim.sim import load_scenario
    from zcsim.sim.sweep import build_variants, parse_vary, run_sweep

    sc = load_scenario(path, allow_outside=allow_outside)
    vs = [parse_vary(v, sc) for v in manifest.get("vary") or []]
    overrides = list(manifest["overrides"]) or None
    variants = build_variants(sc, vs, overrides)
    prints = sorted({v.rules.fingerprint() for v in variants})
    _check_rules(manifest, prints[0] if len(prints) == 1 else prints)
    n = int(manifest["replications"])
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console(err=True), transient=True) as bar:
        t = bar.add_task(f"replay {sc.name or path}: variants × replications", total=len(variants) * n)
        res = run_sweep(sc, vs, replications=n, seed=int(manifest["seed"]), overrides=overrides, executor=executor,
                        workers=workers, address=address, recusal=_recusal_factory(sc),
                        progress=lambda d, _t: bar.update(t, completed=d))
    dataclasses.replace(res, scenario=manifest["scenario"]).write(tmp)
