"""Exports of campaign targets for advertising platforms: GeoJSON circles and CSV.

Places under ``k`` incidents are left out and counts rounded down to tens
(:func:`export_frame`); text cells of the CSV cannot run as spreadsheet formulas.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.apply.campaigns import TargetResults, _empty_targets, circle
from workbench.catalog import workspace
from workbench.share.extract import write_safe_csv

#: Columns of the exported CSV (and GeoJSON properties), in order.
EXPORT_COLUMNS = ("target_id", "rank", "place", "country_iso3", "h3_cell", "centre_lat", "centre_lon",
                  "radius_km", "language", "incidents", "score")


def export_frame(results: TargetResults, k: int = 10, top: int | None = None) -> pd.DataFrame:
    """The targets as they leave the building: coarsened counts, no small places.

    Parameters
    ----------
    results : TargetResults
        From :meth:`~workbench.apply.campaigns.CampaignTargeting.fit`.
    k : int
        Disclosure threshold: places below k are dropped and counts rounded down to a
        multiple of k.
    top : int, optional
        Targets kept (best first).

    Returns
    -------
    pandas.DataFrame
        :data:`EXPORT_COLUMNS`.
    """
    t = results.targets
    t = t[t["incidents"] >= k]
    if top is not None:
        t = t.head(top)
    out = pd.DataFrame({
        "target_id": [f"T{i:03d}" for i in range(1, len(t) + 1)],
        "rank": np.arange(1, len(t) + 1),
        "place": t["place"].to_numpy(), "country_iso3": t["country_iso3"].to_numpy(),
        "h3_cell": t["h3_cell"].to_numpy(),
        "centre_lat": t["centre_lat"].to_numpy(float), "centre_lon": t["centre_lon"].to_numpy(float),
        "radius_km": t["radius_km"].to_numpy(float), "language": t["language"].to_numpy(),
        "incidents": (t["incidents"].to_numpy(int) // k) * k,
        "score": t["score"].to_numpy(float),
    })
    return out[list(EXPORT_COLUMNS)]


def export_preview(results: TargetResults | None, k: int = 10, top: int | None = None) -> pd.DataFrame:
    """The exported rows for a report's preview (without the rank column: the order is the rank).

    Parameters
    ----------
    results : TargetResults or None
        From :meth:`~workbench.apply.campaigns.CampaignTargeting.fit` (None: an empty table).
    k : int
        Disclosure threshold.
    top : int, optional
        Targets kept.

    Returns
    -------
    pandas.DataFrame
        :func:`export_frame` without ``rank``; coordinates and radius as text.
    """
    if results is None:
        results = TargetResults(_empty_targets(), "h3", 5)
    out = export_frame(results, k=k, top=top).drop(columns="rank")
    for col, fmt in (("centre_lat", "{:.4f}"), ("centre_lon", "{:.4f}"), ("radius_km", "{:.1f}"),
                     ("score", "{:.1f}")):
        out[col] = out[col].map(fmt.format)
    return out


def export_dir() -> Path:
    """Return a new dated folder for campaign exports, ``<workspace>/reports/campaigns/<UTC time>``.

    Returns
    -------
    Path
        The folder (not yet created).
    """
    import time

    return workspace() / "reports" / "campaigns" / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def export_targets(results: TargetResults, out_dir: str | Path | None = None, k: int = 10,
                   top: int | None = None) -> dict[str, Path]:
    """Write the targets as GeoJSON circles and CSV for advertising platforms.

    Parameters
    ----------
    results : TargetResults
        From :meth:`~workbench.apply.campaigns.CampaignTargeting.fit`.
    out_dir : str or Path, optional
        Folder (created); default :func:`export_dir`.
    k : int
        Disclosure threshold (see :func:`export_frame`).
    top : int, optional
        Targets kept.

    Returns
    -------
    dict
        ``{"geojson": path, "csv": path}``. Both hold :data:`EXPORT_COLUMNS`; the
        GeoJSON's geometry is a circle of ``radius_km`` round the centre. Text cells of
        the CSV cannot run as spreadsheet formulas.
    """
    import geopandas as gpd

    folder = Path(out_dir) if out_dir is not None else export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    frame = export_frame(results, k=k, top=top)
    geometry = [circle(a, b, r) for a, b, r in zip(frame["centre_lat"], frame["centre_lon"], frame["radius_km"])]
    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs=4326)
    paths = {"geojson": folder / "campaign_targets.geojson", "csv": folder / "campaign_targets.csv"}
    if paths["geojson"].exists():
        paths["geojson"].unlink()
    gdf.to_file(paths["geojson"], driver="GeoJSON")
    write_safe_csv(frame, paths["csv"])
    return paths
