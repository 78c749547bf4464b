"""Country adjacency for emerging hot spots: Queen contiguity, nearest countries for islands."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np


def country_adjacency(countries: Any, k_ring: int = 1, knn: int = 2) -> tuple[Any, list[str]]:
    """Binary adjacency of countries: Queen contiguity, nearest countries for islands.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame
        Polygons with ``iso3`` (``catalog.load("countries")``); rows sharing a code are
        merged.
    k_ring : int
        Order of contiguity: countries up to ``k_ring`` borders away are neighbours.
    knn : int
        A country touching no other gets its ``knn`` nearest countries (great-circle
        distance between representative points) as neighbours, both ways.

    Returns
    -------
    tuple
        ``(adjacency, iso3)``: a symmetric ``scipy.sparse.csr_matrix`` without the
        diagonal, and the codes in its order.
    """
    from libpysal.weights import Queen
    from scipy import sparse
    from scipy.spatial import cKDTree

    polys = countries[countries["iso3"].notna()]
    if polys["iso3"].duplicated().any():
        polys = polys.dissolve("iso3").reset_index()
    polys = polys.reset_index(drop=True)
    iso = [str(c) for c in polys["iso3"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands, disconnected components
        queen = Queen.from_dataframe(polys, use_index=False, silence_warnings=True)
    n = len(iso)
    rows = [i for i, js in queen.neighbors.items() for _ in js]
    cols = [j for js in queen.neighbors.values() for j in js]
    adj = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tolil()
    islands = [i for i in range(n) if not queen.neighbors.get(i)]
    if islands and n > 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # representative points in degrees are what we want
            pts = polys.geometry.to_crs(4326).representative_point()
        lat, lon = np.radians(pts.y.to_numpy()), np.radians(pts.x.to_numpy())
        xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
        k = min(knn, n - 1)
        _, near = cKDTree(xyz).query(xyz[islands], k=k + 1)
        for i, js in zip(islands, np.atleast_2d(near)):
            for j in js:
                if j != i:
                    adj[i, j] = adj[j, i] = 1.0
    adj = adj.tocsr()
    if k_ring > 1:
        reach = adj + sparse.identity(n, format="csr")
        power = reach.copy()
        for _ in range(k_ring - 1):
            power = (power @ reach).astype(bool).astype(float)
        adj = power - sparse.diags(power.diagonal())
        adj.eliminate_zeros()
    adj.data[:] = 1.0
    return adj.tocsr(), iso
