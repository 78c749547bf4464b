"""Incident counts on the H3 hexagonal grid."""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from workbench.schema import STORE_H3_RESOLUTION


def hex_counts(incidents: pd.DataFrame, resolution: int = STORE_H3_RESOLUTION) -> pd.DataFrame:
    """Count incidents per H3 cell.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents with ``h3_cell`` (resolution 7) and/or ``lat``/``lon``.
    resolution : int
        H3 resolution of the result (0-15). At or below 7 the stored cell (or its
        parent) is used, falling back on the coordinates when a row has no stored cell;
        finer resolutions index the coordinates again.

    Returns
    -------
    pandas.DataFrame
        ``h3_cell, count``, largest first (ties by cell id). ``attrs["unlocated"]`` is
        the number of incidents left out for want of a location (e.g. known only to the
        country); ``attrs["resolution"]`` the resolution.

    Raises
    ------
    ValueError
        On a resolution outside 0-15, missing location columns, or coordinates out of
        range (the first offending ``incident_id`` is named).
    """
    import h3

    if not 0 <= int(resolution) <= 15:
        raise ValueError(f"H3 resolution must be 0-15, got {resolution}")
    resolution = int(resolution)
    has_coords = {"lat", "lon"} <= set(incidents.columns)
    if "h3_cell" not in incidents.columns and not has_coords:
        raise ValueError("incidents need an h3_cell column or lat and lon columns")
    cells = pd.Series(None, index=incidents.index, dtype="object")
    if resolution <= STORE_H3_RESOLUTION and "h3_cell" in incidents.columns:
        cells = incidents["h3_cell"].astype(object).map(
            lambda c: None if pd.isna(c) or c == "" else h3.cell_to_parent(str(c), resolution))
    if has_coords:
        todo = cells.isna() & incidents["lat"].notna() & incidents["lon"].notna()
        lat, lon = incidents.loc[todo, "lat"].astype(float), incidents.loc[todo, "lon"].astype(float)
        bad = ~(lat.between(-90, 90) & lon.between(-180, 180))
        if bad.any():
            row = bad.idxmax()
            name = incidents.loc[row, "incident_id"] if "incident_id" in incidents.columns else row
            raise ValueError(f"incident {name}: lat/lon ({lat[row]}, {lon[row]}) out of range")
        cells.loc[todo] = [h3.latlng_to_cell(a, b, resolution) for a, b in zip(lat, lon)]
    located = cells.dropna()
    out = (located.value_counts().rename_axis("h3_cell").rename("count").reset_index()
           .sort_values(["count", "h3_cell"], ascending=[False, True], ignore_index=True))
    out["count"] = out["count"].astype(np.int64)
    out.attrs["unlocated"] = int(len(incidents) - len(located))
    out.attrs["resolution"] = resolution
    return out


def cell_polygons(cells: Iterable[str]):  # -> geopandas.GeoDataFrame
    """Hexagon polygons of H3 cells.

    Parameters
    ----------
    cells : iterable of str
        H3 cell ids.

    Returns
    -------
    geopandas.GeoDataFrame
        ``h3_cell`` and geometry, EPSG:4326, coordinates in (lon, lat) order (H3 gives
        (lat, lng), shapely and GeoJSON want x = longitude).
    """
    import geopandas as gpd
    import h3
    from shapely.geometry import Polygon

    cells = list(cells)
    geoms = [Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells]
    return gpd.GeoDataFrame({"h3_cell": cells}, geometry=geoms, crs="EPSG:4326")
