"""Report tables, built so that they are safe to show to the report's audience.

Each builder takes store incidents (already scoped) and a
:class:`~workbench.share.disclosure.DisclosurePolicy`, aggregates, and applies the
policy's suppression before returning; the notebooks only display what comes back.

This module holds the tables of incidents, forecasts and the findings ledger; corridor
tables live in :mod:`workbench.share.route_tables`, hotspot tables in
:mod:`workbench.share.place_tables` and the one formatter every table is rendered with in
:mod:`workbench.share.formatting`. Their names are importable from here too
(``tables.route_table``, ``tables.render``...), as the notebooks use them.
"""

from __future__ import annotations

import pandas as pd

from workbench.analyse.volume import normalise_by_media_volume
from workbench.places.gazetteer import country_name
from workbench.places.naming import place_of_cell
from workbench.share.audience_tables import (period_label, quarterly, sources_by_area,  # noqa: F401 (re-exported)
                                             sources_by_corridor)
from workbench.share.disclosure import DisclosurePolicy, round_counts, suppress_counts, suppress_table
from workbench.share.formatting import (CLASS_WORDS, WITHHELD, cell_text, decimal, human_header, model_words, note,
                                        readable, render, series_words)
from workbench.share.judgements import yardstick
from workbench.share.place_tables import (emerging_cells, emerging_pattern_counts, hotspot_cells, hotspot_table,
                                          robust_hotspot_table)
from workbench.share.route_tables import (route_change_table, route_hubs_table, route_map_flows, route_table,
                                          route_unknown_table)
from workbench.taxonomy import load_taxonomy

__all__ = [
    "CLASS_WORDS", "WITHHELD", "cell_text", "corridors", "country_by_type", "decimal", "emerging_cells",
    "emerging_pattern_counts", "grading_mix", "header", "header_text", "header_text_plain", "headline", "hotspot_cells",
    "hotspot_table", "human_header", "largest_series", "ledger_corridors", "ledger_forecast", "ledger_surges",
    "ledger_trends", "media_rates", "note", "place_of_cell", "readable", "render", "robust_hotspot_table",
    "route_change_table", "route_hubs_table", "route_map_flows", "route_table", "route_unknown_table",
    "selection_table", "series_words", "source_mix", "sources_by_area", "sources_by_corridor", "surge_table",
]


def _explode_types(incidents: pd.DataFrame) -> pd.DataFrame:
    out = incidents.explode("exploitation_types").rename(columns={"exploitation_types": "exploitation_type"})
    return out[out["exploitation_type"].notna()]


def _label(vocabulary: str, code: object) -> str:
    return load_taxonomy().label(vocabulary, str(code))


