"""Hierarchical reconciliation: make forecasts add up (country = sum of its types, ALL = sum of all).

Base forecasts of every node of a hierarchy (from :class:`~workbench.analyse.forecast.Forecaster`)
do not add up: each series was forecast on its own. :class:`Reconciler` maps them to coherent
forecasts ``y~ = S G y^`` with the summing matrix ``S`` (one row per node, one column per
bottom series) and a projection ``G = (S' W^-1 S)^-1 S' W^-1`` (Wickramasuriya, Athanasopoulos
& Hyndman 2019, "Optimal forecast reconciliation for hierarchical and grouped time series
through trace minimization", JASA 114:804-819). ``W`` is

- ``"ols"``: the identity;
- ``"wls_struct"``: structural scaling, ``diag(S 1)`` (the number of bottom series under
  each node);
- ``"mint_shrink"``: the forecast error covariance, estimated from the base models'
  backtest errors (:meth:`ForecastResults.residuals`) and shrunk towards its diagonal
  with the Schafer-Strimmer (2005) intensity
  ``lambda = sum_{i!=j} Var(r_ij) / sum_{i!=j} r_ij^2`` on the correlation scale;
- ``"bottom_up"``: ``G`` takes the bottom forecasts as they are.

Intervals are Gaussian: each base interval's upper half-width gives a standard deviation
``sigma_i = (upper_i - mean_i) / z`` (the upper one, as lower bounds were clipped at zero);
with the residual correlation ``R`` (shrunk as above; the identity without residuals) the
base covariance is ``Sigma = D R D`` and the reconciled one ``(S G) Sigma (S G)'``.

Counts are never negative, and the projection can give a negative bottom mean. Coherence
is exact (to rounding) for the projected means, kept as ``unclipped``; the published
means then set negative bottom means to zero and add them up again with ``S`` (bottom-up
re-aggregation), so they are non-negative *and* exactly coherent. Interval bounds are
centred on those means and clipped at zero (intervals do not add up, by nature).

The hierarchy is read from ``unique_id`` as :func:`~workbench.analyse.series.incident_series`
names it with ``totals=True``: ``"NGA/forced_labour"`` is a bottom series, ``"NGA/ALL"``
sums the ``"NGA/..."`` ones and ``"ALL"`` sums everything. Note that the demo's totals count
incidents while type series count type tags, so the *data* need not add up (an incident of
two types counts in both); reconciled forecasts do, i.e. reconciled totals count tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

#: Label of an aggregated level in ``unique_id`` (as in :mod:`workbench.analyse.series`).
TOTAL = "ALL"
METHODS = ("mint_shrink", "ols", "wls_struct", "bottom_up")
_COLUMNS = ["unique_id", "ds", "model", "yhat", "yhat_lower", "yhat_upper"]


def summing_matrix(ids: list[str] | pd.Index, sep: str = "/",
                   orphans: Literal["raise", "drop"] = "raise") -> pd.DataFrame:
    """Summing matrix of the hierarchy spelled by ``unique_id`` names.

    An id with an ``"ALL"`` part is an aggregate: it sums every bottom id that agrees with
    it on each part that is not ``"ALL"`` (``"NGA/ALL"`` sums ``"NGA/*"``; ``"ALL"`` sums
    everything). The bottom ids are those without an ``"ALL"`` part.

    Parameters
    ----------
    ids : list of str
        The series' ``unique_id`` values.
    sep : str
        Separator of the parts.
    orphans : {"raise", "drop"}
        An aggregate with no bottom series under it (e.g. a country whose incidents
        carry no type): raise, or leave it out of the matrix.

    Returns
    -------
    pandas.DataFrame
        0/1 matrix, rows = aggregates (most general first) then bottom ids (sorted),
        columns = bottom ids.

    Raises
    ------
    ValueError
        When there is no bottom series, bottom ids have different depths, or an
        aggregate has no bottom series under it.
    """
    ids = sorted(dict.fromkeys(str(i) for i in ids))
    parts = {i: i.split(sep) for i in ids}
    bottom = [i for i in ids if TOTAL not in parts[i]]
    if not bottom:
        raise ValueError(f"no bottom series among {ids[:5]}: every id has an {TOTAL!r} part")
    depth = {len(parts[b]) for b in bottom}
    if len(depth) > 1:
        raise ValueError(f"bottom ids have different depths {sorted(depth)} (e.g. {bottom[:3]})")
    # most general first: "ALL", then "NGA/ALL"...; within a level by name
    aggregates = sorted((i for i in ids if TOTAL in parts[i]),
                        key=lambda i: (sum(q != TOTAL for q in parts[i]), i))
    rows, kept = [], []
    for agg in aggregates:
        p = parts[agg]
        under = [len(p) <= len(parts[b]) and all(q == TOTAL or q == parts[b][k] for k, q in enumerate(p))
                 for b in bottom]
        if not any(under) and orphans == "drop":
            continue
        if not any(under):
            raise ValueError(f"record {agg!r}: field 'unique_id'={agg!r}: expected an aggregate with "
                             f"bottom series under it, found none")
        rows.append(np.asarray(under, dtype=float))
        kept.append(agg)
    rows.extend(np.eye(len(bottom)))
    return pd.DataFrame(np.vstack(rows), index=kept + bottom, columns=bottom)


def coherence_error(forecasts: pd.DataFrame, S: pd.DataFrame, column: str = "yhat") -> float:
    """Largest absolute gap between each aggregate's forecast and the sum of its bottom series.

    Parameters
    ----------
    forecasts : pandas.DataFrame
        Long ``unique_id, ds, <column>`` frame holding every node of ``S``.
    S : pandas.DataFrame
        Summing matrix (:func:`summing_matrix`).
    column : str
        Column checked.

    Returns
    -------
    float
        ``max |y_agg - S_agg y_bottom|`` over nodes and stamps (0 when coherent).
    """
    wide = forecasts.pivot(index="unique_id", columns="ds", values=column).reindex(S.index)
    if wide.isna().any().any():
        missing = wide.index[wide.isna().any(axis=1)][0]
        raise ValueError(f"record {missing!r}: field {column!r} missing: every node of S needs a forecast")
    gap = wide.to_numpy() - S.to_numpy() @ wide.loc[S.columns].to_numpy()
    return float(np.abs(gap).max()) if gap.size else 0.0


def shrunk_covariance(residuals: np.ndarray) -> tuple[np.ndarray, float]:
    """Schafer-Strimmer shrinkage of a residual covariance towards its diagonal.

    Parameters
    ----------
    residuals : numpy.ndarray
        ``T x n`` errors (rows: stamps, columns: series), no missing values.

    Returns
    -------
    (numpy.ndarray, float)
        The ``n x n`` shrunk covariance ``lambda diag(Sigma) + (1 - lambda) Sigma`` and
        the intensity ``lambda`` in [0, 1] (1 with fewer than 3 rows).
    """
    e = np.asarray(residuals, dtype=float)
    T, n = e.shape
    centred = e - e.mean(axis=0)
    sd = centred.std(axis=0, ddof=1) if T > 1 else np.zeros(n)
    cov = centred.T @ centred / max(T - 1, 1)
    if T < 3:
        return np.diag(np.diag(cov)), 1.0
    safe = np.where(sd > 0, sd, 1.0)
    x = np.where(sd > 0, centred / safe, 0.0)
    w = x[:, :, None] * x[:, None, :]  # T x n x n
    w_mean = w.mean(axis=0)
    r = T / (T - 1) * w_mean
    var_r = T / (T - 1) ** 3 * ((w - w_mean) ** 2).sum(axis=0)
    off = ~np.eye(n, dtype=bool)
    denom = float((r[off] ** 2).sum())
    lam = 1.0 if denom == 0 else float(np.clip(var_r[off].sum() / denom, 0.0, 1.0))
    shrunk = lam * np.diag(np.diag(cov)) + (1 - lam) * cov
    return shrunk, lam


@dataclass
class ReconcileResults:
    """Results of :class:`Reconciler`.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        ``unique_id, ds, model, yhat, yhat_lower, yhat_upper``: reconciled, non-negative
        means that add up exactly, and their intervals (clipped at zero). ``model`` is
        the base model and the method, e.g. ``"ets+mint_shrink"``.
    unclipped : pandas.DataFrame
        ``unique_id, ds, yhat``: the projected means before the non-negativity step
        (coherent to rounding, possibly negative).
    base : pandas.DataFrame
        The base forecasts reconciled.
    S : pandas.DataFrame
        Summing matrix (rows: nodes, columns: bottom series).
    method : str
        Reconciliation method.
    shrinkage : float
        Schafer-Strimmer intensity used for ``W`` (``mint_shrink``) and for the interval
        correlation; NaN without residuals.
    coherence_error : float
        :func:`coherence_error` of ``forecasts`` (0 up to rounding).
    coherence_error_unclipped : float
        :func:`coherence_error` of ``unclipped``.
    level : float
        Interval level in percent.
    note : str
        What was done (e.g. how many negative bottom means were set to zero).
    """

    forecasts: pd.DataFrame
    unclipped: pd.DataFrame
    base: pd.DataFrame
    S: pd.DataFrame
    method: str
    shrinkage: float
    coherence_error: float
    coherence_error_unclipped: float
    level: float
    note: str

    @property
    def table(self) -> pd.DataFrame:
        """Base and reconciled mean per node and stamp: ``unique_id, ds, base, reconciled``."""
        base = self.base[["unique_id", "ds", "yhat"]].rename(columns={"yhat": "base"})
        rec = self.forecasts[["unique_id", "ds", "yhat"]].rename(columns={"yhat": "reconciled"})
        return base.merge(rec, on=["unique_id", "ds"], how="right")

    def coherence_line(self) -> str:
        """One sentence for a report: is the hierarchy coherent, and how large was the gap."""
        ok = self.coherence_error <= 1e-6 * max(1.0, float(self.forecasts["yhat"].abs().max() or 1))
        verdict = "coherent" if ok else "NOT coherent"
        return (f"Reconciled forecasts ({self.method}) are {verdict}: largest gap between a total and the sum "
                f"of its parts {self.coherence_error:.2g} (base forecasts: {self._base_gap():.3g}).")

    def _base_gap(self) -> float:
        return coherence_error(self.base, self.S)


class Reconciler:
    """Reconcile base forecasts of a hierarchy so that totals equal the sums of their parts.

    Parameters
    ----------
    method : {"mint_shrink", "ols", "wls_struct", "bottom_up"}
        How the projection weighs the nodes (see the module notes). ``mint_shrink`` needs
        residuals; without them it falls back to ``wls_struct`` and says so in ``note``.
    level : float, optional
        Interval level in percent; defaults to the base results' level (or 80).

    Examples
    --------
    >>> series = incident_series(incidents, totals=True)  # doctest: +SKIP
    >>> res = Reconciler("mint_shrink").fit(Forecaster().fit(series))  # doctest: +SKIP
    >>> res.coherence_error, res.forecasts  # doctest: +SKIP
    """

    def __init__(self, method: Literal["mint_shrink", "ols", "wls_struct", "bottom_up"] = "mint_shrink",
                 level: float | None = None) -> None:
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        if level is not None and not 1 < level < 100:
            raise ValueError(f"level is a percentage in (1, 100), e.g. 80; got {level}")
        self.method = method
        self.level = level

    def fit(self, base: object, hierarchy: pd.DataFrame | None = None,
            residuals: pd.DataFrame | None = None) -> ReconcileResults:
        """Reconcile.

        Parameters
        ----------
        base : ForecastResults or pandas.DataFrame
            Base forecasts: a :class:`~workbench.analyse.forecast.ForecastResults` (its
            ``forecasts``, ``level`` and backtest residuals are used) or a long frame
            ``unique_id, ds, yhat`` (optionally ``yhat_lower, yhat_upper, model``).
        hierarchy : pandas.DataFrame, optional
            Summing matrix; by default :func:`summing_matrix` of the ids in ``base``.
        residuals : pandas.DataFrame, optional
            ``unique_id, ds, residual`` (and optionally ``window``) errors for ``W``;
            by default the results' :meth:`ForecastResults.residuals`.

        Returns
        -------
        ReconcileResults
            Coherent forecasts and checks.

        Raises
        ------
        ValueError
            When a node of the hierarchy has no base forecast, or base forecasts lack
            ``unique_id, ds, yhat``.
        """
        frame, level, residuals = self._base(base, residuals)
        S = hierarchy if hierarchy is not None else summing_matrix(frame["unique_id"].unique(), orphans="drop")
        nodes = list(S.index)
        notes = []
        orphaned = sorted(set(frame["unique_id"]) - set(nodes))
        if orphaned:
            notes.append(f"left out, nothing under them: {', '.join(map(str, orphaned[:5]))}"
                         + (f" and {len(orphaned) - 5} more" if len(orphaned) > 5 else ""))
        absent = sorted(set(nodes) - set(frame["unique_id"]))
        if absent:
            raise ValueError(f"record {absent[0]!r}: field 'yhat' missing: no base forecast for this node "
                             f"({len(absent)} node(s) lack one)")
        frame = frame[frame["unique_id"].isin(nodes)]
        mean = frame.pivot(index="unique_id", columns="ds", values="yhat").reindex(nodes)
        upper = frame.pivot(index="unique_id", columns="ds", values="yhat_upper").reindex(nodes)
        if mean.isna().any().any():
            bad = mean.index[mean.isna().any(axis=1)][0]
            raise ValueError(f"record {bad!r}: field 'ds': base forecasts of the nodes cover different stamps")
        Sm = S.to_numpy(dtype=float)
        cov, lam = self._residual_cov(residuals, nodes)
        method = self.method
        if method == "mint_shrink" and cov is None:
            method = "wls_struct"
            notes.append("no residuals for MinT: structural weights (wls_struct) used")
        G = self._projection(method, Sm, cov)
        P = Sm @ G
        yhat = mean.to_numpy(dtype=float)
        rec = P @ yhat
        # non-negative and coherent: negative bottom means to zero, then add up again
        projected = G @ yhat
        bottom = np.clip(projected, 0, None)
        clipped = int((projected < 0).sum())
        final = Sm @ bottom
        if clipped:
            notes.append(f"{clipped} negative bottom mean(s) set to zero and the totals re-added")
        half = _half_widths(P, yhat, upper.to_numpy(dtype=float), level, cov)
        stamps = mean.columns
        model = frame.groupby("unique_id")["model"].first().reindex(nodes).astype(str) + f"+{self.method}"

        def long(values: np.ndarray, name: str) -> pd.Series:
            """A nodes x stamps array as a long series indexed ``(unique_id, ds)``."""
            return pd.DataFrame(values, index=nodes, columns=stamps).stack().rename(name)

        out = pd.concat([long(final, "yhat"), long(np.clip(final - half, 0, None), "yhat_lower"),
                         long(final + half, "yhat_upper")], axis=1).reset_index()
        out.columns = ["unique_id", "ds", "yhat", "yhat_lower", "yhat_upper"]
        out.insert(2, "model", out["unique_id"].map(model))
        unclipped = long(rec, "yhat").reset_index()
        unclipped.columns = ["unique_id", "ds", "yhat"]
        return ReconcileResults(
            forecasts=out[_COLUMNS], unclipped=unclipped, base=frame[_COLUMNS].reset_index(drop=True), S=S,
            method=self.method, shrinkage=lam, coherence_error=coherence_error(out, S),
            coherence_error_unclipped=coherence_error(unclipped, S), level=level, note="; ".join(notes))

    def _base(self, base: object, residuals: pd.DataFrame | None) -> tuple[pd.DataFrame, float, pd.DataFrame | None]:
        """The base forecasts (interval and model columns filled in), the level and the residuals."""
        level = self.level
        if hasattr(base, "forecasts"):
            level = level or float(base.level)
            if residuals is None and hasattr(base, "residuals"):
                residuals = base.residuals()
            frame = base.forecasts
        else:
            frame = base
        level = float(level or 80)
        missing = {"unique_id", "ds", "yhat"} - set(frame.columns)
        if missing:
            raise ValueError(f"base forecasts lack column(s) {sorted(missing)} (need unique_id, ds, yhat)")
        frame = frame.copy()
        for col in ("yhat_lower", "yhat_upper"):
            if col not in frame:
                frame[col] = frame["yhat"]
        if "model" not in frame:
            frame["model"] = "base"
        return frame, level, residuals

    @staticmethod
    def _residual_cov(residuals: pd.DataFrame | None, nodes: list[str]) -> tuple[np.ndarray | None, float]:
        """Shrunk covariance of the nodes' residuals (rows with every node observed), or None."""
        if residuals is None or len(residuals) == 0:
            return None, float("nan")
        keys = ["window", "ds"] if "window" in residuals else ["ds"]
        wide = residuals.pivot_table(index=keys, columns="unique_id", values="residual", aggfunc="mean")
        if not set(nodes) <= set(wide.columns):
            return None, float("nan")
        wide = wide[nodes].dropna()
        if len(wide) < 3:
            return None, float("nan")
        return shrunk_covariance(wide.to_numpy())

    @staticmethod
    def _projection(method: str, S: np.ndarray, cov: np.ndarray | None) -> np.ndarray:
        """``G`` (bottom x nodes) of the method."""
        n, nb = S.shape
        if method == "bottom_up":
            G = np.zeros((nb, n))
            G[:, n - nb:] = np.eye(nb)
            return G
        if method == "ols":
            w_inv = np.eye(n)
        elif method == "wls_struct":
            w_inv = np.diag(1.0 / S.sum(axis=1))
        else:
            W = cov + np.eye(n) * 1e-9 * max(float(np.trace(cov)) / n, 1e-12)  # keeps W invertible
            w_inv = np.linalg.pinv(W)
        A = S.T @ w_inv
        return np.linalg.solve(A @ S, A)


