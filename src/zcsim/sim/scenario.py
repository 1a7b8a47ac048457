"""Scenario files (``zcsim.scenario/1``): what a simulation of annual review cycles runs on.

A scenario is a YAML file naming the rule set, the calendar, the applicant population, the
expert pool, the committees and their meeting days, the agencies' staff, the behaviour model of
the experts, recusals, post quotas, multi-year settings and the Monte Carlo settings. Every field
has a documented default, so a small scenario is a few lines::

    format: zcsim.scenario/1
    population:
      groups: [{series: engineering, specialty: electrical, level: senior, count: 300}]
    experts:
      pools: [{series: engineering, specialty: electrical, size: 120}]
    committees:
      - {series: engineering, specialty: electrical, level: senior}

:func:`load_scenario` reads a file and reports every problem with **the file, the line and the
key** (unknown keys get a "did you mean"), as :class:`~zcsim.errors.InputError`.
:func:`scenario_schema` is the JSON Schema (``zcsim schema scenario``).

Times are in **working days** (Chinese statutory working days, :mod:`zcsim.calendar`); numbers
of the Measures are never scenario fields: they come from the rule set (``rules`` + ``set``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
import yaml
from pydantic import (
    BaseModel,
    Strict,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from zcsim._files import YAML_MAX_DEPTH, YAML_MAX_VALUES, load_user_json, read_user_text, yaml_errors
from zcsim.calendar import WorkingCalendar, default_calendar
from zcsim.draw._seed import MAX_SEED
from zcsim.errors import CalendarError, InputError, RuleSetError
from zcsim.law import LEVELS, RuleSet, builtin_rule_sets, load_rules
from zcsim.law._load import canonical_key, load_rules_within
from zcsim.law._params import MAX_COMMITTEE_SIZE
from zcsim.procedure.application import EMPLOYER_KINDS, committee_may_review
from zcsim.sim.behaviour import behaviour_names

__all__ = [
    "FORMAT",
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_schema",
    "CommitteePlan",
    "GroupPlan",
    "Duration",
    "expand_groups",
    "expand_pools",
    "expand_committees",
    "route",
]

FORMAT = "zcsim.scenario/1"

Level = Literal["junior", "intermediate", "senior"]
EmployerKind = Literal["state_owned", "public_institution", "non_public", "social_organisation", "self_employed"]
Category = Literal["grassroots", "central", "non_public", "young"]
Int = Annotated[int, Strict()]
"""An integer field: ``true``/``false``, ``5.0`` and ``"5"`` are refused, never read as a number."""
Bool = Annotated[bool, Strict()]
"""A true/false field: ``1`` or ``"yes"`` (quoted) is refused."""


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"got {value!r}; expected a number")
    return value


NotBool = BeforeValidator(_not_bool)
Num = Annotated[float, NotBool]
"""A number field: an integer or a decimal (YAML's ``1e-6``, which YAML 1.1 reads as text, too),
never ``true``/``false``; ``.nan`` and ``.inf`` are refused by every section (``allow_inf_nan=False``)."""
Prob = Annotated[float, Field(ge=0.0, le=1.0), NotBool]
NonNeg = Annotated[float, Field(ge=0.0), NotBool]

# -- bounds: every size, count and range of a scenario has a maximum, checked before anything is
# -- allocated (and published in `zcsim schema scenario`)
MAX_APPLICANTS = 1_000_000
"""Most applicants a population brings in one year: a group's ``count``, ``population.total``, and
their sum after ``multi_year.growth`` over the simulated years. Ten times Beijing's ~100,000 a
year (``scenarios/beijing-2020.yaml``); a replication of that many needs gigabytes and minutes."""

MAX_EXPERTS = 1_000_000
"""Most experts in the whole pool (each pool's ``size`` and their sum): every expert is a record
in memory for the draws (Art. 7, 10)."""

# MAX_COMMITTEE_SIZE (largest committee: committees[].size, vice_chairs) has its home with the
# rule sets' bounds (zcsim.law._params): one number for rules, draws, proofs and scenarios.

MAX_PANELS = 1_000
"""Most panels of one committee (``committees[].panels``): each panel has at least 3 members (Art. 20)."""

MAX_PANEL_CAPACITY = 10_000.0
"""Most applicants a panel reviews a working day (``committees[].panel_capacity``)."""

MIN_PANEL_CAPACITY = 0.01
"""Fewest applicants a panel reviews a working day (one in 100 working days); fewer would put the
meeting years after the window."""

MAX_STAFF = 10_000
"""Most staff of one agency (``agencies[].staff``)."""

MAX_UNITS = 100_000
"""Most public-institution units of ``post_quotas.units`` (one quota per unit and level, Art. 24)."""

MAX_EMPLOYERS = 1_000_000
"""Most employers of ``recusal.graph.employers``."""

MAX_WORKING_DAYS = 500
"""Longest duration or delay in working days (about two years): a duration's ``mean``, ``sd``,
``low`` and ``high``, ``meeting_day``, acceptance, re-examination, look-back and renewal days. The
simulation follows each year on a working-day calendar of three years."""

MAX_YEARS = 50
"""Most simulated years (``simulation.years``) and years of relation history."""

MAX_REPLICATIONS = 100_000
"""Most replications one run takes (``simulation.replications``, ``-n``/``--replications``, a
sweep's replications per variant, ``size --max-replications``, a manifest's ``replications``).
Every replication is held in memory until the run ends, so more is refused before anything runs."""

MAX_ADJOURNMENTS = MAX_WORKING_DAYS
"""Most adjournments of ``simulation.max_adjournments``: one sitting a working day, so no more than
:data:`MAX_WORKING_DAYS`."""

MAX_GROWTH = 1.0
"""Largest ``multi_year.growth`` (+100 % a year); the resulting applicants still count against
:data:`MAX_APPLICANTS`."""

MAX_SCALE = 100.0
"""Largest magnitude of a latent quantity (``population.quality``, ``experts.stringency_sd``, the
coefficients of the ``latent_quality`` votes): they are log-odds, where ±100 is already certainty."""

MAX_SHAPE = 1_000.0
"""Largest Beta shape of ``calendar.arrival_profile``."""

MAX_QUOTA_RATIO = 10.0
"""Largest ``post_quotas.ratio`` (vacant posts per applicant of a unit)."""

MAX_BEIJING_YEARS = 100.0
"""Largest key of ``population.self_employed_years_in_beijing`` (years)."""

DURATION_CV = (1e-6, 100.0)
"""Allowed range of ``sd / mean`` of a lognormal or gamma duration (with both non-zero): below, it
is a fixed duration (write one); above, nearly every draw is 0 and a few astronomically long."""

Days = Annotated[float, Field(ge=0.0, le=MAX_WORKING_DAYS), NotBool]
WorkingDays = Annotated[int, Strict(), Field(ge=0, le=MAX_WORKING_DAYS)]
Scale = Annotated[float, Field(ge=-MAX_SCALE, le=MAX_SCALE), NotBool]
ScaleSd = Annotated[float, Field(ge=0.0, le=MAX_SCALE), NotBool]

assert tuple(typing.get_args(EmployerKind)) == EMPLOYER_KINDS
assert tuple(typing.get_args(Level)) == LEVELS


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


# ----------------------------------------------------------------------------------------------
# durations
# ----------------------------------------------------------------------------------------------
class Duration(_Section):
    """A random duration in working days.

    Write a number for a fixed duration (``vetting_time: 0.1``) or a mapping:
    ``{distribution: exponential, mean: 4}``, ``{distribution: lognormal, mean: 0.1, sd: 0.05}``,
    ``{distribution: gamma, mean: 5, sd: 2}``, ``{distribution: uniform, low: 2, high: 8}``,
    ``{distribution: fixed, mean: 5}``.
    """

    distribution: Literal["fixed", "exponential", "lognormal", "gamma", "uniform"] = Field(
        "fixed", description="Shape of the distribution.")
    mean: Days | None = Field(None, description="Mean (fixed, exponential, lognormal, gamma); at most "
                                                f"{MAX_WORKING_DAYS} working days.")
    sd: Days | None = Field(None, description="Standard deviation (lognormal, gamma); between "
                                              f"{DURATION_CV[0]:g} and {DURATION_CV[1]:g} times the mean.")
    low: Days | None = Field(None, description="Lower bound (uniform).")
    high: Days | None = Field(None, description="Upper bound (uniform).")

    @model_validator(mode="before")
    @classmethod
    def _scalar(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return {"distribution": "fixed", "mean": value}
        return value

    @model_validator(mode="after")
    def _complete(self) -> Duration:
        need = {"fixed": ("mean",), "exponential": ("mean",), "lognormal": ("mean", "sd"),
                "gamma": ("mean", "sd"), "uniform": ("low", "high")}[self.distribution]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.distribution} duration needs {' and '.join(need)}; missing "
                             + ", ".join(missing))
        if self.distribution == "uniform" and self.high < self.low:  # type: ignore[operator]
            raise ValueError(f"uniform duration: high {self.high} < low {self.low}")
        if self.distribution in ("lognormal", "gamma") and self.mean == 0 and self.sd:
            raise ValueError(f"a {self.distribution} duration with mean 0 must have sd 0")
        if self.distribution in ("lognormal", "gamma") and self.mean and self.sd:
            cv = self.sd / self.mean  # type: ignore[operator]
            if not DURATION_CV[0] <= cv <= DURATION_CV[1]:
                raise ValueError(f"a {self.distribution} duration with sd {self.sd:g} and mean {self.mean:g} "
                                 f"(sd/mean {cv:.3g}); expected sd between {DURATION_CV[0]:g} and "
                                 f"{DURATION_CV[1]:g} times the mean (for an exact duration write a number)")
        return self

    @property
    def expected(self) -> float:
        """The mean of the distribution."""
        if self.distribution == "uniform":
            return (float(self.low) + float(self.high)) / 2  # type: ignore[arg-type]
        return float(self.mean)  # type: ignore[arg-type]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws (working days, ≥ 0)."""
        d = self.distribution
        if d == "fixed":
            return np.full(n, float(self.mean))  # type: ignore[arg-type]
        if d == "exponential":
            return rng.exponential(float(self.mean), n) if self.mean else np.zeros(n)  # type: ignore[arg-type]
        if d == "uniform":
            return rng.uniform(float(self.low), float(self.high), n)  # type: ignore[arg-type]
        mean, sd = float(self.mean), float(self.sd)  # type: ignore[arg-type]
        if mean == 0 or sd == 0:
            return np.full(n, mean)
        if d == "lognormal":
            s2 = math.log1p((sd / mean) ** 2)
            return rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2), n)
        shape = (mean / sd) ** 2
        return rng.gamma(shape, sd * sd / mean, n)