def headline(incidents: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """Headline figures of a scoped selection.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Scoped store incidents.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    pandas.DataFrame
        ``measure, value`` with counts below ``policy.k`` suppressed.
    """
    frame = pd.DataFrame({
        "measure": ["incidents", "people affected (reported)"],
        "value": [len(incidents), int(pd.to_numeric(incidents["victim_count"], errors="coerce").fillna(0).sum())],
    })
    return suppress_counts(frame, ["value"], policy.k, base=policy.rounding) if policy.suppress else frame


def country_by_type(incidents: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """Incidents by country (rows) and exploitation type (columns), with totals.

    An incident with several types counts once under each type, so the total column is
    the number of incidents, not the row sum.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Scoped store incidents.
    policy : DisclosurePolicy
        The audience's policy; primary and secondary suppression are applied.

    Returns
    -------
    pandas.DataFrame
        Crosstab with a ``Total`` row and column; suppressed cells are missing.
    """
    exploded = _explode_types(incidents)
    table = pd.crosstab(exploded["country_iso3"], exploded["exploitation_type"])
    table.columns = [_label("exploitation_types", c) for c in table.columns]
    table["Total"] = incidents.groupby("country_iso3").size().reindex(table.index).fillna(0).astype(int)
    total_row = table.sum(numeric_only=True)
    total_row["Total"] = len(incidents)
    table.loc["Total"] = total_row
    table.index.name = "country"
    return suppress_table(table, policy.k, base=policy.rounding) if policy.suppress else table


def corridors(incidents: pd.DataFrame, policy: DisclosurePolicy, top: int = 15) -> pd.DataFrame:
    """Origin -> destination corridors (origin country -> country of exploitation).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Scoped store incidents.
    policy : DisclosurePolicy
        The audience's policy.
    top : int
        Number of corridors kept (largest first).

    Returns
    -------
    pandas.DataFrame
        ``origin, destination, incidents``; domestic cases (origin = destination) excluded;
        corridors below ``policy.k`` suppressed and then dropped from the list (their
        existence alone is not shown).
    """
    frame = incidents.dropna(subset=["origin_country_iso3", "country_iso3"])
    frame = frame[frame["origin_country_iso3"] != frame["country_iso3"]]
    table = (frame.groupby(["origin_country_iso3", "country_iso3"]).size().rename("incidents").reset_index()
             .rename(columns={"origin_country_iso3": "origin", "country_iso3": "destination"})
             .sort_values("incidents", ascending=False))
    if policy.suppress:
        table = table[table["incidents"] >= policy.k]
    return table.head(top).reset_index(drop=True)


def grading_mix(incidents: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """Source grading (Admiralty reliability x credibility) of the selection.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Scoped store incidents.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    pandas.DataFrame
        Crosstab reliability (rows A-F) by credibility (columns 1-6), labelled, with
        totals, suppressed.
    """
    table = pd.crosstab(incidents["source_reliability"], incidents["info_credibility"],
                        margins=True, margins_name="Total")
    table.index = [c if c == "Total" else f"{c}: {_label('source_reliability', c)}" for c in table.index]
    table.columns = [c if c == "Total" else f"{c}: {_label('info_credibility', c)}" for c in table.columns]
    table.index.name = "reliability"
    return suppress_table(table, policy.k, base=policy.rounding) if policy.suppress else table


def source_mix(incidents: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """Incidents by kind of source (app, partner, osint, community).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Scoped store incidents.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    pandas.DataFrame
        ``source, incidents`` (suppressed below k).
    """
    table = incidents["source_type"].map(lambda c: _label("source_types", c)).value_counts()
    frame = table.rename_axis("source").rename("incidents").reset_index()
    return suppress_counts(frame, ["incidents"], policy.k, base=policy.rounding) if policy.suppress else frame


def largest_series(series: pd.DataFrame, n: int) -> pd.DataFrame:
    """Keep the ``n`` series with the most incidents (long ``unique_id, ds, y`` frame).

    Parameters
    ----------
    series : pandas.DataFrame
        Long frame.
    n : int
        Number of series kept.

    Returns
    -------
    pandas.DataFrame
        The rows of the largest series.
    """
    keep = series.groupby("unique_id")["y"].sum().nlargest(n).index
    return series[series["unique_id"].isin(keep)].reset_index(drop=True)


def selection_table(results) -> pd.DataFrame:
    """Which model each series uses and whether it beats seasonal naive.

    Parameters
    ----------
    results : ForecastResults or None
        From :class:`~workbench.analyse.forecast.Forecaster` (None: nothing to forecast).

    Returns
    -------
    pandas.DataFrame
        ``series, model, MASE, seasonal naive MASE, beats baseline, why, interval`` (MASE is
        a ratio, not a count; ``why`` is the selection note, e.g. why the baseline was
        kept; ``interval`` says how the interval was calibrated).
    """
    if results is None:  # nothing in scope to forecast
        return pd.DataFrame(columns=["series", "model", "MASE", "seasonal naive MASE", "beats baseline", "why",
                                     "interval"])
    sel = results.selection.copy()
    out = pd.DataFrame({
        "series": sel["unique_id"],
        "model": [model_words(m) for m in sel["model"]],
        "MASE": [decimal(v) for v in sel["mase"]],  # a ratio: "1.00", never a bare "1" read as a count
        "seasonal naive MASE": [decimal(v) for v in sel["baseline_mase"]],
        "beats baseline": sel["beats_baseline"].map({True: "yes", False: "no: baseline kept"}),
        "why": sel["note"].fillna("").replace("", "-"),
        "interval": sel["interval"] if "interval" in sel else "-",
    })
    return out.reset_index(drop=True)


def surge_table(results, policy: DisclosurePolicy) -> pd.DataFrame:
    """Series whose latest month is above its forecast interval.

    Parameters
    ----------
    results : ForecastResults or None
        Forecast results (None: nothing to forecast).
    policy : DisclosurePolicy
        The audience's policy (observed counts below k suppressed).

    Returns
    -------
    pandas.DataFrame
        ``series, month, observed, upper bound`` (for the public ``series, quarter,
        finding``); empty when nothing surged.
    """
    if results is None:
        return pd.DataFrame(columns=["series", "month", "observed", "upper bound"])
    surges = results.surges()
    if quarterly(policy):  # the public sees quarters: no month's count
        return pd.DataFrame({"series": surges["unique_id"].to_numpy(),
                             "quarter": [period_label(d, policy) for d in pd.to_datetime(surges["ds"])],
                             "finding": ["a month's count above its forecast interval"] * len(surges)})
    out = pd.DataFrame({
        "series": surges["unique_id"],
        "month": [period_label(d, policy) for d in pd.to_datetime(surges["ds"])],
        "observed": surges["y"].astype(int),
        "upper bound": surges["yhat_upper"].round(1),
    }).reset_index(drop=True)
    return suppress_counts(out, ["observed"], policy.k, base=policy.rounding) if policy.suppress else out


def header_text(scope, policy: DisclosurePolicy, extra: str = "") -> str:
    """The report's scope line as plain text (for the key findings block).

    Parameters
    ----------
    scope : Scope
        The report's scope.
    policy : DisclosurePolicy
        The audience's policy.
    extra : str
        More text.

    Returns
    -------
    str
        One line.
    """
    region = "all regions" if scope.countries is None else ", ".join(country_name(c) for c in scope.countries)
    what = scope.type_label()
    period = f"{scope.start or 'start'} to {scope.end or 'latest'}" if (scope.start or scope.end) else "all dates"
    entries = getattr(scope, "source_entries", None)
    sources = f"; sources {', '.join(entries)}" if entries else ""
    audience = policy.audience.replace("_", " ")
    rule = f"counts below {policy.k} withheld" if policy.suppress else "exact counts"
    return f"{region}; {what}; {period}{sources}. Audience: {audience} ({rule}). {extra}".strip()


def header_text_plain(policy: DisclosurePolicy, extra: str = "") -> str:
    """The audience line of a report with no geographic scope (e.g. bank screening).

    Parameters
    ----------
    policy : DisclosurePolicy
        The audience's policy.
    extra : str
        More text.

    Returns
    -------
    str
        One line.
    """
    rule = f"counts below {policy.k} withheld" if policy.suppress else "exact counts"
    return f"Audience: {policy.audience.replace('_', ' ')} ({rule}). {extra.strip()}".strip()


def ledger_corridors(found, policy: DisclosurePolicy, top: int = 10) -> pd.DataFrame:
    """Corridor change from the findings ledger, named, safe for the audience.

    Parameters
    ----------
    found : Findings
        The findings ledger.
    policy : DisclosurePolicy
        The audience's policy: a corridor with a count below k shows neither count.
    top : int
        Rows kept (changed corridors first, then the largest).

    Returns
    -------
    pandas.DataFrame
        ``corridor, same quarter a year before, latest quarter, change``.
    """
    change = found.corridors
    if change.empty:
        return pd.DataFrame(columns=["corridor", "same quarter a year before", "latest quarter", "change"])
    change = change[~change["domestic"].astype(bool)].copy()
    rank = {"growing": 0, "new": 1, "declining": 2, "ended": 3}
    change["_r"] = change["growth"].map(rank).fillna(4)
    change["_n"] = change["baseline"].astype(int) + change["current"].astype(int)
    change = change.sort_values(["_r", "_n"], ascending=[True, False]).head(top)
    out = pd.DataFrame({
        "corridor": change["corridor"].to_numpy(),
        "same quarter a year before": change["baseline"].astype("int64").to_numpy(),
        "latest quarter": change["current"].astype("int64").to_numpy(),
        "change": change["growth"].map(lambda g: "no significant change" if g == "no significant change" else g)
        .to_numpy(),
    })
    if policy.suppress:
        small = out[["same quarter a year before", "latest quarter"]].apply(
            lambda c: c.gt(0) & c.lt(policy.k)).any(axis=1)
        for col in ("same quarter a year before", "latest quarter"):
            out[col] = out[col].astype("Int64").mask(small & out[col].gt(0))
        out = round_counts(out, ["same quarter a year before", "latest quarter"], policy.rounding, policy.k)
    return out


def ledger_surges(found, policy: DisclosurePolicy) -> pd.DataFrame:
    """Surges from the findings ledger (countries by name).

    Parameters
    ----------
    found : Findings
        The findings ledger.
    policy : DisclosurePolicy
        The audience's policy (observed counts below k withheld). The public sees
        quarters, not months: the surge's quarter and no monthly count.

    Returns
    -------
    pandas.DataFrame
        ``country, month, incidents, expected, upper bound``; for the public ``country,
        quarter, finding``.
    """
    s = found.surges
    if quarterly(policy):  # a month's count is finer than the public's quarters
        return pd.DataFrame({"country": s["country"].to_numpy(),
                             "quarter": [period_label(m, policy) for m in s["month"]],
                             "finding": ["a month's count above its forecast interval"] * len(s)})
    out = pd.DataFrame({
        "country": s["country"].to_numpy(), "month": [period_label(m, policy, long=True) for m in s["month"]],
        "incidents": s["observed"].astype("int64").to_numpy(),
        "expected": [f"{v:.1f}" for v in s["expected"]], "upper bound": [f"{v:.1f}" for v in s["upper"]],
    })
    return suppress_counts(out, ["incidents"], policy.k, base=policy.rounding) if policy.suppress else out


def ledger_trends(found) -> pd.DataFrame:
    """Trend judgements from the findings ledger.

    Parameters
    ----------
    found : Findings
        The findings ledger.

    Returns
    -------
    pandas.DataFrame
        ``country, direction, probability`` (yardstick term with its band).
    """
    rows = []
    for r in found.trends.itertuples():
        band, _ = yardstick(r.probability)
        rows.append({"country": r.country, "direction": r.direction,
                     "probability": f"{band.term} ({band.low:.0%}-{band.high:.0%}; p = {r.probability:.2f})"})
    return pd.DataFrame(rows, columns=["country", "direction", "probability"])


def ledger_forecast(found) -> pd.DataFrame:
    """Model choice per country series from the findings ledger (appendix table).

    Parameters
    ----------
    found : Findings
        The findings ledger.

    Returns
    -------
    pandas.DataFrame
        ``country, model, MASE, seasonal naive MASE, beats baseline``.
    """
    f = found.forecast
    return pd.DataFrame({
        "country": f["country"].to_numpy(), "model": [model_words(m) for m in f["model"]],
        "MASE": [decimal(v) for v in f["mase"]], "seasonal naive MASE": [decimal(v) for v in f["baseline_mase"]],
        "beats baseline": ["yes" if b else "no: baseline kept" for b in f["beats_baseline"]],
    })


def header(scope, policy: DisclosurePolicy, extra: str = ""):  # -> IPython HTML
    """The report's scope line, escaped.

    Parameters
    ----------
    scope : Scope
        The report's scope.
    policy : DisclosurePolicy
        The audience's policy.
    extra : str
        More text (escaped).

    Returns
    -------
    IPython.display.HTML
        A small banner.
    """
    import html

    from IPython.display import HTML

    rule = (f"counts below {policy.k} withheld" if policy.suppress else "exact counts (restricted audience)")
    text = f"Scope: {scope.describe()}. Audience: {policy.audience} ({rule}). {extra}".strip()
    return HTML(f'<div class="wb-banner">{html.escape(text)}</div>')


def media_rates(osint: pd.DataFrame, volume: pd.DataFrame, policy: DisclosurePolicy, top: int = 15) -> pd.DataFrame:
    """OSINT incidents per 1,000 media items by country, over the whole period.

    More news about a country is not more trafficking: the rate divides the OSINT
    incidents found in a country's news by all news items seen about it, and the
    empirical-Bayes rate pulls countries with little news towards the pooled rate (see
    :func:`workbench.analyse.volume.normalise_by_media_volume`). Countries whose items
    were not counted (ingested before media volume was kept) are left out, and said so
    in ``attrs["note"]``.

    Parameters
    ----------
    osint : pandas.DataFrame
        OSINT incidents in scope (``source_type == "osint"``; dated by publication).
    volume : pandas.DataFrame
        ``country_iso3, ds, items`` (the ``media_volume`` catalog entry).
    policy : DisclosurePolicy
        The audience's policy: incident and item counts below k are withheld.
    top : int
        Countries shown, highest shrunk rate first.

    Returns
    -------
    pandas.DataFrame
        ``country, OSINT incidents, media items, per 1,000 items, shrunk rate``.
    """
    cols = ["country", "OSINT incidents", "media items", "per 1,000 items", "shrunk rate"]
    if osint.empty or volume.empty:
        out = pd.DataFrame(columns=cols)
        out.attrs["note"] = "No OSINT incidents or no media volume recorded in scope."
        return out
    start, end = osint["occurred_on"].min(), osint["occurred_on"].max()
    vol = volume[(volume["ds"] >= start.normalize()) & (volume["ds"] <= end)]
    vol = vol.groupby("country_iso3", as_index=False)["items"].sum()
    counts = osint.dropna(subset=["country_iso3"]).groupby("country_iso3").size().rename("count").reset_index()
    known = counts["country_iso3"].isin(vol["country_iso3"])
    counts, vol = counts[known].assign(ds=start), vol.assign(ds=start)
    rates = normalise_by_media_volume(counts, vol, min_items=policy.k) if len(counts) else pd.DataFrame(
        columns=["country_iso3", "count", "items", "rate", "rate_eb"])
    rates = rates.sort_values("rate_eb", ascending=False).head(top)
    out = pd.DataFrame({
        "country": [country_name(c) for c in rates["country_iso3"]],
        "OSINT incidents": rates["count"].astype("Int64").to_numpy(),
        "media items": rates["items"].astype("Int64").to_numpy(),
        "per 1,000 items": [f"{r:.1f}" if pd.notna(r) else "-" for r in rates["rate"]],
        "shrunk rate": [f"{r:.1f}" for r in rates["rate_eb"]],
    })
    if policy.suppress:
        out = suppress_counts(out, ["OSINT incidents", "media items"], policy.k, base=policy.rounding)
        hidden = out["OSINT incidents"].isna() | out["media items"].isna()  # a rate would give the count back
        out.loc[hidden, ["per 1,000 items", "shrunk rate"]] = pd.NA
    out.attrs["iso3"] = [str(c) for c in rates["country_iso3"]]  # row keys for a report's disclosure ledger
    out.attrs["note"] = ("Every country with OSINT incidents has its media volume." if known.all() else
                         "Some countries' media volume was not recorded (items ingested before it was kept); "
                         "they are left out.")
    return out


