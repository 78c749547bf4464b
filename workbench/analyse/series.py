"""Incident counts as time series in the long ``unique_id, ds, y`` contract (statsforecast)."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

#: Supported ``freq`` -> the pandas period whose first day is the stamp.
FREQS = {"MS": "M", "W-MON": "W-SUN"}
#: Label of an aggregated level in ``unique_id`` and the ``by`` columns.
TOTAL = "ALL"


def incident_series(
    incidents: pd.DataFrame,
    freq: str = "MS",
    by: Sequence[str] = ("country_iso3", "exploitation_type"),
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    totals: bool = False,
) -> pd.DataFrame:
    """Count incidents per period and group, on a complete grid (missing periods are 0).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents with ``occurred_on`` (rows without a date are left out).
    freq : str
        ``"MS"`` (months, stamped on their first day) or ``"W-MON"`` (weeks starting
        Monday, stamped on the Monday).
    by : sequence of str
        Grouping columns; ``"exploitation_type"`` explodes ``exploitation_types``, so an
        incident of two types counts in both type series and one with no type in none.
        Rows whose group value is missing (e.g. no country) appear only in the totals.
    start, end : str or Timestamp, optional
        Range of the grid, inclusive, snapped to the period holding each date
        (defaults: the first and last period with a dated incident). Incidents outside
        it are left out.
    totals : bool
        Also add a total per value of the first ``by`` column (``"<value>/ALL"``) and a
        grand total ``"ALL"``: the upper levels hierarchical reconciliation needs.
        Totals count incidents, not type tags, so with several types per incident the
        children can sum to more than their total.

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, y`` (float) plus the ``by`` columns (``"ALL"`` on aggregated
        levels), sorted by ``unique_id, ds``; every series covers every period of the
        grid. ``unique_id`` joins the group values with ``/`` (e.g.
        ``"NGA/forced_labour"``).

    Raises
    ------
    ValueError
        On an unsupported ``freq`` or a missing column.
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, got {freq!r}")
    by = list(by)
    needed = {"occurred_on"} | {"exploitation_types" if c == "exploitation_type" else c for c in by}
    missing = sorted(needed - set(incidents.columns))
    if missing:
        raise ValueError(f"incidents lack column(s) {missing} needed to count by {by}")
    period = FREQS[freq]
    dated = incidents[incidents["occurred_on"].notna()]
    dated = dated.assign(ds=pd.to_datetime(dated["occurred_on"]).dt.to_period(period).dt.start_time)
    lo = pd.Timestamp(start) if start is not None else dated["ds"].min()
    hi = pd.Timestamp(end) if end is not None else dated["ds"].max()
    if pd.isna(lo) or pd.isna(hi):
        return _empty(by)
    grid = pd.period_range(lo, hi, freq=period).start_time
    dated = dated[dated["ds"].between(grid.min(), grid.max())] if len(grid) else dated.iloc[:0]
    tagged = dated
    if "exploitation_type" in by:
        tagged = dated.explode("exploitation_types").rename(columns={"exploitation_types": "exploitation_type"})
        tagged = tagged[tagged["exploitation_type"].notna()]
    frames = [_grid_counts(tagged, by, grid)]
    if totals and by:
        if len(by) > 1:
            top = _grid_counts(tagged if by[0] == "exploitation_type" else dated, by[:1], grid)
            top["unique_id"] = top["unique_id"] + "/" + TOTAL
            frames.append(top)
        frames.append(_grid_counts(dated, [], grid))
    out = pd.concat([f for f in frames if len(f)] or [_empty(by)], ignore_index=True)
    out = out.reindex(columns=["unique_id", "ds", "y", *by])
    if totals and len(out):
        out[by] = out[by].astype(object).fillna(TOTAL)
    return out


def _empty(by: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({"unique_id": pd.Series(dtype=object), "ds": pd.Series(dtype="datetime64[ns]"),
                        "y": pd.Series(dtype=float)})
    for c in by:
        out[c] = pd.Series(dtype=object)
    return out


def _grid_counts(frame: pd.DataFrame, by: list[str], grid: pd.DatetimeIndex) -> pd.DataFrame:
    """Counts per group and period, every group on every period of ``grid``."""
    if not by:
        y = frame.groupby("ds").size().reindex(grid, fill_value=0)
        return pd.DataFrame({"unique_id": TOTAL, "ds": grid, "y": y.to_numpy(dtype=float)})
    frame = frame.dropna(subset=by)
    if frame.empty:
        return _empty(by)
    wide = frame.groupby(by + ["ds"]).size().unstack("ds").reindex(columns=grid).fillna(0)
    wide.columns.name = "ds"
    out = wide.stack(future_stack=True).rename("y").reset_index()
    out["y"] = out["y"].astype(float)
    out["unique_id"] = out[by].astype(str).agg("/".join, axis=1)
    return out[["unique_id", "ds", "y", *by]].sort_values(["unique_id", "ds"], ignore_index=True)
