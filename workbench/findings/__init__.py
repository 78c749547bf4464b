"""The findings ledger: every finding of a run computed once per scope, stored, and read by every report.

Reports used to run their own analyses with their own windows and models, so two reports of
one run could disagree (one said no series was above its forecast interval while another
listed surges; one ignored the nationality fallback for corridors). Here the findings of a
**scope** are computed once by :func:`compute_findings` and written to the store
(``<store>/findings/<key>.json``) with their parameters and provenance; every report calls
:func:`findings_for`, which reads the stored ledger when one exists for the same scope and
the same store contents, and computes (and stores) it otherwise.

A scope is what defines the data: ``region``, ``exploitation_type``, ``sources`` (catalog
source entries, e.g. ``"app_reports,partner_hla"``), the last month judged (``end_month``, default the last
complete month), the window lengths and the H3 ``resolution`` (the audience's). The
ledger's key hashes these and the SHA-256 of the store manifest, so new data gives a new
ledger and an old one is never read against new data.

What the ledger holds (one definition each, used by every report):

``surges``
    Monthly series per country over the 36 months to ``end_month``, the forecasting ladder
    (``"auto"``) per series, and a surge when the latest month is above its one-step
    forecast interval.

When the records are dated only to the year (:func:`workbench.analyse.scope.frequency_for`
gives ``"Y"``; ``frequency`` says so), every window is a whole year: the latest year
against the year before for hotspots, corridors and per-country changes ("in 2021 against
2020"); no month is checked for a surge.
``hotspots``
    Gi* over the H3 cells of the latest ``window_months``, significant hot cells grouped
    into areas named after a well-known place; an area is new when none of its cells was
    hot in the window before.
``corridors``
    Origin -> transit -> destination corridors (origin falling back to the victims'
    nationality) in the latest quarter against the same quarter a year before, with the
    exact Poisson rate test (FDR controlled); ``top_corridors`` lists the largest over the
    latest ``window_months``.
``trends``
    Quasi-Poisson trend per country over ``trend_months``.
``emerging``
    Emerging hot spot classes (Gi* per month over the last 12 months, Mann-Kendall trend
    per cell) at the scope's resolution.
``judgements``
    Key Judgements built from exactly these results (a corridor is judged to have grown
    only when the corridor table says it grew), ranked. Every candidate, corridors
    included, passes the artefact checks of :mod:`workbench.share.scrutiny` (a source
    starting or stopping, year-only dates, one dominant source, coarse geocoding): it is
    written with its caveats, or withheld.
``withheld``
    The candidates the artefact checks withheld: ``kind, subject, reason`` (words only,
    no counts), listed by the key_judgements report.
``hotspot_inference``
    Which p-values the hot spots rest on and why (conditional permutation with FDR on
    sparse counts, the normal approximation otherwise), as the reports print it.

The package: :mod:`~workbench.findings.ledger` (scope, contents, JSON form),
:mod:`~workbench.findings.compute` (:func:`compute_findings`), one module per kind of
finding (:mod:`~workbench.findings.hotspots`, :mod:`~workbench.findings.surges`,
:mod:`~workbench.findings.corridors`, :mod:`~workbench.findings.trends`) and
:mod:`~workbench.findings.storage` (:func:`findings_for`, :func:`ledger_dir`).
"""

from workbench.findings.ledger import (EMERGING_STEPS, HOTSPOT_PERMUTATIONS, LEDGER_VERSION, MIN_CORRIDOR_INCIDENTS,
                                       SURGE_HISTORY_MONTHS, Findings, FindingsScope, Period, corridor_id)
from workbench.findings.corridors import corridor_name
from workbench.findings.compute import compute_findings, judged_period, last_complete_month
from workbench.findings.storage import findings_for, ledger_dir

__all__ = ["EMERGING_STEPS", "HOTSPOT_PERMUTATIONS", "LEDGER_VERSION", "MIN_CORRIDOR_INCIDENTS", "SURGE_HISTORY_MONTHS",
           "Findings", "FindingsScope", "Period", "compute_findings", "corridor_id", "corridor_name", "findings_for",
           "judged_period", "last_complete_month", "ledger_dir"]