def _duration(**kw: Any) -> Any:
    return Field(default_factory=lambda: Duration(**kw))


# ----------------------------------------------------------------------------------------------
# sections
# ----------------------------------------------------------------------------------------------
class CalendarSettings(_Section):
    """The year's timetable (Art. 12: the Bureau publishes the plan; the agency the window)."""

    year: Int = Field(2025, ge=1900, le=2999, description="Calendar year of the first simulated cycle.")
    plan_date: dt.date | None = Field(None, description="Day the annual plan is published: working day 0 of "
                                                        "the cycle. Default: 1 March of `year`.")
    window_open: dt.date | None = Field(None, description="First day of the application window. Default: 6 May.")
    window_close: dt.date | None = Field(None, description="Last day of the application window. Default: 13 June.")
    first_meeting: dt.date | None = Field(None, description="Default meeting day of the committees. "
                                                            "Default: 15 September.")
    file: str | None = Field(None, description="A calendar file (CSV `date,working`, `# covers: YEAR`), relative to "
                                               "the scenario's folder, for years chinesecalendar does not cover.")
    arrival_profile: tuple[Annotated[float, Field(gt=0, le=MAX_SHAPE), NotBool],
                           Annotated[float, Field(gt=0, le=MAX_SHAPE), NotBool]] = Field(
        (1.0, 1.0), description="Beta(a, b) shape of arrivals over the window: [1, 1] uniform, [1, 3] early, "
                                f"[3, 1] a deadline rush; each at most {MAX_SHAPE:g}.")

    def dates(self, shift_years: int = 0) -> tuple[dt.date, dt.date, dt.date, dt.date]:
        """(plan, window open, window close, first meeting), with defaults, ``shift_years`` later."""
        y = self.year
        plan = self.plan_date or dt.date(y, 3, 1)
        wo = self.window_open or dt.date(y, 5, 6)
        wc = self.window_close or dt.date(y, 6, 13)
        fm = self.first_meeting or dt.date(y, 9, 15)
        return tuple(shift(d, shift_years) for d in (plan, wo, wc, fm))  # type: ignore[return-value]


