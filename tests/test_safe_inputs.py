"""Safe inputs (issue 7): YAML only through safe loaders, no pickle or eval of user files, and
the files a scenario names stay inside the scenario's folder unless the caller allows it."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from conftest import ROOT

from zcsim.errors import InputError
from zcsim.sim import load_scenario, parse_scenario

SRC = ROOT / "src" / "zcsim"
MINIMAL = """\
format: zcsim.scenario/1
population:
  groups: [{series: eng, specialty: el, level: senior, count: 30}]
experts:
  pools: [{series: eng, specialty: el, size: 40}]
committees:
  - {series: eng, specialty: el, level: senior}
"""


# ----------------------------------------------------------------------------------------------
# no unsafe deserialisation anywhere in the package (AST scan)
# ----------------------------------------------------------------------------------------------
def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                out.append((f"{f.value.id}.{f.attr}", node))
            elif isinstance(f, ast.Name):
                out.append((f.id, node))
    return out


SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "_SafeLoader", "_Loader"}
FORBIDDEN = {"yaml.unsafe_load", "yaml.full_load", "yaml.load_all", "yaml.unsafe_load_all", "yaml.full_load_all",
             "pickle.load", "pickle.loads", "marshal.load", "marshal.loads", "shelve.open", "dill.load",
             "dill.loads", "cloudpickle.load", "cloudpickle.loads", "eval", "exec", "compile", "__import__",
             "pandas.read_pickle", "pd.read_pickle", "jsonpickle.decode"}
NUMPY_LOAD = {"numpy.load", "np.load"}  # allowed only with allow_pickle=False


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_unsafe_deserialisation_or_eval_in_the_package() -> None:
    bad = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, call in _calls(tree):
            where = f"{path.relative_to(ROOT)}:{call.lineno} {name}"
            if name in FORBIDDEN:
                bad.append(where)
            elif name in NUMPY_LOAD:
                kw = {k.arg: k.value for k in call.keywords}
                flag = kw.get("allow_pickle")
                if not (isinstance(flag, ast.Constant) and flag.value is False):
                    bad.append(where + " (without allow_pickle=False)")
            elif name == "yaml.load":
                kw = {k.arg: k.value for k in call.keywords}
                loader = kw.get("Loader") or (call.args[1] if len(call.args) > 1 else None)
                loader_name = (loader.attr if isinstance(loader, ast.Attribute) else
                               loader.id if isinstance(loader, ast.Name) else None)
                if loader_name not in SAFE_LOADERS:
                    bad.append(where + f" (Loader={loader_name})")
    assert not bad, "unsafe deserialisation of possibly user data:\n" + "\n".join(bad)


def test_yaml_loader_classes_derive_from_the_safe_loader() -> None:
    import yaml

    from zcsim import _files
    from zcsim.sim import scenario
    assert issubclass(scenario._Loader, yaml.SafeLoader)
    assert _files._SafeLoader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    # the scenario loader refuses python tags
    for text in ("!!python/object/apply:os.system ['true']", "!!python/name:os.system"):
        ld = scenario._Loader(text)
        with pytest.raises(yaml.constructor.ConstructorError):
            ld.get_single_data()
        ld.dispose()


def test_python_tags_in_user_files_are_input_errors(tmp_path: Path) -> None:
    from zcsim.conflicts import load_policy
    from zcsim.law import load_rules
    tag = "!!python/object/apply:os.system ['touch pwned']"
    (tmp_path / "s.yaml").write_text(MINIMAL + f"name: {tag}\n", encoding="utf-8")
    (tmp_path / "r.yaml").write_text(f"format: zcsim.rules/1\nname: {tag}\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(f"employment: {tag}\n", encoding="utf-8")
    for load in (lambda: load_scenario(tmp_path / "s.yaml"), lambda: load_rules(str(tmp_path / "r.yaml")),
                 lambda: load_policy(tmp_path / "p.yaml")):
        with pytest.raises(InputError, match="not valid YAML"):
            load()
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


# ----------------------------------------------------------------------------------------------
# paths in a scenario stay in its folder
# ----------------------------------------------------------------------------------------------
PATH_KEYS = [
    # (scenario text added to MINIMAL, the key, the file the path names, its content)
    ("calendar: {{year: 2025, file: {p}}}\n", "calendar.file", "cal.csv", "# covers: 2027\ndate,working\n"),
    ("recusal: {{conflicts: {p}}}\n", "recusal.conflicts", "c.json", json.dumps([{"applicant": "A1", "expert": "E1"}])),
    ("recusal: {{graph: {{policy: {p}}}}}\n", "recusal.graph.policy", "p.yaml", "employment: ever\n"),
    ("rules: {p}\n", "rules", "r.yaml", "format: zcsim.rules/1\nbase: beijing-2020\n"),
]


def _layout(tmp_path: Path, name: str, content: str) -> tuple[Path, Path]:
    """``tmp_path/scen/`` (the scenario's folder) and ``tmp_path/outside/<name>``."""
    scen, outside = tmp_path / "scen", tmp_path / "outside"
    scen.mkdir()
    outside.mkdir()
    (outside / name).write_text(content, encoding="utf-8")
    return scen, outside / name


@pytest.mark.parametrize("line, key, name, content", PATH_KEYS, ids=[k for _, k, _, _ in PATH_KEYS])
@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink", "symlinked-folder"])
def test_scenario_paths_cannot_leave_the_scenario_folder(tmp_path: Path, line: str, key: str, name: str,
                                                         content: str, how: str) -> None:
    scen, target = _layout(tmp_path, name, content)
    if how == "dotdot":
        value = f"../outside/{name}"
    elif how == "absolute":
        value = str(target)
    elif how == "symlink":
        (scen / name).symlink_to(target)
        value = name
    else:
        (scen / "sub").symlink_to(target.parent, target_is_directory=True)
        value = f"sub/{name}"
    path = scen / "s.yaml"
    path.write_text(MINIMAL + line.format(p=value), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert str(path) in msg and key in msg and "outside the scenario's folder" in msg, msg
    assert "--allow-outside-paths" in msg and "allow_outside=True" in msg, msg
    assert "\n" not in msg
    # the caller may allow it (the calendar file covers 2027 only: other problems are fine)
    try:
        load_scenario(path, allow_outside=True)
    except InputError as exc:
        assert "outside the scenario's folder" not in str(exc), str(exc)


@pytest.mark.parametrize("line, key, name, content", PATH_KEYS, ids=[k for _, k, _, _ in PATH_KEYS])
def test_paths_inside_the_folder_are_fine(tmp_path: Path, line: str, key: str, name: str, content: str) -> None:
    scen = tmp_path / "scen"
    (scen / "data" / "x").mkdir(parents=True)
    (scen / "data" / name).write_text(content, encoding="utf-8")
    for value in (f"data/{name}", f"data/x/../{name}", str(scen / "data" / name), f"./data/{name}"):
        path = scen / "s.yaml"
        path.write_text(MINIMAL + line.format(p=value), encoding="utf-8")
        try:
            load_scenario(path)
        except InputError as exc:
            assert "outside the scenario's folder" not in str(exc), str(exc)


def test_a_scenario_cannot_grant_itself_permission(tmp_path: Path) -> None:
    scen, _ = _layout(tmp_path, "c.json", "[]")
    for extra in ("allow_outside: true\n", "allow_outside_paths: true\n", "simulation: {allow_outside: true}\n"):
        path = scen / "s.yaml"
        path.write_text(MINIMAL + extra + "recusal: {conflicts: ../outside/c.json}\n", encoding="utf-8")
        with pytest.raises(InputError) as info:
            load_scenario(path)
        assert "unknown key" in str(info.value) or "outside" in str(info.value)


def test_parse_scenario_confines_paths_to_its_folder(tmp_path: Path) -> None:
    import yaml
    scen, target = _layout(tmp_path, "c.json", "[]")
    data = {**yaml.safe_load(MINIMAL), "recusal": {"conflicts": str(target)}}
    with pytest.raises(InputError, match="outside the scenario's folder"):
        parse_scenario(data, source="inline", folder=scen)
    sc = parse_scenario(data, source="inline", folder=scen, allow_outside=True)
    assert sc.allow_outside and sc.conflicts() == {}
    assert not load_scenario(_write(scen, MINIMAL)).allow_outside


def _write(folder: Path, text: str) -> Path:
    p = folder / "ok.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_nul_in_a_path_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + 'recusal: {conflicts: "c\\0.json"}\n')
    with pytest.raises(InputError, match="recusal.conflicts.*NUL"):
        load_scenario(path)


def test_shipped_scenarios_keep_their_files_inside_their_folders() -> None:
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        load_scenario(path)  # allow_outside=False


def test_cli_reports_an_outside_path_in_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from zcsim.cli import main
    scen, _ = _layout(tmp_path, "c.json", "[]")
    path = scen / "s.yaml"
    path.write_text(MINIMAL + "recusal: {conflicts: ../outside/c.json}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(path), "-n", "1", "--workers", "1"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("zcsim: error: ") and "recusal.conflicts" in lines[0]
    assert "--allow-outside-paths" in lines[0]


@pytest.mark.parametrize("command", [
    ["simulate", "-n", "1", "--workers", "1", "--json"],
    ["compare", "--set", "quorum_ratio=1/2", "-n", "1", "--workers", "1", "--json"],
    ["sweep", "--vary", "experts.no_show=0.1,0.2", "-n", "1", "--workers", "1", "--json"],
    ["size", "--vary", "experts.no_show=0.1,0.2", "--target", "quorum_failure_rate<=0.5", "--batch", "2",
     "--max-replications", "2", "--workers", "1", "--json"],
])
def test_allow_outside_paths_lets_every_scenario_command_run(tmp_path: Path, command: list[str]) -> None:
    from click.testing import CliRunner

    from zcsim.cli import main
    scen, _ = _layout(tmp_path, "c.json", "[]")
    path = scen / "s.yaml"
    path.write_text(MINIMAL + "recusal: {conflicts: ../outside/c.json}\n", encoding="utf-8")
    args = [command[0], str(path), *command[1:]]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2 and "--allow-outside-paths" in refused.stderr
    allowed = CliRunner().invoke(main, [*args, "--allow-outside-paths"])
    assert allowed.exit_code in (0, 1), allowed.output  # size exits 1 when no configuration meets the target
    assert not allowed.stderr.startswith("zcsim: error:"), allowed.stderr


def test_a_scenario_rule_file_cannot_reach_outside_through_base(tmp_path: Path) -> None:
    scen, _ = _layout(tmp_path, "base.yaml", "format: zcsim.rules/1\nbase: beijing-2020\nset: {pass_ratio: 3/5}\n")
    (scen / "r.yaml").write_text("format: zcsim.rules/1\nbase: ../outside/base.yaml\n", encoding="utf-8")
    path = scen / "s.yaml"
    path.write_text(MINIMAL + "rules: r.yaml\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert "line 8, rules" in msg and "base" in msg and "outside the scenario's folder" in msg, msg
    assert str(load_scenario(path, allow_outside=True).ruleset().pass_ratio) == "3/5"
    # outside a scenario, rule files may name any base
    from zcsim.law import load_rules
    assert str(load_rules(str(scen / "r.yaml")).pass_ratio) == "3/5"
