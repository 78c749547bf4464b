"""Country boundaries (Natural Earth admin-0): read them, and find the country of points.

The catalog's ``countries`` entries read their files with :func:`read_boundaries`;
collectors that need a point's country (e.g. :mod:`workbench.collect.points`) use
:func:`workspace_boundaries`, which reads the same files from the workspace's
``data/reference/`` folder without going up to the catalog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from workbench.workspace import workspace

#: Natural Earth admin-0 files looked for in ``<workspace>/data/reference/``, finest first.
NATURAL_EARTH_FILES = ("ne_50m_admin_0_countries.geojson", "ne_110m_admin_0_countries.geojson")


def read_boundaries(path: str | Path) -> Any:  # -> geopandas.GeoDataFrame
    """Read a Natural Earth admin-0 file as ``iso3``, ``name``, ``continent`` and geometry.

    Parameters
    ----------
    path : str or Path
        A Natural Earth admin-0 countries file (any scale; column names differ in case).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per country; ``iso3`` falls back on ``ADM0_A3`` where ``ISO_A3`` is ``-99``.
    """
    import geopandas as gpd

    frame = gpd.read_file(path)
    cols = {c.lower(): c for c in frame.columns}  # Natural Earth's scales differ in case
    iso = frame[cols["iso_a3"]]
    iso = iso.where(iso != "-99", frame[cols.get("adm0_a3", cols["iso_a3"])])
    return gpd.GeoDataFrame(
        {"iso3": iso, "name": frame[cols["name"]], "continent": frame[cols["continent"]]},
        geometry=frame.geometry, crs=frame.crs,
    )


def workspace_boundaries() -> Any:  # -> geopandas.GeoDataFrame | None
    """Read the workspace's Natural Earth boundaries (1:50m when present, else 1:110m).

    Returns
    -------
    geopandas.GeoDataFrame or None
        As :func:`read_boundaries`; None when the workspace has neither file or it
        cannot be read.
    """
    folder = workspace() / "data" / "reference"
    for name in NATURAL_EARTH_FILES:
        try:
            return read_boundaries(folder / name)
        except Exception:  # noqa: BLE001 - a workspace without boundaries: countries stay unknown
            continue
    return None


def countries_of(lat: pd.Series, lon: pd.Series, boundaries: Any) -> pd.Series:
    """ISO3 of the country each point lies in, None outside every country.

    Parameters
    ----------
    lat, lon : pandas.Series
        Coordinates in degrees (EPSG:4326), same index.
    boundaries : geopandas.GeoDataFrame or None
        With ``iso3`` and polygons (:func:`read_boundaries`); None gives all None.

    Returns
    -------
    pandas.Series
        Object series on ``lat``'s index: a three-letter code or None.
    """
    import geopandas as gpd

    out = pd.Series([None] * len(lat), index=lat.index, dtype="object")
    if boundaries is None or lat.empty:
        return out
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), index=lat.index, crs="EPSG:4326")
    joined = gpd.sjoin(points, boundaries[["iso3", "geometry"]].to_crs("EPSG:4326"), how="left",
                       predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    found = joined["iso3"].where(joined["iso3"].astype(str).str.fullmatch(r"[A-Z]{3}"), None)
    out.loc[found.index] = found.to_numpy()
    return out
