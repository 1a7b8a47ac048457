"""Art. 28 (专家名单……不得对外公布): a report's pseudonyms cannot be traced back from the report and the
id list. They are "Expert N" numbered by a keyed hash, HMAC-SHA256(key, id), whose key is a random
secret of each report (never written) or the agency's key (the same pseudonyms in every report).

The attack tested: someone holds the pool's id list (experts.csv) and a public report, and
recomputes the ranking of the old construction (unsalted SHA-256 of each id) to name the experts."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT

from zcsim.cli import main
from zcsim.errors import InputError
from zcsim.report import Pseudonyms, pseudonym_key

POOL = ROOT / "examples" / "pool"
QUICK = str(ROOT / "scenarios" / "quick.yaml")
KEY = b"agency-key: 8f1c2e9a7b3d4f60a1b2c3d4e5f60718"
PSEUDONYM = re.compile(r"Expert \d+")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    return r.exit_code, r.stdout, r.stderr


def ranking(ids: Iterable[str], digest: Any) -> dict[str, str]:
    """``{id: "Expert n"}`` numbered in the order of ``digest(id)`` (ties by id)."""
    order = sorted(ids, key=lambda s: (digest(s), s))
    return {s: f"Expert {i + 1}" for i, s in enumerate(order)}


def unsalted(ids: Iterable[str]) -> dict[str, str]:
    """The old construction: anyone with the id list can compute it."""
    return ranking(ids, lambda s: hashlib.sha256(s.encode()).hexdigest())


def keyed(ids: Iterable[str], key: bytes) -> dict[str, str]:
    """The construction of the report, written out here from its definition."""
    return ranking(ids, lambda s: hmac.new(key, s.encode(), hashlib.sha256).digest())


def pool_ids() -> list[str]:
    with (POOL / "experts.csv").open(encoding="utf-8") as fh:
        return [row["id"] for row in csv.DictReader(fh)]


def everything_written(folder: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def secret_forms(secret: bytes) -> list[bytes]:
    """The key as bytes, hex, base64 and its text; long enough that a chance match is impossible."""
    forms = [secret, secret.hex().encode(), secret.hex().upper().encode(), base64.b64encode(secret),
             base64.urlsafe_b64encode(secret), base64.b64encode(secret).rstrip(b"=")]
    return [f for f in forms if len(f) >= 16]


# ------------------------------------------------------------------------------------------------
# the construction
# ------------------------------------------------------------------------------------------------
IDS = [f"E{i:06d}" for i in range(1, 41)]


def test_without_a_key_each_report_numbers_the_experts_anew() -> None:
    maps = [Pseudonyms(IDS).mapping for _ in range(5)]
    for m in maps:
        assert sorted(m.values(), key=lambda s: int(s.split()[1])) == [f"Expert {i}" for i in range(1, 41)]
        assert m != unsalted(IDS)  # the id list alone does not give the mapping back
    assert len({tuple(sorted(m.items())) for m in maps}) == 5  # 40! orders: two equal by chance ~ 1e-48


def test_the_agency_key_gives_the_same_pseudonyms_and_only_with_that_key() -> None:
    a, b = Pseudonyms(IDS, key=KEY), Pseudonyms(reversed(IDS), key=KEY)
    assert a.mapping == b.mapping == keyed(IDS, KEY)
    assert a.mapping != unsalted(IDS)
    assert Pseudonyms(IDS, key=KEY[:-1] + b"!").mapping != a.mapping
    assert a.keyed and not Pseudonyms(IDS).keyed


def test_the_key_is_never_shown_nor_pickled() -> None:
    import pickle

    p = Pseudonyms(IDS, key=KEY)
    assert KEY.decode() not in repr(p) and KEY.hex() not in repr(p)
    with pytest.raises(TypeError):
        pickle.dumps(p)


def test_lists_and_runs_in_text_are_in_pseudonym_order() -> None:
    """A list kept in the ids' order would tell anyone with the id list which pseudonym is which."""
    p = Pseudonyms(IDS)
    listed = p.listed(IDS)
    assert [int(s.split()[1]) for s in listed] == sorted(int(s.split()[1]) for s in listed)
    text = p.text("related: " + ", ".join(IDS[:6]) + ".")
    numbers = [int(n) for n in re.findall(r"Expert (\d+)", text)]
    assert numbers == sorted(numbers) and len(numbers) == 6
    assert sorted(numbers) == sorted(int(p.name(e).split()[1]) for e in IDS[:6])


