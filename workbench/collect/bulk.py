"""Bulk exports: large files already in (or close to) the canonical incident schema.

An export of another Traffik Analysis Hub instance, or of any system that already speaks
our schema, arrives as Parquet or CSV with up to millions of rows. This collector reads it
in chunks with pyarrow, renames the columns the catalog metadata maps
(``columns: {ours: theirs}``), fills what the file leaves out from the metadata
(``source_type``, ``default_grading``, ``default_language``), computes H3 cells
vectorised (H3 only once per distinct point), and checks
every chunk with the vectorised schema gate (:func:`workbench.schema.validate_incidents`).
Each row is checked once: text and list columns stay Arrow-held (``string[pyarrow]``,
Arrow lists) from the file through the checks to the store's Parquet, ids are hashed by
DuckDB, and the result says ``notes["validated"]`` so the store only rejects ids repeated
across chunks (:func:`workbench.schema.validated_incidents`) instead of checking every row
again.
Rows that fail are returned as rejects with the record and each failing field named, so
``rows in = stored + quarantined`` holds as for every other source. Incomplete is not wrong:
a row with no exploitation type (empty list, blank cell or no such column) is stored as
``not_recorded`` and a row with neither coordinates nor country as country ``UNK``
(:func:`workbench.collect.unknowns.complete_unknowns`); a code outside the taxonomy is
quarantined.

The catalog, not the file, says whose records these are: every row is filed under the
entry's ``source_name`` and its incident id is always computed from that name and the
record id. A ``source_name`` column in the file is data (a row naming another source keeps
it as a prefix of its record id, ``Other/123``) and an ``incident_id`` column is ignored,
so a file can neither put rows into another source's extract nor take another source's
ids. CSV may be gzip-compressed (``.csv.gz``); ``max_bytes`` caps the file on disk and
decompressed; a column named twice in the header refuses the file; a repeated header line
is quarantined as such.

With ``engine="dask"`` (metadata ``engine: dask``, or :func:`workbench.engine.use`) the
same chunk function runs as one dask task per chunk (Parquet row groups are read by the
workers; see :mod:`workbench.engine`); the result is identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from workbench import engine as engines
from workbench.collect.base import CollectResult, file_sha256, grading, reject, rejects_frame
from workbench.collect.files import MAX_BYTES, SourceFileError, open_source_stream
from workbench.collect.unknowns import complete_unknowns
from workbench.grid import latlng_cells
from workbench.schema import (COLUMNS, LIST_COLUMNS, arrow_text_list, empty_incidents, incident_id,
                              validate_incidents_detailed)

#: Rows per chunk read from the file.
CHUNK_ROWS = 250_000
#: Separator of list values in CSV exports (``forced_labour|sexual_exploitation``).
LIST_SEPARATOR = "|"
#: Provenance columns the store fills at ingest (placeholders while the collector checks a chunk).
PROVENANCE = ("catalog_entry", "source_file_sha256", "ingested_at", "batch_id")


def file_format(path: Path, metadata: dict[str, Any] | None = None) -> str:
    """Tell whether a bulk file is Parquet or CSV.

    Parameters
    ----------
    path : Path
        The file.
    metadata : dict, optional
        Catalog metadata; ``format: parquet|csv`` wins over the file name.

    Returns
    -------
    str
        ``"parquet"`` or ``"csv"``.

    Raises
    ------
    ValueError
        When the format is neither.
    """
    fmt = str((metadata or {}).get("format") or "").lower()
    if not fmt:
        suffixes = [s.lower() for s in Path(path).suffixes]
        fmt = "parquet" if ".parquet" in suffixes or ".pq" in suffixes else "csv" if ".csv" in suffixes else ""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"{path}: bulk files are Parquet or CSV (set metadata format: parquet|csv)")
    return fmt


def read_chunks(path: Path, metadata: dict[str, Any] | None = None,
                chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Read a bulk file in chunks of rows, with pyarrow.

    Parameters
    ----------
    path : Path
        A Parquet or CSV file (CSV: UTF-8, header line, every cell read as text).
    metadata : dict, optional
        Catalog metadata (``format``, ``delimiter``).
    chunk_rows : int
        Rows per chunk (approximate for CSV, which is read in blocks).

    Yields
    ------
    pandas.DataFrame
        Consecutive chunks; the index counts rows from the start of the file.

    Raises
    ------
    ValueError
        When the file cannot be parsed (naming the file).
    """
    import pyarrow as pa

    metadata = metadata or {}
    max_bytes = int(metadata.get("max_bytes", MAX_BYTES))
    size = Path(path).stat().st_size
    if size > max_bytes:
        raise SourceFileError(f"{path}: {size:,} bytes is over the limit of {max_bytes:,}")
    try:
        if file_format(path, metadata) == "parquet":
            for piece in parquet_pieces(path, chunk_rows):
                yield read_parquet_piece(piece)
            return
        import pyarrow.csv as pcsv

        delimiter = str(metadata.get("delimiter", ","))
        names = _csv_header(path, delimiter, max_bytes)
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise SourceFileError(f"{path}: column(s) {repeated} appear more than once in the header: refused "
                                  "(which one holds the data cannot be told)")
        # plain or gzip (told by its magic bytes), never more than max_bytes decompressed
        batches = pcsv.open_csv(
            open_source_stream(path, max_bytes),
            read_options=pcsv.ReadOptions(block_size=max(1 << 20, chunk_rows * 200)),
            parse_options=pcsv.ParseOptions(delimiter=delimiter),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                strings_can_be_null=True),
        )
        start = 0
        for batch in batches:
            frame = batch.to_pandas(types_mapper=_string_dtype)
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError, EOFError) as exc:
        raise SourceFileError(f"{path}: not a readable bulk file ({str(exc)[:300]})") from exc


