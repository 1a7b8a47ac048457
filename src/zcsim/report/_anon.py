"""Pseudonyms for experts (Art. 28: expert lists are not made public).

Every expert id (and name) found in a report's source data gets a stable pseudonym
("Expert 1", "Expert 2", …) numbered in the order of the SHA-256 hashes of the ids, so the
number says nothing about the id. Every text, table and plot label of a report passes through
:meth:`Pseudonyms.text` unless the report is internal.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["EXPERT_ID", "Pseudonyms", "expert_ids_in"]

EXPERT_ID = re.compile(r"\bE\d+\b")
PSEUDONYM = re.compile(r"Expert \d+")
"""The shape of a pseudonym this module gives (``Expert 3``)."""
"""The shape of zcsim's expert ids (``E000192`` in simulations, ``E1`` in pools and counterexamples)."""

_LIST_KEYS = {"experts", "present", "signed_minutes", "absent", "excused"}
_ONE_KEYS = {"presided_by", "expert", "chair"}


def expert_ids_in(doc: Any) -> set[str]:
    """The expert ids and names in a JSON-like document (records, verifier output), by structure
    and by shape (every token like ``E123``)."""
    found: set[str] = set()

    def walk(x: Any, key: str | None = None, parent: str | None = None) -> None:
        if isinstance(x, dict):
            if key == "votes":
                found.update(k for k in x if isinstance(k, str))
            if parent in {"members", "experts"} or key in {"members", "experts"}:
                for k in ("id", "name"):
                    if isinstance(x.get(k), str):
                        found.add(x[k])
            for k, v in x.items():
                walk(v, k, key)
        elif isinstance(x, list):
            if key in _LIST_KEYS or (key == "committee" and all(isinstance(v, str) for v in x)):
                found.update(v for v in x if isinstance(v, str))
            for v in x:
                walk(v, parent=key, key=key)
        elif isinstance(x, str):
            if key in _ONE_KEYS:
                found.add(x)
            found.update(EXPERT_ID.findall(x))

    walk(doc)
    # a document already pseudonymised (verify.json beside a public report) is not renamed again
    found = {f for f in found if not PSEUDONYM.fullmatch(f)}
    found.discard("")
    return found


class Pseudonyms:
    """Replace expert ids and names by stable pseudonyms (or keep them: ``internal=True``).

    Parameters
    ----------
    ids : iterable of str
        Every expert id or name of the source data.
    internal : bool
        Keep the real identifiers (an internal report, not for publication).

    Examples
    --------
    >>> p = Pseudonyms(["E000192", "E000007"])
    >>> sorted(p.name(e) for e in ["E000192", "E000007"])
    ['Expert 1', 'Expert 2']
    >>> p.text("presided by E000192") == "presided by " + p.name("E000192")
    True
    """

    def __init__(self, ids: Iterable[str] = (), *, internal: bool = False) -> None:
        self.internal = internal
        self._ids: set[str] = set()
        self._map: dict[str, str] | None = None
        self._pattern: re.Pattern[str] | None = None
        self.add(ids)

    def add(self, ids: Iterable[str]) -> None:
        """Add identifiers (before the first pseudonym is handed out)."""
        new = {str(i) for i in ids if str(i)} - self._ids
        if new:
            self._ids |= new
            self._map = None

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def mapping(self) -> dict[str, str]:
        """``{identifier: pseudonym}`` for every known identifier."""
        if self._map is None:
            order = sorted(self._ids, key=lambda s: (hashlib.sha256(s.encode("utf-8")).hexdigest(), s))
            self._map = {s: f"Expert {i + 1}" for i, s in enumerate(order)}
            words = sorted(self._ids, key=len, reverse=True)
            self._pattern = re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words)) if words else None
        return self._map

    def name(self, ident: str) -> str:
        """The pseudonym of ``ident`` (the identifier itself in an internal report)."""
        if self.internal:
            return str(ident)
        m = self.mapping
        if str(ident) not in m:
            self.add([str(ident)])
            m = self.mapping
        return m[str(ident)]

    def text(self, s: Any) -> str:
        """``s`` as text with every known identifier, and anything shaped like an expert id, replaced."""
        out = "" if s is None else str(s)
        if self.internal or not out:
            return out
        m = self.mapping
        if self._pattern is not None:
            out = self._pattern.sub(lambda mt: m[mt.group(0)], out)
        return EXPERT_ID.sub("Expert ?", out)
