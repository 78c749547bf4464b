"""Report tables, built so that they are safe to show to the report's audience.

Each builder takes store incidents (already scoped) and a
:class:`~workbench.share.disclosure.DisclosurePolicy`, aggregates, and applies the
policy's suppression before returning; the notebooks only display what comes back.
"""

from __future__ import annotations

import pandas as pd

from workbench.analyse.hexbin import cell_polygons
from workbench.analyse.routes import DIRECT
from workbench.analyse.volume import normalise_by_media_volume
from workbench.places.gazetteer import area_city, country_name
from workbench.share.disclosure import DisclosurePolicy, check_table, round_counts, suppress_counts, suppress_table
from workbench.share.judgements import yardstick
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
        return cell_polygons([]).assign(hotspot_class=pd.Series(dtype=str), count=pd.Series(dtype=str))
    gdf = hotspots.to_geodataframe()
    gdf = gdf[gdf["hotspot_class"] != "not_significant"].copy()
    if policy.suppress:
        safe = suppress_counts(gdf[["count"]], ["count"], policy.k, base=policy.rounding)["count"]
        gdf["count"] = [f"<{policy.k}" if pd.isna(v) else str(int(v)) for v in safe]
    return gdf


def place_of_cell(cell: str) -> str:
    """Name an H3 cell after the well-known place around it: ``"Almeria, Andalusia, Spain"``.

    The most populous city near the cell's centre (see
    :func:`workbench.places.gazetteer.area_city`) with its first-level area when the
    gazetteer knows it, and the country by name; never the cell's id.

    Parameters
    ----------
    cell : str
        H3 cell.

    Returns
    -------
    str
        Place, (area,) country; ``"remote area"`` when no city is known nearby.
    """
    import h3

    lat, lon = h3.cell_to_latlng(cell)
    city = area_city(float(lat), float(lon))
    if not city:
        return "remote area"
    parts = [str(city["name"])]
    admin1 = city.get("admin1")
    if admin1 and admin1 != parts[0]:
        parts.append(str(admin1))
    parts.append(country_name(city["country_iso3"]))
    return ", ".join(parts)


#: Hotspot classes in words.
CLASS_WORDS = {"hot_99": "hotspot (99% confidence)", "hot_95": "hotspot (95%)", "hot_90": "hotspot (90%)",
               "cold_99": "cold spot (99%)", "cold_95": "cold spot (95%)", "cold_90": "cold spot (90%)",
               "not_significant": "not significant"}


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
    cols = ["place", "class", "incidents", "Gi* z", "q value"]
    if hotspots is None:
        return pd.DataFrame(columns=cols)
    table = hotspots.table
    hot = table[table["hotspot_class"].str.startswith("hot")].sort_values("gi_z", ascending=False).head(top)
    out = pd.DataFrame({
        "place": [place_of_cell(c) for c in hot["h3_cell"]],
        "class": hot["hotspot_class"].map(lambda c: CLASS_WORDS.get(c, c)).to_numpy(),
        "incidents": hot["count"].astype("int64").to_numpy(),
        "Gi* z": [f"{z:.2f}" for z in hot["gi_z"]],
        "q value": [_decimal(q, 3) for q in hot["q_value"]],
    })
    return suppress_counts(out, ["incidents"], policy.k, base=policy.rounding) if policy.suppress else out


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
        "model": sel["model"],
        "MASE": sel["mase"].round(2),
        "seasonal naive MASE": sel["baseline_mase"].round(2),
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
    return suppress_counts(out, ["observed"], policy.k, base=policy.rounding) if policy.suppress else out


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
    shown = frame.astype("object").where(frame.notna(), WITHHELD).map(_cell_text)
    if index:
        shown.index = [_cell_text(v) for v in shown.index]
    table = shown.to_html(index=index, escape=True, border=0, classes="wb-table")
    note = ""
    if (shown == WITHHELD).to_numpy().any():
        k = policy.k if policy is not None else 10
        note = (f'<p style="font-size:11px;color:#666">{WITHHELD} withheld to protect confidentiality: a count '
                f"below {k}, or a cell that would reveal one by subtraction.</p>")
    return HTML(table + note)