@pytest.mark.parametrize("key", [b"", b"short", b"fifteen bytes!!"])
def test_a_short_key_is_refused(key: bytes) -> None:
    with pytest.raises(InputError, match="at least 16 bytes"):
        Pseudonyms(IDS, key=key)


def test_key_file_and_environment_give_the_same_key(tmp_path: Path) -> None:
    f = tmp_path / "key"
    f.write_bytes(KEY + b"\n")  # `echo KEY > key`: the line end is not part of the key
    assert pseudonym_key(f, environ={}) == KEY
    assert pseudonym_key(environ={"ZCSIM_PSEUDONYM_KEY": KEY.decode()}) == KEY
    assert pseudonym_key(f, environ={"ZCSIM_PSEUDONYM_KEY": "another key, 16+ bytes"}) == KEY  # the file wins
    assert pseudonym_key(environ={}) is None
    for bad in ("/dev/zero", str(tmp_path), str(tmp_path / "missing")):
        with pytest.raises(InputError):
            pseudonym_key(bad, environ={})


# ------------------------------------------------------------------------------------------------
# verify --pool --report: verify.json and the report beside it
# ------------------------------------------------------------------------------------------------
def _verify(out: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The real witness (--json, an internal output) and the public one (verify.json) of one run."""
    code, stdout, err = run("verify", "--pool", str(POOL), "--date", "2025-11-14", "--only", "panel", "--json",
                            "--report", str(out), *extra, env=env)
    assert code == 0, err
    real = json.loads(stdout)[0]["witness"]
    public = json.loads((out / "verify.json").read_text(encoding="utf-8"))[0]["witness"]
    return real, public


def _committee(mapping: dict[str, str], real: dict[str, Any]) -> set[str]:
    return {mapping[e] for e in real["committee"]}


def test_verify_pseudonyms_are_not_the_unsalted_ranking_and_differ_between_runs(tmp_path: Path) -> None:
    ids = pool_ids()
    publics = []
    for i in range(3):
        real, public = _verify(tmp_path / f"r{i}", env={"ZCSIM_PSEUDONYM_KEY": ""})
        assert len(public["committee"]) == len(real["committee"]) == 25
        assert set(public["committee"]) != _committee(unsalted(ids), real)  # 1 in C(60, 25) by chance
        publics.append(frozenset(public["committee"]))
        # the committee is listed in pseudonym order, not in the order of the real ids
        assert public["committee"] == sorted(public["committee"], key=lambda s: int(s.split()[1]))
    assert len(set(publics)) == 3


def test_verify_with_the_agency_key_is_stable_and_is_the_keyed_ranking(tmp_path: Path) -> None:
    ids = pool_ids()
    key_file = tmp_path / "agency.key"
    key_file.write_bytes(KEY)
    real, a = _verify(tmp_path / "a", "--pseudonym-key-file", str(key_file))
    real_b, b = _verify(tmp_path / "b", env={"ZCSIM_PSEUDONYM_KEY": KEY.decode()})
    expected = keyed(ids, KEY)
    # the same key, by file or by environment: the same pseudonyms (the solver's witness itself may
    # differ between two runs in one process, so each run is checked against the keyed mapping)
    assert set(b["committee"]) == _committee(expected, real_b)
    assert set(a["committee"]) == _committee(expected, real)
    assert {expected[e] for e in real["panels"][0]["experts"]} == set(a["panels"][0]["experts"])
    assert set(a["committee"]) != _committee(unsalted(ids), real)
    for folder in (tmp_path / "a", tmp_path / "b"):
        written = everything_written(folder)
        assert all(f not in written for f in secret_forms(KEY)), folder
        assert not any(re.search(rf"(?<!\w){e}(?!\w)", (folder / "verify.json").read_text(encoding="utf-8"))
                       for e in ids)


def test_the_per_report_secret_is_written_nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zcsim.report._anon as anon

    drawn: list[bytes] = []
    real_token = anon.secrets.token_bytes

    def spy(n: int) -> bytes:
        drawn.append(real_token(n))
        return drawn[-1]

    monkeypatch.setattr(anon.secrets, "token_bytes", spy)
    _verify(tmp_path / "v", env={"ZCSIM_PSEUDONYM_KEY": ""})
    assert drawn and all(len(s) == 32 for s in drawn)
    written = everything_written(tmp_path / "v")
    assert written and all(f not in written for s in drawn for f in secret_forms(s))


# ------------------------------------------------------------------------------------------------
# simulation reports: the same construction
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("pseudo") / "results"
    code, _, err = run("simulate", QUICK, "-n", "1", "--workers", "1", "--out", str(out), "--records")
    assert code == 0, err
    return out


def _load_rows(md: Path) -> list[list[str]]:
    text = md.read_text(encoding="utf-8")
    block = text.split("The ten most loaded experts", 1)[1].split("\n\n", 2)[1]
    return [[c.strip() for c in line.strip("|").split("|")] for line in block.splitlines()[2:]]


def test_simulation_report_uses_the_keyed_ranking(sim: Path, tmp_path: Path) -> None:
    from zcsim.report._build import collect_ids
    from zcsim.report._load import load_source

    key_file = tmp_path / "agency.key"
    key_file.write_bytes(KEY + b"\n")
    outs = {}
    for name, extra, env in [("plain1", [], {"ZCSIM_PSEUDONYM_KEY": ""}), ("plain2", [], {"ZCSIM_PSEUDONYM_KEY": ""}),
                             ("file", ["--pseudonym-key-file", str(key_file)], {}),
                             ("env", [], {"ZCSIM_PSEUDONYM_KEY": KEY.decode()}), ("internal", ["--internal"], {})]:
        code, _, err = run("report", str(sim), "--out", str(tmp_path / f"{name}.html"), *extra, env=env)
        assert code == 0, err
        outs[name] = _load_rows(tmp_path / f"{name}.md")
    assert len(outs["file"]) == 10
    assert outs["file"] == outs["env"]  # stable with the agency's key
    assert [r[0] for r in outs["plain1"]] != [r[0] for r in outs["plain2"]]  # a new secret each report
    ids = collect_ids(load_source(sim))
    back = {v: k for k, v in keyed(ids, KEY).items()}
    old = unsalted(ids)
    # rows above the table's lowest load are the same experts in every table (no tie at the cut)
    low = min(int(r[3]) for r in outs["internal"])
    internal = {tuple(r) for r in outs["internal"] if int(r[3]) > low}
    assert internal, "the quick scenario should give a few experts above the tenth's load"
    public = {(back[r[0]], *r[1:]) for r in outs["file"] if int(r[3]) > low}
    assert public == internal
    assert {(old[r[0]], *r[1:]) for r in outs["internal"]} != {tuple(r) for r in outs["file"]}
    for name in ("plain1", "file"):
        html = unescape((tmp_path / f"{name}.html").read_text(encoding="utf-8"))
        assert "HMAC-SHA256" in html and ("agency's pseudonym key" in html) == (name == "file")
    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p != key_file)
    assert all(f not in written for f in secret_forms(KEY))


def test_simulate_report_option_takes_the_key(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    key_file = tmp_path / "agency.key"
    key_file.write_bytes(KEY)
    tables = []
    for i in range(2):
        code, _, err = run("simulate", QUICK, "-n", "1", "--workers", "1", "--report", str(tmp_path / f"s{i}.html"),
                           "--pseudonym-key-file", str(key_file))
        assert code == 0, err
        tables.append(_load_rows(tmp_path / f"s{i}.md"))
    assert tables[0] == tables[1] and len(tables[0]) == 10


# ------------------------------------------------------------------------------------------------
# bad input: one line, exit 2
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, env, expect", [
    (["verify", "--only", "passing", "--pseudonym-key-file", "{key}"], {}, "only with --report"),
    (["report", "{verify}", "--pseudonym-key-file", "{short}"], {}, "at least 16 bytes"),
    (["report", "{verify}", "--pseudonym-key-file", "/dev/zero"], {}, "not a regular file"),
    (["report", "{verify}", "--internal", "--pseudonym-key-file", "{key}"], {}, "not used with --internal"),
    (["verify", "--only", "passing", "--report", "{out}"], {"ZCSIM_PSEUDONYM_KEY": "abc"}, "ZCSIM_PSEUDONYM_KEY"),
])
def test_bad_keys_are_one_line(tmp_path: Path, args: list[str], env: dict[str, str], expect: str) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / "key").write_bytes(KEY)
    (tmp_path / "short").write_bytes(b"0123456789\n")
    (tmp_path / "v.json").write_text('[{"id": "p", "verdict": "proved", "articles": [22], "statement": "s", '
                                     '"detail": ""}]', encoding="utf-8")
    fill = {"key": str(tmp_path / "key"), "short": str(tmp_path / "short"), "verify": str(tmp_path / "v.json"),
            "out": str(tmp_path / "out")}
    code, _, err = run(*[a.format(**fill) for a in args], env=env)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("zcsim: error: ") and expect in err, err
    assert not (tmp_path / "out").exists()  # refused before any work