def shift(d: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February → 28)."""
    if not years:
        return d
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


class Group(_Section):
    """Applicants of one series, specialty and level: a ``count`` per year, or a ``share`` of ``total``.

    ``specialties`` (a list) splits the group evenly over several specialties and ``levels``
    (``{level: share}``) over several levels, so a large series is one line.
    """

    series: str = Field(min_length=1, description="Series applied for (职称系列).")
    specialty: str = Field("", description="Specialty; empty when the series is not split.")
    specialties: list[Annotated[str, Field(min_length=1)]] | None = Field(
        None, min_length=1, description="Several specialties sharing the group evenly (instead of specialty).")
    level: Level | None = Field(None, description="Level applied for.")
    levels: dict[Level, Prob] | None = Field(None, description="Shares of levels (instead of level), summing to 1.")
    count: Int | None = Field(None, ge=0, le=MAX_APPLICANTS,
                              description=f"New applicants per year (at most {MAX_APPLICANTS:,} in all groups).")
    share: Prob | None = Field(None, description="Share of `population.total` (instead of `count`).")

    @model_validator(mode="after")
    def _one_of(self) -> Group:
        if (self.level is None) == (self.levels is None):
            raise ValueError("give either level or levels")
        if self.specialty and self.specialties is not None:
            raise ValueError("give either specialty or specialties")
        return self


class Quality(_Section):
    """Latent quality of applicants (drives the `latent_quality` behaviour model)."""

    mean: Scale = Field(0.0, description="Mean quality.")
    sd: ScaleSd = Field(1.0, description="Standard deviation of quality.")
    exceptional_shift: Scale = Field(1.0, description="Added to the quality of exceptional applicants (Art. 16).")
    recommendation_noise_sd: ScaleSd = Field(
        1.0, description="Noise of the employer's recommendation (Art. 15) around the quality.")


class Materials(_Section):
    """Completeness of the materials and the single correction notice (Art. 18)."""

    incomplete: Prob = Field(0.15, description="Probability the agency finds the materials incomplete.")
    still_incomplete: Prob = Field(0.0, description="Probability corrected materials are still incomplete "
                                                    "(then deemed withdrawn once the notices allowed are used).")
    correction_probability: Prob = Field(0.9, description="Probability the applicant corrects at all.")
    correction_delay: Duration = Field(default_factory=lambda: Duration(distribution="exponential", mean=4.0),
                                       description="Working days the applicant takes to correct; later than "
                                                   "the rule set's correction_deadline_working_days = withdrawn.")


class Fraud(_Section):
    """False materials and how they are found (Art. 14, 25, 36–37, 41)."""

    rate: Prob = Field(0.005, description="Probability an application contains false materials.")
    detection_at_vetting: Prob = Field(0.3, description="Probability the agency's vetting finds it (Art. 18).")
    complaint_probability: Prob = Field(0.5, description="Probability a fraudulent applicant who passed is "
                                                         "reported during result publicity (Art. 25).")
    detection_in_reexamination: Prob = Field(0.8, description="Probability a re-examination after a "
                                                              "complaint verifies it (Art. 25–26).")
    lookback_detection: Prob = Field(0.1, description="Probability a look-back inspection finds it after "
                                                      "confirmation (Art. 36–37): the title is revoked.")
    lookback_working_days: WorkingDays = Field(60, description="Working days after confirmation of a look-back.")


class Population(_Section):
    """Who applies (Art. 3, 13, 15, 16, 18)."""

    groups: list[Group] = Field(min_length=1, description="Series/specialty/level groups of applicants.")
    total: Int | None = Field(None, ge=0, le=MAX_APPLICANTS, description="Applicants per year when groups give "
                                                                         f"shares (at most {MAX_APPLICANTS:,}).")
    employer_kinds: dict[EmployerKind, Prob] = Field(
        default_factory=lambda: {"state_owned": 0.30, "public_institution": 0.40, "non_public": 0.22,
                                 "social_organisation": 0.03, "self_employed": 0.05},
        description="Shares of employer kinds (Art. 3), summing to 1.")
    self_employed_years_in_beijing: dict[Annotated[float, Field(ge=0.0, le=MAX_BEIJING_YEARS), NotBool], Prob] = Field(
        default_factory=lambda: {0.5: 0.1, 1.0: 0.2, 3.0: 0.7},
        description="Distribution of years working in Beijing of self-employed applicants (Art. 3), "
                    "{years: share}; too few years makes them ineligible.")
    retired: Prob = Field(0.002, description="Share of retired applicants (ineligible, Art. 13).")
    sanctioned: Prob = Field(0.002, description="Share under a demerit or practice restriction (Art. 13; "
                                                "bars public-institution staff by default).")
    skip_level: Prob = Field(0.005, description="Share applying two levels above their title (Art. 16).")
    exceptional: Prob = Field(0.01, description="Share of exceptional applications with an Art. 16 ground.")
    objection: Prob = Field(0.005, description="Probability of an objection during unit publicity (Art. 15).")
    complaint_rate: Prob = Field(0.01, description="Probability an honest passed applicant gets a complaint "
                                                   "during result publicity (Art. 25).")
    quality: Quality = Field(default_factory=Quality)
    materials: Materials = Field(default_factory=Materials)
    fraud: Fraud = Field(default_factory=Fraud)


class ExpertPoolSpec(_Section):
    """Experts of one series and specialty in the pool (Art. 7, 10); ``specialties`` splits
    ``size`` evenly over several specialties."""

    series: str = Field(min_length=1)
    specialty: str = Field("", description="Empty: experts of the series without a specialty split.")
    specialties: list[Annotated[str, Field(min_length=1)]] | None = Field(
        None, min_length=1, description="Several specialties sharing `size` evenly (instead of specialty).")
    size: Int = Field(ge=0, le=MAX_EXPERTS, description=f"Number of experts (at most {MAX_EXPERTS:,} in all pools).")

    @model_validator(mode="after")
    def _one_of(self) -> ExpertPoolSpec:
        if self.specialty and self.specialties is not None:
            raise ValueError("give either specialty or specialties")
        return self


class Experts(_Section):
    """The expert pool (Art. 7, 10) and expert behaviour at meetings."""

    pools: list[ExpertPoolSpec] = Field(min_length=1)
    levels: dict[Level, Prob] = Field(default_factory=lambda: {"senior": 0.85, "intermediate": 0.15},
                                      description="Shares of the experts' own title levels, summing to 1.")
    categories: dict[Category, Prob] = Field(
        default_factory=lambda: {"grassroots": 0.20, "central": 0.10, "non_public": 0.15, "young": 0.15},
        description="Probability an expert belongs to each Art. 10 category (independent flags). The "
                    "rule set's pool_min_share_* are quotas of each committee draw only with "
                    "min_share_scope: committee; under the default (pool) committees are drawn uniformly.")
    no_show: Prob = Field(0.05, description="Probability an expert misses a meeting (independent).")
    stringency_sd: ScaleSd = Field(0.5, description="Spread of expert stringency (latent_quality model).")


def _meeting_day(value: Any) -> Any:
    if value is None or isinstance(value, (dt.date, int)) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            if len(text.lstrip("+-")) > 9:
                raise ValueError(f"got {text[:20]}…; expected 0 to {MAX_WORKING_DAYS} working days after "
                                 "calendar.first_meeting or a date YYYY-MM-DD")
            return int(text)
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"got {value!r}; expected a number of working days after calendar.first_meeting or a "
                     "date YYYY-MM-DD")


MeetingDay = Annotated[int | dt.date | None, BeforeValidator(_meeting_day)]


class CommitteeSpec(_Section):
    """A committee (Art. 7, 9), its panels (Art. 20) and its meeting day."""

    series: str = Field(min_length=1)
    specialty: str | None = Field(None, description="Formed by this specialty; null = formed by series (Art. 7, 9).")
    per_specialty: Bool = Field(False, description="One committee per specialty of the series in the population.")
    level: Level | None = Field(None, description="Committee level (Art. 9).")
    levels: list[Level] | None = Field(None, description="Several levels: one committee each.")
    size: Int | None = Field(None, ge=1, le=MAX_COMMITTEE_SIZE,
                             description="Number of experts; default the rule set's minimum (odd); at most "
                                         f"{MAX_COMMITTEE_SIZE:,}.")
    vice_chairs: Int | None = Field(None, ge=0, le=MAX_COMMITTEE_SIZE,
                                    description="Vice-chairs; default the rule set's minimum.")
    size_adjustment_filed: Bool = Field(False, description="The Bureau accepted a size adjustment (Art. 9).")
    panels: Int | None = Field(None, ge=1, le=MAX_PANELS, description="Number of panels; default about 50 "
                                                                       f"applicants per panel; at most {MAX_PANELS:,}.")
    panel_capacity: Annotated[float, Field(ge=MIN_PANEL_CAPACITY, le=MAX_PANEL_CAPACITY), NotBool] = Field(
        10.0, description=f"Applicants one panel reviews per working day (Art. 20–21); at most {MAX_PANEL_CAPACITY:,g}.")
    meeting_day: MeetingDay = Field(None, description="Working days after calendar.first_meeting (0 to "
                                                      f"{MAX_WORKING_DAYS}), or a date; null = calendar.first_meeting.")
    agency: str | None = Field(None, description="Agency id; default the agency of the series.")
    filed_on: dt.date | None = Field(None, description="Day the committee's filing was accepted (Art. 11); "
                                                       "default multi_year.filed_on.")

    @model_validator(mode="after")
    def _one_level(self) -> CommitteeSpec:
        if (self.level is None) == (self.levels is None):
            raise ValueError("give either level or levels")
        if self.specialty is not None and self.per_specialty:
            raise ValueError("give either specialty or per_specialty: true")
        return self


class AgencySpec(_Section):
    """A review agency (Art. 4, 8): its full-time staff vet the materials (Art. 18)."""

    id: str = Field("AG1", min_length=1)
    series: list[str] | None = Field(None, description="Series it serves; null = every series no other agency names.")
    staff: Int = Field(10, ge=1, le=MAX_STAFF, description=f"Staff vetting materials in parallel (at most {MAX_STAFF:,}).")
    vetting_time: Duration = Field(default_factory=lambda: Duration(distribution="lognormal", mean=0.1, sd=0.05),
                                   description="Working days one vetting takes (0.1 = about 48 minutes).")
    revetting_time: Duration | None = Field(None, description="Vetting of corrected materials; default vetting_time.")


class EmployerSettings(_Section):
    """The employer's vetting before unit publicity (Art. 15)."""

    vetting_time: Duration = Field(default_factory=lambda: Duration(distribution="uniform", low=2.0, high=10.0),
                                   description="Working days from application to the start of unit publicity.")


class ResultSettings(_Section):
    """Acceptance check (Art. 24) and re-examination (Art. 25–26)."""

    acceptance_working_days: WorkingDays = Field(10, description="Working days of the Bureau's acceptance check.")
    reexamination_working_days: WorkingDays = Field(10, description="Working days a re-examination takes.")


class IndependentVotes(_Section):
    """Independent votes: every expert votes yes with ``yes_probability``."""

    model: Literal["independent"] = "independent"
    yes_probability: Prob = Field(0.75)


class LatentQualityVotes(_Section):
    """Correlated votes from a latent quality (see :mod:`zcsim.sim.behaviour`)."""

    model: Literal["latent_quality"] = "latent_quality"
    intercept: Scale = Field(1.0, description="Baseline log-odds of a yes vote.")
    quality: Scale = Field(1.2, description="Coefficient of the applicant's quality.")
    panel_opinion: Scale = Field(1.0, description="Coefficient of the panel opinion (+1 support, −1 oppose).")
    recommendation: Scale = Field(0.3, description="Coefficient of the employer recommendation.")
    stringency: Scale = Field(1.0, description="Coefficient of the expert's stringency (subtracted).")
    shared_sd: ScaleSd = Field(1.0, description="Per-applicant term shared by all votes (correlation).")
    panel_noise_sd: ScaleSd = Field(0.7, description="Noise of the panel's reading of quality.")
    panel_threshold: Scale = Field(0.0, description="The panel supports above this score.")


