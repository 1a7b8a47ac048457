"""Issue 11 ("no silent wrong answer") for the CSV inputs of ``zcsim conflicts`` and ``zcsim draw``:
each input read once (pipes, ``/dev/stdin``, ``-``), the encoding detected and reported, ids
normalised with near-miss warnings, comments counted, and every numeric option bounded.

Each test fails on the code before the fix: the pipe gave 2 pairs instead of 29, GBK read as
UTF-8 dropped a conflict, a full-width id made a phantom relative, a ``#`` row vanished without a
word, ``draw --size 10**30`` hung, ``--seed -1`` was a traceback, ``--alternates -5`` was
accepted, a 2100-year window overflowed the date arithmetic.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from zcsim.cli import main
from _cli_assert import one_error

POOL = ROOT / "examples" / "pool"
DATE = ["--date", "2025-11-14"]
ZCSIM = [sys.executable, "-m", "zcsim"]


def cli(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), input=input)
    return r.exit_code, r.stdout, r.stderr


def conflicts_args(relations: str | Path, *, experts: str | Path = POOL / "experts.csv",
                   applicants: str | Path = POOL / "applicants.csv") -> list[str]:
    return ["conflicts", "--experts", str(experts), "--applicants", str(applicants), "--relations", str(relations), *DATE]


def pairs(out: str) -> set[tuple[str, str]]:
    doc = json.loads(out)
    items = doc["conflicts"] if isinstance(doc, dict) else doc  # (a bare list before issue 11)
    return {(p["applicant"], p["expert"]) for p in items}


@pytest.fixture(scope="module")
def reference() -> set[tuple[str, str]]:
    code, out, err = cli(*conflicts_args(POOL / "relations.csv"), "--json")
    assert code == 0, err
    got = pairs(out)
    assert len(got) == 29
    return got


# ----------------------------------------------------------------------------------------------
# 1. every input read once: a pipe, /dev/stdin, '-'
# ----------------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("bash") is None or not Path("/dev/fd").exists(), reason="needs bash process substitution")
def test_relations_from_a_process_substitution_pipe(reference: set[tuple[str, str]]) -> None:
    cmd = " ".join([*ZCSIM, *conflicts_args("<(cat relations.csv)",
                                            experts="experts.csv", applicants="applicants.csv"), "--json"])
    r = subprocess.run(["bash", "-c", cmd], cwd=POOL, capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert pairs(r.stdout.decode()) == reference  # was 2 pairs: the pipe was opened twice, the second read empty
    assert b"79 rows, utf-8" in r.stderr


def test_relations_from_dev_stdin_pipe_and_dash(reference: set[tuple[str, str]]) -> None:
    data = (POOL / "relations.csv").read_bytes()
    for name in ("/dev/stdin", "-"):
        r = subprocess.run([*ZCSIM, *conflicts_args(name), "--json"], input=data, capture_output=True, timeout=60)
        assert r.returncode == 0, (name, r.stderr)
        assert pairs(r.stdout.decode()) == reference, name


def test_experts_from_stdin_feed_both_the_pool_and_the_graph_of_draw(tmp_path: Path) -> None:
    args = ["--series", "engineering", "--level", "senior", "--seed", "7",
            "--applicants", str(POOL / "applicants.csv"), "--relations", str(POOL / "relations.csv"), *DATE, "--json"]
    code, out, err = cli("draw", "--experts", str(POOL / "experts.csv"), *args)
    assert code == 0, err
    code2, out2, err2 = cli("draw", "--experts", "-", *args, input=(POOL / "experts.csv").read_bytes())
    assert code2 == 0, err2  # draw read experts.csv twice (the pool, then the graph): '-' was "not found"
    a, b = json.loads(out), json.loads(out2)
    assert a["committee"] == b["committee"] and a["panels"] == b["panels"]
    assert [i["rows"] for i in b["inputs"]] == [60, 40, 79] and b["inputs"][0]["file"] == "<stdin>"


def test_at_most_one_input_is_stdin() -> None:
    code, _, err = cli(*conflicts_args("-", experts="-"), input=b"")
    one_error(code, err, "standard input ('-') is given for experts and relations", "at most one")


def test_a_device_is_refused_not_read_forever() -> None:
    code, _, err = cli(*conflicts_args("/dev/zero"))
    one_error(code, err, "/dev/zero", "not a regular file")


# ----------------------------------------------------------------------------------------------
# 2. encodings: detected, reported, forced with --encoding
# ----------------------------------------------------------------------------------------------
def chinese_pool(tmp_path: Path, relative_row: str, encoding: str) -> tuple[Path, Path, Path]:
    """An expert 隆隆 (whose GBK bytes are valid UTF-8 too) married to applicant A1."""
    ex = tmp_path / "experts.csv"
    ex.write_text("id,employer,series,specialty,level,grassroots,central,non_public,young\n"
                  "隆隆,ORG1,engineering,civil,senior,false,false,false,false\n", encoding="utf-8")
    ap = tmp_path / "applicants.csv"
    ap.write_text("id,employer,series,specialty,level\nA1,ORG2,engineering,civil,senior\n", encoding="utf-8")
    rel = tmp_path / "relations.csv"
    rel.write_bytes(("source,target,type,since,until\n" + relative_row + "\n").encode(encoding))
    return ex, ap, rel


def test_gbk_that_is_valid_utf8_is_read_as_gbk_and_reported(tmp_path: Path) -> None:
    ex, ap, rel = chinese_pool(tmp_path, "A1,隆隆,spouse,,", "gbk")
    rel.read_bytes().decode("utf-8")  # the trap: these GBK bytes are valid UTF-8 (mojibake '¡¡')
    code, out, err = cli(*conflicts_args(rel, experts=ex, applicants=ap), "--json")
    assert code == 0, err
    assert pairs(out) == {("A1", "隆隆")}  # read as UTF-8 the spouse was a phantom relative: no conflict
    assert f"zcsim: read {rel}: 1 row, gb18030" in err
    assert json.loads(out)["inputs"][2]["encoding"] == "gb18030"


def test_gbk_that_is_not_utf8_is_read(tmp_path: Path) -> None:
    ex, ap, rel = chinese_pool(tmp_path, "A1,隆隆,spouse,,", "gbk")
    rel.write_bytes("source,target,type,since,until,备注\nA1,隆隆,spouse,,,配偶\n".encode("gbk"))
    code, out, err = cli(*conflicts_args(rel, experts=ex, applicants=ap), "--json")
    assert code == 0, err  # was "not UTF-8 text (byte 60)", no line, no hint
    assert pairs(out) == {("A1", "隆隆")}


def test_bytes_in_neither_encoding_name_the_line_and_the_option(tmp_path: Path) -> None:
    rel = tmp_path / "relations.csv"
    rel.write_bytes((POOL / "relations.csv").read_bytes() + b"A1,E\xff1,coauthor,,\n")
    code, _, err = cli(*conflicts_args(rel))
    one_error(code, err, str(rel), "line 81", "neither UTF-8 nor GB18030", "--encoding")


def test_encoding_option_forces_and_is_checked(tmp_path: Path) -> None:
    ex, ap, rel = chinese_pool(tmp_path, "A1,隆隆,spouse,,", "gbk")
    code, out, err = cli(*conflicts_args(rel, experts=ex, applicants=ap), "--encoding", "utf-8", "--json")
    assert code == 0 and pairs(out) == set()  # told UTF-8: read as UTF-8, and reported so
    assert "1 row, utf-8" in err and "'¡¡' is not a known expert" not in err
    ex.write_text("id,employer,series,specialty,level,grassroots,central,non_public,young,note\n"
                  "隆隆,ORG1,engineering,civil,senior,false,false,false,false,隆\n", encoding="utf-8")
    code, _, err = cli(*conflicts_args(rel, experts=ex, applicants=ap), "--encoding", "gbk")
    one_error(code, err, f"{ex}: line 2: not gb18030 text", "check --encoding")  # UTF-8 that is not GBK
    code, _, err = cli(*conflicts_args(rel), "--encoding", "latin-1")
    one_error(code, err, "--encoding", "unknown encoding 'latin-1'")


def test_utf8_bom_is_reported(tmp_path: Path, reference: set[tuple[str, str]]) -> None:
    rel = tmp_path / "relations.csv"
    rel.write_bytes(b"\xef\xbb\xbf" + (POOL / "relations.csv").read_bytes())
    code, out, err = cli(*conflicts_args(rel), "--json")
    assert code == 0 and pairs(out) == reference
    assert "79 rows, utf-8 (BOM)" in err


# ----------------------------------------------------------------------------------------------
# 2. ids: NFKC and blanks normalised, near misses warned about
# ----------------------------------------------------------------------------------------------
def with_row(tmp_path: Path, line: int, row: str) -> Path:
    lines = (POOL / "relations.csv").read_text(encoding="utf-8").splitlines()
    assert lines[line - 1].startswith("A9,E13,spouse")
    lines[line - 1] = row
    rel = tmp_path / "relations.csv"
    rel.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rel


@pytest.mark.parametrize("row", ["A9,Ｅ13,spouse,2010-05-01,", " A9 ,E13\u3000,spouse,2010-05-01,",
                                 "Ａ９,Ｅ１３,spouse,2010-05-01,"])
def test_full_width_and_padded_ids_are_the_same_person(tmp_path: Path, row: str,
                                                       reference: set[tuple[str, str]]) -> None:
    code, out, err = cli(*conflicts_args(with_row(tmp_path, 34, row)), "--json")
    assert code == 0, err
    assert ("A9", "E13") in pairs(out) and pairs(out) == reference  # Ｅ13 was a phantom relative
    assert "warning" not in err


def test_a_case_typo_is_kept_apart_but_warned_about(tmp_path: Path) -> None:
    rel = with_row(tmp_path, 34, "A9,e13,spouse,2010-05-01,")
    code, out, err = cli(*conflicts_args(rel), "--json")
    assert code == 0
    assert ("A9", "E13") not in pairs(out)  # case is not folded: e13 is another id …
    warning = f"zcsim: warning: {rel}: line 34: 'e13' is not a known expert or applicant"
    assert warning in err and "did you mean 'E13'?" in err  # … but the near miss is said, with the line
    assert json.loads(out)["warnings"] == [{"file": str(rel), "line": 34, "message": (
        "'e13' is not a known expert or applicant (a relative named only in kin rows); did you mean 'E13'?")}]


def test_one_edit_from_a_known_id_is_warned_about_but_a_relatives_scheme_is_not(tmp_path: Path) -> None:
    rel = with_row(tmp_path, 34, "A9,E133,spouse,2010-05-01,")
    code, out, err = cli(*conflicts_args(rel), "--json")
    assert code == 0 and "line 34: 'E133' is not a known expert or applicant" in err and "'E13'" in err
    code, out, err = cli(*conflicts_args(POOL / "relations.csv"), "--json")
    assert json.loads(out)["warnings"] == []  # R1 … R30 are one edit from E1, A1 …: a scheme, not typos


def test_near_miss_check_scales_to_many_ids() -> None:
    from zcsim.conflicts import near_misses

    known = [f"E{i:06}" for i in range(100_000)] + [f"A{i:06}" for i in range(100_000)]
    third = [(f"R{i:06}", i) for i in range(200_000)] + [("e000123", 1), ("E0001234", 2)]
    start = time.perf_counter()
    got = near_misses(third, known, "relations.csv")
    assert time.perf_counter() - start < 20  # linear: a pairwise comparison would be 4e10 pairs
    assert [(w.line, w.message.split(";")[1]) for w in got] == [
        (1, " did you mean 'E000123'?"), (2, " did you mean 'E000123' or 'E000124' or 'E000134'?")]  # three at most


def test_ids_in_experts_and_applicants_and_the_applicant_option_are_normalised(tmp_path: Path) -> None:
    ex = tmp_path / "experts.csv"
    ex.write_text((POOL / "experts.csv").read_text(encoding="utf-8").replace("\nE13,", "\nＥ13 ,"), encoding="utf-8")
    code, out, err = cli(*conflicts_args(POOL / "relations.csv", experts=ex), "--applicant", "Ａ9", "--json")
    assert code == 0, err
    assert pairs(out) == {("A9", "E13")}


# ----------------------------------------------------------------------------------------------
# 2. comments and blank lines: documented, counted, a data-like comment warned about
# ----------------------------------------------------------------------------------------------
def test_comment_and_blank_lines_are_counted_and_a_data_like_comment_is_warned_about(tmp_path: Path) -> None:
    rel = with_row(tmp_path, 34, "#A9,E13,spouse,2010-05-01,")
    rel.write_text(rel.read_text(encoding="utf-8") + "\n# exported 2025-11-01, checked by the office\n,,,,\n",
                   encoding="utf-8")
    code, out, err = cli(*conflicts_args(rel), "--json")
    assert code == 0
    assert ("A9", "E13") not in pairs(out)
    assert f"zcsim: read {rel}: 78 rows, utf-8; skipped 2 blank lines and 2 comment lines" in err
    inputs = json.loads(out)["inputs"][2]
    assert (inputs["rows"], inputs["skipped_blank"], inputs["skipped_comments"]) == (78, 2, 2)
    warnings = [w for w in err.splitlines() if w.startswith("zcsim: warning:")]
    assert warnings == [f"zcsim: warning: {rel}: line 34: skipped as a comment (its first field starts with '#') "
                        "but it reads as a relation row; remove the '#' to use it"]  # the note line is not warned about


def test_a_commented_out_expert_is_counted_and_warned_about_in_draw(tmp_path: Path) -> None:
    ex = tmp_path / "experts.csv"
    ex.write_text((POOL / "experts.csv").read_text(encoding="utf-8").replace("\nE13,", "\n#E13,"), encoding="utf-8")
    code, out, err = cli("draw", "--experts", str(ex), "--series", "engineering", "--level", "senior",
                         "--seed", "7", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["inputs"][0]["rows"] == 59 and doc["inputs"][0]["skipped_comments"] == 1
    assert doc["warnings"][0]["line"] == 14 and "reads as a row of experts" in doc["warnings"][0]["message"]
    assert "zcsim: warning:" in err and "59 rows, utf-8; skipped 1 comment line" in err


def test_conflicts_json_document_feeds_draw(tmp_path: Path) -> None:
    code, out, err = cli(*conflicts_args(POOL / "relations.csv"), "--json")
    assert code == 0
    doc = tmp_path / "conflicts.json"
    doc.write_text(out, encoding="utf-8")
    code, out2, err = cli("draw", "--experts", str(POOL / "experts.csv"), "--series", "engineering", "--level", "senior",
                          "--seed", "7", "--applicants", str(POOL / "applicants.csv"), "--conflicts", str(doc), "--json")
    assert code == 0, err
    dup = tmp_path / "dup.json"
    dup.write_text('[{"applicant": "A1", "expert": "E2", "expert": "E3"}]', encoding="utf-8")
    code, _, err = cli("draw", "--experts", str(POOL / "experts.csv"), "--series", "engineering", "--level", "senior",
                       "--seed", "7", "--applicants", str(POOL / "applicants.csv"), "--conflicts", str(dup))
    one_error(code, err, str(dup), "duplicate key 'expert'")  # json.loads kept the last copy silently


# ----------------------------------------------------------------------------------------------
# 3. bounds: the kinship search, draw's numeric options, the policy's windows
# ----------------------------------------------------------------------------------------------
def random_kin(tmp_path: Path, rows: int, ids: int, types: tuple[str, ...], seed: int = 1) -> list[str]:
    import random

    rnd = random.Random(seed)
    n_exp, n_app = ids // 25, ids // 16
    (tmp_path / "experts.csv").write_text(
        "id,employer,series,specialty,level,grassroots,central,non_public,young\n"
        + "".join(f"E{i},ORG{i % 50},engineering,civil,senior,false,false,false,false\n" for i in range(n_exp)),
        encoding="utf-8")
    (tmp_path / "applicants.csv").write_text(
        "id,employer,series,specialty,level\n" + "".join(f"A{i},ORGA{i % 70},engineering,civil,senior\n"
                                                          for i in range(n_app)), encoding="utf-8")
    people = [f"E{i}" for i in range(n_exp)] + [f"A{i}" for i in range(n_app)] + [f"R{i}" for i in range(ids - n_exp - n_app)]
    lines = ["source,target,type,since,until"]
    for _ in range(rows):
        a, b = rnd.sample(people, 2)
        lines.append(f"{a},{b},{rnd.choice(types)},,")
    (tmp_path / "relations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["conflicts", "--experts", str(tmp_path / "experts.csv"), "--applicants", str(tmp_path / "applicants.csv"),
            "--relations", str(tmp_path / "relations.csv"), *DATE]


def test_random_kin_rows_are_refused_quickly_not_grown_to_gigabytes(tmp_path: Path) -> None:
    # 20,000 random spouse/parent_of/sibling rows among 5,000 ids: one sibling "family" of thousands
    # sharing thousands of parents (the 200,000-row version grew to 24 GB; this one ran for minutes)
    args = random_kin(tmp_path, 20_000, 5_000, ("spouse", "parent_of", "sibling"))
    start = time.perf_counter()
    code, _, err = cli(*args)
    assert time.perf_counter() - start < 30
    one_error(code, err, "relations.csv: kinship: the kin rows are too entangled to search", "MAX_KIN_LINKS")


def test_kin_walks_stop_at_their_bounds_with_an_estimate(tmp_path: Path) -> None:
    from zcsim.conflicts import load_graph
    from zcsim.conflicts._find import DEFAULT_POLICY, _find
    from zcsim.errors import InputError

    random_kin(tmp_path, 4_000, 2_000, ("spouse", "parent_of"))
    g = load_graph(tmp_path / "experts.csv", tmp_path / "applicants.csv", tmp_path / "relations.csv")
    import datetime as dt
    day = dt.date(2025, 11, 14)
    full = _find(g, day, DEFAULT_POLICY, None)  # completes within the default bounds
    assert len(full.pairs) > 0
    with pytest.raises(InputError, match=r"kinship: the kin rows are too entangled to search: after [\d,]+ of [\d,]+ "
                                         r"kin walks .* \(about [\d,]+ in all\), more than 1,000 \(MAX_KIN_STEPS\)"):
        _find(g, day, DEFAULT_POLICY, None, max_steps=1_000)
    with pytest.raises(InputError, match=r"relate more than 10 \(expert, applicant\) pairs .*\(MAX_KIN_HITS\)"):
        _find(g, day, DEFAULT_POLICY, None, max_hits=10)


DRAW = ["draw", "--experts", str(POOL / "experts.csv"), "--series", "engineering", "--level", "senior"]


@pytest.mark.parametrize("args,needles", [
    (["--seed", "7", "--size", str(10**30)], ["committee size 1000000000000000000000000000000 is more than zcsim draws",
                                             "MAX_COMMITTEE_SIZE"]),
    (["--seed", "-1"], ["'--seed'", "-1 is not in the range 0<=x<=9223372036854775807"]),
    (["--seed", str(2**64)], ["'--seed'", "is not in the range"]),
    (["--seed", "7", "--alternates", "-5"], ["'--alternates'", "-5 is not in the range x>=0"]),
    (["--seed", "7", "--repeat", str(10**20)], ["--repeat must be at least 1 and at most 100,000 (MAX_REPEAT)"]),
    (["--seed", "7", "--min-share", "young=1e-5000"], ["--min-share", "pool_min_share_young"]),
    (["--seed", "7", "--min-share", "young=" + "9" * 5000], ["--min-share", "pool_min_share_young"]),
    (["--seed", "7", "--encoding", "ebcdic"], ["--encoding", "unknown encoding 'ebcdic'"]),
])
def test_draw_numeric_options_are_bounded(args: list[str], needles: list[str]) -> None:
    start = time.perf_counter()
    code, out, err = cli(*DRAW, *args)
    assert time.perf_counter() - start < 10  # --size 10**30 ran out of memory
    one_error(code, err, *needles)
    assert out == ""


def test_draw_library_refuses_negative_alternates_and_seeds() -> None:
    from zcsim import load_rules
    from zcsim.draw import draw_committee, load_experts
    from zcsim.errors import InputError

    pool, rules = load_experts(POOL / "experts.csv"), load_rules()
    with pytest.raises(InputError, match="alternates -5; expected a whole number >= 0"):
        draw_committee(pool, rules, series="engineering", level="senior", seed=7, alternates=-5)
    with pytest.raises(InputError, match="seed -1; expected a whole number 0..9223372036854775807"):
        draw_committee(pool, rules, series="engineering", level="senior", seed=-1)


@pytest.mark.parametrize("text,needle", [
    ("coauthor_window_years: 2100\n", "coauthor_window_years: expected an integer from 0 to 100 (MAX_WINDOW_YEARS)"),
    ("supervisor_window_years: 100000\n", "supervisor_window_years: expected an integer from 0 to 100"),
    ("project_partner_window_years: 101\n", "project_partner_window_years: expected an integer from 0 to 100"),
    ("collateral_generations: 1000000\n", "collateral_generations: expected an integer from 0 to 10"),
])
def test_policy_windows_are_bounded(tmp_path: Path, text: str, needle: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(text, encoding="utf-8")
    code, _, err = cli(*conflicts_args(POOL / "relations.csv"), "--policy", str(policy))
    one_error(code, err, str(policy), needle)  # 2100 years was a "year 0 is out of range" traceback


def test_a_window_reaching_before_year_one_is_date_arithmetic_not_a_crash(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("coauthor_window_years: 100\n", encoding="utf-8")
    rel = tmp_path / "relations.csv"
    rel.write_text((POOL / "relations.csv").read_text(encoding="utf-8") + "A1,E3,coauthor,0020-01-01,0030-12-31\n",
                   encoding="utf-8")
    code, out, err = cli(*conflicts_args(rel)[:-2], "--date", "0050-06-01", "--policy", str(policy), "--json")
    assert code == 0, err  # 100 years before 0050-06-01 was "year -50 is out of range", a traceback
    assert ("A1", "E3") in pairs(out)


def test_policy_from_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "policy.yaml"
    os.mkfifo(fifo)
    code, _, err = cli(*conflicts_args(POOL / "relations.csv"), "--policy", str(fifo))
    one_error(code, err, str(fifo), "policy file expected, got a pipe")
