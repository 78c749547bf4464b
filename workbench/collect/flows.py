"""Country flow lists: ``Origin,Destination[,year][,count]`` lines, e.g. from TIP reports.

One line per flow, countries by any common name or code (official UN names such as
``Iran (Islamic Republic of)``, ``Republic of Korea``; ISO-2/ISO-3), an optional header
line, optional ``year`` and ``count`` columns. The year comes from the line, else the
catalog entry (``metadata.year``), else the one year in the file name
(``tip_flows_2019.txt``). Unquoted names that contain a comma (``Korea, Republic of``)
are resolved by trying where the line splits into two known countries. Flows go to the
store's ``flows`` table (``catalog.load("flows")``), read by the routes analysis; a line
naming something that is not a country is quarantined with the name.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.collect.base import CollectResult, file_sha256, reject, rejects_frame
from workbench.collect.files import MAX_BYTES, decode_text, read_source_bytes
from workbench.collect.periods import year_in_name
from workbench.places.countries import to_iso3, to_iso3_exact

_HEADER_WORDS = {"origin", "destination", "from", "to", "source", "country of origin", "country of destination",
                 "origincountry", "destinationcountry", "year", "count", "victims"}


def _split_pair(cells: list[str]) -> tuple[str, str, list[str]] | None:
    """Split the cells of a line into (origin, destination, rest) with both names countries."""
    rest_start = len(cells)
    while rest_start > 2 and re.fullmatch(r"\s*\d+(\.0)?\s*", cells[rest_start - 1] or ""):
        rest_start -= 1
    names, rest = cells[:rest_start], cells[rest_start:]
    if len(names) == 2:
        return names[0].strip(), names[1].strip(), rest
    # "Korea, Democratic People's Republic of,China": try each split point, exact names first
    splits = [(",".join(names[:cut]).strip(), ",".join(names[cut:]).strip()) for cut in range(1, len(names))]
    for resolve in (to_iso3_exact, to_iso3):
        found = [(o, d) for o, d in splits if resolve(o) and resolve(d)]
        if len(found) == 1:
            return found[0][0], found[0][1], rest
    return None


def collect_flows(path: Path, metadata: dict[str, Any]) -> CollectResult:
    """Read a flow list into ``flows`` rows.

    Parameters
    ----------
    path : Path
        A text/CSV file.
    metadata : dict
        ``source_name``; optional ``year``, ``encoding``, ``delimiter`` (``,``).

    Returns
    -------
    CollectResult
        ``candidates`` in the flows table's columns (``notes["table"] == "flows"``); lines
        naming no country as rejects.
    """
    text = decode_text(read_source_bytes(path, int(metadata.get("max_bytes", MAX_BYTES))), path,
                       metadata.get("encoding"))
    file_year = metadata.get("year") or year_in_name(path.name)
    sha = file_sha256(path)
    rows, rejected = [], []
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=metadata.get("delimiter", ",")))
    columns: dict[str, int] = {}
    for number, cells in enumerate(lines, start=1):
        if not cells or not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        folded = [c.strip().lower() for c in cells]
        if not rows and not rejected and not columns and any(c in _HEADER_WORDS for c in folded) \
                and not (to_iso3(cells[0]) and to_iso3(cells[1] if len(cells) > 1 else "")):
            columns = {c: i for i, c in enumerate(folded)}
            continue
        raw = ",".join(cells)
        label = f"line {number}"
        year_cell = count_cell = None
        if columns:
            get = lambda *names: next((cells[columns[n]].strip() for n in names  # noqa: E731
                                       if n in columns and columns[n] < len(cells)), None)
            origin = get("origin", "origincountry", "from", "country of origin", "source")
            destination = get("destination", "destinationcountry", "to", "country of destination")
            year_cell, count_cell = get("year"), get("count", "victims")
        else:
            pair = _split_pair(cells)
            if pair is None:
                rejected.append(reject(label, f"not two known countries: {raw[:80]!r}", raw))
                continue
            origin, destination, rest = pair
            numbers = [int(float(c)) for c in rest]
            if len(numbers) >= 2:  # origin, destination, year, count
                year_cell, count_cell = str(numbers[0]), str(numbers[1])
            elif numbers and 1990 <= numbers[0] <= 2099 and (not file_year or numbers[0] == int(file_year)):
                year_cell = str(numbers[0])
            elif numbers:
                count_cell = str(numbers[0])
        o_iso, d_iso = to_iso3(origin), to_iso3(destination)
        problems = [f"{which} {name!r}: not a known country" for which, name, iso in
                    (("origin", origin, o_iso), ("destination", destination, d_iso)) if iso is None]
        year = year_cell or file_year
        if year is not None and not re.fullmatch(r"(19|20)\d\d(\.0)?", str(year)):
            problems.append(f"year {str(year)[:20]!r}: not a year")
        if count_cell not in (None, "") and not re.fullmatch(r"\d+(\.0)?", str(count_cell)):
            problems.append(f"count {str(count_cell)[:20]!r}: not a count")
        if problems:
            rejected.append(reject(label, "; ".join(problems), raw))
            continue
        rows.append({
            "record_id": f"{sha[:12]}:{number}", "source_name": metadata["source_name"],
            "origin_iso3": o_iso, "destination_iso3": d_iso,
            "year": int(float(year)) if year is not None else None,
            "count": int(float(count_cell)) if count_cell not in (None, "") else None,
        })
    candidates = pd.DataFrame(rows, columns=["record_id", "source_name", "origin_iso3", "destination_iso3", "year",
                                             "count"])
    notes: dict[str, Any] = {"table": "flows", "assumptions": []}
    if file_year and not columns:
        notes["assumptions"].append(f"year {file_year} from the " + ("catalog entry" if metadata.get("year")
                                                                     else "file name"))
    if len(candidates) and candidates["count"].isna().all():
        notes["assumptions"].append("no counts in the file: each line is one reported flow (count unknown)")
    return CollectResult(candidates, rejects_frame(rejected), sha, notes=notes)
