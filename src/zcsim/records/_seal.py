"""Tamper-evident meeting records: a hash chain over the entries of a record (Art. 27).

Art. 27 requires the review to be recorded in full and to be traceable (评审过程全程记录，
做到可追溯). A *sealed* record carries a ``seal`` block: the SHA-256 hash of each of its
entries, in a fixed order, and the head of a hash chain over them. The audit recomputes both
and reports every entry that was changed, removed, inserted or reordered as a violation of
Art. 27 (check ``record.integrity``), naming the entry.

Entries, in this order (``n`` below is the 0-based index in ``seal.entries``):

=============  ==============================================  =====================
entry          what it holds                                   label
=============  ==============================================  =====================
``record``     ``format``, ``rules``, ``agency``               ``record``
``committee``  ``committee`` without ``members``               ``committee C1``
``member``     each ``committee.members[i]``                   ``member E01``
``panel``      each ``panels[i]``                              ``panel P1``
``meeting``    ``meeting`` (present only when recorded)        ``meeting``
``relation``   each ``relations[i]``                           ``relation E05/A04``
``recusal``    each ``recusals[i]``                            ``recusal E05/A04``
``ballot``     each ``ballots[i]``                             ``ballot A03`` (``round 2``)
=============  ==============================================  =====================

Canonical form of an entry (``zcsim-c14n/1``): the entry's value *as the format reads it*
(validated by the ``zcsim.meeting/1`` model: dates ``YYYY-MM-DD``, surrounding whitespace of
strings removed, fields equal to their default omitted), wrapped as ``{"entry": KIND, "value":
VALUE}`` and written as JSON with sorted keys, no whitespace, UTF-8 (no ``\\u`` escapes) and
integers in decimal. So the key order, indentation and spelling of defaults of the file do not
matter; every change to what the audit reads does.

Hashes: ``hash_n = SHA-256(canonical entry n)``; the chain starts at
``c_0 = SHA-256("zcsim.meeting/1 seal")`` and ``c_{n+1} = SHA-256(c_n ‖ label_n ‖ 0x00 ‖
hash_n)`` (raw 32-byte digests, label in UTF-8); ``head`` is the hex of the last link. With a key,
``hmac = HMAC-SHA256(key, head)`` (head as ASCII hex).
"""

from __future__ import annotations

import difflib
import hashlib
import hmac as _hmac
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zcsim._files import read_user_bytes
from zcsim.errors import InputError
from zcsim.procedure._finding import Finding, register
from zcsim.records._io import parse_record
from zcsim.records._model import Record

__all__ = [
    "INTEGRITY",
    "KEY_ENV",
    "canonical_json",
    "key_from_env",
    "read_key",
    "record_entries",
    "seal_record",
    "verify_seal",
]

INTEGRITY = register(
    "record.integrity", 27,
    "a sealed record is unchanged: no entry changed, removed, inserted or reordered since sealing (traceable)",
)

KEY_ENV = "ZCSIM_SEAL_KEY"
"""Environment variable that may hold an HMAC key (the key itself, UTF-8)."""

ALGORITHM = "sha256"
CANONICAL = "zcsim-c14n/1"
_GENESIS = hashlib.sha256(b"zcsim.meeting/1 seal").digest()


