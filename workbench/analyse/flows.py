"""Reported country flows (the store's ``flows`` table): corridors named by flow lists.

Flow lists (e.g. a yearly TIP-report list of ``origin, destination`` lines) say that a
corridor was reported, sometimes with a count. They are not incidents and are never
mixed into incident counts: :func:`reported_corridors` summarises them per corridor
(years reported, lists naming it, the sum of counts where given) for the routes report,
next to the incident corridors.
"""

from __future__ import annotations

import pandas as pd


def reported_corridors(flows: pd.DataFrame, countries: list[str] | None = None, start: str = "",
                       end: str = "", sources: list[str] | None = None) -> pd.DataFrame:
    """Summarise reported flows per origin -> destination corridor.

    Parameters
    ----------
    flows : pandas.DataFrame
        The store's flows (``origin_iso3, destination_iso3, year, count, catalog_entry``).
    countries : list of str, optional
        Keep corridors with either end in these ISO3 codes (a report's region).
    start, end : str
        Keep flows whose year overlaps this period (``YYYY-MM-DD``; empty is open);
        flows without a year are kept.
    sources : list of str, optional
        Keep flows from these catalog entries.

    Returns
    -------
    pandas.DataFrame
        ``origin, destination, years`` (first-last year), ``lists`` (lines naming the
        corridor) and ``reported_count`` (sum of counts where given, else missing),
        most-named first.
    """
    frame = flows
    if sources is not None:
        frame = frame[frame["catalog_entry"].isin(sources)]
    if countries is not None:
        frame = frame[frame["origin_iso3"].isin(countries) | frame["destination_iso3"].isin(countries)]
    year = frame["year"].astype("Float64")
    if start:
        frame = frame[(year.isna() | (year >= pd.Timestamp(start).year)).to_numpy(dtype=bool)]
        year = frame["year"].astype("Float64")
    if end:
        frame = frame[(year.isna() | (year <= pd.Timestamp(end).year)).to_numpy(dtype=bool)]
    columns = ["origin", "destination", "years", "lists", "reported_count"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby(["origin_iso3", "destination_iso3"], dropna=False)
    out = grouped.agg(first=("year", "min"), last=("year", "max"), lists=("record_id", "size"),
                      reported_count=("count", lambda c: c.sum() if c.notna().any() else pd.NA)).reset_index()
    out["years"] = [("" if pd.isna(a) else (f"{int(a)}" if a == b else f"{int(a)}-{int(b)}"))
                    for a, b in zip(out["first"], out["last"])]
    out = out.rename(columns={"origin_iso3": "origin", "destination_iso3": "destination"})
    return out[columns].sort_values(["lists", "origin", "destination"], ascending=[False, True, True]) \
        .reset_index(drop=True)
