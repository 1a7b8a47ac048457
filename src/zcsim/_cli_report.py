"""``zcsim report``, and the ``--report FILE|DIR`` option of simulate, compare and verify."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from zcsim._cli_common import ZcsimCommand, console
from zcsim.errors import InputError

__all__ = ["cli_pseudonym_key", "pseudonym_key_option", "report", "report_from_json", "report_option",
           "report_target", "require_plot", "write_cli_report"]

_KEY_FILE = "zcsim.pseudonym_key_file"
_KEY = "zcsim.pseudonym_key"
"""Where the command's context keeps the key file's path and, once read, the key (in memory only)."""

KEY_HELP = ("The agency's pseudonym key (at least 16 bytes; or the environment variable ZCSIM_PSEUDONYM_KEY): "
            "the same experts get the same pseudonyms in every report made with it. Default: a random secret "
            "of this report, never written (Art. 28).")


def _remember_key_file(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[_KEY_FILE] = value


pseudonym_key_option = click.option(
    "--pseudonym-key-file", metavar="FILE", expose_value=False, callback=_remember_key_file, help=KEY_HELP)
"""``--pseudonym-key-file FILE``: kept in the context (the command's function does not take it),
read by :func:`cli_pseudonym_key`."""

_report_path_option = click.option(
    "--report", "report_path", metavar="FILE.html|FILE.md|DIR",
    help="Also write a report with tables and plots (HTML and Markdown; DIR: DIR/report.html). Needs matplotlib "
         "(the 'plot' extra). Experts appear under keyed pseudonyms (Art. 28); for an internal report use `zcsim "
         "report --internal` on the results.")


def report_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--report FILE|DIR`` and ``--pseudonym-key-file FILE`` (the report's pseudonyms, Art. 28)."""
    return _report_path_option(pseudonym_key_option(f))


def cli_pseudonym_key() -> bytes | None:
    """The pseudonym key of this command: ``--pseudonym-key-file``, else ``ZCSIM_PSEUDONYM_KEY``, else
    ``None`` (a secret per report). Read once per command and kept in memory only."""
    from zcsim.report import pseudonym_key

    ctx = click.get_current_context(silent=True)
    meta: dict[str, Any] = ctx.meta if ctx is not None else {}
    if _KEY not in meta:
        meta[_KEY] = pseudonym_key(meta.get(_KEY_FILE))
    return meta[_KEY]


def require_plot(report_path: str | None) -> None:
    """Fail before any work when ``--report`` is asked for and matplotlib (the 'plot' extra) is missing,
    or its pseudonym key cannot be read; ``--pseudonym-key-file`` without ``--report`` is an error."""
    ctx = click.get_current_context(silent=True)
    if report_path is None:
        if ctx is not None and ctx.meta.get(_KEY_FILE) is not None:
            raise InputError("is used only with --report (the report's pseudonyms, Art. 28)",
                             source="--pseudonym-key-file")
        return
    from zcsim.report._plots import _mpl

    _mpl()
    cli_pseudonym_key()


def report_target(path: str) -> tuple[Path, tuple[str, ...]]:
    """Where ``--report PATH`` writes: a ``.html`` file (and ``.md`` beside it), a ``.md`` file only, or
    ``DIR/report.html``."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".html", ".htm"):
        return p, ("html", "md")
    if suffix == ".md":
        return p.with_suffix(".html"), ("md",)
    return p / "report.html", ("html", "md")


def write_cli_report(source: str | Path, path: str, *, internal: bool = False) -> Path:
    from zcsim.report import write_report

    out, formats = report_target(path)
    return write_report(source, out, internal=internal, formats=formats,
                        pseudonym_key=None if internal else cli_pseudonym_key())


def report_from_json(doc: Any, path: str, name: str = "verify.json") -> Path:
    """Write ``doc`` as JSON (into DIR when ``path`` is a folder, else a temporary folder) and report on it."""
    out, formats = report_target(path)
    keep = out.name == "report.html" and Path(path).suffix.lower() not in (".html", ".htm", ".md")
    from zcsim.report import write_report

    if keep:
        out.parent.mkdir(parents=True, exist_ok=True)
        src = out.parent / name
        src.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        return write_report(src, out, formats=formats, pseudonym_key=cli_pseudonym_key())
    with tempfile.TemporaryDirectory(prefix="zcsim-report-") as tmp:
        src = Path(tmp) / name
        src.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        return write_report(src, out, formats=formats, pseudonym_key=cli_pseudonym_key())


def announce(path: Path, err: bool = False) -> None:
    """Tell the user where the report went (stderr when stdout carries JSON)."""
    md = path.with_suffix(".md")
    extra = f" and {md}" if path.suffix == ".html" and md.exists() else ""
    if path.exists():
        console(err=err).print(f"Wrote the report {path}{extra}.")
    else:
        console(err=err).print(f"Wrote the report {md}.")


def with_results_folder(out: str | None, fn: Callable[[str], Any]) -> Any:
    """Call ``fn`` with ``out``, or with a temporary folder removed afterwards."""
    if out:
        return fn(out)
    with tempfile.TemporaryDirectory(prefix="zcsim-results-") as tmp:
        return fn(tmp)


@click.command("report", cls=ZcsimCommand)
@click.argument("source", metavar="RESULTS_DIR|VERIFY.json")
@click.option("--out", "out", metavar="FILE.html", help="The HTML file to write [RESULTS_DIR/report.html]; "
              "the Markdown goes beside it (FILE.md, figures in FILE_files/).")
@click.option("--internal", is_flag=True, help="Keep the experts' real identifiers (not for publication, Art. 28).")
@click.option("--markdown-only", is_flag=True, help="Write only the Markdown and its PNG figures.")
@click.option("--title", metavar="TEXT", help="The report's title.")
@click.option("--pseudonym-key-file", "key_file", metavar="FILE", help=KEY_HELP)
def report(source: str, out: str | None, internal: bool, markdown_only: bool, title: str | None,
           key_file: str | None) -> None:
    """Write an HTML report (and Markdown) with tables and plots of a results folder.

    SOURCE is what `zcsim simulate --out`, `zcsim compare --out` or `zcsim sweep --out` wrote, or a
    `zcsim verify --json` file; the kind is told from the files present. The report shows pass
    rates with 95% CIs, working days to result, the annual cycle, quorum failures against committee
    size, expert load, base-vs-reform differences and the verifier's findings, as the source allows.
    Experts are named by pseudonyms unless --internal (Art. 28), numbered by a keyed hash: the key
    is a random secret of this report, never written, or the agency's key (--pseudonym-key-file
    FILE or ZCSIM_PSEUDONYM_KEY) for the same pseudonyms in every report.

    \b
    zcsim simulate scenarios/quick.yaml -n 4 --out results/ --records
    zcsim report results/                      → results/report.html, results/report.md
    zcsim verify --json > v.json && zcsim report v.json --out public/verify.html
    """
    from zcsim.report import pseudonym_key, write_report

    if internal and key_file is not None:
        raise InputError("is not used with --internal (an internal report keeps the real identifiers)",
                         source="--pseudonym-key-file")
    if title is not None:
        try:
            title.encode("utf-8")
        except UnicodeEncodeError:  # bytes the terminal's encoding could not decode
            raise InputError("is not UTF-8 text (was it typed in another encoding?); give the title in UTF-8",
                             source="--title") from None
    key = None if internal else pseudonym_key(key_file)
    path = write_report(source, out, internal=internal, title=title,
                        formats=("md",) if markdown_only else ("html", "md"), pseudonym_key=key)
    announce(path)
