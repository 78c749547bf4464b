"""Dates as sources write them: full dates, months, years, with their precision."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import numpy as np
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


_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


def date_span(value: Any) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The days a date-like value may stand for: one day, a whole month or a whole year.

    A year alone (``"2023"``) is not 1 January: it spans the year; a month alone
    (``"2023-05"``, ``"May 2023"``) spans the month. Each value is parsed on its own, so a
    list mixing ISO 8601 and RFC 2822 (``"Mon, 20 Apr 2026 10:00:00 +0000"``) dates loses
    none of them; times are taken in UTC.

    Parameters
    ----------
    value : Any
        A timestamp, a date, a text date or None.

    Returns
    -------
    tuple
        ``(first, last)`` days (naive, midnight UTC); ``(None, None)`` when the value is
        empty or not a date.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None, None
    if isinstance(value, (datetime, pd.Timestamp, np.datetime64)):
        day = _utc_day(pd.Timestamp(value))
        return day, day
    text = str(value).strip()
    if not text:
        return None, None
    if _YEAR.match(text) or _MONTH.match(text):
        try:
            start, precision = parse_partial_date(text)
        except DateParseError:  # "2023-13"
            return None, None
    else:
        try:
            day = _utc_day(parse_timestamp(text))
            return day, day
        except DateParseError:
            start, precision = _free_text_date(text)
    if start is None:
        return None, None
    if precision == "year":
        return start, start + pd.DateOffset(years=1) - pd.Timedelta(days=1)
    if precision == "month":
        return start, start + pd.DateOffset(months=1) - pd.Timedelta(days=1)
    return start, start


def _utc_day(stamp: pd.Timestamp) -> pd.Timestamp:
    """The day (naive, midnight) of a timestamp in UTC (naive means UTC)."""
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize()


def _free_text_date(text: str) -> tuple[pd.Timestamp | None, str | None]:
    """A date in another format ("20 April 2026", "April 2026"), with the precision it was written to.

    Parsed twice with two different default dates: a field that changes with the default was
    not written (no day: month precision; no month: year precision; no year: not a date).
    """
    from dateutil import parser

    try:
        a, b = (parser.parse(text, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError, TypeError):
        return None, None
    if a.year != b.year:
        return None, None
    if a.month != b.month:
        return pd.Timestamp(a.year, 1, 1), "year"
    if a.day != b.day:
        return pd.Timestamp(a.year, a.month, 1), "month"
    return _utc_day(pd.Timestamp(a)), "day"
