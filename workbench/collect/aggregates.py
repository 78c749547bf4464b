"""Published aggregate counts: the UNODC GLOTIP layout and any tidy count table.

Counts per country x year (x sex x age x form of exploitation) are not incidents: they go
to the store's ``aggregates`` table (:data:`workbench.schema.AGGREGATE_COLUMNS`), read with
``catalog.load("aggregates")``. Two shapes are read, from ``.xlsx``/``.xls`` (the first
sheet, or ``metadata.sheet``) or ``.csv``:

* the GLOTIP data release: banner rows above the header (found automatically), then
  ``Iso3_code, Country, Region, Subregion, Indicator, Dimension, Category, Sex, Age, Year,
  Unit of measurement, txtVALUE, Source``;
* any tidy table with a country column (ISO-2, ISO-3 or a name), ``year`` and ``value``
  (or ``count``), optionally ``sex``, ``age``, ``type``/``exploitation_type``.

Values are parsed as published: ``2,315`` is 2315; a censored value such as ``<5`` is kept
as the interval [1, 4] (``censored`` true, the text in ``value_text``), never replaced by
a number; ``..``, ``-`` or blank is a value not given (both bounds missing). A row whose
country is not a country, whose year is not a year, or whose value is not a count is
quarantined with the row and column named.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.collect.base import CollectResult, file_sha256, reject, rejects_frame
from workbench.collect.partner import read_partner_csv
from workbench.places.countries import to_iso3
from workbench.schema import AGGREGATE_COLUMNS

#: Our column -> accepted header names (folded: lower case, letters and digits only).
ALIASES: dict[str, tuple[str, ...]] = {
    "iso3": ("iso3code", "iso3", "countryiso3", "iso", "iso2", "countrycode"),
    "country": ("country", "countryname", "countryorarea", "nationality"),
    "year": ("year", "period", "timeperiod"),
    "value": ("txtvalue", "value", "count", "obsvalue", "victims", "n", "number"),
    "sex": ("sex", "gender"),
    "age": ("age", "agegroup", "ageband"),
    "type": ("exploitationtype", "formofexploitation", "type", "exploitation"),
    "indicator": ("indicator",),
    "dimension": ("dimension",),
    "category": ("category",),
    "unit": ("unitofmeasurement", "unit"),
    "source": ("source",),
}

#: Published category text (folded) -> exploitation type code.
EXPLOITATION_NAMES = {
    "sexual exploitation": "sexual_exploitation", "forced labour": "forced_labour",
    "forced labor": "forced_labour", "trafficking for forced labour": "forced_labour",
    "domestic servitude": "domestic_servitude", "forced marriage": "forced_marriage",
    "organ removal": "organ_removal", "removal of organs": "organ_removal",
    "forced criminal activity": "forced_criminality", "forced criminality": "forced_criminality",
    "begging": "forced_begging", "forced begging": "forced_begging",
    "other purposes": "other_exploitation", "other forms of exploitation": "other_exploitation",
    "mixed exploitation": "other_exploitation", "other": "other_exploitation",
}

_NOT_GIVEN = frozenset({"", "..", "...", "-", "–", "n/a", "na", "nan", "x", ":"})
_CENSORED = re.compile(r"^\s*(<=?|≤|>=?|≥)\s*([\d.,\s]+)\s*$")


def _fold(name: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def parse_count(text: Any) -> tuple[float, float, bool]:
    """Parse a published count into an interval.

    Parameters
    ----------
    text : Any
        ``"2,315"``, ``"2 315"``, ``12``, ``"<5"`` (1 to 4), ``"<=5"`` (1 to 5), ``">100"``
        (101 and up), ``".."`` or blank (not given).

    Returns
    -------
    tuple
        ``(lower, upper, censored)``; NaN bounds when not given (upper NaN for ``>N``).

    Raises
    ------
    ValueError
        When the text is not a count.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return math.nan, math.nan, False
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
        if value < 0:
            raise ValueError(f"{text!r} is negative")
        return value, value, False
    raw = str(text).strip()
    if raw.lower() in _NOT_GIVEN:
        return math.nan, math.nan, False
    m = _CENSORED.match(raw)
    if m:
        bound = _number(m.group(2))
        op = m.group(1)
        if op in ("<", ):
            return 1.0, bound - 1, True
        if op in ("<=", "≤"):
            return 1.0, bound, True
        if op in (">",):
            return bound + 1, math.nan, True
        return bound, math.nan, True
    value = _number(raw)
    return value, value, False


def _number(raw: str) -> float:
    text = raw.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")  # thousands separators: 2,315
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{raw[:40]!r} is not a count") from None
    if value < 0 or math.isnan(value):
        raise ValueError(f"{raw[:40]!r} is not a count")
    return value


