"""Corridors of the ledger: origin -> transit -> destination change (latest quarter against the
same quarter a year before, nationality fallback) and the largest corridors of the latest window."""

from __future__ import annotations

from typing import Any

import pandas as pd
from scipy import stats

from workbench.analyse.routes import RouteFlows
from workbench.findings.ledger import _COLUMNS, MIN_CORRIDOR_INCIDENTS, Findings, Period
from workbench.places.gazetteer import country_name


def corridor_name(origin: str, transit: str, destination: str) -> str:
    """A corridor in words: ``"Nigeria -> Libya -> Italy"`` (countries by name).

    Parameters
    ----------
    origin, transit, destination : str
        ISO3 codes (``transit`` empty for a direct route).

    Returns
    -------
    str
        The names joined by arrows.
    """
    return " -> ".join(country_name(c) for c in (origin, transit, destination) if c)


def corridor_findings(out: Findings, data: pd.DataFrame, dated: pd.DataFrame, period: Period, judge: Any,
                      withheld: list) -> list:
    """Fill ``out.corridors``, ``out.top_corridors`` and the corridor windows; return the judgements.

    One procedure read top to bottom: the change table, its windows, the largest corridors
    and then one candidate judgement per judged corridor, each screened by the artefact
    checks (so it is longer than most functions here).

    Parameters
    ----------
    out : Findings
        The ledger being computed.
    data : pandas.DataFrame
        Incidents in scope.
    dated : pandas.DataFrame
        Dated incidents in scope.
    period : Period
        The judged period (yearly: the latest year against the year before).
    judge : module-like or None
        The judgement builders (see :func:`workbench.findings.compute_findings`).
    withheld : list
        Collects the candidates the artefact checks withheld.

    Returns
    -------
    list
        Key Judgements on corridor growth (empty without ``judge``).
    """
    end, stop, mid, yearly = period.end, period.stop, period.mid, period.yearly
    day = pd.Timedelta(days=1)
    quarter_end = ((end + pd.offsets.MonthBegin(1)).to_period("Q") - 1).end_time.normalize()  # last complete quarter
    routes = (RouteFlows(freq="YS", compare="previous", end=stop - day) if yearly
              else RouteFlows(freq="QS", compare="previous_year", end=quarter_end)).fit(data)
    now_words = f"in {end.year} against {end.year - 1}" if yearly else \
        f"in the quarter to {quarter_end:%B %Y} compared with the same quarter a year before"
    n1_words, n0_words = (f"incidents, {end.year}", f"incidents, {end.year - 1}") if yearly else \
        ("incidents, latest quarter", "incidents, same quarter a year before")
    if routes.current_window:
        out.windows["corridor_current"] = [str(d.date()) for d in routes.current_window]
        out.windows["corridor_baseline"] = [str(d.date()) for d in routes.baseline_window]
    change = routes.change.copy()
    change["corridor"] = [corridor_name(o, t, d) for o, t, d in
                          zip(change["origin"], change["transit"], change["destination"])]
    out.corridors = change[_COLUMNS["corridors"]].reset_index(drop=True)
    window_routes = RouteFlows(freq="QS", compare="previous_year", start=mid, end=stop - day).fit(data)
    top = window_routes.flows[~window_routes.flows["domestic"]].head(15).copy()
    top["corridor"] = [corridor_name(o, t, d) for o, t, d in zip(top["origin"], top["transit"], top["destination"])]
    out.top_corridors = top[_COLUMNS["top_corridors"]].reset_index(drop=True)
    corridor_judgements = []
    for row in out.corridors.itertuples():
        n0, n1 = int(row.baseline), int(row.current)
        if (judge is None or row.growth not in ("growing", "declining", "new") or row.domestic
                or n0 + n1 < MIN_CORRIDOR_INCIDENTS):
            continue
        p_up = float(stats.beta.sf(0.5, n1 + 0.5, n0 + 0.5))
        grew = row.growth != "declining"
        p = p_up if grew else 1 - p_up
        records = _corridor_records(dated, row.origin, row.transit, row.destination, routes)
        summary = judge.source_summary(records) if len(records) else \
            {"incidents": n0 + n1, "well_graded_share": 0.0, "types": [], "n_types": 0}
        candidate = judge.judgement(
            "corridor_growth", row.corridor,
            f"the {row.corridor} corridor {'grew' if grew else 'shrank'} {now_words}",
            p, judge.confidence(summary),
            f"exact Poisson rate test (q = {float(row.q_value):.3f}, FDR controlled) and Poisson rates with "
            f"Jeffreys priors: P(rate now {'>' if grew else '<'} rate before) = {p:.3f}",
            evidence={n1_words: n1, n0_words: n0},
            sources={**summary, "incidents": n0 + n1},
            assumptions=["Origin (or, failing it, nationality) is recorded as consistently now as before.",
                         "The corridor's sources reported with the same effort in both quarters."],
            indicators=["The next quarter's count back at the earlier level.",
                        "A new source reporting on this origin (a partner in the destination country)."],
        )
        span = (routes.baseline_window[0], routes.current_window[1]) if routes.current_window else None
        if yearly and span:  # year-only records sit on 1 January: a source "stops" only before the latest year
            span = (span[0], routes.current_window[0])
        kept = judge.screen(candidate, records, dated, span, withheld)
        if kept is not None:
            corridor_judgements.append(kept)
    return corridor_judgements


def _corridor_records(dated: pd.DataFrame, origin: str, transit: str, destination: str,
                      routes: Any) -> pd.DataFrame:
    """The records behind a corridor in its two comparison windows (origin falling back to nationality)."""
    if not routes.current_window or "country_iso3" not in dated:
        return dated.iloc[0:0]
    origin_col = dated["origin_country_iso3"] if "origin_country_iso3" in dated else pd.Series(None, index=dated.index)
    if "victim_nationality_iso3" in dated:
        origin_col = origin_col.fillna(dated["victim_nationality_iso3"])
    mask = (origin_col == origin) & (dated["country_iso3"] == destination)
    if transit and "transit_country_iso3" in dated:
        mask &= dated["transit_country_iso3"] == transit
    when = dated["occurred_on"]
    in_window = ((when >= routes.baseline_window[0]) & (when <= routes.baseline_window[1])) | \
        ((when >= routes.current_window[0]) & (when <= routes.current_window[1]))
    return dated[mask & in_window]