def _cell_text(value: object) -> object:
    """A cell as a reader expects it: thousands separators, no scientific notation, no ``nan``."""
    import numbers

    if isinstance(value, bool) or value is None:
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        if value != value:
            return "n/a"
        if float(value).is_integer() and abs(value) >= 1:
            return f"{int(value):,}"
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) >= 0.001 else "<0.001"
    return value


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
        The audience's policy (observed counts below k withheld).

    Returns
    -------
    pandas.DataFrame
        ``country, month, incidents, expected, upper bound``.
    """
    s = found.surges
    out = pd.DataFrame({
        "country": s["country"].to_numpy(), "month": [pd.Timestamp(m + "-01").strftime("%B %Y") for m in s["month"]],
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
        "country": f["country"].to_numpy(), "model": f["model"].to_numpy(),
        "MASE": [_decimal(v) for v in f["mase"]], "seasonal naive MASE": [_decimal(v) for v in f["baseline_mase"]],
        "beats baseline": ["yes" if b else "no: baseline kept" for b in f["beats_baseline"]],
    })


def _series_words(uid: object) -> object:
    """A series id (``"ESP"``, ``"ESP/forced_labour"``) in words; other values unchanged."""
    if not isinstance(uid, str):
        return uid
    parts = uid.split("/")
    if not (len(parts[0]) == 3 and parts[0].isupper()):
        return uid
    head = "all countries" if parts[0] == "ALL" else country_name(parts[0])
    return " / ".join([head, *[p.replace("_", " ") for p in parts[1:]]])


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as readers expect it: no H3 ids, countries and hotspot classes in words.

    Columns holding H3 cells (``h3_cell``, ``h3 cell``) are dropped (places are named in
    another column), ISO3 codes in ``country``/``origin``/``destination``/``transit``
    columns become country names, and Gi* classes become words.

    Parameters
    ----------
    frame : pandas.DataFrame
        A disclosure-controlled table.

    Returns
    -------
    pandas.DataFrame
        A copy.
    """
    import numbers
    import re

    h3_like = re.compile(r"^8[0-9a-f]{14}$")
    out = frame.copy()
    for col in list(out.columns):
        values = out[col].dropna()
        if len(values) and values.map(lambda v: isinstance(v, str) and bool(h3_like.match(v))).all():
            if "place" in out.columns:
                out = out.drop(columns=[col])
            else:
                out[col] = [place_of_cell(v) if isinstance(v, str) else v for v in out[col]]
                out = out.rename(columns={col: "place"})
                out = out[["place", *[c for c in out.columns if c != "place"]]]
        elif str(col).replace(" ", "_").lower() == "h3_cell":
            out = out.drop(columns=[col])
    for col in out.columns:
        name = str(col).lower()
        if name in ("country", "origin", "destination", "transit"):
            out[col] = [country_name(v) if isinstance(v, str) and len(v) == 3 and v.isupper() else v for v in out[col]]
        elif name in ("hotspot class", "hotspot_class", "class", "class now", "class before"):
            out[col] = [CLASS_WORDS.get(v, v) if isinstance(v, str) else v for v in out[col]]
        elif name in ("windows", "backtest windows"):  # a number of windows, not of people: said in words
            out[col] = [f"{int(v)} windows" if (isinstance(v, numbers.Real) and v == v)
                        or (isinstance(v, str) and v.strip().isdigit()) else v for v in out[col]]
        elif name == "series":
            out[col] = [_series_words(v) for v in out[col]]
    return out


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


def _route_keys(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "origin": frame["origin"].astype(str).to_numpy(),
        "transit": ["direct" if t == DIRECT else str(t) for t in frame["transit"]],
        "destination": frame["destination"].astype(str).to_numpy(),
        "domestic": ["yes" if d else "no" for d in frame["domestic"]],
    })


