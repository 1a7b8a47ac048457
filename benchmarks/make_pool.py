"""Generate a Beijing-scale expert pool, applicant list and relationship file for
``zcsim conflicts`` (not a benchmark; ``bench_conflicts.py`` uses it).

    python benchmarks/make_pool.py OUTDIR [--experts 30000] [--applicants 100000] [--orgs 5000] [--seed 0]

Writes ``experts.csv``, ``applicants.csv`` and ``relations.csv`` (≈ 1,000,000 relations at the
default size; every count scales with experts + applicants). Everything comes from
``numpy.random.default_rng(seed)``, so a seed gives the same files byte for byte.

What is in it:

- **organisations** (default 5,000) with lognormal(0, 1.0) weights, so sizes are skewed: most
  have a dozen or two of the people, the largest several hundred; everyone's ``employer`` is drawn
  from these weights;
- **families** of three generations: grandparent couples (G0) with 1 + Poisson(1.2) children
  (G1); G1 people marry each other across families (80 %) or an outsider (15 %); each G1
  couple has Poisson(1.4) children (G2); 30 % of G2 marry an outsider. Experts sit in G0 (20 %) and
  G1 (80 %), applicants in G1 (30 %) and G2 (70 %); every other slot is a relative (``R…``).
  Marriages have years, 8 % ended in divorce. In 8 % of families the grandparents' ``parent_of``
  rows are missing and their children are tied by explicit ``sibling`` rows instead; 3 % of the
  other ``parent_of`` rows are missing;
- **jobs**: a past job for 40 % of experts and applicants, a future one for 2 %, a concurrent
  current appointment for 3 %, a job for 20 % of relatives;
- **co-authorships** (≈ 285,000; 40 % with someone of the same employer; a year, a range of
  years, or 10 % undated), **project partnerships** (≈ 100,000, 2-5 year ranges),
  **supervisions** (≈ 40,000, mostly expert → applicant) and **recommendations** (≈ 30,000,
  expert → applicant, 2025);
- a little **dirty data**, as real exports have: duplicate rows, self-relations and parent_of
  cycles (a few dozen rows), which ``zcsim conflicts`` reports as warnings.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

SPECIALTIES = ("electrical", "mechanical", "civil", "chemical", "computing", "materials")


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def new(self) -> str:
        self.n += 1
        return f"R{self.n:06d}"


def make_pool(outdir: str | Path, *, experts: int = 30_000, applicants: int = 100_000, orgs: int = 5_000,
              seed: int = 0) -> dict[str, int]:
    """Write the three CSV files into ``outdir``; return row counts by relation type."""
    rng = np.random.default_rng(seed)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    scale = (experts + applicants) / 130_000
    ex_ids = [f"E{i:05d}" for i in range(1, experts + 1)]
    ap_ids = [f"A{i:06d}" for i in range(1, applicants + 1)]
    org_ids = [f"ORG{i:04d}" for i in range(1, orgs + 1)]
    people = ex_ids + ap_ids
    n_people = len(people)

    # --- organisations and employers --------------------------------------------------------
    w = rng.lognormal(0.0, 1.0, orgs)
    p_org = w / w.sum()
    employer = rng.choice(orgs, size=n_people, p=p_org)
    order = np.argsort(employer, kind="stable")
    counts = np.bincount(employer, minlength=orgs)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))

    def same_org_partner(idx: np.ndarray) -> np.ndarray:
        o = employer[idx]
        return order[starts[o] + (rng.random(idx.size) * counts[o]).astype(np.int64)]

    rows: list[str] = []
    tally: dict[str, int] = {}

    def add(src: str, tgt: str, typ: str, since: str = "", until: str = "") -> None:
        rows.append(f"{src},{tgt},{typ},{since},{until}")
        tally[typ] = tally.get(typ, 0) + 1

    # --- families -----------------------------------------------------------------------------
    rid = _Ids()
    n_fam = int(45_000 * scale)
    c1 = 1 + rng.poisson(1.2, n_fam)
    n_g0, n_g1 = 2 * n_fam, int(c1.sum())
    ex_perm = rng.permutation(experts)
    ap_perm = rng.permutation(applicants)
    g0: list[str | None] = [None] * n_g0
    g1: list[str | None] = [None] * n_g1
    k0 = int(0.2 * experts)
    for slot, e in zip(rng.choice(n_g0, size=min(k0, n_g0), replace=False), ex_perm[:k0]):
        g0[slot] = ex_ids[e]
    rest_e = ex_perm[k0:]
    k1a = int(0.3 * applicants)
    fill1 = [ex_ids[e] for e in rest_e] + [ap_ids[a] for a in ap_perm[:k1a]]
    for slot, pid in zip(rng.choice(n_g1, size=min(len(fill1), n_g1), replace=False), fill1):
        g1[slot] = pid
    g0 = [p or rid.new() for p in g0]
    g1 = [p or rid.new() for p in g1]
    g2_pool = [ap_ids[a] for a in ap_perm[k1a:]]
    g2_next = 0
    family_of = np.repeat(np.arange(n_fam), c1)
    unknown_parents = rng.random(n_fam) < 0.08
    drop = rng.random(n_g1 + 10) < 0.03

    # grandparents, their marriages, their children (or sibling rows)
    pos = 0
    for f in range(n_fam):
        gp, gm = g0[2 * f], g0[2 * f + 1]
        add(gp, gm, "spouse", str(int(rng.integers(1950, 1976))), "")
        kids = g1[pos:pos + c1[f]]
        if unknown_parents[f] and len(kids) > 1:
            for a, b in itertools.pairwise(kids):
                add(a, b, "sibling")
        else:
            for i, kid in enumerate(kids):
                if not drop[pos + i]:
                    add(gp, kid, "parent_of")
                add(gm, kid, "parent_of")
        pos += c1[f]

    # G1 marriages: across families, or with an outsider
    perm = rng.permutation(n_g1)
    n_pair = int(0.8 * n_g1) // 2 * 2
    couples: list[tuple[str, str]] = []
    for i in range(0, n_pair, 2):
        a, b = perm[i], perm[i + 1]
        if family_of[a] == family_of[b]:
            continue
        couples.append((g1[a], g1[b]))
    for i in perm[n_pair:n_pair + int(0.15 * n_g1)]:
        couples.append((g1[i], rid.new()))
    for a, b in couples:
        since = int(rng.integers(1975, 2021))
        until = ""
        if rng.random() < 0.08:
            until = str(min(2024, since + int(rng.integers(1, 15))))
        add(a, b, "spouse", str(since), until)
    # G2 children of G1 couples, some married to outsiders
    c2 = rng.poisson(1.4, len(couples))
    drop2 = rng.random(int(c2.sum()) + 1) < 0.03
    j = 0
    g2_all: list[str] = []
    for (a, b), n in zip(couples, c2):
        for _ in range(n):
            if g2_next < len(g2_pool):
                kid = g2_pool[g2_next]
                g2_next += 1
            else:
                kid = rid.new()
            g2_all.append(kid)
            if not drop2[j]:
                add(a, kid, "parent_of")
            add(b, kid, "parent_of")
            j += 1
    for kid in g2_all:
        if rng.random() < 0.3:
            add(kid, rid.new(), "spouse", str(int(rng.integers(2008, 2025))), "")
    n_rel = rid.n

    # --- jobs ---------------------------------------------------------------------------------
    def years(lo: int, hi: int, n: int) -> np.ndarray:
        return rng.integers(lo, hi + 1, size=n)

    past = np.flatnonzero(rng.random(n_people) < 0.40)
    other = rng.choice(orgs, size=past.size, p=p_org)
    s = years(1995, 2015, past.size)
    u = np.minimum(s + rng.integers(1, 11, size=past.size), 2024)
    for i, o, a, b in zip(past, other, s, u):
        add(people[i], org_ids[o], "works_at", str(a), str(b))
    future = np.flatnonzero(rng.random(n_people) < 0.02)
    for i, o in zip(future, rng.choice(orgs, size=future.size, p=p_org)):
        add(people[i], org_ids[o], "works_at", "2026-01-01", "")
    concurrent = np.flatnonzero(rng.random(n_people) < 0.03)
    for i, o, a in zip(concurrent, rng.choice(orgs, size=concurrent.size, p=p_org), years(2018, 2025, concurrent.size)):
        add(people[i], org_ids[o], "works_at", str(a), "")
    rel_jobs = np.flatnonzero(rng.random(n_rel) < 0.20)
    for i, o, a in zip(rel_jobs, rng.choice(orgs, size=rel_jobs.size, p=p_org), years(1990, 2024, rel_jobs.size)):
        add(f"R{i + 1:06d}", org_ids[o], "works_at", str(a), "")

    # --- collaborations -------------------------------------------------------------------------
    def collaborations(n: int, typ: str, span: tuple[int, int], undated: float, single_year: float) -> None:
        src = rng.integers(0, n_people, size=n)
        local = rng.random(n) < 0.4
        tgt = np.where(local, same_org_partner(src), rng.integers(0, n_people, size=n))
        start = years(2000, 2025, n)
        length = rng.integers(span[0], span[1] + 1, size=n)
        kind = rng.random(n)
        for a, b, y, ln, k in zip(src, tgt, start, length, kind):
            if a == b:
                continue
            if k < undated:
                add(people[a], people[b], typ)
            elif k < undated + single_year:
                add(people[a], people[b], typ, str(y), str(y))
            else:
                add(people[a], people[b], typ, str(y), str(min(2025, y + ln)))

    collaborations(int(285_000 * scale), "coauthor", (1, 3), undated=0.10, single_year=0.70)
    collaborations(int(100_000 * scale), "project_partner", (2, 5), undated=0.05, single_year=0.0)

    n_sup = int(40_000 * scale)
    sup_e = rng.integers(0, experts, size=n_sup)
    to_expert = rng.random(n_sup) < 0.10
    sup_t = np.where(to_expert, rng.integers(0, experts, size=n_sup), experts + rng.integers(0, applicants, size=n_sup))
    s = years(1990, 2020, n_sup)
    for a, b, y, ln in zip(sup_e, sup_t, s, rng.integers(3, 7, size=n_sup)):
        if a != b:
            add(people[a], people[b], "supervisor_of", str(y), str(min(2025, y + ln)))
    n_rec = int(30_000 * scale)
    for a, b in zip(rng.integers(0, experts, size=n_rec), rng.integers(0, applicants, size=n_rec)):
        add(ex_ids[a], ap_ids[b], "recommender_of", "2025", "")

    # --- dirty data -------------------------------------------------------------------------------
    n_dirty = max(3, int(20 * scale))
    for i in rng.integers(0, len(rows), size=n_dirty):
        rows.append(rows[i])  # duplicate rows
    for i in rng.integers(0, n_rel, size=max(1, n_dirty // 4)):
        add(f"R{i + 1:06d}", f"R{i + 1:06d}", "spouse")  # self-relations
    for _ in range(max(1, n_dirty // 4)):
        a, b = rid.new(), rid.new()
        add(a, b, "parent_of")
        add(b, a, "parent_of")  # someone their own ancestor

    # --- files ------------------------------------------------------------------------------------
    perm_rows = rng.permutation(len(rows))
    with open(out / "relations.csv", "w", encoding="utf-8") as fh:
        fh.write("source,target,type,since,until\n")
        fh.write("\n".join(rows[i] for i in perm_rows))
        fh.write("\n")
    series = np.where(rng.random(experts) < 0.8, "engineering", "economics")
    spec = rng.integers(0, len(SPECIALTIES), size=n_people)
    level_e = np.where(rng.random(experts) < 0.85, "senior", "intermediate")
    flags = rng.random((experts, 4)) < np.array([0.25, 0.15, 0.30, 0.20])
    tf = np.array(["false", "true"])
    with open(out / "experts.csv", "w", encoding="utf-8") as fh:
        fh.write("id,employer,series,specialty,level,grassroots,central,non_public,young\n")
        for i in range(experts):
            f = tf[flags[i].astype(int)]
            fh.write(f"{ex_ids[i]},{org_ids[employer[i]]},{series[i]},{SPECIALTIES[spec[i]]},{level_e[i]},"
                     f"{f[0]},{f[1]},{f[2]},{f[3]}\n")
    level_a = rng.choice(np.array(["senior", "intermediate", "junior"]), size=applicants, p=[0.45, 0.45, 0.10])
    with open(out / "applicants.csv", "w", encoding="utf-8") as fh:
        fh.write("id,employer,series,specialty,level\n")
        for i in range(applicants):
            fh.write(f"{ap_ids[i]},{org_ids[employer[experts + i]]},engineering,"
                     f"{SPECIALTIES[spec[experts + i]]},{level_a[i]}\n")
    tally["total"] = len(rows)
    tally["relatives"] = rid.n
    return tally


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--experts", type=int, default=30_000)
    ap.add_argument("--applicants", type=int, default=100_000)
    ap.add_argument("--orgs", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=0)
    ns = ap.parse_args(argv)
    t0 = time.perf_counter()
    tally = make_pool(ns.outdir, experts=ns.experts, applicants=ns.applicants, orgs=ns.orgs, seed=ns.seed)
    print(f"wrote {ns.outdir}/{{experts,applicants,relations}}.csv in {time.perf_counter() - t0:.1f} s: "
          + ", ".join(f"{k} {v:,}" for k, v in tally.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