def parquet_pieces(path: Path, chunk_rows: int = CHUNK_ROWS) -> list[tuple[str, list[int], int]]:
    """Split a Parquet file into pieces of whole row groups of about ``chunk_rows`` rows.

    Both engines read the same pieces, so they check the same chunks.

    Parameters
    ----------
    path : Path
        The file.
    chunk_rows : int
        Rows wanted per piece (a piece holds at least one row group).

    Returns
    -------
    list of tuple
        ``(path, row_group_numbers, first_row)`` per piece, in file order.
    """
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    pieces, groups, start, size = [], [], 0, 0
    for i in range(meta.num_row_groups):
        groups.append(i)
        size += meta.row_group(i).num_rows
        if size >= chunk_rows:
            pieces.append((str(path), groups, start))
            start, groups, size = start + size, [], 0
    if groups or not pieces:
        pieces.append((str(path), groups, start))
    return pieces


def read_parquet_piece(piece: tuple[str, list[int], int]) -> pd.DataFrame:
    """Read one piece of :func:`parquet_pieces`.

    Parameters
    ----------
    piece : tuple
        ``(path, row_group_numbers, first_row)``.

    Returns
    -------
    pandas.DataFrame
        The rows; text columns as pandas strings; the index counts rows from the start
        of the file.
    """
    import pyarrow.parquet as pq

    path, groups, start = piece
    handle = pq.ParquetFile(path)
    table = handle.read_row_groups(groups) if groups else handle.schema_arrow.empty_table()
    frame = table.to_pandas(types_mapper=_string_dtype)
    frame.index = pd.RangeIndex(start, start + len(frame))
    return frame


def _string_dtype(arrow_type: Any) -> Any:
    """pyarrow -> pandas types: text stays Arrow (``string[pyarrow]``), a list of text an Arrow list."""
    import pyarrow as pa

    if arrow_type in (pa.string(), pa.large_string()):
        return pd.StringDtype("pyarrow")
    if (pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type)) and \
            arrow_type.value_type in (pa.string(), pa.large_string()):
        return pd.ArrowDtype(pa.list_(pa.string()))
    return None


def _csv_header(path: Path, delimiter: str, max_bytes: int = MAX_BYTES) -> list[str]:
    import csv
    import io

    with open_source_stream(path, max_bytes) as stream:
        handle = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        header = [h.strip() for h in next(csv.reader(handle, delimiter=delimiter), [])]
    if not header or not any(header):
        raise SourceFileError(f"{path}: not a readable bulk file (no header line)")
    return header


