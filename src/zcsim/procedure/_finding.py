"""Findings and the registry of checks: every check names its article."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding", "Check", "CHECKS", "register", "check"]


@dataclass(frozen=True, slots=True)
class Finding:
    """The outcome of one check on one subject.

    Parameters
    ----------
    rule : str
        The check's id, e.g. ``"meeting.quorum"`` (see :data:`CHECKS`).
    article : int
        The article of the Measures the check encodes.
    ok : bool
        ``True`` when the subject complies.
    detail : str
        The numbers and parameters used, so a reader can check it by hand.
    applicant, expert : str or None
        The applicant and expert concerned, where there is one.

    Examples
    --------
    >>> f = Finding("meeting.quorum", 22, False, "16 present < 17 required (⌈2/3 × 25⌉)")
    >>> f.citation
    'Art. 22'
    """

    rule: str
    article: int
    ok: bool
    detail: str
    applicant: str | None = None
    expert: str | None = None

    @property
    def citation(self) -> str:
        """``Art. N``."""
        return f"Art. {self.article}"

    def as_dict(self) -> dict[str, object]:
        """The finding as the JSON object ``zcsim audit --json`` prints."""
        return {
            "rule": self.rule,
            "article": self.article,
            "detail": self.detail,
            "applicant": self.applicant,
            "expert": self.expert,
        }


@dataclass(frozen=True, slots=True)
class Check:
    """A named check of the procedure engine: its id, article and a one-line description."""

    id: str
    article: int
    title: str

    def finding(self, ok: bool, detail: str, *, applicant: str | None = None,
                expert: str | None = None) -> Finding:
        """A :class:`Finding` of this check."""
        return Finding(self.id, self.article, ok, detail, applicant, expert)


CHECKS: dict[str, Check] = {}
"""Every check the procedure engine knows, by id (filled as the procedure modules load)."""


def register(id: str, article: int, title: str) -> Check:
    """Declare a check; ids are unique."""
    if id in CHECKS and CHECKS[id] != Check(id, article, title):
        raise ValueError(f"check {id!r} declared twice with different metadata")
    CHECKS[id] = c = Check(id, article, title)
    return c


def check(id: str) -> Check:
    """The registered check ``id``."""
    return CHECKS[id]
