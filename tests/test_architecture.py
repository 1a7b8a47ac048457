"""The layering of DESIGN.md, enforced: law and procedure are the plain core; the library never prints."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import zcsim

SRC = Path(zcsim.__file__).resolve().parent
HEAVY = {"simpy", "z3", "networkx", "matplotlib", "pandas"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("layer", ["law", "procedure"])
def test_core_layers_import_no_heavy_package(layer: str) -> None:
    for path in (SRC / layer).rglob("*.py"):
        assert not imports_of(path) & HEAVY, path


PEERS = ("sim", "verify", "conflicts")
"""Layers that do not import each other (DESIGN.md): they meet in procedure/law, the CLI and glue."""

GLUE = {"recusal.py"}
"""Top-level modules that join peers on purpose (besides the CLI): zcsim.recusal gives the
simulator recusals found by the conflicts module's graph search (Art. 29)."""


def zcsim_imports_of(path: Path) -> set[str]:
    """Dotted names of the zcsim modules ``path`` imports, relative imports resolved, lazy
    imports inside functions included."""
    rel = path.relative_to(SRC.parent).with_suffix("")
    package = list(rel.parts[:-1])  # the package a relative import starts from (also for __init__)
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "zcsim"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.split(".")[0] == "zcsim":
                out.add(name)
                out |= {f"{name}.{a.name}" for a in node.names}
    return out


def peers_imported(path: Path) -> set[str]:
    return {m.split(".")[1] for m in zcsim_imports_of(path) if m.count(".") >= 1 and m.split(".")[1] in PEERS}


@pytest.mark.parametrize("layer", PEERS)
def test_sim_verify_and_conflicts_do_not_import_each_other(layer: str) -> None:
    for path in (SRC / layer).rglob("*.py"):
        others = peers_imported(path) - {layer}
        assert not others, f"{path.relative_to(SRC)} imports zcsim.{', zcsim.'.join(sorted(others))}"


def test_only_the_cli_and_glue_modules_join_peer_layers() -> None:
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] in PEERS or rel.name == "cli.py" or rel.name.startswith("_cli_") or str(rel) in GLUE:
            continue
        assert len(peers_imported(path)) < 2, f"{rel} joins {sorted(peers_imported(path))}: only the CLI and {sorted(GLUE)} may"


def test_the_glue_module_joins_sim_and_conflicts() -> None:
    assert peers_imported(SRC / "recusal.py") == {"sim", "conflicts"}


def test_importing_zcsim_loads_no_heavy_package() -> None:
    code = "import sys, zcsim, zcsim.records, zcsim.procedure.application; print(sorted(m for m in %r if m in sys.modules))" % sorted(HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_library_never_prints() -> None:
    for path in SRC.rglob("*.py"):
        if path.name in {"cli.py", "__main__.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                pytest.fail(f"print() in {path.relative_to(SRC)}:{node.lineno}")


def test_public_api_is_curated() -> None:
    assert "load_rules" in zcsim.__all__ and "RuleSet" in zcsim.__all__
    for name in zcsim.__all__:
        assert hasattr(zcsim, name), name


def test_py_typed_marker_ships() -> None:
    assert (SRC / "py.typed").exists()


def test_every_check_names_an_article_of_the_measures() -> None:
    from zcsim.coverage import coverage_table
    from zcsim.procedure import CHECKS

    coverage_table()
    assert len(CHECKS) >= 40
    for c in CHECKS.values():
        assert 1 <= c.article <= 45, c
        assert c.title, c


def test_importing_zcsim_does_not_load_the_calendar_data() -> None:
    # the lifecycle (and the calendar it needs) loads on first use, so the CLI starts quickly
    code = "import sys, zcsim, zcsim.procedure; print('chinese_calendar' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    from zcsim.procedure import ApplicantCase, StepRefused  # still exported

    assert ApplicantCase.__module__ == StepRefused.__module__ == "zcsim.procedure.lifecycle"
