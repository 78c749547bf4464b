"""One definition of "rows in", shared by ingest, status and doctor.

**Rows in** are the records read from a source file: for an open source every item read
(articles not about trafficking and near-duplicate copies included), for every other
source every record parsed or rejected. They always balance:

``rows in = stored (new + already stored) + quarantined + not relevant + merged duplicates``

where the last two are zero for sources other than open sources.
"""

from __future__ import annotations

from typing import Any, Mapping

#: Counts that add up to rows in, in the order they are shown.
PARTS = ("new", "already_stored", "quarantined", "not_relevant", "merged")


def rows_in(counts: Mapping[str, Any]) -> int:
    """Rows in of a batch (a manifest entry) or an ingest report's counts.

    Parameters
    ----------
    counts : mapping
        With ``rows_in`` (records that reached the incidents table or the quarantine) and,
        for open sources, ``not_relevant`` and ``merged``.

    Returns
    -------
    int
        Everything read from the file.
    """
    return int(counts.get("rows_in", 0) or 0) + int(counts.get("not_relevant", 0) or 0) + int(
        counts.get("merged", 0) or 0)


def balance(counts: Mapping[str, Any]) -> str:
    """The accounting line: ``rows in N = stored S + quarantined Q [+ not relevant R + merged D]``.

    Parameters
    ----------
    counts : mapping
        As for :func:`rows_in`, plus ``new``, ``already_stored`` and ``quarantined``.

    Returns
    -------
    str
        One line.
    """
    stored = int(counts.get("new", 0) or 0) + int(counts.get("already_stored", 0) or 0)
    line = f"rows in {rows_in(counts):,} = stored {stored:,} + quarantined {int(counts.get('quarantined', 0) or 0):,}"
    if counts.get("not_relevant") or counts.get("merged"):
        line += (f" + not relevant {int(counts.get('not_relevant', 0) or 0):,} + merged duplicates "
                 f"{int(counts.get('merged', 0) or 0):,}")
    return line