def _decimal(value: object, digits: int = 2) -> object:
    """A ratio or probability as text that never reads as a bare integer ("3.00", "<0.001")."""
    if value is None or pd.isna(value):
        return "n/a"
    value = float(value)
    if value == float("inf"):
        return "unbounded"
    if 0 < value < 10 ** -digits:
        return f"<{10 ** -digits:.{digits}f}"
    return f"{value:.{digits}f}"


def route_table(results, policy: DisclosurePolicy, top: int = 15, domestic: bool = True) -> pd.DataFrame:
    """The largest corridors (origin -> transit -> destination), safe for the audience.

    Parameters
    ----------
    results : RouteResults
        From :class:`~workbench.analyse.routes.RouteFlows`.
    policy : DisclosurePolicy
        The audience's policy: counts below k are withheld (``render`` shows "[c]") and
        so are the first and last dates of those corridors.
    top : int
        Corridors listed (largest first).
    domestic : bool
        List domestic corridors (origin = destination) too; they are flagged.

    Returns
    -------
    pandas.DataFrame
        ``origin, transit, destination, domestic, incidents, first seen, last seen``
        (months); ``transit`` reads "direct" for routes without one.
    """
    flows = results.top(top, domestic=domestic)
    out = _route_keys(flows)
    out["incidents"] = flows["count"].astype("int64").to_numpy()
    out["first seen"] = pd.to_datetime(flows["first_seen"]).dt.strftime("%Y-%m").to_numpy()
    out["last seen"] = pd.to_datetime(flows["last_seen"]).dt.strftime("%Y-%m").to_numpy()
    if policy.suppress:
        out = suppress_counts(out, ["incidents"], policy.k, base=policy.rounding)
        withheld = out["incidents"].isna()
        out.loc[withheld, ["first seen", "last seen"]] = pd.NA  # a lone date would date the incident
    return out


def route_change_table(results, policy: DisclosurePolicy, labels: tuple[str, ...] | None = None,
                       top: int | None = 20) -> pd.DataFrame:
    """Corridor counts now against the baseline, with the change test, safe for the audience.

    Parameters
    ----------
    results : RouteResults
        From :class:`~workbench.analyse.routes.RouteFlows`.
    policy : DisclosurePolicy
        The audience's policy. A count below k is withheld; then the corridor's other
        count, rate ratio and q-value are withheld too (with the ratio or the other
        count, a withheld count could be worked out). The growth label stays.
    labels : tuple of str, optional
        Growth labels kept (e.g. ``("growing", "declining")`` or ``("new",)``); all by
        default.
    top : int, optional
        Rows kept, in the order of the change table (growing, new, declining, ended,
        unchanged; most significant first). None keeps all.

    Returns
    -------
    pandas.DataFrame
        ``origin, transit, destination, domestic, baseline, current, rate ratio,
        95% interval, q value, growth``.
    """
    change = results.change
    if labels is not None:
        change = change[change["growth"].isin(labels)]
    if top is not None:
        change = change.head(int(top))
    out = _route_keys(change)
    out["baseline"] = change["baseline"].astype("int64").to_numpy()
    out["current"] = change["current"].astype("int64").to_numpy()
    out["rate ratio"] = [_decimal(v) for v in change["rate_ratio"]]
    out["95% interval"] = [f"{_decimal(lo)} to {_decimal(hi)}" for lo, hi in
                           zip(change["ratio_low"], change["ratio_high"])]
    out["q value"] = [_decimal(q, 3) for q in change["q_value"]]
    out["growth"] = change["growth"].astype(str).to_numpy()
    if policy.suppress:
        small = (out[["baseline", "current"]].gt(0) & out[["baseline", "current"]].lt(policy.k)).any(axis=1)
        out = suppress_counts(out, ["baseline", "current"], policy.k, base=policy.rounding)
        for col in ("baseline", "current"):
            out[col] = out[col].mask(small & out[col].gt(0).fillna(False))
        out.loc[small, ["rate ratio", "95% interval", "q value"]] = pd.NA
    return out


