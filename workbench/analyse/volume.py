"""Reporting-volume correction: more reporting is not read as more trafficking.

Incidents found in open sources (``source_type == "osint"``) rise and fall with how much
news there is to read: a country whose press doubles its output yields about twice the
OSINT incidents with no change on the ground. :func:`normalise_by_media_volume` turns
OSINT counts into **rates per 1,000 media items** (all news items seen for that place and
period, relevant or not), so that the hot spot and trend tools can be run on the rates.

Small-volume guard. A rate over a handful of items is noise (2 incidents in 3 items is
667 per 1,000). Two guards, both documented in the output:

- ``low_volume`` flags periods with fewer than ``min_items`` items; their raw ``rate``
  is left missing.
- ``rate_eb`` is an empirical-Bayes estimate (Marshall 1991, global method of moments):
  every rate is pulled towards the pooled rate ``m = sum(counts) / sum(items)`` (all
  places and periods) by a weight ``w = A / (A + m / items)``, where ``A`` is the variance
  of the true rates between places and periods, estimated as the item-weighted variance
  of the raw rates minus the Poisson share ``m / mean(items)`` (0 when negative, which
  shrinks everything to ``m``). Rates over many items keep their value (w near 1);
  rates over few items move to the pooled rate (w near 0; with no items at all, w = 0).
  Use ``rate_eb`` for maps and hot spot tests (with
  :class:`~workbench.analyse.emerging.EmergingHotspots`, pass ``count_col="rate_eb"``
  and ``min_count=0``: its sparse-count guard is meant for counts, not rates).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analyse.emerging import space_time_counts
from workbench.analyse.series import FREQS
from workbench.schema import STORE_H3_RESOLUTION

#: Rates are per this many media items.
PER = 1000


def osint_counts(incidents: pd.DataFrame, freq: str = "MS", by: str = "country_iso3",
                 start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None,
                 places: list[str] | None = None) -> pd.DataFrame:
    """Count OSINT-derived incidents per place and period (zeros included).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents with ``source_type`` and ``occurred_on``; only
        ``source_type == "osint"`` rows are counted.
    freq : str
        ``"MS"`` or ``"W-MON"`` (see :func:`workbench.analyse.emerging.space_time_counts`).
    by : str
        Place column (``"country_iso3"``), or ``"h3_cell"`` for cells at the stored
        resolution.
    start, end : str or Timestamp, optional
        Inclusive range (default: the first and last OSINT incident).
    places : list of str, optional
        Places always included.

    Returns
    -------
    pandas.DataFrame
        ``<by>, ds, count``, every place on every period.

    Raises
    ------
    ValueError
        When ``source_type`` is missing.
    """
    if "source_type" not in incidents.columns:
        raise ValueError("incidents lack column 'source_type' needed to pick OSINT incidents")
    osint = incidents[incidents["source_type"] == "osint"]
    if by == "h3_cell":
        return space_time_counts(osint, freq=freq, resolution=STORE_H3_RESOLUTION, start=start, end=end,
                                 places=places)
    return space_time_counts(osint, freq=freq, by=by, start=start, end=end, places=places)


def _check_counts(name: str, frame: pd.DataFrame, place_col: str, time_col: str, value_col: str) -> None:
    """Raise naming the row and field when a column is missing or a value is not a number >= 0."""
    cols = (place_col, time_col, value_col)
    missing = sorted(set(cols) - set(frame.columns))
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}")
    values = pd.to_numeric(frame[value_col], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{name} row {row} ({frame[place_col].iloc[row]}, {frame[time_col].iloc[row]}): "
                         f"field '{value_col}'={frame[value_col].iloc[row]!r}: expected a number >= 0")

def normalise_by_media_volume(counts: pd.DataFrame, volume: pd.DataFrame, place_col: str = "country_iso3",
                              time_col: str = "ds", count_col: str = "count", items_col: str = "items",
                              per: int = PER, min_items: int = 50, freq: str | None = None) -> pd.DataFrame:
    """OSINT incident rates per ``per`` media items, with a small-volume guard.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``place_col, time_col, count_col``: OSINT incident counts per place and period
        (e.g. :func:`osint_counts`).
    volume : pandas.DataFrame
        ``place_col, time_col, items_col``: all media items seen per place and period
        (the ``media_volume`` catalog entry). Repeated rows are summed.
    place_col, time_col, count_col, items_col : str
        Column names.
    per : int
        Rates are per this many items.
    min_items : int
        Periods with fewer items are flagged ``low_volume`` and get no raw ``rate``.
    freq : str, optional
        ``"MS"`` or ``"W-MON"``: snap both frames' dates to these periods and sum (e.g.
        daily volume against monthly counts). Default: dates must already match.

    Returns
    -------
    pandas.DataFrame
        ``place_col, time_col, count, items, rate, rate_eb, weight, low_volume``, one row
        per place and period of ``counts`` (``items`` 0 where no volume was recorded);
        ``attrs["pooled_rate"]`` is the pooled rate per ``per`` items and
        ``attrs["between_variance"]`` the estimated ``A``.

    Raises
    ------
    ValueError
        On missing columns, negative or non-numeric values (the row is named), or a
        place and period with OSINT incidents but no media volume.
    """
    for name, frame, value_col in (("counts", counts, count_col), ("volume", volume, items_col)):
        _check_counts(name, frame, place_col, time_col, value_col)
    if freq is not None and freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, got {freq!r}")

    def tidy(frame: pd.DataFrame, col: str, out: str) -> pd.DataFrame:
        ds = pd.to_datetime(frame[time_col])
        if freq is not None:
            ds = ds.dt.to_period(FREQS[freq]).dt.start_time
        return (pd.DataFrame({place_col: frame[place_col].to_numpy(), time_col: ds.to_numpy(),
                              out: pd.to_numeric(frame[col]).to_numpy(float)})
                .groupby([place_col, time_col], as_index=False)[out].sum())

    c = tidy(counts, count_col, "count")
    v = tidy(volume, items_col, "items")
    out = c.merge(v, on=[place_col, time_col], how="left")
    orphan = out["items"].isna() & (out["count"] > 0)
    if orphan.any():
        row = out[orphan].iloc[0]
        raise ValueError(f"record {row[place_col]} {pd.Timestamp(row[time_col]).date()}: field 'items' missing: "
                         f"{int(row['count'])} OSINT incident(s) but no media volume for that place and period")
    out["items"] = out["items"].fillna(0.0)
    y, n = out["count"].to_numpy(float), out["items"].to_numpy(float)
    has = n > 0
    pooled = y[has].sum() / n[has].sum() if has.any() and n[has].sum() > 0 else 0.0
    raw = np.divide(y, n, out=np.full(len(y), np.nan), where=has)
    between = 0.0
    if has.sum() > 1 and pooled > 0:
        spread = float(np.sum(n[has] * (raw[has] - pooled) ** 2) / n[has].sum())
        between = max(spread - pooled / float(n[has].mean()), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(has & (between > 0), between / (between + pooled / np.where(has, n, 1.0)), 0.0)
    eb = pooled + weight * (np.nan_to_num(raw, nan=pooled) - pooled)
    out["low_volume"] = n < min_items
    out["rate"] = np.where(out["low_volume"], np.nan, raw * per)
    out["rate_eb"] = eb * per
    out["weight"] = weight
    if np.allclose(y, np.round(y)):
        out["count"] = out["count"].astype(np.int64)
    out = out[[place_col, time_col, "count", "items", "rate", "rate_eb", "weight", "low_volume"]]
    out = out.sort_values([place_col, time_col], ignore_index=True)
    out.attrs.update(pooled_rate=pooled * per, between_variance=between, per=per, min_items=min_items)
    return out
