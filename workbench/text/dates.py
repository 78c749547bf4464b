"""Dates as sources write them: full dates, months, years, with their precision."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pandas as pd

from workbench.exceptions import DateParseError

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
#: A full ISO 8601 date, optionally with a time and offset; nothing before or after it.
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?\s?(Z|UTC|[+-]\d{2}(:?\d{2})?)?)?$")
#: An RFC 2822 date as feeds write it (``Mon, 20 Apr 2026 10:00:00 +0000``).
_RFC2822 = re.compile(r"^([A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(:\d{2})?\s+"
                      r"([+-]\d{4}|[A-Z]{1,4})$")


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
        if not _ISO.match(text):  # no trailing text after the date ("2026-04-20; DROP TABLE")
            raise ValueError("not ISO 8601")
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
    if isinstance(value, bool) or not isinstance(value, (str, datetime, pd.Timestamp)):
        raise DateParseError(f"{text[:40]!r} is not a timestamp (ISO 8601 text expected, got "
                             f"{type(value).__name__})")
    try:
        if fmt:
            stamp = pd.Timestamp(datetime.strptime(text, fmt))
        elif isinstance(value, (datetime, pd.Timestamp)):
            stamp = pd.Timestamp(value)
        elif _ISO.match(text):
            stamp = pd.Timestamp(text.replace("UTC", "Z").replace(" Z", "Z"))
        elif _RFC2822.match(text):
            from email.utils import parsedate_to_datetime

            stamp = pd.Timestamp(parsedate_to_datetime(text))
        else:  # "now", "today", epoch numbers, trailing text: never guessed
            raise ValueError("not ISO 8601")
    except (ValueError, OverflowError, TypeError) as exc:
        raise DateParseError(f"{text!r} is not a timestamp ({fmt or 'ISO 8601'})") from exc
    if pd.isna(stamp):
        raise DateParseError(f"{text!r} is not a timestamp")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
