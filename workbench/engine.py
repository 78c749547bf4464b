"""Engines: run the same pandas functions in this process or on dask partitions.

Two steps of the workbench grow with the number of incidents: collecting a bulk export
(:mod:`workbench.collect.bulk`) and counting incidents per H3 cell
(:func:`workbench.analyse.hexbin.hex_counts`). Both are written as a pandas function of
one chunk of rows (:func:`workbench.collect.bulk.prepare_chunk`,
:func:`workbench.analyse.hexbin.partition_counts`) plus a cheap combining step. The
``pandas`` engine runs the chunks one after another; the ``dask`` engine runs the very
same functions on the partitions of a ``dask.dataframe`` (with whatever scheduler is
active: a ``distributed`` client when one exists, else dask's threads), so both engines
give identical results. Gi* itself runs on the aggregated counts, which are small.

Choose an engine per call (``engine="dask"``), per block (``with use("dask"): ...``), per
process (``WORKBENCH_ENGINE=dask``) or per catalog entry (metadata ``engine: dask``); the
``workbench ingest`` and ``workbench hotspots`` commands take ``--engine``.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

#: Engines known to :func:`get_engine`.
ENGINES = ("pandas", "dask")
_CURRENT: list[str] = []


def default_engine() -> str:
    """Return the engine used when a call names none.

    Returns
    -------
    str
        The innermost :func:`use` block's engine, else ``$WORKBENCH_ENGINE``, else
        ``"pandas"``.
    """
    if _CURRENT:
        return _CURRENT[-1]
    return os.environ.get("WORKBENCH_ENGINE", "pandas") or "pandas"


def active_engine() -> str | None:
    """Return the engine of the innermost :func:`use` block, if any.

    Returns
    -------
    str or None
        The engine chosen explicitly for the current block (it wins over catalog
        metadata), or None outside any block.
    """
    return _CURRENT[-1] if _CURRENT else None


@contextmanager
def use(name: str) -> Iterator[None]:
    """Make ``name`` the default engine inside a ``with`` block.

    Parameters
    ----------
    name : str
        ``"pandas"`` or ``"dask"``.

    Yields
    ------
    None
    """
    _check(name)
    _CURRENT.append(name)
    try:
        yield
    finally:
        _CURRENT.pop()


def _check(name: str) -> str:
    if name not in ENGINES:
        raise ValueError(f"engine {name!r} is not one of {list(ENGINES)}")
    return name


def is_dask_frame(obj: Any) -> bool:
    """Tell whether ``obj`` is a dask DataFrame (without importing dask otherwise).

    Parameters
    ----------
    obj : Any
        Anything.

    Returns
    -------
    bool
        True for a ``dask.dataframe`` DataFrame.
    """
    return type(obj).__module__.startswith(("dask.dataframe", "dask_expr", "dask_geopandas"))


class PandasEngine:
    """Runs chunk functions one after another in this process."""

    name = "pandas"

    def collect_bulk(self, path: Path, metadata: dict[str, Any]):  # -> CollectResult
        """Collect a bulk export chunk by chunk.

        Parameters
        ----------
        path : Path
            Parquet or CSV file.
        metadata : dict
            Catalog metadata (see :func:`workbench.collect.bulk.collect_bulk`).

        Returns
        -------
        workbench.collect.base.CollectResult
            Candidates and rejects.
        """
        from workbench.collect.bulk import collect_bulk_pandas

        return collect_bulk_pandas(Path(path), metadata)

    def hex_counts(self, incidents: Any, resolution: int) -> pd.DataFrame:
        """Count incidents per H3 cell.

        Parameters
        ----------
        incidents : pandas.DataFrame or dask DataFrame
            Incidents (a dask frame is computed first).
        resolution : int
            H3 resolution.

        Returns
        -------
        pandas.DataFrame
            As :func:`workbench.analyse.hexbin.hex_counts`.
        """
        from workbench.analyse.hexbin import hex_counts

        frame = incidents.compute() if is_dask_frame(incidents) else incidents
        return hex_counts(frame, resolution, engine="pandas")


class DaskEngine:
    """Runs the same chunk functions on the partitions of a dask DataFrame.

    Parameters
    ----------
    partitions : int
        Partitions made from an in-memory pandas frame (``hex_counts``).
    """

    name = "dask"

    def __init__(self, partitions: int = 4) -> None:
        self.partitions = max(1, int(partitions))

    def collect_bulk(self, path: Path, metadata: dict[str, Any]):  # -> CollectResult
        """Collect a bulk export with one dask task per partition.

        Parquet files are split by row groups (read by the workers); CSV files are
        read in chunks here (one partition per chunk). Every partition runs
        :func:`workbench.collect.bulk.prepare_chunk` and the results are joined in file
        order, exactly as the pandas engine does.

        Parameters
        ----------
        path : Path
            Parquet or CSV file.
        metadata : dict
            Catalog metadata (see :func:`workbench.collect.bulk.collect_bulk`).

        Returns
        -------
        workbench.collect.base.CollectResult
            Candidates and rejects, identical to the pandas engine's.
        """
        import dask

        from workbench.collect.base import file_sha256
        from workbench.collect.bulk import CHUNK_ROWS

        path = Path(path)
        sha = file_sha256(path)
        chunk_rows = int(metadata.get("chunk_rows", CHUNK_ROWS))
        with dask.config.set({"dataframe.convert-string": False}):  # keep pandas' own dtypes
            return self._collect(path, metadata, sha, chunk_rows)

    def _collect(self, path: Path, metadata: dict[str, Any], sha: str, chunk_rows: int):  # -> CollectResult
        import dask
        import dask.dataframe as dd

        from workbench.collect.bulk import assemble, file_format, parquet_pieces, prepare_chunk, read_chunks, \
            read_parquet_piece

        if file_format(path, metadata) == "parquet":
            ddf = dd.from_map(read_parquet_piece, parquet_pieces(path, chunk_rows), enforce_metadata=False)
        else:
            ddf = dd.from_map(_identity, list(read_chunks(path, metadata, chunk_rows)), enforce_metadata=False)
        tasks = [dask.delayed(prepare_chunk)(part, metadata, sha) for part in ddf.to_delayed()]
        results = dask.compute(*tasks)
        return assemble([good for good, _ in results], [bad for _, bad in results], sha)

    def hex_counts(self, incidents: Any, resolution: int) -> pd.DataFrame:
        """Count incidents per H3 cell, partition by partition.

        Parameters
        ----------
        incidents : pandas.DataFrame or dask DataFrame
            Incidents; a pandas frame is split into ``partitions`` partitions.
        resolution : int
            H3 resolution.

        Returns
        -------
        pandas.DataFrame
            As :func:`workbench.analyse.hexbin.hex_counts` (identical counts).
        """
        import dask
        import dask.dataframe as dd

        with dask.config.set({"dataframe.convert-string": False}):
            ddf = incidents if is_dask_frame(incidents) else dd.from_pandas(incidents, npartitions=self.partitions,
                                                                             sort=False)
            return self._hex_counts(ddf, resolution)

    def _hex_counts(self, ddf: Any, resolution: int) -> pd.DataFrame:
        import dask

        from workbench.analyse.hexbin import finish_counts, partition_counts

        columns = [c for c in ("incident_id", "h3_cell", "lat", "lon") if c in ddf.columns]
        ddf = ddf[columns]
        meta = pd.DataFrame({"h3_cell": pd.Series(dtype=object), "count": pd.Series(dtype=np.int64)})
        parts = ddf.map_partitions(partition_counts, resolution, meta=meta)
        counts, n = dask.compute(parts, ddf.map_partitions(len).sum())
        return finish_counts(counts, int(n), resolution)


def _identity(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


def get_engine(name: str | None = None) -> PandasEngine | DaskEngine:
    """Return an engine by name.

    Parameters
    ----------
    name : str, optional
        ``"pandas"`` or ``"dask"``; :func:`default_engine` when omitted.

    Returns
    -------
    PandasEngine or DaskEngine
        The engine.

    Raises
    ------
    ValueError
        For an unknown name.
    """
    name = _check(name or default_engine())
    return DaskEngine() if name == "dask" else PandasEngine()
