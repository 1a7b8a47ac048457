"""Issue 11 ("no silent wrong answer") for rule sets, ``--set``, ``zcsim verify``, ``zcsim rules``,
``zcsim workdays`` and calendar files: bounded values, one-line errors (exit 2, never a traceback,
a hang or a memory blow-up) and the privacy of the verify report (Art. 28)."""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from zcsim.cli import main
from zcsim.law._params import MAX_COMMITTEE_SIZE, MAX_WORKING_DAYS, MAX_YEARS

ROOT = Path(__file__).resolve().parents[1]
POOL = ROOT / "examples" / "pool"
FAST = ["--only", "threshold.integer_exact"]  # the quickest property: keeps each verify run short


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def one_error(args: list[str], *needles: str) -> str:
    """Run ``zcsim ARGS``; assert exit 2 and exactly one ``zcsim: error:`` line holding ``needles``."""
    code, _, err = invoke(*args)
    lines = err.strip().splitlines()
    assert code == 2, (code, err)
    assert len(lines) == 1 and lines[0].startswith("zcsim: error: "), err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


# -- verify --sizes: checked by its bounds before any range is built --------------------------------
def test_a_huge_sizes_range_is_refused_without_building_it() -> None:
    tracemalloc.start()
    try:
        line = one_error(["verify", "--sizes", "1..3000000", *FAST], "--sizes", f"1 to {MAX_COMMITTEE_SIZE:,}")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"{peak:,} bytes: the range was built before it was checked ({line})"


@pytest.mark.parametrize("text", ["1..999999999", "a..b", "1..", "..5", "5..3", "²", "١٢", "0..4", "1,,3", "",
                                  "0", "-1", "1001", "nan"])
def test_bad_sizes_are_one_line(text: str) -> None:
    one_error(["verify", "--sizes", text, *FAST], "--sizes", "expected sizes like 11..51")


def test_good_sizes_still_work() -> None:
    code, out, err = invoke("verify", "--sizes", "3..5, ", "--only", "figures", "--json")
    assert code == 2  # "5, " is not a whole number: a range takes two plain numbers
    code, out, err = invoke("verify", "--sizes", "25,11,25", "--only", "figures", "--json")
    assert code == 0, err
    assert [row["size"] for row in json.loads(out)[0]["table"]] == [11, 25]


# -- verify --timeout and the sizes of a committee ---------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0", "1e30"])
def test_bad_timeout_is_one_line(value: str) -> None:
    one_error(["verify", "--timeout", value, *FAST], "--timeout", "at most 3600")


@pytest.mark.parametrize("option", ["--committee-size", "--pool-size"])
def test_huge_committee_sizes_are_refused(option: str) -> None:
    one_error(["verify", option, str(10**30), "--pool", str(POOL), "--date", "2025-11-14", "--only", "panel"],
              option, f"1 to {MAX_COMMITTEE_SIZE:,}", "31-digit")


def test_more_panels_than_experts_is_refused() -> None:
    one_error(["verify", "--pool", str(POOL), "--date", "2025-11-14", "--only", "panel", "--panels", "999999"],
              "--panels", "1 to 25 panels")


def test_help_states_the_bounds_of_the_constants() -> None:
    from zcsim.verify._run import MAX_FIGURE_SIZES, MAX_TIMEOUT_SECONDS

    code, out, _ = invoke("verify", "--help")
    flat = " ".join(out.split())
    assert code == 0
    assert f"at most {MAX_TIMEOUT_SECONDS:g}" in flat and f"at most {MAX_FIGURE_SIZES:,} sizes" in flat
    assert f"1 to {MAX_COMMITTEE_SIZE:,}" in flat


# -- --set: every integer has a maximum, every ratio is read safely ----------------------------------
@pytest.mark.parametrize("assignment, needle", [
    ("panel_min_size=999999999999", f"from 1 to {MAX_COMMITTEE_SIZE:,}"),
    ("chairs=" + "9" * 40, f"from 1 to {MAX_COMMITTEE_SIZE:,}"),
    ("committee_min_size_series=100000", f"from 1 to {MAX_COMMITTEE_SIZE:,}"),
    ("committee_max_size=100000", f"from 1 to {MAX_COMMITTEE_SIZE:,}, or null/none"),
    ("filing_validity_years=10000", f"from 1 to {MAX_YEARS}"),
    ("blacklist_years=100000", f"from 0 to {MAX_YEARS}"),
    ("result_publicity_working_days=100000", f"from 1 to {MAX_WORKING_DAYS}"),
    ("voting_rounds=1000000", "from 1 to 100"),
])
def test_integer_rules_have_a_maximum(assignment: str, needle: str) -> None:
    one_error(["rules", "--set", assignment], "--set", assignment.split("=")[0], needle)


@pytest.mark.parametrize("command", [["rules"], ["verify", *FAST],
                                     ["audit", str(ROOT / "examples" / "records" / "compliant.json")]])
