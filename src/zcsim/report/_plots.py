"""The report's plots, drawn with matplotlib's object API on an Agg canvas (no pyplot, no
global backend switch) and returned as PNG bytes. matplotlib is imported only here, lazily."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from zcsim.errors import ZcsimError

__all__ = [
    "MissingExtraError",
    "days_to_result",
    "expert_load",
    "forest",
    "new_figure",
    "pass_rates",
    "png",
    "quorum_curve",
    "sweep_panels",
    "timeline",
    "verify_figures",
]

COLORS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#57606a")
DPI = 110


class MissingExtraError(ZcsimError, ImportError):
    """An optional dependency (a pip extra) is not installed."""


def _mpl() -> tuple[Any, Any]:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtraError("reports need matplotlib, the 'plot' extra: pip install 'zcsim[plot]'") from None
    return Figure, FigureCanvasAgg


def new_figure(width: float = 8.0, height: float = 4.0, **kw: Any) -> Any:
    Figure, FigureCanvasAgg = _mpl()
    fig = Figure(figsize=(width, height), layout="constrained", **kw)
    FigureCanvasAgg(fig)
    return fig


def png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": "zcsim report (matplotlib)"})
    return buf.getvalue()


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, axis="x", alpha=0.3)


def pass_rates(rows: Sequence[str], series: Mapping[str, Sequence[tuple[float, float, float]]],
               *, xlabel: str = "Pass rate (share of applicants)") -> bytes:
    """Horizontal dots with 95% CI bars, one row per group, one colour per run."""
    fig = new_figure(8.0, 0.8 + 0.42 * len(rows) * max(1, len(series)) ** 0.5)
    ax = fig.add_subplot()
    k = len(series)
    y = np.arange(len(rows))
    for i, (name, vals) in enumerate(series.items()):
        m = np.array([v[0] for v in vals], dtype=float)
        lo = np.array([v[1] for v in vals], dtype=float)
        hi = np.array([v[2] for v in vals], dtype=float)
        err = np.vstack([np.clip(m - np.where(np.isfinite(lo), lo, m), 0, None),
                         np.clip(np.where(np.isfinite(hi), hi, m) - m, 0, None)])
        off = (i - (k - 1) / 2) * 0.25
        ax.errorbar(m * 100, y + off, xerr=err * 100, fmt="o", capsize=4, color=COLORS[i % len(COLORS)], label=name)
        for xi, yi in zip(m * 100, y + off):
            if np.isfinite(xi):
                ax.annotate(f"{xi:.1f}%", (xi, yi), textcoords="offset points", xytext=(0, 6), ha="center",
                            fontsize=8, color=COLORS[i % len(COLORS)])
    ax.set_yticks(y, rows)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel + " — %, with 95% confidence interval")
    ax.set_xlim(0, 100)
    _style(ax)
    if k > 1:
        ax.legend(loc="lower right", fontsize=8)
    return png(fig)


def days_to_result(series: Mapping[str, np.ndarray]) -> bytes:
    """Histogram (left) and empirical CDF (right) of working days from application to result."""
    fig = new_figure(9.0, 3.6)
    a, b = fig.subplots(1, 2)
    allv = np.concatenate([v for v in series.values() if v.size]) if any(v.size for v in series.values()) else np.zeros(1)
    bins = np.arange(int(allv.min()), int(allv.max()) + 2, max(1, int((allv.max() - allv.min()) // 40) or 1))
    for i, (name, v) in enumerate(series.items()):
        c = COLORS[i % len(COLORS)]
        if not v.size:
            continue
        a.hist(v, bins=bins, alpha=0.55 if len(series) > 1 else 0.85, color=c, label=name)
        s = np.sort(v)
        b.step(s, np.arange(1, s.size + 1) / s.size, where="post", color=c, label=name)
        for q, ls in ((np.mean(v), "--"), (np.percentile(v, 95), ":")):
            a.axvline(q, color=c, ls=ls, lw=1)
    a.set_xlabel("Working days, application → result")
    a.set_ylabel("Applicants (all replications)")
    a.set_title("Distribution (dashed: mean, dotted: 95th percentile)", fontsize=9)
    b.set_xlabel("Working days, application → result")
    b.set_ylabel("Share with a result by then")
    b.set_title("Cumulative share (ECDF)", fontsize=9)
    b.set_ylim(0, 1.02)
    for ax in (a, b):
        _style(ax)
    if len(series) > 1:
        b.legend(fontsize=8, loc="lower right")
    return png(fig)


def timeline(phases: Sequence[tuple[str, Any, Any, str]], events: Sequence[tuple[str, Any]],
             counts: Mapping[str, tuple[np.ndarray, np.ndarray]], *, dates: bool, xlabel: str) -> bytes:
    """The annual cycle: phases as bars (top) and daily applications / results (bottom)."""
    fig = new_figure(9.5, 5.2)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.3, 1])
    for i, (label, start, end, note) in enumerate(phases):
        c = COLORS[i % len(COLORS)]
        if dates:
            import matplotlib.dates as mdates

            s, e = mdates.date2num(start), mdates.date2num(end)
        else:
            s, e = float(start), float(end)
        top.barh(i, max(e - s, 0.8), left=s, color=c, alpha=0.8, height=0.6)
        top.annotate(note, (e, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    top.set_yticks(range(len(phases)), [textwrap.fill(p[0], 28) for p in phases], fontsize=8)
    top.invert_yaxis()
    for label, x in events:
        top.axvline(x, color="#57606a", lw=0.8, ls=":")
        top.annotate(label, (x, -0.6), fontsize=7, rotation=0, color="#57606a", ha="left")
    _style(top)
    for i, (label, (x, y)) in enumerate(counts.items()):
        bottom.bar(x, y, width=1.0, color=COLORS[i % len(COLORS)], alpha=0.75, label=label)
    bottom.set_ylabel("Per day (mean over replications)")
    bottom.set_xlabel(xlabel)
    bottom.legend(fontsize=8, loc="upper left")
    _style(bottom)
    if dates:
        import matplotlib.dates as mdates

        bottom.xaxis.set_major_locator(mdates.MonthLocator())
        bottom.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
    return png(fig)


def quorum_curve(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], observed: Mapping[str, Any],
                 *, marks: Sequence[int] = ()) -> bytes:
    """Quorum-failure probability against committee size: exact curve and observed rates with CIs."""
    fig = new_figure(8.5, 4.0)
    ax = fig.add_subplot()
    for i, (label, (x, p)) in enumerate(curves.items()):
        ax.plot(x, p * 100, "-", color=COLORS[i % len(COLORS)], alpha=0.6, lw=1.5, marker=".", ms=4, label=label)
    for i, (name, df) in enumerate(observed.items()):
        if df is None or df.empty:
            continue
        err = np.vstack([(df["rate"] - df["low"]).clip(lower=0), (df["high"] - df["rate"]).clip(lower=0)]) * 100
        ax.errorbar(df["size"] + 0.15 * i, df["rate"] * 100, yerr=err, fmt="o", capsize=4,
                    color=COLORS[i % len(COLORS)], label=f"observed{(' — ' + name) if name else ''} (95% CI)")
        for _, r in df.iterrows():
            ax.annotate(f"n={int(r['n'])}", (r["size"], r["rate"] * 100), xytext=(5, 4), textcoords="offset points",
                        fontsize=7, color=COLORS[i % len(COLORS)])
    for m in marks:
        ax.axvline(m, color="#d0d7de", lw=0.8)
    ax.set_xlabel("Committee size (experts)")
    ax.set_ylabel("Meetings failing quorum (Art. 22), %")
    ax.set_ylim(bottom=0)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=8, loc="upper right")
    _style(ax)
    return png(fig)


def expert_load(series: Mapping[str, np.ndarray], *, xlabel: str) -> bytes:
    """Histogram of the load per expert."""
    fig = new_figure(8.0, 3.6)
    ax = fig.add_subplot()
    allv = np.concatenate([v for v in series.values() if v.size])
    bins = min(40, max(5, len(np.unique(allv))))
    for i, (name, v) in enumerate(series.items()):
        c = COLORS[i % len(COLORS)]
        ax.hist(v, bins=bins, range=(allv.min(), allv.max() + 1), alpha=0.55 if len(series) > 1 else 0.85,
                color=c, label=f"{name} (mean {v.mean():.1f}, max {v.max():.0f})" if name else None)
        ax.axvline(v.mean(), color=c, ls="--", lw=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Experts (all replications)")
    if any(series):
        ax.legend(fontsize=8)
    _style(ax)
    return png(fig)


def forest(panels: Sequence[tuple[str, Sequence[tuple[str, float, float, float, bool]]]]) -> bytes:
    """Paired differences (reform − base) with 95% CIs, one panel per unit."""
    panels = [p for p in panels if p[1]]
    n = sum(len(r) for _, r in panels)
    fig = new_figure(8.5, 1.2 + 0.32 * n + 0.6 * len(panels))
    axes = fig.subplots(len(panels), 1, height_ratios=[max(1, len(r)) for _, r in panels], squeeze=False)[:, 0]
    for ax, (unit, rows) in zip(axes, panels):
        y = np.arange(len(rows))
        m = np.array([r[1] for r in rows])
        lo = np.array([r[2] if np.isfinite(r[2]) else r[1] for r in rows])
        hi = np.array([r[3] if np.isfinite(r[3]) else r[1] for r in rows])
        colors = [COLORS[1] if r[4] else "#57606a" for r in rows]
        ax.hlines(y, lo, hi, color=colors, lw=2)
        ax.scatter(m, y, color=colors, zorder=3)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, [r[0] for r in rows], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(unit)
        _style(ax)
    axes[0].set_title("Reform − base, paired over replications (red: 95% CI excludes 0)", fontsize=9)
    return png(fig)


def sweep_panels(key: str, panels: Sequence[tuple[str, Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]]],
                 *, categorical: bool) -> bytes:
    """Each metric against the varied key, a line per value of a second key, with 95% CI bands."""
    k = len(panels)
    cols = 2 if k > 1 else 1
    rows = (k + cols - 1) // cols
    fig = new_figure(9.0, 2.8 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    for ax, (label, lines) in zip(axes, panels):
        for i, (name, (x, m, lo, hi)) in enumerate(lines.items()):
            c = COLORS[i % len(COLORS)]
            xs = np.arange(len(x)) if categorical else x
            ax.plot(xs, m, "-o", color=c, ms=4, label=name or None)
            if np.isfinite(lo).any() and np.isfinite(hi).any():
                ax.fill_between(xs, lo, hi, color=c, alpha=0.2, lw=0)
            if categorical:
                ax.set_xticks(xs, [str(v) for v in x], fontsize=8)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel(key, fontsize=8)
        if len(lines) > 1:
            ax.legend(fontsize=7)
        _style(ax)
    for ax in axes[k:]:
        ax.set_visible(False)
    return png(fig)


def verify_figures(table: Sequence[Mapping[str, Any]], columns: Mapping[str, str]) -> bytes:
    """The verifier's figures per committee size, as lines."""
    fig = new_figure(8.5, 3.8)
    ax = fig.add_subplot()
    sizes = np.array([r["size"] for r in table])
    for i, (col, label) in enumerate(columns.items()):
        vals = np.array([np.nan if r.get(col) is None else float(r[col]) for r in table])
        if np.isfinite(vals).any():
            ax.plot(sizes, vals, "-o", ms=3, color=COLORS[i % len(COLORS)], label=label)
    ax.set_xlabel("Committee size (experts)")
    ax.set_ylabel("Experts")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=8)
    _style(ax)
    return png(fig)
