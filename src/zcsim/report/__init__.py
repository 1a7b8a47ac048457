"""Reports: one self-contained HTML page (and Markdown beside it) with the tables and plots that
answer a run's question — from a ``zcsim simulate --out`` results folder, a ``zcsim compare --out``
folder, a ``zcsim sweep --out`` folder or a ``zcsim verify --json`` file.

Plots need matplotlib (the ``plot`` extra), imported only when a report is written. Reports never
name experts (Art. 28: expert lists are not made public): every expert id or name in the source
data becomes a pseudonym ("Expert 7") unless ``internal=True``, numbered by a keyed hash
(HMAC-SHA256) whose key is a random secret of that report, never written, or the agency's key
(``pseudonym_key=``, see :func:`pseudonym_key`) for the same pseudonyms in every report.

Examples
--------
>>> import pathlib, tempfile
>>> from zcsim.report import write_report
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "v.json").write_text('[{"id": "p", "verdict": "proved", "articles": [22], '
...                                    '"statement": "a claim", "detail": ""}]')
>>> write_report(folder / "v.json").name
'v-report.html'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from zcsim.errors import InputError
from zcsim.report._anon import Pseudonyms, expert_ids_in, pseudonym_key
from zcsim.report._build import collect_ids, quorum_failure_probability
from zcsim.report._doc import Document, render_html, render_markdown
from zcsim.report._load import EXPECTED, CompareData, RunData, SweepData, VerifyData, load_source
from zcsim.report._plots import MissingExtraError

__all__ = [
    "FORMATS",
    "MissingExtraError",
    "Pseudonyms",
    "build_document",
    "expert_ids_in",
    "pseudonym_key",
    "quorum_failure_probability",
    "report_kind",
    "write_report",
]

FORMATS = ("html", "md")


def report_kind(source: str | Path) -> str:
    """What ``source`` is: ``"simulate"``, ``"compare"``, ``"sweep"`` or ``"verify"``.

    Raises
    ------
    InputError
        When ``source`` holds nothing a report can be made from.
    """
    return _kind(load_source(source))


def _kind(data: object) -> str:
    return {RunData: "simulate", CompareData: "compare", SweepData: "sweep", VerifyData: "verify"}[type(data)]


def build_document(source: str | Path, *, internal: bool = False, title: str | None = None,
                   pseudonym_key: bytes | None = None) -> Document:
    """Read ``source`` and build the report's sections (figures drawn, nothing written); experts
    are pseudonymised with ``pseudonym_key`` (default: a secret of this report, Art. 28)."""
    from zcsim.report import _build as B

    data = load_source(source)
    names = Pseudonyms(collect_ids(data), internal=internal, key=pseudonym_key)
    if isinstance(data, RunData):
        return B.build_run(data, names, title)
    if isinstance(data, CompareData):
        return B.build_compare(data, names, title)
    if isinstance(data, SweepData):
        return B.build_sweep(data, names, title)
    return B.build_verify(data, names, title)


def _default_out(source: Path) -> Path:
    if source.is_dir():
        return source / "report.html"
    return source.with_name(f"{source.stem}-report.html")


def write_report(source: str | Path, out: str | Path | None = None, *, internal: bool = False,
                 title: str | None = None, formats: Sequence[str] = FORMATS,
                 pseudonym_key: bytes | None = None) -> Path:
    """Write the HTML report (and ``report.md`` with its PNG figures beside it) of ``source``.

    Parameters
    ----------
    source : str or Path
        A results folder (``zcsim simulate --out``, ``zcsim compare --out``, ``zcsim sweep --out``)
        or a ``zcsim verify --json`` file; the kind is told from the files present.
    out : str or Path, optional
        The HTML file to write (an existing folder: ``report.html`` inside it). The Markdown
        goes next to it with the suffix ``.md``, its figures into ``<stem>_files/``.
        Default: ``<source>/report.html`` for a folder, ``<stem>-report.html`` beside a file.
    internal : bool
        Keep the experts' real identifiers (an internal report; Art. 28 forbids publishing it).
        By default every expert id or name becomes a pseudonym such as "Expert 3".
    title : str, optional
        The report's title (default: from the source).
    formats : sequence of {"html", "md"}
        What to write; ``("md",)`` writes only the Markdown and its PNG files.
    pseudonym_key : bytes, optional
        The agency's key (at least 16 bytes; :func:`pseudonym_key` reads a key file or
        ``ZCSIM_PSEUDONYM_KEY``): the pseudonyms are then the same in every report of the same
        experts. Default: a random secret drawn for this report and never written, so the
        pseudonyms cannot be traced back from the id list, nor matched between reports.

    Returns
    -------
    Path
        The HTML file written (the Markdown file when only Markdown is written).

    Raises
    ------
    InputError
        ``source`` missing or not recognisable (the message says what was expected), or ``out``
        not writable.
    MissingExtraError
        matplotlib (the ``plot`` extra) is not installed.

    Examples
    --------
    >>> from zcsim.report import write_report
    >>> write_report("results/")                                  # doctest: +SKIP
    PosixPath('results/report.html')
    >>> write_report("v.json", "public/verify.html")              # doctest: +SKIP
    PosixPath('public/verify.html')
    """
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(f"unknown report format {bad[0] if bad else '(none)'}; expected html and/or md", location="formats")
    src = Path(source)
    doc = build_document(src, internal=internal, title=title, pseudonym_key=pseudonym_key)
    html_path = Path(out) if out is not None else _default_out(src)
    if html_path.is_dir():
        html_path = html_path / "report.html"
    if html_path.suffix.lower() not in (".html", ".htm"):
        html_path = html_path.with_suffix(".html") if html_path.suffix.lower() == ".md" else html_path.with_name(html_path.name + ".html")
    md_path = html_path.with_suffix(".md")
    try:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        if "html" in formats:
            html_path.write_text(render_html(doc), encoding="utf-8")
        if "md" in formats:
            text = render_markdown(doc, md_path.parent / f"{md_path.stem}_files", md_path.parent)
            md_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror or exc}", source=str(exc.filename or html_path)) from None
    return html_path if "html" in formats else md_path


_ = EXPECTED