def incident_ids(source_name: pd.Series, source_record_id: pd.Series) -> pd.Series:
    """Incident ids of many records (:func:`workbench.schema.incident_id`, row by row).

    Parameters
    ----------
    source_name, source_record_id : pandas.Series
        Source names and record ids (aligned).

    Returns
    -------
    pandas.Series
        16-hex-character ids (missing where either part is missing).
    """
    ok = (source_name.notna() & source_record_id.notna()).to_numpy()
    fast = _sha256_ids(source_name, source_record_id)
    if fast is not None:
        return pd.Series(pd.arrays.ArrowStringArray(fast), index=source_name.index).where(ok)
    out = np.full(len(ok), None, dtype=object)
    out[ok] = [incident_id(n, r) for n, r in zip(source_name[ok].astype(str), source_record_id[ok].astype(str))]
    return pd.Series(out, index=source_name.index, dtype="string")


#: Below this many records the ids are hashed one by one (:func:`~workbench.schema.incident_id`): a new DuckDB database costs about
#: as much as hashing 20,000 ids (~25 ms), and small files (an app export, a partner's
#: monthly sheet) are the common case.
DUCKDB_HASH_FROM = 20_000


def _sha256_ids(source_name: pd.Series, source_record_id: pd.Series) -> Any:
    """The ids hashed by DuckDB (vectorised SHA-256 of the same UTF-8 bytes, as Arrow text), or None when it cannot.

    Below :data:`DUCKDB_HASH_FROM` records the same ids come from :func:`~workbench.schema.incident_id`, in the same Arrow type.
    """
    if not len(source_name):
        return None
    import duckdb
    import pyarrow as pa

    try:
        table = pa.table({"n": _arrow_of(source_name), "r": _arrow_of(source_record_id)})
    except (pa.ArrowException, UnicodeError, TypeError, ValueError):  # e.g. lone surrogates: hashlib's way
        return None
    if len(table) < DUCKDB_HASH_FROM:
        hashed = [None if n is None or r is None else incident_id(n, r)
                  for n, r in zip(table.column("n").to_pylist(), table.column("r").to_pylist())]
        return pa.array(hashed, type=pa.large_string())
    con = duckdb.connect()
    try:
        con.register("keys", table)
        hashed = con.sql("SELECT substr(sha256(n || chr(31) || r), 1, 16) AS h FROM keys").to_arrow_table()
    finally:
        con.close()
    return hashed.column("h").combine_chunks().cast(pa.large_string())


def _constant_text(value: str, n: int, index: pd.Index) -> pd.Series:
    """One text value repeated ``n`` times, held by Arrow (no Python object per row)."""
    import pyarrow as pa

    return pd.Series(pd.arrays.ArrowStringArray(pa.repeat(pa.scalar(value, pa.large_string()), n)), index=index)


def _as_text(col: pd.Series) -> pd.Series:
    """A column as pandas text, keeping Arrow-held text as it is."""
    return col if isinstance(col.dtype, pd.StringDtype) else col.astype("string")


def _arrow_of(col: pd.Series) -> Any:
    """A text column as a pyarrow string array (no copy when it is already Arrow-held)."""
    import pyarrow as pa

    col = _as_text(col)
    if col.dtype.storage == "pyarrow":
        values = col.array.__arrow_array__()
        return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return pa.array(col.to_numpy(dtype=object, na_value=None), pa.string())


