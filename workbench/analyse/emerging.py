"""Emerging hot spots: how Gi* hot and cold spots change over time (space-time pattern).

Follows ArcGIS Pro's *Emerging Hot Spot Analysis*. Each place (an H3 cell or a
country) is scored with the Getis-Ord Gi* statistic at every time step, against that
step's own mean and variance (binary weights, focal place included, as in
:mod:`workbench.analyse.getis_ord`: H3 cells within ``k_ring`` steps; countries that
share a border or a corner, Queen contiguity, with the ``knn`` nearest countries standing
in as neighbours of a country that touches none, e.g. an island). p-values are two-sided
under normality and adjusted with Benjamini-Hochberg across the places of each time step
(q-values): a bin is a *significant hot* bin when q <= ``alpha`` and z > 0, *cold* when
q <= ``alpha`` and z < 0. The trend of each place's series of Gi* z-scores is tested
with the Mann-Kendall test (S statistic, normal approximation with the variance
corrected for ties and a continuity correction of 1, two-sided, significant at
``alpha``; ties matter because a step with no incidents scores z = 0 everywhere).

Pattern classes (ArcGIS's definitions; ``n`` time steps; "90%" means at least 90% of
the steps). The final time step decides the family: a place significant hot in the final
step gets a hot class, significant cold a cold class. For a place hot in the final step:

- **intensifying hot spot**: hot in at least 90% of the steps, and its Gi* z-scores
  trend significantly upwards (clustering of high counts grows stronger);
- **diminishing hot spot**: hot in at least 90% of the steps, with a significant
  downward trend;
- **persistent hot spot**: hot in at least 90% of the steps, with no significant trend;
- **oscillating hot spot**: hot in fewer than 90% of the steps and significantly *cold*
  in at least one earlier step;
- **new hot spot**: hot in the final step only (never significant hot before, never
  cold before);
- **consecutive hot spot**: a single uninterrupted run of at least two hot steps that
  ends with the final step, never hot before the run, never cold, fewer than 90% hot;
- **sporadic hot spot**: otherwise, i.e. hot now and on-and-off hot before, fewer than
  90% of the steps hot, never cold.

A place *not* significant in the final step is a **historical hot spot** when it was hot
in at least 90% of the steps (the clustering is in the past). Cold classes mirror these
with hot and cold swapped; an *intensifying* cold spot has z-scores trending
significantly downwards (ever colder), a *diminishing* one upwards. Anything else is
**no pattern detected**.

Precedence where ArcGIS's wording lets two definitions overlap (documented choices):
the 90% rules come first; ArcGIS's persistent hot spot does not mention the final step,
but here it requires it (as intensifying and diminishing do) so that it is disjoint from
historical, whose definition is exactly "at least 90% hot, final step not hot"; a place
that was ever significantly cold before becoming hot is *oscillating* even when its hot
steps would also read as new or consecutive (ArcGIS's sporadic class explicitly excludes
cold steps, and the cold history is the more telling fact).

Sparse-data guard (not in ArcGIS): a significant hot bin must also hold at least
``min_count`` incidents in its neighbourhood (default 3). In a week with a handful of
incidents over thousands of cells, one incident alone makes its neighbourhood
"significant" (z above 10), and such noise would otherwise fill the map with new and
sporadic hot spots.

Differences from ArcGIS: the neighbourhood is spatial only (no neighbourhood time step)
and each time step is compared with its own slice rather than the whole cube, so a
region-wide rise in reporting does not make every place hot. ArcGIS advises at least 10
time steps; with fewer, ``note`` says so. The calibration caveats of
:mod:`workbench.analyse.getis_ord` apply per step: with very sparse counts (well under a
few incidents per place and step) the normal approximation is anti-conservative, so
prefer coarser cells or longer steps (months rather than weeks).

The computation is vectorised: one sparse weights matrix times the places x steps count
matrix gives every step's Gi* at once; the Mann-Kendall S sums lagged sign differences
over all places at once (under a second for 3,000 cells x 52 weeks).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd

from workbench import catalog
from workbench.analyse.fdr import bh_qvalues
from workbench.analyse.getis_ord import check_resolution, gi_star_z, h3_neighbours, hotspot_classes, star_weights
from workbench.analyse.hexbin import cell_polygons, hex_counts
from workbench.analyse.series import FREQS, placeable

#: ArcGIS's eight pattern names, each with a hot and a cold variant.
PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating",
            "historical")
#: Every class a place can get, hot first, then cold, then "no pattern detected".
NO_PATTERN = "no pattern detected"
CLASSES = tuple(f"{p} hot spot" for p in PATTERNS) + tuple(f"{p} cold spot" for p in PATTERNS) + (NO_PATTERN,)
#: Share of steps that makes a place a persistent / intensifying / diminishing / historical spot.
MOSTLY = 0.9
#: ArcGIS's advice: fewer steps than this make the trend test weak.
MIN_STEPS = 10


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

    def to_geodataframe(self):  # -> geopandas.GeoDataFrame
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
        from scipy.stats import norm

        self.study_area = None if study_area is None else list(study_area)
        frame = self._validated(counts)
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
        trend_z, trend_p = mann_kendall(z)
        pattern = classify_patterns(hot, cold, trend_z, trend_p, self.alpha)

        n_places, n_steps = y.shape
        notes = []
        if n_steps < MIN_STEPS:
            notes.append(f"only {n_steps} time step(s): ArcGIS advises at least {MIN_STEPS}; trend classes are weak")
        if np.count_nonzero(y.sum(axis=1)) < 2:
            notes.append("fewer than two places hold incidents: no cluster to test")
        if without:
            notes.append(f"{len(without)} place(s) without a country polygon have no neighbours, e.g. {without[0]}")
        gi = pd.DataFrame({
            self.space_col: np.repeat(places, n_steps),
            "ds": np.tile(steps, n_places),
            "count": y.ravel(),
            "gi_z": z.ravel(), "p_value": p.ravel(), "q_value": q.ravel(),
            "neighbourhood_count": local.ravel(),
            "hot": hot.ravel(), "cold": cold.ravel(), "next_to_hotspot": near.ravel(),
        })
        guarded = np.where((z > 0) & ((local < self.min_count) | ~own), 1.0, q)  # not a hot bin
        gi["hotspot_class"] = hotspot_classes(z.ravel(), guarded.ravel())
        if np.allclose(y, np.round(y)):
            gi["count"] = gi["count"].astype(np.int64)
        table = pd.DataFrame({
            self.space_col: places,
            "pattern": pattern,
            "trend_z": trend_z, "trend_p": trend_p,
            "share_hot": hot.mean(axis=1), "share_cold": cold.mean(axis=1),
            "share_significant": significant.mean(axis=1),
            "last_z": z[:, -1], "last_q": q[:, -1],
            "last_class": hotspot_classes(z[:, -1], guarded[:, -1]),
            "count": y.sum(axis=1),
            "has_incidents": y.sum(axis=1) > 0,
            "next_to_hotspot": near.any(axis=1),
        })
        if gi["count"].dtype == np.int64:
            table["count"] = table["count"].round().astype(np.int64)
        rank = table["pattern"].map({c: i for i, c in enumerate(CLASSES)})
        table = (table.assign(_rank=rank, _abs=-table["last_z"].abs())
                 .sort_values(["_rank", "_abs", self.space_col]).drop(columns=["_rank", "_abs"])
                 .reset_index(drop=True))
        patterns = (table["pattern"].value_counts().reindex(list(CLASSES), fill_value=0)
                    .rename_axis("pattern").rename("places").reset_index())
        return EmergingResults(gi=gi, table=table, patterns=patterns, space_col=self.space_col, steps=steps,
                               alpha=self.alpha, note="; ".join(notes),
                               _geometries=None if self.space_col == "h3_cell" else self.countries)


# -- building blocks ------------------------------------------------------------------
def mann_kendall(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mann-Kendall trend test of each row of a matrix (a series per row, in time order).

    S is the sum of ``sign(x_j - x_i)`` over all pairs ``i < j``. Its variance under no
    trend is ``(n(n-1)(2n+5) - sum_t t(t-1)(2t+5)) / 18`` where ``t`` runs over the sizes
    of groups of tied values (values equal to 9 decimals count as tied); the z-score is
    ``(S - sign(S)) / sqrt(var)`` (continuity correction) and p is two-sided normal.

    Parameters
    ----------
    x : numpy.ndarray
        ``places x steps`` (or one series as a vector).

    Returns
    -------
    tuple of numpy.ndarray
        ``(z, p)`` per row; z = 0 and p = 1 for a series that cannot trend (fewer than
        two steps, or all values tied).
    """
    from scipy.stats import norm

    x = np.round(np.atleast_2d(np.asarray(x, dtype=float)), 9)
    rows, n = x.shape
    s = np.zeros(rows)
    for lag in range(1, n):
        s += np.sign(x[:, lag:] - x[:, :-lag]).sum(axis=1)
    ordered = np.sort(x, axis=1)
    starts = np.ones_like(ordered, dtype=bool)
    starts[:, 1:] = np.diff(ordered, axis=1) != 0
    group = np.cumsum(starts, axis=1) - 1
    sizes = np.bincount((np.arange(rows)[:, None] * n + group).ravel(), minlength=rows * n).reshape(rows, n)
    ties = (sizes * (sizes - 1) * (2 * sizes + 5)).sum(axis=1)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(var), 0.0)
    return z, 2 * norm.sf(np.abs(z))


