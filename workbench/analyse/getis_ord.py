"""Getis-Ord Gi* hotspots on the H3 grid, with the false discovery rate controlled.

The study area is every cell holding incidents plus its ``k_ring`` neighbours (which
hold zeros): Gi* compares a cell's neighbourhood with the whole area, so leaving out the
empty cells around incidents would hide real clusters. Weights are binary H3 adjacency
with the focal cell included (Gi*, ``star=True``).

The z-scores are esda's analytical ones; p-values are two-sided under normality and are
adjusted with Benjamini-Hochberg across all cells (q-values). Cells are binned like
ArcGIS's Hot Spot Analysis: ``hot_99``/``hot_95``/``hot_90`` (q <= 0.01/0.05/0.10 and
z > 0), the cold equivalents, else ``not_significant``; ``significant`` is ``q <= alpha``.
With ``permutations > 0``, esda's conditional-permutation pseudo p-values are added as
``p_sim`` for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CLASSES = ("hot_99", "hot_95", "hot_90", "not_significant", "cold_90", "cold_95", "cold_99")


@dataclass
class HotspotResults:
    """Results of :class:`GetisOrdHotspots`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per cell of the study area: ``h3_cell, count, gi_z, p_value, q_value,
        significant, hotspot_class`` (and ``p_sim`` with permutations).
    n_cells : int
        Cells in the study area.
    alpha : float
        False discovery rate.
    fdr_threshold : float
        Largest raw p-value declared significant (0 when none).
    resolution : int
        H3 resolution of the cells.
    """

    table: pd.DataFrame
    n_cells: int
    alpha: float
    fdr_threshold: float
    resolution: int

    @property
    def hot(self) -> pd.DataFrame:
        """Significant hot cells (q <= alpha, z > 0), strongest first."""
        t = self.table
        return t[t["significant"] & (t["gi_z"] > 0)].sort_values("gi_z", ascending=False)

    def to_geodataframe(self):  # -> geopandas.GeoDataFrame
        """Return the table with hexagon geometries (EPSG:4326)."""
        from workbench.analyse.hexbin import cell_polygons

        polys = cell_polygons(self.table["h3_cell"])
        return polys.merge(self.table, on="h3_cell")


class GetisOrdHotspots:
    """Gi* hotspot model over H3 cell counts.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``h3_cell, count`` (from :func:`~workbench.analyse.hexbin.hex_counts`); all cells
        at one resolution.
    k_ring : int
        Neighbourhood radius in cells (1 = the six adjacent cells).
    alpha : float
        False discovery rate for ``significant``.
    permutations : int
        Conditional permutations for ``p_sim`` (0 to skip).
    seed : int
        Seed of the permutations.
    """

    def __init__(self, counts: pd.DataFrame, k_ring: int = 1, alpha: float = 0.05, permutations: int = 0,
                 seed: int = 0) -> None:
        if counts is None or len(counts) == 0:
            raise ValueError("no located incidents in scope: nothing to test for hotspots")
        if k_ring < 1:
            raise ValueError("k_ring must be at least 1")
        if not 0 < alpha < 1:
            raise ValueError("alpha must be in (0, 1)")
        self.counts = counts
        self.k_ring = k_ring
        self.alpha = alpha
        self.permutations = permutations
        self.seed = seed

    def _study_area(self) -> tuple[list[str], np.ndarray, int]:
        import h3

        observed = self.counts.groupby("h3_cell")["count"].sum()
        resolutions = {h3.get_resolution(c) for c in observed.index}
        if len(resolutions) != 1:
            raise ValueError(f"cells of several H3 resolutions {sorted(resolutions)}; use one")
        cells = set(observed.index)
        for c in observed.index:
            cells.update(h3.grid_disk(c, self.k_ring))
        ordered = sorted(cells)
        y = observed.reindex(ordered).fillna(0).to_numpy(dtype=float)
        return ordered, y, resolutions.pop()

    def fit(self) -> HotspotResults:
        """Compute Gi* z-scores, FDR-adjusted p-values and classes.

        Returns
        -------
        HotspotResults
            Per-cell results.
        """
        import h3
        from esda.getisord import G_Local
        from libpysal.weights import W
        from scipy.stats import norm
        from statsmodels.stats.multitest import multipletests

        cells, y, resolution = self._study_area()
        index = {c: i for i, c in enumerate(cells)}
        neighbours = {
            i: [index[n] for n in h3.grid_disk(c, self.k_ring) if n != c and n in index] for i, c in enumerate(cells)
        }
        table = pd.DataFrame({"h3_cell": cells, "count": y.astype(int)})
        if len(cells) < 3 or np.all(y == y[0]):
            z = np.zeros(len(cells))
            p_sim = None
        else:
            import warnings

            w = W(neighbours, silence_warnings=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                g = G_Local(y, w, transform="B", star=True, permutations=self.permutations,
                            seed=self.seed, keep_simulations=False)
            z = np.nan_to_num(np.asarray(g.Zs, dtype=float))
            p_sim = np.asarray(g.p_sim, dtype=float) if self.permutations else None
        p = 2 * norm.sf(np.abs(z))
        _, q, _, _ = multipletests(p, alpha=self.alpha, method="fdr_bh")
        table["gi_z"] = z
        table["p_value"] = p
        table["q_value"] = q
        if p_sim is not None:
            table["p_sim"] = p_sim
        table["significant"] = q <= self.alpha
        table["hotspot_class"] = _classes(z, q)
        significant_p = p[q <= self.alpha]
        return HotspotResults(
            table=table.sort_values("gi_z", ascending=False).reset_index(drop=True),
            n_cells=len(cells),
            alpha=self.alpha,
            fdr_threshold=float(significant_p.max()) if significant_p.size else 0.0,
            resolution=resolution,
        )


def _classes(z: np.ndarray, q: np.ndarray) -> np.ndarray:
    out = np.full(len(z), "not_significant", dtype=object)
    for level, cut in (("90", 0.10), ("95", 0.05), ("99", 0.01)):
        out[(q <= cut) & (z > 0)] = f"hot_{level}"
        out[(q <= cut) & (z < 0)] = f"cold_{level}"
    return out
