"""Emerging hot spot analysis: :class:`EmergingHotspots` (Gi* per time step, Mann-Kendall
trend, ArcGIS classes) and its :class:`EmergingResults`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pandas as pd
from scipy.stats import norm

from workbench import catalog
from workbench.analyse.emerging.adjacency import country_adjacency
from workbench.analyse.emerging.cube import space_time_counts
from workbench.analyse.emerging.patterns import CLASSES, MIN_STEPS, classify_patterns, mann_kendall
from workbench.analyse.fdr import bh_qvalues
from workbench.analyse.getis_ord import check_resolution, gi_star_z, h3_neighbours, hotspot_classes, star_weights
from workbench.analyse.hexbin import cell_polygons
from workbench.analyse.series import FREQS

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass
class EmergingResults:
    """Results of :class:`EmergingHotspots`.

    Attributes
    ----------
    gi : pandas.DataFrame
        One row per place and time step: ``<place>, ds, count, gi_z, p_value, q_value``
        (q: Benjamini-Hochberg within the step), ``neighbourhood_count`` (incidents in
        the bin's neighbourhood), ``hot``, ``cold`` (significant at ``alpha``; hot also
        needs ``min_count`` and incidents of the place's own over the period),
        ``next_to_hotspot`` (a place with no incident of its own whose neighbourhood is
        significantly hot) and ``hotspot_class`` (``hot_99`` ... as in Gi* hot spot
        maps, with the same guards).
    table : pandas.DataFrame
        One row per place, most notable first: ``<place>, pattern`` (one of
        :data:`CLASSES`), ``trend_z, trend_p`` (Mann-Kendall on the Gi* z-scores),
        ``share_hot, share_cold, share_significant`` (shares of the steps),
        ``last_z, last_q, last_class`` (the final step), ``count`` (total),
        ``has_incidents`` and ``next_to_hotspot`` (no incident of its own, but a hot
        neighbourhood in some step: such a place is never given a hot pattern).
    patterns : pandas.DataFrame
        ``pattern, places``: how many places fall in each class (every class listed).
    space_col : str
        ``"h3_cell"`` or ``"country_iso3"`` (the place column).
    steps : pandas.DatetimeIndex
        The time steps, in order.
    alpha : float
        False discovery rate of the bins and significance level of the trend test.
    note : str
        Caveats (few steps, places without a polygon, nothing to test); empty otherwise.
    """

    gi: pd.DataFrame
    table: pd.DataFrame
    patterns: pd.DataFrame
    space_col: str
    steps: pd.DatetimeIndex
    alpha: float
    note: str = ""
    _geometries: Any = field(default=None, repr=False)

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """Return ``table`` with geometries: hexagons for H3 cells, polygons for countries.

        Returns
        -------
        geopandas.GeoDataFrame
            ``table`` plus geometry, EPSG:4326 (countries without a polygon are dropped).
        """
        import geopandas as gpd

        if self.space_col == "h3_cell":
            return cell_polygons(self.table["h3_cell"]).merge(self.table, on="h3_cell")
        polys = self._geometries
        if polys is None:
            polys = catalog.load("countries")
        polys = gpd.GeoDataFrame({self.space_col: polys["iso3"]}, geometry=polys.geometry.to_numpy(),
                                 crs=polys.crs).to_crs(4326)
        return polys.merge(self.table, on=self.space_col)


class EmergingHotspots:
    """Emerging hot spot analysis (Gi* per time step + Mann-Kendall trend + ArcGIS classes).

    Settings go to the constructor, the count cube to :meth:`fit`, which returns an
    :class:`EmergingResults`.

    Parameters
    ----------
    time_col : str
        Time-step column (dates).
    space_col : str
        ``"h3_cell"`` (H3 cells of one resolution, k-ring adjacency) or any other name
        for ISO3 country codes (Queen contiguity of the country polygons).
    count_col : str
        Value column.
    k_ring : int
        Neighbourhood radius: H3 cells within ``k_ring`` steps; for countries, neighbours
        up to ``k_ring`` borders away. Also the width of the ring of zero places added
        around the places of ``counts`` when ``study_area`` is not given.
    alpha : float
        False discovery rate of each step's bins, and significance level of the trend.
    countries : geopandas.GeoDataFrame, optional
        Country polygons with ``iso3`` (default ``catalog.load("countries")``); countries
        only.
    knn : int
        Nearest countries (by representative point, on the sphere) used as neighbours
        of a country that touches no other; countries only.
    min_count : float
        Sparse-data guard: a bin is a significant *hot* bin only when its neighbourhood
        holds at least this many incidents that step (a lone report is not a cluster,
        though in a nearly empty week its Gi* z can exceed 10). Set 0 for rates or
        other values that are not counts.

    Examples
    --------
    >>> cube = space_time_counts(incidents, freq="W-MON", resolution=5)  # doctest: +SKIP
    >>> res = EmergingHotspots().fit(cube)  # doctest: +SKIP
    >>> res.patterns  # doctest: +SKIP
    """

    def __init__(self, time_col: str = "ds", space_col: str = "h3_cell", count_col: str = "count",
                 k_ring: int = 1, alpha: float = 0.05, countries: Any = None, knn: int = 2,
                 min_count: float = 3) -> None:
        if int(k_ring) != k_ring or k_ring < 1:
            raise ValueError(f"k_ring must be a whole number >= 1, got {k_ring}")
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha}")
        if int(knn) != knn or knn < 1:
            raise ValueError(f"knn must be a whole number >= 1, got {knn}")
        if min_count < 0:
            raise ValueError(f"min_count must be >= 0, got {min_count}")
        self.time_col, self.space_col, self.count_col = time_col, space_col, count_col
        self.k_ring = int(k_ring)
        self.alpha = alpha
        self.study_area: list[str] | None = None  # the fit's, set by fit()
        self.countries = countries
        self.knn = int(knn)
        self.min_count = min_count

    # -- inputs ----------------------------------------------------------------------
    def _validated(self, counts: pd.DataFrame) -> pd.DataFrame:
        if counts is None or len(counts) == 0:
            raise ValueError("no counts in scope: nothing to test for emerging hot spots")
        missing = sorted({self.time_col, self.space_col, self.count_col} - set(counts.columns))
        if missing:
            raise ValueError(f"counts lacks column(s) {missing} (need {self.space_col}, {self.time_col}, "
                             f"{self.count_col})")
        frame = counts[[self.space_col, self.time_col, self.count_col]]
        values = pd.to_numeric(frame[self.count_col], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            value = frame[self.count_col].iloc[row]
            value = value.item() if hasattr(value, "item") else value
            raise ValueError(f"counts row {row} ({frame[self.space_col].iloc[row]}): field '{self.count_col}'="
                             f"{value!r}: expected a number >= 0")
        times = pd.to_datetime(frame[self.time_col], errors="coerce")
        if times.isna().any():
            row = int(np.flatnonzero(times.isna().to_numpy())[0])
            raise ValueError(f"counts row {row}: field '{self.time_col}'={frame[self.time_col].iloc[row]!r}: "
                             "expected a date")
        places = frame[self.space_col]
        bad = [v for v in places.unique() if not isinstance(v, str) or v == ""]  # checked once per place
        if bad:
            row = int(np.flatnonzero(places.isin(bad).to_numpy() | places.isna().to_numpy())[0])
            raise ValueError(f"counts row {row}: field '{self.space_col}'={places.iloc[row]!r}: expected a place id")
        return pd.DataFrame({"place": places.to_numpy(), "ds": times.to_numpy(), "y": values.to_numpy(float)})

    def _h3_area(self, observed: list[str]) -> tuple[list[str], Any, list[str]]:
        import h3

        for row, cell in enumerate(observed):
            if not h3.is_valid_cell(cell):
                raise ValueError(f"counts place {row}: field 'h3_cell'={cell!r}: expected a valid H3 cell")
        check_resolution(observed, self.study_area)
        cells = self._area(observed, lambda c: h3.grid_disk(c, self.k_ring))
        return cells, star_weights(h3_neighbours(cells, self.k_ring), len(cells)), []

    def _area(self, observed: list[str], around) -> list[str]:
        if self.study_area is not None:
            area = set(self.study_area)
            outside = sorted(set(observed) - area)
            if outside:
                raise ValueError(f"{len(outside)} place(s) of counts lie outside study_area, e.g. {outside[0]}")
            return sorted(area)
        area = set(observed)
        for p in observed:
            area.update(around(p))
        return sorted(area)

    def _country_area(self, observed: list[str]) -> tuple[list[str], Any, list[str]]:
        polys = self.countries
        if polys is None:
            polys = catalog.load("countries")
            self.countries = polys
        adjacency, iso = country_adjacency(polys, k_ring=self.k_ring, knn=self.knn)
        index = {c: i for i, c in enumerate(iso)}
        rows = adjacency.tolil().rows

        def around(place: str) -> list[str]:
            return [iso[j] for j in rows[index[place]]] if place in index else []

        places = self._area(observed, around)
        without = [p for p in places if p not in index]
        position = {p: i for i, p in enumerate(places)}
        neighbours = {i: [position[n] for n in around(p) if n in position] for i, p in enumerate(places)}
        return places, star_weights(neighbours, len(places)), without

    # -- model -----------------------------------------------------------------------
    def fit(self, counts: pd.DataFrame, study_area: Iterable[str] | None = None) -> EmergingResults:
        """Score every place at every step, test the trends and classify the places.

        Parameters
        ----------
        counts : pandas.DataFrame
            Long frame: one row per place and time step with ``space_col``,
            ``time_col`` and ``count_col`` (e.g. from :func:`space_time_counts`).
            Place-step pairs that are missing count 0; the time steps are the distinct
            values of ``time_col``, so pass a complete cube (:func:`space_time_counts`)
            to keep empty steps. Repeated pairs are summed. Values may be rates (any
            number >= 0), not only counts.
        study_area : iterable of str, optional
            The exact places analysed (others count 0); every place of ``counts`` must
            be in it. Default: the places of ``counts`` plus their ``k_ring``
            neighbours.

        Returns
        -------
        EmergingResults
            Per-bin Gi* results, one classified row per place, and class counts.

        Raises
        ------
        ValueError
            On bad values (the row and field are named), invalid or mixed-resolution
            cells, or places outside ``study_area``.
        """
        self.study_area = None if study_area is None else list(study_area)
        bins = self._score(self._validated(counts))
        trend_z, trend_p = mann_kendall(bins.z)
        pattern = classify_patterns(bins.hot, bins.cold, trend_z, trend_p, self.alpha)
        gi = self._bin_table(bins)
        table = self._place_table(bins, pattern, trend_z, trend_p, whole=gi["count"].dtype == np.int64)
        patterns = (table["pattern"].value_counts().reindex(list(CLASSES), fill_value=0)
                    .rename_axis("pattern").rename("places").reset_index())
        return EmergingResults(gi=gi, table=table, patterns=patterns, space_col=self.space_col, steps=bins.steps,
                               alpha=self.alpha, note=_note(bins),
                               _geometries=None if self.space_col == "h3_cell" else self.countries)

    def _score(self, frame: pd.DataFrame) -> _Bins:
        """Gi* of every place at every step, with the significant hot and cold bins."""
        observed = sorted(frame["place"].unique())
        if self.space_col == "h3_cell":
            places, weights, without = self._h3_area(observed)
        else:
            places, weights, without = self._country_area(observed)
        steps = pd.DatetimeIndex(sorted(frame["ds"].unique()))
        cube = (frame.pivot_table(index="place", columns="ds", values="y", aggfunc="sum")
                .reindex(index=places, columns=steps).fillna(0.0))
        y = cube.to_numpy(float)
        z = gi_star_z(y, weights)
        p = 2 * norm.sf(np.abs(z))
        q = bh_qvalues(p)
        significant = q <= self.alpha
        local = np.asarray(weights @ y)  # incidents in each bin's neighbourhood
        own = y.sum(axis=1, keepdims=True) > 0  # a place with no incident of its own is never a hot spot
        near = significant & (z > 0) & (local >= self.min_count) & ~own
        hot, cold = significant & (z > 0) & (local >= self.min_count) & own, significant & (z < 0)
        guarded = np.where((z > 0) & ((local < self.min_count) | ~own), 1.0, q)  # not a hot bin
        return _Bins(places, steps, without, y, z, p, q, local, significant, hot, cold, near, guarded)

    def _bin_table(self, bins: _Bins) -> pd.DataFrame:
        """One row per place and step (:attr:`EmergingResults.gi`)."""
        n_places, n_steps = bins.y.shape
        gi = pd.DataFrame({
            self.space_col: np.repeat(bins.places, n_steps),
            "ds": np.tile(bins.steps, n_places),
            "count": bins.y.ravel(),
            "gi_z": bins.z.ravel(), "p_value": bins.p.ravel(), "q_value": bins.q.ravel(),
            "neighbourhood_count": bins.local.ravel(),
            "hot": bins.hot.ravel(), "cold": bins.cold.ravel(), "next_to_hotspot": bins.near.ravel(),
        })
        gi["hotspot_class"] = hotspot_classes(bins.z.ravel(), bins.guarded.ravel())
        if np.allclose(bins.y, np.round(bins.y)):
            gi["count"] = gi["count"].astype(np.int64)
        return gi

    def _place_table(self, bins: _Bins, pattern: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray,
                     whole: bool) -> pd.DataFrame:
        """One classified row per place, most notable first (:attr:`EmergingResults.table`)."""
        y, z, q = bins.y, bins.z, bins.q
        table = pd.DataFrame({
            self.space_col: bins.places,
            "pattern": pattern,
            "trend_z": trend_z, "trend_p": trend_p,
            "share_hot": bins.hot.mean(axis=1), "share_cold": bins.cold.mean(axis=1),
            "share_significant": bins.significant.mean(axis=1),
            "last_z": z[:, -1], "last_q": q[:, -1],
            "last_class": hotspot_classes(z[:, -1], bins.guarded[:, -1]),
            "count": y.sum(axis=1),
            "has_incidents": y.sum(axis=1) > 0,
            "next_to_hotspot": bins.near.any(axis=1),
        })
        if whole:
            table["count"] = table["count"].round().astype(np.int64)
        rank = table["pattern"].map({c: i for i, c in enumerate(CLASSES)})
        return (table.assign(_rank=rank, _abs=-table["last_z"].abs())
                .sort_values(["_rank", "_abs", self.space_col]).drop(columns=["_rank", "_abs"])
                .reset_index(drop=True))


@dataclass
class _Bins:
    """The scored cube: places x steps arrays of one fit."""

    places: list[str]
    steps: pd.DatetimeIndex
    without: list[str]  # places without a country polygon (no neighbours)
    y: np.ndarray  # values
    z: np.ndarray  # Gi* z-scores
    p: np.ndarray
    q: np.ndarray  # Benjamini-Hochberg within each step
    local: np.ndarray  # incidents in each bin's neighbourhood
    significant: np.ndarray
    hot: np.ndarray
    cold: np.ndarray
    near: np.ndarray  # hot neighbourhood of a place with no incident of its own
    guarded: np.ndarray  # q, or 1 where the sparse-data guard says "not a hot bin"


def _note(bins: _Bins) -> str:
    """The caveats of a fit: few steps, nothing to test, places without a polygon."""
    n_steps = bins.y.shape[1]
    notes = []
    if n_steps < MIN_STEPS:
        notes.append(f"only {n_steps} time step(s): ArcGIS advises at least {MIN_STEPS}; trend classes are weak")
    if np.count_nonzero(bins.y.sum(axis=1)) < 2:
        notes.append("fewer than two places hold incidents: no cluster to test")
    if bins.without:
        notes.append(f"{len(bins.without)} place(s) without a country polygon have no neighbours, "
                     f"e.g. {bins.without[0]}")
    return "; ".join(notes)


def recent_emerging(incidents: pd.DataFrame, resolution: int = 5, steps: int = 12, freq: str = "MS",
                    end: str | pd.Timestamp | None = None, k_ring: int = 1, alpha: float = 0.05,
                    min_count: float = 3) -> EmergingResults | None:
    """Emerging hot spots of H3 cells over the last ``steps`` periods (a report's one-liner).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Scoped store incidents.
    resolution : int
        H3 resolution (use the audience's: the classes are drawn per cell).
    steps : int
        Number of time steps, ending with the period holding ``end``.
    freq : str
        ``"MS"`` (months) or ``"W-MON"`` (weeks). Weeks need many incidents: with a few
        thousand a year spread over hundreds of cells, weekly neighbourhoods rarely hold
        ``min_count`` incidents and almost nothing can be called.
    end : str or Timestamp, optional
        Last day (default: the latest dated incident).
    k_ring, alpha, min_count
        As in :class:`EmergingHotspots`.

    Returns
    -------
    EmergingResults or None
        None when no dated, located incident falls in the window (nothing to analyse).

    Raises
    ------
    ValueError
        On fewer than two steps or an unsupported ``freq``.
    """
    if int(steps) != steps or steps < 2:
        raise ValueError(f"steps must be a whole number >= 2, got {steps}")
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, got {freq!r}")
    dated = pd.to_datetime(incidents["occurred_on"]).dropna() if "occurred_on" in incidents else pd.Series([])
    last = pd.Timestamp(end) if end else (dated.max() if len(dated) else None)
    if last is None or pd.isna(last):
        return None
    last_period = last.to_period(FREQS[freq])
    first = (last_period - (int(steps) - 1)).start_time
    cube = space_time_counts(incidents, freq=freq, resolution=resolution, start=first, end=last_period.start_time)
    if cube.empty or cube["count"].sum() == 0:
        return None
    return EmergingHotspots(k_ring=k_ring, alpha=alpha, min_count=min_count).fit(cube)
