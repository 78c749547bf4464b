"""The curated store: immutable Parquet batches, a manifest, DuckDB for queries.

Layout under the store root::

    manifest.json              the committed batches (the only source of truth)
    incidents/part-<batch>.parquet
    quarantine/part-<batch>.parquet
    .lock                      serialises writers (fcntl)

An ingest writes its Parquet files first and then commits by atomically replacing
``manifest.json``. Readers only read files the manifest lists, so an ingest killed
mid-way leaves the store exactly as it was; its orphan files are removed by the next
writer. A file already ingested (same catalog entry, same SHA-256) adds nothing, and a
record already stored (same ``incident_id``) is not stored twice. Every row that comes
in is accounted for: ``rows_in == new + already_stored + quarantined``.
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

import pandas as pd

from workbench.schema import COLUMNS, empty_incidents, validate_incidents

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


class StoreLockTimeout(TimeoutError):
    """Raised when another writer holds the store for too long."""


class ReconciliationError(RuntimeError):
    """Raised when rows in != rows stored + rows quarantined (a bug, never data)."""


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
        Records read from the source.
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

    @property
    def stored(self) -> int:
        """Records of this source present in the store after the ingest."""
        return self.new + self.already_stored

    def __str__(self) -> str:
        head = f"{self.catalog_entry}: "
        if "not_relevant" in self.notes:
            head += f"(items read {self.notes.get('items')}, not about trafficking {self.notes['not_relevant']}) "
        if "malformed" in self.notes:
            head += f"[WARNING: {self.notes['malformed']}] "
        if self.skipped_reason:
            return head + f"skipped ({self.skipped_reason}); nothing added"
        return head + (
            f"rows in {self.rows_in} = stored {self.stored} (new {self.new}, already stored "
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
        return [f for b in self.manifest()["batches"] for f in b.get("files", {}).get(kind, [])]

    # -- reading ----------------------------------------------------------------------
    def connect(self):  # -> duckdb.DuckDBPyConnection
        """Open an in-memory DuckDB connection with views over the committed data.

        Views: ``incidents``, ``quarantine`` and ``batches``.

        Returns
        -------
        duckdb.DuckDBPyConnection
            A connection; close it when done.
        """
        import duckdb

        con = duckdb.connect()
        for kind, empty in (("incidents", empty_incidents()), ("quarantine", _empty_quarantine())):
            files = [str(self.root / f) for f in self._files(kind)]
            if files:
                listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                con.execute(f"CREATE VIEW {kind} AS SELECT * FROM read_parquet([{listing}], union_by_name=true)")
            else:
                con.register(f"_{kind}_empty", empty)
                con.execute(f"CREATE VIEW {kind} AS SELECT * FROM _{kind}_empty")
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

        Returns
        -------
        IngestReport
            Counts that reconcile: rows in = new + already stored + quarantined.

        Raises
        ------
        ReconciliationError
            If any row would be unaccounted for.
        """
        if rows_in != len(candidates) + len(rejects):
            raise ReconciliationError(
                f"{catalog_entry}: rows in {rows_in} != parsed {len(candidates)} + rejected {len(rejects)}"
            )
        with self.lock():
            self._remove_orphans()
            manifest = self.manifest()
            done = self.ingested_batch(catalog_entry, source_file_sha256)
            if done:
                return skipped_report(catalog_entry, source_file_sha256, rows_in, done)
            now = ingested_at if ingested_at is not None else pd.Timestamp.now(tz="UTC")
            batch_id = f"{now:%Y%m%dT%H%M%S}-{source_file_sha256[:8]}-{uuid.uuid4().hex[:6]}"
            prov = {"catalog_entry": catalog_entry, "source_file_sha256": source_file_sha256,
                    "ingested_at": now, "batch_id": batch_id}
            candidates = candidates.assign(**prov)
            valid, schema_rejects = validate_incidents(candidates)
            existing = self._existing_ids(valid["incident_id"])
            is_old = valid["incident_id"].isin(existing).to_numpy()
            new = valid.loc[~is_old]
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
                rows_in=rows_in,
                new=len(new),
                already_stored=int(is_old.sum()),
                quarantined=len(quarantine),
                top_reasons=_top_reasons(quarantine["reason"]),
            )
            if report.new + report.already_stored + report.quarantined != rows_in:
                raise ReconciliationError(f"{catalog_entry}: {report} does not reconcile")
            files: dict[str, list[str]] = {"incidents": [], "quarantine": []}
            for kind, frame in (("incidents", new), ("quarantine", quarantine)):
                if len(frame):
                    rel = f"{kind}/part-{batch_id}.parquet"
                    _write_parquet_atomic(frame, self.root / rel)
                    files[kind].append(rel)
            entry = {k: v for k, v in asdict(report).items() if k != "notes"} | {"ingested_at": now.isoformat(), "files": files}
            manifest["batches"].append(entry)
            _write_text_atomic(self.manifest_path, json.dumps(manifest, indent=1, default=str))
            return report

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
        if not self._files("incidents") or ids.empty:
            return set()
        con = self.connect()
        try:
            con.register("candidate_ids", pd.DataFrame({"incident_id": ids.astype(str)}))
            found = con.execute(
                "SELECT DISTINCT i.incident_id FROM incidents i JOIN candidate_ids c USING (incident_id)"
            ).fetchall()
        finally:
            con.close()
        return {row[0] for row in found}

    def _remove_orphans(self) -> list[Path]:
        """Delete data files no committed batch lists (left by a killed ingest)."""
        listed = {str(self.root / f) for kind in ("incidents", "quarantine") for f in self._files(kind)}
        removed = []
        for kind in ("incidents", "quarantine"):
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
    tmp = path.with_name(path.name + f".tmp-{uuid.uuid4().hex[:8]}")
    frame.to_parquet(tmp, index=False)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


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
