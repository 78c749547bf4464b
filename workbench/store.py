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

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from workbench.accounting import rows_in as accounted_rows_in
from workbench.collect.dedupe import assign_stories, merge_story_keys
from workbench.exceptions import ReconciliationError, StoreLockTimeout
from workbench.schema import (AGGREGATE_COLUMNS, COLUMNS, FLOW_COLUMNS, empty_incidents, validate_incidents,
                              validated_incidents)

MANIFEST_VERSION = 1
QUARANTINE_COLUMNS = {
    "batch_id": "string",
    "catalog_entry": "string",
    "source_file_sha256": "string",
    "record": "string",
    "reason": "string",
    "raw": "string",
    "quarantined_at": "datetime64[ns, UTC]",
}
MENTION_COLUMNS = {
    "incident_id": "string",
    "mention_id": "string",
    "outlet": "string",
    "url": "string",
    "published": "datetime64[ns, UTC]",
    "language": "string",
    "source_record_id": "string",
    "catalog_entry": "string",
    "batch_id": "string",
}
VOLUME_COLUMNS = {"item_id": "string", "country_iso3": "string", "ds": "datetime64[ns]", "relevant": "bool",
                  "catalog_entry": "string", "batch_id": "string"}
#: Tables other than incidents that a collector may fill (``CollectResult.notes["table"]``).
TABLE_COLUMNS = {"aggregates": AGGREGATE_COLUMNS, "flows": FLOW_COLUMNS}
#: Kinds of data file a batch may list in the manifest (each under ``<root>/<kind>/``).
FILE_KINDS = ("incidents", "quarantine", "mentions", "signatures", "volume", "aggregates", "flows")
#: Days before/after a new article within which stored articles are compared for near-duplicates.
DEDUPE_WINDOW_DAYS = 14


