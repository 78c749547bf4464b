"""Incident counts as time series in the long ``unique_id, ds, y`` contract (statsforecast).

Frequencies: yearly (``"Y"``/``"YS"``), quarterly (``"Q"``/``"QS"``), monthly
(``"M"``/``"MS"``) and weekly (``"W"``/``"W-MON"``); stamps are the first day of each
period. ``freq="auto"`` picks the finest one every record's date precision supports.

Date precision (``occurred_precision``: day, month, quarter or year; absent means day):
a record is only counted at a frequency its precision supports. A year-only record is
never placed in a month (its ``occurred_on`` is 1 January by convention, so counting it
there would make a January spike); asked for a finer frequency, the builders raise a
clear error, or leave such records out and count them (``coarse="drop"``).

Missing is not zero: with a ``source_name`` column, a period in which none of a
series' sources was reporting (before a source's first record or after its last, or a
period in which no source reported anything at all) has ``y`` NaN, "no data", not 0.
Without the column a gap cannot be told from a zero, and gaps count 0.
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np
import pandas as pd

#: Supported ``freq`` -> the pandas period whose first day is the stamp.
FREQS = {"YS": "Y", "QS": "Q", "MS": "M", "W-MON": "W-SUN"}
#: Accepted spellings of each frequency.
ALIASES = {"Y": "YS", "A": "YS", "YS": "YS", "AS": "YS", "Q": "QS", "QS": "QS", "M": "MS", "MS": "MS",
           "W": "W-MON", "W-MON": "W-MON"}
#: Date precisions, finest first, and the finest frequency each supports.
PRECISION_FREQ = {"day": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}
_FREQ_RANK = {"W-MON": 0, "MS": 1, "QS": 2, "YS": 3}
#: Label of an aggregated level in ``unique_id`` and the ``by`` columns.
TOTAL = "ALL"
#: The column naming each record's source (for telling "no data" from zero).
SOURCE = "source_name"


def resolve_freq(freq: str, incidents: pd.DataFrame | None = None) -> str:
    """The canonical frequency (``"YS"``, ``"QS"``, ``"MS"`` or ``"W-MON"``) for ``freq``.

    Parameters
    ----------
    freq : str
        A spelling from :data:`ALIASES`, or ``"auto"``: the finest frequency that every
        dated record's ``occurred_precision`` supports, monthly for day-precise data
        (weeks must be asked for).
    incidents : pandas.DataFrame, optional
        Needed for ``"auto"``.

    Returns
    -------
    str
        The canonical frequency.

    Raises
    ------
    ValueError
        On an unknown frequency or an unknown precision value.
    """
    if freq == "auto":
        if incidents is None or "occurred_precision" not in incidents.columns:
            return "MS"
        dated = incidents.loc[incidents["occurred_on"].notna(), "occurred_precision"].fillna("day")
        return max((_precision_freq(p) for p in dated.unique()), key=_FREQ_RANK.__getitem__, default="MS")
    key = str(freq).upper()
    if key not in ALIASES:
        raise ValueError(f"freq must be one of {sorted(ALIASES)} or 'auto', got {freq!r}")
    return ALIASES[key]


def _precision_freq(precision: str) -> str:
    """Finest frequency a precision supports, monthly at best for ``"auto"``."""
    if precision not in PRECISION_FREQ:
        raise ValueError(f"occurred_precision {precision!r} is not one of {sorted(PRECISION_FREQ)}")
    found = PRECISION_FREQ[precision]
    return "MS" if found == "W-MON" else found


def placeable(incidents: pd.DataFrame, freq: str, coarse: Literal["raise", "drop"] = "raise") -> pd.DataFrame:
    """Dated records whose date precision supports ``freq``.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Records with ``occurred_on`` and optionally ``occurred_precision`` (absent or
        missing means ``"day"``).
    freq : str
        Canonical frequency (:func:`resolve_freq`).
    coarse : {"raise", "drop"}
        What to do with records dated less precisely than ``freq`` (a year-only record
        asked for by month): raise, or leave them out (their number is in
        ``attrs["too_coarse"]``).

    Returns
    -------
    pandas.DataFrame
        The dated records that can be placed (``attrs["too_coarse"]`` set).

    Raises
    ------
    ValueError
        With ``coarse="raise"``, naming how many records are too coarse, the first one
        and the frequency that would hold them.
    """
    dated = incidents[incidents["occurred_on"].notna()]
    if "occurred_precision" not in dated.columns or dated.empty:
        return _tag(dated, 0)
    precision = dated["occurred_precision"].astype(object).where(dated["occurred_precision"].notna(), "day")
    unknown = sorted(set(precision) - set(PRECISION_FREQ))
    if unknown:
        row = int(np.flatnonzero(precision.isin(unknown).to_numpy())[0])
        raise ValueError(f"record {_record_name(dated, row)}: field 'occurred_precision'={unknown[0]!r}: "
                         f"expected one of {sorted(PRECISION_FREQ)}")
    fits = precision.map(lambda p: _FREQ_RANK[PRECISION_FREQ[p]] <= _FREQ_RANK[freq])
    if fits.all():
        return dated.pipe(_tag, 0)
    if coarse == "raise":
        row = int(np.flatnonzero(~fits.to_numpy())[0])
        coarsest = max((PRECISION_FREQ[p] for p in precision[~fits].unique()), key=_FREQ_RANK.__getitem__)
        raise ValueError(
            f"{int((~fits).sum())} record(s) are dated only to the {precision[~fits].iloc[0]} (e.g. record "
            f"{_record_name(dated, row)}, field 'occurred_precision'): they cannot be counted by "
            f"{_FREQ_NAME[freq]}; use freq={coarsest!r} (or 'auto'), or coarse='drop' to leave them out")
    if coarse != "drop":
        raise ValueError(f"coarse must be 'raise' or 'drop', got {coarse!r}")
    return dated[fits.to_numpy()].pipe(_tag, int((~fits).sum()))


_FREQ_NAME = {"YS": "year", "QS": "quarter", "MS": "month", "W-MON": "week"}


def _tag(frame: pd.DataFrame, too_coarse: int) -> pd.DataFrame:
    out = frame.copy()
    out.attrs["too_coarse"] = too_coarse
    return out


def _record_name(frame: pd.DataFrame, row: int) -> str:
    for col in ("incident_id", "source_record_id"):
        if col in frame.columns:
            return f"{frame[col].iloc[row]!r}"
    return f"at row {frame.index[row]!r}"


def growth_text(before: float, after: float, k: int = 10, per: str = "", cap: float = 2.0) -> str:
    """A change between two periods in plain words, only where the counts carry it.

    Parameters
    ----------
    before, after : float
        Counts in the earlier and the later period (NaN: no data).
    k : int
        Both periods need at least this many events for a percentage.
    per : str
        Appended to a percentage, e.g. ``" a year"``.
    cap : float
        Changes above this ratio (2.0 = +200%) are stated as "more than tripled".

    Returns
    -------
    str
        ``"+12%"``; ``"more than tripled"`` above the cap; or a plain statement that
        the counts are too few (or missing) for a rate.
    """
    if not (np.isfinite(before) and np.isfinite(after)):
        return "no rate: a period without data"
    if before < k or after < k:
        return f"no rate: fewer than {k} events in one of the periods"
    change = after / before - 1
    if change > cap:
        return "more than tripled" if cap == 2.0 else f"more than {cap:+.0%}"
    return f"{change:+.0%}{per}"


def incident_series(
    incidents: pd.DataFrame,
    freq: str = "MS",
    by: Sequence[str] = ("country_iso3", "exploitation_type"),
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    totals: bool = False,
    coarse: Literal["raise", "drop"] = "raise",
) -> pd.DataFrame:
    """Count incidents per period and group, on a complete grid (no data is NaN, not 0).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents with ``occurred_on`` (rows without a date are left out).
    freq : str
        ``"Y"``/``"YS"`` (years), ``"Q"``/``"QS"`` (quarters), ``"M"``/``"MS"``
        (months) or ``"W"``/``"W-MON"`` (weeks starting Monday), each stamped on its
        first day; or ``"auto"`` (see :func:`resolve_freq`).
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
    coarse : {"raise", "drop"}
        Records dated less precisely than ``freq`` (see :func:`placeable`).

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, y`` (float) plus the ``by`` columns (``"ALL"`` on aggregated
        levels), sorted by ``unique_id, ds``; every series covers every period of the
        grid. ``unique_id`` joins the group values with ``/`` (e.g.
        ``"NGA/forced_labour"``). ``y`` is NaN where none of the series' sources was
        reporting (module docstring). ``attrs``: ``freq`` (canonical),
        ``too_coarse`` (records left out by ``coarse="drop"``), ``no_data`` (periods x
        series without data) and ``sources`` (``source_name, first, last`` period of
        each source; empty without a source column).

    Raises
    ------
    ValueError
        On an unsupported ``freq``, a missing column, or records too coarse for
        ``freq`` (with ``coarse="raise"``).
    """
    freq = resolve_freq(freq, incidents)
    by = list(by)
    needed = {"occurred_on"} | {"exploitation_types" if c == "exploitation_type" else c for c in by}
    missing = sorted(needed - set(incidents.columns))
    if missing:
        raise ValueError(f"incidents lack column(s) {missing} needed to count by {by}")
    period = FREQS[freq]
    dated = placeable(incidents, freq, coarse)
    too_coarse = dated.attrs.get("too_coarse", 0)
    dated = dated.assign(ds=pd.to_datetime(dated["occurred_on"]).dt.to_period(period).dt.start_time)
    lo = pd.Timestamp(start) if start is not None else dated["ds"].min()
    hi = pd.Timestamp(end) if end is not None else dated["ds"].max()
    if pd.isna(lo) or pd.isna(hi):
        return _finish(_empty(by), freq, too_coarse, None)
    grid = pd.period_range(lo, hi, freq=period).start_time
    dated = dated[dated["ds"].between(grid.min(), grid.max())] if len(grid) else dated.iloc[:0]
    tagged = dated
    if "exploitation_type" in by:
        tagged = dated.explode("exploitation_types").rename(columns={"exploitation_types": "exploitation_type"})
        tagged = tagged[tagged["exploitation_type"].notna()]
    out = _levels(tagged, dated, by, grid, totals)
    spans = None
    if SOURCE in incidents.columns and len(out):
        spans = _source_spans(placeable(incidents, freq, "drop"), period)
        reporting = _reporting(out, tagged, dated, by, spans, totals)
        out.loc[~reporting, "y"] = np.nan
    return _finish(out, freq, too_coarse, spans)


def _levels(tagged: pd.DataFrame, dated: pd.DataFrame, by: list[str], grid: pd.DatetimeIndex,
            totals: bool) -> pd.DataFrame:
    """Counts of every ``by`` series on the grid, with the first column's and the grand totals when asked."""
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


