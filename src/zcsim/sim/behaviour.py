"""How experts vote: pluggable behaviour models of panels (Art. 20–21) and committee votes (Art. 23).

A behaviour model answers two questions for one meeting, all applicants at once:

- :meth:`BehaviourModel.panel_support` — the written panel opinion of each applicant (Art. 21):
  ``True`` = the panel supports, ``False`` = it opposes;
- :meth:`BehaviourModel.yes_votes` — one round of votes (Art. 23): a boolean matrix
  ``(applicants, experts present)``; ``True`` = a yes vote. Whether an applicant passes is then
  decided by :func:`zcsim.procedure.passes` on the yes counts, never here.

Two models ship:

``independent``
    every expert votes yes with the same probability, independently (the reference model whose
    pass rate is the binomial tail ``P(Binomial(n, p) ≥ threshold)``);
``latent_quality``
    each applicant has a latent quality ``q``; the employer's recommendation (Art. 15) and the
    panel opinion (Art. 21) are noisy readings of it; expert ``j`` votes yes with probability
    ``logistic(b0 + bq·q + bp·opinion + br·recommendation − bs·stringency_j + u)``, where
    ``u ~ Normal(0, shared_sd)`` is drawn once per applicant, so the votes on one applicant are
    correlated (a shared impression of the dossier and the discussion).

Register another with :func:`register_behaviour`; a scenario then names it
(``behaviour: {model: NAME, params: {...}}``).

Examples
--------
>>> import numpy as np
>>> m = make_behaviour({"model": "independent", "yes_probability": 1.0})
>>> ctx = ReviewContext.blank(3, 5)
>>> int(m.yes_votes(ctx, np.random.default_rng(0)).sum())
15
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from zcsim.errors import InputError

__all__ = [
    "ReviewContext",
    "BehaviourModel",
    "IndependentModel",
    "LatentQualityModel",
    "register_behaviour",
    "make_behaviour",
    "behaviour_names",
]


@dataclass(frozen=True)
class ReviewContext:
    """What a behaviour model may look at for the applicants of one meeting.

    Attributes
    ----------
    quality : ndarray of float, shape (n,)
        Latent quality of each applicant (scenario ``population.quality``).
    recommendation : ndarray of float, shape (n,)
        The employer's recommendation score (Art. 15): quality read with noise.
    exceptional : ndarray of bool, shape (n,)
        Exceptional applications (Art. 16).
    panel_stringency : ndarray of float, shape (n,)
        Mean stringency of the experts of each applicant's panel.
    stringency : ndarray of float, shape (m,)
        Stringency of each expert present and voting.
    support : ndarray of bool, shape (n,), optional
        The panel opinions (``True`` = supports); ``None`` while they are being formed.
    """

    quality: np.ndarray
    recommendation: np.ndarray
    exceptional: np.ndarray
    panel_stringency: np.ndarray
    stringency: np.ndarray
    support: np.ndarray | None = None

    @classmethod
    def blank(cls, n: int, m: int) -> ReviewContext:
        """A neutral context: ``n`` applicants of quality 0, ``m`` experts of stringency 0."""
        z = np.zeros(n)
        return cls(z, z, np.zeros(n, dtype=bool), z, np.zeros(m), np.ones(n, dtype=bool))

    @property
    def n(self) -> int:
        return int(self.quality.shape[0])


@runtime_checkable
class BehaviourModel(Protocol):
    """A model of panel opinions and votes (see the module docstring)."""

    def panel_support(self, ctx: ReviewContext, rng: np.random.Generator) -> np.ndarray:
        """Panel opinion per applicant: ``True`` = support (Art. 21)."""
        ...

    def yes_votes(self, ctx: ReviewContext, rng: np.random.Generator) -> np.ndarray:
        """Yes votes, boolean matrix (applicants × experts present) (Art. 23)."""
        ...


class IndependentModel:
    """Every expert votes yes with probability ``yes_probability``, independently.

    The panel supports with the same probability (the opinion does not influence the votes).
    """

    def __init__(self, yes_probability: float):
        if not 0.0 <= yes_probability <= 1.0:
            raise InputError(f"yes_probability = {yes_probability} is not a probability",
                             location="behaviour.yes_probability")
        self.p = float(yes_probability)

    def panel_support(self, ctx: ReviewContext, rng: np.random.Generator) -> np.ndarray:
        return rng.random(ctx.n) < self.p

    def yes_votes(self, ctx: ReviewContext, rng: np.random.Generator) -> np.ndarray:
        return rng.random((ctx.n, ctx.stringency.shape[0])) < self.p


class LatentQualityModel:
    """Correlated votes driven by a latent quality (see the module docstring).

    Parameters
    ----------
    intercept, quality, panel_opinion, recommendation, stringency : float
        Coefficients of the logistic yes probability. ``panel_opinion`` multiplies +1 (support)
        or −1 (oppose); ``stringency`` multiplies the voting expert's stringency (subtracted).
    shared_sd : float
        Standard deviation of the per-applicant term shared by all votes on that applicant.
    panel_noise_sd, panel_threshold : float
        The panel supports when ``quality − mean panel stringency + Normal(0, panel_noise_sd)``
        exceeds ``panel_threshold``.
    """

    def __init__(self, *, intercept: float = 1.0, quality: float = 1.2, panel_opinion: float = 1.0,
                 recommendation: float = 0.3, stringency: float = 1.0, shared_sd: float = 1.0,
                 panel_noise_sd: float = 0.7, panel_threshold: float = 0.0):
        self.b0, self.bq, self.bp, self.br, self.bs = intercept, quality, panel_opinion, recommendation, stringency
        self.shared_sd, self.panel_noise_sd, self.panel_threshold = shared_sd, panel_noise_sd, panel_threshold

    def panel_support(self, ctx: ReviewContext, rng: np.random.Generator) -> np.ndarray:
        score = ctx.quality - ctx.panel_stringency + rng.normal(0.0, self.panel_noise_sd, ctx.n)
        return score > self.panel_threshold

    def yes_votes(self, ctx: ReviewContext, rng: np.random.Generator) -> np.ndarray:
        n, m = ctx.n, ctx.stringency.shape[0]
        support = ctx.support if ctx.support is not None else np.ones(n, dtype=bool)
        eta = (self.b0 + self.bq * ctx.quality + self.bp * np.where(support, 1.0, -1.0)
               + self.br * ctx.recommendation + rng.normal(0.0, self.shared_sd, n))
        logits = eta[:, None] - self.bs * ctx.stringency[None, :]
        # beyond ±_MAX_LOGIT the probability is 0 or 1 to double precision; clipping keeps exp finite
        # (no overflow warning) and changes no vote
        p = 1.0 / (1.0 + np.exp(-np.clip(logits, -_MAX_LOGIT, _MAX_LOGIT)))
        return rng.random((n, m)) < p


_MAX_LOGIT = 700.0
"""Log-odds beyond which ``exp`` would overflow a double (about 709.8); clipped to it."""


Factory = Callable[[Mapping[str, Any]], BehaviourModel]

_REGISTRY: dict[str, Factory] = {}


def register_behaviour(name: str, factory: Factory) -> None:
    """Make a behaviour model available to scenarios as ``behaviour: {model: name, params: …}``.

    ``factory`` receives the parameters as a mapping and returns a :class:`BehaviourModel`.
    Registering an existing name replaces it.
    """
    if not name or not isinstance(name, str):
        raise ValueError("a behaviour model needs a non-empty name")
    _REGISTRY[name] = factory


def behaviour_names() -> list[str]:
    """Names of the registered behaviour models."""
    return sorted(_REGISTRY)


def make_behaviour(settings: Any) -> BehaviourModel:
    """Build the behaviour model a scenario's ``behaviour`` section names.

    ``settings`` is that section: a pydantic model or a mapping with ``model`` and the model's
    parameters (either flat, as the built-in models take them, or under ``params``).

    Raises
    ------
    InputError
        For an unregistered model name (with a "did you mean").
    """
    if hasattr(settings, "model_dump"):
        data = settings.model_dump()
    else:
        data = dict(settings)
    name = data.pop("model", None)
    params = dict(data.pop("params", None) or {})
    params.update(data)
    if name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), list(_REGISTRY), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InputError(f"behaviour model {name!r} is not registered{hint}; known: "
                         + ", ".join(behaviour_names()), location="behaviour.model")
    return _REGISTRY[name](params)


register_behaviour("independent", lambda p: IndependentModel(**p))
register_behaviour("latent_quality", lambda p: LatentQualityModel(**p))