def classify_patterns(hot: np.ndarray, cold: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray,
                      alpha: float = 0.05) -> np.ndarray:
    """Emerging hot spot class of each place from its significant bins and trend.

    The rules are those of the module docstring (ArcGIS's definitions, with the stated
    precedence).

    Parameters
    ----------
    hot, cold : numpy.ndarray
        ``places x steps`` booleans: significant hot / cold bins (never both).
    trend_z, trend_p : numpy.ndarray
        Mann-Kendall z and p of each place's Gi* z-scores.
    alpha : float
        Significance level of the trend.

    Returns
    -------
    numpy.ndarray
        One of :data:`CLASSES` per place.
    """
    hot, cold = np.atleast_2d(hot).astype(bool), np.atleast_2d(cold).astype(bool)
    n = hot.shape[1]
    out = np.full(hot.shape[0], NO_PATTERN, dtype=object)
    up = (trend_p <= alpha) & (trend_z > 0)
    down = (trend_p <= alpha) & (trend_z < 0)
    for kind, this, other, stronger, weaker in (("hot", hot, cold, up, down), ("cold", cold, hot, down, up)):
        count = this.sum(axis=1)
        mostly = count >= MOSTLY * n - 1e-9
        final = this[:, -1]
        reverse = this[:, ::-1]
        run = np.where(reverse.all(axis=1), n, np.argmin(reverse, axis=1))  # trailing run length
        other_before = other[:, :-1].any(axis=1)
        rules = [
            (final & mostly & stronger, "intensifying"),
            (final & mostly & weaker, "diminishing"),
            (final & mostly, "persistent"),
            (final & other_before, "oscillating"),
            (final & (count == 1), "new"),
            (final & (count == run) & (run >= 2), "consecutive"),
            (final, "sporadic"),
            (~final & ~other[:, -1] & mostly, "historical"),
        ]
        done = np.zeros(len(out), dtype=bool)
        for mask, name in rules:
            take = mask & ~done
            out[take] = f"{name} {kind} spot"
            done |= take
    return out


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


