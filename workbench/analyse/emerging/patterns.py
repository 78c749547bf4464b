"""Emerging hot spot classes: the Mann-Kendall trend test and ArcGIS's classification rules
(see :mod:`workbench.analyse.emerging` for the definitions and their precedence)."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

#: ArcGIS's eight pattern names, each with a hot and a cold variant.
PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating",
            "historical")
#: Every class a place can get, hot first, then cold, then "no pattern detected".
NO_PATTERN = "no pattern detected"
CLASSES = tuple(f"{p} hot spot" for p in PATTERNS) + tuple(f"{p} cold spot" for p in PATTERNS) + (NO_PATTERN,)
#: Share of steps that makes a place a persistent / intensifying / diminishing / historical spot.
MOSTLY = 0.9
#: ArcGIS's advice: fewer steps than this make the trend test weak.
MIN_STEPS = 10


def mann_kendall(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mann-Kendall trend test of each row of a matrix (a series per row, in time order).

    S is the sum of ``sign(x_j - x_i)`` over all pairs ``i < j``. Its variance under no
    trend is ``(n(n-1)(2n+5) - sum_t t(t-1)(2t+5)) / 18`` where ``t`` runs over the sizes
    of groups of tied values (values equal to 9 decimals count as tied); the z-score is
    ``(S - sign(S)) / sqrt(var)`` (continuity correction) and p is two-sided normal.

    Parameters
    ----------
    x : numpy.ndarray
        ``places x steps`` (or one series as a vector).

    Returns
    -------
    tuple of numpy.ndarray
        ``(z, p)`` per row; z = 0 and p = 1 for a series that cannot trend (fewer than
        two steps, or all values tied).
    """
    x = np.round(np.atleast_2d(np.asarray(x, dtype=float)), 9)
    rows, n = x.shape
    s = np.zeros(rows)
    for lag in range(1, n):
        s += np.sign(x[:, lag:] - x[:, :-lag]).sum(axis=1)
    ordered = np.sort(x, axis=1)
    starts = np.ones_like(ordered, dtype=bool)
    starts[:, 1:] = np.diff(ordered, axis=1) != 0
    group = np.cumsum(starts, axis=1) - 1
    sizes = np.bincount((np.arange(rows)[:, None] * n + group).ravel(), minlength=rows * n).reshape(rows, n)
    ties = (sizes * (sizes - 1) * (2 * sizes + 5)).sum(axis=1)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(var), 0.0)
    return z, 2 * norm.sf(np.abs(z))


def classify_patterns(hot: np.ndarray, cold: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray,
                      alpha: float = 0.05) -> np.ndarray:
    """Emerging hot spot class of each place from its significant bins and trend.

    The rules are those of :mod:`workbench.analyse.emerging` (ArcGIS's definitions, with the stated
    precedence).

    Parameters
    ----------
    hot, cold : numpy.ndarray
        ``places x steps`` booleans: significant hot / cold bins (never both).
    trend_z, trend_p : numpy.ndarray
        Mann-Kendall z and p of each place's Gi* z-scores.
    alpha : float
        Significance level of the trend.

    Returns
    -------
    numpy.ndarray
        One of :data:`CLASSES` per place.
    """
    hot, cold = np.atleast_2d(hot).astype(bool), np.atleast_2d(cold).astype(bool)
    n = hot.shape[1]
    out = np.full(hot.shape[0], NO_PATTERN, dtype=object)
    up = (trend_p <= alpha) & (trend_z > 0)
    down = (trend_p <= alpha) & (trend_z < 0)
    for kind, this, other, stronger, weaker in (("hot", hot, cold, up, down), ("cold", cold, hot, down, up)):
        count = this.sum(axis=1)
        mostly = count >= MOSTLY * n - 1e-9
        final = this[:, -1]
        reverse = this[:, ::-1]
        run = np.where(reverse.all(axis=1), n, np.argmin(reverse, axis=1))  # trailing run length
        other_before = other[:, :-1].any(axis=1)
        rules = [
            (final & mostly & stronger, "intensifying"),
            (final & mostly & weaker, "diminishing"),
            (final & mostly, "persistent"),
            (final & other_before, "oscillating"),
            (final & (count == 1), "new"),
            (final & (count == run) & (run >= 2), "consecutive"),
            (final, "sporadic"),
            (~final & ~other[:, -1] & mostly, "historical"),
        ]
        done = np.zeros(len(out), dtype=bool)
        for mask, name in rules:
            take = mask & ~done
            out[take] = f"{name} {kind} spot"
            done |= take
    return out