def route_hubs_table(results, policy: DisclosurePolicy, top: int = 10) -> pd.DataFrame:
    """Countries central to the corridor network (transit hubs first).

    Parameters
    ----------
    results : RouteResults
        From :class:`~workbench.analyse.routes.RouteFlows`.
    policy : DisclosurePolicy
        The audience's policy: when suppressing, the network is rebuilt from corridors
        of at least k incidents only (:meth:`RouteResults.restrict`), so no figure
        includes a smaller corridor.
    top : int
        Countries listed (highest betweenness first).

    Returns
    -------
    pandas.DataFrame
        ``country, incidents out, incidents in, through (transit), domestic,
        betweenness``.
    """
    net = (results.restrict(policy.k) if policy.suppress else results).network.head(int(top))
    out = pd.DataFrame({
        "country": net["country"].astype(str).to_numpy(),
        "incidents out": net["out_strength"].astype("int64").to_numpy(),
        "incidents in": net["in_strength"].astype("int64").to_numpy(),
        "through (transit)": net["through"].astype("int64").to_numpy(),
        "domestic": net["domestic"].astype("int64").to_numpy(),
        "betweenness": [_decimal(b, 3) for b in net["betweenness"]],
    })
    counts = ["incidents out", "incidents in", "through (transit)", "domestic"]
    return suppress_counts(out, counts, policy.k, base=policy.rounding) if policy.suppress else out


def route_map_flows(results, policy: DisclosurePolicy) -> pd.DataFrame:
    """The legs to draw on a flow map, safe for the audience.

    Parameters
    ----------
    results : RouteResults
        From :class:`~workbench.analyse.routes.RouteFlows`.
    policy : DisclosurePolicy
        The audience's policy: when suppressing, only corridors of at least k incidents
        are drawn (their legs summed), so no line carries a smaller corridor.

    Returns
    -------
    pandas.DataFrame
        ``source, target, count`` between different countries, largest first (input of
        :func:`workbench.share.maps.add_flows`).
    """
    legs = (results.restrict(policy.k) if policy.suppress else results).legs
    legs = legs[legs["source"] != legs["target"]]
    out = legs.groupby(["source", "target"], as_index=False)["count"].sum()
    return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


def route_unknown_table(results, policy: DisclosurePolicy) -> pd.DataFrame:
    """Incidents whose origin is unknown, by destination (never given an origin).

    Parameters
    ----------
    results : RouteResults
        From :class:`~workbench.analyse.routes.RouteFlows`.
    policy : DisclosurePolicy
        The audience's policy (counts below k withheld).

    Returns
    -------
    pandas.DataFrame
        ``destination, incidents``.
    """
    out = results.unknown_origin.rename(columns={"count": "incidents"}).reset_index(drop=True)
    out["incidents"] = out["incidents"].astype("int64")
    return suppress_counts(out, ["incidents"], policy.k, base=policy.rounding) if policy.suppress else out


def emerging_pattern_counts(results, policy: DisclosurePolicy) -> pd.DataFrame:
    """How many places fall in each emerging hot spot class.

    Parameters
    ----------
    results : EmergingResults or None
        From :class:`~workbench.analyse.emerging.EmergingHotspots` (None: nothing in scope).
    policy : DisclosurePolicy
        The audience's policy (unused: a number of places is no count of people, and the
        map draws every one of them, so withholding it would only hide what a reader can
        count on the map; the disclosure auditor counts map features).

    Returns
    -------
    pandas.DataFrame
        ``pattern, places`` for the classes that occur (hot, cold, then "no pattern
        detected"); ``places`` as text, so it is not taken for a count of people;
        empty when ``results`` is None.
    """
    if results is None:
        return pd.DataFrame({"pattern": pd.Series(dtype=str), "places": pd.Series(dtype=str)})
    out = results.patterns[results.patterns["places"] > 0].reset_index(drop=True)
    out["pattern"] = out["pattern"].str.capitalize()
    out["places"] = [f"{int(v):,}" for v in out["places"]]
    return out


