"""Drawing one applicant's conflict neighbourhood (Art. 29) with matplotlib (the ``plot`` extra)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import networkx as nx

from zcsim.conflicts._find import ConflictReport, _as_date
from zcsim.conflicts._graph import SYMMETRIC_TYPES
from zcsim.errors import InputError, ZcsimError

__all__ = ["PlotUnavailableError", "plot_neighbourhood"]

_MAX_CONTEXT = 24

_COLOURS = {
    "applicant": "#1f77b4",
    "conflicted": "#d62728",
    "expert": "#ff9f1c",
    "person": "#b0b0b0",
    "organisation": "#2ca02c",
}


class PlotUnavailableError(ZcsimError, ImportError):
    """Plotting needs matplotlib, an optional extra: ``pip install 'zcsim[plot]'``."""


def _figure_class() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is installed in the test environment
        raise PlotUnavailableError(
            "plotting needs matplotlib, which is not installed: pip install 'zcsim[plot]'") from exc
    return Figure


def plot_neighbourhood(
    graph: nx.MultiDiGraph,
    report: ConflictReport,
    applicant: str,
    *,
    date: dt.date | str,
    ax: Any = None,
) -> Any:
    """Draw an applicant's conflict neighbourhood: the applicant, the conflicted experts (red),
    the relatives, experts and organisations on the explanation paths and next to the
    applicant, and every relation between them labelled with its type (those not in force on
    ``date`` dashed, those not on an explanation path grey).

    Uses :class:`matplotlib.figure.Figure` directly (no pyplot, so no interactive backend).

    Parameters
    ----------
    graph : networkx.MultiDiGraph
    report : ConflictReport
        From :func:`find_conflicts` on the same graph.
    applicant : str
    date : datetime.date or str
        The review date (shown in the title; relations not current then are dashed).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when absent.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    PlotUnavailableError
        matplotlib is not installed.
    InputError
        ``applicant`` is not an applicant of the graph.

    Examples
    --------
    >>> from zcsim.conflicts import build_graph, find_conflicts
    >>> g = build_graph(["E5"], ["A3"], [("E5", "R1", "parent_of"), ("R1", "A3", "parent_of")])
    >>> fig = plot_neighbourhood(g, find_conflicts(g, "2025-11-14"), "A3", date="2025-11-14")
    >>> type(fig).__name__
    'Figure'
    """
    figure_cls = _figure_class()
    day = _as_date(date)
    if applicant not in graph or not graph.nodes[applicant].get("applicant"):
        raise InputError(f"{applicant!r} is not an applicant of the relationship graph", location="applicant")
    pairs = report.for_applicant(applicant)
    conflicted = {p.expert for p in pairs}
    # Nodes: the applicant, everything on the explanation paths, and the applicant's own
    # neighbours (parents, spouse, employer …) for context.
    nodes: list[str] = [applicant]
    for p in pairs:
        for n in p.path[::2]:
            if n not in nodes:
                nodes.append(n)
    context = sorted(set(graph.succ[applicant]) | set(graph.pred[applicant]), key=str)
    for n in context[:_MAX_CONTEXT]:
        if n not in nodes:
            nodes.append(n)
    keep = set(nodes)
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from((u, v) for u in nodes for v in graph.succ[u] if v in keep and v != u)
    pos = {n: (float(x), float(y)) for n, (x, y) in nx.spring_layout(
        simple, seed=0, pos={applicant: (0.0, 0.0)}, fixed=[applicant], k=1.0, iterations=200).items()}
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    pad = 0.35 * max(1.0, max(xs) - min(xs), max(ys) - min(ys)) / 2 + 0.3

    if ax is None:
        fig = figure_cls(figsize=(8.5, 8.0), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.set_aspect("equal")
    ax.axis("off")

    # Edges: every relation of the graph between two drawn nodes, one label per node pair.
    labels: dict[tuple[str, str], list[tuple[str, bool]]] = {}
    for u in nodes:
        for v, keyed in graph.succ[u].items():
            if v not in keep or v == u:
                continue
            for d in keyed.values():
                s, e = d.get("since"), d.get("until")
                current = (s is None or s <= day) and (e is None or e >= day)
                labels.setdefault((u, v), []).append((d["type"], current))
    for (u, v), types in labels.items():
        (x0, y0), (x1, y1) = pos[u], pos[v]
        on_path = any(u in p.path and v in p.path for p in pairs)
        all_current = all(c for _, c in types)
        bend = 0.2 if (v, u) in labels else 0.0
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "-" if all(t in SYMMETRIC_TYPES for t, _ in types) else "-|>",
                                "shrinkA": 14, "shrinkB": 14,
                                "connectionstyle": f"arc3,rad={bend}",
                                "color": "#444444" if on_path else "#bbbbbb",
                                "linewidth": 1.6 if on_path else 0.8,
                                "linestyle": "-" if all_current else "--"})
        text = ", ".join(t + ("" if c else " (not current)") for t, c in types)
        mx, my = (x0 + x1) / 2 + bend * (y1 - y0) / 2, (y0 + y1) / 2 - bend * (x1 - x0) / 2
        ax.text(mx, my, text, fontsize=7, ha="center", va="center",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})

    for n in nodes:
        d = graph.nodes[n]
        if n == applicant:
            colour, shape = _COLOURS["applicant"], "o"
        elif n in conflicted:
            colour, shape = _COLOURS["conflicted"], "o"
        elif d.get("kind") == "organisation":
            colour, shape = _COLOURS["organisation"], "s"
        elif d.get("expert"):
            colour, shape = _COLOURS["expert"], "o"
        else:
            colour, shape = _COLOURS["person"], "o"
        x, y = pos[n]
        ax.scatter([x], [y], s=520, c=colour, marker=shape, edgecolors="black", linewidths=0.8, zorder=3)
        ax.text(x, y, n, fontsize=8 if len(n) <= 4 else 6, ha="center", va="center", zorder=4,
                color="white" if colour in (_COLOURS["applicant"], _COLOURS["conflicted"]) else "black")

    legend = [("applicant", _COLOURS["applicant"], "o"), ("conflicted expert", _COLOURS["conflicted"], "o"),
              ("other expert", _COLOURS["expert"], "o"), ("relative", _COLOURS["person"], "o"),
              ("organisation", _COLOURS["organisation"], "s")]
    for label, colour, shape in legend:
        ax.scatter([], [], s=80, c=colour, marker=shape, edgecolors="black", linewidths=0.6, label=label)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    ax.set_ylim(min(ys) - pad, max(ys) + pad)
    n = len(pairs)
    kinds = ", ".join(sorted({p.detail for p in pairs})) or "none"
    ax.set_title(f"{applicant}: {n} conflicted expert{'s' if n != 1 else ''} on {day.isoformat()} "
                 f"(Art. 29 recusal)\n{kinds}", fontsize=9)
    return fig
