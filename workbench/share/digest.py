"""The "what changed" digest: hotspots, forecast breaches and corridors since last time.

The digest needs no saved state. A :func:`snapshot` is computed from the store *as it was
known* on a date (incidents reported up to that date, occurring in the window before it),
so the previous run's picture can be rebuilt exactly and compared with today's.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.analyse.forecast import Forecaster
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.series import incident_series

#: Order of Gi* classes, weakest to strongest.
HOT_RANK = {"hot_90": 1, "hot_95": 2, "hot_99": 3}


@dataclass
class Snapshot:
    """The picture on one date.

    Attributes
    ----------
    as_of : pandas.Timestamp
        The date.
    hot_cells : dict
        H3 cell -> Gi* hot class, for significant hot cells over the window.
    surges : set
        Series (countries) whose latest month is above its forecast interval.
    corridors : dict
        (origin, destination) -> incidents over the window.
    """

    as_of: pd.Timestamp
    hot_cells: dict[str, str]
    surges: set[str]
    corridors: dict[tuple[str, str], int]


def known_on(incidents: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Incidents as the store knew them on ``as_of`` (reported by then).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents.
    as_of : pandas.Timestamp
        The date (end of day).

    Returns
    -------
    pandas.DataFrame
        Rows reported on or before ``as_of`` and occurring on or before it.
    """
    end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    reported = incidents["reported_at"].dt.tz_convert(None) < end
    occurred = incidents["occurred_on"].isna() | (incidents["occurred_on"] < end)
    return incidents[reported & occurred]


def snapshot(incidents: pd.DataFrame, as_of: pd.Timestamp, window_months: int = 3, resolution: int = 5,
             k: int = 10) -> Snapshot:
    """Compute the picture known on ``as_of``.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents (scoped).
    as_of : pandas.Timestamp
        The date.
    window_months : int
        Months before ``as_of`` that hotspots and corridors look at.
    resolution : int
        H3 resolution of hotspots.
    k : int
        Corridors with fewer incidents are left out (disclosure).

    Returns
    -------
    Snapshot
        Hot cells, surging series and corridors.
    """
    as_of = pd.Timestamp(as_of)
    known = known_on(incidents, as_of)
    start = as_of - pd.DateOffset(months=window_months)
    recent = known[known["occurred_on"] > start]
    hot: dict[str, str] = {}
    counts = hex_counts(recent, resolution=resolution)
    if len(counts):
        table = GetisOrdHotspots().fit(counts).hot
        hot = dict(zip(table["h3_cell"], table["hotspot_class"]))
    last_month = (as_of.to_period("M") - 1).to_timestamp()  # the last complete month
    series = incident_series(known, by=("country_iso3",), start=str((last_month.to_period("M") - 35).to_timestamp()
                                                                   .date()), end=str(last_month.date()), coarse="drop")
    surges: set[str] = set()
    if len(series):
        result = Forecaster(models=("seasonal_naive", "ets"), horizon=3, n_windows=1).fit(series)
        surges = set(result.surges()["unique_id"])
    flows = recent.dropna(subset=["origin_country_iso3", "country_iso3"])
    flows = flows[flows["origin_country_iso3"] != flows["country_iso3"]]
    sizes = flows.groupby(["origin_country_iso3", "country_iso3"]).size()
    corridors = {key: int(n) for key, n in sizes.items() if n >= k}
    return Snapshot(as_of, hot, surges, corridors)


def compare(previous: Snapshot, current: Snapshot) -> dict[str, pd.DataFrame]:
    """What changed between two snapshots.

    Parameters
    ----------
    previous, current : Snapshot
        Earlier and later pictures.

    Returns
    -------
    dict of pandas.DataFrame
        ``new_hotspots`` (cells hot now, not before), ``intensified_hotspots`` (a stronger
        class now), ``new_surges`` (series above their interval now, not before),
        ``new_corridors`` (at least k incidents now, not before) and ``growing_corridors``
        (up by half or more).
    """
    new_hot = [(c, k) for c, k in current.hot_cells.items() if c not in previous.hot_cells]
    stronger = [(c, previous.hot_cells[c], k) for c, k in current.hot_cells.items()
                if c in previous.hot_cells and HOT_RANK.get(k, 0) > HOT_RANK.get(previous.hot_cells[c], 0)]
    new_corr = [(o, d, n) for (o, d), n in current.corridors.items() if (o, d) not in previous.corridors]
    growing = [(o, d, previous.corridors[(o, d)], n) for (o, d), n in current.corridors.items()
               if (o, d) in previous.corridors and n >= 1.5 * previous.corridors[(o, d)]]
    return {
        "new_hotspots": pd.DataFrame(new_hot, columns=["h3_cell", "class now"]),
        "intensified_hotspots": pd.DataFrame(stronger, columns=["h3_cell", "class before", "class now"]),
        "new_surges": pd.DataFrame(sorted(current.surges - previous.surges), columns=["series"]),
        "new_corridors": pd.DataFrame(new_corr, columns=["origin", "destination", "incidents"]),
        "growing_corridors": pd.DataFrame(growing, columns=["origin", "destination", "incidents before",
                                                            "incidents now"]),
    }
