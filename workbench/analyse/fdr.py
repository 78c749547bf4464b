"""The false discovery rate: one Benjamini-Hochberg adjustment for every test in the workbench.

Gi* hot spots (:mod:`workbench.analyse.getis_ord`), emerging hot spots (FDR within each
time step, :mod:`workbench.analyse.emerging`) and corridor changes
(:mod:`workbench.analyse.routes`) all call :func:`bh_qvalues`, which wraps statsmodels'
``multipletests(method="fdr_bh")`` once.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def bh_qvalues(p: Any) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), column by column.

    Parameters
    ----------
    p : array-like
        p-values in [0, 1]: a vector, or a matrix adjusted separately in each column (e.g.
        places x time steps: the FDR is controlled within each time step).

    Returns
    -------
    numpy.ndarray
        q-values shaped like ``p`` (float); a test is significant at FDR ``alpha`` when
        its q-value is at most ``alpha``.

    Raises
    ------
    ValueError
        When ``p`` has more than two dimensions or a value outside [0, 1] or missing.
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, dtype=float)
    if p.ndim > 2:
        raise ValueError(f"p-values must be a vector or a matrix, got {p.ndim} dimensions")
    if p.size == 0:
        return p.copy()
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError("p-values must all be in [0, 1] (none missing)")
    columns = p[:, None] if p.ndim == 1 else p
    q = np.empty_like(columns)
    for j in range(columns.shape[1]):
        q[:, j] = multipletests(columns[:, j], method="fdr_bh")[1]
    return q[:, 0] if p.ndim == 1 else q
