"""A report as data (sections of paragraphs, figures and tables) and its HTML and Markdown forms.

The HTML is one self-contained file: inline CSS, figures as base64 PNG, no network resource.
The Markdown sits beside a folder of the same PNG files.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

__all__ = ["Document", "Figure", "Section", "TableBlock", "render_html", "render_markdown"]


@dataclass
class Figure:
    """A plot: PNG bytes, a caption saying what to read from it, and alt text."""

    name: str
    png: bytes
    caption: str
    alt: str = ""


@dataclass
class TableBlock:
    """A table of text cells. ``classes`` holds one CSS class per row (e.g. a verdict), or ``""``."""

    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""
    classes: Sequence[str] = ()
    id: str = ""


@dataclass
class Section:
    """A titled section: paragraphs (plain text), then figures and tables in the order added."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[Figure | TableBlock] = field(default_factory=list)

    def say(self, text: str) -> Section:
        self.paragraphs.append(text)
        return self

    def add(self, block: Figure | TableBlock | None) -> Section:
        if block is not None:
            self.blocks.append(block)
        return self


@dataclass
class Document:
    """The whole report."""

    title: str
    kind: str
    lead: list[str]
    sections: list[Section]
    notice: str = ""

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;max-width:1060px;margin:2em auto;
padding:0 1.2em;color:#1b1f24;line-height:1.5}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2em;margin-top:2em}
.lead{font-size:1.08em}.notice{background:#fff8c5;border:1px solid #d4a72c;padding:.5em .8em;border-radius:6px}
.meta{color:#57606a;font-size:.9em}nav ol{columns:2;font-size:.95em}
figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #d0d7de;border-radius:4px}
figcaption{color:#3d444d;font-size:.93em;margin-top:.3em}
table{border-collapse:collapse;margin:1em 0;font-size:.9em;width:100%}
caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f6f8fa}
tr.proved td.v,tr.gained td.v,tr.yes td.v{background:#dafbe1}tr.refuted td.v,tr.lost td.v{background:#ffebe9}
tr.unknown td.v{background:#fff8c5}tr.figure td.v{background:#ddf4ff}
td.num{text-align:right;font-variant-numeric:tabular-nums}
"""

_HTML = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="zcsim report">
<title>$title</title>
<style>$css</style>
</head>
<body>
<header>
<h1>$title</h1>
<p class="meta">zcsim $kind report · generated $when</p>
$notice
$lead
</header>
<nav><h2>Contents</h2><ol>
$toc
</ol></nav>
<main>
$body
</main>
</body>
</html>
""")

_NUM = re.compile(r"^[\s+−\-–]*[\d.,]+(\s*(%|pp|–\s*[\d.,+−\-]+\s*(%|pp)?))?\s*\*?$")


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _table_html(t: TableBlock) -> str:
    out = [f'<table id="{_e(t.id)}">' if t.id else "<table>"]
    if t.caption:
        out.append(f"<caption>{_e(t.caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in t.headers) + "</tr></thead><tbody>")
    for i, row in enumerate(t.rows):
        cls = t.classes[i] if i < len(t.classes) else ""
        cells = []
        for j, c in enumerate(row):
            kind = "v" if cls and t.headers[j].lower() in {"verdict", "change"} else ("num" if _NUM.match(str(c)) else "")
            cells.append(f'<td class="{kind}">{_e(c)}</td>' if kind else f"<td>{_e(c)}</td>")
        out.append((f'<tr class="{_e(cls)}">' if cls else "<tr>") + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _figure_html(f: Figure) -> str:
    data = base64.b64encode(f.png).decode("ascii")
    return (f'<figure id="fig-{_e(f.name)}"><img alt="{_e(f.alt or f.caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_e(f.caption)}</figcaption></figure>")


def render_html(doc: Document) -> str:
    """The report as one self-contained HTML page."""
    toc = "\n".join(f'<li><a href="#{_e(s.id)}">{_e(s.title)}</a></li>' for s in doc.sections)
    body = []
    for s in doc.sections:
        part = [f'<section id="{_e(s.id)}">', f"<h2>{_e(s.title)}</h2>"]
        part += [f"<p>{_e(p)}</p>" for p in s.paragraphs]
        for b in s.blocks:
            part.append(_figure_html(b) if isinstance(b, Figure) else _table_html(b))
        part.append("</section>")
        body.append("\n".join(part))
    return _HTML.substitute(
        title=_e(doc.title), css=_CSS, kind=_e(doc.kind),
        when=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        notice=f'<p class="notice">{_e(doc.notice)}</p>' if doc.notice else "",
        lead="\n".join(f'<p class="lead">{_e(p)}</p>' for p in doc.lead),
        toc=toc, body="\n".join(body),
    )


def _md_cell(s: object) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: Document, figure_dir: Path, relative_to: Path) -> str:
    """The report as Markdown; writes each figure as ``figure_dir/<name>.png``."""
    figure_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"# {doc.title}", "", f"*zcsim {doc.kind} report · generated {dt.datetime.now():%Y-%m-%d %H:%M}*", ""]
    if doc.notice:
        lines += [f"> {doc.notice}", ""]
    for p in doc.lead:
        lines += [p, ""]
    lines += ["## Contents", ""] + [f"{i}. [{s.title}](#{s.id})" for i, s in enumerate(doc.sections, 1)] + [""]
    for s in doc.sections:
        lines += [f'<a id="{s.id}"></a>', "", f"## {s.title}", ""]
        for p in s.paragraphs:
            lines += [p, ""]
        for b in s.blocks:
            if isinstance(b, Figure):
                path = figure_dir / f"{b.name}.png"
                path.write_bytes(b.png)
                rel = path.relative_to(relative_to).as_posix()
                lines += [f"![{_md_cell(b.alt or b.caption)}]({rel})", "", f"*{b.caption}*", ""]
            else:
                if b.caption:
                    lines += [f"**{b.caption}**", ""]
                lines.append("| " + " | ".join(_md_cell(h) for h in b.headers) + " |")
                lines.append("|" + "|".join(" --- " for _ in b.headers) + "|")
                lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
                lines.append("")
    return "\n".join(lines)
