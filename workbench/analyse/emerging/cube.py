"""The complete place x time-step count cube that emerging hot spot analysis scores."""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from workbench.analyse.hexbin import hex_counts
from workbench.analyse.series import FREQS, placeable


def space_time_counts(incidents: pd.DataFrame, freq: str = "W-MON", resolution: int | None = 5,
                      by: str | None = None, start: str | pd.Timestamp | None = None,
                      end: str | pd.Timestamp | None = None, places: Iterable[str] | None = None) -> pd.DataFrame:
    """The complete place x time-step count cube (zeros included), as a long frame.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents with ``occurred_on`` and a location (``h3_cell`` or ``lat``/``lon``
        for cells; the ``by`` column for countries). Undated rows are left out.
    freq : str
        ``"W-MON"`` (weeks from Monday), ``"MS"`` (months), ``"QS"`` (quarters) or
        ``"YS"`` (years: the cube for yearly data), as in
        :func:`workbench.analyse.series.incident_series`. Records dated less precisely
        than ``freq`` are left out (``attrs["too_coarse"]``): a year-only record is never
        put in a month.
    resolution : int, optional
        H3 resolution of the cells (when ``by`` is None).
    by : str, optional
        A place column instead of cells, e.g. ``"country_iso3"``.
    start, end : str or Timestamp, optional
        Inclusive range, snapped to the periods holding the dates (default: first and last
        dated incident); incidents outside are left out.
    places : iterable of str, optional
        Places always included (with zeros), e.g. the countries in scope.

    Returns
    -------
    pandas.DataFrame
        ``<place>, ds, count`` (``<place>`` is ``h3_cell`` or ``by``), every place on every
        step, sorted by place and step. ``attrs``: ``freq``, ``resolution`` (cells) and
        ``unlocated`` (dated incidents in range without a place).

    Raises
    ------
    ValueError
        On an unsupported ``freq`` or missing columns.
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, got {freq!r}")
    col = "h3_cell" if by is None else by
    if "occurred_on" not in incidents.columns:
        raise ValueError("incidents lack column 'occurred_on' needed for time steps")
    if by is not None and by not in incidents.columns:
        raise ValueError(f"incidents lack column {by!r} to count by")
    dated = placeable(incidents, freq, "drop")  # a year-only record is never put in a month or week
    too_coarse = dated.attrs.get("too_coarse", 0)
    ds = pd.to_datetime(dated["occurred_on"]).dt.to_period(FREQS[freq]).dt.start_time
    lo = pd.Timestamp(start).to_period(FREQS[freq]).start_time if start else ds.min()
    hi = pd.Timestamp(end).to_period(FREQS[freq]).start_time if end else ds.max()
    empty = pd.DataFrame({col: pd.Series(dtype=object), "ds": pd.Series(dtype="datetime64[ns]"),
                          "count": pd.Series(dtype=np.int64)})
    empty.attrs.update(freq=freq, unlocated=0, **({"resolution": resolution} if by is None else {}))
    if pd.isna(lo) or pd.isna(hi):
        return empty
    grid = pd.period_range(lo, hi, freq=FREQS[freq]).start_time
    keep = ds.between(grid.min(), grid.max()) if len(grid) else ds.isna()
    dated, ds = dated[keep], ds[keep]
    if by is None:
        long, unlocated = _cell_counts(dated, ds, resolution, empty)
    else:
        located = dated[dated[by].notna()]
        unlocated = len(dated) - len(located)
        long = located.groupby([located[by], ds[located.index].rename("ds")]).size().rename("count").reset_index()
    everyone = sorted(set(long[col]) | set(places or ()))
    if not everyone:
        empty.attrs["unlocated"] = int(unlocated)
        return empty
    wide = (long.pivot_table(index=col, columns="ds", values="count", aggfunc="sum")
            .reindex(index=everyone, columns=grid).fillna(0))
    out = pd.DataFrame({col: np.repeat(everyone, len(grid)), "ds": np.tile(grid, len(everyone)),
                        "count": wide.to_numpy().ravel().astype(np.int64)})
    out.attrs.update(freq=freq, unlocated=int(unlocated), too_coarse=int(too_coarse),
                     **({"resolution": resolution} if by is None else {}))
    return out


def _cell_counts(dated: pd.DataFrame, ds: pd.Series, resolution: int | None,
                 empty: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Incidents per H3 cell and step (``h3_cell, count, ds``), and how many had no location."""
    unlocated = 0
    parts = []
    for step, group in dated.groupby(ds):
        counted = hex_counts(group, resolution=resolution)
        unlocated += counted.attrs["unlocated"]
        parts.append(counted.assign(ds=step))
    return (pd.concat(parts, ignore_index=True) if parts else empty), unlocated
