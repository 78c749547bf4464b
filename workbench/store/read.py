"""Reading the store: the manifest, DuckDB views over the committed Parquet files, typed reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.schema import AGGREGATE_COLUMNS, FLOW_COLUMNS, empty_incidents
from workbench.store.tables import (MANIFEST_VERSION, MENTION_COLUMNS, TABLE_COLUMNS, VOLUME_COLUMNS, _canonical,
                                    _empty, _empty_quarantine, _empty_signatures)


class StoreReader:
    """Read access to a store (the writer, :class:`~workbench.store.Store`, adds ingest).

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

