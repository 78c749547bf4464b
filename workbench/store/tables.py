"""The store's tables: their columns, empty frames, quarantine rows and atomic file writes."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.schema import AGGREGATE_COLUMNS, COLUMNS, FLOW_COLUMNS, empty_incidents

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
#: Rows per Parquet row group written (each cast and written in turn, bounding the memory of a write).
WRITE_ROWS = 250_000
#: Days before/after a new article within which stored articles are compared for near-duplicates.
DEDUPE_WINDOW_DAYS = 14


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


def _write_parquet_atomic(frame: pd.DataFrame, path: Path, rows: Any = None) -> None:
    stream = _ParquetStream(path)
    try:
        stream.write(frame, rows)
    except BaseException:
        stream.discard()
        raise
    stream.commit()


class _ParquetStream:
    """One Parquet file written piece by piece under a temporary name, moved into place on commit.

    The first piece fixes the schema (:func:`_arrow_schemas`); every piece is converted and
    written in slices of :data:`WRITE_ROWS` rows, so a write holds one slice's Arrow copy at
    most. Until :meth:`commit` only the temporary file exists: a killed writer leaves an
    orphan that the next ingest removes, never a half-written batch file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + f".tmp-{uuid.uuid4().hex[:8]}")
        self.writer: Any = None
        self.source: Any = None
        self.schema: Any = None

    def write(self, frame: pd.DataFrame, rows: Any = None) -> None:
        """Append a frame's rows (only those where the boolean mask ``rows`` is true, if given)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.source, self.schema = _arrow_schemas(frame)
            self.writer = pq.ParquetWriter(self.tmp, self.schema)
        for start in range(0, max(len(frame), 1), WRITE_ROWS):  # converted slice by slice: no full copy
            piece = pa.Table.from_pandas(frame.iloc[start:start + WRITE_ROWS], schema=self.source, preserve_index=False)
            if rows is not None:
                piece = piece.filter(pa.array(rows[start:start + WRITE_ROWS]))
            self.writer.write_table(piece.cast(self.schema))

    def commit(self) -> None:
        """Close the file, flush it to disk and move it to its final name."""
        self.writer.close()
        with open(self.tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        """Close and delete the temporary file (nothing is committed)."""
        if self.writer is not None:
            self.writer.close()
        self.tmp.unlink(missing_ok=True)


def _arrow_schemas(frame: pd.DataFrame) -> tuple[Any, Any]:
    """The Arrow schema of a frame and the one to write it in, Arrow-held columns described as their pandas twins.

    Text held by Arrow (``string[pyarrow]``) is written as ``string`` and Arrow list columns
    as ``list<string>``, with the pandas metadata a frame of Python strings and lists
    gets, so every batch file has the same schema and metadata however its rows were
    held (readers that rebuild pandas dtypes from the metadata, e.g. dask, need that).
    """
    import pyarrow as pa

    source = pa.Schema.from_pandas(frame, preserve_index=False)
    fields = [pa.field(f.name, pa.string()) if f.type == pa.large_string() else f for f in source]
    meta = json.loads(source.metadata[b"pandas"])
    for column in meta["columns"]:
        if str(column.get("numpy_type", "")).startswith("list<"):
            column["numpy_type"] = "object"
        elif column.get("numpy_type") == "string" and column.get("pandas_type") == "object":
            column["pandas_type"] = "unicode"
    return source, pa.schema(fields, metadata={**source.metadata, b"pandas": json.dumps(meta).encode()})


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
