"""Dates as sources write them: full dates, months, years, with their precision."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pandas as pd

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class DateParseError(ValueError):
    """Raised when a value is not a date in any accepted form."""


def parse_partial_date(value: Any, fmt: str | None = None) -> tuple[pd.Timestamp | None, str | None]:
    """Parse a date that may be given only to the month or year.

    Parameters
    ----------
    value : Any
        ``"2024-05-12"``, ``"2024-05"``, ``"2024"``, or a date in ``fmt``; empty means
        unknown.
    fmt : str, optional
        A strptime format for full dates (e.g. ``"%d/%m/%Y"``); ISO 8601 when omitted.

    Returns
    -------
    tuple
        ``(timestamp, precision)`` with precision ``day``, ``month`` or ``year``; the
        timestamp is the first day of the period. ``(None, None)`` when empty.

    Raises
    ------
    DateParseError
        When the value is not empty and not a valid date.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None, None
    text = str(value).strip()
    if not text:
        return None, None
    try:
        if m := _YEAR.match(text):
            return pd.Timestamp(int(m.group(1)), 1, 1), "year"
        if m := _MONTH.match(text):
            return pd.Timestamp(int(m.group(1)), int(m.group(2)), 1), "month"
        if fmt:
            return pd.Timestamp(datetime.strptime(text, fmt)), "day"
        stamp = pd.Timestamp(datetime.fromisoformat(text[:10]))
        return stamp, "day"
    except (ValueError, OverflowError) as exc:
        raise DateParseError(f"{text!r} is not a date ({fmt or 'ISO 8601 YYYY[-MM[-DD]]'})") from exc


def parse_timestamp(value: Any, fmt: str | None = None) -> pd.Timestamp:
    """Parse a report timestamp to UTC.

    Parameters
    ----------
    value : Any
        ISO 8601 timestamp (naive means UTC) or a date in ``fmt``.
    fmt : str, optional
        strptime format.

    Returns
    -------
    pandas.Timestamp
        Timezone-aware, UTC.

    Raises
    ------
    DateParseError
        When the value is empty or not a timestamp.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip():
        raise DateParseError("missing timestamp")
    text = str(value).strip()
    try:
        stamp = pd.Timestamp(datetime.strptime(text, fmt)) if fmt else pd.Timestamp(text)
    except (ValueError, OverflowError) as exc:
        raise DateParseError(f"{text!r} is not a timestamp ({fmt or 'ISO 8601'})") from exc
    if pd.isna(stamp):
        raise DateParseError(f"{text!r} is not a timestamp")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
