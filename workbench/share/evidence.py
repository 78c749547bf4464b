"""The evidence behind a Key Judgement: its sources, its analytical confidence, its screening.

Helpers of :mod:`workbench.share.assessment` (importable from there too): what the records
behind a judgement are (how many, how well graded, of which kinds), the analytical
confidence that follows from them, the artefact checks a judgement passes before it is
written, and the month bounds of the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.analyse.series import growth_text, incident_series
from workbench.findings.compute import last_complete_month  # one definition: the ledger's
from workbench.share.judgements import KeyJudgement
from workbench.share.scrutiny import Finding, apply_findings, scrutinise


#: Admiralty grades counted as well graded: reliability A-B and credibility 1-2.
WELL_GRADED = ({"A", "B"}, {"1", "2"})


def source_summary(incidents: pd.DataFrame) -> dict[str, Any]:
    """Summarise the sources and grading behind a set of incidents.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents.

    Returns
    -------
    dict
        ``incidents`` (int), ``well_graded_share`` (share graded B2 or better),
        ``types`` (sorted source types, never source names) and ``n_types``.
    """
    n = int(len(incidents))
    if n == 0:
        return {"incidents": 0, "well_graded_share": 0.0, "types": [], "n_types": 0}
    good = (incidents["source_reliability"].astype(str).isin(WELL_GRADED[0])
            & incidents["info_credibility"].astype(str).isin(WELL_GRADED[1]))
    types = sorted(incidents["source_type"].dropna().astype(str).unique())
    return {"incidents": n, "well_graded_share": float(good.mean()), "types": types, "n_types": len(types)}


def confidence(summary: dict[str, Any], cap: str | None = None) -> str:
    """Analytical confidence from the evidence behind a judgement.

    ``high``: at least 100 incidents, at least half graded B2 or better, and at least two
    kinds of source. ``moderate``: at least 30 incidents and either a quarter well graded
    or two kinds of source. Otherwise ``low``.

    Parameters
    ----------
    summary : dict
        From :func:`source_summary`.
    cap : str, optional
        Highest level allowed (e.g. ``"moderate"`` when the model did not beat its baseline).

    Returns
    -------
    str
        ``low``, ``moderate`` or ``high``.
    """
    n, good, kinds = summary["incidents"], summary["well_graded_share"], summary["n_types"]
    if n >= 100 and good >= 0.5 and kinds >= 2:
        level = "high"
    elif n >= 30 and (good >= 0.25 or kinds >= 2):
        level = "moderate"
    else:
        level = "low"
    order = ("low", "moderate", "high")
    if cap is not None and order.index(level) > order.index(cap):
        level = cap
    return level


def month_counts(incidents: pd.DataFrame, by: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Monthly counts per place (columns: months); NaN where none of the place's sources reported.

    Records dated only to the year or quarter are left out (they say nothing about a month).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents.
    by : str
        Place column (``country_iso3``).
    start, end : pandas.Timestamp
        First and last month.

    Returns
    -------
    pandas.DataFrame
        Places (rows) by months (columns).
    """
    months = pd.date_range(start, end, freq="MS")
    located = incidents.dropna(subset=[by])
    series = incident_series(located, freq="MS", by=(by,), start=start, end=end, coarse="drop")
    if series.empty:
        return pd.DataFrame(columns=months, dtype=float)
    return series.pivot(index=by, columns="ds", values="y").reindex(columns=months)


def screen(j: KeyJudgement, records: pd.DataFrame, everything: pd.DataFrame | None,
           window: tuple[pd.Timestamp, pd.Timestamp] | None, withheld: list | None = None,
           period: pd.DataFrame | None = None) -> KeyJudgement | None:
    """Run the artefact checks on a judgement built elsewhere (e.g. the findings ledger's corridors).

    Parameters
    ----------
    j : KeyJudgement
        The candidate.
    records : pandas.DataFrame
        The records behind it.
    everything : pandas.DataFrame, optional
        All dated records in scope (for the sources' first and last reports).
    window : (Timestamp, Timestamp), optional
        First and last day of the judged window.
    withheld : list, optional
        Receives ``(judgement, findings)`` when the candidate is withheld.
    period : pandas.DataFrame, optional
        The records of the single judged period (for the date-precision check).

    Returns
    -------
    KeyJudgement or None
        The judgement with its caveats, or None when withheld.
    """
    findings: list[Finding] = scrutinise(j, records, everything, window, period)
    kept = apply_findings(j, findings)
    if kept is None and withheld is not None:
        withheld.append((j, findings))
    return kept


def yearly_growth(y: np.ndarray, slope: float, k: int = 10) -> str:
    """The trend's yearly change in words, only where the first and last year carry it.

    Parameters
    ----------
    y : numpy.ndarray
        Monthly counts (NaN: no data).
    slope : float
        The trend's log-rate slope per year.
    k : int
        Fewest incidents in the first and the last year for a rate to be stated.

    Returns
    -------
    str
        ``"estimated up 20% a year"`` or why no rate is stated.
    """
    first, last = np.nansum(y[:12]), np.nansum(y[-12:])
    if min(first, last) < k:
        return f"too few incidents in the first or last year (fewer than {k}) to state a yearly rate"
    text = growth_text(first, first * float(np.exp(slope)), k=k, per=" a year")
    return f"estimated {text}"