def _finish(out: pd.DataFrame, freq: str, too_coarse: int, spans: pd.DataFrame | None) -> pd.DataFrame:
    out.attrs.update(freq=freq, too_coarse=int(too_coarse), no_data=int(out["y"].isna().sum()),
                     sources=spans if spans is not None else pd.DataFrame(columns=[SOURCE, "first", "last"]))
    return out


def _source_spans(records: pd.DataFrame, period: str) -> pd.DataFrame:
    """First and last period (stamps) in which each source has a dated record."""
    ds = pd.to_datetime(records["occurred_on"]).dt.to_period(period).dt.start_time
    spans = ds.groupby(records[SOURCE].astype(str)).agg(["min", "max"])
    return spans.rename(columns={"min": "first", "max": "last"}).rename_axis(SOURCE).reset_index()


def _reporting(out: pd.DataFrame, tagged: pd.DataFrame, dated: pd.DataFrame, by: list[str],
               spans: pd.DataFrame, totals: bool) -> np.ndarray:
    """Whether each row of ``out`` falls in a period when one of its series' sources reported."""
    any_data = set(dated["ds"])  # a period with no record at all from any source has no data
    first = dict(zip(spans[SOURCE], spans["first"]))
    last = dict(zip(spans[SOURCE], spans["last"]))
    sources: dict[str, set] = {TOTAL: set(first)}
    if by:
        def ids(frame: pd.DataFrame, cols: list[str], suffix: str = "") -> dict[str, set]:
            frame = frame.dropna(subset=cols)
            if frame.empty:
                return {}
            key = frame[cols].astype(str).agg("/".join, axis=1) + suffix
            return frame[SOURCE].astype(str).groupby(key).agg(set).to_dict()

        sources.update(ids(tagged, by))
        if totals and len(by) > 1:
            sources.update(ids(tagged if by[0] == "exploitation_type" else dated, by[:1], "/" + TOTAL))
    ok = np.zeros(len(out), dtype=bool)
    for uid, rows in out.groupby("unique_id", sort=False).groups.items():
        stamps = out.loc[rows, "ds"]
        mine = sources.get(uid, set())
        active = np.zeros(len(rows), dtype=bool)
        for src in mine:
            active |= ((stamps >= first[src]) & (stamps <= last[src])).to_numpy()
        active &= stamps.isin(any_data).to_numpy()
        ok[out.index.get_indexer(rows)] = active
    return ok


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
