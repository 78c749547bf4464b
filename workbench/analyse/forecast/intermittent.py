"""Intermittent-demand rungs: Croston's method and TSB, with residual-quantile intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analyse.forecast.models import ForecastModel, Prediction, _quiet, _sd, _z


class _Intermittent(ForecastModel):
    """Shared part of the intermittent-demand rungs: a flat forecast and an interval from
    the empirical quantiles of the in-sample one-step residuals.

    Croston's method and TSB have no stochastic model of their own, so statsforecast
    gives them no native interval. Here the ``level``% interval is the point forecast
    plus the ``(1 - level/100)/2`` and ``(1 + level/100)/2`` empirical quantiles of the
    one-step residuals ``y_t - fitted_t`` (the first observations, before the first
    demand, have no fitted value and are left out). Each bound is kept on its side of
    the mean, and the interval is the same at every step (the forecast is flat and the
    error of an intermittent count is dominated by the demand's own noise, not by the
    drift of the smoothed level). Fewer than 4 residuals: a Gaussian interval on their
    standard deviation. The bounds are clipped at zero by :class:`Forecaster`.
    """

    def _residual_interval(self, mean: float, fitted: np.ndarray, y: np.ndarray) -> None:
        res = (y - fitted)[np.isfinite(fitted)]
        self.mean_ = float(mean)
        self.residuals = res

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps; see :meth:`ForecastModel.predict`."""
        mean = np.repeat(self.mean_, h)
        res = self.residuals
        if res.size >= 4:
            lo_q, hi_q = np.quantile(res, [0.5 - level / 200, 0.5 + level / 200])
        else:
            half = _z(level) * _sd(res)
            lo_q, hi_q = -half, half
        return Prediction(mean, mean + min(lo_q, 0.0), mean + max(hi_q, 0.0))


class Croston(_Intermittent):
    """Croston's method (classic, both smoothing constants 0.1; statsforecast
    ``CrostonClassic``): the mean demand size over the mean inter-demand interval.
    Interval: see :class:`_Intermittent`.
    """

    name = "croston"

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "Croston":
        """Fit on history ``y`` (at least 2 observations, one non-zero); see :meth:`ForecastModel.fit`."""
        y = np.asarray(y, dtype=float)
        if y.size < 2 or not (y > 0).any():
            raise ValueError("Croston needs at least 2 observations and one non-zero demand")
        with _quiet():
            from statsforecast.models import CrostonClassic

            model = CrostonClassic().fit(y)
        self._residual_interval(model.model_["mean"][0], np.asarray(model.model_["fitted"], dtype=float), y)
        return self


#: Smoothing constants TSB tries (demand size and demand probability alike).
TSB_ALPHAS = (0.05, 0.1, 0.2, 0.3)

class TSB(_Intermittent):
    """Teunter-Syntetos-Babai: smoothed demand probability times smoothed demand size
    (statsforecast ``TSB``), so the forecast decays towards zero when demand stops.

    ``alpha_d`` and ``alpha_p`` are chosen from :data:`TSB_ALPHAS` by the in-sample
    one-step mean squared error. Interval: see :class:`_Intermittent`.
    """

    name = "tsb"

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "TSB":
        """Fit on history ``y`` (at least 2 observations, one non-zero); see :meth:`ForecastModel.fit`."""
        y = np.asarray(y, dtype=float)
        if y.size < 2 or not (y > 0).any():
            raise ValueError("TSB needs at least 2 observations and one non-zero demand")
        best = None
        with _quiet():
            from statsforecast.models import TSB as _TSB

            for a_d in TSB_ALPHAS:
                for a_p in TSB_ALPHAS:
                    model = _TSB(alpha_d=a_d, alpha_p=a_p).fit(y)
                    fitted = np.asarray(model.model_["fitted"], dtype=float)
                    ok = np.isfinite(fitted)
                    mse = float(np.mean((y[ok] - fitted[ok]) ** 2)) if ok.any() else np.inf
                    if best is None or mse < best[0]:
                        best = (mse, model, fitted, (a_d, a_p))
        _, model, fitted, self.alphas = best
        self._residual_interval(model.model_["mean"][0], fitted, y)
        return self