def space_time_counts(incidents: pd.DataFrame, freq: str = "W-MON", resolution: int | None = 5,
                      by: str | None = None, start: str | pd.Timestamp | None = None,
                      end: str | pd.Timestamp | None = None, places: Iterable[str] | None = None) -> pd.DataFrame:
    """The complete place x time-step count cube (zeros included), as a long frame.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents with ``occurred_on`` and a location (``h3_cell`` or ``lat``/``lon``
        for cells; the ``by`` column for countries). Undated rows are left out.
    freq : str
        ``"W-MON"`` (weeks from Monday), ``"MS"`` (months), ``"QS"`` (quarters) or
        ``"YS"`` (years: the cube for yearly data), as in
        :func:`workbench.analyse.series.incident_series`. Records dated less precisely
        than ``freq`` are left out (``attrs["too_coarse"]``): a year-only record is never
        put in a month.
    resolution : int, optional
        H3 resolution of the cells (when ``by`` is None).
    by : str, optional
        A place column instead of cells, e.g. ``"country_iso3"``.
    start, end : str or Timestamp, optional
        Inclusive range, snapped to the periods holding the dates (default: first and last
        dated incident); incidents outside are left out.
    places : iterable of str, optional
        Places always included (with zeros), e.g. the countries in scope.

    Returns
    -------
    pandas.DataFrame
        ``<place>, ds, count`` (``<place>`` is ``h3_cell`` or ``by``), every place on every
        step, sorted by place and step. ``attrs``: ``freq``, ``resolution`` (cells) and
        ``unlocated`` (dated incidents in range without a place).

    Raises
    ------
    ValueError
        On an unsupported ``freq`` or missing columns.
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, got {freq!r}")
    col = "h3_cell" if by is None else by
    if "occurred_on" not in incidents.columns:
        raise ValueError("incidents lack column 'occurred_on' needed for time steps")
    if by is not None and by not in incidents.columns:
        raise ValueError(f"incidents lack column {by!r} to count by")
    dated = placeable(incidents, freq, "drop")  # a year-only record is never put in a month or week
    too_coarse = dated.attrs.get("too_coarse", 0)
    ds = pd.to_datetime(dated["occurred_on"]).dt.to_period(FREQS[freq]).dt.start_time
    lo = pd.Timestamp(start).to_period(FREQS[freq]).start_time if start else ds.min()
    hi = pd.Timestamp(end).to_period(FREQS[freq]).start_time if end else ds.max()
    empty = pd.DataFrame({col: pd.Series(dtype=object), "ds": pd.Series(dtype="datetime64[ns]"),
                          "count": pd.Series(dtype=np.int64)})
    empty.attrs.update(freq=freq, unlocated=0, **({"resolution": resolution} if by is None else {}))
    if pd.isna(lo) or pd.isna(hi):
        return empty
    grid = pd.period_range(lo, hi, freq=FREQS[freq]).start_time
    keep = ds.between(grid.min(), grid.max()) if len(grid) else ds.isna()
    dated, ds = dated[keep], ds[keep]
    unlocated = 0
    if by is None:
        parts = []
        for step, group in dated.groupby(ds):
            counted = hex_counts(group, resolution=resolution)
            unlocated += counted.attrs["unlocated"]
            parts.append(counted.assign(ds=step))
        long = pd.concat(parts, ignore_index=True) if parts else empty
    else:
        located = dated[dated[by].notna()]
        unlocated = len(dated) - len(located)
        long = located.groupby([located[by], ds[located.index].rename("ds")]).size().rename("count").reset_index()
    everyone = sorted(set(long[col]) | set(places or ()))
    if not everyone:
        empty.attrs["unlocated"] = int(unlocated)
        return empty
    wide = (long.pivot_table(index=col, columns="ds", values="count", aggfunc="sum")
            .reindex(index=everyone, columns=grid).fillna(0))
    out = pd.DataFrame({col: np.repeat(everyone, len(grid)), "ds": np.tile(grid, len(everyone)),
                        "count": wide.to_numpy().ravel().astype(np.int64)})
    out.attrs.update(freq=freq, unlocated=int(unlocated), too_coarse=int(too_coarse),
                     **({"resolution": resolution} if by is None else {}))
    return out


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