def _half_widths(P: np.ndarray, yhat: np.ndarray, upper: np.ndarray, level: float,
                 cov: np.ndarray | None) -> np.ndarray:
    """Half-widths of the reconciled intervals: the base intervals' sigmas, correlated as the residuals
    (independent without them), through the projection ``P``."""
    z = float(norm.ppf(0.5 + level / 200))
    sigma = np.clip((upper - yhat) / z, 0, None)
    corr = np.eye(yhat.shape[0]) if cov is None else _correlation(cov)
    half = np.empty_like(yhat)
    for t in range(yhat.shape[1]):
        Sigma = sigma[:, t][:, None] * corr * sigma[:, t][None, :]
        half[:, t] = z * np.sqrt(np.clip(np.diag(P @ Sigma @ P.T), 0, None))
    return half


def _correlation(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    safe = np.where(sd > 0, sd, 1.0)
    corr = cov / safe[:, None] / safe[None, :]
    corr[sd == 0, :] = 0
    corr[:, sd == 0] = 0
    np.fill_diagonal(corr, 1.0)
    return corr


def hierarchy_table(results: ReconcileResults | None, k: int | None = None, countries: int = 3) -> pd.DataFrame:
    """Base and reconciled forecasts of the grand total, the largest country totals and their parts.

    Parameters
    ----------
    results : ReconcileResults or None
        Reconciled forecasts (None: nothing in scope).
    k : int, optional
        Disclosure threshold: forecast values below ``k`` are withheld (NaN, shown as
        ``[c]`` by :func:`workbench.share.tables.render`). None shows every value.
    countries : int
        How many aggregates below the grand total are listed (largest reconciled first),
        each followed by its bottom series.

    Returns
    -------
    pandas.DataFrame
        ``series, level, base forecast, reconciled forecast, first month, first month
        upper``: the first two summed over the horizon, all rounded to 0.1 (forecasts
        are expected counts, not counts). With ``k``, a part is also withheld when it is
        the only other way to recover a withheld part from its shown subtotal.
    """
    columns = ["series", "level", "base forecast", "reconciled forecast", "first month", "first month upper"]
    if results is None or results.forecasts.empty:
        return pd.DataFrame(columns=columns)
    S = results.S
    fc = results.forecasts.sort_values("ds")
    first = fc.groupby("unique_id").first()
    total = fc.groupby("unique_id")["yhat"].sum()
    base = results.base.groupby("unique_id")["yhat"].sum()
    n_bottom = S.sum(axis=1)
    top = [i for i in S.index if n_bottom[i] == S.shape[1] and i not in S.columns]
    middle = [i for i in S.index if i not in top and i not in S.columns]
    middle = sorted(middle, key=lambda i: -total[i])[:countries]
    rows = []
    for uid in top:
        rows.append((uid, "total"))
    for uid in middle:
        rows.append((uid, "subtotal"))
        rows.extend((b, "part") for b in S.columns[S.loc[uid].to_numpy() > 0])
    if not middle:
        rows.extend((b, "part") for b in sorted(S.columns, key=lambda b: -total[b])[:countries])
    ids = [r[0] for r in rows]
    out = pd.DataFrame({
        "series": ids,
        "level": [r[1] for r in rows],
        "base forecast": base.reindex(ids).round(1).to_numpy(),
        "reconciled forecast": total.reindex(ids).round(1).to_numpy(),
        "first month": first["yhat"].reindex(ids).round(1).to_numpy(),
        "first month upper": first["yhat_upper"].reindex(ids).round(1).to_numpy(),
    })
    if k is not None:
        values = list(out.columns[2:])
        out[values] = out[values].where(out[values] >= k)
        # reconciled parts add up to their subtotal: when a subtotal is shown and exactly one
        # of its parts is withheld, withhold the smallest shown part too (secondary suppression)
        group = (out["level"] != "part").cumsum()
        for col in ("reconciled forecast", "first month", "first month upper"):
            for _, rows in out.groupby(group):
                parts = rows[rows["level"] == "part"]
                if len(rows) > len(parts) and rows[col].notna().iloc[0] and parts[col].isna().sum() == 1 \
                        and parts[col].notna().any():
                    out.loc[parts[col].idxmin(), col] = np.nan
    return out


def coherence_line(results: ReconcileResults | None) -> str:
    """:meth:`ReconcileResults.coherence_line`, or a sentence when there was nothing to reconcile.

    Parameters
    ----------
    results : ReconcileResults or None
        Reconciled forecasts.

    Returns
    -------
    str
        One sentence.
    """
    return results.coherence_line() if results is not None else "No hierarchy in scope to reconcile."


def reconcile_or_none(results: object, method: str = "mint_shrink") -> ReconcileResults | None:
    """Reconcile ladder results when they form a hierarchy; None when there is nothing to reconcile.

    Parameters
    ----------
    results : ForecastResults or None
        Base forecasts of every node (e.g. from ``incident_series(..., totals=True)``).
    method : str
        As for :class:`Reconciler`.

    Returns
    -------
    ReconcileResults or None
        None when ``results`` is None, a series was skipped (too short: its node has no
        forecast), or the ids hold no total with parts under it (e.g. an empty scope
        leaves only ``"ALL"``).
    """
    if results is None or len(results.forecasts) == 0 or len(results.skipped):
        return None
    ids = results.forecasts["unique_id"].astype(str).unique()
    parts = [i for i in ids if TOTAL not in i.split("/")]
    if not parts or len(parts) == len(ids):
        return None
    return Reconciler(method).fit(results)