def _read_table(path: Path, metadata: dict[str, Any]) -> tuple[pd.DataFrame, int]:
    """The table as strings, and the 1-based row number of its header in the file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raw = pd.read_excel(path, sheet_name=metadata.get("sheet", 0), header=None, dtype=object)
    else:
        frame, _ = read_partner_csv(path, metadata.get("encoding"), metadata.get("delimiter", ","))
        raw = pd.concat([pd.DataFrame([list(frame.columns)]), pd.DataFrame(frame.to_numpy())], ignore_index=True)
    wanted = {a for names in ALIASES.values() for a in names}
    header_at = None
    for i in range(min(len(raw), 30)):  # banner rows above the header: the first row naming 3+ known columns
        cells = [_fold(c) for c in raw.iloc[i].tolist() if c is not None and not pd.isna(c)]
        if sum(c in wanted for c in cells) >= 3:
            header_at = i
            break
    if header_at is None:
        raise ValueError(f"{path}: no header row with a country, year and value column in the first 30 rows")
    header = [str(c).strip() if c is not None and not pd.isna(c) else f"column_{j + 1}"
              for j, c in enumerate(raw.iloc[header_at].tolist())]
    body = raw.iloc[header_at + 1:].reset_index(drop=True)
    body.columns = header
    body = body.dropna(how="all")
    return body, header_at + 1


def _columns(body: pd.DataFrame, metadata: dict[str, Any], path: Path) -> dict[str, str]:
    """Our field -> the table's column (known aliases, then the entry's ``columns``); raises without the
    country, year and value columns."""
    folded = {_fold(c): c for c in body.columns}
    col: dict[str, str] = {}
    for ours, names in ALIASES.items():
        for name in names:
            if name in folded:
                col[ours] = folded[name]
                break
    col.update(dict(metadata.get("columns") or {}))
    if "year" not in col or "value" not in col or not ({"iso3", "country"} & set(col)):
        raise ValueError(f"{path}: needs a country (ISO code or name), a year and a value column; "
                         f"found {sorted(col)} in header {list(body.columns)[:15]}")
    return col


def _notes(header_row: int, candidates: pd.DataFrame) -> dict[str, Any]:
    """How the table was read: the header row, censored values."""
    notes: dict[str, Any] = {"table": "aggregates", "assumptions": [
        f"header found on row {header_row}" + (f" ({header_row - 1} banner row(s) above it)" if header_row > 1 else ""),
        "censored values such as <5 stored as intervals (value_lower 1, value_upper 4), never as a number",
    ]}
    n_censored = int(candidates["censored"].sum()) if len(candidates) else 0
    if n_censored:
        notes["assumptions"].append(f"{n_censored} censored value(s)")
    return notes

def collect_aggregates(path: Path, metadata: dict[str, Any]) -> CollectResult:
    """Read a GLOTIP-style or tidy aggregate count table into ``aggregates`` rows.

    Parameters
    ----------
    path : Path
        ``.xlsx``/``.xls`` or ``.csv``.
    metadata : dict
        ``source_name``; optional ``sheet``, ``encoding``, ``delimiter``, ``columns``
        (our name -> the file's header, overriding the automatic match), ``indicator``
        (keep only rows of this indicator: the others are not read, and counted in
        ``notes``).

    Returns
    -------
    CollectResult
        ``candidates`` in the aggregates table's columns (``notes["table"] ==
        "aggregates"``), wrong rows as rejects.

    Raises
    ------
    ValueError
        When no header with a country, year and value column is found.
    """
    body, header_row = _read_table(path, metadata)
    col = _columns(body, metadata, path)
    sha = file_sha256(path)
    rows, rejected = [], []
    for pos, rec in enumerate(body.to_dict("records")):
        line = header_row + 1 + int(body.index[pos])
        label = f"row {line}"

        def text(key: str) -> str | None:
            value = rec.get(col[key]) if key in col else None
            if value is None or (isinstance(value, float) and math.isnan(value)):
                return None
            value = str(value).strip()
            return value or None

        raw = {k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)) for k, v in rec.items()}
        try:
            code, name = text("iso3"), text("country")
            iso = to_iso3(code) if code else None
            if iso is None and name:
                iso = to_iso3(name)
            if iso is None:
                raise ValueError(f"column {col.get('iso3', col.get('country'))!r}={(code or name or '')[:40]!r}: "
                                 "not a country (aggregates are per country)")
            year_text = text("year")
            if year_text is None or not re.fullmatch(r"(19|20)\d\d(\.0)?", year_text):
                raise ValueError(f"column {col['year']!r}={(year_text or '')[:40]!r}: not a year")
            value = rec.get(col["value"])
            try:
                lower, upper, censored = parse_count(value)
            except ValueError as exc:
                raise ValueError(f"column {col['value']!r}: {exc}") from None
        except ValueError as exc:
            rejected.append(reject(label, str(exc), raw))
            continue
        year = int(float(year_text))
        category = text("category")
        kind = text("type") or (category if "exploit" in (text("dimension") or "").lower() else None)
        rows.append({
            "record_id": f"{sha[:12]}:{line}", "source_name": metadata["source_name"], "country_iso3": iso,
            "year": year, "period_start": pd.Timestamp(year, 1, 1), "period_precision": "year",
            "indicator": text("indicator"), "dimension": text("dimension"), "category": category,
            "sex": text("sex"), "age": text("age"),
            "exploitation_type": EXPLOITATION_NAMES.get(" ".join((kind or "").lower().split())) if kind else None,
            "unit": text("unit"), "value_lower": lower, "value_upper": upper, "censored": censored,
            "value_text": None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value),
        })
    columns = [c for c in AGGREGATE_COLUMNS if c not in ("catalog_entry", "source_file_sha256", "batch_id")]
    candidates = pd.DataFrame(rows, columns=columns)
    return CollectResult(candidates, rejects_frame(rejected), sha, notes=_notes(header_row, candidates))
