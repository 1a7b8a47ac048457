"""Pseudonyms for experts (Art. 28: 专家名单……不得对外公布, expert lists are not made public).

Every expert id (and name) found in a report's source data gets a pseudonym ("Expert 1",
"Expert 2", …) numbered in the order of a *keyed* hash of the ids, HMAC-SHA256(key, id). The key
is either a random secret drawn for each report and never written anywhere (the default: the
numbers differ from one report to the next), or a key the agency supplies (``--pseudonym-key-file
FILE`` or the environment variable ``ZCSIM_PSEUDONYM_KEY``), so that the same experts get the same
pseudonyms in every report made with that key. Without the key, knowing the list of ids does not
give back the mapping: an unkeyed hash (SHA-256 of the id alone) could be recomputed by anyone
holding the list. Every text, table and plot label of a report passes through
:meth:`Pseudonyms.text` unless the report is internal.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from zcsim.errors import InputError

__all__ = ["EXPERT_ID", "KEY_ENV", "MIN_KEY_BYTES", "Pseudonyms", "expert_ids_in", "pseudonym_key"]

EXPERT_ID = re.compile(r"\bE\d+\b")
"""The shape of zcsim's expert ids (``E000192`` in simulations, ``E1`` in pools and counterexamples)."""
PSEUDONYM = re.compile(r"Expert \d+")
"""The shape of a pseudonym this module gives (``Expert 3``)."""

KEY_ENV = "ZCSIM_PSEUDONYM_KEY"
"""The environment variable that may hold the agency's pseudonym key itself (the command line's
``--pseudonym-key-file FILE`` wins over it)."""
MIN_KEY_BYTES = 16
"""The shortest key accepted (128 bits): a shorter one could be found by trying keys against the id
list, which would give the mapping back (Art. 28)."""
MAX_KEY_BYTES = 4096
"""The longest key file read."""
_SECRET_BYTES = 32
"""Length of the random per-report secret (256 bits, :func:`secrets.token_bytes`)."""

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


def _clean_key(raw: bytes, source: str, location: str | None) -> bytes:
    """The key bytes with one trailing line end removed (``echo`` and ``printf`` give the same key),
    checked for length."""
    key = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw
    if len(key) < MIN_KEY_BYTES:
        raise InputError(f"a pseudonym key of at least {MIN_KEY_BYTES} bytes is needed, got {len(key)} (a short key "
                         "can be found by trying keys against the id list, which would undo the pseudonyms, Art. 28); "
                         "make one with: head -c 32 /dev/urandom | base64 > key", source=source, location=location)
    return key


def pseudonym_key(path: str | Path | None = None, *, environ: Mapping[str, str] | None = None,
                  option: str = "--pseudonym-key-file") -> bytes | None:
    """The agency's pseudonym key: the bytes of the file ``path``, else the value of the environment
    variable ``ZCSIM_PSEUDONYM_KEY``, else ``None`` (each report then draws its own secret).

    One trailing line end is not part of the key. The key is at least :data:`MIN_KEY_BYTES` bytes.
    It is never written into a report; keep it as you keep the expert list (Art. 28).

    Parameters
    ----------
    path : str or Path, optional
        A key file (a regular file of at most 4096 bytes; read with ``zcsim._files.read_user_bytes``).
    environ : mapping, optional
        Where to look for ``ZCSIM_PSEUDONYM_KEY`` (default: ``os.environ``).
    option : str
        How the file was given, for the error message's location.

    Raises
    ------
    InputError
        The file cannot be read, or the key is shorter than 16 bytes.

    Examples
    --------
    >>> pseudonym_key(environ={}) is None
    True
    >>> pseudonym_key(environ={"ZCSIM_PSEUDONYM_KEY": "agency-key-0123456789"})
    b'agency-key-0123456789'
    >>> pseudonym_key(environ={"ZCSIM_PSEUDONYM_KEY": "short"})
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: ZCSIM_PSEUDONYM_KEY: a pseudonym key of at least 16 bytes is needed, got 5 (a short key can be found by trying keys against the id list, which would undo the pseudonyms, Art. 28); make one with: head -c 32 /dev/urandom | base64 > key
    """
    if path is not None:
        from zcsim._files import read_user_bytes

        raw = read_user_bytes(path, "pseudonym key", max_bytes=MAX_KEY_BYTES)
        return _clean_key(raw, str(path), None)
    env = os.environ if environ is None else environ
    value = env.get(KEY_ENV)
    if value is None or value == "":
        return None
    try:
        raw = value.encode("utf-8")
    except UnicodeEncodeError:  # a variable undecodable in the locale (surrogate escapes)
        raw = os.fsencode(value)
    return _clean_key(raw, KEY_ENV, None)


