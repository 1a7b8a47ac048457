"""The ``zcsim.meeting/1`` record format: a review meeting as the agency keeps it (Art. 27).

Structure problems (wrong types, unknown values, misspelled keys) make a record *malformed*;
missing Art. 27 content (date, experts present, remarks, review situation, panel opinions, votes) is allowed by
the format and reported by the audit as a violation of Art. 27.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, PlainValidator,
                      StringConstraints, WithJsonSchema, field_validator)
from pydantic_core import PydanticCustomError

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
    "Entrustment",
    "Seal",
    "SealEntry",
    "MAX_EXPERTS",
    "MAX_ENTRIES",
    "MAX_ROUND",
    "MAX_SEAL_ENTRIES",
]

FORMAT = "zcsim.meeting/1"

Level = Literal["junior", "intermediate", "senior"]
Role = Literal["chair", "vice_chair", "member"]
Vote = Literal["yes", "no", "abstain", "blank", "invalid"]
RelationType = Literal[
    "spouse", "close_relative", "same_employer", "supervisor_student",
    "coauthor", "project_partner", "recommender", "interest",
]

MAX_EXPERTS = 10_000
"""Most experts one list of a record may hold: ``committee.members``, ``meeting.present``,
``meeting.signed_minutes``, a panel's ``experts`` and a ballot's ``votes``. A committee has
25 or more members (Art. 9) and even a whole series' expert pool (专家库) holds some thousands of
experts, so a longer list is not a meeting record; the bound keeps the audit and its table fast."""

MAX_ENTRIES = 100_000
"""Most entries of each other list of a record: ``ballots``, ``relations``, ``recusals``,
``panels`` and a panel's ``applicants`` and ``opinions`` (one meeting reviews at most some
thousands of applicants; ten times that leaves room for the relations of each)."""

MAX_ROUND = 1_000
"""Highest voting round a record may give (``meeting.rounds``, a ballot's ``round``); the rules
allow one or a few rounds (Art. 23, ``voting_rounds``)."""

MAX_SEAL_ENTRIES = 3 + MAX_EXPERTS + 4 * MAX_ENTRIES
"""Most entries a seal may list: as many as the largest record has (record, committee and
meeting, the members, the panels, relations, recusals and ballots)."""

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: object) -> dt.date:
    """A date written ``YYYY-MM-DD`` (or a :class:`datetime.date` given from Python), nothing else:
    not a timestamp, not a date-time, not ``20251114``, whether read from JSON or from Python."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_parsing", "expected a date YYYY-MM-DD")


def _integral(value: object) -> object:
    """An integral JSON number such as ``1.0`` as the integer it is (JSON Schema's "integer");
    anything else is left for the strict integer check (which refuses ``true`` and ``"1"``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Date = Annotated[
    dt.date,
    PlainValidator(_iso_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date"}),
]
"""A calendar day, ``YYYY-MM-DD`` only (JSON Schema ``format: date``)."""

Id = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]
"""An id or a name (expert, applicant, committee, panel, agency, series, specialty …): a string
with at least one character that is not whitespace (surrounding whitespace is removed)."""


def _distinct_keys(value: object) -> object:
    """Refuse an id-keyed object whose keys become one once surrounding whitespace is removed
    (``"E01"`` and ``"E01 "``): the model would keep only the last, silently."""
    if isinstance(value, dict):
        seen: dict[str, str] = {}
        for key in value:
            if isinstance(key, str):
                first = seen.setdefault(key.strip(), key)
                if first is not key:
                    raise PydanticCustomError("duplicate_key", "keys {first} and {key} are the same id once surrounding "
                                              "whitespace is removed; every id appears once",
                                              {"first": repr(first[:40]), "key": repr(key[:40])})
    return value


Round = Annotated[int, Field(ge=0, le=MAX_ROUND), BeforeValidator(_integral)]
"""A voting round: an integer from 0 to :data:`MAX_ROUND`."""


def _no_null(schema: dict[str, Any]) -> None:
    """Drop ``null`` from an optional field's JSON Schema: the field may be absent, never null."""
    schema["anyOf"] = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]


class _Strict(BaseModel):
    # strict: no coercion the JSON Schema does not allow ("1" for 1, "yes" for true, 1763078400 for a
    # date); Python's re for patterns, so the model and a JSON Schema validator agree on whitespace
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True,
                              regex_engine="python-re")


class Agency(_Strict):
    """The review agency and its filing with the Bureau (Art. 4, 11)."""

    id: Id
    filing_valid_until: Date | None = Field(None, description="Last day the filing is valid (Art. 11).")
    filed_on: Date | None = Field(None, description="Day the filing was accepted; lets the audit check the ≤ 3-year validity.")


class Member(_Strict):
    """An expert of the committee and their role (Art. 9)."""

    id: Id
    role: Role


class Committee(_Strict):
    """The committee that met (Art. 7, 9)."""

    id: Id
    series: Id
    specialty: Id | None = Field(None, description="null = formed by series; a name = formed by that specialty "
                                                   "(a blank name is malformed, not a specialty).")
    level: Level
    size_adjustment_filed: bool = Field(False, description="The Bureau accepted a filing adjusting the size (Art. 9); "
                                                           "give its size in filed_size.")
    filed_size: Annotated[int, Field(ge=1, le=MAX_EXPERTS), BeforeValidator(_integral)] | None = Field(
        None, description="The committee size named by the filing with the Bureau (经市人力资源社会保障局备案，评委会评审专家"
                          "人数可根据实际情况适当调整, Art. 9); implies a filing. The audit checks the committee against it "
                          "(rule option filed_size_binding); a filing without it lifts no minimum.")
    members: list[Member] = Field(max_length=MAX_EXPERTS)


