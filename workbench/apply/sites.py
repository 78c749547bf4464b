"""Supplier sites: checked and located (coordinates, or city and country), one company at a time.

Used by :class:`workbench.apply.supply_chain.SupplyChainRisk`; bad rows are refused with
their record and field.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.places.gazetteer import country_to_iso3, nearest_cities, resolve_city
from workbench.taxonomy import load_taxonomy

__all__ = ["company_sites", "validate_sites"]


def _record_name(frame: pd.DataFrame, i: int) -> str:
    name = frame["name"].iloc[i] if "name" in frame.columns else None
    return f"record {i} ({name!r})" if isinstance(name, str) and name.strip() else f"record {i}"


def validate_sites(sites: pd.DataFrame) -> pd.DataFrame:
    """Check supplier sites and locate them (coordinates, or city and country).

    Parameters
    ----------
    sites : pandas.DataFrame
        ``name, product, sector`` and either ``lat, lon`` or ``city, country`` per row
        (a row may use either; ``country`` is a name, ISO2 or ISO3 code). ``sector`` is a
        code of our taxonomy's ``sectors``.

    Returns
    -------
    pandas.DataFrame
        ``site_id, name, product, sector, country_iso3, lat, lon, location_source``
        (``given`` or ``city``).

    Raises
    ------
    ValueError
        Naming the record and field: a missing column, an empty name, a sector not in our
        taxonomy, coordinates out of range, or a city the gazetteer cannot find.
    """
    if sites is None or len(sites) == 0:
        raise ValueError("no supplier sites given")
    missing = [c for c in ("name", "product", "sector") if c not in sites.columns]
    if missing:
        raise ValueError(f"supplier sites lack column(s) {missing}; they have {list(sites.columns)}")
    has_xy = {"lat", "lon"} <= set(sites.columns)
    has_city = "city" in sites.columns
    if not has_xy and not has_city:
        raise ValueError("supplier sites need lat and lon columns, or city and country columns")
    sectors = load_taxonomy().codes("sectors")
    frame = sites.reset_index(drop=True)
    rows = []
    for i in range(len(frame)):
        rec = _record_name(frame, i)
        name = frame["name"].iloc[i]
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{rec}: field 'name'={name!r}: expected a non-empty site name")
        sector = frame["sector"].iloc[i]
        if not isinstance(sector, str) or sector.strip() not in sectors:
            raise ValueError(f"{rec}: field 'sector'={sector!r}: expected one of our sector codes {sectors}")
        lat = pd.to_numeric(frame["lat"].iloc[i], errors="coerce") if has_xy else np.nan
        lon = pd.to_numeric(frame["lon"].iloc[i], errors="coerce") if has_xy else np.nan
        country_raw = frame["country"].iloc[i] if "country" in frame.columns else None
        iso3 = country_to_iso3(country_raw)
        if country_raw is not None and not pd.isna(country_raw) and str(country_raw).strip() and iso3 is None:
            raise ValueError(f"{rec}: field 'country'={country_raw!r}: expected a country name, ISO2 or ISO3 code")
        if pd.notna(lat) and pd.notna(lon):
            if not (-90 <= lat <= 90):
                raise ValueError(f"{rec}: field 'lat'={float(lat)!r}: expected a latitude in [-90, 90]")
            if not (-180 <= lon <= 180):
                raise ValueError(f"{rec}: field 'lon'={float(lon)!r}: expected a longitude in [-180, 180]")
            source = "given"  # a missing country is filled below, for all such sites at once
        else:
            city = frame["city"].iloc[i] if has_city else None
            if city is None or pd.isna(city) or not str(city).strip():
                raise ValueError(f"{rec}: field 'city'={city!r}: expected a city (with its country) "
                                 "when lat/lon are not given")
            hit = resolve_city(str(city), iso3)
            if hit is None:
                where = f" in country {iso3!r}" if iso3 else ""
                raise ValueError(f"{rec}: field 'city'={city!r}: not found in the gazetteer{where}")
            lat, lon, iso3, source = hit["lat"], hit["lon"], iso3 or hit["country_iso3"], "city"
        product = frame["product"].iloc[i]
        rows.append({"site_id": i, "name": name.strip(), "product": "" if pd.isna(product) else str(product),
                     "sector": sector.strip(), "country_iso3": iso3, "lat": float(lat), "lon": float(lon),
                     "location_source": source})
    out = pd.DataFrame(rows)
    todo = out["country_iso3"].isna().to_numpy()
    if todo.any():
        out.loc[todo, "country_iso3"] = nearest_cities(out.loc[todo, "lat"].to_numpy(float),
                                                       out.loc[todo, "lon"].to_numpy(float))["country_iso3"].to_numpy()
    return out


def company_sites(sites: pd.DataFrame, company: str) -> pd.DataFrame:
    """Keep one company's supplier sites.

    Parameters
    ----------
    sites : pandas.DataFrame
        Supplier sites, with a ``company`` column when the file holds several companies.
    company : str
        The company (an empty string keeps every site).

    Returns
    -------
    pandas.DataFrame
        Its sites.

    Raises
    ------
    ValueError
        When the company has no sites (the known companies are listed).
    """
    if not company or "company" not in sites.columns:
        return sites.reset_index(drop=True)
    keep = sites[sites["company"] == company]
    if keep.empty:
        known = sorted(sites["company"].dropna().unique())
        raise ValueError(f"company {company!r} has no supplier sites; known: {known}")
    return keep.reset_index(drop=True)
