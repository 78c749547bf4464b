"""Candidates into the store's dtypes, strictly: text that is not a date or a number is not one."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from workbench.exceptions import SchemaError
from workbench.schema.columns import COLUMNS, LIST_COLUMNS

def coerce_incidents(frame: pd.DataFrame, arrow: bool = False) -> pd.DataFrame:
    """Put a candidate frame into the store's column order and dtypes.

    Missing optional columns are added empty; list columns become lists. Columns that
    already have their canonical dtype are taken as they are (no per-value work), so a
    frame that is already canonical is coerced in a fraction of a second per million rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        Candidate incidents.
    arrow : bool
        Keep text and lists held by Arrow (``string[pyarrow]``, Arrow lists of text) as
        they are, as the bulk collector does from file to store; by default they become
        Python-held (``string``, lists), the dtypes :func:`incident_schema` names.

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
        columns[name] = (_coerce_column(name, frame[name], arrow) if name in frame.columns
                         else pd.Series(None, index=frame.index, dtype=dtype))
    return pd.DataFrame(columns, index=frame.index, copy=False)


def is_canonical(name: str, col: pd.Series, arrow: bool = False) -> bool:
    """Whether a column already has its store dtype (taken as it is by :func:`coerce_incidents`).

    With ``arrow``, text may also be held by Arrow (``string[pyarrow]``, as the bulk
    collector reads files) and list columns be Arrow lists of text.

    Parameters
    ----------
    name : str
        A column of :data:`COLUMNS`.
    col : pandas.Series
        Its values.
    arrow : bool
        Whether Arrow-held text and lists count as canonical.

    Returns
    -------
    bool
        True when no conversion is needed.
    """
    dtype = COLUMNS[name][0]
    if name in LIST_COLUMNS:
        return arrow and arrow_text_list(col) is not None
    if dtype == "string":
        return (isinstance(col.dtype, pd.StringDtype) and col.dtype.na_value is pd.NA
                and (arrow or col.dtype.storage == "python"))
    return col.dtype == pd.api.types.pandas_dtype(dtype)


def _coerce_column(name: str, col: pd.Series, arrow: bool = False) -> pd.Series:
    """One column in its canonical dtype (see :func:`coerce_incidents`)."""
    dtype = COLUMNS[name][0]
    try:
        if name in LIST_COLUMNS:
            lists = _arrow_code_lists(col) if arrow else None
            return (pd.Series(_list_values(col), index=col.index, dtype=object) if lists is None
                    else pd.Series(pd.arrays.ArrowExtensionArray(lists), index=col.index))
        if is_canonical(name, col, arrow):
            return col.copy()
        if dtype.startswith("datetime64"):
            return _strict_datetimes(col, utc=dtype.startswith("datetime64[ns, UTC]")).astype(dtype)
        if dtype == "float64":
            return _strict_numbers(col).astype("float64")
        if dtype == "Int64":
            number = _strict_numbers(col)
            whole = number.isna() | (number == number.round())
            return number.where(whole).astype("Float64").astype("Int64")
        return col.astype(pd.StringDtype("python"))
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

