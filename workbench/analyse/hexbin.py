"""Incident counts on the H3 hexagonal grid.

Indexing points (:func:`~workbench.grid.latlng_cells`, :func:`~workbench.grid.cell_names`)
lives in :mod:`workbench.grid`, below the phases, because collectors need it too; both
names are importable from here as before.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from workbench import engine as engines
from workbench.grid import cell_names, latlng_cells  # noqa: F401  (cell_names re-exported)
from workbench.schema import STORE_H3_RESOLUTION


def hex_counts(incidents: Any, resolution: int = STORE_H3_RESOLUTION, engine: str | None = None) -> pd.DataFrame:
    """Count incidents per H3 cell.

    Parameters
    ----------
    incidents : pandas.DataFrame or dask.dataframe.DataFrame
        Store incidents with ``h3_cell`` (resolution 7) and/or ``lat``/``lon``.
    resolution : int
        H3 resolution of the result (0-15). At or below 7 the stored cell (or its
        parent) is used, falling back on the coordinates when a row has no stored cell;
        finer resolutions index the coordinates again.
    engine : str, optional
        ``"pandas"`` or ``"dask"`` (:mod:`workbench.engine`; the partitions are counted
        with the same function and the counts summed); by default the session's engine,
        or ``"dask"`` when ``incidents`` is a dask DataFrame. The result is the same.

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
    if not 0 <= int(resolution) <= 15:
        raise ValueError(f"H3 resolution must be 0-15, got {resolution}")
    resolution = int(resolution)
    runner = engines.get_engine(engine or ("dask" if engines.is_dask_frame(incidents) else None))
    columns = [c for c in ("incident_id", "h3_cell", "lat", "lon") if c in incidents.columns]
    meta = pd.DataFrame({"h3_cell": pd.Series(dtype=object), "count": pd.Series(dtype=np.int64)})
    counts, n = runner.map_partitions(partition_counts, incidents, resolution, columns=columns, meta=meta)
    return finish_counts(counts, n, resolution)


def partition_counts(incidents: pd.DataFrame, resolution: int) -> pd.DataFrame:
    """Count one partition's incidents per H3 cell (the unit of work of every engine).

    Each distinct stored cell is mapped to its parent once, and each distinct point is
    indexed once, so the work grows with the number of places, not of incidents.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Incidents (a whole frame or one partition).
    resolution : int
        H3 resolution (0-15).

    Returns
    -------
    pandas.DataFrame
        ``h3_cell`` (object) and ``count`` (int64), unordered; unlocated rows left out.

    Raises
    ------
    ValueError
        Missing location columns, or coordinates out of range (naming the incident).
    """
    import h3

    has_coords = {"lat", "lon"} <= set(incidents.columns)
    if "h3_cell" not in incidents.columns and not has_coords:
        raise ValueError("incidents need an h3_cell column or lat and lon columns")
    cells = np.full(len(incidents), None, dtype=object)
    if resolution <= STORE_H3_RESOLUTION and "h3_cell" in incidents.columns:
        stored = incidents["h3_cell"].astype(object).to_numpy()
        blank = pd.isna(stored)
        blank[~blank] = stored[~blank] == ""
        stored = np.where(blank, None, stored)
        codes, uniques = pd.factorize(stored, use_na_sentinel=True)
        parents = np.array([h3.cell_to_parent(str(c), resolution) for c in uniques] + [None], dtype=object)
        cells = parents[codes]
    if has_coords:
        todo = pd.isna(cells) & incidents["lat"].notna().to_numpy() & incidents["lon"].notna().to_numpy()
        if todo.any():
            lat = incidents["lat"].to_numpy(dtype=float, na_value=np.nan)[todo]
            lon = incidents["lon"].to_numpy(dtype=float, na_value=np.nan)[todo]
            bad = ~((lat >= -90) & (lat <= 90) & (lon >= -180) & (lon <= 180))
            if bad.any():
                first = int(np.flatnonzero(bad)[0])
                row = incidents.index[np.flatnonzero(todo)[first]]
                name = incidents.loc[row, "incident_id"] if "incident_id" in incidents.columns else row
                raise ValueError(f"incident {name}: lat/lon ({lat[first]}, {lon[first]}) out of range")
            cells[todo] = latlng_cells(lat, lon, resolution)
    located = pd.Series(cells[~pd.isna(cells)], dtype=object)
    counts = located.value_counts(sort=False)
    return pd.DataFrame({"h3_cell": counts.index.to_numpy(dtype=object), "count": counts.to_numpy(dtype=np.int64)})


def finish_counts(counts: pd.DataFrame, n_incidents: int, resolution: int) -> pd.DataFrame:
    """Sum partition counts into the :func:`hex_counts` table.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``h3_cell, count`` rows (a cell may repeat, one row per partition).
    n_incidents : int
        Incidents counted in all (for ``attrs["unlocated"]``).
    resolution : int
        H3 resolution of the cells.

    Returns
    -------
    pandas.DataFrame
        ``h3_cell, count``, largest first, ties by cell id; ``attrs`` ``unlocated`` and
        ``resolution``.
    """
    summed = counts.groupby("h3_cell", sort=False)["count"].sum()
    out = pd.DataFrame({"h3_cell": summed.index.to_numpy(dtype=object), "count": summed.to_numpy(dtype=np.int64)})
    out = out.sort_values(["count", "h3_cell"], ascending=[False, True], ignore_index=True)
    out.attrs["unlocated"] = int(n_incidents - out["count"].sum())
    out.attrs["resolution"] = int(resolution)
    return out


def h3_star_weights(cells: list[str], k_ring: int = 1):  # -> scipy.sparse.csr_matrix
    """Binary Gi* weights of H3 cells: each cell and the cells within ``k_ring`` steps weigh 1.

    The same matrix as ``star_weights(h3_neighbours(cells, k_ring), len(cells))`` of
    :mod:`workbench.analyse.getis_ord`, built with array operations (one ``grid_disk``
    per cell, positions looked up all at once), for study areas of many thousands of cells.

    Parameters
    ----------
    cells : list of str
        H3 cells of one resolution, in the order of the data.
    k_ring : int
        Neighbourhood radius in cells.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``n x n`` float matrix with ones on the diagonal and at each neighbour inside
        ``cells`` (cells outside are ignored).
    """
    import itertools

    import h3
    from scipy import sparse

    cells = list(cells)
    n = len(cells)
    disks = [h3.grid_disk(c, k_ring) for c in cells]
    lengths = np.fromiter(map(len, disks), dtype=np.int64, count=n)
    flat = np.fromiter(itertools.chain.from_iterable(disks), dtype=object, count=int(lengths.sum()))
    cols = pd.Index(cells).get_indexer(flat)
    rows = np.repeat(np.arange(n), lengths)
    keep = cols >= 0
    w = sparse.csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(n, n))
    w.data[:] = 1.0
    return w


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
