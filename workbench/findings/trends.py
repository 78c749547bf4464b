"""Trends of the ledger: a quasi-Poisson trend per country over ``trend_months``, or, for records
dated only to the year, the latest year against the year before."""

from __future__ import annotations

from typing import Any

import pandas as pd
from scipy import stats

from workbench.findings.ledger import _COLUMNS, MIN_CORRIDOR_INCIDENTS, Findings, Period
from workbench.places.gazetteer import country_name


def trend_findings(out: Findings, dated: pd.DataFrame, period: Period, judge: Any, withheld: list) -> list:
    """Fill ``out.trends``; return the trend judgements.

    Parameters
    ----------
    out : Findings
        The ledger being computed (its ``scope`` gives ``trend_months``).
    dated : pandas.DataFrame
        Dated incidents in scope.
    period : Period
        The judged period.
    judge : module-like or None
        The judgement builders (see :func:`workbench.findings.compute_findings`).
    withheld : list
        Collects the candidates the artefact checks withheld.

    Returns
    -------
    list
        Key Judgements (empty without ``judge``).
    """
    end = period.end
    if period.yearly:
        trend_judgements = _yearly_changes(dated, end.year, judge, withheld) if judge else []
    else:
        trend_judgements = (judge.trend_judgements(dated, out.scope.trend_months, end, withheld=withheld)
                            if judge else [])
    out.trends = pd.DataFrame([{
        "country": j.subject, "direction": "rising" if " rose " in j.statement else "falling",
        "probability": j.probability, "term": j.term} for j in trend_judgements], columns=_COLUMNS["trends"])
    return trend_judgements


def _yearly_changes(dated: pd.DataFrame, year: int, judge: Any, withheld: list,
                    min_incidents: int = MIN_CORRIDOR_INCIDENTS, min_probability: float = 0.8) -> list:
    """Per country, the latest year against the year before (records dated to the year; Jeffreys priors)."""
    this = dated[dated["occurred_on"].dt.year == year]
    before = dated[dated["occurred_on"].dt.year == year - 1]
    n1s, n0s = this["country_iso3"].value_counts(), before["country_iso3"].value_counts()
    out = []
    for iso3 in sorted(set(n1s.index) | set(n0s.index)):
        n1, n0 = int(n1s.get(iso3, 0)), int(n0s.get(iso3, 0))
        if n0 + n1 < min_incidents or iso3 == "UNK":
            continue
        p_up = float(stats.beta.sf(0.5, n1 + 0.5, n0 + 0.5))
        rising = p_up >= 0.5
        p = p_up if rising else 1 - p_up
        if p < min_probability:
            continue
        name = country_name(iso3)
        records = dated[dated["occurred_on"].dt.year.isin([year - 1, year]) & (dated["country_iso3"] == iso3)]
        summary = judge.source_summary(records)
        candidate = judge.judgement(
            "trend", name,
            f"reported incidents in {name} {'rose' if rising else 'fell'} in {year} against {year - 1}",
            p, judge.confidence(summary),
            f"yearly counts (records dated to the year); Poisson rates with Jeffreys priors: P(rate in {year} "
            f"{'>' if rising else '<'} rate in {year - 1}) = {p:.3f}",
            evidence={f"incidents in {year}": n1, f"incidents in {year - 1}": n0},
            sources=summary,
            assumptions=["The sources reported with the same effort in both years.",
                         "Records are dated by the year the exploitation occurred, not the year it was reported."],
            indicators=[f"The next year's count back at the {year - 1} level.",
                        "A source joining or leaving between the two years."],
        )
        # year-only dates sit on 1 January: a source stops only if its last record is before the latest year;
        # at yearly frequency the dates are exact for the period (no date-precision artefact)
        kept = judge.screen(candidate, records, dated, (pd.Timestamp(f"{year - 1}-01-01"),
                                                       pd.Timestamp(f"{year}-01-01")), withheld,
                            period=records.iloc[0:0])
        if kept is not None:
            out.append(kept)
    return out
