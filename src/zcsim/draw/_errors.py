"""Why a draw is impossible, and the smallest change that would make it possible."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zcsim.errors import InputError

__all__ = ["DrawError", "Diagnosis", "Relaxation"]


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """One reason a committee or panel draw is impossible.

    Parameters
    ----------
    reason : str
        The numbers, e.g. ``"the young quota needs 5 but the pool has 3 eligible young experts"``.
    article : int
        The article the violated requirement comes from.
    subject : str or None
        The category, applicant or parameter concerned.
    """

    reason: str
    article: int
    subject: str | None = None

    def __str__(self) -> str:
        return f"{self.reason} (Art. {self.article})"

    def as_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "article": self.article, "subject": self.subject}


@dataclass(frozen=True, slots=True)
class Relaxation:
    """A change that makes an impossible draw possible (checked, unless ``verified`` is false).

    Parameters
    ----------
    kind : str
        ``quota`` (lower minimum shares), ``size`` (another committee size), ``size_adjustment``
        (a filed size adjustment, Art. 9), ``pool`` (more experts in the pool), ``panels``
        (another number of panels), ``alternates`` (replace committee experts by alternates),
        ``committee`` (a larger committee), ``scope`` (``min_share_scope=pool``: no committee quota, Art. 10).
    description : str
        What to change, in words.
    overrides : tuple of str
        ``KEY=VALUE`` rule overrides to paste after ``--set``.
    options : mapping
        Other command-line options to change (``{"size": 23}``, ``{"panels": 4}``).
    cost : int
        How large the change is (quota units lowered, experts added, …); smaller is better.
    verified : bool
        Whether zcsim re-ran the draw with the change and found it feasible.
    replace : tuple of (leaving expert id, alternate id)
        For ``alternates``: the seats to change, in order (apply with
        :func:`~zcsim.draw.with_replacement`).
    """

    kind: str
    description: str
    overrides: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    cost: int = 0
    verified: bool = True
    replace: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        paste = " ".join(f"--set {o}" for o in self.overrides)
        paste += "".join(f" --{k.replace('_', '-')} {v}" for k, v in self.options.items())
        return f"{self.description} ({paste.strip()})" if paste.strip() else self.description

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "description": self.description, "overrides": list(self.overrides),
                "options": dict(self.options), "cost": self.cost, "verified": self.verified,
                "replace": [{"leaving": a, "alternate": b} for a, b in self.replace]}


class DrawError(InputError):
    """A committee or panel draw is impossible or was asked for with invalid parameters.

    The message is one line: the reasons with their articles, then the smallest relaxation.
    ``diagnoses`` and ``relaxations`` carry the same information as data.

    Examples
    --------
    >>> err = DrawError([Diagnosis("the young quota needs 5 but the pool has 3", 10)],
    ...                 [Relaxation("quota", "lower pool_min_share_young to 3/25", ("pool_min_share_young=3/25",))])
    >>> str(err)
    'the young quota needs 5 but the pool has 3 (Art. 10); smallest relaxation: lower pool_min_share_young to 3/25 (--set pool_min_share_young=3/25)'
    """

    def __init__(self, diagnoses: Sequence[Diagnosis] | str, relaxations: Sequence[Relaxation] = (), *,
                 article: int | None = None, source: str | None = None, location: str | None = None):
        if isinstance(diagnoses, str):
            diagnoses = [Diagnosis(diagnoses, article or 0)]
        self.diagnoses: tuple[Diagnosis, ...] = tuple(diagnoses)
        self.relaxations: tuple[Relaxation, ...] = tuple(relaxations)
        text = "; ".join(str(d) if d.article else d.reason for d in self.diagnoses)
        if self.relaxations:
            text += f"; smallest relaxation: {self.relaxations[0]}"
            if len(self.relaxations) > 1:
                text += " — or " + "; or ".join(str(r) for r in self.relaxations[1:3])
        super().__init__(text, source=source, location=location)

    @property
    def article(self) -> int | None:
        """The article of the first reason."""
        return self.diagnoses[0].article if self.diagnoses else None

    def as_json(self) -> dict[str, Any]:
        return {"error": str(self), "diagnoses": [d.as_json() for d in self.diagnoses],
                "relaxations": [r.as_json() for r in self.relaxations]}
