"""The ``zcsim.meeting/1`` record format: a review meeting as the agency keeps it (Art. 27).

Structure problems (wrong types, unknown values, misspelled keys) make a record *malformed*;
missing Art. 27 content (date, experts present, remarks, panel opinions, votes) is allowed by
the format and reported by the audit as a violation of Art. 27.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "FORMAT",
    "Record",
    "Agency",
    "Committee",
    "Member",
    "Panel",
    "Meeting",
    "Relation",
    "Recusal",
    "Ballot",
    "Seal",
    "SealEntry",
]

FORMAT = "zcsim.meeting/1"

Level = Literal["junior", "intermediate", "senior"]
Role = Literal["chair", "vice_chair", "member"]
Vote = Literal["yes", "no", "abstain", "blank", "invalid"]
RelationType = Literal[
    "spouse", "close_relative", "same_employer", "supervisor_student",
    "coauthor", "project_partner", "recommender", "interest",
]
Id = str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Agency(_Strict):
    """The review agency and its filing with the Bureau (Art. 4, 11)."""

    id: Id = Field(min_length=1)
    filing_valid_until: dt.date | None = Field(None, description="Last day the filing is valid (Art. 11).")
    filed_on: dt.date | None = Field(None, description="Day the filing was accepted; lets the audit check the ≤ 3-year validity.")


class Member(_Strict):
    """An expert of the committee and their role (Art. 9)."""

    id: Id = Field(min_length=1)
    role: Role


class Committee(_Strict):
    """The committee that met (Art. 7, 9)."""

    id: Id = Field(min_length=1)
    series: str = Field(min_length=1)
    specialty: str | None = Field(None, description="null = formed by series; a name = formed by that specialty.")
    level: Level
    size_adjustment_filed: bool = Field(False, description="The Bureau accepted a filing adjusting the size (Art. 9).")
    members: list[Member]


class Panel(_Strict):
    """A panel under the committee and its written opinions (Art. 20–21)."""

    id: Id = Field(min_length=1)
    experts: list[Id]
    applicants: list[Id] = Field(default_factory=list)
    opinions: dict[Id, str] = Field(default_factory=dict, description="applicant → opinion (support, oppose, …).")


class Meeting(_Strict):
    """The meeting itself (Art. 22, 23, 27)."""

    date: dt.date | None = None
    presided_by: Id | None = None
    present: list[Id] = Field(default_factory=list)
    signed_minutes: list[Id] = Field(default_factory=list)
    rounds: int | None = Field(None, ge=0)
    remarks_summary: str | None = Field(None, description="Summary of the experts' remarks (评审专家发言摘要, Art. 27).")


class Relation(_Strict):
    """A known relationship between an expert and an applicant (Art. 29)."""

    expert: Id
    applicant: Id
    type: RelationType


class Recusal(_Strict):
    """A recusal ordered by the agency or declared by the expert (Art. 29)."""

    expert: Id
    applicant: Id


class Ballot(_Strict):
    """One applicant's vote (Art. 23)."""

    applicant: Id = Field(min_length=1)
    applicant_series: str | None = None
    applicant_level: Level | None = None
    round: int = Field(1, ge=0)
    votes: dict[Id, Vote]
    declared_result: Literal["pass", "fail"] | None = None


class SealEntry(_Strict):
    """One chained entry of a sealed record: its label and the SHA-256 of its canonical form."""

    entry: str = Field(description="What the entry is, e.g. 'ballot A03', 'recusal E05/A04', 'member E01'.")
    hash: str = Field(description="SHA-256 (lower-case hex) of the entry's canonical JSON (docs/records.md).")


class Seal(_Strict):
    """A hash chain over the entries of the record, in canonical order (Art. 27: traceable)."""

    algorithm: Literal["sha256"]
    canonical: Literal["zcsim-c14n/1"] = Field("zcsim-c14n/1", description="How entries are written before hashing.")
    entries: list[SealEntry]
    head: str = Field(description="Head of the hash chain over the entries (publish it to anchor the record).")
    hmac: str | None = Field(None, description="HMAC-SHA256 of the head under the sealer's key (optional).")


class Record(_Strict):
    """A review meeting record in the ``zcsim.meeting/1`` format.

    Examples
    --------
    >>> r = Record.model_validate({"format": "zcsim.meeting/1", "committee": {
    ...     "id": "C", "series": "engineering", "level": "senior", "members": []}})
    >>> r.rules, len(r.ballots)
    (None, 0)
    """

    format: Literal["zcsim.meeting/1"]
    rules: str | None = Field(None, description="Name of the rule set the meeting was held under (default beijing-2020).")
    agency: Agency | None = None
    committee: Committee
    panels: list[Panel] = Field(default_factory=list)
    meeting: Meeting | None = None
    relations: list[Relation] = Field(default_factory=list)
    recusals: list[Recusal] = Field(default_factory=list)
    ballots: list[Ballot] = Field(default_factory=list)
    seal: Seal | None = Field(None, description="Hash chain over the record's entries (zcsim seal); optional.")
