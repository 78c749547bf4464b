"""Hotspot and emerging hot spot tables and map cells, safe for the report's audience."""

from __future__ import annotations

import pandas as pd

from workbench.analyse.hexbin import cell_polygons
from workbench.places.naming import place_of_cell
from workbench.share.disclosure import DisclosurePolicy, suppress_counts
from workbench.share.formatting import CLASS_WORDS, decimal, withheld_counts


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
    gdf["count"] = withheld_counts(gdf["count"], policy)
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
    cols = ["place", "class", "incidents", "Gi* z", "q value"]
    if hotspots is None:
        return pd.DataFrame(columns=cols)
    hot, named = _hot_cells(hotspots.table, top)
    out = pd.DataFrame({
        **named,
        "Gi* z": [f"{z:.2f}" for z in hot["gi_z"]],
        "q value": [decimal(q, 3) for q in hot["q_value"]],
    })
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
    gdf["count"] = withheld_counts(gdf["count"], policy)
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
    hot, named = _hot_cells(check.table, top)
    out = pd.DataFrame({
        **named,
        "class without weak sources": hot["class_graded"].map(lambda c: CLASS_WORDS.get(c, c)).to_numpy(),
        "robust": hot["robust"].map({True: "yes", False: "no"}).to_numpy(),
    })
    return suppress_counts(out, ["incidents"], policy.k, base=policy.rounding) if policy.suppress else out


def _hot_cells(table: pd.DataFrame, top: int) -> tuple[pd.DataFrame, dict[str, object]]:
    """The ``top`` hot cells (strongest Gi* z first) and their place, class and count columns."""
    hot = table[table["hotspot_class"].str.startswith("hot")].sort_values("gi_z", ascending=False).head(top)
    return hot, {"place": [place_of_cell(c) for c in hot["h3_cell"]],
                 "class": hot["hotspot_class"].map(lambda c: CLASS_WORDS.get(c, c)).to_numpy(),
                 "incidents": hot["count"].astype("int64").to_numpy()}