@dataclass
class IngestReport:
    """What one ingest did.

    Attributes
    ----------
    catalog_entry : str
        The catalog entry read.
    source_file_sha256 : str
        Hash of the file read.
    batch_id : str or None
        The committed batch, or None when nothing was committed.
    rows_in : int
        Records read from the source (parsed + rejected); for open sources, counted after
        near-duplicate copies were merged (``merged``) and without items not about
        trafficking (``not_relevant``), so ``rows_in == new + already_stored + quarantined``
        always; :attr:`items` counts everything read.
    new : int
        Records stored by this ingest.
    already_stored : int
        Records whose id was already in the store (kept once, not added).
    quarantined : int
        Records rejected, each with its reason in the quarantine table.
    skipped_reason : str or None
        Why the whole file was skipped (e.g. already ingested), if it was.
    top_reasons : dict
        Most frequent quarantine reasons (field-level) and their counts.
    notes : dict
        The collector's notes shown to the analyst.
    not_relevant : int
        Open sources: items read but not about trafficking (counted, not stored).
    merged : int
        Open sources: articles that are near-duplicate copies of a story stored earlier
        or earlier in this batch; kept as mentions of that story's incident.
    osint : bool
        Whether the source is an open source (the report line then accounts for items).
    table : str
        The store table the records went to (``incidents``, ``aggregates`` or ``flows``).
    replaced : list of str
        Batches of the same entry this ingest replaced (``--replace``).
    """

    catalog_entry: str
    source_file_sha256: str
    batch_id: str | None
    rows_in: int
    new: int
    already_stored: int
    quarantined: int
    skipped_reason: str | None = None
    top_reasons: dict[str, int] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    not_relevant: int = 0
    merged: int = 0
    osint: bool = False
    table: str = "incidents"
    replaced: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Records of this source present in the store after the ingest."""
        return self.new + self.already_stored

    @property
    def items(self) -> int:
        """Everything read (rows in as :func:`workbench.accounting.rows_in` defines it)."""
        return accounted_rows_in({"rows_in": self.rows_in, "not_relevant": self.not_relevant, "merged": self.merged})

    def __str__(self) -> str:
        head = f"{self.catalog_entry}: "
        if "malformed" in self.notes:
            head += f"[WARNING: {self.notes['malformed']}] "
        if self.skipped_reason:
            return head + f"skipped ({self.skipped_reason}); nothing added"
        if self.replaced:
            head += f"[replaced {len(self.replaced)} earlier batch(es)] "
        if self.table != "incidents":
            return head + f"rows in {self.items} = stored {self.stored} (in {self.table}) + quarantined {self.quarantined}"
        if self.osint or self.not_relevant or self.merged:
            return head + (
                f"rows in {self.items} = stored {self.stored} (new {self.new}, already stored "
                f"{self.already_stored}) + quarantined {self.quarantined} + not relevant {self.not_relevant} "
                f"+ merged duplicates {self.merged}"
            )
        return head + (
            f"rows in {self.items} = stored {self.stored} (new {self.new}, already stored "
            f"{self.already_stored}) + quarantined {self.quarantined}"
        )


class Store:
    """The curated incident store.

    Parameters
    ----------
    root : str or Path
        Folder of the store; created on first write.
    lock_timeout : float
        Seconds a writer waits for another writer before giving up.
    """

    def __init__(self, root: str | Path, lock_timeout: float = 600.0) -> None:
        self.root = Path(root)
        self.lock_timeout = lock_timeout
        self._hidden: frozenset[str] = frozenset()  # batches being replaced, invisible to the ingest

    # -- layout -----------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        """Path of the manifest that lists committed batches."""
        return self.root / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        """Read the manifest.

        Returns
        -------
        dict
            ``{"version": 1, "batches": [...]}``; empty when the store is new.
        """
        if not self.manifest_path.exists():
            return {"version": MANIFEST_VERSION, "batches": []}
        return json.loads(self.manifest_path.read_text("utf-8"))

    def batches(self) -> pd.DataFrame:
        """Return the committed batches as a table (the ingest ledger).

        Returns
        -------
        pandas.DataFrame
            One row per batch: ids, source, hash, counts and time.
        """
        rows = [{k: v for k, v in b.items() if k != "files"} for b in self.manifest()["batches"]]
        return pd.DataFrame(rows)

    def _files(self, kind: str) -> list[str]:
        """Committed data files of one kind, relative to the root."""
        return [f for b in self.manifest()["batches"] if b["batch_id"] not in self._hidden
                for f in b.get("files", {}).get(kind, [])]

    # -- reading ----------------------------------------------------------------------
    def connect(self):  # -> duckdb.DuckDBPyConnection
        """Open an in-memory DuckDB connection with views over the committed data.

        Views: ``incidents`` (with ``mention_count`` counted from the mentions),
        ``quarantine``, ``batches``, ``mentions`` (one row per article of an open-source
        story), ``signatures`` (their MinHash signatures), ``media_items`` (every item
        seen, once per item) and ``media_volume`` (``country_iso3, ds, items, relevant``).

        Returns
        -------
        duckdb.DuckDBPyConnection
            A connection; close it when done.
        """
        import duckdb

        con = duckdb.connect()
        empties = {"incidents": empty_incidents(), "quarantine": _empty_quarantine(),
                   "mentions": _empty(MENTION_COLUMNS), "signatures": _empty_signatures(),
                   "volume": _empty(VOLUME_COLUMNS), "aggregates": _empty(AGGREGATE_COLUMNS),
                   "flows": _empty(FLOW_COLUMNS)}
        for kind, empty in empties.items():
            view = {"incidents": "_incidents_raw", "volume": "media_items_all"}.get(kind, kind)
            files = [str(self.root / f) for f in self._files(kind)]
            if files:
                listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet([{listing}], union_by_name=true)")
            else:
                con.register(f"_{kind}_empty", empty)
                con.execute(f"CREATE VIEW {view} AS SELECT * FROM _{kind}_empty")
        columns = {row[0] for row in con.execute("DESCRIBE _incidents_raw").fetchall()}
        counted = "(SELECT incident_id, count(*)::BIGINT AS n FROM mentions GROUP BY incident_id)"
        if "mention_count" in columns:
            con.execute("CREATE VIEW incidents AS SELECT r.* REPLACE (COALESCE(m.n, r.mention_count) AS mention_count) "
                        f"FROM _incidents_raw r LEFT JOIN {counted} m ON r.incident_id = m.incident_id")
        else:  # a store written before mention counts existed
            con.execute("CREATE VIEW incidents AS SELECT r.*, m.n AS mention_count "
                        f"FROM _incidents_raw r LEFT JOIN {counted} m ON r.incident_id = m.incident_id")
        # an item re-read from a later copy of a feed is counted once
        con.execute("CREATE VIEW media_items AS SELECT item_id, any_value(country_iso3) AS country_iso3, "
                    "min(ds) AS ds, bool_or(relevant) AS relevant FROM media_items_all GROUP BY item_id")
        con.execute("CREATE VIEW media_volume AS SELECT country_iso3, ds, count(*)::BIGINT AS items, "
                    "count(*) FILTER (WHERE relevant)::BIGINT AS relevant FROM media_items GROUP BY ALL")
        con.register("batches", self.batches() if self.manifest()["batches"] else pd.DataFrame({"batch_id": []}))
        return con

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a SQL query over the store's views.

        Parameters
        ----------
        sql : str
            DuckDB SQL using the views ``incidents``, ``quarantine``, ``batches``.
        params : list, optional
            Positional parameters (``?``).

        Returns
        -------
        pandas.DataFrame
            The result.
        """
        con = self.connect()
        try:
            return con.execute(sql, params or []).df()
        finally:
            con.close()

    def incidents(self, where: str | None = None, params: list[Any] | None = None) -> pd.DataFrame:
        """Read stored incidents in canonical dtypes.

        Parameters
        ----------
        where : str, optional
            A SQL condition, e.g. ``"country_iso3 = ?"``.
        params : list, optional
            Its parameters.

        Returns
        -------
        pandas.DataFrame
            Incidents; list columns hold Python lists.
        """
        sql = "SELECT * FROM incidents" + (f" WHERE {where}" if where else "") + " ORDER BY incident_id"
        frame = self.query(sql, params)
        return _canonical(frame)

    def quarantine(self) -> pd.DataFrame:
        """Read the quarantine: every rejected record with its reason.

        Returns
        -------
        pandas.DataFrame
            Columns batch_id, catalog_entry, source_file_sha256, record, reason, raw,
            quarantined_at.
        """
        return self.query("SELECT * FROM quarantine ORDER BY quarantined_at, record")

    def mentions(self, where: str | None = None, params: list[Any] | None = None) -> pd.DataFrame:
        """Read the mentions: every stored article of an open-source story.

        Parameters
        ----------
        where : str, optional
            A SQL condition, e.g. ``"incident_id = ?"``.
        params : list, optional
            Its parameters.

        Returns
        -------
        pandas.DataFrame
            Columns incident_id (the story's incident), mention_id (the article's own
            id), outlet, url, published, language, source_record_id, catalog_entry,
            batch_id; ordered by incident and time.
        """
        sql = "SELECT * FROM mentions" + (f" WHERE {where}" if where else "") + " ORDER BY incident_id, published"
        frame = self.query(sql, params)
        frame["published"] = pd.to_datetime(frame["published"], utc=True)
        return frame.astype({c: t for c, t in MENTION_COLUMNS.items() if c in frame.columns})

    def media_volume(self) -> pd.DataFrame:
        """Read the media volume: open-source items seen per country and day.

        Returns
        -------
        pandas.DataFrame
            ``country_iso3`` (``"unknown"`` when no place was found), ``ds`` (day),
            ``items`` (every item seen once, relevant or not) and ``relevant`` (items
            about trafficking).
        """
        frame = self.query("SELECT * FROM media_volume ORDER BY country_iso3, ds")
        return frame.astype({"country_iso3": "string", "ds": "datetime64[ns]", "items": "int64",
                             "relevant": "int64"})

    def counts(self) -> dict[str, int]:
        """Count committed incidents, quarantined records and batches.

        Returns
        -------
        dict
            Keys ``incidents``, ``quarantined``, ``batches``.
        """
        con = self.connect()
        try:
            n_inc = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
            n_q = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
        finally:
            con.close()
        return {"incidents": int(n_inc), "quarantined": int(n_q), "batches": len(self.manifest()["batches"])}

    # -- writing ----------------------------------------------------------------------
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's writer lock (other writers wait, up to ``lock_timeout``).

        Raises
        ------
        StoreLockTimeout
            When the lock cannot be had in time.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as handle:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreLockTimeout(
                            f"store {self.root} is locked by another ingest for over {self.lock_timeout} s"
                        ) from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def ingest(
        self,
        candidates: pd.DataFrame,
        rejects: pd.DataFrame,
        *,
        catalog_entry: str,
        source_file_sha256: str,
        rows_in: int,
        ingested_at: pd.Timestamp | None = None,
        not_relevant: int = 0,
        media_items: pd.DataFrame | None = None,
        dedupe_window_days: int = DEDUPE_WINDOW_DAYS,
        replace: bool = False,
        table: str = "incidents",
        validated: bool = False,
    ) -> IngestReport:
        """Validate and commit one source file's records, atomically.

        Parameters
        ----------
        candidates : pandas.DataFrame
            Records the collector could parse, as candidate incidents (provenance columns
            are filled here).
        rejects : pandas.DataFrame
            Records the collector could not parse, with columns ``record``, ``reason`` and
            ``raw``.
        catalog_entry : str
            The catalog entry the file came from.
        source_file_sha256 : str
            SHA-256 of the file's bytes.
        rows_in : int
            Records read from the file; must equal ``len(candidates) + len(rejects)``.
        ingested_at : pandas.Timestamp, optional
            Ingest time (UTC); now by default.
        not_relevant : int
            Open sources: items read but not about trafficking (only counted).
        media_items : pandas.DataFrame, optional
            Open sources: every item seen (``item_id, country_iso3, ds, relevant``), kept
            for the media volume.
        dedupe_window_days : int
            Open sources: stored articles published this many days before or after a
            new one are compared with it for near-duplicates.
        replace : bool
            Re-read a file already ingested: every earlier batch of ``catalog_entry`` is
            replaced by this one in the same atomic commit.
        table : str
            ``incidents`` (default), or ``aggregates``/``flows`` for candidates already in
            that table's columns (:data:`TABLE_COLUMNS`); those rows are stored as they are.
        validated : bool
            The candidates already passed :func:`~workbench.schema.validate_incidents`
            part by part (the bulk collector checks each chunk as it reads it): each row
            is then not checked a second time; only ids repeated across the parts are
            rejected (:func:`~workbench.schema.validated_incidents`), with the same
            reason a full check gives.

        Returns
        -------
        IngestReport
            Counts that reconcile: rows in = new + already stored + quarantined. When
            the candidates carry ``minhash`` signatures (open sources), near-duplicate
            copies of a story are merged (``merged``) and the report's ``rows_in``
            counts records after merging.

        Raises
        ------
        ReconciliationError
            If any row would be unaccounted for.
        """
        if rows_in != len(candidates) + len(rejects):
            raise ReconciliationError(
                f"{catalog_entry}: rows in {rows_in} != parsed {len(candidates)} + rejected {len(rejects)}"
            )
        if table != "incidents" and table not in TABLE_COLUMNS:
            raise ValueError(f"no store table {table!r}; known: incidents, {', '.join(TABLE_COLUMNS)}")
        with self.lock():
            self._remove_orphans()
            manifest = self.manifest()
            replaced = [str(b["batch_id"]) for b in manifest["batches"] if b["catalog_entry"] == catalog_entry] \
                if replace else []
            done = None if replace else self.ingested_batch(catalog_entry, source_file_sha256)
            if done:
                return skipped_report(catalog_entry, source_file_sha256, rows_in, done)
            self._hidden = frozenset(replaced)
            try:
                report = self._commit(manifest, candidates, rejects, catalog_entry, source_file_sha256, rows_in,
                                      ingested_at, not_relevant, media_items, dedupe_window_days, replaced, table,
                                      validated)
            finally:
                self._hidden = frozenset()
            if replaced:
                self._remove_orphans()
            return report

    def _commit(self, manifest: dict[str, Any], candidates: pd.DataFrame, rejects: pd.DataFrame,
                catalog_entry: str, source_file_sha256: str, rows_in: int, ingested_at: pd.Timestamp | None,
                not_relevant: int, media_items: pd.DataFrame | None, dedupe_window_days: int,
                replaced: list[str], table: str, validated: bool = False) -> IngestReport:
        """Write one batch's files and commit the manifest (the caller holds the lock)."""
        now = ingested_at if ingested_at is not None else pd.Timestamp.now(tz="UTC")
        batch_id = f"{now:%Y%m%dT%H%M%S}-{source_file_sha256[:8]}-{uuid.uuid4().hex[:6]}"
        prov = {"catalog_entry": catalog_entry, "source_file_sha256": source_file_sha256,
                "ingested_at": now, "batch_id": batch_id}
        if table != "incidents":
            return self._commit_table(manifest, table, candidates, rejects, prov, rows_in, replaced)
        side = _article_side(candidates)
        candidates = candidates.assign(**prov)
        valid, schema_rejects = (validated_incidents if validated else validate_incidents)(candidates)
        existing = self._existing_ids(valid["incident_id"])
        is_old = valid["incident_id"].isin(existing).to_numpy()
        new = valid.loc[~is_old] if is_old.any() else valid
        mentions, signatures, merged = None, None, 0
        if side is not None:
            new, mentions, signatures = self._merge_stories(new, side, prov, dedupe_window_days)
            merged = len(mentions) - len(new)
        quarantine = pd.concat(
            [
                _quarantine_rows(rejects, prov),
                _quarantine_rows(
                    pd.DataFrame({
                        "record": schema_rejects["source_record_id"],
                        "reason": schema_rejects["reason"],
                        "raw": [_raw_json(r) for r in schema_rejects.drop(columns="reason").to_dict("records")],
                    }),
                    prov,
                ),
            ],
            ignore_index=True,
        )
        report = IngestReport(
            catalog_entry=catalog_entry,
            source_file_sha256=source_file_sha256,
            batch_id=batch_id,
            rows_in=rows_in - merged,
            new=len(new),
            already_stored=int(is_old.sum()),
            quarantined=len(quarantine),
            top_reasons=_top_reasons(quarantine["reason"]),
            not_relevant=int(not_relevant),
            merged=int(merged),
            osint=side is not None or media_items is not None,
            replaced=replaced,
        )
        if report.new + report.already_stored + report.quarantined + report.merged != rows_in:
            raise ReconciliationError(f"{catalog_entry}: {report} does not reconcile")
        volume = None
        if media_items is not None and len(media_items):
            volume = media_items.assign(catalog_entry=catalog_entry, batch_id=batch_id)[list(VOLUME_COLUMNS)]
            volume = volume.astype(VOLUME_COLUMNS)
        files: dict[str, list[str]] = {"incidents": [], "quarantine": []}
        for kind, frame in (("incidents", new), ("quarantine", quarantine), ("mentions", mentions),
                            ("signatures", signatures), ("volume", volume)):
            if frame is not None and len(frame):
                files.setdefault(kind, [])
                rel = f"{kind}/part-{batch_id}.parquet"
                _write_parquet_atomic(frame, self.root / rel)
                files[kind].append(rel)
        entry = {k: v for k, v in asdict(report).items() if k != "notes"} | {"ingested_at": now.isoformat(), "files": files}
        manifest["batches"] = [b for b in manifest["batches"] if b["batch_id"] not in replaced] + [entry]
        _write_text_atomic(self.manifest_path, json.dumps(manifest, indent=1, default=str))
        return report

    def _commit_table(self, manifest: dict[str, Any], table: str, rows: pd.DataFrame, rejects: pd.DataFrame,
                      prov: dict[str, Any], rows_in: int, replaced: list[str]) -> IngestReport:
        """Commit a batch of aggregate or flow rows (already checked by their collector)."""
        columns = TABLE_COLUMNS[table]
        batch_id = prov["batch_id"]
        frame = rows.assign(catalog_entry=prov["catalog_entry"], source_file_sha256=prov["source_file_sha256"],
                            batch_id=batch_id)
        missing = [c for c in columns if c not in frame.columns]
        if missing and len(frame):
            raise ValueError(f"{prov['catalog_entry']}: {table} rows lack column(s) {missing}")
        frame = frame[list(columns)].astype(columns) if len(frame) else _empty(columns)
        quarantine = _quarantine_rows(rejects, prov)
        report = IngestReport(
            catalog_entry=prov["catalog_entry"], source_file_sha256=prov["source_file_sha256"], batch_id=batch_id,
            rows_in=rows_in, new=len(frame), already_stored=0, quarantined=len(quarantine),
            top_reasons=_top_reasons(quarantine["reason"]), table=table, replaced=replaced,
        )
        if report.new + report.quarantined != rows_in:
            raise ReconciliationError(f"{prov['catalog_entry']}: {report} does not reconcile")
        files: dict[str, list[str]] = {"incidents": [], "quarantine": []}
        for kind, data in ((table, frame), ("quarantine", quarantine)):
            if len(data):
                rel = f"{kind}/part-{batch_id}.parquet"
                _write_parquet_atomic(data, self.root / rel)
                files.setdefault(kind, []).append(rel)
        entry = {k: v for k, v in asdict(report).items() if k != "notes"} | {
            "ingested_at": prov["ingested_at"].isoformat(), "files": files}
        manifest["batches"] = [b for b in manifest["batches"] if b["batch_id"] not in replaced] + [entry]
        _write_text_atomic(self.manifest_path, json.dumps(manifest, indent=1, default=str))
        return report

    def table(self, name: str, where: str | None = None, params: list[Any] | None = None) -> pd.DataFrame:
        """Read the ``aggregates`` or ``flows`` table.

        Parameters
        ----------
        name : str
            ``aggregates`` or ``flows``.
        where : str, optional
            A SQL condition, e.g. ``"country_iso3 = ?"``.
        params : list, optional
            Its parameters.

        Returns
        -------
        pandas.DataFrame
            The rows in the table's dtypes (:data:`AGGREGATE_COLUMNS`, :data:`FLOW_COLUMNS`).
        """
        if name not in TABLE_COLUMNS:
            raise ValueError(f"no store table {name!r}; known: {sorted(TABLE_COLUMNS)}")
        frame = self.query(f"SELECT * FROM {name}" + (f" WHERE {where}" if where else "") + " ORDER BY record_id",
                           params)
        columns = TABLE_COLUMNS[name]
        if frame.empty:
            return _empty(columns)
        return frame[[c for c in columns if c in frame.columns]].astype(
            {c: t for c, t in columns.items() if c in frame.columns})

    def ingested_batch(self, catalog_entry: str, source_file_sha256: str) -> str | None:
        """Return the batch that already ingested this file from this entry, if any.

        Parameters
        ----------
        catalog_entry : str
            Catalog entry name.
        source_file_sha256 : str
            The file's hash.

        Returns
        -------
        str or None
            The batch id, or None when the file is new.
        """
        for batch in self.manifest()["batches"]:
            if batch["source_file_sha256"] == source_file_sha256 and batch["catalog_entry"] == catalog_entry:
                return str(batch["batch_id"])
        return None

    def _existing_ids(self, ids: pd.Series) -> set[str]:
        """Ids already stored, as incidents or as mentions of a story (a merged copy)."""
        if not (self._files("incidents") or self._files("mentions")) or ids.empty:
            return set()
        con = self.connect()
        try:
            con.register("candidate_ids", pd.DataFrame({"incident_id": ids.astype(str)}))
            found = con.execute(
                "SELECT DISTINCT i.incident_id FROM _incidents_raw i JOIN candidate_ids c USING (incident_id) "
                "UNION SELECT DISTINCT m.mention_id FROM mentions m JOIN candidate_ids c "
                "ON m.mention_id = c.incident_id"
            ).fetchall()
        finally:
            con.close()
        return {row[0] for row in found}

    def _window_signatures(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        """Stored article signatures published between ``start`` and ``end``."""
        if not self._files("signatures"):
            return _empty_signatures()
        con = self.connect()
        try:
            return con.execute("SELECT * FROM signatures WHERE CAST(published AS TIMESTAMPTZ) BETWEEN CAST(? AS TIMESTAMPTZ) "
                               "AND CAST(? AS TIMESTAMPTZ) ORDER BY mention_id",
                               [start.to_pydatetime(), end.to_pydatetime()]).df()
        finally:
            con.close()

    def _merge_stories(
        self, new: pd.DataFrame, side: pd.DataFrame, prov: dict[str, Any], window_days: int
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Cluster new articles with each other and with stored ones of the window.

        Returns the new incidents (one per new story, ``mention_count`` = its articles in
        this batch), the mentions (every new article under its story's incident) and the
        new articles' signatures.
        """
        if new.empty:
            return new, _empty(MENTION_COLUMNS), _empty_signatures()
        info = side.set_index("incident_id").loc[new["incident_id"]]
        sig = np.vstack([np.asarray(v, dtype=np.uint32) for v in info["minhash"]])
        published = new["reported_at"]
        window = pd.Timedelta(days=window_days)
        stored = self._window_signatures(published.min() - window, published.max() + window)
        stored_sig = (np.vstack([np.asarray(v, dtype=np.uint32) for v in stored["minhash"]]) if len(stored)
                      else np.zeros((0, sig.shape[1]), np.uint32))
        story = assign_stories(new["incident_id"].tolist(), published.tolist(), sig,
                               stored["incident_id"].tolist(), stored["published"].tolist(), stored_sig,
                               window_days=window_days)
        if "story_key" in info:  # rewritten reports of one event (collect.dedupe.cluster_stories)
            story = merge_story_keys(story, info["story_key"].tolist(), new["incident_id"].tolist(), published.tolist())
        mentions = pd.DataFrame({
            "incident_id": story,
            "mention_id": new["incident_id"].to_numpy(),
            "outlet": info["outlet"].to_numpy() if "outlet" in info else new["source_name"].to_numpy(),
            "url": new["url"].to_numpy(),
            "published": published.to_numpy(),
            "language": new["language"].to_numpy(),
            "source_record_id": new["source_record_id"].to_numpy(),
            "catalog_entry": prov["catalog_entry"],
            "batch_id": prov["batch_id"],
        }).astype(MENTION_COLUMNS)
        signatures = pd.DataFrame({
            "mention_id": new["incident_id"].to_numpy(),
            "incident_id": story,
            "published": published.to_numpy(),
            "minhash": list(sig),
        }).astype({"mention_id": "string", "incident_id": "string", "published": "datetime64[ns, UTC]"})
        starts = (story == new["incident_id"].to_numpy())
        counts = pd.Series(story).value_counts()
        stories = new.loc[starts].copy()
        stories["mention_count"] = stories["incident_id"].map(counts).astype("Int64")
        return stories.reset_index(drop=True), mentions, signatures

    def _remove_orphans(self) -> list[Path]:
        """Delete data files no committed batch lists (left by a killed ingest)."""
        listed = {str(self.root / f) for kind in FILE_KINDS for f in self._files(kind)}
        removed = []
        for kind in FILE_KINDS:
            folder = self.root / kind
            if folder.is_dir():
                for path in folder.iterdir():
                    if str(path) not in listed:
                        path.unlink()
                        removed.append(path)
        return removed


def skipped_report(catalog_entry: str, source_file_sha256: str, rows_in: int, batch_id: str) -> IngestReport:
    """Report of an ingest skipped because the file was already ingested.

    Parameters
    ----------
    catalog_entry, source_file_sha256 : str
        The source and its hash.
    rows_in : int
        Records in the file (0 when it was not read again).
    batch_id : str
        The batch that holds it.

    Returns
    -------
    IngestReport
        With ``skipped_reason`` set and nothing added.
    """
    return IngestReport(catalog_entry, source_file_sha256, None, rows_in, 0, 0, 0,
                        skipped_reason=f"file already ingested in batch {batch_id}")


def _empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in QUARANTINE_COLUMNS.items()})


def _empty(columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def _empty_signatures() -> pd.DataFrame:
    frame = pd.DataFrame({"mention_id": pd.Series(dtype="string"), "incident_id": pd.Series(dtype="string"),
                          "published": pd.Series(dtype="datetime64[ns, UTC]"), "minhash": pd.Series(dtype=object)})
    return frame


def _article_side(candidates: pd.DataFrame) -> pd.DataFrame | None:
    """Per-article columns used for near-duplicate merging (not stored in the incident table)."""
    if "minhash" not in candidates.columns or candidates.empty:
        return None
    cols = ["incident_id", "minhash"] + [c for c in ("outlet", "story_key") if c in candidates.columns]
    return candidates[cols].drop_duplicates("incident_id", keep="first")


def _quarantine_rows(frame: pd.DataFrame, prov: dict[str, Any]) -> pd.DataFrame:
    out = pd.DataFrame({
        "batch_id": prov["batch_id"],
        "catalog_entry": prov["catalog_entry"],
        "source_file_sha256": prov["source_file_sha256"],
        "record": frame["record"].astype("string") if len(frame) else pd.Series(dtype="string"),
        "reason": frame["reason"].astype("string") if len(frame) else pd.Series(dtype="string"),
        "raw": frame["raw"].astype("string") if len(frame) else pd.Series(dtype="string"),
        "quarantined_at": prov["ingested_at"],
    }, index=frame.index)
    return out.reset_index(drop=True).astype(QUARANTINE_COLUMNS)


def _raw_json(record: dict[str, Any], limit: int = 4000) -> str:
    text = json.dumps(record, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "...(truncated)"


def _top_reasons(reasons: pd.Series, n: int = 10) -> dict[str, int]:
    if reasons.empty:
        return {}
    # "record X: field 'f'=v: expected rule; ..." -> "field 'f': expected rule"
    parts = reasons.str.split(": ", n=1).str[1].str.split("; ").explode()
    keys = parts.str.replace(r"=(.*?): expected", ": expected", regex=True)
    keys = keys.str.replace(r"(column|byte|line) \d+", r"\1 N", regex=True)
    return {str(k): int(v) for k, v in keys.value_counts().head(n).items()}


def _write_parquet_atomic(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    import pyarrow.parquet as pq

    tmp = path.with_name(path.name + f".tmp-{uuid.uuid4().hex[:8]}")
    pq.write_table(_arrow_table(frame), tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _arrow_table(frame: pd.DataFrame) -> Any:
    """A frame as the Arrow table to write, Arrow-held columns described as their pandas twins.

    Text held by Arrow (``string[pyarrow]``) is written as ``string`` and Arrow list columns
    as ``list<string>``, with the pandas metadata a frame of Python strings and lists
    gets, so every batch file has the same schema and metadata however its rows were
    held (readers that rebuild pandas dtypes from the metadata, e.g. dask, need that).
    """
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [pa.field(f.name, pa.string()) if f.type == pa.large_string() else f for f in table.schema]
    meta = json.loads(table.schema.metadata[b"pandas"])
    for column in meta["columns"]:
        if str(column.get("numpy_type", "")).startswith("list<"):
            column["numpy_type"] = "object"
        elif column.get("numpy_type") == "string" and column.get("pandas_type") == "object":
            column["pandas_type"] = "unicode"
    schema = pa.schema(fields, metadata={**table.schema.metadata, b"pandas": json.dumps(meta).encode()})
    return table.cast(schema)


def _write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp-{uuid.uuid4().hex[:8]}")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return empty_incidents()
    out = frame.copy()
    for name, (dtype, _, _) in COLUMNS.items():
        if name not in out.columns:
            continue
        if dtype == "object":
            out[name] = [list(v) if v is not None else [] for v in out[name]]
        elif dtype.startswith("datetime64[ns, UTC]"):
            out[name] = pd.to_datetime(out[name], utc=True).astype(dtype)
        else:
            out[name] = out[name].astype(dtype)
    return out[list(COLUMNS)]
