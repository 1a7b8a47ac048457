"""The sections of each kind of report, built from loaded data (no file is written here)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zcsim.report import _plots as P
from zcsim.report._anon import Pseudonyms
from zcsim.report._doc import Document, Figure, Section, TableBlock
from zcsim.report._load import CompareData, RunData, SweepData, VerifyData, finite

__all__ = [
    "LABELS",
    "build_compare",
    "build_run",
    "build_sweep",
    "build_verify",
    "collect_ids",
    "quorum_failure_probability",
]

LABELS: dict[str, str] = {
    "applicants": "Applicants per year",
    "pass_rate": "Pass rate (of applicants)",
    "mean_working_days": "Working days, application → result (mean)",
    "p95_working_days": "Working days, application → result (95th pct)",
    "quorum_failure_rate": "Sittings failing quorum (Art. 22)",
    "recusals_per_meeting": "Recusals per meeting (Art. 29)",
    "expert_load_mean": "Applicants reviewed per expert (mean)",
    "expert_load_max": "Applicants reviewed per expert (max)",
    "staff_utilisation": "Agency staff utilisation",
    "withdrawn_share": "Deemed withdrawn after correction notice (Art. 18)",
    "fraud_caught": "Frauds caught (Art. 41)",
    "fraud_caught_share": "Share of frauds caught",
    "ineligible_share": "Ineligible (Art. 3, 13, 16, 41)",
    "meetings": "Meetings held",
    "vote_pass_rate": "Pass rate (of applicants voted on, Art. 23)",
    "objection_share": "Objection in unit publicity (Art. 15)",
    "over_quota_share": "Passed but over the post quota (Art. 24)",
    "not_reviewed_share": "Not reviewed (no valid sitting)",
    "disqualified": "Disqualified for fraud before confirmation (Art. 41)",
    "revoked": "Titles revoked (Art. 41)",
    "blacklisted_blocked": "Applications blocked by the blacklist (Art. 41)",
    "correction_notice_share": "Got the single correction notice (Art. 18)",
    "complaints": "Complaints in result publicity (Art. 25)",
    "meeting_attempts": "Sittings, adjourned ones included",
    "presiding_failures": "Sittings without a chair or vice-chair (Art. 22)",
    "meetings_postponed": "Meetings postponed (panels late or filing renewal)",
    "filings_renewed": "Filings renewed (Art. 11)",
    "vetting_wait_mean": "Wait for agency vetting, working days (mean)",
    "vetting_wait_p95": "Wait for agency vetting, working days (95th pct)",
    "fraud": "Frauds committed",
    "experts_serving": "Experts serving on committees",
}
"""Plain-words names of the simulation's figures (as ``zcsim simulate`` prints them)."""


def label(m: str) -> str:
    if m.startswith("pass_rate["):
        return f"Pass rate {m[len('pass_rate['):-1]}"
    return LABELS.get(m, m.replace("_", " "))


def is_rate(m: str) -> bool:
    return m.startswith("pass_rate") or m.endswith(("_rate", "_share")) or m == "staff_utilisation"


def fmt(m: str, x: Any) -> str:
    if not finite(x):
        return "—"
    x = float(x)
    if is_rate(m):
        return f"{x:.1%}" if abs(x) >= 0.001 or x == 0 else f"{x:.3%}"
    if m in ("applicants", "meetings", "experts_serving"):
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"
    return f"{x:.3g}" if abs(x) < 10 else f"{x:,.1f}"


def fmt_diff(m: str, x: Any) -> str:
    if not finite(x):
        return "—"
    return f"{float(x) * 100:+.2f} pp" if is_rate(m) else f"{float(x):+.3g}"


def ci_text(m: str, est: Mapping[str, Any], diff: bool = False) -> str:
    lo, hi = (est.get("ci95") or [None, None])[:2]
    if (est.get("n") or 0) <= 1 or not (finite(lo) and finite(hi)):
        return "—"
    if diff:
        return f"{fmt_diff(m, lo)} – {fmt_diff(m, hi)}"
    lo = max(float(lo), 0.0)
    hi = min(float(hi), 1.0) if is_rate(m) else float(hi)
    return f"{fmt(m, lo)} – {fmt(m, hi)}"


# ------------------------------------------------------------------------------------------------
# statistics
# ------------------------------------------------------------------------------------------------
def quorum_failure_probability(size: int, no_show: float, rules: Any) -> float:
    """P(fewer than the quorum present) when each of ``size`` experts is absent independently
    with probability ``no_show``: P(Binomial(size, 1 − no_show) < quorum_required(size)) (Art. 22).

    Examples
    --------
    >>> from zcsim import load_rules
    >>> round(quorum_failure_probability(25, 0.15, load_rules()), 4)
    0.008
    """
    from zcsim.procedure.vote import quorum_required

    q = quorum_required(size, rules)
    p = 1.0 - no_show
    return float(sum(math.comb(size, k) * p**k * no_show ** (size - k) for k in range(min(q, size + 1))))


