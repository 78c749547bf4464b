"""Results of :class:`~workbench.analyse.forecast.Forecaster` and the report's ladder table."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.analyse.forecast.registry import BASELINE as BASELINE_NAME

_FORECAST_COLUMNS = ["unique_id", "ds", "model", "yhat", "yhat_lower", "yhat_upper"]
_BACKTEST_COLUMNS = ["unique_id", "model", "window", "cutoff", "mase", "mae", "error"]
_SELECTION_COLUMNS = ["unique_id", "model", "mase", "baseline_mase", "beats_baseline", "wins", "note", "pattern",
                      "adi", "candidates", "windows", "coverage", "interval"]
_ONE_STEP_COLUMNS = ["unique_id", "ds", "y", "yhat", "yhat_upper"]
_ERROR_COLUMNS = ["unique_id", "model", "window", "ds", "y", "yhat"]


@dataclass
class ForecastResults:
    """Results of :class:`Forecaster`.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        ``unique_id, ds, model, yhat, yhat_lower, yhat_upper`` for the chosen model of each
        series, ``horizon`` steps past its last observation (clipped at zero).
    backtest : pandas.DataFrame
        ``unique_id, model, window, cutoff, mase, mae, error`` per model and backtest
        window (``cutoff`` is the last training stamp; ``error`` says why a model failed
        there, and its scores are then NaN).
    selection : pandas.DataFrame
        ``unique_id, model, mase, baseline_mase, beats_baseline, wins, note, pattern, adi,
        candidates, windows, coverage, interval``: the chosen model and its mean
        backtest MASE against seasonal naive's, the windows it won (0 when the baseline
        is kept), the series' demand pattern and ADI, the models it was offered
        (comma-separated), the backtest windows used, the share of backtest actuals
        inside the cross-conformal ``level``% interval, and how the interval was
        calibrated.
    skipped : pandas.DataFrame
        ``unique_id, reason`` for series that were not forecast.
    level : float
        Interval level in percent.
    one_step : pandas.DataFrame
        The chosen model's one-step forecast of each series' latest observation, made
        from the history before it: ``unique_id, ds, y, yhat, yhat_upper``.
    errors : pandas.DataFrame
        ``unique_id, model, window, ds, y, yhat``: every backtest forecast (clipped at
        zero, as scored) next to the observation.
    """

    forecasts: pd.DataFrame
    backtest: pd.DataFrame
    selection: pd.DataFrame
    skipped: pd.DataFrame
    level: float
    one_step: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_ONE_STEP_COLUMNS))
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_ERROR_COLUMNS))

    def surges(self) -> pd.DataFrame:
        """Series whose latest observation is above its one-step forecast interval.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds, y, yhat_upper`` (empty when nothing surged).
        """
        hit = self.one_step[self.one_step["y"] > self.one_step["yhat_upper"]]
        return hit[["unique_id", "ds", "y", "yhat_upper"]].reset_index(drop=True)

    def completed(self) -> pd.DataFrame:
        """Backtest windows each model completed, per series.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, model, completed, windows``: windows with a MASE, and windows
            tried.
        """
        b = self.backtest
        if b.empty:
            return pd.DataFrame(columns=["unique_id", "model", "completed", "windows"])
        return (b.assign(ok=b["mase"].notna()).groupby(["unique_id", "model"], sort=False)
                .agg(completed=("ok", "sum"), windows=("ok", "size")).reset_index())

    def mase_table(self) -> pd.DataFrame:
        """Mean backtest MASE of every model offered to each series, one column per model.

        A model is only given a mean when it completed as many windows as the baseline
        did (means over fewer windows are not comparable: see :meth:`completed`).

        Returns
        -------
        pandas.DataFrame
            ``unique_id, pattern, <model>..., chosen, beats_baseline`` (a model not
            offered to a series, failing on it, or scored on fewer windows is NaN; MASE
            is a ratio, not a count).
        """
        models = list(dict.fromkeys(self.backtest["model"]))
        if self.backtest.empty:
            wide = pd.DataFrame(columns=["unique_id"])
        else:
            done = self.completed().set_index(["unique_id", "model"])["completed"]
            base = done.xs(BASELINE_NAME, level="model") if BASELINE_NAME in models else None
            means = self.backtest.groupby(["unique_id", "model"], sort=False)["mase"].mean(numeric_only=True)
            if base is not None:
                full = done.to_numpy() >= base.reindex(done.index.get_level_values(0)).to_numpy()
                means = means.where(pd.Series(full, index=done.index).reindex(means.index, fill_value=False))
            wide = means.unstack("model").reindex(columns=models).reset_index()
            wide.columns.name = None
        sel = self.selection[["unique_id", "pattern", "model", "beats_baseline"]].rename(columns={"model": "chosen"})
        out = sel[["unique_id", "pattern"]].merge(wide, on="unique_id", how="left")
        return out.merge(sel[["unique_id", "chosen", "beats_baseline"]], on="unique_id", how="left")

    def residuals(self) -> pd.DataFrame:
        """Backtest errors of each series' chosen model (observed minus forecast).

        These are the residuals :class:`~workbench.analyse.reconcile.Reconciler` uses to
        estimate the forecast error covariance.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, window, ds, residual``.
        """
        chosen = self.selection[["unique_id", "model"]]
        err = self.errors.merge(chosen, on=["unique_id", "model"], how="inner")
        return err.assign(residual=err["y"] - err["yhat"])[["unique_id", "window", "ds", "residual"]]


def ladder_table(results: ForecastResults | None) -> pd.DataFrame:
    """The ladder per series for a report: demand pattern, backtest MASE of every candidate,
    the chosen model and whether it beats seasonal naive.

    Parameters
    ----------
    results : ForecastResults or None
        From :class:`Forecaster` (None: nothing to forecast).

    Returns
    -------
    pandas.DataFrame
        ``series, pattern, windows, <model> MASE..., chosen, beats baseline, <level>%
        coverage``; MASE as text with two decimals (a ratio, not a count), ``"-"`` where
        the model was not a candidate, ``"n/a"`` where it failed or MASE was undefined
        (constant history), and ``"1.23 (2 of 3 windows; not ranked)"`` where it
        completed fewer windows than the baseline. Coverage is the share of backtest
        actuals inside the cross-conformal interval.
    """
    if results is None or results.selection.empty:
        return pd.DataFrame(columns=["series", "pattern", "chosen", "beats baseline"])
    wide = results.mase_table()
    models = [c for c in wide.columns if c not in ("unique_id", "pattern", "chosen", "beats_baseline")]
    sel = results.selection.set_index("unique_id")
    offered = {uid: set(c.split(",")) for uid, c in zip(sel.index, sel["candidates"])}
    done = results.completed().set_index(["unique_id", "model"])
    partial = results.backtest.groupby(["unique_id", "model"])["mase"].mean()
    out = pd.DataFrame({"series": wide["unique_id"].astype(str), "pattern": wide["pattern"],
                        "windows": [f"{w:.0f}" if np.isfinite(w) else "n/a"  # text: not a count to disclose
                                    for w in wide["unique_id"].map(sel["windows"]).astype(float)]})

    def cell(uid: str, model: str, value: float) -> str:
        if model not in offered.get(uid, ()):
            return "-"
        if np.isfinite(value):
            return f"{value:.2f}"
        n_done = int(done.at[(uid, model), "completed"]) if (uid, model) in done.index else 0
        if n_done and np.isfinite(partial.get((uid, model), np.nan)):
            tried = int(done.at[(uid, model), "windows"])
            return f"{partial[(uid, model)]:.2f} ({n_done} of {tried} windows; not ranked)"
        return "n/a"

    for model in models:
        out[f"{model} MASE"] = [cell(uid, model, v) for uid, v in zip(wide["unique_id"], wide[model].astype(float))]
    out["chosen"] = wide["chosen"]
    out["beats baseline"] = wide["beats_baseline"].map({True: "yes", False: "no: baseline kept"})
    coverage = wide["unique_id"].map(sel["coverage"]).astype(float)
    out[f"{results.level:.0f}% coverage"] = [f"{c:.0%}" if np.isfinite(c) else "n/a" for c in coverage]
    return out.reset_index(drop=True)
