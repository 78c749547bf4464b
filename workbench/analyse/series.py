"""Incident counts as time series in the long ``unique_id, ds, y`` contract."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

FREQS = {"MS": "M", "W-MON": "W-SUN"}  # date offset -> period whose start is that day


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
        Grouping columns; ``"exploitation_type"`` explodes ``exploitation_types`` (an
        incident of two types counts in both series).
    start, end : str or Timestamp, optional
        Range of the grid (defaults: the data's first and last period).
    totals : bool
        Also add a total per value of the first ``by`` column (``"<value>/ALL"``) and a
        grand total ``"ALL"``: the levels hierarchical reconciliation needs.

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, y`` plus the ``by`` columns; ``unique_id`` joins the group values
        with ``/`` (e.g. ``"NGA/forced_labour"``).
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, got {freq!r}")
    by = list(by)
    frame = incidents.dropna(subset=["occurred_on"])
    frame = frame.assign(ds=pd.to_datetime(frame["occurred_on"]).dt.to_period(FREQS[freq]).dt.start_time)
    base = frame  # one row per incident: totals count incidents, not type tags
    if "exploitation_type" in by:
        frame = frame.explode("exploitation_types").rename(columns={"exploitation_types": "exploitation_type"})
        frame = frame[frame["exploitation_type"].notna()]
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise ValueError(f"cannot group by {missing}: not columns of the incidents")
    lo = pd.Timestamp(start) if start is not None else frame["ds"].min()
    hi = pd.Timestamp(end) if end is not None else frame["ds"].max()
    if pd.isna(lo) or pd.isna(hi):
        return pd.DataFrame(columns=["unique_id", "ds", "y", *by])
    grid = pd.period_range(lo, hi, freq=FREQS[freq]).start_time
    def in_grid(f: pd.DataFrame) -> pd.DataFrame:
        return f[(f["ds"] >= grid.min()) & (f["ds"] <= grid.max())]

    frames = [_grid_counts(in_grid(frame), by, grid)]
    if totals and by:
        if len(by) > 1:
            top = _grid_counts(in_grid(base if by[0] in base.columns else frame), by[:1], grid)
            top["unique_id"] = top["unique_id"] + "/ALL"
            frames.append(top)
        grand = _grid_counts(in_grid(base), [], grid)
        frames.append(grand)
    return pd.concat(frames, ignore_index=True)


def _grid_counts(frame: pd.DataFrame, by: list[str], grid: pd.DatetimeIndex) -> pd.DataFrame:
    if by:
        counts = frame.groupby(by + ["ds"]).size()
        groups = counts.index.droplevel("ds").unique()
        full = pd.MultiIndex.from_tuples(
            [(*(g if isinstance(g, tuple) else (g,)), d) for g in groups for d in grid], names=by + ["ds"]
        )
        out = counts.reindex(full, fill_value=0).rename("y").reset_index()
        out["unique_id"] = out[by].astype(str).agg("/".join, axis=1)
    else:
        out = frame.groupby("ds").size().reindex(grid, fill_value=0).rename("y").rename_axis("ds").reset_index()
        out["unique_id"] = "ALL"
    out["y"] = out["y"].astype(float)
    return out[["unique_id", "ds", "y", *by]].sort_values(["unique_id", "ds"]).reset_index(drop=True)