def clopper_pearson(k: int, n: int) -> tuple[float, float]:
    """Exact 95% binomial confidence interval for k successes in n trials."""
    from scipy.stats import beta

    lo = 0.0 if k == 0 else float(beta.ppf(0.025, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(0.975, k + 1, n - k))
    return lo, hi


def _metrics(run: RunData) -> dict[str, dict[str, Any]]:
    """Each figure's mean and 95% CI: from summary.json, else from the replications table."""
    m = run.summary.get("metrics") if isinstance(run.summary, dict) else None
    if isinstance(m, dict) and m:
        return m
    from zcsim.sim.runner import summarise_values

    out = {}
    for c in run.replications.columns:
        if c != "replication":
            out[c] = summarise_values(list(run.replications[c].astype(float))).as_json()
    return out


def _n_reps(run: RunData) -> int:
    return int(run.summary.get("replications") or len(run.replications) or 1)


def _expert_loads(run: RunData) -> pd.DataFrame:
    """Applicants each expert reviewed in a panel, per replication and year, from the meeting
    records (the last sitting of each committee counts; an adjourned one repeats its panels)."""
    last: dict[tuple[int, str, str], dict[str, Any]] = {}
    for rep, rec in run.records:
        com = rec.get("committee") or {}
        day = str((rec.get("meeting") or {}).get("date", ""))[:4]
        last[(rep, str(com.get("id", "")), day)] = rec
    rows: dict[tuple[int, str, str], list[Any]] = {}
    for (rep, cid, year), rec in last.items():
        for p in rec.get("panels") or []:
            n = len(p.get("applicants") or [])
            for e in p.get("experts") or []:
                r = rows.setdefault((rep, year, str(e)), [0, 0, set()])
                r[0] += n
                r[1] += 1
                r[2].add(cid)
    return pd.DataFrame([{"replication": k[0], "year": k[1], "expert": k[2], "applicants": v[0], "panels": v[1],
                          "committees": len(v[2])} for k, v in rows.items()])


# ------------------------------------------------------------------------------------------------
# simulate
# ------------------------------------------------------------------------------------------------
def _pass_rate_rows(metrics: Mapping[str, Mapping[str, Any]]) -> list[str]:
    rows = [m for m in ("pass_rate", "vote_pass_rate") if m in metrics]
    return rows + sorted(m for m in metrics if m.startswith("pass_rate["))


def _est(e: Mapping[str, Any] | None) -> tuple[float, float, float]:
    if not e:
        return (math.nan, math.nan, math.nan)
    lo, hi = (e.get("ci95") or [None, None])[:2]
    f = (lambda v: float(v) if finite(v) else math.nan)
    return f(e.get("mean")), f(lo), f(hi)


def pass_rate_section(runs: Mapping[str, RunData]) -> Section:
    sec = Section("pass-rates", "Pass rates with 95% confidence intervals")
    mets = {k: _metrics(r) for k, r in runs.items()}
    rows: list[str] = []
    for m in mets.values():
        rows += [r for r in _pass_rate_rows(m) if r not in rows]
    if not rows:
        return sec.say("The results hold no pass rate.")
    sec.say("Each dot is the mean over replications of the share of applicants who passed; the bar is the "
            "95% confidence interval of that mean (Student t over replications). 'Pass rate (of applicants)' "
            "counts every applicant, 'of applicants voted on' only those the committee voted on (Art. 23); "
            "the other rows are by series / level.")
    sec.add(Figure("pass-rates", P.pass_rates([label(r) for r in rows],
                                              {k: [_est(m.get(r)) for r in rows] for k, m in mets.items()}),
                   "Pass rate by series and level, mean over replications with its 95% CI.",
                   "Dot plot of pass rates with confidence-interval bars"))
    heads = ["Series / level"] + [h for k in mets for h in ((f"{k} pass rate", f"{k} 95% CI") if k else
                                                            ("Pass rate", "95% CI"))]
    table = [[label(r)] + [c for m in mets.values() for c in (fmt(r, _est(m.get(r))[0]), ci_text(r, m.get(r) or {}))]
             for r in rows]
    return sec.add(TableBlock(heads, table, id="pass-rate-table"))


def days_section(runs: Mapping[str, RunData]) -> Section:
    sec = Section("days", "Working days from application to result")
    series = {}
    for k, r in runs.items():
        a = r.applicants
        if not a.empty and "working_days" in a:
            series[k] = a.loc[a["working_days"] >= 0, "working_days"].to_numpy(dtype=float)
    series = {k: v for k, v in series.items() if v.size}
    if not series:
        return sec.say("No applicant table with results (applicants.csv) in the results folder.")
    sec.say("Working days (Chinese statutory calendar, adjusted weekends included) from an applicant's "
            "application to the result (confirmation or final decision), pooled over all replications. The "
            "right panel reads as: the share of applicants who had their result within x working days.")
    sec.add(Figure("days-to-result", P.days_to_result(series),
                   "Distribution and cumulative share of working days from application to result.",
                   "Histogram and ECDF of working days to result"))
    rows = [[k or "all", f"{v.size:,}", f"{np.mean(v):.1f}", f"{np.median(v):.0f}", f"{np.percentile(v, 95):.0f}",
             f"{v.max():.0f}"] for k, v in series.items()]
    return sec.add(TableBlock(["Run", "Applicants with a result", "Mean", "Median", "95th pct", "Max"], rows,
                              caption="Working days to result"))


def _working_dates(sc: Any, n: int, year_shift: int = 0) -> list[dt.date] | None:
    """Working day i → date (i = 0: the first working day on or after the plan date)."""
    try:
        from zcsim.sim.scenario import shift

        plan = shift(sc.calendar.dates()[0], year_shift)
        cal = sc.working_calendar()
        out, d = [], plan
        while len(out) < n and d < plan + dt.timedelta(days=3 * 366):
            if cal.is_working_day(d):
                out.append(d)
            d += dt.timedelta(days=1)
        return out if len(out) >= n else None
    except Exception:  # noqa: BLE001 - a calendar the report cannot read only costs the dates axis
        return None


def timeline_section(run: RunData) -> Section:
    sec = Section("timeline", "The annual cycle")
    a, mt = run.applicants, run.meetings
    if a.empty or "applied_day" not in a:
        return sec.say("No applicant table in the results folder: the timeline needs applicants.csv.")
    y0 = int(a["year"].min()) if "year" in a else 1
    a = a[a["year"] == y0] if "year" in a else a
    mt = mt[mt["year"] == y0] if not mt.empty and "year" in mt else mt
    nrep = _n_reps(run)
    res = a.loc[a["result_day"] >= 0, "result_day"] if "result_day" in a else pd.Series(dtype=float)
    mdays = mt["day"] if not mt.empty and "day" in mt else (a.loc[a.get("meeting_day", -1) >= 0, "meeting_day"]
                                                            if "meeting_day" in a else pd.Series(dtype=float))
    hi = int(max([a["applied_day"].max()] + ([res.max()] if len(res) else []) + ([mdays.max()] if len(mdays) else []))) + 2
    dates = _working_dates(run.scenario, hi + 1, y0 - 1) if run.scenario is not None else None

    def X(i: Any) -> Any:
        return dates[int(max(0, min(i, len(dates) - 1)))] if dates else float(i)

    phases: list[tuple[str, Any, Any, str]] = []
    a0, a1 = int(a["applied_day"].min()), int(a["applied_day"].max())
    phases.append(("Application window (Art. 12–16)", X(a0), X(a1),
                   f"{len(a) / nrep:,.0f} applications a year"))
    first_m = int(mdays.min()) if len(mdays) else None
    if first_m is not None:
        phases.append(("Employer vetting, unit publicity, agency vetting (Art. 15, 18)", X(a0), X(first_m - 1),
                       "≥ 5 working days of unit publicity"))
        last_m = int(mdays.max())
        n_m = len(mt) / nrep if not mt.empty else float("nan")
        phases.append(("Committee meetings: panels, vote (Art. 20–23)", X(first_m), X(last_m + 1),
                       f"{n_m:.0f} sittings a year" if finite(n_m) else ""))
        if len(res):
            phases.append(("Result publicity, confirmation (Art. 25)", X(first_m + 1), X(int(res.max())),
                           f"median result on working day {int(res.median())}"))
    events = [("plan published (Art. 12)", X(0))]
    days = np.arange(0, hi + 1)
    counts = {"applications": np.bincount(a["applied_day"].clip(lower=0).astype(int), minlength=hi + 1)[: hi + 1] / nrep}
    if len(res):
        counts["results"] = np.bincount(res.astype(int), minlength=hi + 1)[: hi + 1] / nrep
    xs = np.array([X(i) for i in days]) if dates else days
    cnt = {k: (xs, v) for k, v in counts.items()}
    where = (f"dates of {dates[0]:%Y} from the scenario's calendar ({_scenario_of(run)})" if dates
             else "working-day index from the plan date (the scenario file was not found, so no dates)")
    sec.say("When each step of the year happens, from the simulated applicants and meetings of the first "
            f"simulated year; the x axis shows {where}. The bars span the first to the last day a step "
            "happened in any replication; the lower panel counts applications and results per working day.")
    sec.add(Figure("timeline", P.timeline(phases, events, cnt, dates=bool(dates),
                                          xlabel="Date" if dates else "Working day since the plan was published"),
                   "The annual cycle: application window, vetting and publicity, meetings, result publicity.",
                   "Timeline of the annual review cycle"))
    rows = [[p[0], str(p[1]) if dates else f"day {p[1]:.0f}", str(p[2]) if dates else f"day {p[2]:.0f}", p[3]]
            for p in phases]
    return sec.add(TableBlock(["Step", "From", "To", "Note"], rows, caption="The steps of the first simulated year"))


def _observed_quorum(run: RunData) -> pd.DataFrame:
    mt = run.meetings
    if mt.empty or "size" not in mt or "quorum" not in mt:
        return pd.DataFrame()
    q = mt["quorum"].astype(str).str.lower().isin(["true", "1"])
    g = pd.DataFrame({"size": mt["size"].astype(int), "fail": ~q}).groupby("size")["fail"].agg(["sum", "count"])
    rows = []
    for size, r in g.iterrows():
        lo, hi = clopper_pearson(int(r["sum"]), int(r["count"]))
        rows.append({"size": int(size), "n": int(r["count"]), "failures": int(r["sum"]),
                     "rate": r["sum"] / r["count"], "low": lo, "high": hi})
    return pd.DataFrame(rows)


def quorum_section(runs: Mapping[str, RunData]) -> Section:
    sec = Section("quorum", "Quorum failures against committee size")
    observed = {k: _observed_quorum(r) for k, r in runs.items()}
    sizes_seen = sorted({int(s) for df in observed.values() if not df.empty for s in df["size"]})
    top = max([51] + [s + 10 for s in sizes_seen])
    sizes = np.arange(min([9] + sizes_seen), top + 1)
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    exact: dict[str, dict[int, float]] = {}
    for k, r in runs.items():
        if r.no_show is not None and r.rules is not None:
            # only sizes a committee may have: odd ones when the rule set says so (Art. 9)
            allowed = sizes[sizes % 2 == 1] if r.rules.committee_size_odd else sizes
            ps = {int(n): quorum_failure_probability(int(n), r.no_show, r.rules) for n in allowed}
            exact[k] = ps
            name = f"exact{(' — ' + k) if k else ''}: P(Binomial(n, {1 - r.no_show:g}) < quorum(n)), rules {r.rules.name}"
            if not any(name.split(":")[1] == c.split(":")[1] for c in curves):
                curves[name] = (allowed, np.array([ps[int(n)] for n in allowed]))
    if not curves and all(df.empty for df in observed.values()):
        return sec.say("No meeting table in the results folder and no scenario to take the no-show probability from.")
    sec.say("A sitting fails its quorum (Art. 22) when fewer experts are present than the quorum the rule "
            "set requires of a committee of that size. Dots: the share of simulated sittings that failed, per "
            "committee size, with an exact (Clopper–Pearson) 95% interval; n is the number of sittings. Line: "
            "the exact probability when each expert stays away independently with the scenario's no-show "
            "probability — it shows which committee sizes are safe.")
    if not curves:
        sec.say("The scenario file was not found, so the no-show probability (and the exact curve) is unknown.")
    sec.add(Figure("quorum", P.quorum_curve(curves, observed, marks=sizes_seen),
                   "Probability that a sitting fails its quorum, by committee size (Art. 22).",
                   "Quorum-failure probability against committee size"))
    from zcsim.procedure.vote import quorum_required

    show = sorted(set(sizes_seen) | {11, 13, 15, 17, 19, 21, 25, 31, 35, 41, 51})
    heads = ["Committee size"]
    for k in runs:
        suffix = f" — {k}" if k else ""
        heads.append(f"Quorum required{suffix}")
        if k in exact:
            heads.append(f"P(quorum fails), exact{suffix}")
        heads += [f"Sittings observed{suffix}", f"Failed{suffix}", f"Observed rate (95% CI){suffix}"]
    rows = []
    for n in show:
        row = [str(n)]
        for k in runs:
            row.append(str(quorum_required(n, runs[k].rules)) if runs[k].rules is not None else "—")
            if k in exact:
                row.append(f"{exact[k].get(n, quorum_failure_probability(n, runs[k].no_show, runs[k].rules)):.6g}")
            df = observed[k]
            hit = df[df["size"] == n] if not df.empty else df
            if hit.empty:
                row += ["—", "—", "—"]
            else:
                h = hit.iloc[0]
                row += [str(int(h["n"])), str(int(h["failures"])),
                        f"{h['rate']:.1%} ({h['low']:.1%} – {h['high']:.1%})"]
        rows.append(row)
    return sec.add(TableBlock(heads, rows, id="quorum-table",
                              caption="Quorum-failure probability by committee size"))


def load_section(runs: Mapping[str, RunData], names: Pseudonyms) -> Section:
    sec = Section("expert-load", "Expert load")
    loads = {k: _expert_loads(r) for k, r in runs.items() if r.records}
    loads = {k: v for k, v in loads.items() if not v.empty}
    if not loads:
        sec.say("The results hold no meeting records, so the per-expert histogram cannot be drawn (run "
                "`zcsim simulate … --records`, or use --report, which keeps them). The summary's figures:")
        rows = []
        for k, r in runs.items():
            m = _metrics(r)
            for name in ("expert_load_mean", "expert_load_max", "experts_serving"):
                if name in m:
                    rows.append([k or "all", label(name), fmt(name, m[name].get("mean")), ci_text(name, m[name])])
        return sec.add(TableBlock(["Run", "Figure", "Mean", "95% CI"], rows)) if rows else sec
    sec.say("How many applicants each expert reviewed in a panel (Art. 20–21) in a year, over all experts "
            "who served and all replications, from the meeting records. A long right tail means a few experts "
            "carry much of the work.")
    sec.add(Figure("expert-load", P.expert_load({k: v["applicants"].to_numpy(dtype=float) for k, v in loads.items()},
                                                xlabel="Applicants reviewed in panels per expert and year"),
                   "Expert load: applicants reviewed per expert and year.", "Histogram of the load per expert"))
    for k, df in loads.items():
        # ties in the pseudonyms' order, not the ids' (which anyone with the id list knows, Art. 28)
        df = df.assign(_order=[names.name(e) if names.internal else f"{int(names.name(e).split()[-1]):09d}"
                               for e in df["expert"]])
        top = df.sort_values(["applicants", "panels", "_order"], ascending=[False, False, True]).head(10)
        rows = [[names.name(r["expert"]), str(r["replication"]), str(r["year"]), str(r["applicants"]), str(r["panels"]),
                 str(r["committees"])] for _, r in top.iterrows()]
        cap = "The ten most loaded experts" + (f" — {k}" if k else "") + (
            " (pseudonyms, Art. 28)" if not names.internal else " (INTERNAL: real identifiers)")
        sec.add(TableBlock(["Expert", "Replication", "Year", "Applicants reviewed", "Panels", "Committees"], rows,
                           caption=cap, id="expert-load-table" + (f"-{k}" if k else "")))
    return sec


def figures_section(run: RunData) -> Section:
    sec = Section("all-figures", "All figures of the run")
    m = _metrics(run)
    rows = [[label(k), fmt(k, v.get("mean")), ci_text(k, v), str(v.get("n", ""))] for k, v in m.items()
            if not k.startswith("pass_rate[")]
    sec.say("Every figure the simulation reports per simulated year: the mean over replications and its "
            "95% t-interval, clipped to the figure's range.")
    return sec.add(TableBlock(["Figure", "Mean", "95% CI", "Replications"], rows, id="figures-table"))


def shown_path(value: Any, folder: Path | None = None) -> str:
    """A machine path as a report shows it: relative to the results ``folder`` when inside it, else
    only its last part — a public report does not carry the folders of the machine that made it.

    Examples
    --------
    >>> shown_path("/home/ana/runs/r1/base", Path("/home/ana/runs/r1"))
    'base'
    >>> shown_path("/home/ana/zcsim/scenarios/quick.yaml", Path("/srv/results"))
    'quick.yaml'
    >>> shown_path(None)
    '—'
    """
    if value is None or value == "":
        return "—"
    text = str(value)
    p = Path(text)
    if folder is not None:
        try:
            root = Path(folder).resolve()
            rel = (p if p.is_absolute() else Path.cwd() / p).resolve().relative_to(root)
            return rel.as_posix() or root.name or "."
        except (ValueError, OSError, RuntimeError):
            pass
    return p.name or text


def _shown_values(value: Any, folder: Path) -> str:
    """A manifest value for a report: absolute paths through :func:`shown_path` (a rule set's name
    such as ``beijing-2020+quorum_ratio=1/2`` is no path and stays as it is)."""
    if isinstance(value, str) and (value.startswith(("/", "~", "\\")) or re.match(r"[A-Za-z]:[\\/]", value)):
        return shown_path(value, folder)
    if isinstance(value, list):
        return ", ".join(_shown_values(v, folder) for v in value)
    return str(value)


def _scenario_of(run: RunData) -> str:
    return shown_path(run.manifest.get("scenario") or run.summary.get("scenario"), run.folder)


def about_section(runs: Mapping[str, RunData], names: Pseudonyms) -> Section:
    sec = Section("about", "About these results")
    for k, r in runs.items():
        man = r.manifest or r.summary
        rows = [["Scenario", shown_path(man.get("scenario"), r.folder)], ["Rule set", str(man.get("rules", "—"))],
                ["Rule-set fingerprint", str(man.get("rules_fingerprint", "—"))],
                ["Seed", str(man.get("seed", "—"))], ["Replications", str(man.get("replications", "—"))],
                ["No-show probability", f"{r.no_show:g}" if r.no_show is not None else "unknown (scenario not found)"],
                ["Meeting records", f"{len(r.records):,}"], ["Folder", Path(r.folder).resolve().name or "."]]
        vers = man.get("versions") or {}
        if vers:
            rows.append(["Versions", ", ".join(f"{a} {b}" for a, b in vers.items())])
        sec.add(TableBlock(["", k or "run"], rows, caption=f"Run {k}" if k else ""))
    sec.say(_privacy(names))
    return sec


def _privacy(names: Pseudonyms) -> str:
    if names.internal:
        return ("INTERNAL REPORT: expert identifiers are shown as they are in the data. Expert lists are not to "
                "be made public (Art. 28 of the Measures); do not publish this report.")
    if not len(names):
        return ("Expert lists are not made public (Art. 28): the source names no expert by an identifier; any "
                "pseudonyms in it ('Expert N', from a keyed hash) are shown as they are. Applicant identifiers are "
                "not shown.")
    key = ("the agency's pseudonym key, so the same experts have the same pseudonyms in every report made "
           "with it" if names.keyed else
           "a random secret drawn for this report and never written, so the id list does not give the mapping "
           "back and another report numbers the experts differently")
    return (f"Experts are named by pseudonyms ('Expert N'; {len(names)} in the source data), numbered in the "
            f"order of a keyed hash (HMAC-SHA256) of their identifiers with {key}, because expert lists are not "
            "made public (Art. 28). Applicant identifiers are not shown.")


def _brief_run(run: RunData) -> list[str]:
    m = _metrics(run)
    n = _n_reps(run)
    out = []
    if "pass_rate" in m:
        out.append(f"Over {n} simulated replication{'s' if n != 1 else ''} of scenario "
                   f"{_scenario_of(run)} under rule set "
                   f"{run.manifest.get('rules') or run.summary.get('rules', '')}, {fmt('pass_rate', m['pass_rate'].get('mean'))} "
                   f"of applicants passed (95% CI {ci_text('pass_rate', m['pass_rate'])}).")
    bits = []
    if "mean_working_days" in m:
        bits.append(f"a result came after {fmt('mean_working_days', m['mean_working_days'].get('mean'))} working days "
                    f"on average" + (f" (95th percentile {fmt('p95_working_days', m['p95_working_days'].get('mean'))})"
                                     if "p95_working_days" in m else ""))
    if "quorum_failure_rate" in m:
        bits.append(f"{fmt('quorum_failure_rate', m['quorum_failure_rate'].get('mean'))} of sittings failed their quorum")
    if "expert_load_mean" in m:
        bits.append(f"an expert reviewed {fmt('expert_load_mean', m['expert_load_mean'].get('mean'))} applicants on "
                    f"average (at most {fmt('expert_load_max', (m.get('expert_load_max') or {}).get('mean'))})")
    if bits:
        out.append("In a year, " + "; ".join(bits) + ".")
    return out


def build_run(run: RunData, names: Pseudonyms, title: str | None) -> Document:
    runs = {"": run}
    lead = [*_brief_run(run), ("Each section opens with what its plot shows; every interval is a 95% confidence "
                               "interval over independent replications.")]
    secs = [pass_rate_section(runs), days_section(runs), timeline_section(run), quorum_section(runs),
            load_section(runs, names), figures_section(run), about_section(runs, names)]
    return Document(names.text(title or f"Simulation report — {_scenario_of(run)}"),
                    "simulate", [names.text(p) for p in lead], _scrub(secs, names), _notice(names))


def _notice(names: Pseudonyms) -> str:
    return ("INTERNAL REPORT — contains expert identifiers; not for publication (Art. 28)." if names.internal else "")


def _scrub(secs: Sequence[Section], names: Pseudonyms) -> list[Section]:
    """Every text of every section through the pseudonyms (figures' labels never hold identifiers)."""
    if names.internal:
        return list(secs)
    for s in secs:
        s.title = names.text(s.title)
        s.paragraphs = [names.text(p) for p in s.paragraphs]
        for b in s.blocks:
            if isinstance(b, TableBlock):
                b.headers = [names.text(h) for h in b.headers]
                b.rows = [[names.text(c) for c in row] for row in b.rows]
                b.caption = names.text(b.caption)
            else:
                b.caption, b.alt = names.text(b.caption), names.text(b.alt)
    return list(secs)


# ------------------------------------------------------------------------------------------------
# compare
# ------------------------------------------------------------------------------------------------
def build_compare(data: CompareData, names: Pseudonyms, title: str | None) -> Document:
    cmp = data.comparison
    mets: dict[str, dict[str, Any]] = cmp.get("metrics") or {}
    sig = [m for m, r in mets.items() if r.get("significant")]
    lead = [(f"Base: {_shown_values(cmp.get('base'), data.folder)}. Reform: {_shown_values(cmp.get('reform'), data.folder)}. {cmp.get('replications')} replications each, "
             f"seed {cmp.get('seed')}, with common random numbers, so each difference is paired replication by "
             "replication.")]
    if sig:
        lead.append("Figures the reform changes (95% CI of the paired difference excludes 0): " + "; ".join(
            f"{label(m)} {fmt(m, mets[m]['base'].get('mean'))} → {fmt(m, mets[m]['reform'].get('mean'))} "
            f"({fmt_diff(m, mets[m]['difference'].get('mean'))})" for m in sig[:8]) + ("; …" if len(sig) > 8 else "") + ".")
    else:
        lead.append("No figure changes by more than chance explains (no 95% CI of a paired difference excludes 0).")
    secs = []
    f = Section("differences", "What the reform changes: paired differences")
    rate_rows, other_rows, unchanged = [], [], []
    for m, r in mets.items():
        d = r.get("difference") or {}
        mean, lo, hi = _est(d)
        if not finite(mean) or (mean == 0 and (not finite(lo) or (lo == 0 and hi == 0))):
            unchanged.append(label(m))
            continue
        if is_rate(m):
            clip = (lambda v: min(max(v * 100, -100.0), 100.0) if finite(v) else v)  # a rate moves by at most 100 pp
            rate_rows.append((label(m), mean * 100, clip(lo), clip(hi), bool(r.get("significant"))))
        else:
            b = _est(r.get("base"))[0]
            if finite(b) and b != 0:
                other_rows.append((label(m), mean / abs(b) * 100, lo / abs(b) * 100, hi / abs(b) * 100,
                                   bool(r.get("significant"))))
    f.say("Each row is the mean difference reform − base over paired replications with its 95% CI. Rates are in "
          "percentage points; other figures as a percentage of the base mean. Red rows: the interval excludes 0.")
    if rate_rows or other_rows:
        f.add(Figure("forest", P.forest([("Difference, percentage points", rate_rows),
                                         ("Difference, % of the base mean", other_rows)]),
                     "Forest plot of reform − base differences with 95% CIs.", "Forest plot of paired differences"))
    if unchanged:
        f.say("Unchanged in every replication: " + ", ".join(unchanged) + ".")
    rows, cls = [], []
    for m, r in mets.items():
        d = r.get("difference") or {}
        rows.append([label(m), fmt(m, (r.get("base") or {}).get("mean")), fmt(m, (r.get("reform") or {}).get("mean")),
                     fmt_diff(m, d.get("mean")), ci_text(m, d, diff=True), "yes" if r.get("significant") else ""])
        cls.append("yes" if r.get("significant") else "")
    f.add(TableBlock(["Figure", "Base", "Reform", "Difference", "95% CI", "Significant"], rows, classes=cls,
                     id="comparison-table"))
    secs.append(f)
    runs = {k: v for k, v in (("base", data.base), ("reform", data.reform)) if v is not None}
    if runs:
        secs += [pass_rate_section(runs), days_section(runs), quorum_section(runs), load_section(runs, names)]
        if data.base is not None:
            secs.append(timeline_section(data.base))
        secs.append(about_section(runs, names))
    else:
        secs.append(Section("about", "About these results").say(
            "Only comparison.json was given; run `zcsim compare … --out DIR` to keep both runs' tables and get "
            "the distribution, quorum and expert-load plots.").say(_privacy(names)))
    return Document(names.text(title or "Comparison report — base vs reform"), "compare",
                    [names.text(p) for p in lead], _scrub(secs, names), _notice(names))


# ------------------------------------------------------------------------------------------------
# sweep
# ------------------------------------------------------------------------------------------------
def build_sweep(data: SweepData, names: Pseudonyms, title: str | None) -> Document:
    t = data.table
    key = data.keys[0]
    other = data.keys[1] if len(data.keys) > 1 else None
    numeric = pd.api.types.is_numeric_dtype(t[key])
    panels = []
    shown = [m for m in data.metrics if not m.startswith("pass_rate[")][:12] + \
        [m for m in data.metrics if m.startswith("pass_rate[")][:4]
    for m in shown:
        mean_c, lo_c, hi_c = data.metrics[m]
        sub = t[t["metric"].astype(str) == m] if data.long else t
        lines = {}
        groups = sub.groupby(other, sort=True) if other else [("", sub)]
        for gname, g in groups:
            g = g.sort_values(key) if numeric else g
            scale = 100.0 if is_rate(m) else 1.0
            def col(c: str | None, g: pd.DataFrame = g, scale: float = scale) -> np.ndarray:
                return g[c].to_numpy(dtype=float) * scale if c else np.full(len(g), np.nan)

            top = 100.0 if is_rate(m) else np.inf  # the t-interval clipped to the figure's range
            lines[f"{other} = {gname}" if other else ""] = (g[key].to_numpy(), col(mean_c), np.clip(col(lo_c), 0, top),
                                                           np.clip(col(hi_c), 0, top))
        panels.append((label(m) + (" (%)" if is_rate(m) else ""), lines))
    sec = Section("sweep", f"Figures against {key}")
    sec.say(f"Each panel shows one figure against the varied key {key}" + (f", one line per value of {other}" if other else "")
            + "; the band is the 95% confidence interval over replications when the sweep recorded it.")
    sec.add(Figure("sweep", P.sweep_panels(key, panels, categorical=not numeric),
                   f"Each figure against {key}, with 95% CIs.", "Small multiples of the figures against the varied key"))
    show_cols = [c for c in t.columns if c in data.keys or c in shown or c in ("metric", "mean", "low", "high")]
    rows = [[fmt(c, v) if c not in data.keys and isinstance(v, (int, float)) else str(v) for c, v in r.items()]
            for _, r in t[show_cols].head(200).iterrows()]
    tab = Section("sweep-table", "The sweep's table").add(TableBlock([label(c) for c in show_cols], rows, id="sweep-table"))
    about = Section("about", "About this sweep")
    about.add(TableBlock(["", "value"], [[str(k), _shown_values(v, data.folder)[:200]] for k, v in data.manifest.items()])) if data.manifest else None
    about.say(_privacy(names))
    lead = [f"A sweep over {', '.join(data.keys)}: {len(t)} rows from {Path(data.folder).resolve().name or '.'}."]
    return Document(names.text(title or f"Sweep report — {', '.join(data.keys)}"), "sweep", lead,
                    _scrub([sec, tab, about], names), _notice(names))


# ------------------------------------------------------------------------------------------------
# verify
# ------------------------------------------------------------------------------------------------
FIGURE_COLUMNS = {"min_yes_to_pass": "fewest yes votes that pass", "min_absent_to_stop": "fewest absences that stop a meeting",
                  "min_no_to_block": "fewest no votes that block", "max_recused_passable": "most recusals that still allow a pass"}


def _findings(results: Sequence[Mapping[str, Any]], names: Pseudonyms, suffix: str = "") -> Section:
    sec = Section("findings" + suffix, "The verifier's findings" + (f" — {suffix.strip('-')}" if suffix else ""))
    sec.say("Each property is a claim about every meeting the rules allow. proved: true for every committee "
            "size and meeting; refuted: the solver found a meeting that breaks it (explained below); unknown: "
            "the solver ran out of time — never a pass.")
    rows, cls = [], []
    for r in results:
        if r.get("verdict") == "figure":
            continue
        ce = r.get("counterexample") or {}
        rows.append([r.get("id", ""), ", ".join(f"Art. {a}" for a in r.get("articles") or []), r.get("verdict", ""),
                     r.get("statement", ""), ce.get("explanation") or r.get("detail", "")])
        cls.append(str(r.get("verdict", "")))
    sec.add(TableBlock(["Property", "Articles", "Verdict", "Claim", "Why / counterexample"], rows, classes=cls,
                       id="findings-table" + suffix))
    for r in results:
        ce = r.get("counterexample") or {}
        if ce:
            nums = {k: v for k, v in ce.items() if k not in ("explanation", "record") and not isinstance(v, (dict, list))}
            sec.add(TableBlock(list(nums), [[str(v) for v in nums.values()]],
                               caption=f"Counterexample to {r.get('id')}: {ce.get('explanation', '')}"))
        w = r.get("witness") or {}
        if isinstance(w.get("panels"), list):
            prow = [[str(p.get("panel", i + 1)), ", ".join(names.name(e) for e in p.get("experts") or []),
                     str(len(p.get("applicants") or []))] for i, p in enumerate(w["panels"])]
            cap = (f"{r.get('id')}: the assignment that shows it — committee of {len(w.get('committee') or [])} experts "
                   + ("(pseudonyms, Art. 28)" if not names.internal else "(INTERNAL: real identifiers)"))
            sec.add(TableBlock(["Panel", "Experts", "Applicants"], prow, caption=cap))
    return sec


def _figure_tables(results: Sequence[Mapping[str, Any]], suffix: str = "") -> list[Section]:
    out = []
    for r in results:
        tab = r.get("table")
        if not tab:
            continue
        sec = Section(f"figures-{r.get('id', '').replace('.', '-')}{suffix}", f"Figures per committee size: {r.get('id')}"
                      + (f" — {suffix.strip('-')}" if suffix else ""))
        sec.say(f"{r.get('detail', '')}. From the solver, for each allowed committee size: "
                + "; ".join(f"{k.replace('_', ' ')} = {v}" for k, v in FIGURE_COLUMNS.items() if k in tab[0]) + ".")
        cols = {k: v for k, v in FIGURE_COLUMNS.items() if k in tab[0]}
        if cols:
            sec.add(Figure(f"verify-figures{suffix}", P.verify_figures(tab, cols),
                           "What it takes to pass, stop or block a meeting, by committee size.",
                           "Lines of vote thresholds by committee size"))
        heads = list(tab[0])
        sec.add(TableBlock([h.replace("_", " ") for h in heads], [["—" if row.get(h) is None else str(row.get(h))
                                                                  for h in heads] for row in tab],
                           id="verify-figures-table" + suffix))
        out.append(sec)
    return out


def build_verify(data: VerifyData, names: Pseudonyms, title: str | None) -> Document:
    secs: list[Section] = []
    if data.change is not None:
        ch = data.change
        s = Section("change", f"Rule change: {ch.get('proposed')} against {ch.get('baseline')}")
        diff = ch.get("rule_diff") or {}
        if diff:
            s.add(TableBlock(["Rule", "Baseline", "Proposal"], [[k, str(v[0]), str(v[1])] for k, v in diff.items()],
                             caption="Rules changed"))
        verdicts = [c for c in ch.get("changes") or [] if c.get("kind") != "figure"]
        s.say("A guarantee is lost when the baseline proves it and the proposal does not (the proposal's "
              "counterexample says why), gained the other way round.")
        if verdicts:
            s.add(TableBlock(["Property", "Articles", "Change", "Baseline", "Proposal", "What it means"],
                             [[c.get("id", ""), ", ".join(f"Art. {a}" for a in c.get("articles") or []), c.get("kind", ""),
                               str(c.get("before", "")), str(c.get("after", "")),
                               ((c.get("counterexample") or {}).get("explanation") or c.get("detail") or c.get("statement", ""))]
                              for c in verdicts], classes=[str(c.get("kind", "")) for c in verdicts], id="change-table"))
        else:
            s.say("No property changes its verdict.")
        if ch.get("kept"):
            s.say("Guarantees kept: " + ", ".join(ch["kept"]) + ".")
        figs = [c for c in ch.get("changes") or [] if c.get("kind") == "figure"]
        if figs:
            s.add(TableBlock(["Figure", "Baseline", "Proposal"], [[c["id"], str(c["before"]), str(c["after"])] for c in figs[:200]],
                             caption=f"Figures that move ({len(figs)})"))
        secs.append(s)
        secs.append(_findings(ch.get("proposed_results") or [], names, "-proposal"))
        secs += _figure_tables(ch.get("proposed_results") or [], "-proposal")
        secs.append(_findings(ch.get("baseline_results") or [], names, "-baseline"))
        secs += _figure_tables(ch.get("baseline_results") or [], "-baseline")
        lost = [c for c in ch.get("changes") or [] if c.get("kind") == "lost"]
        lead = [f"The proposal {ch.get('proposed')} " + (f"loses {len(lost)} guarantee(s) of the baseline "
                                                         f"{ch.get('baseline')}: " + ", ".join(c['id'] for c in lost) + "."
                                                         if lost else f"keeps every guarantee of {ch.get('baseline')}.")]
    else:
        secs.append(_findings(data.results, names))
        secs += _figure_tables(data.results)
        counts = Counter(r.get("verdict") for r in data.results if r.get("verdict") != "figure")
        lead = ["Verdicts: " + ", ".join(f"{n} {v}" for v, n in counts.items()) + "." +
                (" Refuted properties come with the smallest meeting that breaks them." if counts.get("refuted") else "")]
    about = Section("about", "About this verification").say(f"Source: {Path(data.source).name}. Records of the counterexample "
                                                            "meetings are in the JSON (zcsim audit reads them).")
    secs.append(about.say(_privacy(names)))
    return Document(names.text(title or "Verification report"), "verify", [names.text(p) for p in lead],
                    _scrub(secs, names), _notice(names))


def collect_ids(data: RunData | CompareData | SweepData | VerifyData) -> set[str]:
    """Every expert id or name in the source data (for the pseudonyms)."""
    from zcsim.report._anon import expert_ids_in

    if isinstance(data, VerifyData):
        return expert_ids_in(data.change if data.change is not None else data.results)
    runs = [data] if isinstance(data, RunData) else [r for r in (getattr(data, "base", None), getattr(data, "reform", None)) if r]
    out: set[str] = set()
    for r in runs:
        out |= expert_ids_in([rec for _, rec in r.records])
    return out

