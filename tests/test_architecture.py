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