class Panel(_Strict):
    """A panel under the committee and its written opinions (Art. 20–21)."""

    id: Id
    experts: list[Id] = Field(max_length=MAX_EXPERTS)
    applicants: list[Id] = Field(default_factory=list, max_length=MAX_ENTRIES)
    opinions: Annotated[dict[Id, str], BeforeValidator(_distinct_keys)] = Field(
        default_factory=dict, max_length=MAX_ENTRIES,
        description="applicant → opinion (support, oppose, …); each applicant once, surrounding whitespace aside.")


class Meeting(_Strict):
    """The meeting itself (Art. 22, 23, 27)."""

    date: Date | None = None
    presided_by: Id | None = None
    present: list[Id] = Field(default_factory=list, max_length=MAX_EXPERTS)
    signed_minutes: list[Id] = Field(default_factory=list, max_length=MAX_EXPERTS)
    rounds: Round | None = None
    remarks_summary: str | None = Field(None, description="Summary of the experts' remarks (评审专家发言摘要, Art. 27).")
    review_summary: str | None = Field(None, description="How the review went (评审情况, Art. 27): the course of the "
                                                         "meeting, e.g. applicants reviewed, panel reports, discussion.")


class Relation(_Strict):
    """A known relationship between an expert and an applicant (Art. 29)."""

    expert: Id
    applicant: Id
    type: RelationType


class Recusal(_Strict):
    """A recusal ordered by the agency or declared by the expert (Art. 29)."""

    expert: Id
    applicant: Id


class Entrustment(_Strict):
    """An inbound entrustment of an applicant's review to Beijing (委托评审, Art. 17)."""

    employer_consent: bool = Field(False, description="The applicant's employer consented (须经申报人所在单位同意).")
    letter_issuer: Literal["competent_department", "provincial_hr", "other"] | None = Field(
        None, description="Who issued the entrustment letter to the Bureau (委托评审函): competent_department (the HR "
                          "department of the superior competent unit with title-review authority), provincial_hr (a "
                          "provincial HR and social security department), other; absent = no letter.")


class Ballot(_Strict):
    """One applicant's vote (Art. 23)."""

    applicant: Id
    applicant_series: Id | None = None
    applicant_level: Level | None = None
    applicant_employer: Literal["beijing", "central_in_beijing", "out_of_city"] | None = Field(
        None, description="Where the applicant's employer belongs (Art. 3, 17): beijing (本市), central_in_beijing "
                          "(中央在京单位) or out_of_city (外省市); absent = not recorded (taken as beijing).")
    entrustment: Entrustment | None = Field(
        None, description="The entrustment of an applicant of a central unit in Beijing or of another province "
                          "(Art. 17); without it their review is not recognised (Art. 42).")
    round: Round = 1
    votes: Annotated[dict[Id, Vote], BeforeValidator(_distinct_keys)] = Field(
        max_length=MAX_EXPERTS, description="expert → vote; each expert once, surrounding whitespace aside.")
    declared_result: Literal["pass", "fail"] | None = None


class SealEntry(_Strict):
    """One chained entry of a sealed record: its label and the SHA-256 of its canonical form."""

    entry: str = Field(description="What the entry is, e.g. 'ballot A03', 'recusal E05/A04', 'member E01'.")
    hash: str = Field(description="SHA-256 (lower-case hex) of the entry's canonical JSON (docs/records.md).")


class Seal(_Strict):
    """A hash chain over the entries of the record, in canonical order (Art. 27: traceable)."""

    algorithm: Literal["sha256"]
    canonical: Literal["zcsim-c14n/1"] = Field("zcsim-c14n/1", description="How entries are written before hashing.")
    entries: list[SealEntry] = Field(max_length=MAX_SEAL_ENTRIES)
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
    rules: Id | None = Field(
        None, description="Name of the rule set the meeting was held under. The audit compares it with the rule set "
                          "the auditor names and reports a difference (Art. 27); it never chooses the rules the "
                          "record is judged by.")
    agency: Agency | None = None
    committee: Committee
    panels: list[Panel] = Field(default_factory=list, max_length=MAX_ENTRIES)
    meeting: Meeting | None = None
    relations: list[Relation] = Field(default_factory=list, max_length=MAX_ENTRIES)
    recusals: list[Recusal] = Field(default_factory=list, max_length=MAX_ENTRIES)
    ballots: list[Ballot] = Field(default_factory=list, max_length=MAX_ENTRIES)
    seal: Seal | None = Field(None, json_schema_extra=_no_null,
                              description="Hash chain over the record's entries (zcsim seal); optional: absent, or a "
                                          "seal, never null.")

    @field_validator("seal", mode="before")
    @classmethod
    def _seal_not_null(cls, value: object) -> object:
        # a null seal would read as "not sealed" and turn the seal check of a sealed record off
        if value is None:
            raise PydanticCustomError("seal_null", "seal is null; leave the key out of an unsealed record, or give "
                                                   "the seal object `zcsim seal` writes")
        return value
