"""Sealed (tamper-evident) meeting records, Art. 27: any change, reordering, insertion or removal
of an entry after sealing is reported as a ``record.integrity`` violation naming the entry."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zcsim import RecordError, load_rules
from zcsim.cli import main
from zcsim.procedure import CHECKS
from zcsim.records import audit, audit_file, parse_record, seal_record
from zcsim.records._seal import canonical_json, record_entries

RULES = load_rules()
KEY = b"test-key-0123456789abcdef"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    return r.exit_code, r.stdout, r.stderr


def example(name: str = "compliant.json") -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def integrity(rec: dict[str, Any], key: bytes | None = None) -> list[Any]:
    """The record.integrity violations of ``rec`` as the audit reports them."""
    rep = audit(parse_record(rec), RULES, key=key)
    return [f for f in rep.violations if f.rule == "record.integrity"]


def labels(rec: dict[str, Any]) -> list[str]:
    return [e["entry"] for e in rec["seal"]["entries"]]


# --------------------------------------------------------------------------------------------
# random valid records: every kind of entry, all entries distinct
# --------------------------------------------------------------------------------------------
@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    size = draw(st.integers(1, 9))
    ids = [f"E{i:02d}" for i in range(size)]
    roles = ["chair"] + [draw(st.sampled_from(["vice_chair", "member"])) for _ in ids[1:]]
    apps = [f"A{j:02d}" for j in range(draw(st.integers(1, 5)))]
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(apps))
    rels = draw(st.lists(pairs, max_size=4, unique=True))
    recs = draw(st.lists(pairs, max_size=4, unique=True))
    n_panels = draw(st.integers(0, 3))
    rec: dict[str, Any] = {
        "format": "zcsim.meeting/1",
        "rules": draw(st.sampled_from([None, "beijing-2020"])),
        "agency": {"id": "AG", "filing_valid_until": "2027-06-30", "filed_on": "2024-07-01"},
        "committee": {"id": "C", "series": "engineering", "specialty": draw(st.sampled_from([None, "电气工程"])),
                      "level": "senior", "members": [{"id": e, "role": r} for e, r in zip(ids, roles)]},
        "panels": [{"id": f"P{k}", "experts": ids[:3], "applicants": apps,
                    "opinions": {a: draw(st.sampled_from(["support", "oppose", "同意"])) for a in apps}}
                   for k in range(n_panels)],
        "relations": [{"expert": e, "applicant": a, "type": draw(st.sampled_from(["coauthor", "spouse", "interest"]))}
                      for e, a in rels],
        "recusals": [{"expert": e, "applicant": a} for e, a in recs],
        "ballots": [{"applicant": a, "round": 1,
                     "votes": {e: draw(st.sampled_from(["yes", "no", "abstain"])) for e in ids},
                     "declared_result": draw(st.sampled_from(["pass", "fail"]))} for a in apps],
    }
    if draw(st.booleans()):
        rec["meeting"] = {"date": "2025-11-14", "presided_by": ids[0], "present": ids, "signed_minutes": ids,
                          "rounds": 1, "remarks_summary": draw(st.text(min_size=1, max_size=20).map(str.strip).filter(bool)),
                          "review_summary": "reviewed in one round"}
    return rec


def slots(rec: dict[str, Any]) -> list[tuple[str, int | None]]:
    """The entries of ``rec`` in seal order, as (section, index in that section)."""
    out: list[tuple[str, int | None]] = [("record", None), ("committee", None)]
    out += [("members", i) for i in range(len(rec["committee"]["members"]))]
    out += [("panels", i) for i in range(len(rec.get("panels", [])))]
    out += [("meeting", None)] if rec.get("meeting") is not None else []
    for sec in ("relations", "recusals", "ballots"):
        out += [(sec, i) for i in range(len(rec.get(sec, [])))]
    return out


def _section(rec: dict[str, Any], sec: str) -> list[Any]:
    return rec["committee"]["members"] if sec == "members" else rec[sec]


def change(rec: dict[str, Any], sec: str, i: int | None) -> None:
    """Change one field of one entry to a different valid value (keeping what names it)."""
    if sec == "record":
        rec["agency"]["id"] += "X"
    elif sec == "committee":
        rec["committee"]["series"] = "accounting"
    elif sec == "meeting":
        rec["meeting"]["remarks_summary"] += " (edited)"
    elif sec == "members":
        m = rec["committee"]["members"][i]
        m["role"] = "member" if m["role"] != "member" else "vice_chair"
    elif sec == "panels":
        rec["panels"][i]["experts"] = rec["panels"][i]["experts"] + ["E99"]
    elif sec == "relations":
        r = rec["relations"][i]
        r["type"] = "spouse" if r["type"] != "spouse" else "coauthor"
    elif sec == "recusals":
        rec["recusals"][i]["applicant"] += "X"
    elif sec == "ballots":
        b = rec["ballots"][i]
        b["declared_result"] = "fail" if b["declared_result"] == "pass" else "pass"


@given(records())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_a_sealed_record_audits_without_integrity_violation(rec: dict[str, Any]) -> None:
    sealed = seal_record(rec)
    assert len(sealed["seal"]["entries"]) == len(slots(rec))
    assert integrity(sealed) == []
    found = [f for f in audit(parse_record(sealed), RULES).findings if f.rule == "record.integrity"]
    assert len(found) == 1 and found[0].ok and "unchanged" in found[0].detail
    # sealing keeps every other key and value of the record
    assert {k: v for k, v in sealed.items() if k != "seal"} == rec


@given(records(), st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_a_changed_entry_is_reported_at_its_place(rec: dict[str, Any], data: st.DataObject) -> None:
    sealed = seal_record(rec)
    sl = slots(rec)
    n = data.draw(st.integers(0, len(sl) - 1), label="entry")
    bad = copy.deepcopy(sealed)
    change(bad, *sl[n])
    label = labels(sealed)[n]
    found = integrity(bad)
    assert found, f"change of {label} not detected"
    assert all(f.article == 27 for f in found)
    # located: the entry's index and label (a change of what names it reads as removed + inserted)
    assert any(f"entry {n} ({label}) changed" in f.detail or f"entry {n} ({label}) removed" in f.detail
               for f in found), [f.detail for f in found]


@given(records(), st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_a_removed_entry_is_reported_by_index_and_label(rec: dict[str, Any], data: st.DataObject) -> None:
    sealed = seal_record(rec)
    sl = slots(rec)
    listed = [(k, s) for k, s in enumerate(sl) if s[1] is not None]
    n, (sec, i) = data.draw(st.sampled_from(listed), label="entry")
    bad = copy.deepcopy(sealed)
    del _section(bad, sec)[i]
    found = integrity(bad)
    assert [f.detail for f in found] == [f"entry {n} ({labels(sealed)[n]}) removed since sealing"]


@given(records(), st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_an_inserted_entry_is_reported_at_its_position(rec: dict[str, Any], data: st.DataObject) -> None:
    sealed = seal_record(rec)
    sec = data.draw(st.sampled_from(["members", "recusals", "ballots", "relations"]), label="section")
    new = {"members": {"id": "E99", "role": "member"}, "recusals": {"expert": "E99", "applicant": "A99"},
           "ballots": {"applicant": "A99", "votes": {"E00": "yes"}, "declared_result": "pass"},
           "relations": {"expert": "E99", "applicant": "A99", "type": "interest"}}[sec]
    bad = copy.deepcopy(sealed)
    lst = _section(bad, sec)
    at = data.draw(st.integers(0, len(lst)), label="at")
    lst.insert(at, new)
    pos = slots(bad).index((sec, at))
    found = integrity(bad)
    assert len(found) == 1 and f"entry at position {pos} (" in found[0].detail and "inserted" in found[0].detail


@given(records(), st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_reordered_entries_are_reported(rec: dict[str, Any], data: st.DataObject) -> None:
    sl = slots(rec)
    secs = [s for s in ("members", "panels", "relations", "recusals", "ballots")
            if sum(1 for x in sl if x[0] == s) >= 2]
    if not secs:
        return
    sealed = seal_record(rec)
    sec = data.draw(st.sampled_from(secs), label="section")
    lst = _section(copy.deepcopy(sealed), sec)
    i, j = sorted(data.draw(st.lists(st.integers(0, len(lst) - 1), min_size=2, max_size=2, unique=True), label="swap"))
    bad = copy.deepcopy(sealed)
    lst = _section(bad, sec)
    lst[i], lst[j] = lst[j], lst[i]
    found = integrity(bad)
    a, b = sl.index((sec, i)), sl.index((sec, j))
    assert found and all("reordered" in f.detail for f in found), [f.detail for f in found]
    text = " | ".join(f.detail for f in found)
    assert f"entries {a} and {b}" in text or f"entry {a} (" in text or f"entry {b} (" in text


@given(records(), st.sampled_from(["head", "hash", "label"]))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_an_edited_seal_is_reported(rec: dict[str, Any], what: str) -> None:
    bad = seal_record(rec)
    s = bad["seal"]
    if what == "head":
        s["head"] = ("0" if s["head"][0] != "0" else "1") + s["head"][1:]
    elif what == "hash":
        s["entries"][-1]["hash"] = "f" * 64
    else:
        s["entries"][0]["entry"] = "something else"
    found = integrity(bad)
    assert any("seal.head does not match" in f.detail for f in found)


@given(records(), st.randoms(use_true_random=False))
@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=50)
def test_canonical_form_ignores_key_order_whitespace_and_spelt_out_defaults(rec: dict[str, Any], rnd: random.Random) -> None:
    sealed = seal_record(rec)

    def shuffle(x: Any) -> Any:
        if isinstance(x, dict):
            items = list(x.items())
            rnd.shuffle(items)
            return {k: shuffle(v) for k, v in items}
        if isinstance(x, list):
            return [shuffle(v) for v in x]
        return x

    text = json.dumps(shuffle(sealed), ensure_ascii=rnd.random() < 0.5, indent=rnd.choice([None, 1, 4]))
    again = json.loads(text)
    assert integrity(again) == []
    assert seal_record(again)["seal"] == sealed["seal"]
    # defaults written out or left out are the same record
    spelt = copy.deepcopy(rec)
    spelt.setdefault("relations", [])
    spelt["committee"]["size_adjustment_filed"] = False
    for b in spelt["ballots"]:
        b.pop("round", None)
    assert seal_record(spelt)["seal"] == sealed["seal"]


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": ["评审", None, True]}) == '{"a":["评审",null,true],"b":1}'.encode()
    ents = record_entries(parse_record(example()))
    assert ents[0][0] == "record" and ents[-1][1] == "ballot A06"


def test_unsealed_records_audit_as_before_with_a_note() -> None:
    rep = audit(parse_record(example()), RULES)
    assert rep.compliant
    note = [f for f in rep.findings if f.rule == "record.integrity"]
    assert len(note) == 1 and note[0].ok and "not sealed" in note[0].detail
    assert CHECKS["record.integrity"].article == 27


@pytest.mark.parametrize("name", ["compliant.json", "violations.json"])
def test_example_records_sealed_and_reaudited(name: str, tmp_path: Path) -> None:
    rec = example(name)
    before = {(f.rule, f.applicant, f.expert, f.detail) for f in audit(parse_record(rec), RULES).violations}
    path = tmp_path / name
    path.write_text(json.dumps(seal_record(rec), ensure_ascii=False, indent=2), encoding="utf-8")
    rep = audit_file(path)
    after = {(f.rule, f.applicant, f.expert, f.detail) for f in rep.violations}
    assert after == before  # sealing changes nothing the audit says
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "schemas" / "zcsim.meeting-1.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)


def test_the_example_ballot_edit_is_named() -> None:
    sealed = seal_record(example())
    sealed["ballots"][2]["votes"]["E07"] = "yes"
    found = integrity(sealed)
    assert [(f.detail, f.applicant) for f in found] == [("entry 23 (ballot A03) changed since sealing", "A03")]
    sealed = seal_record(example())
    del sealed["recusals"][0]
    found = integrity(sealed)
    assert [(f.detail, f.expert, f.applicant) for f in found] == [
        ("entry 19 (recusal E05/A04) removed since sealing", "E05", "A04")]
    sealed = seal_record(example())
    sealed["ballots"][1], sealed["ballots"][2] = sealed["ballots"][2], sealed["ballots"][1]
    assert [f.detail for f in integrity(sealed)] == ["entries 22 and 23 (ballot A02, ballot A03) reordered"]


# --------------------------------------------------------------------------------------------
# HMAC
# --------------------------------------------------------------------------------------------
def test_hmac_verifies_only_with_the_sealing_key() -> None:
    keyed = seal_record(example(), key=KEY)
    assert "hmac" in keyed["seal"]
    assert integrity(keyed, key=KEY) == []
    assert [f.detail for f in integrity(keyed, key=b"another key")] == [
        "seal.hmac does not verify with the given key: not sealed with this key, or the seal was rewritten"]
    assert integrity(keyed) == []  # no key: chain checked, authenticity not
    note = next(f for f in audit(parse_record(keyed), RULES).findings if f.rule == "record.integrity")
    assert "authenticity not checked" in note.detail
    # whoever rewrites the record and reseals it without the key is caught by the key holder
    forged = copy.deepcopy(keyed)
    forged["ballots"][0]["declared_result"] = "fail"
    forged = seal_record(forged)
    forged["seal"]["hmac"] = keyed["seal"]["hmac"]
    assert integrity(forged) == []
    assert any("hmac does not verify" in f.detail for f in integrity(forged, key=KEY))
    unkeyed = seal_record(example())
    assert any("sealed without one" in f.detail for f in integrity(unkeyed, key=KEY))


def test_seal_rejects_a_malformed_record() -> None:
    with pytest.raises(RecordError, match="committee"):
        seal_record({"format": "zcsim.meeting/1"})


# --------------------------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------------------------
def test_zcsim_seal_then_audit_then_tamper(tmp_path: Path) -> None:
    out = tmp_path / "sealed.json"
    code, _, err = run("seal", str(EXAMPLES / "compliant.json"), "--out", str(out))
    assert code == 0 and "Sealed 27 entries" in err
    code, _, err = run("seal", str(EXAMPLES / "compliant.json"), "--out", str(out))
    assert code == 2 and "file exists" in err and err.count("\n") == 1
    assert run("audit", str(out))[0] == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["ballots"][2]["votes"]["E07"] = "yes"
    out.write_text(json.dumps(doc), encoding="utf-8")
    code, text, _ = run("audit", "--json", str(out))
    assert code == 1
    v = [x for x in json.loads(text)["violations"] if x["rule"] == "record.integrity"]
    assert v == [{"rule": "record.integrity", "article": 27, "detail": "entry 23 (ballot A03) changed since sealing",
                  "applicant": "A03", "expert": None}]
    # a record whose seal no longer verifies is not resealed by accident
    code, _, err = run("seal", str(out), "--in-place")
    assert code == 2 and "--reseal" in err
    assert run("seal", str(out), "--in-place", "--reseal")[0] == 0
    assert run("audit", str(out))[0] == 1  # the ballot now contradicts the declared result (Art. 23)


def test_zcsim_seal_prints_in_place_and_keys(tmp_path: Path) -> None:
    rec = tmp_path / "r.json"
    rec.write_text((EXAMPLES / "compliant.json").read_text(encoding="utf-8"), encoding="utf-8")
    code, text, _ = run("seal", str(rec))
    assert code == 0 and json.loads(text)["seal"]["algorithm"] == "sha256"
    assert "seal" not in json.loads(rec.read_text(encoding="utf-8"))  # printing does not write
    key = tmp_path / "k"
    key.write_bytes(KEY + b"\n")
    assert run("seal", str(rec), "--in-place", "--key-file", str(key))[0] == 0
    assert "hmac" in json.loads(rec.read_text(encoding="utf-8"))["seal"]
    assert KEY.decode() not in rec.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
    assert run("audit", str(rec), env={"ZCSIM_SEAL_KEY": KEY.decode()})[0] == 0
    code, text, _ = run("audit", "--json", str(rec), env={"ZCSIM_SEAL_KEY": "wrong"})
    assert code == 1 and json.loads(text)["violations"][0]["rule"] == "record.integrity"
    code, _, err = run("seal", str(rec), "--out", str(tmp_path / "x.json"), "--in-place")
    assert code == 2 and "not both" in err
    code, _, err = run("seal", str(rec), "--key-file", str(tmp_path / "missing"))
    assert code == 2 and "key file not found" in err


def test_simulated_records_are_sealed_and_an_edited_ballot_fails_the_audit(tmp_path: Path) -> None:
    out = tmp_path / "res"
    code, _, _ = run("simulate", str(ROOT / "scenarios" / "quick.yaml"), "-n", "1", "--workers", "1",
                     "--out", str(out), "--records")
    assert code == 0
    files = sorted((out / "records").glob("*.json"))
    assert files
    # the auditor names the rules the scenario ran under (a record never chooses them)
    held_under = {json.loads(f.read_text(encoding="utf-8"))["rules"] for f in files}
    assert len(held_under) == 1
    rules = held_under.pop()
    code, text, _ = run("audit", "--json", "--rules", rules, *map(str, files))
    docs = json.loads(text)
    docs = docs if isinstance(docs, list) else [docs]
    assert code == 0 and all(d["compliant"] for d in docs)
    for f in files:
        assert "seal" in json.loads(f.read_text(encoding="utf-8"))
    target = next(f for f in files if json.loads(f.read_text(encoding="utf-8"))["ballots"])
    doc = json.loads(target.read_text(encoding="utf-8"))
    b = doc["ballots"][0]
    expert, vote = next(iter(b["votes"].items()))
    b["votes"][expert] = "abstain" if vote != "abstain" else "yes"
    target.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    code, text, _ = run("audit", "--json", "--rules", rules, str(target))
    assert code == 1
    v = [x for x in json.loads(text)["violations"] if x["article"] == 27]
    assert v and v[0]["rule"] == "record.integrity" and v[0]["applicant"] == b["applicant"]
    assert f"(ballot {b['applicant']}) changed" in v[0]["detail"]


def test_a_malformed_seal_is_a_malformed_record_not_a_crash(tmp_path: Path) -> None:
    bad = seal_record(example())
    bad["seal"]["algorithm"] = "md5"
    with pytest.raises(RecordError, match=r"seal\.algorithm"):
        parse_record(bad)
    bad = seal_record(example(), key=KEY)
    bad["seal"]["hmac"] = "é" * 64
    assert any("hmac does not verify" in f.detail for f in integrity(bad, key=KEY))
    path = tmp_path / "r.json"
    del bad["seal"]["entries"]
    path.write_text(json.dumps(bad), encoding="utf-8")
    code, _, err = run("audit", str(path))
    assert code == 2 and "seal.entries" in err and "Art. 27" in err


def test_audit_key_file_and_require_seal_options(tmp_path: Path) -> None:
    key = tmp_path / "seal.key"
    key.write_bytes(b"agency secret\n")
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(example()), encoding="utf-8")
    sealed = tmp_path / "sealed.json"
    sealed.write_text(json.dumps(seal_record(example(), key=b"agency secret")), encoding="utf-8")
    # an unsealed compliant record passes, unless a seal is required (Art. 27)
    assert run("audit", str(plain))[0] == 0
    code, out, _ = run("audit", str(plain), "--require-seal", "--json")
    assert code == 1
    assert [v["rule"] for v in json.loads(out)["violations"]] == ["record.integrity"]
    # the HMAC is checked with the key file; a different key is a violation
    assert run("audit", str(sealed), "--key-file", str(key), "--require-seal")[0] == 0
    other = tmp_path / "other.key"
    other.write_bytes(b"someone else")
    code, out, _ = run("audit", str(sealed), "--key-file", str(other), "--json")
    assert code == 1 and "record.integrity" in out
    code, _, err = run("audit", str(sealed), "--key-file", str(tmp_path / "missing.key"))
    assert code == 2 and err.count("\n") == 1 and "missing.key" in err
