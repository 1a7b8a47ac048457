"""Expert pools and random draws of committees and panels (Art. 7, 9, 10, 20)."""

from zcsim.draw._pool import (
    CATEGORIES,
    ApplicantRecord,
    ExpertRecord,
    Pool,
    load_applicants,
    load_experts,
)

__all__ = [
    "CATEGORIES",
    "ApplicantRecord",
    "ExpertRecord",
    "Pool",
    "load_applicants",
    "load_experts",
]
