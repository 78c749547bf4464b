"""Report tables, built so that they are safe to show to the report's audience.

Each builder takes store incidents (already scoped) and a
:class:`~workbench.share.disclosure.DisclosurePolicy`, aggregates, and applies the
policy's suppression before returning; the notebooks only display what comes back.
"""

from __future__ import annotations

import pandas as pd

from workbench.share.disclosure import DisclosurePolicy, check_table, suppress_counts, suppress_table
from workbench.taxonomy import load_taxonomy

#: How a withheld cell is shown (as in official statistics: "[c]" for confidential).
WITHHELD = "[c]"


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
    return suppress_counts(frame, ["value"], policy.k) if policy.suppress else frame


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
    return suppress_table(table, policy.k) if policy.suppress else table


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
    return suppress_table(table, policy.k) if policy.suppress else table


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
    return suppress_counts(frame, ["incidents"], policy.k) if policy.suppress else frame


def hotspot_cells(hotspots, policy: DisclosurePolicy):  # -> geopandas.GeoDataFrame
    """Hexagons to draw on a map, safe for the audience.

    Parameters
    ----------
    hotspots : HotspotResults
        From :class:`~workbench.analyse.getis_ord.GetisOrdHotspots`.
    policy : DisclosurePolicy
        The audience's policy: counts below k are suppressed (shown as "<k").

    Returns
    -------
    geopandas.GeoDataFrame
        Significant cells only (hot or cold), with ``hotspot_class`` and a display
        ``count`` that never shows a number below k; empty when ``hotspots`` is None
        (nothing located in scope).
    """
    if hotspots is None:
        from workbench.analyse.hexbin import cell_polygons

        return cell_polygons([]).assign(hotspot_class=pd.Series(dtype=str), count=pd.Series(dtype=str))
    gdf = hotspots.to_geodataframe()
    gdf = gdf[gdf["hotspot_class"] != "not_significant"].copy()
    if policy.suppress:
        safe = suppress_counts(gdf[["count"]], ["count"], policy.k)["count"]
        gdf["count"] = [f"<{policy.k}" if pd.isna(v) else str(int(v)) for v in safe]
    return gdf


def hotspot_table(hotspots, policy: DisclosurePolicy, top: int = 20) -> pd.DataFrame:
    """The strongest hotspot cells as a table.

    Parameters
    ----------
    hotspots : HotspotResults
        Gi* results.
    policy : DisclosurePolicy
        The audience's policy.
    top : int
        Rows kept (highest Gi* z first).

    Returns
    -------
    pandas.DataFrame
        ``h3_cell, hotspot_class, count, gi_z, q_value`` for hot cells; counts below k
        suppressed; empty when ``hotspots`` is None.
    """
    if hotspots is None:
        return pd.DataFrame(columns=["h3_cell", "hotspot_class", "count", "gi_z", "q_value"])
    table = hotspots.table
    hot = table[table["hotspot_class"].str.startswith("hot")].sort_values("gi_z", ascending=False).head(top)
    out = hot[["h3_cell", "hotspot_class", "count", "gi_z", "q_value"]].reset_index(drop=True)
    out["gi_z"] = out["gi_z"].round(2)
    out["q_value"] = out["q_value"].map(lambda q: f"{q:.3g}")
    return suppress_counts(out, ["count"], policy.k) if policy.suppress else out


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
        ``series, model, MASE, seasonal naive MASE, beats baseline`` (MASE is a ratio, not
        a count).
    """
    if results is None:  # nothing in scope to forecast
        return pd.DataFrame(columns=["series", "model", "MASE", "seasonal naive MASE", "beats baseline"])
    sel = results.selection.copy()
    out = pd.DataFrame({
        "series": sel["unique_id"],
        "model": sel["model"],
        "MASE": sel["mase"].round(2),
        "seasonal naive MASE": sel["baseline_mase"].round(2),
        "beats baseline": sel["beats_baseline"].map({True: "yes", False: "no: baseline kept"}),
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
        ``series, month, observed, upper bound``; empty when nothing surged.
    """
    if results is None:
        return pd.DataFrame(columns=["series", "month", "observed", "upper bound"])
    surges = results.surges()
    out = pd.DataFrame({
        "series": surges["unique_id"],
        "month": pd.to_datetime(surges["ds"]).dt.strftime("%Y-%m"),
        "observed": surges["y"].astype(int),
        "upper bound": surges["yhat_upper"].round(1),
    }).reset_index(drop=True)
    return suppress_counts(out, ["observed"], policy.k) if policy.suppress else out


def render(frame: pd.DataFrame, policy: DisclosurePolicy | None = None, index: bool = False,
           empty: str = "None."):  # -> IPython HTML
    """Render a table as escaped HTML, withheld cells shown as ``[c]`` with a note.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table from this module (already disclosure-controlled).
    policy : DisclosurePolicy, optional
        When given and suppressing, the table's integer (count) columns are checked once
        more: a count below k raises instead of rendering.
    index : bool
        Show the index (for crosstabs).
    empty : str
        Sentence shown instead of an empty table.

    Returns
    -------
    IPython.display.HTML
        The table; every cell's text is HTML-escaped.
    """
    import html

    from IPython.display import HTML

    if frame.empty:
        return HTML(f"<p>{html.escape(empty)}</p>")
    if policy is not None and policy.suppress:  # counts are the integer columns (z-scores, MASE are not)
        check_table(frame, [c for c in frame.columns if pd.api.types.is_integer_dtype(frame[c])], policy.k)
    shown = frame.astype("object").where(frame.notna(), WITHHELD)
    table = shown.to_html(index=index, escape=True, border=0, classes="wb-table")
    note = ""
    if (shown == WITHHELD).to_numpy().any():
        k = policy.k if policy is not None else 10
        note = (f'<p style="font-size:11px;color:#666">{WITHHELD} withheld to protect confidentiality: a count '
                f"below {k}, or a cell that would reveal one by subtraction.</p>")
    return HTML(table + note)


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