class Pseudonyms:
    """Replace expert ids and names by keyed pseudonyms (or keep them: ``internal=True``).

    The pseudonyms are "Expert 1" … "Expert N", numbered in the order of HMAC-SHA256(key, id) over
    the identifiers (Art. 28). Without ``key``, a random secret is drawn for this object and kept only
    in memory, so two reports of the same data number the experts differently and nobody holding
    the id list can recompute the mapping. With the agency's ``key``, the same identifiers always get
    the same pseudonyms (the number is a rank: a report over other experts numbers them anew, but
    two experts keep their order).

    Parameters
    ----------
    ids : iterable of str
        Every expert id or name of the source data.
    internal : bool
        Keep the real identifiers (an internal report, not for publication).
    key : bytes, optional
        The agency's key (:func:`pseudonym_key`); default: a fresh random secret, never written.

    Examples
    --------
    >>> p = Pseudonyms(["E000192", "E000007"])
    >>> sorted(p.name(e) for e in ["E000192", "E000007"])
    ['Expert 1', 'Expert 2']
    >>> p.text("presided by E000192") == "presided by " + p.name("E000192")
    True
    >>> k = b"the agency's key, 32 bytes long!"
    >>> Pseudonyms(["E1", "E2", "E3"], key=k).mapping == Pseudonyms(["E3", "E2", "E1"], key=k).mapping
    True
    """

    __slots__ = ("internal", "keyed", "_key", "_ids", "_map", "_pattern")

    def __init__(self, ids: Iterable[str] = (), *, internal: bool = False, key: bytes | None = None) -> None:
        if key is not None and not isinstance(key, bytes | bytearray):
            raise TypeError("key: bytes expected")
        if key is not None and len(key) < MIN_KEY_BYTES:
            raise InputError(f"a pseudonym key of at least {MIN_KEY_BYTES} bytes is needed, got {len(key)} (Art. 28)",
                             location="key")
        self.internal = internal
        self.keyed = key is not None
        """Whether the agency supplied the key (stable pseudonyms) rather than a per-report secret."""
        self._key = bytes(key) if key is not None else secrets.token_bytes(_SECRET_BYTES)
        self._ids: set[str] = set()
        self._map: dict[str, str] | None = None
        self._pattern: re.Pattern[str] | None = None
        self.add(ids)

    def __repr__(self) -> str:  # never the key
        kind = "internal" if self.internal else "agency key" if self.keyed else "per-report secret"
        return f"<Pseudonyms of {len(self._ids)} identifiers, {kind}>"

    def __reduce__(self) -> Any:
        raise TypeError("Pseudonyms hold a secret key and are not pickled")

    def add(self, ids: Iterable[str]) -> None:
        """Add identifiers (before the first pseudonym is handed out)."""
        new = {str(i) for i in ids if str(i)} - self._ids
        if new:
            self._ids |= new
            self._map = None

    def __len__(self) -> int:
        return len(self._ids)

    def _rank_key(self, ident: str) -> tuple[bytes, str]:
        return hmac.new(self._key, ident.encode("utf-8", "surrogatepass"), hashlib.sha256).digest(), ident

    @property
    def mapping(self) -> dict[str, str]:
        """``{identifier: pseudonym}`` for every known identifier."""
        if self._map is None:
            order = sorted(self._ids, key=self._rank_key)
            self._map = {s: f"Expert {i + 1}" for i, s in enumerate(order)}
            words = sorted(self._ids, key=len, reverse=True)
            self._pattern = re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in words)) if words else None
        return self._map

    def name(self, ident: str) -> str:
        """The pseudonym of ``ident`` (the identifier itself in an internal report, and a pseudonym
        itself in a document already pseudonymised: verify.json beside a public report)."""
        if self.internal or PSEUDONYM.fullmatch(str(ident)):
            return str(ident)
        m = self.mapping
        if str(ident) not in m:
            self.add([str(ident)])
            m = self.mapping
        return m[str(ident)]

    def listed(self, idents: Iterable[str]) -> list[str]:
        """The pseudonyms of ``idents`` in the order of their numbers: a list kept in the order of
        the real ids (sorted ids, a pool's rows) would tell that order to anyone with the id list.

        Examples
        --------
        >>> p = Pseudonyms(["E1", "E2", "E3"])
        >>> p.listed(["E1", "E2", "E3"])
        ['Expert 1', 'Expert 2', 'Expert 3']
        """
        names = [self.name(i) for i in idents]
        return names if self.internal else sorted(names, key=_number)

    def text(self, s: Any) -> str:
        """``s`` as text with every known identifier, and anything shaped like an expert id, replaced.

        A run of two or more pseudonyms separated by ", " (a list in a sentence) is put in the order
        of their numbers, for the reason :meth:`listed` gives.

        Examples
        --------
        >>> p = Pseudonyms(["E1", "E2"])
        >>> p.text("related: E2, E1; E7 voted") == "related: Expert 1, Expert 2; Expert ? voted"
        True
        """
        out = "" if s is None else str(s)
        if self.internal or not out:
            return out
        m = self.mapping
        if self._pattern is not None:
            out = self._pattern.sub(lambda mt: m[mt.group(0)], out)
        out = _RUN.sub(lambda mt: ", ".join(sorted(mt.group(0).split(", "), key=_number)), out)
        return EXPERT_ID.sub("Expert ?", out)


_RUN = re.compile(r"Expert \d+(?:, Expert \d+)+")
"""Two or more pseudonyms listed with ", " between them."""


def _number(pseudonym: str) -> tuple[int, str]:
    """The sort key of a pseudonym: its number (``Expert 10`` after ``Expert 9``)."""
    tail = pseudonym.rsplit(" ", 1)[-1]
    return (int(tail), pseudonym) if tail.isdigit() else (0, pseudonym)
