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

import bisect
import hashlib
import hmac as _hmac
import json
import os
from collections import Counter, deque
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
    pairs = _matching([h for _, h in stored], [h for _, h, _ in act])
    for i, j in pairs:
        if stored[i][0] != act[j][0]:
            out.append(INTEGRITY.finding(False, f"entry {i} is labelled {stored[i][0]!r} in the seal but is {act[j][0]!r}",
                                         **_where(act[j][2])))
    matched_i = {i for i, _ in pairs}
    matched_j = {j for _, j in pairs}
    removed = [i for i in range(len(stored)) if i not in matched_i]  # indices into stored
    inserted = [j for j in range(len(act)) if j not in matched_j]    # indices into act
    # the same entry removed in one place and inserted in another: moved (reordered)
    by_hash: dict[str, deque[int]] = {}
    for j in inserted:
        by_hash.setdefault(act[j][1], deque()).append(j)
    moved: list[tuple[int, int]] = []
    rest: list[int] = []
    for i in removed:
        js = by_hash.get(stored[i][1])
        if js:
            moved.append((i, js.popleft()))
        else:
            rest.append(i)
    taken = {j for _, j in moved}
    removed, inserted = rest, [j for j in inserted if j not in taken]
    for i, j in moved:
        if abs(i - j) == 1:  # two neighbours swapped
            a, b = sorted((i, j))
            detail = f"entries {a} and {b} ({stored[a][0]}, {stored[b][0]}) reordered"
        else:
            detail = f"entry {i} ({stored[i][0]}) moved: it is now at position {j} (reordered)"
        out.append(INTEGRITY.finding(False, detail, **_where(act[j][2])))
    # the same label removed and inserted: that entry was changed
    by_label: dict[str, deque[int]] = {}
    for j in inserted:
        by_label.setdefault(act[j][0], deque()).append(j)
    rest = []
    taken = set()
    for i in removed:
        js = by_label.get(stored[i][0])
        if js:
            j = js.popleft()
            taken.add(j)
            out.append(INTEGRITY.finding(False, f"entry {i} ({stored[i][0]}) changed since sealing", **_where(act[j][2])))
        else:
            rest.append(i)
    removed, inserted = rest, [j for j in inserted if j not in taken]
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


def _matching(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` with ``a[i] == b[j]``, increasing in both, that align the sealed entries
    ``a`` with the record's ``b``: the common start and end, then, in between, the longest
    increasing run of entries that occur once in each (as *patience diff* does), each grown over
    equal neighbours. Time O(n log n) for any input, however many entries repeat (a general
    longest-common-subsequence would be quadratic: minutes for a record of 100,000 entries).

    Examples
    --------
    >>> _matching(list("abcd"), list("abxd"))
    [(0, 0), (1, 1), (3, 3)]
    >>> _matching(list("abcd"), list("acbd"))
    [(0, 0), (2, 1), (3, 3)]
    """
    n, m = len(a), len(b)
    lo = 0
    while lo < n and lo < m and a[lo] == b[lo]:
        lo += 1
    hi_a, hi_b = n, m
    while hi_a > lo and hi_b > lo and a[hi_a - 1] == b[hi_b - 1]:
        hi_a, hi_b = hi_a - 1, hi_b - 1
    middle: list[tuple[int, int]] = []
    count_a, count_b = Counter(a[lo:hi_a]), Counter(b[lo:hi_b])
    where_b = {b[j]: j for j in range(lo, hi_b) if count_b[b[j]] == 1}
    anchors = [(i, where_b[a[i]]) for i in range(lo, hi_a) if count_a[a[i]] == 1 and a[i] in where_b]
    # longest run of anchors increasing in b (patience sorting), kept in order
    tails: list[int] = []       # b index ending the best run of each length
    tail_at: list[int] = []     # index into anchors of that end
    before: list[int] = [-1] * len(anchors)
    for k, (_, j) in enumerate(anchors):
        p = bisect.bisect_left(tails, j)
        before[k] = tail_at[p - 1] if p else -1
        if p == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[p], tail_at[p] = j, k
    run: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        run.append(anchors[k])
        k = before[k]
    run.reverse()
    # grow each anchor over equal neighbours, up to the previous and the next one
    prev_i, prev_j = lo - 1, lo - 1
    for x, (i, j) in enumerate(run):
        nxt_i, nxt_j = run[x + 1] if x + 1 < len(run) else (hi_a, hi_b)
        back = 0
        while i - back - 1 > prev_i and j - back - 1 > prev_j and a[i - back - 1] == b[j - back - 1]:
            back += 1
        middle += [(i - d, j - d) for d in range(back, 0, -1)]
        fwd = 1
        middle.append((i, j))
        while i + fwd < nxt_i and j + fwd < nxt_j and a[i + fwd] == b[j + fwd]:
            middle.append((i + fwd, j + fwd))
            fwd += 1
        prev_i, prev_j = i + fwd - 1, j + fwd - 1
    return ([(i, i) for i in range(lo)] + middle
            + [(hi_a + d, hi_b + d) for d in range(n - hi_a)])


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
