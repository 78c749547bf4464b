"""Computed Key Judgements: trends, surges, new hotspots and growing corridors.

Each function turns an analysis into :class:`~workbench.share.judgements.KeyJudgement`
objects whose probability comes from a stated model:

trend
    A quasi-Poisson regression of monthly counts on time with one yearly harmonic
    (statsmodels GLM, dispersion from Pearson's chi-square). The probability that the
    underlying rate rose is ``Phi(b / se)`` for the time coefficient ``b``: the posterior
    probability of a positive slope under a flat prior and the normal approximation.
surge
    The forecast ladder's one-step check on the latest month: the predictive
    distribution is taken as normal with the model's mean and the spread implied by its
    interval, floored at the Poisson spread ``sqrt(mean)``; the probability that the
    latest count is above what the model expects is the predictive CDF at the observed
    count.
new hotspot
    Gi* over the latest window, significant hot cells grouped into areas (cells that
    touch). The probability that an area is a real cluster is taken as ``1 - q`` for its
    strongest cell, where ``q`` is the Benjamini-Hochberg q-value: the complement of the
    false discovery rate at which the area would just be declared. An area is *new* when
    none of its cells was significantly hot in the previous window.
corridor growth
    Incidents on an origin -> destination corridor in the latest window (``n1``) and the
    window before (``n0``), of equal length. With Jeffreys priors on both Poisson rates,
    the probability that the rate rose is ``P(B > 1/2)`` for
    ``B ~ Beta(n1 + 1/2, n0 + 1/2)``.

Analytical confidence comes from the evidence behind each judgement (see
:func:`confidence`), not from the probability.

Every judgement then passes the artefact checks of :mod:`workbench.share.scrutiny`
(a source starting or stopping, year-only dates, one dominant source or outlet, coarse
geocoding): it is withheld, or downgraded with the reason, before it is written. Pass a
list as ``withheld`` to collect the withheld ones and why. Periods in which no source
was reporting are "no data" (:func:`~workbench.analyse.series.incident_series`) and never
enter a trend or a surge.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workbench.analyse.forecast import Forecaster
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.series import incident_series
from workbench.grid import connected_areas
from workbench.places.gazetteer import country_name
from workbench.places.naming import area_city
from workbench.share.judgements import KeyJudgement, judgement
from workbench.share.evidence import (WELL_GRADED, confidence, last_complete_month, month_counts, screen, source_summary,
                                      yearly_growth)

__all__ = ["WELL_GRADED", "assess", "confidence", "corridor_judgements", "hotspot_judgements", "last_complete_month",
           "month_counts", "rank", "screen", "source_summary", "surge_judgements", "trend_judgements"]


_TREND_ASSUMPTIONS = [
    "The share of incidents that come to notice stayed the same over the period (no change in "
    "reporting effort, channels or partners).",
    "Incidents are dated by when they occurred; late reports for recent months are few.",
]
_HOTSPOT_ASSUMPTIONS = [
    "Incidents are located where the exploitation happened, to the precision stated by the source.",
    "Places with no reports had the same chance of being reported on as places with reports.",
]


def trend_judgements(incidents: pd.DataFrame, months: int = 24, end: pd.Timestamp | None = None,
                     by: str = "country_iso3", min_incidents: int = 30,
                     min_probability: float = 0.55, withheld: list | None = None) -> list[KeyJudgement]:
    """Judge the direction of the trend per country.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents (scoped).
    months : int
        Months of history, ending at ``end`` (whole years keep the season balanced).
    end : pandas.Timestamp, optional
        Last month (default: the last complete month).
    by : str
        Column naming the places.
    min_incidents : int
        Places with fewer incidents in the window are not judged.
    min_probability : float
        Places whose more probable direction is less probable than this are not judged
        (the data cannot tell rise from fall).
    withheld : list, optional
        Receives ``(judgement, findings)`` for candidates withheld by the artefact checks.

    Returns
    -------
    list of KeyJudgement
        One per place, stating the more probable direction (months without data left
        out of the fit; places with under 12 months of data not judged).
    """
    from statsmodels.genmod import families, generalized_linear_model as glm
    from statsmodels.tools.tools import add_constant

    if incidents.empty:
        return []
    end = pd.Timestamp(end) if end is not None else last_complete_month(incidents)
    start = end - pd.DateOffset(months=months - 1)
    table = month_counts(incidents, by, start, end)
    t = np.arange(months, dtype=float)
    X = add_constant(np.column_stack([t / 12.0, np.sin(2 * np.pi * t / 12), np.cos(2 * np.pi * t / 12)]))
    out = []
    for place, row in table.iterrows():
        y = row.to_numpy(dtype=float)
        known = np.isfinite(y)  # months with no source reporting are no data, not zero
        if np.nansum(y) < min_incidents or known.sum() < 12:
            continue
        with warnings.catch_warnings(action="ignore"):
            try:
                fit = glm.GLM(y[known], X[known], family=families.Poisson()).fit(scale="X2")
            except ValueError:  # a series that fits exactly (no dispersion to estimate): nothing to judge
                continue
        b, se = float(fit.params[1]), float(fit.bse[1])
        if not np.isfinite(se) or se <= 0:
            continue
        p_up = float(stats.norm.cdf(b / se))
        rising = p_up >= 0.5
        if max(p_up, 1 - p_up) < min_probability:
            continue
        window = incidents[(incidents[by] == place) & (incidents["occurred_on"] >= start)
                           & (incidents["occurred_on"] < end + pd.offsets.MonthBegin(1))]
        summary = source_summary(window)
        name = country_name(place) if by == "country_iso3" else str(place)
        direction = "rose" if rising else "fell"
        candidate = judgement(
            "trend", name,
            f"reported incidents in {name} {direction} over the {months} months to {end:%B %Y} "
            f"({yearly_growth(y, b)})",
            p_up if rising else 1 - p_up, confidence(summary),
            f"quasi-Poisson regression of monthly counts on time with a yearly cycle; P(slope "
            f"{'>' if rising else '<'} 0) = {max(p_up, 1 - p_up):.3f}",
            evidence={"incidents in the window": int(np.nansum(y)), "months": months,
                      "months without data": int((~known).sum())},
            sources=summary, assumptions=list(_TREND_ASSUMPTIONS),
            indicators=[f"Three months in a row {'below' if rising else 'above'} the fitted trend in {name}.",
                        f"A change in how incidents in {name} come to notice (a new partner, an app campaign, "
                        f"media attention), which would explain the change without a change in exploitation."],
        )
        kept = screen(candidate, window, incidents, (start, end + pd.offsets.MonthEnd(0)), withheld)
        if kept is not None:
            out.append(kept)
    return out


def surge_judgements(results: Any, incidents: pd.DataFrame | None = None,
                     min_probability: float = 0.9, min_count: int = 10, month: pd.Timestamp | None = None,
                     withheld: list | None = None) -> list[KeyJudgement]:
    """Judge whether the latest month is a surge, from a forecast ladder's one-step check.

    Parameters
    ----------
    results : ForecastResults or None
        From :class:`~workbench.analyse.forecast.Forecaster` on series whose ``unique_id``
        is an ISO3 country code (or ``"ISO3/type"``).
    incidents : pandas.DataFrame, optional
        Store incidents, for the source summary of each series' latest month.
    min_probability : float
        Only series whose latest count is above the model's expectation with at least
        this probability become judgements.
    min_count : int
        Months with fewer incidents are not judged: on a handful of incidents the normal
        approximation overstates the surprise, and the count could not be shown anyway.
    month : pandas.Timestamp, optional
        The month judged: a series whose latest month with data is earlier (its sources
        stopped) is not judged.
    withheld : list, optional
        Receives ``(judgement, findings)`` for candidates withheld by the artefact checks.

    Returns
    -------
    list of KeyJudgement
        One per surging series.
    """
    if results is None or results.one_step.empty:
        return []
    z = stats.norm.ppf(0.5 + results.level / 200.0)
    selection = results.selection.set_index("unique_id")
    out = []
    for row in results.one_step.itertuples(index=False):
        mean = float(row.yhat)
        spread = max((float(row.yhat_upper) - mean) / z, np.sqrt(max(mean, 1.0)))
        p = float(stats.norm.cdf((float(row.y) - mean) / spread))
        if p < min_probability or float(row.y) < min_count:
            continue
        if month is not None and pd.Timestamp(row.ds).to_period("M") != pd.Timestamp(month).to_period("M"):
            continue  # the series has no data for the judged month
        uid = str(row.unique_id)
        iso3 = uid.split("/")[0]
        name = country_name(iso3) if iso3 != "ALL" else "all countries in scope"
        judged = pd.Timestamp(row.ds)
        summary = {"incidents": int(row.y), "well_graded_share": 0.0, "types": [], "n_types": 0}
        records, recent = pd.DataFrame(), pd.DataFrame()
        if incidents is not None and not incidents.empty:
            mask = incidents["occurred_on"].dt.to_period("M") == judged.to_period("M")
            near = incidents["occurred_on"] >= judged - pd.DateOffset(months=6)
            if iso3 != "ALL":
                mask &= incidents["country_iso3"] == iso3
                near &= incidents["country_iso3"] == iso3
            records, recent = incidents[mask], incidents[near & (incidents["occurred_on"] < judged
                                                                 + pd.offsets.MonthBegin(1))]
            summary = source_summary(records)
        model = selection.at[uid, "model"] if uid in selection.index else "the ladder"
        beats = bool(selection.at[uid, "beats_baseline"]) if uid in selection.index else False
        candidate = judgement(
            "surge", name,
            f"the {judged:%B %Y} count in {name} reflects a real rise rather than chance variation around "
            f"its expected level",
            p, confidence(summary, cap=None if beats else "moderate"),
            f"one-step forecast by {model} (backtested{'; beats' if beats else '; does not beat'} seasonal "
            f"naive); predictive CDF at the observed count = {p:.3f}",
            evidence={"count in the month": int(row.y), "expected": f"{mean:.1f}",
                      f"upper {results.level:.0f}% bound": f"{float(row.yhat_upper):.1f}"},
            sources=summary,
            assumptions=["The model's spread reflects the month-to-month noise of this series.",
                         "The month's reports are complete (no large backlog or bulk upload)."],
            indicators=["The next month's count back inside the forecast interval.",
                        "A bulk upload or a one-off media event behind the month's reports."],
        )
        window = (judged - pd.DateOffset(months=6), judged + pd.offsets.MonthEnd(0))
        kept = screen(candidate, recent, incidents, window, withheld, period=records) if len(recent) else candidate
        if kept is not None:
            out.append(kept)
    return out


def hotspot_judgements(current: Any, previous: Any = None, incidents: pd.DataFrame | None = None,
                       type_label: str = "", withheld: list | None = None) -> list[KeyJudgement]:
    """Judge significant hot areas, and whether each is new since the previous window.

    Parameters
    ----------
    current : HotspotResults or None
        Gi* over the latest window.
    previous : HotspotResults, optional
        Gi* over the window before, at the same resolution; without it areas are not
        called new.
    incidents : pandas.DataFrame, optional
        Store incidents of the latest window, for the source summary of each area.
    type_label : str
        Words for what is counted (e.g. "sexual exploitation"); default "trafficking".
    withheld : list, optional
        Receives ``(judgement, findings)`` for candidates withheld by the artefact checks
        (e.g. an area whose records are mostly placed at a country centre).

    Returns
    -------
    list of KeyJudgement
        One per hot area, largest first. The basis names the inference used (permutation
        or normal, :class:`~workbench.analyse.getis_ord.GetisOrdHotspots`).
    """
    import h3

    if current is None or current.table.empty:
        return []
    table = current.table
    hot = table[table["significant"] & (table["gi_z"] > 0)]
    if hot.empty:
        return []
    before: set[str] = set()
    if previous is not None and not previous.table.empty:
        prev = previous.table
        before = set(prev.loc[prev["significant"] & (prev["gi_z"] > 0), "h3_cell"])
    resolution = h3.get_resolution(hot["h3_cell"].iloc[0])
    out = []
    for area in connected_areas(list(hot["h3_cell"])):
        rows = table[table["h3_cell"].isin(area)]
        q = float(rows["q_value"].min())
        lat, lon = np.mean([h3.cell_to_latlng(c) for c in area], axis=0)
        city = area_city(float(lat), float(lon))
        town = ", ".join([city["name"], *([city["admin1"]] if city.get("admin1") else [])]) if city else ""
        where = (f"the area around {town} ({country_name(city['country_iso3'])})" if city
                 else f"the remote area at {abs(lat):.1f}°{'N' if lat >= 0 else 'S'} {abs(lon):.1f}°{'E' if lon >= 0 else 'W'}")
        new = previous is not None and not (set(area) & before)
        summary = {"incidents": int(rows["count"].sum()), "well_graded_share": 0.0, "types": [], "n_types": 0}
        records = pd.DataFrame()
        if incidents is not None and not incidents.empty:
            cells = incidents["h3_cell"].dropna()
            parents = cells.map(lambda c: h3.cell_to_parent(c, resolution))
            records = incidents.loc[parents[parents.isin(area)].index]
            summary = source_summary(records)
        what = type_label or "trafficking"
        state = "is a new hotspot" if new else "is a hotspot"
        how = "conditional permutation p-values" if getattr(current, "inference", "") == "permutation" else \
            "normal-approximation p-values"
        candidate = judgement(
            "new_hotspot" if new else "hotspot", where.replace("the area around ", "").replace("the area of ", ""),
            f"{where} {state} of reported {what} (more incidents than chance would place there)",
            1.0 - q, confidence(summary),
            f"Getis-Ord Gi* over the H3 cells of the scope at resolution {resolution} ({how}), "
            f"Benjamini-Hochberg q = {q:.4f} for the area's strongest cell; p = 1 - q",
            evidence={"incidents in the area": int(rows["count"].sum()),
                      "new since the previous window": "yes" if new else ("no" if previous is not None else "unknown")},
            sources=summary, assumptions=list(_HOTSPOT_ASSUMPTIONS),
            indicators=["The area no longer significant in the next window.",
                        "More reporting effort in the area (an outreach team, a campaign) than around it."],
        )
        kept = screen(candidate, records, None, None, withheld)
        if kept is not None:
            out.append(kept)
    return out


def corridor_judgements(incidents: pd.DataFrame, window_months: int = 6, end: pd.Timestamp | None = None,
                        min_incidents: int = 20, min_probability: float = 0.8,
                        withheld: list | None = None) -> list[KeyJudgement]:
    """Judge whether origin -> destination corridors grew between two equal windows.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents (scoped).
    window_months : int
        Length of each window; the latest ends at ``end``.
    end : pandas.Timestamp, optional
        Last month (default: the last complete month).
    min_incidents : int
        Corridors with fewer incidents over both windows are not judged.
    min_probability : float
        Only corridors whose probability of growth (or of decline) reaches this become
        judgements.
    withheld : list, optional
        Receives ``(judgement, findings)`` for candidates withheld by the artefact checks.

    Returns
    -------
    list of KeyJudgement
        One per growing or shrinking corridor.
    """
    if incidents.empty:
        return []
    end = pd.Timestamp(end) if end is not None else last_complete_month(incidents)
    stop = end + pd.offsets.MonthBegin(1)
    mid = stop - pd.DateOffset(months=window_months)
    start = mid - pd.DateOffset(months=window_months)
    flows = incidents.dropna(subset=["origin_country_iso3", "country_iso3", "occurred_on"])
    flows = flows[(flows["origin_country_iso3"] != flows["country_iso3"])
                  & (flows["occurred_on"] >= start) & (flows["occurred_on"] < stop)]
    if flows.empty:
        return []
    recent = flows["occurred_on"] >= mid
    counts = flows.assign(recent=recent).groupby(["origin_country_iso3", "country_iso3", "recent"]).size()
    counts = counts.unstack(fill_value=0).reindex(columns=[False, True], fill_value=0)
    out = []
    for (origin, dest), (n0, n1) in counts.iterrows():
        if n0 + n1 < min_incidents:
            continue
        p_up = float(stats.beta.sf(0.5, n1 + 0.5, n0 + 0.5))
        growing = p_up >= 0.5
        p = p_up if growing else 1 - p_up
        if p < min_probability:
            continue
        subject = f"{country_name(origin)} -> {country_name(dest)}"
        sel = flows[(flows["origin_country_iso3"] == origin) & (flows["country_iso3"] == dest)]
        summary = source_summary(sel)
        candidate = judgement(
            "corridor_growth", subject,
            f"the {subject} corridor {'grew' if growing else 'shrank'} in the {window_months} months to "
            f"{end:%B %Y} compared with the {window_months} months before",
            p, confidence(summary),
            f"Poisson rates with Jeffreys priors: P(rate now {'>' if growing else '<'} rate before) = {p:.3f}",
            evidence={"incidents, latest window": int(n1), "incidents, window before": int(n0)},
            sources=summary,
            assumptions=["Origin is recorded as consistently now as before.",
                         "The corridor's sources reported with the same effort in both windows."],
            indicators=["The next window's count back at the earlier level.",
                        "A new source reporting on this origin (a partner in the destination country)."],
        )
        kept = screen(candidate, sel, incidents, (start, stop - pd.Timedelta(days=1)), withheld)
        if kept is not None:
            out.append(kept)
    return sorted(out, key=lambda j: -j.probability)


def rank(judgements: list[KeyJudgement], top: int = 10, per_kind: int = 3) -> list[KeyJudgement]:
    """Choose and order judgements for a report.

    The most probable ``per_kind`` of each kind are kept, then ordered new hotspots,
    surges, corridors, other hotspots, trends (most probable first within a kind).

    Parameters
    ----------
    judgements : list of KeyJudgement
        Candidates.
    top : int
        How many to keep in all.
    per_kind : int
        How many of one kind at most.

    Returns
    -------
    list of KeyJudgement
        At most ``top``.
    """
    order = {"new_hotspot": 0, "surge": 1, "corridor_growth": 2, "hotspot": 3, "trend": 4}
    ranked = sorted(judgements, key=lambda j: (order.get(j.kind, 9), -round(j.probability or 0, 3),
                                                -j.sources.get("incidents", 0)))
    seen: dict[str, int] = {}
    kept = []
    for j in ranked:
        seen[j.kind] = seen.get(j.kind, 0) + 1
        if seen[j.kind] <= per_kind:
            kept.append(j)
    return kept[:top]


def assess(incidents: pd.DataFrame, end: pd.Timestamp | None = None, window_months: int = 6,
           trend_months: int = 24, resolution: int = 5, top: int = 10, type_label: str = "",
           withheld: list | None = None) -> list[KeyJudgement]:
    """Compute every kind of Key Judgement on a scoped selection and rank them.

    Hotspots compare Gi* over the latest ``window_months`` with the window before; surges
    use the forecast ladder (seasonal naive and ETS) on monthly country series over the
    last 36 months; corridors compare the two windows; trends span ``trend_months``.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents, already scoped (region, type), all dates.
    end : pandas.Timestamp, optional
        Last month judged (default: the last complete month).
    window_months : int
        Length of the hotspot and corridor windows.
    trend_months : int
        Length of the trend window.
    resolution : int
        H3 resolution of the hotspot analysis.
    top : int
        Judgements kept (see :func:`rank`).
    type_label : str
        Words for what is counted, for hotspot statements.
    withheld : list, optional
        Receives ``(judgement, findings)`` for every candidate the artefact checks
        withheld (see :func:`workbench.share.scrutiny.withheld_table`).

    Returns
    -------
    list of KeyJudgement
        Ranked judgements (possibly empty). Hotspots use the Gi* inference chosen from
        the data (permutation on sparse counts).
    """
    if incidents.empty:
        return []
    end = pd.Timestamp(end) if end is not None else last_complete_month(incidents)
    stop = end + pd.offsets.MonthBegin(1)
    mid = stop - pd.DateOffset(months=window_months)
    start = mid - pd.DateOffset(months=window_months)
    dated = incidents[incidents["occurred_on"].notna()]
    latest = dated[(dated["occurred_on"] >= mid) & (dated["occurred_on"] < stop)]
    earlier = dated[(dated["occurred_on"] >= start) & (dated["occurred_on"] < mid)]

    def gi(frame: pd.DataFrame):
        counts = hex_counts(frame, resolution=resolution)
        return GetisOrdHotspots(permutations=999, seed=0).fit(counts) if len(counts) > 1 else None

    found = hotspot_judgements(gi(latest), gi(earlier), latest, type_label, withheld)
    first = (end.to_period("M") - 35).to_timestamp()
    series = incident_series(dated, freq="MS", by=("country_iso3",), start=str(first.date()), end=str(end.date()),
                             coarse="drop")  # a year-only date says nothing about a month
    series = series[~series["unique_id"].str.contains("ALL")]
    if len(series):
        ladder = Forecaster(models=("seasonal_naive", "ets"), season_length=12, horizon=3).fit(series)
        found += surge_judgements(ladder, dated, month=end, withheld=withheld)
    found += corridor_judgements(dated, window_months, end, withheld=withheld)
    found += trend_judgements(dated, trend_months, end, withheld=withheld)
    return rank(found, top)