def canonical_json(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8, no ASCII escaping.

    Examples
    --------
    >>> canonical_json({"b": [1, "é"], "a": None})
    b'{"a":null,"b":[1,"\\xc3\\xa9"]}'
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _pair(a: str, b: str) -> str:
    return f"{a}/{b}"


def record_entries(record: Record) -> list[tuple[str, str, bytes, dict[str, str | None]]]:
    """The chained entries of ``record`` in canonical order.

    Returns
    -------
    list of (kind, label, canonical bytes, where)
        ``where`` holds the ``expert`` and ``applicant`` the entry concerns (for findings).
    """
    out: list[tuple[str, str, bytes, dict[str, str | None]]] = []

    def add(kind: str, label: str, value: Any, expert: str | None = None, applicant: str | None = None) -> None:
        out.append((kind, label, canonical_json({"entry": kind, "value": value}),
                    {"expert": expert, "applicant": applicant}))

    full = record.model_dump(mode="json", exclude_defaults=True, exclude={"seal"})  # one pass
    com, cdump = record.committee, full["committee"]
    add("record", "record", {"format": record.format, "rules": record.rules, "agency": full.get("agency")})
    add("committee", f"committee {com.id}", {k: v for k, v in cdump.items() if k != "members"})
    for m, v in zip(com.members, cdump.get("members", [])):
        add("member", f"member {m.id}", v, expert=m.id)
    for p, v in zip(record.panels, full.get("panels", [])):
        add("panel", f"panel {p.id}", v)
    if record.meeting is not None:
        add("meeting", "meeting", full.get("meeting", {}))
    for r, v in zip(record.relations, full.get("relations", [])):
        add("relation", f"relation {_pair(r.expert, r.applicant)}", v, r.expert, r.applicant)
    for r, v in zip(record.recusals, full.get("recusals", [])):
        add("recusal", f"recusal {_pair(r.expert, r.applicant)}", v, r.expert, r.applicant)
    for b, v in zip(record.ballots, full.get("ballots", [])):
        label = f"ballot {b.applicant}" + (f" round {b.round}" if b.round != 1 else "")
        add("ballot", label, v, applicant=b.applicant)
    return out


def _chain(pairs: list[tuple[str, str]]) -> str:
    """Head of the hash chain over (label, hex hash) pairs; a malformed hash still chains."""
    link = _GENESIS
    for label, h in pairs:
        try:
            raw = bytes.fromhex(h)
        except ValueError:
            raw = h.encode("utf-8")
        link = hashlib.sha256(link + label.encode("utf-8") + b"\x00" + raw).digest()
    return link.hex()


def _mac(key: bytes, head: str) -> str:
    return _hmac.new(key, head.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def _seal_block(record: Record, key: bytes | None) -> dict[str, Any]:
    entries = [{"entry": label, "hash": hashlib.sha256(c).hexdigest()} for _, label, c, _ in record_entries(record)]
    head = _chain([(e["entry"], e["hash"]) for e in entries])
    block: dict[str, Any] = {"algorithm": ALGORITHM, "canonical": CANONICAL, "entries": entries, "head": head}
    if key is not None:
        block["hmac"] = _mac(key, head)
    return block


def seal_record(data: Mapping[str, Any], *, key: bytes | None = None, source: str = "<record>") -> dict[str, Any]:
    """Return a copy of the record ``data`` with a fresh ``seal`` block (any old seal replaced).

    Every other key and value of ``data`` is kept as it is; the hashes are over the record as the
    format reads it (see the module docstring).

    Parameters
    ----------
    data : mapping
        A ``zcsim.meeting/1`` record as decoded JSON (dates may be ISO strings or dates).
    key : bytes, optional
        An HMAC key; the seal then also holds ``hmac``, which only a holder of the key can make.

    Raises
    ------
    RecordError
        When ``data`` is not a valid record.

    Examples
    --------
    >>> rec = {"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "engineering",
    ...        "level": "senior", "members": [{"id": "E1", "role": "chair"}]}}
    >>> s = seal_record(rec)["seal"]
    >>> [e["entry"] for e in s["entries"]], s["algorithm"]
    (['record', 'committee C', 'member E1'], 'sha256')
    """
    body = {k: v for k, v in data.items() if k != "seal"}
    record = parse_record(body, source=source)
    return {**body, "seal": _seal_block(record, key)}


def _where(w: dict[str, str | None]) -> dict[str, str | None]:
    return {"expert": w.get("expert"), "applicant": w.get("applicant")}


def verify_seal(record: Record, *, key: bytes | None = None, require: bool = False) -> list[Finding]:
    """The ``record.integrity`` findings (Art. 27) of ``record``.

    An unsealed record gives one compliant finding noting that integrity was not checked. A
    sealed one gives one violation per entry changed, removed, inserted or moved since sealing,
    one if the seal's head does not match its entry list, and, when ``key`` is given, one if the
    HMAC is missing or does not verify.

    Examples
    --------
    >>> from zcsim.records import parse_record
    >>> rec = {"format": "zcsim.meeting/1", "committee": {"id": "C", "series": "engineering",
    ...        "level": "senior", "members": [{"id": "E1", "role": "chair"}, {"id": "E2", "role": "member"}]}}
    >>> sealed = seal_record(rec)
    >>> [f.ok for f in verify_seal(parse_record(sealed))]
    [True]
    >>> sealed["committee"]["members"][1]["role"] = "vice_chair"
    >>> [f.detail for f in verify_seal(parse_record(sealed))]
    ['entry 3 (member E2) changed since sealing']
    """
    seal = record.seal
    if seal is None:
        if require:  # the agency's policy: every record carries a seal (zcsim audit --require-seal)
            return [INTEGRITY.finding(False, "record not sealed, but a seal is required: its entries cannot be "
                                             "checked for change, reordering or removal (zcsim seal adds one)")]
        note = "record not sealed: integrity not checked (zcsim seal adds a hash chain)"
        return [INTEGRITY.finding(True, note + ("; the key given was not used" if key is not None else ""))]
    out: list[Finding] = []
    stored = [(e.entry, e.hash) for e in seal.entries]
    if _chain(stored) != seal.head:
        out.append(INTEGRITY.finding(False, "seal.head does not match the hash chain of seal.entries: the seal itself was altered"))
    if key is not None:
        if seal.hmac is None:
            out.append(INTEGRITY.finding(False, "a key was given but the record was sealed without one: its authenticity cannot be verified"))
        elif not _hmac.compare_digest(_mac(key, seal.head).encode(), seal.hmac.encode("utf-8")):
            out.append(INTEGRITY.finding(False, "seal.hmac does not verify with the given key: not sealed with this key, or the seal was rewritten"))

    actual = record_entries(record)
    act = [(label, hashlib.sha256(c).hexdigest(), where) for _, label, c, where in actual]
    sm = difflib.SequenceMatcher(None, [h for _, h in stored], [h for _, h, _ in act], autojunk=False)
    removed: list[int] = []   # indices into stored
    inserted: list[int] = []  # indices into act
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                if stored[i][0] != act[j][0]:
                    out.append(INTEGRITY.finding(False, f"entry {i} is labelled {stored[i][0]!r} in the seal but is {act[j][0]!r}",
                                                 **_where(act[j][2])))
            continue
        removed += range(i1, i2)
        inserted += range(j1, j2)
    # the same entry removed in one place and inserted in another: moved (reordered)
    by_hash: dict[str, list[int]] = {}
    for j in inserted:
        by_hash.setdefault(act[j][1], []).append(j)
    moved: list[tuple[int, int]] = []
    for i in list(removed):
        js = by_hash.get(stored[i][1])
        if js:
            j = js.pop(0)
            moved.append((i, j))
            removed.remove(i)
            inserted.remove(j)
    for i, j in moved:
        if abs(i - j) == 1:  # two neighbours swapped
            a, b = sorted((i, j))
            detail = f"entries {a} and {b} ({stored[a][0]}, {stored[b][0]}) reordered"
        else:
            detail = f"entry {i} ({stored[i][0]}) moved: it is now at position {j} (reordered)"
        out.append(INTEGRITY.finding(False, detail, **_where(act[j][2])))
    # the same label removed and inserted: that entry was changed
    for i in list(removed):
        j = next((j for j in inserted if act[j][0] == stored[i][0]), None)
        if j is not None:
            out.append(INTEGRITY.finding(False, f"entry {i} ({stored[i][0]}) changed since sealing", **_where(act[j][2])))
            removed.remove(i)
            inserted.remove(j)
    for i in removed:
        out.append(INTEGRITY.finding(False, f"entry {i} ({stored[i][0]}) removed since sealing", **_where(_label_where(stored[i][0]))))
    for j in inserted:
        out.append(INTEGRITY.finding(False, f"entry at position {j} ({act[j][0]}) inserted: not in the seal", **_where(act[j][2])))
    if not out:
        note = f"sealed record unchanged: {len(act)} entries, head {seal.head[:16]}…"
        if key is not None:
            note += "; HMAC verified with the given key"
        elif seal.hmac is not None:
            note += "; HMAC present but no key given: authenticity not checked"
        out.append(INTEGRITY.finding(True, note))
    return out


def _label_where(label: str) -> dict[str, str | None]:
    """Expert and applicant named by a label like ``recusal E05/A04`` (for removed entries)."""
    kind, _, rest = label.partition(" ")
    rest = rest.split(" round ")[0]
    if kind in ("relation", "recusal") and "/" in rest:
        e, _, a = rest.partition("/")
        return {"expert": e, "applicant": a}
    if kind == "member":
        return {"expert": rest, "applicant": None}
    if kind == "ballot":
        return {"expert": None, "applicant": rest}
    return {"expert": None, "applicant": None}


def read_key(path: str | Path) -> bytes:
    """An HMAC key from a file: its bytes without surrounding whitespace (must not be empty)."""
    raw = read_user_bytes(path, "key").strip()
    if not raw:
        raise InputError("key file is empty", source=str(path))
    return raw


def key_from_env() -> bytes | None:
    """The HMAC key in ``$ZCSIM_SEAL_KEY`` (UTF-8, surrounding whitespace removed), or None."""
    val = os.environ.get(KEY_ENV, "").strip()
    return val.encode("utf-8") if val else None
