"""Regressions of issue 11 found while joining the parts: unbounded numbers in --vary and
--target, a grid too large to build, a blacklist near year 9999, and the encoding detector."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from zcsim._files import decode_table, load_user_json
from zcsim.cli import main
from zcsim.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
QUICK = str(ROOT / "scenarios" / "quick.yaml")


@pytest.mark.parametrize("vary", ["pool.size=1e-999999999..1", "pool.size=150..300:1e-99999999",
                                  "quorum_ratio=1/2,1e-999999999/3"])
def test_a_huge_exponent_in_vary_is_refused_at_once(vary: str) -> None:
    """Fraction('1e-999999999') computes a billion-digit integer; the rule sets' reader refuses it."""
    start = time.monotonic()
    r = CliRunner().invoke(main, ["sweep", QUICK, "--vary", vary, "-n", "1"])
    assert r.exit_code == 2 and "zcsim: error:" in r.stderr
    assert time.monotonic() - start < 20


def test_an_infinite_target_is_one_line() -> None:
    r = CliRunner().invoke(main, ["size", QUICK, "--vary", "pool.size=150,180",
                                  "--target", "quorum_failure_rate<=1e99999"])
    assert r.exit_code == 2
    assert "--target" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_grid_too_large_to_build_is_refused_before_it_is_built() -> None:
    r = CliRunner().invoke(main, ["size", QUICK, "--vary", "pool.size=150..300:1", "--vary", "panels=1..100",
                                  "--target", "quorum_failure_rate<=0.01"])
    assert r.exit_code == 2
    assert "15,100 variants" in r.stderr and "MAX_VARIANTS" in r.stderr


def test_a_blacklist_near_year_9999_is_judged_not_crashed() -> None:
    from zcsim.law import load_rules
    from zcsim.procedure.application import _blacklist

    class Applicant:
        id = "A1"
        blacklisted_on = datetime.date(9998, 6, 1)

    rules = load_rules("beijing-2020", ["blacklist_reading=bar"])
    f = _blacklist(Applicant(), rules, datetime.date(9999, 1, 1))  # type: ignore[arg-type]
    assert f.ok is False and "9999-12-31" in f.detail


# ------------------------------------------------------------------------------------------------
# the encoding of an agency's table (zcsim._files.decode_table)
# ------------------------------------------------------------------------------------------------
NAMES = "专家,申请人,配偶,父母,兄弟姐妹,工程,北京,张伟,王芳,李娜,刘洋,陈静,回避,委员会"


def test_chinese_text_in_either_encoding_is_read_as_written() -> None:
    text = f"id,name\nE1,{NAMES}\n"
    for enc, name in (("utf-8", "utf-8"), ("gbk", "gb18030"), ("gb18030", "gb18030")):
        assert decode_table(text.encode(enc), "t.csv", "experts") == (text, name)
    assert decode_table(b"\xef\xbb\xbf" + text.encode("utf-8"), "t.csv", "experts") == (text, "utf-8 (BOM)")


def test_gbk_bytes_that_are_valid_utf8_are_read_as_gbk() -> None:
    """The issue's case: GBK whose bytes happen to be valid UTF-8 read as mojibake before."""
    level1 = (bytes([lead, trail]).decode("gb2312") for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF)
              if not (lead == 0xD7 and trail > 0xF9))
    word = next(c for c in level1 if _valid_utf8(c.encode("gbk")))  # a common hanzi whose GBK bytes are UTF-8
    raw = f"source,target,type\nA9,{word},spouse\n".encode("gbk")
    assert _valid_utf8(raw)
    text, enc = decode_table(raw, "r.csv", "relations")
    assert enc == "gb18030" and word in text


def _valid_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_bytes_in_neither_encoding_are_refused_with_the_line() -> None:
    with pytest.raises(InputError, match=r"line 3: .*neither UTF-8 nor GB18030.*--encoding"):
        decode_table(b"a,b\n1,2\n\xff\xff\n", "r.csv", "relations")


def test_a_forced_encoding_that_does_not_fit_is_refused_with_the_line() -> None:
    with pytest.raises(InputError, match=r"line 2: not utf-8 text"):
        decode_table("a\n配偶\n".encode("gbk"), "r.csv", "relations", encoding="utf-8")


def test_json_duplicate_keys_are_found_at_any_depth() -> None:
    with pytest.raises(InputError, match=r"line 3: duplicate key 'E01'"):
        load_user_json('{"ballots": [{"votes": {"E01": "yes",\n "E02": "no",\n "E01": "no"}}]}', "r.json", "record")
