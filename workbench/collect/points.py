"""Point files through geopandas: GeoJSON, GeoPackage, Shapefile, any CRS.

Hotline and case-map exports are often a FeatureCollection of points whose properties say
little (an object id that is 0 everywhere) and whose date is only known from the file. The
``points`` collector reads any vector file geopandas reads (GeoJSON, GeoPackage with
``metadata.layer``, a Shapefile or a zipped Shapefile), reprojects to EPSG:4326 and makes
one candidate incident per point. From the catalog entry's metadata:

* ``period`` (``2019``, ``2019-Q3``, ``2019-05``, ``2019-05-12``) gives every record's
  date and precision when the file has no date column; ``columns.occurred_on`` names a
  date/period property when it has one;
* ``reported_at`` (default: the last day of the period) and ``default_grading``;
* ``exploitation_type`` for the whole file if the partner says so, else ``not_recorded``
  (never invented);
* ``columns`` maps our fields (``record_id``, ``occurred_on``, ``place_name``,
  ``victim_count``, ``summary``) to property names; a ``crosswalk`` maps categorical
  properties as for partner CSVs;
* ``crs`` declares the CRS of a file that has none (else EPSG:4326 is assumed and said).

A ``record_id`` property is used only when its values are present and unique in the file;
otherwise (an object id of 0 everywhere) ids are the file hash and the feature number.
Each point's country comes from the Natural Earth boundaries of the workspace
(:func:`workbench.places.boundaries.workspace_boundaries`) when they are available. A feature with no or non-point geometry, or coordinates outside the
globe after reprojection, is quarantined with its feature number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from workbench.collect.base import CollectResult, file_sha256, grading, reject, rejects_frame
from workbench.collect.periods import PeriodError, parse_period, period_end
from workbench.collect.unknowns import NOT_RECORDED, complete_unknowns
from workbench.exceptions import PointFileError
from workbench.places.boundaries import countries_of, workspace_boundaries
from workbench.places.gazetteer import locate
from workbench.schema import incident_id
from workbench.taxonomy import load_crosswalk


def read_points(path: Path, metadata: dict[str, Any]):  # -> tuple[GeoDataFrame, list[str]]
    """Read a vector file and reproject it to EPSG:4326.

    Parameters
    ----------
    path : Path
        GeoJSON, GeoPackage, Shapefile (``.shp`` or a ``.zip`` holding one).
    metadata : dict
        ``layer`` (GeoPackage), ``crs`` (when the file declares none).

    Returns
    -------
    tuple
        ``(frame in EPSG:4326, notes on how it was read)``.

    Raises
    ------
    PointFileError
        When geopandas cannot read the file.
    """
    import geopandas as gpd

    notes = []
    target = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        frame = gpd.read_file(target, layer=metadata.get("layer")) if metadata.get("layer") else gpd.read_file(target)
    except Exception as exc:  # noqa: BLE001 - fiona/pyogrio raise many kinds; the message names the file
        raise PointFileError(f"{path}: not a readable vector file ({type(exc).__name__}: {exc})") from exc
    if frame.crs is None:
        declared = metadata.get("crs")
        frame = frame.set_crs(declared or "EPSG:4326", allow_override=True)
        notes.append(f"file declares no CRS: {declared or 'EPSG:4326 assumed'}")
    elif frame.crs.to_epsg() != 4326:
        notes.append(f"reprojected from {frame.crs.to_string()} to EPSG:4326")
    if frame.crs.to_epsg() != 4326:
        frame = frame.to_crs("EPSG:4326")
    return frame, notes


def _countries_of(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """ISO3 of the country each point lies in (the workspace's Natural Earth boundaries), None elsewhere."""
    return countries_of(lat, lon, workspace_boundaries())


def _unique_ids(frame: pd.DataFrame, id_col: str | None, notes: list[str]) -> bool:
    """Whether the named id property is a usable unique id (else ids are file hash + feature, noted)."""
    if not id_col or id_col not in frame.columns:
        return False
    ids = frame[id_col].astype("string").str.strip()
    use_ids = bool(ids.notna().all() and (ids != "").all() and ids.is_unique)
    if not use_ids:
        notes.append(f"property {id_col!r} is not a unique id (e.g. 0 everywhere): ids are file hash + feature")
    return use_ids


def _crosswalked(frame: pd.DataFrame, crosswalk: str | None) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    """Our categories from the properties through the crosswalk, and each row's unmapped values."""
    mapped, by_row = pd.DataFrame(index=frame.index), {}
    if crosswalk:
        walk = load_crosswalk(crosswalk)
        mapped, unmapped = walk.apply(pd.DataFrame(frame.drop(columns="geometry")).astype("string").fillna(""))
        for u in unmapped:
            by_row.setdefault(u.row, []).append(f"property {u.field!r}={u.value!r}: not in crosswalk {walk.name!r}")
    return mapped, by_row


def _single_point(geom: Any) -> tuple[Any, str | None]:
    """The feature's point (a one-point MultiPoint unwrapped), or why it has none."""
    if geom is None or geom.is_empty:
        return geom, "no geometry"
    if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if geom.geom_type != "Point":
        return geom, f"geometry is a {geom.geom_type}, not a point"
    return geom, None


def _feature_period(raw: dict[str, Any], date_col: str | None, period_start: pd.Timestamp | None,
                    period_precision: str | None) -> tuple[pd.Timestamp | None, str | None]:
    """The feature's own date (its ``date_col`` property; PeriodError when unreadable) or the entry's period."""
    if date_col is None:
        return period_start, period_precision
    start, precision = parse_period(raw.get(date_col))
    return (period_start, period_precision) if start is None else (start, precision)

def _reported_at(reported: Any, start: pd.Timestamp | None, precision: str | None) -> pd.Timestamp:
    """The entry's ``reported_at``, else the end of the record's period, else today."""
    return (pd.Timestamp(str(reported), tz="UTC") if reported
            else (period_end(start, precision).tz_localize("UTC") if start is not None
                  else pd.Timestamp.now(tz="UTC").normalize()))

def collect_points(path: Path, metadata: dict[str, Any]) -> CollectResult:
    """Read a point file (GeoJSON, GeoPackage, Shapefile; any CRS) into candidate incidents.

    Parameters
    ----------
    path : Path
        The file.
    metadata : dict
        Catalog metadata: ``source_name``; optional ``period``, ``reported_at``,
        ``exploitation_type``, ``columns``, ``crosswalk``, ``crs``, ``layer``,
        ``default_grading`` (``C3``), ``default_language`` (``en``), ``source_type``.

    Returns
    -------
    CollectResult
        One candidate per point feature; features with no usable point as rejects;
        ``notes["assumptions"]`` says how the file was read.

    Raises
    ------
    PointFileError
        When the file cannot be read, or neither it nor the entry gives a date.
    """
    frame, notes = read_points(path, metadata)
    columns = dict(metadata.get("columns") or {})
    sha = file_sha256(path)
    source = metadata["source_name"]
    try:
        period_start, period_precision = parse_period(metadata.get("period"))
    except PeriodError as exc:
        raise PointFileError(f"catalog metadata.period: {exc}") from exc
    if period_start is None and "occurred_on" not in columns:
        raise PointFileError(f"{path}: no date column named (metadata.columns.occurred_on) and no metadata.period; "
                             "give the period the file covers, e.g. period: '2019'")
    id_col = columns.get("record_id")
    use_ids = _unique_ids(frame, id_col, notes)
    mapped, by_row = _crosswalked(frame, metadata.get("crosswalk"))
    reliability, credibility = grading(None, str(metadata.get("default_grading", "C3")))
    default_type, rows, rejected = metadata.get("exploitation_type"), [], []
    props = pd.DataFrame(frame.drop(columns="geometry"))
    for pos, (idx, geom) in enumerate(frame.geometry.items()):
        label = f"feature {pos + 1}"
        raw = {k: (None if pd.isna(v) else str(v)) for k, v in props.loc[idx].items()} if len(props.columns) else {}
        geom, why = _single_point(geom)
        if why:
            rejected.append(reject(label, why, raw))
            continue
        if pos in by_row:
            rejected.append(reject(label, "; ".join(by_row[pos]), raw))
            continue
        try:
            start, precision = _feature_period(raw, columns.get("occurred_on"), period_start, period_precision)
        except PeriodError as exc:
            rejected.append(reject(label, f"property {columns['occurred_on']!r}: {exc}", raw))
            continue
        reported_at = _reported_at(metadata.get("reported_at"), start, precision)
        rid = str(raw[id_col]).strip() if use_ids else f"{sha[:12]}:{pos + 1}"
        record = {
            "incident_id": incident_id(source, rid), "source_type": metadata.get("source_type", "partner"),
            "source_name": source, "source_record_id": rid, "reported_at": reported_at,
            "occurred_on": start, "occurred_precision": precision, "lat": float(geom.y), "lon": float(geom.x),
            "location_precision": "exact",
            "place_name": raw.get(columns["place_name"]) if "place_name" in columns else None,
            "victim_count": raw.get(columns["victim_count"]) if "victim_count" in columns else None,
            "summary": None, "url": None, "language": str(metadata.get("default_language", "en")),
            "source_reliability": reliability, "info_credibility": credibility,
            "exploitation_types": [default_type] if default_type else [NOT_RECORDED], "means_of_control": [],
        }
        cats = mapped.loc[idx].to_dict() if len(mapped.columns) else {}
        record.update({k: v for k, v in cats.items() if not (k == "exploitation_types" and not v)})
        rows.append(record)
    candidates = pd.DataFrame(rows)
    if len(candidates):
        candidates["country_iso3"] = _countries_of(candidates["lat"], candidates["lon"]).to_numpy()
        candidates = complete_unknowns(locate(candidates))
    if period_start is not None:
        notes.append(f"date from the catalog entry: {metadata.get('period')} (precision {period_precision})")
    if not default_type and not metadata.get("crosswalk"):
        notes.append("no exploitation type in the file or entry: stored as not_recorded")
    return CollectResult(candidates, rejects_frame(rejected), sha, notes={"assumptions": notes})
