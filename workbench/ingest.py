"""Ingest: collect every raw source named in the catalogs into the curated store."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from workbench import catalog
from workbench.collect import collect, file_sha256
from workbench.collect.bulk import bulk_chunks, incident_ids
from workbench.exceptions import EmptyReadError
from workbench.store import DEDUPE_WINDOW_DAYS, IngestReport, Store, skipped_report


def ingest_entry(name: str, store: Store | None = None, replace: bool = False) -> IngestReport:
    """Collect one catalog source and commit it to the store.

    Parameters
    ----------
    name : str
        A catalog entry whose metadata names a ``collector``.
    store : Store, optional
        Target store; the catalog's store by default.
    replace : bool
        Re-read the file even if it was ingested, and replace the entry's earlier
        batches atomically (after fixing a crosswalk or the catalog entry).

    Returns
    -------
    IngestReport
        Counts that reconcile (rows in = stored + quarantined; for open sources, items =
        stored + quarantined + not relevant + merged duplicates), or a skip.

    Raises
    ------
    EmptyReadError
        When a non-empty file yields no record at all (nothing is recorded as ingested,
        so the fixed entry can be ingested again).
    """
    meta = catalog.metadata(name)
    if not meta.get("collector"):
        raise ValueError(f"catalog entry {name!r} is not a raw source (its metadata names no collector)")
    store = store or Store(catalog.store_root())
    path = catalog.source_path(name)  # confined to the workspace, a regular file: checked before hashing
    sha = file_sha256(path)
    done = None if replace else store.ingested_batch(name, sha)
    if done:  # unchanged file: do not even parse it again
        return skipped_report(name, sha, 0, done)
    if meta.get("collector") == "bulk":  # a large export: each checked chunk is written as it is read
        return _ingest_bulk(name, path, meta, sha, store, replace)
    result = collect(path, meta)
    validated = bool(result.notes.get("validated"))  # checked, filed and given ids by the collector (bulk)
    if str(result.notes.get("table", "incidents")) == "incidents" and not validated:  # aggregates, flows: no ids
        file_under_catalog_source(result.candidates, meta)
    items = int(result.notes.get("items", result.rows_in))
    if items == 0 and path.is_file() and path.stat().st_size > 0:
        raise EmptyReadError(
            f"{path}: {path.stat().st_size:,} bytes but 0 records read by collector {meta['collector']!r}; "
            "not recorded as ingested (check the collector, crosswalk or format options of the entry)")
    report = store.ingest(
        result.candidates,
        result.rejects,
        catalog_entry=name,
        source_file_sha256=result.source_file_sha256,
        rows_in=result.rows_in,
        not_relevant=int(result.notes.get("not_relevant", 0)),
        media_items=result.notes.get("media_volume"),
        dedupe_window_days=int(meta.get("dedupe_window_days", DEDUPE_WINDOW_DAYS)),
        replace=replace,
        table=str(result.notes.get("table", "incidents")),
        validated=validated,
    )
    report.notes = {k: v for k, v in result.notes.items()
                    if k in ("items", "not_relevant", "malformed", "age_bands", "assumptions")}
    if "unmapped" in result.notes and len(result.notes["unmapped"]):
        report.notes["unmapped"] = result.notes["unmapped"].to_dict("records")
    return report


def _ingest_bulk(name: str, path: Path, meta: dict, sha: str, store: Store, replace: bool) -> IngestReport:
    """Stream a bulk export into the store chunk by chunk (:meth:`Store.ingest_chunks`)."""
    _, chunks = bulk_chunks(path, meta, sha)

    def counted() -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        items = 0
        for good, bad in chunks:
            items += len(good) + len(bad)
            yield good, bad
        if items == 0 and path.is_file() and path.stat().st_size > 0:  # raised before anything is committed
            raise EmptyReadError(
                f"{path}: {path.stat().st_size:,} bytes but 0 records read by collector 'bulk'; not recorded as "
                "ingested (check the collector, crosswalk or format options of the entry)")

    report = store.ingest_chunks(counted(), catalog_entry=name, source_file_sha256=sha, replace=replace)
    report.notes = {}
    return report


def file_under_catalog_source(candidates, metadata: dict) -> None:
    """File every candidate under the source its catalog entry declares, with our own ids.

    Whatever a collector or a file said, ``source_name`` becomes the entry's
    ``metadata.source_name`` and ``incident_id`` the hash of that name and the record's
    id (:func:`workbench.schema.incident_id`), so no file can put records into another
    source or take another source's ids.

    Parameters
    ----------
    candidates : pandas.DataFrame
        A collector's candidates (changed in place).
    metadata : dict
        The catalog entry's metadata (``source_name`` required).

    Raises
    ------
    ValueError
        When the entry declares no ``source_name``.
    """
    source = str(metadata.get("source_name") or "").strip()
    if not source:
        raise ValueError("the catalog entry declares no metadata.source_name")
    if not len(candidates):
        return
    candidates["source_name"] = source
    if "source_record_id" in candidates.columns:
        rid = candidates["source_record_id"].astype("string")
        candidates["incident_id"] = incident_ids(candidates["source_name"].astype("string"), rid).astype(object)


def ingest_all(names: Iterable[str] | None = None, store: Store | None = None) -> list[IngestReport]:
    """Ingest several sources (all of the catalogs' sources by default).

    Parameters
    ----------
    names : iterable of str, optional
        Entry names; every source entry when omitted.
    store : Store, optional
        Target store.

    Returns
    -------
    list of IngestReport
        One per source, in order.
    """
    chosen = list(names) if names is not None else [e.name for e in catalog.sources()]
    return [ingest_entry(name, store) for name in chosen]
