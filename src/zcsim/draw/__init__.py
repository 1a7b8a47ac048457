"""Expert pools and random draws of committees and panels (Art. 7, 9, 10, 20).

- :func:`draw_committee`: a committee drawn uniformly among all committees of the series (and
  specialty) and level that meet Art. 9 and the Art. 10 minimum shares, with roles and ranked
  alternates; :func:`find_replacement` takes the next qualifying alternate.
- :func:`assign_panels`: panels of at least ``panel_min_size`` experts (Art. 20) and an
  assignment of applicants with no conflicted panel expert (Art. 29), balancing the load.
- :func:`selection_frequencies`: repeated draws, exact inclusion probabilities, and the
  comparison with the greedy "legacy" quota method of sortition practice.

An impossible draw raises :class:`DrawError` with the reasons and the smallest relaxation.
"""

from zcsim.draw._committee import (
    CATEGORY_NAMES,
    MAX_COMMITTEE_SIZE,
    CommitteeDraw,
    Member,
    Replacement,
    committee_size,
    draw_committee,
    find_replacement,
    quota_need,
    replacement,
    with_replacement,
)
from zcsim.draw._errors import Diagnosis, DrawError, Relaxation
from zcsim.draw._fairness import MAX_REPEAT, FrequencyReport, MethodSpread, TypeFrequency, selection_frequencies
from zcsim.draw._panels import OutOfScope, Panel, PanelAssignment, assign_panels, default_panel_count
from zcsim.draw._pool import (
    CATEGORIES,
    ApplicantRecord,
    CsvTable,
    DataWarning,
    ExpertRecord,
    People,
    Pool,
    TableInfo,
    load_applicants,
    load_experts,
    normalise_id,
    read_people,
    read_table,
)
from zcsim.draw._seed import MAX_SEED
from zcsim.draw._quota import QuotaModel, legacy_sample

__all__ = [
    "CATEGORIES",
    "ApplicantRecord",
    "ExpertRecord",
    "Pool",
    "load_applicants",
    "load_experts",
    "read_table",
    "read_people",
    "normalise_id",
    "CsvTable",
    "TableInfo",
    "People",
    "DataWarning",
    "MAX_COMMITTEE_SIZE",
    "MAX_REPEAT",
    "MAX_SEED",
    # committee draw
    "draw_committee",
    "committee_size",
    "quota_need",
    "CommitteeDraw",
    "Member",
    "CATEGORY_NAMES",
    "find_replacement",
    "replacement",
    "with_replacement",
    "Replacement",
    # panels
    "assign_panels",
    "default_panel_count",
    "PanelAssignment",
    "Panel",
    "OutOfScope",
    # fairness
    "selection_frequencies",
    "FrequencyReport",
    "TypeFrequency",
    "MethodSpread",
    "QuotaModel",
    "legacy_sample",
    # errors
    "DrawError",
    "Diagnosis",
    "Relaxation",
]