class CustomBehaviour(_Section):
    """A behaviour model registered with :func:`zcsim.sim.behaviour.register_behaviour`."""

    TAG: ClassVar[str] = "custom"

    model: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)


def _behaviour_tag(value: Any) -> str:
    name = value.get("model") if isinstance(value, Mapping) else getattr(value, "model", None)
    return name if name in ("independent", "latent_quality") else "custom"


Behaviour = Annotated[
    Annotated[IndependentVotes, Tag("independent")]
    | Annotated[LatentQualityVotes, Tag("latent_quality")]
    | Annotated[CustomBehaviour, Tag("custom")],
    Discriminator(_behaviour_tag),
]


class RelationRates(_Section):
    """How often an applicant and an expert of the same series are related, per kind (Art. 29).

    Each rate is the probability that a given applicant and a given expert of the applicant's
    series are related in that way — so it is also the expected number of such relations per
    committee member, comparable to ``recusal.rate``. Relations are drawn once per applicant
    (when they first apply) and kept over the years. Which of them force a recusal is the
    conflict policy's decision (``recusal.graph.policy``), made on the relationship graph.
    The defaults are assumptions, not statistics. Kin rates are kept small: kinship composes, so
    a committee's graph carries everyone its people are connected to by kin, and kin rates high
    enough to connect much of a large population make every committee's search slow.
    """

    supervisor_of: Prob = Field(0.0005, description="The expert supervised the applicant (a four-year "
                                                    "supervision ending within `history_years`).")
    coauthor: Prob = Field(0.002, description="Co-authors of a publication in a year within `history_years` "
                                              "(the default policy counts the last 5 years).")
    project_partner: Prob = Field(0.001, description="Partners in a project ending within `history_years` "
                                                     "(the default policy counts the last 5 years).")
    recommender_of: Prob = Field(0.0002, description="The expert recommended the applicant's application.")
    former_colleague: Prob = Field(0.002, description="Both worked at the same organisation, ending before the "
                                                      "review year (a conflict only under policy `employment: ever`).")
    spouse: Prob = Field(0.000001, description="Spouses.")
    parent_of: Prob = Field(0.000001, description="The expert is the applicant's parent.")
    sibling: Prob = Field(0.000001, description="Siblings.")
    grandparent: Prob = Field(0.0000005, description="The expert is the applicant's grandparent (through a "
                                                    "parent who is neither).")
    first_cousin: Prob = Field(0.000002, description="First cousins (their parents are siblings; collateral "
                                                    "relatives within three generations).")
    in_law: Prob = Field(0.000001, description="The expert's spouse is the applicant's sibling (close in-laws).")


class RecusalGraph(_Section):
    """Recusal from a relationship graph of the simulated population (Art. 29).

    Applicants and experts get employers and relations drawn at random; each committee's
    relationship graph is then searched by :mod:`zcsim.conflicts` under the conflict policy
    (``zcsim simulate`` and ``zcsim compare`` do this; from Python pass
    ``recusal=zcsim.recusal.GraphRecusal.from_scenario(scenario)`` to ``run_replication``).
    """

    employers: Int = Field(200, ge=1, le=MAX_EMPLOYERS, description="Employers the applicants work at, besides the post-quota "
                                                  "units: applicants of public institutions work at their unit "
                                                  "when post_quotas is set; self-employed applicants at none.")
    same_employer_share: Prob = Field(
        0.3, description="Share of experts employed by one of the applicants' employers or units (drawn "
                         "uniformly among them); the others work at an organisation no applicant works at.")
    history_years: Int = Field(10, ge=1, le=MAX_YEARS, description="Dated relations (co-authorship, projects, "
                                                            "supervision, former employment) fall in the "
                                                            "years up to this many years before the review.")
    relations: RelationRates = Field(default_factory=RelationRates,
                                     description="Per-pair rates of each kind of relation between an applicant "
                                                 "and an expert of the same series.")
    policy: str | dict[str, Any] | None = Field(
        None, description="Conflict policy: a YAML file of options relative to the scenario (as `zcsim conflicts "
                          "--policy`), or the options inline ({employment: ever, coauthor_window_years: 3}); "
                          "null = the default policy (kin, same employer, supervisor, recommender, co-authors and "
                          "project partners within 5 years).")


class RecusalSettings(_Section):
    """Recusal (Art. 29): a rate per expert–applicant pair, a conflicts file, or a relationship graph
    of the simulated population — one of the three."""

    rate: Prob = Field(0.0, description="Probability an expert–applicant pair must recuse.")
    conflicts: str | None = Field(None, description="JSON file (relative to the scenario) listing "
                                                    "{applicant, expert} pairs of synthetic ids.")
    graph: RecusalGraph | None = Field(None, description="Draw employers and relations of the simulated "
                                                         "population and find recusals in their relationship "
                                                         "graph under a conflict policy; null = off.")


class PostQuotas(_Section):
    """Post quotas of public institutions (职数, Art. 24)."""

    units: Int = Field(200, ge=1, le=MAX_UNITS, description="Public-institution employers the applicants are "
                                                         f"spread over (at most {MAX_UNITS:,}).")
    ratio: dict[Level, Annotated[float, Field(ge=0.0, le=MAX_QUOTA_RATIO), NotBool]] = Field(
        default_factory=lambda: {"senior": 0.7, "intermediate": 0.9, "junior": 1.0},
        description="Vacant posts per applicant of a unit at each level (quotas are rounded at random).")


class MultiYear(_Section):
    """Settings that matter when `simulation.years` > 1 (and the filing, Art. 11)."""

    reapply_probability: Prob = Field(0.6, description="Probability a failed applicant applies again next year.")
    years_before_next_level: Int = Field(5, ge=1, le=MAX_YEARS, description="Years after a title before applying one level up.")
    next_level_probability: Prob = Field(0.7, description="Probability a title holder applies for the next level.")
    growth: Num = Field(0.0, ge=-0.9, le=MAX_GROWTH, description="Yearly growth of new applicants (0.05 = +5 %; "
                                                                  f"at most {MAX_GROWTH:g}).")
    filed_on: dt.date | None = Field(None, description="Day the committees' filings were accepted (Art. 11); "
                                                       "default the plan date of the first year.")
    renewal: Literal["proactive", "reactive"] = Field(
        "proactive", description="proactive: a filing is renewed on expiry; reactive: only when a meeting "
                                 "finds it expired, which postpones the meeting by renewal_working_days.")
    renewal_working_days: Int = Field(20, ge=1, le=MAX_WORKING_DAYS, description="Working days a reactive renewal takes.")
    redraw: Literal["per_year", "per_filing"] = Field(
        "per_year", description="Draw committees anew every year, or once per filing.")


class Simulation(_Section):
    """Monte Carlo settings."""

    replications: Int = Field(10, ge=1, le=MAX_REPLICATIONS, description=f"Replications (at most {MAX_REPLICATIONS:,}).")
    seed: Int = Field(2020, ge=0, le=MAX_SEED, description="Seed of the random numbers (a 64-bit integer).")
    years: Int = Field(1, ge=1, le=MAX_YEARS, description=f"Simulated annual cycles (at most {MAX_YEARS}).")
    keep_records: Bool = Field(False, description="Keep a zcsim.meeting/1 record of every meeting.")
    max_adjournments: Int = Field(10, ge=0, le=MAX_ADJOURNMENTS,
                                  description="Adjournments after which a review is abandoned.")


