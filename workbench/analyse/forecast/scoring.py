"""Scores and series diagnostics of the ladder: MASE, minimum history, demand pattern."""

from __future__ import annotations

from typing import Literal

import numpy as np



def mase(actual: np.ndarray, predicted: np.ndarray, history: np.ndarray, season_length: int) -> float:
    """Mean absolute scaled error.

    The scale is the in-sample MAE of the seasonal naive forecast on ``history``; when
    that is zero or undefined (a perfectly repeating or too short history) the
    non-seasonal naive MAE is used, and when that is zero too (a constant history) the
    error is undefined (NaN).

    Parameters
    ----------
    actual, predicted : numpy.ndarray
        Out-of-sample values and forecasts.
    history : numpy.ndarray
        The training window.
    season_length : int
        Season length.

    Returns
    -------
    float
        MASE (NaN when undefined).
    """
    history = np.asarray(history, dtype=float)
    m = season_length
    scale = np.mean(np.abs(history[m:] - history[:-m])) if history.size > m else 0.0
    if not scale:
        scale = np.mean(np.abs(np.diff(history))) if history.size > 1 else 0.0
    if not scale:
        return float("nan")
    return float(np.mean(np.abs(np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float))) / scale)


def min_history(season_length: int, horizon: int, n_windows: int) -> int:
    """Shortest series :class:`Forecaster` backtests: ``season_length + 1 + horizon * n_windows``.

    Parameters
    ----------
    season_length, horizon, n_windows : int
        As for :class:`Forecaster`.

    Returns
    -------
    int
        Minimum number of observations.
    """
    return season_length + 1 + horizon * n_windows


#: Syntetos-Boylan cut-off: a series whose average inter-demand interval is at least this
#: is intermittent.
INTERMITTENT_ADI = 1.32
#: Candidates ``"auto"`` expands to, by demand pattern (seasonal naive is always added).
AUTO_MODELS: dict[str, tuple[str, ...]] = {
    "smooth": ("naive", "ets", "arima"),
    "intermittent": ("naive", "croston", "tsb"),
}


def adi(y: np.ndarray) -> float:
    """Average inter-demand interval: observations per non-zero observation.

    Parameters
    ----------
    y : numpy.ndarray
        Counts.

    Returns
    -------
    float
        ``len(y) / count(y > 0)``; infinite when there is no demand at all.
    """
    y = np.asarray(y, dtype=float)
    nonzero = int((y > 0).sum())
    return float(y.size / nonzero) if nonzero else float("inf")


def demand_pattern(y: np.ndarray) -> Literal["smooth", "intermittent"]:
    """``"intermittent"`` when :func:`adi` >= :data:`INTERMITTENT_ADI` (Syntetos-Boylan), else ``"smooth"``.

    Parameters
    ----------
    y : numpy.ndarray
        Counts.

    Returns
    -------
    str
        The demand pattern.
    """
    return "intermittent" if adi(y) >= INTERMITTENT_ADI else "smooth"
