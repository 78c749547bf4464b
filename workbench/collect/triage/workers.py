"""Parallel work balanced by cost: equal-cost chunks handed out as workers free up.

A static split (``items[i::n_jobs]``) leaves one worker idle while the other finishes the
expensive half. Here the work is cut into several chunks of about equal cost per worker
(:func:`balanced_chunks`), the chunks are dispatched largest first (longest-processing-
time order) and each worker takes the next chunk as soon as it is free
(:func:`map_balanced`), so the last chunk to finish is a small one.

Workers are forked: they inherit the parent's memory (the fitted relevance model, the
compiled lexicon and gazetteer, and the tasks themselves), so only a chunk number goes
to a worker and only its result comes back.
"""

from __future__ import annotations

import gc
import multiprocessing
from typing import Any, Callable, Sequence

import numpy as np

#: The tasks of the running :func:`map_balanced` call, inherited by forked workers.
_TASKS: list[Any] = []
_FUNCTION: list[Callable[[Any], Any]] = []


def balanced_chunks(costs: Sequence[float], n_chunks: int) -> list[tuple[int, int]]:
    """Cut a sequence into contiguous chunks of about equal total cost.

    Parameters
    ----------
    costs : sequence of float
        Cost of each item (e.g. its text length), non-negative.
    n_chunks : int
        Number of chunks wanted (fewer when there are fewer items).

    Returns
    -------
    list of tuple
        ``(start, stop)`` index ranges covering every item once, in order, none empty.

    Raises
    ------
    ValueError
        For a negative cost or ``n_chunks < 1``.
    """
    if n_chunks < 1:
        raise ValueError(f"n_chunks={n_chunks}: expected at least 1")
    c = np.asarray(costs, dtype=float)
    if len(c) == 0:
        return []
    if (c < 0).any():
        raise ValueError("costs: expected non-negative values")
    total = np.cumsum(c)
    targets = total[-1] * np.arange(1, n_chunks) / n_chunks
    cuts = np.searchsorted(total, targets, side="right")
    bounds = sorted({0, *(int(x) for x in cuts), len(c)})
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _run(k: int) -> tuple[int, Any]:
    return k, _FUNCTION[0](_TASKS[k])


def map_balanced(function: Callable[[Any], Any], tasks: Sequence[Any], n_jobs: int,
                 costs: Sequence[float] | None = None) -> list[Any]:
    """Apply ``function`` to every task on ``n_jobs`` forked workers, dynamically scheduled.

    Tasks are dispatched in decreasing cost, one at a time to whichever worker is free
    (``imap_unordered`` with chunk size 1). Without ``fork`` (Windows, macOS spawn
    default) or with ``n_jobs <= 1`` the tasks run in this process.

    Parameters
    ----------
    function : callable
        Applied to each task; must be importable at module level (it is named, not
        pickled, when workers fork).
    tasks : sequence
        The work items; workers inherit them by forking (nothing is pickled on the way
        in).
    n_jobs : int
        Worker processes.
    costs : sequence of float, optional
        Expected cost per task (default: all equal), for the dispatch order.

    Returns
    -------
    list
        ``function(task)`` per task, in task order.
    """
    tasks = list(tasks)
    if n_jobs <= 1 or len(tasks) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(t) for t in tasks]
    order = np.argsort(-np.asarray(costs if costs is not None else [1.0] * len(tasks), dtype=float), kind="stable")
    _TASKS[:], _FUNCTION[:] = tasks, [function]
    out: list[Any] = [None] * len(tasks)
    # the inherited objects (model, lexicon, gazetteer) go to the collector's permanent generation
    # first: the workers' collections then never walk them, nor copy their pages by touching them
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(min(n_jobs, len(tasks))) as pool:
            for k, result in pool.imap_unordered(_run, [int(i) for i in order], chunksize=1):
                out[k] = result
    finally:
        gc.unfreeze()
        _TASKS.clear()
        _FUNCTION.clear()
    return out
