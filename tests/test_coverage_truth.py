"""`zcsim rules --coverage` tells the truth (issue 12, item 9): an article is `full` only when every
checkable part of it is encoded, `partial` when some part is missing (and it says which, in words),
and every part it credits names checks, parameters or commands that exist."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from zcsim.cli import main
from zcsim.coverage import ARTICLES, PARTS, STATUSES, _load_checks, coverage_table
from zcsim.law import RuleSet
from zcsim.procedure import CHECKS

ROWS = {r.article: r for r in coverage_table()}


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_every_article_is_described_part_by_part() -> None:
    assert sorted(PARTS) == list(ARTICLES)
    for art, parts in PARTS.items():
        assert parts, art
        for p in parts:
            assert p.kind in {"encoded", "missing", "not checkable"} and p.text.strip(), (art, p)
            assert bool(p.by) == (p.kind == "encoded"), (art, p)  # an encoded part names what encodes it


def test_full_has_nothing_missing_and_partial_names_what_is() -> None:
    for art, r in ROWS.items():
        assert r.status in STATUSES, art
        if r.status == "full":
            assert r.missing == () and r.encoded, art
        elif r.status == "partial":
            assert r.missing and r.encoded, art
        elif r.status == "not encoded":
            assert r.missing and not r.encoded, art
        else:
            assert not r.missing and not r.encoded and r.not_checkable, art


@pytest.mark.parametrize("art", [7, 11, 12, 20, 25, 27])
def test_articles_encoded_only_in_part_are_partial(art: int) -> None:
    assert ROWS[art].status == "partial"
    assert all(len(m) > 20 for m in ROWS[art].missing)  # words, not a flag


@pytest.mark.parametrize("art, by", [(28, "zcsim report"), (40, "filing.valid")])
def test_what_is_encoded_is_credited(art: int, by: str) -> None:
    r = ROWS[art]
    assert r.status in {"full", "partial"} and any(by in e for e in r.encoded)


def test_every_name_credited_exists() -> None:
    _load_checks()
    keys = {p.key for p in RuleSet()}
    for art, parts in PARTS.items():
        for p in parts:
            for name in p.by:
                assert name in CHECKS or name in keys or name.startswith("zcsim"), (art, name)


def test_every_check_of_the_engine_is_credited_to_its_article() -> None:
    """A check added to the engine must be put in the table (coverage.PARTS) under its article."""
    _load_checks()
    credited = {(art, name) for art, parts in PARTS.items() for p in parts for name in p.by}
    missing = sorted(f"Art. {c.article}: {c.id}" for c in CHECKS.values() if (c.article, c.id) not in credited)
    assert missing == []


def test_the_command_shows_status_and_missing_parts() -> None:
    code, out, err = run("rules", "--coverage", "--json")
    assert code == 0, err
    rows = {r["article"]: r for r in json.loads(out)}
    assert [*rows] == list(ARTICLES)
    for art, r in rows.items():
        assert r["status"] == ROWS[art].status and r["missing"] == list(ROWS[art].missing)
    assert rows[23]["status"] == "full" and "two_thirds_exactly_passes" in rows[23]["cases"]
    code, out, err = run("rules", "--coverage")
    assert code == 0, err
    firsts = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) > 5 and cells[1].startswith("Art. "):
            firsts[int(cells[1][5:])] = cells
    assert sorted(firsts) == list(ARTICLES)
    for art, cells in firsts.items():
        r = ROWS[art]
        assert r.status.startswith(cells[2]) and cells[2], (art, cells)
        if r.missing:  # the first line of the Missing cell begins the first missing part, in words
            assert len(cells[4]) > 10 and ("- " + r.missing[0]).startswith(cells[4]), (art, cells)
        else:
            assert cells[4] == "", (art, cells)
    flat = " ".join(out.split())
    counts = {s: sum(r.status == s for r in ROWS.values()) for s in STATUSES}
    assert f"{counts['full']} full, {counts['partial']} partial" in flat
