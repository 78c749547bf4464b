"""Engines: run the same pandas function on pieces of data, in this process or on dask.

An engine is a generic partition runner: it knows nothing about what it runs and imports
nothing from the rest of the workbench above :mod:`workbench.registry`. Steps that grow
with the number of incidents are written as a pandas function of one chunk of rows plus
a cheap combining step, and hand the function to an engine:

- :meth:`PandasEngine.map_pieces` / :meth:`DaskEngine.map_pieces` apply a function to a
  sequence of pieces (e.g. :mod:`workbench.collect.bulk` runs
  :func:`~workbench.collect.bulk.prepare_chunk` on the chunks of a bulk export);
- ``map_partitions`` applies a function to the partitions of a frame (e.g.
  :func:`workbench.analyse.hexbin.hex_counts` runs
  :func:`~workbench.analyse.hexbin.partition_counts` on them).

The ``pandas`` engine runs the pieces one after another; the ``dask`` engine runs the very
same functions as dask tasks (with whatever scheduler is active: a ``distributed`` client
when one exists, else dask's threads), so both engines give identical results. Gi*
itself runs on the aggregated counts, which are small.

Choose an engine per call (``engine="dask"``), per block (``with use("dask"): ...``), per
process (``WORKBENCH_ENGINE=dask``) or per catalog entry (metadata ``engine: dask``); the
``workbench ingest`` and ``workbench hotspots`` commands take ``--engine``.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

import pandas as pd

from workbench.registry import Registry

R = TypeVar("R")
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
        raise ValueError(f"engine {name!r} is not one of {ENGINES.names()}")
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
    """Runs the unit-of-work functions one after another in this process."""

    name = "pandas"
    #: False: pieces are processed as they come (a generator is read lazily, chunk by chunk).
    parallel = False

    def map_pieces(self, func: Callable[..., R], pieces: Iterable[Any], *args: Any,
                   load: Callable[[Any], Any] | None = None) -> list[R]:
        """Apply ``func(load(piece), *args)`` to every piece, in order.

        Parameters
        ----------
        func : callable
            The unit of work (e.g. :func:`workbench.collect.bulk.prepare_chunk`).
        pieces : iterable
            The pieces (chunks of rows, or descriptions that ``load`` turns into chunks);
            read lazily, one at a time.
        *args
            Passed to ``func`` after the piece.
        load : callable, optional
            Turns a piece into ``func``'s first argument (default: the piece itself).

        Returns
        -------
        list
            ``func``'s results, in the order of the pieces.
        """
        return [func(load(piece) if load else piece, *args) for piece in pieces]

    def map_partitions(self, func: Callable[..., pd.DataFrame], frame: Any, *args: Any,
                       columns: Sequence[str] | None = None,
                       meta: pd.DataFrame | None = None) -> tuple[pd.DataFrame, int]:
        """Apply ``func(frame, *args)`` to a whole frame (a dask frame is computed first).

        Parameters
        ----------
        func : callable
            Takes a pandas frame (and ``args``) and returns a pandas frame.
        frame : pandas.DataFrame or dask DataFrame
            The rows.
        *args
            Passed to ``func`` after the frame.
        columns : sequence of str, optional
            Columns ``func`` needs (the dask engine reads only these).
        meta : pandas.DataFrame, optional
            An empty frame shaped like ``func``'s result (used by the dask engine).

        Returns
        -------
        tuple of (pandas.DataFrame, int)
            ``func``'s result and the number of rows in ``frame``.
        """
        if is_dask_frame(frame):
            frame = frame[list(columns)].compute() if columns is not None else frame.compute()
        return func(frame, *args), len(frame)


class DaskEngine:
    """Runs the same unit-of-work functions as dask tasks, one per piece or partition.

    Parameters
    ----------
    partitions : int
        Partitions made from an in-memory pandas frame (:meth:`map_partitions`).
    """

    name = "dask"
    #: True: pieces are listed up front and run as parallel tasks.
    parallel = True

    def __init__(self, partitions: int = 4) -> None:
        self.partitions = max(1, int(partitions))

    def map_pieces(self, func: Callable[..., R], pieces: Iterable[Any], *args: Any,
                   load: Callable[[Any], Any] | None = None) -> list[R]:
        """Apply ``func(load(piece), *args)`` to every piece as one dask task each.

        Parameters
        ----------
        func : callable
            The unit of work.
        pieces : iterable
            The pieces; with ``load``, small descriptions that the workers turn into
            chunks themselves (e.g. Parquet row groups).
        *args
            Passed to ``func`` after the piece.
        load : callable, optional
            Turns a piece into ``func``'s first argument, inside the task.

        Returns
        -------
        list
            ``func``'s results, in the order of the pieces (identical to the pandas
            engine's).
        """
        import dask

        tasks = [dask.delayed(func)(dask.delayed(load)(piece) if load else piece, *args) for piece in pieces]
        with dask.config.set({"dataframe.convert-string": False}):  # keep pandas' own dtypes
            return list(dask.compute(*tasks))

    def map_partitions(self, func: Callable[..., pd.DataFrame], frame: Any, *args: Any,
                       columns: Sequence[str] | None = None,
                       meta: pd.DataFrame | None = None) -> tuple[pd.DataFrame, int]:
        """Apply ``func(partition, *args)`` to every partition and concatenate the results.

        Parameters
        ----------
        func : callable
            Takes a pandas frame (one partition, and ``args``) and returns a pandas frame.
        frame : pandas.DataFrame or dask DataFrame
            The rows; a pandas frame is split into ``partitions`` partitions.
        *args
            Passed to ``func`` after the partition.
        columns : sequence of str, optional
            Columns ``func`` needs (only these are read).
        meta : pandas.DataFrame, optional
            An empty frame shaped like ``func``'s result.

        Returns
        -------
        tuple of (pandas.DataFrame, int)
            The partitions' results, concatenated, and the number of rows in ``frame``.
        """
        import dask
        import dask.dataframe as dd

        with dask.config.set({"dataframe.convert-string": False}):
            ddf = frame if is_dask_frame(frame) else dd.from_pandas(frame, npartitions=self.partitions, sort=False)
            if columns is not None:
                ddf = ddf[list(columns)]
            parts = ddf.map_partitions(func, *args, meta=meta) if meta is not None else ddf.map_partitions(func,
                                                                                                           *args)
            result, n = dask.compute(parts, ddf.map_partitions(len).sum())
        return result, int(n)


#: Engine name -> engine class (:func:`get_engine` makes one).
ENGINES: Registry[type[PandasEngine] | type[DaskEngine]] = Registry("engine")
ENGINES.register("pandas", PandasEngine)
ENGINES.register("dask", DaskEngine)


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
    return ENGINES.get(_check(name or default_engine()))()
