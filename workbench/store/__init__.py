"""The curated store: immutable Parquet batches, a manifest, DuckDB for queries.

Layout under the store root::

    manifest.json              the committed batches (the only source of truth)
    incidents/part-<batch>.parquet
    quarantine/part-<batch>.parquet
    mentions/part-<batch>.parquet     open sources: every article of a story (incident_id, outlet, url...)
    signatures/part-<batch>.parquet   open sources: each article's MinHash signature (near-duplicates)
    volume/part-<batch>.parquet       open sources: every item seen (country, day, relevant), for media volume
    aggregates/part-<batch>.parquet   published aggregate counts (country x year x sex x age x type), censored
                                      values kept as intervals (value_lower, value_upper)
    flows/part-<batch>.parquet        country flow lists (origin, destination, year, count)
    .lock                      serialises writers (fcntl)

An ingest writes its Parquet files first and then commits by atomically replacing
``manifest.json``. Readers only read files the manifest lists, so an ingest killed
mid-way leaves the store exactly as it was; its orphan files are removed by the next
writer. A file already ingested (same catalog entry, same SHA-256) adds nothing, and a
record already stored (same ``incident_id``) is not stored twice. Every row that comes
in is accounted for: ``rows_in == new + already_stored + quarantined``.

Open sources add near-duplicate clustering (:mod:`workbench.collect.dedupe`): a new
article that is a copy of a story stored in the recent window (``dedupe_window_days``,
14 by default) or earlier in the same batch is not a new incident; it is *merged*: kept
as a row of the ``mentions`` table under the story's incident. Old batches are never
rewritten: an incident's ``mention_count`` is counted from the mentions table by the
``incidents`` view. For those sources every item read is accounted for:
``items == new + already_stored + quarantined + not_relevant + merged`` (``rows_in``
then counts the records that reached the incident table or the quarantine, so
``rows_in == new + already_stored + quarantined`` holds for every batch).

Fix and re-ingest: ``ingest(..., replace=True)`` re-reads a catalog entry whose file was
already ingested and replaces every earlier batch of that entry in the same atomic
manifest write (the old batches' records are not counted as already stored; their files
are removed once the new manifest is committed).
"""

from workbench.exceptions import ReconciliationError, StoreLockTimeout
from workbench.store.read import StoreReader
from workbench.store.report import IngestReport, skipped_report
from workbench.store.tables import (DEDUPE_WINDOW_DAYS, FILE_KINDS, MANIFEST_VERSION, MENTION_COLUMNS,
                                    QUARANTINE_COLUMNS, TABLE_COLUMNS, VOLUME_COLUMNS, _article_side, _canonical,
                                    _empty, _empty_quarantine, _empty_signatures, _quarantine_rows, _raw_json,
                                    _top_reasons, _write_parquet_atomic, _write_text_atomic)
from workbench.store.write import Store

__all__ = ["DEDUPE_WINDOW_DAYS", "FILE_KINDS", "MANIFEST_VERSION", "MENTION_COLUMNS", "QUARANTINE_COLUMNS",
           "TABLE_COLUMNS", "VOLUME_COLUMNS", "ReconciliationError", "StoreLockTimeout", "IngestReport", "Store",
           "StoreReader", "skipped_report"]
