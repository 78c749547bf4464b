"""Published aggregate counts (the store's ``aggregates`` table) for reports.

Aggregates (e.g. UNODC GLOTIP victims per country x year x sex x age x form) are other
organisations' published counts, not our incidents, and are shown beside them, never
added to them. A censored value is an interval (``<5`` is 1-4) and is shown as one.
"""

from __future__ import annotations

import math

import pandas as pd


def format_interval(lower: float, upper: float) -> str:
    """Show a published value: ``2,315``, ``1-4`` (censored), ``101+``, or ``not given``.

    Parameters
    ----------
    lower, upper : float
        The interval (equal for an exact value; NaN when not given / open).

    Returns
    -------
    str
        The value as text.
    """
    if lower is None or (isinstance(lower, float) and math.isnan(lower)):
        return "not given"
    if upper is None or (isinstance(upper, float) and math.isnan(upper)):
        return f"{int(lower):,}+"
    if lower == upper:
        return f"{int(lower):,}"
    return f"{int(lower):,}-{int(upper):,}"


def published_counts(aggregates: pd.DataFrame, countries: list[str] | None = None, start: str = "",
                     end: str = "", sources: list[str] | None = None, k: int | None = None,
                     totals_only: bool = False) -> pd.DataFrame:
    """A table of published counts in a report's scope.

    Parameters
    ----------
    aggregates : pandas.DataFrame
        The store's aggregates (``catalog.load("aggregates")``).
    countries : list of str, optional
        ISO3 codes in scope (None: all).
    start, end : str
        Period in scope (``YYYY-MM-DD``; years overlapping it are kept).
    sources : list of str, optional
        Catalog entries in scope.
    k : int, optional
        Disclosure threshold: a value whose upper bound is below ``k`` is shown as
        ``<k`` (as for our own counts); None shows values as published.
    totals_only : bool
        Keep only rows whose category, sex and age are totals (or not given).

    Returns
    -------
    pandas.DataFrame
        ``source, country, year, indicator, breakdown, value`` (text), sorted by country
        and year.
    """
    frame = aggregates
    if sources is not None:
        frame = frame[frame["catalog_entry"].isin(sources)]
    if countries is not None:
        frame = frame[frame["country_iso3"].isin(countries)]
    if start:
        frame = frame[frame["year"].astype("Float64").fillna(0) >= pd.Timestamp(start).year]
    if end:
        frame = frame[frame["year"].astype("Float64").fillna(0) <= pd.Timestamp(end).year]
    columns = ["source", "country", "year", "indicator", "breakdown", "value"]
    if frame.empty:
        return pd.DataFrame(columns=columns)

    def is_total(v: object) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v) or str(v).lower() in ("total", "all")

    if totals_only:
        frame = frame[[all(is_total(v) for v in vals) for vals in zip(frame["category"], frame["sex"], frame["age"])]]
    rows = []
    for r in frame.itertuples(index=False):
        parts = [str(v) for v in (r.category, r.sex, r.age) if not is_total(v)]
        upper = r.value_upper
        small = k is not None and not (isinstance(upper, float) and math.isnan(upper)) and 0 < upper < k
        value = f"<{k}" if small else format_interval(r.value_lower, r.value_upper)
        rows.append((r.source_name, r.country_iso3, "" if pd.isna(r.year) else str(int(r.year)),
                     r.indicator if isinstance(r.indicator, str) else "", ", ".join(parts) or "total", value))
    return pd.DataFrame(rows, columns=columns).sort_values(["country", "year", "breakdown"]).reset_index(drop=True)