class Scenario(_Section):
    """A ``zcsim.scenario/1`` file. See :func:`load_scenario` and the module docstring."""

    format: Literal["zcsim.scenario/1"]
    name: str | None = None
    description: str | None = None
    rules: str = Field("beijing-2020", description="Built-in rule set or rule file (relative to the scenario).")
    overrides: dict[str, Any] = Field(default_factory=dict, alias="set",
                                      description="Rule overrides, KEY: VALUE, as `--set KEY=VALUE`.")
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    population: Population
    experts: Experts
    committees: list[CommitteeSpec] = Field(min_length=1)
    agencies: list[AgencySpec] = Field(default_factory=lambda: [AgencySpec()], min_length=1)
    employer: EmployerSettings = Field(default_factory=EmployerSettings)
    results: ResultSettings = Field(default_factory=ResultSettings)
    behaviour: Behaviour = Field(default_factory=LatentQualityVotes)
    recusal: RecusalSettings = Field(default_factory=RecusalSettings)
    post_quotas: PostQuotas | None = Field(None, description="null: no post quotas.")
    multi_year: MultiYear = Field(default_factory=MultiYear)
    simulation: Simulation = Field(default_factory=Simulation)

    _source: str = PrivateAttr("<scenario>")
    _folder: Path | None = PrivateAttr(None)
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)
    _rules: RuleSet | None = PrivateAttr(None)
    _calendar: WorkingCalendar | None = PrivateAttr(None)
    _conflicts: dict[str, frozenset[str]] | None = PrivateAttr(None)
    _allow_outside: bool = PrivateAttr(False)

    @field_validator("overrides", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return {} if v is None else v

    # -- where things came from -------------------------------------------------------------
    @property
    def source(self) -> str:
        """The file the scenario was read from (or ``<scenario>``)."""
        return self._source

    @property
    def folder(self) -> Path:
        """The folder relative paths are resolved against."""
        return self._folder if self._folder is not None else Path.cwd()

    @property
    def allow_outside(self) -> bool:
        """Whether the file paths in this scenario may point outside :attr:`folder` (given by the
        caller — ``load_scenario(..., allow_outside=True)``, ``--allow-outside-paths`` — never by
        the scenario itself)."""
        return self._allow_outside

    def path_of(self, value: str, what: str, *key: Any) -> Path:
        """The file a path ``value`` of the scenario (at ``key``) names, relative to :attr:`folder`.

        Raises
        ------
        InputError
            Naming the key, when the path (after ``..`` and symlinks are resolved) leaves the
            scenario's folder and the caller did not allow it, or is not a usable path.
        """
        if "\0" in value:
            raise self.error(f"{what} {value!r} is not a usable path (it contains a NUL character)", *key)
        path = Path(value)
        if not path.is_absolute():
            path = self.folder / path
        if not self._allow_outside:
            try:
                root = self.folder.resolve()
                target = path.resolve()
            except (OSError, RuntimeError) as exc:  # a symlink loop, an unreadable folder
                raise self.error(f"{what} {value!r}: cannot resolve the path ({exc})", *key) from None
            if not target.is_relative_to(root):
                raise self.error(
                    f"{what} {value!r} resolves to {target}, outside the scenario's folder {root}; a scenario's "
                    "files stay in its folder: move the file there, or allow paths outside it with "
                    "--allow-outside-paths (Python: load_scenario(..., allow_outside=True))", *key)
        return path

    def where(self, *path: Any) -> str:
        """``line N, a.b[2].c`` for a path inside the scenario (line when known)."""
        return _location(self._lines, path)

    def error(self, message: str, *path: Any) -> InputError:
        """An :class:`InputError` naming this scenario's file and the line of ``path``."""
        return InputError(message, source=self._source, location=self.where(*path))

    # -- what the model needs ---------------------------------------------------------------
    def ruleset(self, overrides: Mapping[str, Any] | Sequence[str] | None = None) -> RuleSet:
        """The scenario's rule set (``rules`` + ``set``), then ``overrides`` (e.g. ``--set``)."""
        base = self._rules if self._rules is not None else _load_rules(self)
        return load_rules(base, overrides) if overrides else base

    def working_calendar(self) -> WorkingCalendar:
        """The calendar: the scenario's calendar file, or chinesecalendar's data."""
        if self.calendar.file is None:
            return default_calendar()
        if self._calendar is None:
            self._calendar = _load_calendar(self)
        return self._calendar

    def conflicts(self) -> dict[str, frozenset[str]] | None:
        """The recusal conflicts file as ``{applicant: experts}``, or ``None``."""
        if self.recusal.conflicts is None:
            return None
        if self._conflicts is None:
            self._conflicts = _load_conflicts(self)
        return self._conflicts

    def committee_plans(self) -> list[CommitteePlan]:
        """The committees with ``levels`` and ``per_specialty`` expanded, in file order."""
        return expand_committees(self)


# ----------------------------------------------------------------------------------------------
# groups, pools and committees expanded
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupPlan:
    """One (series, specialty, level) of applicants after expansion; ``count`` or ``share``."""

    series: str
    specialty: str
    level: str
    count: int | None
    share: float | None
    path: tuple[Any, ...]


def _split(total: int, weights: Sequence[float]) -> list[int]:
    raw = [total * w for w in weights]
    out = [math.floor(x) for x in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def expand_groups(sc: Scenario) -> list[GroupPlan]:
    """The population's groups with ``specialties`` and ``levels`` expanded (counts split by the
    largest remainder, so they add up)."""
    out: list[GroupPlan] = []
    for i, g in enumerate(sc.population.groups):
        specs = list(g.specialties) if g.specialties is not None else [g.specialty]
        levels = dict(g.levels) if g.levels is not None else {g.level: 1.0}
        cells = [(sp, lv, w / len(specs)) for sp in specs for lv, w in levels.items()]
        counts = _split(g.count, [w for *_, w in cells]) if g.count is not None else [None] * len(cells)
        for (sp, lv, w), n in zip(cells, counts):
            out.append(GroupPlan(g.series, sp, str(lv), n, g.share * w if g.share is not None else None,
                                 ("population", "groups", i)))
    return out


def expand_pools(sc: Scenario) -> list[tuple[str, str, int]]:
    """(series, specialty, size) of the expert pool, ``specialties`` split evenly."""
    out: list[tuple[str, str, int]] = []
    for p in sc.experts.pools:
        specs = list(p.specialties) if p.specialties is not None else [p.specialty]
        for sp, n in zip(specs, _split(p.size, [1 / len(specs)] * len(specs))):
            out.append((p.series, sp, n))
    return out


@dataclass(frozen=True)
class CommitteePlan:
    """One committee after expansion of ``levels`` and ``per_specialty``.

    ``path`` is where it comes from in the scenario (for error messages).
    """

    id: str
    series: str
    specialty: str | None
    level: str
    spec: CommitteeSpec
    path: tuple[Any, ...]


def expand_committees(sc: Scenario) -> list[CommitteePlan]:
    """Expand the scenario's committees (see :meth:`Scenario.committee_plans`)."""
    out: list[CommitteePlan] = []
    for i, c in enumerate(sc.committees):
        levels = [c.level] if c.level is not None else list(dict.fromkeys(c.levels or ()))
        if c.per_specialty:
            specs: list[str | None] = sorted({g.specialty for g in expand_groups(sc)
                                              if g.series == c.series and g.specialty})
            if not specs:
                raise sc.error(f"per_specialty: the population has no specialty of series {c.series!r}",
                               "committees", i, "per_specialty")
        else:
            specs = [c.specialty]
        for lv in levels:
            for sp in specs:
                out.append(CommitteePlan(f"C{len(out) + 1:03d}", c.series, sp, lv, c, ("committees", i)))
    return out


# ----------------------------------------------------------------------------------------------
# reading a file
# ----------------------------------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    """The safe loader without the timestamp resolver: dates stay text until pydantic parses them
    (so a bad date is an error with a line, not a crash)."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _index_nodes(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], source: str,
                 _count: list[int] | None = None) -> None:
    # aliases make the node tree a graph: count every visit, so an alias "bomb" (or a
    # self-referencing alias) stops here with an error instead of hanging a later step
    count = _count if _count is not None else [0]
    count[0] += 1
    if count[0] > YAML_MAX_VALUES or len(path) > YAML_MAX_DEPTH:
        what = (f"expands to more than {YAML_MAX_VALUES:,} values" if count[0] > YAML_MAX_VALUES
                else f"nests values more than {YAML_MAX_DEPTH} levels deep")
        raise InputError(f"the scenario {what} (YAML anchors and aliases?); refusing to read it", source=source,
                         location=f"line {node.start_mark.line + 1}")
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else None
            if key is None:
                continue
            line = k.start_mark.line + 1
            if key in first:
                raise InputError(f"key {key!r} appears twice (first on line {first[key]})", source=source,
                                 location=f"line {line}, {_dotted((*path, key))}")
            first[key] = line
            _index_nodes(v, (*path, key), lines, source, count)
            lines[(*path, key)] = line  # errors point at the key's line
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _index_nodes(v, (*path, i), lines, source, count)


def _dotted(path: Sequence[Any]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out or "(top level)"


def _resolve_path(lines: Mapping[tuple[Any, ...], int], loc: Sequence[Any]) -> tuple[Any, ...]:
    """The part of a pydantic location that exists in the file (union tags etc. dropped)."""
    path: tuple[Any, ...] = ()
    for part in loc:
        for cand in (part, str(part)):
            if (*path, cand) in lines:
                path = (*path, cand)
                break
        else:
            if isinstance(part, float) and (*path, _num_text(part)) in lines:
                path = (*path, _num_text(part))
    return path


def _num_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _location(lines: Mapping[tuple[Any, ...], int], loc: Sequence[Any]) -> str:
    path = _resolve_path(lines, loc) if lines else ()
    shown = [p for p in loc if not (isinstance(p, str) and p in _TAGS)]
    line = lines.get(path) if lines else None
    # a missing key: point at its parent
    where = _dotted(shown)
    return f"line {line}, {where}" if line is not None else where


_TAGS = {"independent", "latent_quality", "custom", "[key]", "function-after", "function-before"}


def _models_of(annotation: Any) -> list[type[BaseModel]]:
    """Pydantic models an annotation may hold (through Annotated, unions, lists, dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out += _models_of(arg)
    return out


def _names_at(loc: Sequence[Any]) -> list[str]:
    """The keys allowed at ``loc[:-1]`` (for "did you mean")."""
    cands: list[type[BaseModel]] = [Scenario]
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        nxt: list[type[BaseModel]] | None = None
        for m in cands:
            for name, f in m.model_fields.items():
                if part in (name, f.alias):
                    nxt = _models_of(f.annotation)
                    break
            if nxt is not None:
                break
        if nxt is None:
            tagged = [m for m in cands if part in (getattr(m, "TAG", None),
                                                   m.model_fields["model"].default if "model" in m.model_fields else None)]
            if tagged:
                cands = tagged
            continue
        cands = nxt
    names: list[str] = []
    for m in cands[:1]:
        names += [f.alias or n for n, f in m.model_fields.items()]
    return names


def _suggest(word: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, [o for o in options if o != word], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


_TYPE_WORDS = {
    "int": "an integer", "float": "a number", "bool": "true or false", "string": "text",
    "dict": "a mapping (key: value)", "list": "a list", "tuple": "a list", "date": "a date YYYY-MM-DD",
}


def _explain(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    loc = err["loc"]
    got = err.get("input")
    if kind == "extra_forbidden":
        names = _names_at(loc)
        key = str(loc[-1])
        return f"unknown key {key!r}{_suggest(key, names)}; expected one of: {', '.join(names)}"
    if kind == "missing":
        return f"required key {loc[-1]!r} is missing"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        return f"got {got!r}; expected {expected}{_suggest(str(got), options)}"
    if kind.startswith("date"):
        return f"got {got!r}; expected a date YYYY-MM-DD (a real calendar day)"
    for word, text in _TYPE_WORDS.items():
        if kind.startswith(word + "_"):
            return f"got {got!r}; expected {text}"
    if kind == "value_error":
        msg = str(err.get("msg", ""))
        return msg.removeprefix("Value error, ")
    msg = str(err.get("msg", "")).replace("Input should be", "expected").replace("Value should have", "expected")
    return f"got {got!r}; {msg[:1].lower()}{msg[1:]}"


def _validate(data: Any, source: str, lines: Mapping[tuple[Any, ...], int]) -> Scenario:
    if not isinstance(data, Mapping):
        raise InputError(f"a scenario is a mapping with 'format: {FORMAT}'; got {type(data).__name__}", source=source)
    fmt = data.get("format")
    if fmt != FORMAT:
        where = _location(lines, ("format",)) if "format" in data else "line 1"
        raise InputError(f"format is {fmt!r}; expected {FORMAT!r}", source=source, location=where)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # a misspelt key usually explains a "missing" one: report unknown keys first
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        more = f" ({len(errors) - 1} more problem{'s' if len(errors) > 2 else ''} in this file)" if len(errors) > 1 else ""
        raise InputError(_explain(first) + more, source=source, location=_location(lines, first["loc"])) from None


def parse_scenario(data: Any, *, source: str = "<scenario>", folder: str | Path | None = None,
                   allow_outside: bool = False) -> Scenario:
    """Validate a decoded scenario (a mapping) and check it: rules, dates, routing, files.

    File paths in it (``rules``, ``calendar.file``, ``recusal.conflicts``,
    ``recusal.graph.policy``) are relative to ``folder`` (default: the working directory) and must
    stay inside it unless ``allow_outside`` (see :func:`load_scenario`).

    Raises
    ------
    InputError
        Naming ``source`` and the key (no line numbers: use :func:`load_scenario` for files).
    """
    return _finish(_validate(data, source, {}), source, Path(folder) if folder is not None else None, {},
                   allow_outside)


def load_scenario(path: str | Path, *, allow_outside: bool = False) -> Scenario:
    """Read a ``zcsim.scenario/1`` YAML file.

    The files a scenario names (``rules`` when a file, ``calendar.file``, ``recusal.conflicts``,
    ``recusal.graph.policy``) are relative to the scenario's folder and must stay inside it, after
    ``..`` and symbolic links are resolved; ``allow_outside=True`` (the CLI's
    ``--allow-outside-paths``) lifts this. A scenario cannot grant itself that permission.

    Every problem is an :class:`~zcsim.errors.InputError` naming the file, the line and the key:
    unknown keys (with "did you mean"), wrong types, bad dates, missing or bad rule, calendar and
    conflicts files, impossible dates, shares that do not sum to 1, applicants no committee may
    review (Art. 7, 9), committees without experts.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"
    >>> _ = f.write_text("format: zcsim.scenario/1\\npopulation:\\n  groups: [{series: eng, level: senior, count: 5}]\\n"
    ...                  "experts:\\n  pools: [{series: eng, size: 40}]\\ncommittees:\\n  - {series: eng, levle: senior}\\n")
    >>> load_scenario(f)
    Traceback (most recent call last):
    ...
    zcsim.errors.InputError: ...s.yaml: line 7, committees[0].levle: unknown key 'levle' (did you mean 'level'?); ...
    """
    p = Path(path)
    source = str(path)
    text = read_user_text(p, "scenario")
    loader: _Loader | None = None
    try:
        with yaml_errors(text, source):  # zcsim's own errors (empty file, alias bomb) pass through as they are
            loader = _Loader(text)  # its reader already rejects control characters
            node = loader.get_single_node()
            if node is None:
                raise InputError(f"empty file; a scenario starts with 'format: {FORMAT}'", source=source,
                                 location="line 1")
            lines: dict[tuple[Any, ...], int] = {}
            _index_nodes(node, (), lines, source)
            data = loader.construct_document(node)
    finally:
        if loader is not None:
            loader.dispose()
    sc = _validate(data, source, lines)
    return _finish(sc, source, p.resolve().parent, lines, allow_outside)


def _finish(sc: Scenario, source: str, folder: Path | None, lines: dict[tuple[Any, ...], int],
            allow_outside: bool = False) -> Scenario:
    sc._source = source
    sc._folder = folder
    sc._lines = lines
    sc._allow_outside = bool(allow_outside)
    _check(sc)
    sc._rules = _load_rules(sc)
    if sc.calendar.file is not None:
        sc._calendar = _load_calendar(sc)
    if sc.recusal.conflicts is not None:
        sc._conflicts = _load_conflicts(sc)
    _check_with_rules(sc, sc._rules, sc.working_calendar())
    return sc


# ----------------------------------------------------------------------------------------------
# checks beyond types
# ----------------------------------------------------------------------------------------------
def _sums_to_one(sc: Scenario, shares: Mapping[Any, float], *path: Any) -> None:
    total = sum(shares.values())
    if shares and abs(total - 1.0) > 1e-6:
        raise sc.error(f"shares sum to {total:g}; expected 1", *path)
    if not shares:
        raise sc.error("expected at least one share", *path)


def yearly_applicants(sc: Scenario) -> list[int]:
    """New applicants of each simulated year (``population`` counts or ``total``, grown by
    ``multi_year.growth``), as the simulation brings them in.

    Examples
    --------
    >>> sc = parse_scenario({"format": FORMAT, "population": {"groups": [{"series": "eng", "level": "senior",
    ...     "count": 100}]}, "experts": {"pools": [{"series": "eng", "size": 40}]},
    ...     "committees": [{"series": "eng", "level": "senior"}], "multi_year": {"growth": 0.5},
    ...     "simulation": {"years": 2}})
    >>> yearly_applicants(sc)
    [100, 150]
    """
    pop = sc.population
    if pop.total is not None:
        base = float(pop.total)
    else:
        base = float(sum(g.count or 0 for g in pop.groups))
    return [int(round(base * (1.0 + sc.multi_year.growth) ** y)) for y in range(sc.simulation.years)]


def _check_sizes(sc: Scenario) -> None:
    """The population and the pool within :data:`MAX_APPLICANTS` and :data:`MAX_EXPERTS`."""
    per_year = yearly_applicants(sc)
    if not any(per_year):
        where = ("population", "total") if sc.population.total is not None else ("population", "groups")
        raise sc.error("the population brings no applicant in any year (every count is 0); expected at least one "
                       "applicant", *where)
    peak = max(per_year)
    if peak > MAX_APPLICANTS:
        year = per_year.index(peak) + 1
        where = ("multi_year", "growth") if year > 1 else (
            ("population", "total") if sc.population.total is not None else ("population", "groups"))
        raise sc.error(f"the population brings {peak:,} applicants in simulated year {year}; the most a "
                       f"scenario may have is {MAX_APPLICANTS:,} a year (MAX_APPLICANTS): reduce the counts"
                       + (" or multi_year.growth" if year > 1 else ""), *where)
    experts = sum(p.size for p in sc.experts.pools)
    if experts > MAX_EXPERTS:
        raise sc.error(f"the expert pools hold {experts:,} experts; the most a scenario may have is "
                       f"{MAX_EXPERTS:,} (MAX_EXPERTS)", "experts", "pools")


def _check(sc: Scenario) -> None:
    pop = sc.population
    for i, g in enumerate(pop.groups):
        if g.count is not None and g.share is not None:
            raise sc.error("give count or share, not both", "population", "groups", i)
        if g.count is None and g.share is None:
            raise sc.error("give count (applicants per year) or share (of population.total)", "population", "groups", i)
        if g.levels is not None:
            _sums_to_one(sc, g.levels, "population", "groups", i, "levels")
        if g.specialties is not None and len(set(g.specialties)) != len(g.specialties):
            raise sc.error("a specialty is listed twice", "population", "groups", i, "specialties")
    counts = [g.count is not None for g in pop.groups]
    shares = [g.share is not None for g in pop.groups]
    if any(shares):
        if not all(shares):
            i = counts.index(True)
            raise sc.error("mix of count and share: with population.total every group gives a share",
                           "population", "groups", i, "count")
        if pop.total is None:
            raise sc.error("groups give shares: population.total is required", "population", "groups")
        _sums_to_one(sc, {i: g.share for i, g in enumerate(pop.groups)}, "population", "groups")  # type: ignore[misc]
    elif pop.total is not None:
        raise sc.error("population.total needs groups with shares (these give counts)", "population", "total")
    _check_sizes(sc)
    seen: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    for g in expand_groups(sc):
        key = (g.series, g.specialty, g.level)
        if key in seen:
            raise sc.error(f"applicants of {g.series}/{g.specialty or '-'}/{g.level} are given twice (first at "
                           f"{_dotted(seen[key])})", *g.path)
        seen[key] = g.path
    _sums_to_one(sc, pop.employer_kinds, "population", "employer_kinds")
    _sums_to_one(sc, pop.self_employed_years_in_beijing, "population", "self_employed_years_in_beijing")
    for years in pop.self_employed_years_in_beijing:
        if years < 0:
            raise sc.error(f"years working in Beijing {years:g} is negative", "population", "self_employed_years_in_beijing")
    _sums_to_one(sc, sc.experts.levels, "experts", "levels")

    # dates (Art. 12): plan ≤ window open ≤ window close < first meeting
    cal = sc.calendar
    plan, wo, wc, fm = cal.dates()
    names = ("plan_date", "window_open", "window_close", "first_meeting")
    values = (plan, wo, wc, fm)
    for (a, da), (b, db) in zip(zip(names, values), zip(names[1:], values[1:])):
        if db < da or (b == "first_meeting" and db <= da):
            key = b if getattr(cal, b) is not None else a
            raise sc.error(f"{b} {db} is before {a} {da}; expected plan_date ≤ window_open ≤ window_close < "
                           "first_meeting", "calendar", key)
    if fm.year > plan.year + 1:
        raise sc.error(f"first_meeting {fm} is more than a year after plan_date {plan}", "calendar", "first_meeting")
    for i, c in enumerate(sc.committees):
        if isinstance(c.meeting_day, dt.date) and c.meeting_day <= wc:
            raise sc.error(f"meeting day {c.meeting_day} is not after the window close {wc}", "committees", i, "meeting_day")
        if isinstance(c.meeting_day, int) and not 0 <= c.meeting_day <= MAX_WORKING_DAYS:
            raise sc.error(f"meeting_day {c.meeting_day} is out of range; expected 0 to {MAX_WORKING_DAYS} working days "
                           "after calendar.first_meeting (or a date)", "committees", i, "meeting_day")
        if c.size is not None and c.vice_chairs is not None and c.vice_chairs >= c.size:
            raise sc.error(f"vice_chairs {c.vice_chairs} is not below the committee size {c.size} (one member "
                           "is the chair, Art. 9)", "committees", i, "vice_chairs")

    # agencies
    ids: dict[str, int] = {}
    claimed: dict[str, str] = {}
    for i, a in enumerate(sc.agencies):
        if a.id in ids:
            raise sc.error(f"agency id {a.id!r} appears twice", "agencies", i, "id")
        ids[a.id] = i
        for s in a.series or ():
            if s in claimed:
                raise sc.error(f"series {s!r} is served by agencies {claimed[s]!r} and {a.id!r}", "agencies", i, "series")
            claimed[s] = a.id
    catch_all = [a.id for a in sc.agencies if a.series is None]
    if len(catch_all) > 1:
        raise sc.error("more than one agency without a series list", "agencies")
    for i, g in enumerate(pop.groups):
        if g.series not in claimed and not catch_all:
            raise sc.error(f"no agency serves series {g.series!r}", "population", "groups", i, "series")
    seen_pools: set[tuple[str, str]] = set()
    for i, (series, sp, _) in enumerate(expand_pools(sc)):
        if (series, sp) in seen_pools:
            raise sc.error(f"experts of {series}/{sp or '-'} are given twice", "experts", "pools")
        seen_pools.add((series, sp))
    for i, c in enumerate(sc.committees):
        if c.agency is not None and c.agency not in ids:
            raise sc.error(f"unknown agency {c.agency!r}{_suggest(c.agency, list(ids))}", "committees", i, "agency")

    # experts for every committee (Art. 7: the committee draws from its series / specialty)
    plans = expand_committees(sc)
    keys: dict[tuple[str, str | None, str], CommitteePlan] = {}
    for plan_ in plans:
        k = (plan_.series, plan_.specialty, plan_.level)
        if k in keys:
            raise sc.error(f"two committees for series {plan_.series}"
                           + (f", specialty {plan_.specialty}" if plan_.specialty else "")
                           + f", level {plan_.level}; in principle one committee per series or specialty (Art. 7)",
                           *plan_.path)
        keys[k] = plan_
        have = [p for p in expand_pools(sc) if p[0] == plan_.series
                and (plan_.specialty is None or p[1] == plan_.specialty) and p[2] > 0]
        if not have:
            known = sorted({p.series for p in sc.experts.pools})
            what = f"series {plan_.series!r}" + (f", specialty {plan_.specialty!r}" if plan_.specialty else "")
            raise sc.error(f"the expert pool has no expert of {what}{_suggest(plan_.series, known)}; committees "
                           "draw experts of their own series and specialty (Art. 7)", *plan_.path)

    # recusal
    if sc.recusal.rate and sc.recusal.conflicts is not None:
        raise sc.error("give recusal.rate or recusal.conflicts, not both", "recusal")
    if sc.recusal.graph is not None:
        other = "rate" if sc.recusal.rate else "conflicts" if sc.recusal.conflicts is not None else None
        if other is not None:
            raise sc.error(f"give recusal.graph or recusal.{other}, not both: recusals come from a relationship "
                           "graph, a conflicts file or a rate (Art. 29)", "recusal", "graph")
        policy = sc.recusal.graph.policy
        if isinstance(policy, str):
            path = sc.path_of(policy, "policy file", "recusal", "graph", "policy")
            if not path.is_file():
                raise sc.error(f"policy file {policy!r} not found (looked for {path}); give a YAML file of "
                               "conflict-policy options, or null for the default policy", "recusal", "graph", "policy")
    if isinstance(sc.behaviour, CustomBehaviour) and sc.behaviour.model not in behaviour_names():
        raise sc.error(f"behaviour model {sc.behaviour.model!r} is not registered"
                       f"{_suggest(sc.behaviour.model, behaviour_names())}; known: {', '.join(behaviour_names())}",
                       "behaviour", "model")


def _load_rules(sc: Scenario) -> RuleSet:
    spec = sc.rules
    if spec not in builtin_rule_sets():
        path = Path(spec)
        if not path.is_absolute():
            path = sc.folder / path
        if "\0" not in spec and (path.suffix.lower() in (".yaml", ".yml") or path.exists()):
            path = sc.path_of(spec, "rule file", "rules")
        if path.suffix.lower() not in (".yaml", ".yml") and not path.exists():
            raise sc.error(f"unknown rule set {spec!r}{_suggest(spec, builtin_rule_sets())}; built-in: "
                           + ", ".join(builtin_rule_sets()) + "; or a .yaml rule file relative to the scenario", "rules")
        if not path.exists():
            raise sc.error(f"rule file {spec!r} not found (looked for {path})", "rules")
        spec = str(path)
    try:
        # a rule file's base: files stay in the scenario's folder too
        base = load_rules(spec) if sc.allow_outside or spec in builtin_rule_sets() else load_rules_within(spec, sc.folder)
    except RuleSetError as exc:
        raise sc.error(f"rule set {sc.rules!r}: {exc}", "rules") from None
    if not sc.overrides:
        return base
    specs = RuleSet.specs()
    for key, value in sc.overrides.items():
        if isinstance(value, Mapping):
            continue  # nested (pool_min_share: {young: 1/10}): load_rules names the key
        if canonical_key(str(key)) not in specs:
            raise sc.error(f"unknown rule {key!r}{_suggest(canonical_key(str(key)), list(specs))}; see `zcsim rules` "
                           "for the rules and their articles", "set", key)
    try:
        return load_rules(base, dict(sc.overrides))
    except RuleSetError as exc:
        key = exc.location if exc.location in sc.overrides else None
        path = ("set", key) if key else ("set",)
        raise sc.error(exc.message, *path) from None


def _load_calendar(sc: Scenario) -> WorkingCalendar:
    if sc.calendar.file is None:
        return default_calendar()
    path = sc.path_of(sc.calendar.file, "calendar file", "calendar", "file")
    try:
        return WorkingCalendar.from_file(path)
    except CalendarError as exc:
        raise sc.error(f"calendar file {sc.calendar.file!r}: {exc}", "calendar", "file") from None


def _load_conflicts(sc: Scenario) -> dict[str, frozenset[str]]:
    name = sc.recusal.conflicts
    assert name is not None
    path = sc.path_of(name, "conflicts file", "recusal", "conflicts")
    try:  # a regular file, read once, decoded as strict JSON (duplicate keys, NaN, … refused)
        data = load_user_json(read_user_text(path, "conflicts"), str(path), "conflicts")
    except InputError as exc:
        where = f" ({exc.location})" if exc.location else ""
        looked = f" (looked for {path})" if exc.message.endswith("not found") else ""
        raise sc.error(f"conflicts file {name!r}{where}: {exc.message}{looked}", "recusal", "conflicts") from None
    return conflicts_from_json(data, lambda msg: sc.error(f"conflicts file {name!r}: {msg}", "recusal", "conflicts"))


def conflicts_from_json(data: Any, error: Any = None) -> dict[str, frozenset[str]]:
    """``[{"applicant": A, "expert": E}, …]`` → ``{A: {E, …}}`` (Art. 29).

    The document ``zcsim conflicts --json`` prints (``{"conflicts": [...], "date": …}``) is taken
    too: its items carry the kind, path and detail of each pair beside the two ids.

    Examples
    --------
    >>> conflicts_from_json([{"applicant": "A0000001", "expert": "E000002"}])
    {'A0000001': frozenset({'E000002'})}
    >>> conflicts_from_json({"date": "2025-11-14", "conflicts": [{"applicant": "A1", "expert": "E2",
    ...     "kind": "employment", "path": ["A1", "E2"], "detail": "same employer", "other_kinds": []}]})
    {'A1': frozenset({'E2'})}
    """
    def bad(msg: str) -> InputError:
        return error(msg) if error is not None else InputError(msg)

    allowed = {"applicant", "expert", "type"}
    if isinstance(data, Mapping) and isinstance(data.get("conflicts"), list):
        allowed |= {"kind", "path", "detail", "other_kinds"}  # the items of `zcsim conflicts --json`
        data = data["conflicts"]
    if not isinstance(data, list):
        raise bad("expected a JSON list of {\"applicant\": ..., \"expert\": ...} objects, or the document "
                  "`zcsim conflicts --json` prints")
    out: dict[str, set[str]] = {}
    for i, item in enumerate(data):
        if not isinstance(item, Mapping) or set(item) - allowed or not {"applicant", "expert"} <= set(item):
            raise bad(f"item [{i}]: expected {{\"applicant\": ..., \"expert\": ...}} (optionally \"type\"), got {item!r}"[:400])
        a, e = item["applicant"], item["expert"]
        if not isinstance(a, str) or not isinstance(e, str) or not a or not e:
            raise bad(f"item [{i}]: applicant and expert must be non-empty text")
        out.setdefault(a, set()).add(e)
    return {a: frozenset(es) for a, es in out.items()}


def _check_with_rules(sc: Scenario, rules: RuleSet, cal: WorkingCalendar) -> None:
    plans = expand_committees(sc)
    for g in expand_groups(sc):
        if route(plans, g.series, g.specialty, g.level, rules) is None:
            raise sc.error(f"no committee may review {g.level} applicants of series {g.series}"
                           + (f", specialty {g.specialty}" if g.specialty else "")
                           + " (a committee reviews its own series — and specialty when formed by one — at its "
                             "level, or lower levels if higher_committee_reviews_lower; Art. 7, 9)", *g.path)
    # the calendar must cover every simulated year's timetable
    for y in range(sc.simulation.years):
        for name, d in zip(("plan_date", "window_open", "window_close", "first_meeting"), sc.calendar.dates(y)):
            if not cal.covers(d.year):
                key = ("simulation", "years") if y else ("calendar", "year")
                raise sc.error(f"year {d.year} ({name} of simulated year {y + 1}) is not covered by the working-day "
                               "calendar; give calendar.file (a CSV with '# covers: YEAR', see docs/calendar.md)",
                               *key)


def route(plans: Sequence[CommitteePlan], series: str, specialty: str, level: str,
          rules: RuleSet) -> CommitteePlan | None:
    """The committee that reviews applicants of ``series``/``specialty`` at ``level`` (Art. 7, 9).

    Among the committees :func:`~zcsim.procedure.application.committee_may_review` allows (and, for
    one formed by specialty, of the applicant's specialty), the preferred is: the same level
    before a higher one, the lowest higher level first, the specialty committee before the series
    committee.
    """
    best: tuple[tuple[int, int], CommitteePlan] | None = None
    want = LEVELS.index(level)
    for p in plans:
        if p.specialty is not None and p.specialty != specialty:
            continue
        if not all(f.ok for f in committee_may_review(p.series, p.level, series, level, rules)):
            continue
        rank = (LEVELS.index(p.level) - want, 0 if p.specialty is not None else 1)
        if best is None or rank < best[0]:
            best = (rank, p)
    return best[1] if best else None


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of the ``zcsim.scenario/1`` format.

    Examples
    --------
    >>> scenario_schema()["properties"]["format"]["const"]
    'zcsim.scenario/1'
    """
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "zcsim.scenario/1 — a simulation scenario of annual title-review cycles"
    return schema
