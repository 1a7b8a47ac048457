"""The research notebooks of notebooks/ run top to bottom without error (issue 6).

Each notebook is copied to a temporary folder and executed there with nbclient on the
``python3`` kernel of this interpreter's environment (ipykernel installed in the same venv), with
``ZCSIM_NOTEBOOK_QUICK=1`` so its parameter cell shrinks replications and grids (all four in
well under two minutes), and ``ZCSIM_REPO`` pointing at this repository for its scenarios and
example pool. The full-size run is marked ``slow``. Any cell error fails the test.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")


def _kernel_env(quick: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["ZCSIM_REPO"] = str(ROOT)
    env.pop("ZCSIM_NOTEBOOK_QUICK", None)
    if quick:
        env["ZCSIM_NOTEBOOK_QUICK"] = "1"
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    # the kernel must run this interpreter (the venv with zcsim installed), whatever is on PATH
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def _execute(path: Path, tmp_path: Path, *, quick: bool, timeout: int) -> None:
    work = tmp_path / path.stem
    work.mkdir()
    copy = work / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    from jupyter_client.kernelspec import KernelSpec
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(work)}})
    # launch ipykernel from sys.executable, not from a "python3" kernelspec found elsewhere on the machine
    client.km = client.create_kernel_manager()
    client.km._kernel_spec = KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                        display_name="Python 3", language="python", name="python3")
    client.execute(env=_kernel_env(quick))
    nbformat.write(nb, copy)


def test_notebooks_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert {"a_rule_change_study", "b_committee_sizing", "c_recusal_and_conflict_policy",
            "d_voting_model_sensitivity"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_structure(path: Path):
    """Opens with a markdown cell (question, articles, time, how to run) and has a tagged
    parameter cell that honours ZCSIM_NOTEBOOK_QUICK; stored outputs stay small."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown"
    head = nb.cells[0].source
    for word in ("Question", "Art", "Time", "Run it", "nbconvert"):
        assert word in head, f"{path.name}: the opening cell should mention {word!r}"
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "ZCSIM_NOTEBOOK_QUICK" in params[0].source
    assert path.stat().st_size < 400_000
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "zcsim._" not in code and "from zcsim._" not in code, "notebooks call the public API only"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_quick(path: Path, tmp_path: Path):
    _execute(path, tmp_path, quick=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_full(path: Path, tmp_path: Path):
    _execute(path, tmp_path, quick=False, timeout=1200)