def _split_lists(col: pd.Series, separator: str) -> pd.Series:
    """Text list cells (``a|b``) to lists; lists, arrays and missing values pass through.

    A text column (CSV) becomes an Arrow list column, split and stripped vectorised; an
    Arrow list column (Parquet) passes through untouched.
    """
    if arrow_text_list(col) is not None:
        return col
    if pd.api.types.is_string_dtype(col.dtype) and col.dtype != object:
        return _split_text(col, separator)
    values = col.to_numpy(dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    if not is_text.any():
        return col
    out = values.copy()
    text = pd.Series(values[is_text], dtype="string").str.strip()
    parts = text.str.split(separator, regex=False)
    lists = np.empty(int(is_text.sum()), dtype=object)
    lists[:] = [[p.strip() for p in ps if p.strip()] if isinstance(ps, list) else [] for ps in parts.tolist()]
    out[is_text] = lists
    return pd.Series(out, index=col.index, dtype=object)


def _split_text(col: pd.Series, separator: str) -> pd.Series:
    """``a|b`` text to an Arrow list column: each part stripped, blank parts dropped, missing stays missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.array(col.to_numpy(dtype=object, na_value=None), type=pa.string())
    except (pa.ArrowException, UnicodeError, TypeError, ValueError):  # e.g. lone surrogates: the slow path
        return _split_lists(col.astype(object), separator)
    lists = pc.split_pattern(pc.utf8_trim_whitespace(text), separator)
    parts = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    keep = pc.not_equal(pc.utf8_length(parts), 0)
    rows = pc.list_parent_indices(lists)
    kept_rows = pc.filter(rows, keep).to_numpy(zero_copy_only=False)
    counts = np.bincount(kept_rows, minlength=len(text)) if len(text) else np.zeros(0, np.int64)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
    out = pa.ListArray.from_arrays(offsets, pc.filter(parts, keep), mask=text.is_null())
    return pd.Series(pd.arrays.ArrowExtensionArray(out), index=col.index)


def _raw_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts for the quarantine's ``raw``, list cells as arrays as pandas reads them from Parquet."""
    records = frame.to_dict("records")
    listish = [c for c in frame.columns if isinstance(frame[c].dtype, pd.ArrowDtype)]
    for record in records:
        for name in listish:
            if isinstance(record[name], list):
                record[name] = np.array(record[name], dtype=object)
    return records


def prepare_chunk(chunk: pd.DataFrame, metadata: dict[str, Any], source_file_sha256: str = "0" * 64,
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn one chunk of a bulk file into checked candidates and rejects.

    This is the unit of work both engines run (pandas: chunk after chunk; dask: one
    partition each).

    Parameters
    ----------
    chunk : pandas.DataFrame
        Rows as read from the file (its index is the row number in the file).
    metadata : dict
        Catalog metadata: optional ``columns`` (``{our_column: their_column}``),
        ``source_name``, ``source_type``, ``default_grading``, ``default_language``,
        ``list_separator``.
    source_file_sha256 : str
        The file's hash (provenance placeholder while checking).

    Returns
    -------
    candidates : pandas.DataFrame
        Rows that pass the schema, canonical columns without the provenance ones.
    rejects : pandas.DataFrame
        ``record, reason, raw`` for the others (reason names record and fields).
    """
    renamed = _renamed(chunk, metadata)
    source = str(metadata.get("source_name") or "").strip()
    if not source:
        raise ValueError("a bulk catalog entry needs metadata.source_name (the source its records are filed under)")
    header_again = _repeated_header(renamed)
    wanted = [c for c in renamed.columns if c in COLUMNS and c not in PROVENANCE and c != "incident_id"]
    # (the file's incident_id is data, not authority: ids are ours)
    frame = renamed.loc[~header_again, wanted] if header_again.any() else renamed[wanted].copy()
    n = len(frame)
    frame["source_record_id"] = _filed_record_ids(frame, source)
    frame["source_name"] = _constant_text(source, len(frame), frame.index)
    if "source_type" not in frame.columns:
        frame["source_type"] = metadata.get("source_type", "partner")
    reliability, credibility = grading(None, str(metadata.get("default_grading", "B2")))
    for name, default in (("source_reliability", reliability), ("info_credibility", credibility),
                          ("language", str(metadata.get("default_language", "en")))):
        frame[name] = frame[name].fillna(default) if name in frame.columns else default
    frame["incident_id"] = incident_ids(frame["source_name"], frame["source_record_id"])
    for name in LIST_COLUMNS:
        if name in frame.columns:
            frame[name] = _split_lists(frame[name], str(metadata.get("list_separator", LIST_SEPARATOR)))
    frame = complete_unknowns(frame)  # incomplete is not wrong: not_recorded / UNK, counted in reports
    if {"lat", "lon"} <= set(frame.columns):
        _fill_cells(frame, n)
    checked = _arrow_text(frame).assign(catalog_entry="bulk", source_file_sha256=source_file_sha256,
                                        ingested_at=pd.Timestamp.now(tz="UTC"), batch_id="pending")
    valid, rejected, positions, reasons = validate_incidents_detailed(checked, arrow=True)
    rejects = _chunk_rejects(chunk, renamed, header_again, positions, reasons)
    return valid.drop(columns=list(PROVENANCE)), rejects_frame(rejects)


def _renamed(chunk: pd.DataFrame, metadata: dict[str, Any]) -> pd.DataFrame:
    """The chunk with its columns renamed by ``metadata.columns``; a column named twice is an error."""
    renamed = chunk.rename(columns={theirs: ours for ours, theirs in (metadata.get("columns") or {}).items()})
    if renamed.columns.duplicated().any():
        twice = sorted(set(renamed.columns[renamed.columns.duplicated()]))
        raise SourceFileError(f"column(s) {twice} appear more than once (in the file or through metadata.columns)")
    return renamed


def _filed_record_ids(frame: pd.DataFrame, source: str) -> pd.Series:
    """Record ids, prefixed ``their_source/`` where the file names a source other than the catalog's."""
    record_id = (_as_text(frame["source_record_id"]) if "source_record_id" in frame.columns
                 else pd.Series(pd.NA, index=frame.index, dtype="string"))
    if "source_name" in frame.columns:
        # the catalog says whose records these are; a source named in the file stays as data,
        # inside the record id, so it can neither file rows under another source nor take its ids
        given = _as_text(frame["source_name"]).str.strip()
        other = (given.notna() & (given != "") & (given != source)).fillna(False).to_numpy(dtype=bool)
        if other.any():
            record_id = record_id.where(~other | record_id.isna(), given + "/" + record_id)
    return record_id


def _fill_cells(frame: pd.DataFrame, n: int) -> None:
    """Fill ``h3_cell`` from ``lat``/``lon`` where the file gives no cell (in place)."""
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    given = frame["h3_cell"].notna().to_numpy() if "h3_cell" in frame.columns else np.zeros(n, bool)
    if not given.all():
        computed = latlng_cells(np.where(given, np.nan, lat), np.where(given, np.nan, lon))
        cells = frame["h3_cell"].astype(object).to_numpy() if "h3_cell" in frame.columns else np.full(n, None, object)
        frame["h3_cell"] = np.where(given, cells, computed)


def _chunk_rejects(chunk: pd.DataFrame, renamed: pd.DataFrame, header_again: np.ndarray, positions: np.ndarray,
                   reasons: list[str]) -> list[dict[str, Any]]:
    """Rejects of a chunk: repeated header lines, then rows failing the schema (named by id or row)."""
    rejects = []
    kept = np.flatnonzero(~header_again)
    for row in np.flatnonzero(header_again).tolist():
        rejects.append(reject(f"row {int(chunk.index[row]) + 1}", "a repeated header line, not a record",
                              chunk.iloc[row].to_dict()))
    if len(positions):
        at = kept[positions]  # positions in the chunk as read
        rows = chunk.index.to_numpy()[at]
        own = renamed["source_record_id"] if "source_record_id" in renamed.columns else None
        ids = own.iloc[at].tolist() if own is not None else [None] * len(at)
        raw = _raw_records(chunk.iloc[at])
        for row, rid, reason, record in zip(rows.tolist(), ids, reasons, raw):
            # the record's own id when it has one, else its row in the file (1 = first data row)
            rejects.append(reject(rid if isinstance(rid, str) and rid.strip() else f"row {row + 1}", reason, record))
    return rejects


def _arrow_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns of the schema held by Arrow (``string[pyarrow]``), absent ones added empty.

    The checks, the id-repeat test and the Parquet write then work on Arrow buffers
    instead of one Python object per value. A column whose values cannot all be Arrow text
    (e.g. numbers in a text column, lone surrogates) is left for the schema to read.
    """
    import pyarrow as pa

    text = pd.StringDtype("pyarrow")
    columns = {}
    for name, (dtype, _, _) in COLUMNS.items():
        if dtype != "string" or name in PROVENANCE:
            continue
        if name not in frame.columns:
            columns[name] = pd.Series(pd.array([None] * len(frame), dtype=text), index=frame.index)
            continue
        col = frame[name]
        if col.dtype == text:
            continue
        values = col.to_numpy(dtype=object, na_value=None) if col.dtype != object else col.to_numpy()
        try:
            arrow = pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowException, UnicodeError, TypeError, ValueError):
            continue
        columns[name] = pd.Series(pd.arrays.ArrowStringArray(arrow.cast(pa.large_string())), index=frame.index)
    return frame.assign(**columns) if columns else frame


def _repeated_header(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell repeats its column's name (a second header line in a CSV)."""
    if not len(frame) or not len(frame.columns):
        return np.zeros(len(frame), dtype=bool)
    same = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        col = frame[name]
        if not (pd.api.types.is_string_dtype(col.dtype) or col.dtype == object):
            return np.zeros(len(frame), dtype=bool)
        same &= (_as_text(col).str.strip() == str(name)).fillna(False).to_numpy(dtype=bool)
        if not same.any():
            break
    return same


def collect_bulk(path: Path, metadata: dict[str, Any]) -> CollectResult:
    """Read a large canonical-schema export (Parquet or CSV) in chunks.

    Parameters
    ----------
    path : Path
        The file.
    metadata : dict
        Catalog metadata: ``source_name`` (every row is filed under it), optional
        ``columns`` (``{ours: theirs}``), ``format``, ``delimiter``, ``chunk_rows``,
        ``list_separator``, ``default_grading``, ``default_language`` and ``engine``
        (``pandas`` or ``dask``). An engine chosen with :func:`workbench.engine.use`
        (e.g. ``workbench ingest --engine dask``) wins over the metadata, which wins
        over ``$WORKBENCH_ENGINE``; pandas by default.

    Returns
    -------
    CollectResult
        Candidates that pass the schema and rejects (record and fields named);
        ``rows_in`` equals the rows in the file; ``notes["validated"]`` is true (each
        chunk was checked, so ``Store.ingest(..., validated=True)`` does not check again).
    """
    sha, chunks = bulk_chunks(path, metadata)
    results = list(chunks)
    return assemble([good for good, _ in results], [bad for _, bad in results], sha)


def bulk_chunks(path: Path, metadata: dict[str, Any],
                sha: str | None = None) -> tuple[str, Iterator[tuple[pd.DataFrame, pd.DataFrame]]]:
    """The checked chunks of a bulk file, one after the other (what :func:`collect_bulk` joins).

    On the pandas engine each chunk is read and checked only when the caller asks for it,
    so a caller writing each chunk before taking the next
    (:meth:`workbench.store.Store.ingest_chunks`) holds one chunk at a time; the dask
    engine checks the chunks in parallel first.

    Parameters
    ----------
    path : Path
        The file.
    metadata : dict
        As :func:`collect_bulk`.
    sha : str, optional
        The file's SHA-256, when the caller has it already.

    Returns
    -------
    sha : str
        The file's SHA-256.
    chunks : iterator of (pandas.DataFrame, pandas.DataFrame)
        Per chunk, in file order: candidates that pass the schema and rejects.
    """
    path = Path(path)
    runner = engines.get_engine(str(engines.active_engine() or metadata.get("engine") or engines.default_engine()))
    sha = sha or file_sha256(path)
    chunk_rows = int(metadata.get("chunk_rows", CHUNK_ROWS))
    if not runner.parallel:  # chunk after chunk, reading the file as it goes
        return sha, (prepare_chunk(chunk, metadata, sha) for chunk in read_chunks(path, metadata, chunk_rows))
    if file_format(path, metadata) == "parquet":  # the workers read their own row groups
        results = runner.map_pieces(prepare_chunk, parquet_pieces(path, chunk_rows), metadata, sha,
                                    load=read_parquet_piece)
    else:  # CSV is read here, one task per chunk
        results = runner.map_pieces(prepare_chunk, list(read_chunks(path, metadata, chunk_rows)), metadata, sha)
    return sha, iter(results)


def assemble(parts: list[pd.DataFrame], rejects: list[pd.DataFrame], sha: str) -> CollectResult:
    """Join the chunks' candidates and rejects into one result.

    Parameters
    ----------
    parts : list of pandas.DataFrame
        Candidates of each chunk, in file order.
    rejects : list of pandas.DataFrame
        Rejects of each chunk.
    sha : str
        The file's hash.

    Returns
    -------
    CollectResult
        Candidates (canonical columns, fresh index) and rejects.
    """
    parts = [p for p in parts if len(p)]
    candidates = (pd.concat(parts, ignore_index=True) if parts
                  else empty_incidents().drop(columns=list(PROVENANCE)))
    bad = [r for r in rejects if len(r)]
    return CollectResult(candidates, pd.concat(bad, ignore_index=True) if bad else rejects_frame([]), sha,
                         notes={"chunks": len(rejects), "validated": True})