def emerging_cells(results, policy: DisclosurePolicy):  # -> geopandas.GeoDataFrame
    """Hexagons with an emerging hot or cold spot pattern, safe for the audience.

    Parameters
    ----------
    results : EmergingResults or None
        Emerging hot spots of H3 cells, computed at (or coarser than) the audience's
        resolution.
    policy : DisclosurePolicy
        The audience's policy: incident totals below k are shown as ``"<k"``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``h3_cell, pattern, count`` (display text) and geometry, for cells with a
        pattern only; empty when ``results`` is None.

    Raises
    ------
    ValueError
        When the cells are finer than the audience may see.
    """
    import h3

    empty = cell_polygons([]).assign(pattern=pd.Series(dtype=str), count=pd.Series(dtype=str))
    if results is None:
        return empty
    table = results.table[results.table["pattern"] != "no pattern detected"]
    if table.empty:
        return empty
    finest = max(h3.get_resolution(c) for c in table["h3_cell"])
    if finest > policy.h3_resolution:
        raise ValueError(f"cells at H3 resolution {finest} are finer than the {policy.audience} audience's "
                         f"{policy.h3_resolution}: run the analysis at the audience's resolution")
    gdf = cell_polygons(table["h3_cell"]).merge(table[["h3_cell", "pattern", "count"]], on="h3_cell")
    if policy.suppress:
        safe = suppress_counts(gdf[["count"]], ["count"], policy.k, base=policy.rounding)["count"]
        gdf["count"] = [f"<{policy.k}" if pd.isna(v) else str(int(v)) for v in safe]
    return gdf


def robust_hotspot_table(check, policy: DisclosurePolicy, top: int = 20) -> pd.DataFrame:
    """Hot spots and whether they survive without the weakest-graded sources.

    The count without the weak sources is not shown: beside the full count it would
    give away, by subtraction, how many weak reports a cell holds (possibly fewer than k).

    Parameters
    ----------
    check : RobustnessResults or None
        From :class:`~workbench.analyse.robustness.RobustnessCheck` (``method="gi"``).
    policy : DisclosurePolicy
        The audience's policy (counts below k withheld).
    top : int
        Rows kept (strongest Gi* z first).

    Returns
    -------
    pandas.DataFrame
        ``h3_cell, hotspot_class, count, class without weak sources, robust`` for hot
        cells; empty when ``check`` is None.
    """
    cols = ["place", "class", "incidents", "class without weak sources", "robust"]
    if check is None:
        return pd.DataFrame(columns=cols)
    t = check.table
    hot = t[t["hotspot_class"].str.startswith("hot")].sort_values("gi_z", ascending=False).head(top)
    out = pd.DataFrame({
        "place": [place_of_cell(c) for c in hot["h3_cell"]],
        "class": hot["hotspot_class"].map(lambda c: CLASS_WORDS.get(c, c)).to_numpy(),
        "incidents": hot["count"].astype("int64").to_numpy(),
        "class without weak sources": hot["class_graded"].map(lambda c: CLASS_WORDS.get(c, c)).to_numpy(),
        "robust": hot["robust"].map({True: "yes", False: "no"}).to_numpy(),
    })
    return suppress_counts(out, ["incidents"], policy.k, base=policy.rounding) if policy.suppress else out


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


def note(text: str):  # -> IPython HTML
    """A short escaped note under a table.

    Parameters
    ----------
    text : str
        The note.

    Returns
    -------
    IPython.display.HTML
        A small grey paragraph.
    """
    import html

    from IPython.display import HTML

    return HTML(f'<p style="font-size:11px;color:#666">{html.escape(text)}</p>')
