"""Incident counts on the H3 hexagonal grid."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from workbench.schema import STORE_H3_RESOLUTION


def hex_counts(incidents: pd.DataFrame, resolution: int = STORE_H3_RESOLUTION) -> pd.DataFrame:
    """Count incidents per H3 cell.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents (``h3_cell`` at resolution 7, ``lat``/``lon``).
    resolution : int
        H3 resolution of the result (0-15). At or below 7 the stored cell's parent is
        used; finer resolutions index the coordinates again.

    Returns
    -------
    pandas.DataFrame
        ``h3_cell, count``, largest first. ``attrs["unlocated"]`` counts incidents
        without a location (known only to the country), which no cell can hold.
    """
    import h3

    if not 0 <= resolution <= 15:
        raise ValueError(f"H3 resolution must be 0-15, got {resolution}")
    if resolution <= STORE_H3_RESOLUTION and "h3_cell" in incidents:
        cells = incidents["h3_cell"].dropna().astype(str)
        cells = cells.map(lambda c: h3.cell_to_parent(c, resolution) if resolution < STORE_H3_RESOLUTION else c)
    else:
        located = incidents.dropna(subset=["lat", "lon"])
        cells = pd.Series([h3.latlng_to_cell(a, b, resolution) for a, b in zip(located["lat"], located["lon"])],
                          dtype="object")
    out = cells.value_counts().rename_axis("h3_cell").rename("count").reset_index()
    out["count"] = out["count"].astype(int)
    out.attrs["unlocated"] = int(len(incidents) - len(cells))
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
        ``h3_cell`` and geometry, EPSG:4326 (lon/lat order).
    """
    import geopandas as gpd
    import h3
    from shapely.geometry import Polygon

    cells = list(cells)
    geoms = [Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells]
    return gpd.GeoDataFrame({"h3_cell": cells}, geometry=geoms, crs="EPSG:4326")
