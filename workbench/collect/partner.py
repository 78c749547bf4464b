"""Partner data (NGOs, businesses, banks): CSV files in the partner's own categories.

Each partner has a crosswalk (``workbench/resources/crosswalks/<name>.yaml``) that names
its columns and maps its categories onto ours. A category the crosswalk does not know
rejects the record with the value and column named (and is listed in the result's
``notes["unmapped"]`` for whoever keeps the crosswalk): values are never guessed.

Incomplete is not wrong: an empty cell, or a value the crosswalk lists under ``unknown:``
(e.g. ``"0"``), is stored as unknown (exploitation type ``not_recorded``, country
``UNK``, age band ``unknown``), never quarantined. A file without record ids gets stable
ids from the file's hash and the row number (``<sha256[:12]>:<row>``), so exact duplicate
rows stay separate records.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.collect.base import CollectResult, file_sha256, grading, reject, rejects_frame
from workbench.exceptions import PartnerFileError
from workbench.text.dates import DateParseError, parse_partial_date, parse_timestamp
from workbench.collect.files import MAX_BYTES, SourceFileError, decode_text, read_source_bytes
from workbench.collect.periods import PeriodError, parse_period
from workbench.collect.unknowns import complete_unknowns
from workbench.places.countries import to_iso3
from workbench.places.gazetteer import locate
from workbench.text.pii import scrub_text
from workbench.schema import incident_id
from workbench.taxonomy import Crosswalk, load_crosswalk, unmapped_report

#: Our fields a crosswalk's ``columns:`` may name (besides the categorical ``fields:``).
DIRECT_FIELDS = (
    "record_id", "reported_at", "occurred_on", "place_name", "country", "lat", "lon",
    "victim_count", "victim_nationality", "origin_country", "transit_country", "summary", "language",
    "grading",
)


#: A decimal number as partners write it (point or comma decimal, optional exponent).
_NUMBER = re.compile(r"^[+-]?(\d{1,20}([.,]\d{0,20})?|[.,]\d{1,20})([eE][+-]?\d{1,3})?$")


def read_partner_csv(path: Path, encoding: str | None = None, delimiter: str = ",",
                     max_bytes: int = MAX_BYTES) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Read a partner CSV as text, every cell a string.

    Parameters
    ----------
    path : Path
        The file (``.gz`` and single-file ``.zip`` are opened too).
    encoding : str, optional
        Declared encoding; a BOM wins; UTF-8 by default.
    delimiter : str
        Field separator.
    max_bytes : int
        Largest file accepted.

    Returns
    -------
    frame : pandas.DataFrame
        Cells as strings, empty cells as ``""``.
    bad_lines : list of dict
        Lines with more or fewer fields than the header, as reject rows (never silently
        skipped).

    Raises
    ------
    PartnerFileError
        When the file cannot be decoded or parsed at all.
    """
    import csv
    import io

    try:
        text = decode_text(read_source_bytes(path, max_bytes), path, encoding)
    except SourceFileError as exc:
        raise PartnerFileError(str(exc)) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise PartnerFileError(f"{path}: not a readable CSV (no header line)")
        header = [h.strip() for h in header]
        repeated = sorted({h for h in header if header.count(h) > 1 and h})
        if repeated:  # which of two same-named columns holds the data cannot be told: never guessed
            raise PartnerFileError(f"{path}: column(s) {repeated} appear more than once in the header: refused")
        rows, bad_lines = [], []
        for fields in reader:
            if not fields:
                continue  # a blank line is no record (a line of empty cells is, and is rejected later)
            if len(fields) != len(header):
                bad_lines.append(reject(
                    f"line {reader.line_num} ({fields[0][:40]})", f"{len(fields)} fields where the header has "
                    f"{len(header)}", delimiter.join(fields)))
                continue
            rows.append(fields)
    except csv.Error as exc:  # e.g. a quote left open at the end of a truncated file
        raise PartnerFileError(f"{path}: not a readable CSV (line {reader.line_num}: {exc})") from exc
    return pd.DataFrame(rows, columns=header, dtype=str), bad_lines


