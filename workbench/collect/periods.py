"""Periods as catalogs and published tables give them: a year, a quarter, a month, a day."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from workbench.exceptions import PeriodError

_PATTERNS = (
    (re.compile(r"^(\d{4})(?:\.0)?$"), "year"),
    (re.compile(r"^(\d{4})[- ]?[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^[Qq]([1-4])[- ]?(\d{4})$"), "quarter_first"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"), "day"),
)


def parse_period(value: Any) -> tuple[pd.Timestamp | None, str | None]:
    """Parse a period: ``2019``, ``2019-Q3``/``2019Q3``/``Q3 2019``, ``2019-05``, ``2019-05-12``.

    Parameters
    ----------
    value : Any
        The period; empty means unknown.

    Returns
    -------
    tuple
        ``(first day of the period, precision)`` with precision ``year``, ``quarter``,
        ``month`` or ``day``; ``(None, None)`` when empty.

    Raises
    ------
    PeriodError
        When the value is none of those forms.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None, None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return pd.Timestamp(value.year, value.month, value.day), "day"
    text = str(value).strip()
    if not text:
        return None, None
    try:
        for pattern, kind in _PATTERNS:
            m = pattern.match(text)
            if not m:
                continue
            if kind == "year":
                return pd.Timestamp(int(m.group(1)), 1, 1), "year"
            if kind == "quarter":
                return pd.Timestamp(int(m.group(1)), 3 * int(m.group(2)) - 2, 1), "quarter"
            if kind == "quarter_first":
                return pd.Timestamp(int(m.group(2)), 3 * int(m.group(1)) - 2, 1), "quarter"
            if kind == "month":
                return pd.Timestamp(int(m.group(1)), int(m.group(2)), 1), "month"
            return pd.Timestamp(int(m.group(1)), int(m.group(2)), int(m.group(3))), "day"
    except ValueError as exc:
        raise PeriodError(f"{text[:40]!r} is not a valid period ({exc})") from exc
    raise PeriodError(f"{text[:40]!r} is not a period (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD)")


def period_end(start: pd.Timestamp, precision: str) -> pd.Timestamp:
    """Return the last day of the period that starts at ``start``.

    Parameters
    ----------
    start : pandas.Timestamp
        First day of the period.
    precision : str
        ``year``, ``quarter``, ``month`` or ``day``.

    Returns
    -------
    pandas.Timestamp
        The period's last day.
    """
    offsets = {"year": pd.DateOffset(years=1), "quarter": pd.DateOffset(months=3),
               "month": pd.DateOffset(months=1), "day": pd.DateOffset(days=1)}
    return start + offsets[precision] - pd.Timedelta(days=1)


def year_in_name(name: str) -> int | None:
    """Return the one four-digit year (1990-2099) in a file name, if exactly one.

    Parameters
    ----------
    name : str
        e.g. ``"tip_flows_2019.txt"``.

    Returns
    -------
    int or None
        The year, or None when there is none or several.
    """
    years = set(re.findall(r"(?<!\d)(19[9]\d|20\d\d)(?!\d)", name))
    return int(years.pop()) if len(years) == 1 else None
