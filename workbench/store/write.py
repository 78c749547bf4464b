"""Writing the store: the writer lock, validated batches committed atomically, near-duplicate merging."""

from __future__ import annotations

import fcntl
import json
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pandas as pd

from workbench.collect.dedupe import assign_stories, merge_story_keys
from workbench.exceptions import ReconciliationError, StoreLockTimeout
from workbench.schema import SeenIds, repeated_ids, validate_incidents, validated_incidents
from workbench.store.read import StoreReader
from workbench.store.report import IngestReport, skipped_report
from workbench.store.tables import (DEDUPE_WINDOW_DAYS, FILE_KINDS, MENTION_COLUMNS, TABLE_COLUMNS, VOLUME_COLUMNS,
                                    _article_side, _empty, _empty_signatures, _quarantine_rows, _raw_json,
                                    _ParquetStream, _top_reasons, _write_parquet_atomic,
                                    _write_text_atomic)


class Store(StoreReader):
    """The curated incident store.

    Parameters
    ----------
    root : str or Path
        Folder of the store; created on first write.
    lock_timeout : float
        Seconds a writer waits for another writer before giving up.
    """

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

        Long on purpose: most of its length is the parameter list; the counts are checked,
        then the batch is committed in the locked transaction (:meth:`_transaction`).

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
        return self._transaction(catalog_entry, source_file_sha256, rows_in, replace, lambda manifest, replaced: self._commit(
            manifest, candidates, rejects, catalog_entry, source_file_sha256, rows_in, ingested_at, not_relevant,
            media_items, dedupe_window_days, replaced, table, validated))

    def ingest_chunks(self, chunks: Iterable[tuple[pd.DataFrame, pd.DataFrame]], *, catalog_entry: str,
                      source_file_sha256: str, ingested_at: pd.Timestamp | None = None,
                      replace: bool = False) -> IngestReport:
        """Commit a file checked chunk by chunk, writing each chunk's rows as it arrives.

        The streaming twin of ``ingest(..., validated=True)`` for a large export (the bulk
        collector's :func:`~workbench.collect.bulk.bulk_chunks`): memory stays about one
        chunk however long the file is. Each chunk's stored rows go straight into the
        batch's incident file (written under a temporary name); ids repeated across
        chunks are told by :class:`~workbench.schema.SeenIds` (8 bytes an id) and
        rejected with the reason a full check gives; the quarantine and the manifest are
        written at the end, so the batch is committed atomically exactly as by
        :meth:`ingest`, with the same files, rows and report. The writer lock is held
        while the chunks are read. If reading or checking a chunk raises, nothing is
        committed and the temporary file is deleted.

        Parameters
        ----------
        chunks : iterable of (pandas.DataFrame, pandas.DataFrame)
            Per chunk, in file order: candidates that passed the schema (canonical
            columns without provenance) and rejects (``record, reason, raw``).
        catalog_entry : str
            The catalog entry the file came from.
        source_file_sha256 : str
            SHA-256 of the file's bytes.
        ingested_at : pandas.Timestamp, optional
            Ingest time (UTC); now by default.
        replace : bool
            Replace every earlier batch of ``catalog_entry`` in the same commit.

        Returns
        -------
        IngestReport
            Counts that reconcile: rows in = new + already stored + quarantined.

        Raises
        ------
        ReconciliationError
            If any row would be unaccounted for.
        """
        return self._transaction(catalog_entry, source_file_sha256, 0, replace, lambda manifest, replaced: self._commit_chunks(
            manifest, chunks, catalog_entry, source_file_sha256, ingested_at, replaced))

    def _transaction(self, catalog_entry: str, source_file_sha256: str, rows_in: int, replace: bool,
                     commit: Callable[[dict[str, Any], list[str]], IngestReport]) -> IngestReport:
        """The locked transaction around a commit, in order: take the lock, clear orphan files, read the
        manifest, skip a file already ingested, hide the batches being replaced, commit, then clear the
        replaced batches' files."""
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
                report = commit(manifest, replaced)
            finally:
                self._hidden = frozenset()
            if replaced:
                self._remove_orphans()
            return report

    def _commit_chunks(self, manifest: dict[str, Any], chunks: Iterable[tuple[pd.DataFrame, pd.DataFrame]],
                       catalog_entry: str, source_file_sha256: str, ingested_at: pd.Timestamp | None,
                       replaced: list[str]) -> IngestReport:
        """Write the chunks' stored rows as they come, then the quarantine and the manifest (lock held)."""
        prov = _provenance(catalog_entry, source_file_sha256, ingested_at)
        now, batch_id = prov["ingested_at"], prov["batch_id"]
        rel = f"incidents/part-{batch_id}.parquet"
        stream, seen = _ParquetStream(self.root / rel), SeenIds()
        rows_in = new = old = 0
        collector_rejects: list[pd.DataFrame] = []
        schema_rejects: list[pd.DataFrame] = []
        try:
            for candidates, rejects in chunks:
                rows_in += len(candidates) + len(rejects)
                if len(rejects):
                    collector_rejects.append(rejects)
                if not len(candidates):
                    continue
                with pd.option_context("mode.copy_on_write", True):
                    valid, repeated, keep = repeated_ids(candidates.assign(**prov), seen)
                if len(repeated):
                    schema_rejects.append(repeated)
                is_old = valid["incident_id"].isin(self._existing_ids(valid["incident_id"])).to_numpy() & keep
                stored = keep & ~is_old
                old, new = old + int(is_old.sum()), new + int(stored.sum())
                if stored.any():
                    stream.write(valid, rows=None if stored.all() else stored)
            quarantine = _batch_quarantine(
                pd.concat(collector_rejects, ignore_index=True) if collector_rejects
                else pd.DataFrame({"record": [], "reason": [], "raw": []}),
                pd.concat(schema_rejects, ignore_index=True) if schema_rejects
                else pd.DataFrame({"source_record_id": [], "reason": []}), prov)
            report = IngestReport(
                catalog_entry=catalog_entry, source_file_sha256=source_file_sha256, batch_id=batch_id,
                rows_in=rows_in, new=new, already_stored=old, quarantined=len(quarantine),
                top_reasons=_top_reasons(quarantine["reason"]), replaced=replaced)
            if report.new + report.already_stored + report.quarantined != rows_in:
                raise ReconciliationError(f"{catalog_entry}: {report} does not reconcile")
            files: dict[str, list[str]] = {"incidents": [], "quarantine": []}
            if new:
                stream.commit()
                files["incidents"].append(rel)
        except BaseException:
            stream.discard()
            raise
        if len(quarantine):
            qrel = f"quarantine/part-{batch_id}.parquet"
            _write_parquet_atomic(quarantine, self.root / qrel)
            files["quarantine"].append(qrel)
        self._record_batch(manifest, report, now, files, replaced)
        return report

    def _commit(self, manifest: dict[str, Any], candidates: pd.DataFrame, rejects: pd.DataFrame,
                catalog_entry: str, source_file_sha256: str, rows_in: int, ingested_at: pd.Timestamp | None,
                not_relevant: int, media_items: pd.DataFrame | None, dedupe_window_days: int,
                replaced: list[str], table: str, validated: bool = False) -> IngestReport:
        """Write one batch's files and commit the manifest (the caller holds the lock)."""
        prov = _provenance(catalog_entry, source_file_sha256, ingested_at)
        now, batch_id = prov["ingested_at"], prov["batch_id"]
        if table != "incidents":
            return self._commit_table(manifest, table, candidates, rejects, prov, rows_in, replaced)
        side = _article_side(candidates)
        keep = None
        if validated and side is None:
            # rows checked by the collector: provenance added and columns ordered without copies; a row
            # whose id repeats an earlier chunk's is rejected and left out as the file is written
            with pd.option_context("mode.copy_on_write", True):
                valid, schema_rejects, keep = repeated_ids(candidates.assign(**prov))
        elif validated:
            valid, schema_rejects = validated_incidents(candidates.assign(**prov))
        else:
            valid, schema_rejects = validate_incidents(candidates.assign(**prov))
        existing = self._existing_ids(valid["incident_id"])
        is_old = valid["incident_id"].isin(existing).to_numpy()
        if keep is not None:
            is_old &= keep
        stored = ~is_old if keep is None else keep & ~is_old
        new = valid if stored.all() or keep is not None else valid.loc[stored]
        n_new = int(stored.sum())
        mentions, signatures, merged = None, None, 0
        if side is not None:
            new, mentions, signatures = self._merge_stories(new, side, prov, dedupe_window_days)
            n_new = len(new)
            merged = len(mentions) - len(new)
        quarantine = _batch_quarantine(rejects, schema_rejects, prov)
        report = IngestReport(
            catalog_entry=catalog_entry,
            source_file_sha256=source_file_sha256,
            batch_id=batch_id,
            rows_in=rows_in - merged,
            new=n_new,
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
            rows = stored if kind == "incidents" and keep is not None and not stored.all() else None
            if frame is not None and (len(frame) if rows is None else rows.any()):
                files.setdefault(kind, [])
                rel = f"{kind}/part-{batch_id}.parquet"
                _write_parquet_atomic(frame, self.root / rel, rows=rows)
                files[kind].append(rel)
        self._record_batch(manifest, report, now, files, replaced)
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
        self._record_batch(manifest, report, prov["ingested_at"], files, replaced)
        return report

    def _record_batch(self, manifest: dict[str, Any], report: IngestReport, now: pd.Timestamp,
                      files: dict[str, list[str]], replaced: list[str]) -> None:
        """Commit a batch: its entry (report, time, files) replaces the replaced batches' in the manifest."""
        entry = {k: v for k, v in asdict(report).items() if k != "notes"} | {"ingested_at": now.isoformat(), "files": files}
        manifest["batches"] = [b for b in manifest["batches"] if b["batch_id"] not in replaced] + [entry]
        _write_text_atomic(self.manifest_path, json.dumps(manifest, indent=1, default=str))


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
        if "story_key" in info:  # rewritten reports of one event (collect.stories.cluster_stories)
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


def _provenance(catalog_entry: str, source_file_sha256: str, ingested_at: pd.Timestamp | None) -> dict[str, Any]:
    """A new batch's provenance: entry, file hash, ingest time (now by default) and a unique batch id."""
    now = ingested_at if ingested_at is not None else pd.Timestamp.now(tz="UTC")
    batch_id = f"{now:%Y%m%dT%H%M%S}-{source_file_sha256[:8]}-{uuid.uuid4().hex[:6]}"
    return {"catalog_entry": catalog_entry, "source_file_sha256": source_file_sha256, "ingested_at": now,
            "batch_id": batch_id}


def _batch_quarantine(rejects: pd.DataFrame, schema_rejects: pd.DataFrame, prov: dict[str, Any]) -> pd.DataFrame:
    """Quarantine rows of a batch: the collector's rejects, then the schema's (raw record as JSON)."""
    return pd.concat(
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