@pytest.mark.parametrize("value", ["1e-5000", "1e5000", "1" * 5000 + "/3", "0." + "1" * 5000, "1e-99999999999"])
def test_huge_ratios_are_one_line_everywhere(command: list[str], value: str) -> None:
    line = one_error([*command, "--set", f"pass_ratio={value}"], "--set", "pass_ratio", "between 0 and 1")
    assert len(line) < 400  # a 5,000-digit value is cut, not repeated


def test_draw_min_share_reads_ratios_the_same_way() -> None:
    one_error(["draw", "--experts", str(POOL / "experts.csv"), "--series", "engineering", "--level", "senior",
               "--seed", "7", "--min-share", "young=1e-5000"], "pool_min_share_young", "between 0 and 1")


def test_ratio_precision_is_bounded_but_usual_ratios_pass() -> None:
    from zcsim import load_rules

    assert load_rules(overrides=["pass_ratio=0.6"]).pass_ratio == load_rules(overrides=["pass_ratio=3/5"]).pass_ratio
    assert str(load_rules(overrides=["pass_ratio=6e-1"]).pass_ratio) == "3/5"
    one_error(["rules", "--set", "pass_ratio=1/1234567"], "denominator at most 1,000,000")


def test_rules_shows_the_allowed_range_of_every_parameter() -> None:
    code, out, _ = invoke("rules", "--json")
    assert code == 0
    allowed = {p["key"]: p["allowed"] for p in json.loads(out)["parameters"]}
    assert allowed["committee_min_size_series"] == f"1–{MAX_COMMITTEE_SIZE:,}"
    assert allowed["filing_validity_years"] == f"1–{MAX_YEARS}"
    assert allowed["pass_ratio"] == "0–1"
    assert all(allowed.values())
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "MAX_COMMITTEE_SIZE" in docs and "RATIO_MAX_DENOMINATOR" in docs


# -- rule files: base names, citations, text keys ------------------------------------------------------
def write(tmp_path: Path, text: str, name: str = "r.yaml") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_a_huge_ratio_in_a_base_name_is_one_line(tmp_path: Path) -> None:
    f = write(tmp_path, "format: zcsim.rules/1\nbase: beijing-2020+pass_ratio=1e-5000\n")
    one_error(["rules", "--rules", f], "pass_ratio", "between 0 and 1")


@pytest.mark.parametrize("citations, needle", [
    ("[1, 2]", "'citations' must be a mapping"),
    ("{pass_ratio: just text}", "a citation is a mapping with 'phrase'"),
    ("{pass_ratio: {phrase: 三分之二, article: abc}}", "article must be a whole number from 1 to 1000"),
    ("{pass_ratio: {phrase: 三分之二, article: [1]}}", "article must be a whole number"),
    ("{pass_ratio: {phrase: 三分之二, article: 99999999999999999999}}", "article must be a whole number"),
    ("{pass_ratio: {phrase: [a]}}", "a citation is a mapping with 'phrase'"),
    ("{pass_ratio: {phrase: x, artcle: 3}}", "unknown citation key 'artcle'"),
])
def test_citations_of_the_wrong_shape_are_one_line(tmp_path: Path, citations: str, needle: str) -> None:
    f = write(tmp_path, f"format: zcsim.rules/1\nbase: beijing-2020\ncitations: {citations}\n")
    one_error(["rules", "--rules", f], f, "citations", needle)


def test_a_good_citation_still_works(tmp_path: Path) -> None:
    f = write(tmp_path, "format: zcsim.rules/1\ninstrument: X\ncitations: {pass_ratio: {phrase: p, article: 17}}\n")
    code, out, err = invoke("rules", "--rules", f, "--json")
    assert code == 0, err
    p = next(p for p in json.loads(out)["parameters"] if p["key"] == "pass_ratio")
    assert (p["article"], p["phrase"]) == (17, "p")


@pytest.mark.parametrize("key", ["name", "description", "instrument"])
def test_text_keys_must_be_text(tmp_path: Path, key: str) -> None:
    f = write(tmp_path, f"format: zcsim.rules/1\n{key}: [1, 2]\n")
    one_error(["rules", "--rules", f], key, "must be text")


