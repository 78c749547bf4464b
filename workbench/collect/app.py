"""Anonymous reporting app: JSON lines, one report per line, in any of 15 languages.

The app is ours, so it already speaks our taxonomy codes. A line that is not JSON, or a
field that cannot be read, rejects that report with the line and field named; a code that
is not in the taxonomy is quarantined by the schema gate, naming the record and field. A
report that is incomplete is not wrong: no exploitation type (``[]``, ``null`` or absent)
is stored as ``not_recorded``, no place at all as country ``UNK``
(:func:`workbench.collect.unknowns.complete_unknowns`).

Record format (``null`` or absent where unknown)::

    {"report_id": "APP-000123", "submitted_at": "2024-05-03T10:22:00Z", "language": "es",
     "incident_date": "2024-04" , "location": {"lat": 6.45, "lon": 3.39}, "place": "Lagos",
     "country": "NG", "exploitation": ["forced_labour"], "recruitment": "false_job_offer",
     "control": ["debt_bondage"], "sector": "construction", "transport": "land_bus_car",
     "origin_country": "NE", "transit_country": null,
     "victims": {"gender": "female", "age_band": "adult_18_24", "count": 2, "nationality": "NE"},
     "description": "free text", "grading": "C3"}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from workbench.collect.base import CollectResult, file_sha256, grading, reject, rejects_frame
from workbench.exceptions import RecordError
from workbench.text.dates import DateParseError, parse_partial_date, parse_timestamp
from workbench.collect.files import MAX_BYTES, frame_json_records, read_source_bytes
from workbench.collect.unknowns import complete_unknowns
from workbench.places.gazetteer import country_to_iso3, locate
from workbench.text.pii import scrub_text
from workbench.schema import incident_id


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _country(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise RecordError(f"field {key!r}={_short(value)}: expected a country name or code")
    iso = country_to_iso3(value)
    if value not in (None, "") and iso is None:
        raise RecordError(f"field {key!r}={value!r}: not a known country")
    return iso


def app_record(record: dict[str, Any], source_name: str, default_grading: str) -> dict[str, Any]:
    """Turn one app report into a candidate incident.

    Long on purpose: every field of the app's JSON checked for its type (so a bad record
    names its field) and then mapped onto the schema's fields in schema order, in one
    place a reader checks against the app's export format.

    Parameters
    ----------
    record : dict
        One parsed JSON line.
    source_name : str
        The app's name in the store.
    default_grading : str
        Admiralty grading for reports the triage team has not graded.

    Returns
    -------
    dict
        Candidate incident fields.

    Raises
    ------
    RecordError
        Naming the field that cannot be read.
    """
    if not isinstance(record, dict):
        raise RecordError(f"not a JSON object but {type(record).__name__}")
    rid = record.get("report_id")
    if rid in (None, ""):
        raise RecordError("field 'report_id' is missing")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or not str(rid).strip():
        raise RecordError(f"field 'report_id'={_short(rid)}: expected a text or whole-number id")
    try:
        reported_at = parse_timestamp(record.get("submitted_at"))
    except DateParseError as exc:
        raise RecordError(f"field 'submitted_at': {exc}") from exc
    try:
        occurred_on, precision = parse_partial_date(record.get("incident_date"))
    except DateParseError as exc:
        raise RecordError(f"field 'incident_date': {exc}") from exc
    location = record.get("location") or {}
    if not isinstance(location, dict):
        raise RecordError(f"field 'location'={_short(location)}: expected an object with lat and lon")
    victims = record.get("victims") or {}
    if not isinstance(victims, dict):
        raise RecordError(f"field 'victims'={_short(victims)}: expected an object")
    for key in ("exploitation", "control"):
        value = record.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise RecordError(f"field {key!r}={_short(value)}: expected a list of codes")
    for key in ("place", "recruitment", "sector", "transport", "description", "language", "grading"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise RecordError(f"field {key!r}={_short(value)}: expected text")
    for key, value in (("lat", location.get("lat")), ("lon", location.get("lon")), ("victim_count", victims.get("count"))):
        # numbers (or numeric text, which the schema reads strictly): never a boolean, list or object
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, str))):
            raise RecordError(f"field {key!r}={_short(value)}: not a number")
        if isinstance(value, int) and abs(value) > 2 ** 53:
            raise RecordError(f"field {key!r}={_short(value)}: number out of range")
    for key in ("gender", "age_band", "nationality"):
        value = victims.get(key)
        if value is not None and not isinstance(value, str):
            raise RecordError(f"field 'victims.{key}'={_short(value)}: expected text")
    reliability, credibility = grading(record.get("grading"), default_grading)
    return {
        "incident_id": incident_id(source_name, str(rid)),
        "source_type": "app",
        "source_name": source_name,
        "source_record_id": str(rid),
        "reported_at": reported_at,
        "occurred_on": occurred_on,
        "occurred_precision": precision,
        "lat": location.get("lat"),  # typed strictly by the schema gate (no booleans, no overflow)
        "lon": location.get("lon"),
        "place_name": record.get("place"),
        "country_iso3": _country(record, "country"),
        "exploitation_types": record.get("exploitation") or [],
        "recruitment_method": record.get("recruitment"),
        "means_of_control": record.get("control") or [],
        "sector": record.get("sector"),
        "transport": record.get("transport"),
        "origin_country_iso3": _country(record, "origin_country"),
        "transit_country_iso3": _country(record, "transit_country"),
        "victim_gender": victims.get("gender"),
        "victim_age_band": victims.get("age_band"),
        "victim_nationality_iso3": country_to_iso3(victims.get("nationality")),
        "victim_count": victims.get("count"),
        "language": str(record.get("language") or "").lower() or None,
        "source_reliability": reliability,
        "info_credibility": credibility,
        "summary": scrub_text(record.get("description")),
        "url": None,
    }


def collect_app(path: Path, metadata: dict[str, Any]) -> CollectResult:
    """Read an app export (JSON lines).

    Parameters
    ----------
    path : Path
        The ``.jsonl`` file (UTF-8).
    metadata : dict
        Catalog metadata: ``source_name`` and optional ``default_grading`` (``"F6"``).

    Returns
    -------
    CollectResult
        One candidate per readable line (missing exploitation type -> ``not_recorded``,
        no place -> ``UNK``); unreadable lines rejected with the line number and field.
    """
    source_name = metadata["source_name"]
    default_grading = str(metadata.get("default_grading", "F6"))
    data = read_source_bytes(path, int(metadata.get("max_bytes", MAX_BYTES)))
    rows, rejected = [], []
    # JSON lines split only at \n (U+2028, U+0085, 0x1C stay inside their string); arrays
    # of reports are reports; one bad line is one rejected record, never the file
    for item in frame_json_records(data, path, metadata.get("encoding")):
        where = item.position
        if item.problem is not None:
            rejected.append(reject(where, item.problem, item.raw))
            continue
        record = item.value
        if isinstance(record, dict) and isinstance(record.get("report_id"), (str, int)):
            where = f"{item.position} ({record.get('report_id')})"
        try:
            rows.append(app_record(record, source_name, default_grading))
        except RecordError as exc:
            rejected.append(reject(where, str(exc), item.raw))
        except (TypeError, ValueError, AttributeError, OverflowError, RecursionError) as exc:  # unforeseen shapes
            rejected.append(reject(where, f"unreadable record ({type(exc).__name__}: {str(exc)[:200]})", item.raw))
    candidates = complete_unknowns(locate(pd.DataFrame(rows))) if rows else pd.DataFrame()
    return CollectResult(candidates, rejects_frame(rejected), file_sha256(path))