def partner_record(
    row: dict[str, Any], mapped: dict[str, Any], walk: Crosswalk, source_name: str, metadata: dict[str, Any],
    fallback_id: str | None = None,
) -> dict[str, Any]:
    """Build one candidate incident from a partner row and its mapped categories.

    Long on purpose: the partner's columns read one by one (dates, record id, grading)
    and mapped onto the schema's fields in schema order, in one place a reader checks
    against the crosswalk.

    Parameters
    ----------
    row : dict
        The partner's cells.
    mapped : dict
        Our categorical fields, from :meth:`Crosswalk.apply`.
    walk : Crosswalk
        The partner's crosswalk.
    source_name : str
        The partner's name in the store.
    metadata : dict
        Catalog metadata (``date_format``, ``default_grading``, ``default_language``).
    fallback_id : str, optional
        The record id when the crosswalk names no ``record_id`` column (file hash and row).

    Returns
    -------
    dict
        Candidate incident fields.

    Raises
    ------
    ValueError
        Naming the partner column that cannot be read.
    """
    col = walk.columns

    def cell(field: str) -> Any:
        name = col.get(field)
        value = row.get(name) if name else None
        return None if walk.is_unknown(value) else str(value).strip()

    def country(field: str) -> str | None:
        value = cell(field)
        iso = to_iso3(value)
        if value is not None and iso is None:
            raise ValueError(f"column {col[field]!r}={value!r}: not a known country")
        return iso

    def number(field: str) -> float | None:
        value = cell(field)
        if value is None:
            return None
        if not _NUMBER.match(value):  # no "nan", "inf", "1_000", hex or 400-digit numbers
            raise ValueError(f"column {col[field]!r}={value[:40]!r}: not a number")
        return float(value.replace(",", "."))

    fmt = metadata.get("date_format")
    try:
        given = cell("reported_at") if "reported_at" in col else (
            metadata.get("reported_at") or walk.defaults.get("reported_at"))
        reported_at = parse_timestamp(given, fmt if "reported_at" in col else None)
    except DateParseError as exc:
        raise ValueError(f"column {col.get('reported_at')!r}: {exc}") from exc
    try:
        occurred_on, precision = parse_partial_date(cell("occurred_on"), fmt)
    except DateParseError as exc:
        try:  # a quarter ("2024-Q2", "Q2 2024") keeps its precision
            occurred_on, precision = parse_period(cell("occurred_on"))
            if precision != "quarter":
                raise PeriodError("not a quarter")
        except PeriodError:
            raise ValueError(f"column {col.get('occurred_on')!r}: {exc}") from exc
    rid = cell("record_id") if "record_id" in col else fallback_id
    if rid is None:
        raise ValueError(f"column {col.get('record_id')!r} is empty")
    reliability, credibility = grading(cell("grading"), str(metadata.get("default_grading", walk.defaults.get("grading", "B2"))))
    record = {
        "incident_id": incident_id(source_name, rid),
        "source_type": metadata.get("source_type", "partner"),
        "source_name": source_name,
        "source_record_id": rid,
        "reported_at": reported_at,
        "occurred_on": occurred_on,
        "occurred_precision": precision,
        "lat": number("lat"),
        "lon": number("lon"),
        "place_name": cell("place_name"),
        "country_iso3": country("country"),
        "origin_country_iso3": country("origin_country"),
        "transit_country_iso3": country("transit_country"),
        "victim_nationality_iso3": country("victim_nationality"),
        "victim_count": number("victim_count"),
        "language": (cell("language") or metadata.get("default_language", "en")).lower(),
        "source_reliability": reliability,
        "info_credibility": credibility,
        "summary": scrub_text(cell("summary")),
        "url": None,
        "exploitation_types": [],
        "means_of_control": [],
    }
    record.update({k: v for k, v in walk.defaults.items() if k not in ("grading", "reported_at")})
    record.update(mapped)
    return record


def collect_partner(path: Path, metadata: dict[str, Any]) -> CollectResult:
    """Read a partner CSV through its crosswalk.

    Parameters
    ----------
    path : Path
        The CSV file.
    metadata : dict
        Catalog metadata: ``source_name``, ``crosswalk``, optional ``date_format``,
        ``encoding``, ``delimiter``, ``default_grading``, ``source_type``.

    Returns
    -------
    CollectResult
        Candidates, rejects (unmapped categories and unreadable cells, each named) and
        ``notes["unmapped"]`` (a table of partner values the crosswalk lacks).
    """
    walk = load_crosswalk(metadata["crosswalk"])
    delimiter = metadata.get("delimiter", ",")
    frame, bad_lines = read_partner_csv(path, metadata.get("encoding"), delimiter,
                                        int(metadata.get("max_bytes", MAX_BYTES)))
    needed = [c for f, c in walk.columns.items() if f in ("record_id", "reported_at")]
    needed += [fm.source_column for fm in walk.fields]
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        hint = ""
        header = " ".join(map(str, frame.columns))
        for sep in (";", "\t", "|", ","):
            if sep != delimiter and sep in header:
                hint = f" (the header contains {sep!r}: is the delimiter {sep!r}, not {delimiter!r}?)"
                break
        raise PartnerFileError(f"{path}: missing required column(s) {missing}; has {list(frame.columns)[:20]}{hint}")
    if frame.empty and path.stat().st_size > 0 and not bad_lines:
        raise PartnerFileError(f"{path}: no records read from a non-empty file (header only?)")
    mapped, unmapped = walk.apply(frame)
    sha = file_sha256(path)
    by_row: dict[int, list[str]] = {}
    for u in unmapped:
        by_row.setdefault(u.row, []).append(f"column {u.field!r}={u.value!r}: not in crosswalk {walk.name!r}")
    rid_col = walk.columns.get("record_id")
    rows, rejected = [], list(bad_lines)
    # a crosswalk without categorical fields maps nothing: every row still becomes a record
    categories = mapped.to_dict("records") if len(mapped.columns) else [{} for _ in range(len(frame))]
    for pos, (row, cats) in enumerate(zip(frame.to_dict("records"), categories)):
        where = f"row {pos + 2} ({row.get(rid_col, '')})"  # +2: header line, 1-based
        if pos in by_row:
            rejected.append(reject(where, "; ".join(by_row[pos]), row))
            continue
        try:
            rows.append(partner_record(row, cats, walk, metadata["source_name"], metadata,
                                       fallback_id=f"{sha[:12]}:{pos + 2}"))
        except (ValueError, OverflowError) as exc:
            rejected.append(reject(where, str(exc), row))
        except (TypeError, AttributeError) as exc:  # shapes no rule foresaw: still a named reject
            rejected.append(reject(where, f"unreadable record ({type(exc).__name__}: {exc})", row))
    candidates = complete_unknowns(locate(pd.DataFrame(rows))) if rows else pd.DataFrame()
    return CollectResult(candidates, rejects_frame(rejected), sha,
                         notes={"unmapped": unmapped_report(unmapped)})