# -- FIFOs and endless devices never hang nor fill memory -------------------------------------------
def zcsim_process(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """``python -m zcsim ARGS`` with 2 GiB of address space at most (old code read /dev/zero forever)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    return subprocess.run([sys.executable, "-m", "zcsim", *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, preexec_fn=limit, env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("args", [["rules", "--rules", "{}"], ["workdays", "2027-01-04", "--calendar", "{}"]])
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path, args: list[str]) -> None:
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    r = zcsim_process(*[a.format(fifo) for a in args])
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [f"zcsim: error: {fifo}: {'rule' if 'rules' in args else 'calendar'} "
                                             "file expected, got a pipe (not a regular file)"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("args", [["rules", "--rules", "/dev/zero"],
                                  ["workdays", "2027-01-04", "--calendar", "/dev/zero"]])
def test_dev_zero_is_refused_not_read(args: list[str]) -> None:
    r = zcsim_process(*args)
    assert r.returncode == 2, r.stderr
    assert "got a character device (not a regular file)" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_calendar_keeps_accepting_a_byte_order_mark(tmp_path: Path) -> None:
    f = tmp_path / "cal.csv"
    f.write_bytes("\ufeff# covers: 2027\ndate,working\n2027-01-04,false\n".encode())
    code, out, err = invoke("workdays", "2027-01-04", "--calendar", str(f))
    assert code == 0, err
    assert "not a working day" in out


@pytest.mark.parametrize(("path", "said"), [("bad\x00name", "not a valid command-line string"), ("", "calendar file")])
def test_a_calendar_path_click_could_not_stat_is_one_line(path: str, said: str) -> None:
    one_error(["workdays", "2027-01-04", "--calendar", path], said)


def test_counting_past_9999_says_so(tmp_path: Path) -> None:
    f = tmp_path / "cal.csv"
    f.write_text("# covers: 9999\ndate,working\n", encoding="utf-8")
    one_error(["workdays", "9999-12-31", "--add", "3", "--calendar", str(f)], "past the last date", "9999-12-31")


# -- odd values of every option of rules, workdays, verify: never a traceback (exit 70) -----------------
ODD = ["nan", "inf", "-1", "0", str(10**30), "", "1..", "a..b", "²", "1e-5000", "x" * 300]


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("template", [
    ["rules", "--rules", "{}"], ["rules", "--diff", "{}"], ["rules", "--set", "pass_ratio={}"],
    ["rules", "--set", "committee_max_size={}"], ["rules", "--set", "recusal_relations={}"],
    ["workdays", "{}"], ["workdays", "2025-09-29", "--add", "{}"], ["workdays", "2025-09-29", "{}"],
    ["verify", "--committee-size", "{}", *FAST], ["verify", "--timeout", "{}", *FAST],
    ["verify", "--only", "{}"], ["verify", "--against", "{}", *FAST], ["verify", "--against-set", "chairs={}", *FAST],
])
def test_odd_values_never_crash(template: list[str], value: str) -> None:
    code, _, err = invoke(*[t.format(value) for t in template])
    assert code in (0, 1, 2), (code, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err


# -- privacy: no expert id or name of the pool in any file written beside a public report (Art. 28) -----
def name_like_pool(tmp_path: Path) -> tuple[Path, list[str]]:
    """The example pool with experts renamed to name-like ids and given a name column."""
    d = tmp_path / "pool"
    d.mkdir()
    rows = list(csv.reader((POOL / "experts.csv").open(encoding="utf-8")))
    ids = {r[0]: f"wang{chr(97 + i % 26)}{chr(97 + i // 26)}.li" for i, r in enumerate(rows[1:])}
    secrets = [*ids.values()]
    with (d / "experts.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([*rows[0], "name"])
        for i, r in enumerate(rows[1:]):
            w.writerow([ids[r[0]], *r[1:], f"王{i}伟"])
            secrets.append(f"王{i}伟")
    rel = list(csv.reader((POOL / "relations.csv").open(encoding="utf-8")))
    with (d / "relations.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[ids.get(c, c) for c in r] for r in rel])
    (d / "applicants.csv").write_bytes((POOL / "applicants.csv").read_bytes())
    return d, secrets


def leaks(folder: Path, secrets: list[str]) -> dict[str, list[str]]:
    found = {}
    for f in folder.rglob("*"):
        if f.is_file():
            text = f.read_bytes().decode("utf-8", "replace")
            hits = [s for s in secrets if s in text]
            if hits:
                found[str(f.relative_to(folder))] = hits[:3]
    return found


@pytest.mark.parametrize("extra", [[], ["--set", "panel_min_size=24", "--panels", "1"],
                                   ["--against-set", "panel_min_size=24"]])
def test_verify_report_names_no_expert_of_the_pool(tmp_path: Path, extra: list[str]) -> None:
    pytest.importorskip("matplotlib")
    pool, secrets = name_like_pool(tmp_path)
    out = tmp_path / "public"
    code, stdout, err = invoke("verify", "--pool", str(pool), "--date", "2025-11-14", "--only", "panel",
                               "--report", str(out) + "/", *extra)
    assert code in (0, 1), err
    written = sorted(p.name for p in out.iterdir())
    assert "verify.json" in written and "report.html" in written
    assert leaks(out, secrets) == {}
    doc = json.loads((out / "verify.json").read_text(encoding="utf-8"))
    assert "Expert " in json.dumps(doc, ensure_ascii=False)  # pseudonyms, not nothing


# -- a rule option is never silently ignored or replaced by the default ---------------------------------
@pytest.mark.parametrize("args, option", [
    (["rules", "--rules", ""], "--rules"), (["verify", "--rules", " ", *FAST], "--rules"),
    (["verify", "--against", "", *FAST], "--against"),
    (["workdays", "2025-09-29", "2025-10-10", "--rules", ""], "--rules"),
])
def test_an_empty_rule_set_name_is_an_error_not_the_default(args: list[str], option: str) -> None:
    one_error(args, option, "got an empty name")


def test_workdays_checks_its_rule_options_with_add_too() -> None:
    one_error(["workdays", "2025-09-29", "--add", "5", "--set", "pass_ratio=2"], "--set", "pass_ratio")
