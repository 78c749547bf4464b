"""Rungs of the forecasting ladder: the model interface, naive, seasonal naive, ETS and ARIMA.

Models share one small interface, ``Model(season_length, freq).fit(y, ds)`` then
``.predict(h, level)`` giving a :class:`Prediction` (mean, lower, upper). Each is listed
by name in :data:`~workbench.analyse.forecast.registry.MODELS`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.stats import norm



@dataclass
class Prediction:
    """Point forecast and prediction interval of one model, ``h`` steps ahead.

    Attributes
    ----------
    mean, lower, upper : numpy.ndarray
        Forecast mean and interval bounds, one value per step (not clipped).
    """

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


class ForecastModel:
    """Interface of a rung of the ladder.

    Parameters
    ----------
    season_length : int
        Observations per seasonal cycle (12 for monthly data, 52 for weekly).
    freq : str
        Pandas frequency of the observations (``"MS"`` or ``"W-MON"``).
    """

    name = "model"
    #: Fewest training observations the model fits on (see :meth:`min_train`).
    min_obs = 2

    def __init__(self, season_length: int = 12, freq: str = "MS") -> None:
        self.m = int(season_length)
        self.freq = freq

    @classmethod
    def min_train(cls, season_length: int) -> int:
        """Fewest training observations this model needs at ``season_length``.

        The ladder offers a model to a series only when the first backtest window's
        training part is at least this long, and says so in the selection note.

        Parameters
        ----------
        season_length : int
            Observations per seasonal cycle.

        Returns
        -------
        int
            Minimum training length.
        """
        return cls.min_obs

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "ForecastModel":
        """Fit on the history ``y`` (stamped ``ds``, used by models that need dates).

        Parameters
        ----------
        y : numpy.ndarray
            One-dimensional history, oldest first.
        ds : pandas.DatetimeIndex, optional
            Time stamps of ``y``.

        Returns
        -------
        ForecastModel
            The fitted model (``self``).
        """
        raise NotImplementedError

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps past the history.

        Parameters
        ----------
        h : int
            Steps ahead.
        level : float
            Prediction interval level in percent (e.g. 80).

        Returns
        -------
        Prediction
            Mean and ``level``% interval.
        """
        raise NotImplementedError


@lru_cache(maxsize=64)
def _z(level: float) -> float:
    return float(norm.ppf(0.5 + level / 200))


def _sd(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1)) if x.size > 1 else 0.0


class _quiet:
    """Context manager silencing warnings and numpy floating-point chatter of the fits."""

    def __enter__(self) -> "_quiet":
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")
        self._err = np.seterr(all="ignore")
        return self

    def __exit__(self, *exc: object) -> None:
        np.seterr(**self._err)
        self._w.__exit__(*exc)


class Naive(ForecastModel):
    """Last value carried forward; random-walk interval from the one-step differences."""

    name = "naive"

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "Naive":
        """Fit on history ``y`` (at least one observation); see :meth:`ForecastModel.fit`."""
        self.y = np.asarray(y, dtype=float)
        if self.y.size < 1:
            raise ValueError("naive needs at least 1 observation")
        self.sigma = _sd(np.diff(self.y))
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps; see :meth:`ForecastModel.predict`."""
        mean = np.repeat(self.y[-1], h)
        half = _z(level) * self.sigma * np.sqrt(np.arange(1, h + 1))
        return Prediction(mean, mean - half, mean + half)


class SeasonalNaive(ForecastModel):
    """Value of the same season in the last cycle; interval from the seasonal differences."""

    name = "seasonal_naive"

    @classmethod
    def min_train(cls, season_length: int) -> int:
        """One season plus one observation (the MASE scale needs a seasonal difference)."""
        return int(season_length) + 1

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "SeasonalNaive":
        """Fit on history ``y`` (at least one full season); see :meth:`ForecastModel.fit`."""
        self.y = np.asarray(y, dtype=float)
        if self.y.size < self.m:
            raise ValueError(f"seasonal naive needs {self.m} observations (one season), got {self.y.size}")
        diffs = self.y[self.m:] - self.y[:-self.m]
        # with under two seasonal differences their spread is unknown: use the one-step spread
        self.sigma = _sd(diffs) if diffs.size > 1 else _sd(np.diff(self.y))
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps; see :meth:`ForecastModel.predict`."""
        last = self.y[-self.m:]
        mean = last[np.arange(h) % self.m]
        cycles = np.arange(h) // self.m + 1
        half = _z(level) * self.sigma * np.sqrt(cycles)
        return Prediction(mean, mean - half, mean + half)


class ETS(ForecastModel):
    """Exponential smoothing state-space model: additive errors, additive damped trend.

    Additive seasonality is added when the history holds at least two full seasons and
    two more observations. Parameters and initial states are estimated by maximum
    likelihood (as R's ``forecast::ets``), with statsforecast's compiled ETS (about 20x
    faster than statsmodels' ``ETSModel``, which is kept as the fallback for histories
    too short for it); prediction intervals are the analytic ones of the state-space
    model.
    """

    name = "ets"
    min_obs = 5

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "ETS":
        """Fit on history ``y`` (at least 5 observations); see :meth:`ForecastModel.fit`."""
        y = np.asarray(y, dtype=float)
        if y.size < 5:
            raise ValueError(f"ETS needs at least 5 observations, got {y.size}")
        seasonal = self.m > 1 and y.size >= 2 * self.m + 2
        self.n = y.size
        self.result = None
        self.model = None
        with _quiet():
            from statsforecast.models import AutoETS

            try:
                self.model = AutoETS(season_length=self.m if seasonal else 1, model="AAA" if seasonal else "AAN",
                                     damped=True).fit(y)
                return self
            except Exception:  # statsforecast refuses "tiny datasets": statsmodels fits those
                self.model = None
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            # a Series, not an array: statsmodels' ETS prediction intervals need an index
            model = ETSModel(pd.Series(y), error="add", trend="add", damped_trend=True,
                             seasonal="add" if seasonal else None, seasonal_periods=self.m if seasonal else None)
            self.result = model.fit(disp=False, maxiter=500)
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps; see :meth:`ForecastModel.predict`."""
        with _quiet():
            if self.model is not None:
                return _from_statsforecast(self.model, h, level)
            frame = self.result.get_prediction(start=self.n, end=self.n + h - 1).summary_frame(alpha=1 - level / 100)
        return Prediction(frame["mean"].to_numpy(), frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy())


class ARIMA(ForecastModel):
    """Seasonal ARIMA(p, d, 0)(P, D, 0)_m, orders chosen by AICc, fitted by least squares.

    The differencing orders come from the same unit-root tests as ``auto.arima``
    (statsforecast's ``nsdiffs``, seasonal strength, for ``D``; ``ndiffs``, KPSS, for
    ``d``). On the differenced series ``w`` the candidates are the autoregressions on
    lags ``1..p`` (p <= 2) plus lag ``m`` when P = 1, with or without a constant (a mean,
    or a drift once differenced; none when d + D = 2), estimated by conditional least
    squares (ordinary least squares on the lagged values, the CSS estimator of a pure
    AR model) and compared by AICc on a common sample. Moving-average terms are left out:
    they need numerical optimisation, which costs 50-100x more per fit (see
    :class:`AutoARIMA`, rung ``auto_arima``, for the full search).

    Forecasts run the fitted difference equation forward on the original scale; the
    Gaussian prediction interval uses the psi-weights of the integrated AR polynomial,
    ``var_h = sigma^2 * sum_{j<h} psi_j^2``. The seasonal part is only considered when
    the history holds two full seasons and two more observations.
    """

    name = "arima"
    max_p = 2
    min_obs = 8

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "ARIMA":
        """Fit on history ``y`` (at least 8 observations); see :meth:`ForecastModel.fit`."""
        y = np.asarray(y, dtype=float)
        if y.size < 8:
            raise ValueError(f"ARIMA needs at least 8 observations, got {y.size}")
        m = self.m if self.m > 1 and y.size >= 2 * self.m + 2 else 1
        with _quiet():
            from statsforecast.arima import ndiffs, nsdiffs

            D = int(nsdiffs(y, period=m)) if m > 1 else 0
            w = y[m:] - y[:-m] if D else y
            d = int(ndiffs(w, max_d=1)) if w.size > 4 and np.ptp(w) > 0 else 0
        # the integration polynomial (1 - B)^d (1 - B^m)^D, coefficients on B^0, B^1, ...
        delta = np.array([1.0])
        if D:
            delta = np.convolve(delta, np.r_[1.0, np.zeros(m - 1), -1.0])
        if d:
            delta = np.convolve(delta, [1.0, -1.0])
        w = np.convolve(y, delta, mode="valid") if delta.size > 1 else y.copy()
        seasonal_lags = (m,) if m > 1 and w.size > 2 * m + 4 else ()
        options = [tuple(range(1, p + 1)) + s for p in range(self.max_p + 1)
                   for s in ((), *[(lag,) for lag in seasonal_lags])]
        start = max(max((max(o) for o in options if o), default=0), 1)
        n = w.size - start
        if n < 4:
            raise ValueError(f"ARIMA: {y.size} observations leave too few after differencing (d={d}, D={D})")
        target = w[start:]
        best = None
        for lags in options:
            for const in ((True, False) if d + D < 2 else (False,)):
                cols = [w[start - lag:w.size - lag] for lag in lags] + ([np.ones(n)] if const else [])
                X = np.column_stack(cols) if cols else np.zeros((n, 0))
                coef = np.linalg.lstsq(X, target, rcond=None)[0] if cols else np.zeros(0)
                rss = float(np.sum((target - X @ coef) ** 2))
                k = len(cols) + 1
                if n - k - 1 <= 0:
                    continue
                aicc = n * np.log(max(rss, 1e-12) / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)
                if best is None or aicc < best[0]:
                    best = (aicc, lags, const, coef, rss / max(n - k + 1, 1))
        _, lags, const, coef, sigma2 = best
        phi = np.zeros(max(lags, default=0) + 1)
        phi[0] = 1.0
        for lag, c in zip(lags, coef):
            phi[lag] -= c
        # y_t = c + sum_i a_i y_{t-i} + e_t, from phi(B) delta(B) y_t = c + e_t
        full = np.convolve(phi, delta)
        self.a = -full[1:]
        self.c = float(coef[-1]) if const else 0.0
        self.sigma = float(np.sqrt(sigma2))
        self.y = y
        self.order = {"p": sum(1 for lag in lags if lag < m or m == 1), "d": d, "P": int(m in lags and m > 1),
                      "D": D, "m": m, "constant": const}
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps; see :meth:`ForecastModel.predict`."""
        L = self.a.size
        hist = list(self.y[-L:]) if L else []
        mean = np.empty(h)
        for t in range(h):
            value = self.c + (float(np.dot(self.a, hist[::-1][:L])) if L else 0.0)
            mean[t] = value
            hist.append(value)
        psi = np.zeros(h)
        psi[0] = 1.0
        for j in range(1, h):
            psi[j] = sum(self.a[i - 1] * psi[j - i] for i in range(1, min(j, L) + 1))
        half = _z(level) * self.sigma * np.sqrt(np.cumsum(psi ** 2))
        return Prediction(mean, mean - half, mean + half)


class AutoARIMA(ForecastModel):
    """Seasonal ARIMA chosen by AICc (statsforecast's ``AutoARIMA``, Hyndman-Khandakar).

    The orders of differencing come from the unit-root tests (KPSS for ``d``, seasonal
    strength for ``D``), then a stepwise search over p, q <= 1, P <= 1, Q = 0, each model
    estimated by exact maximum likelihood. Thorough but slow (0.1-0.3 s a fit), so not in
    the ``"auto"`` ladder: the ``arima`` rung is its fast cousin. Analytic intervals.
    """

    name = "auto_arima"
    min_obs = 6

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "AutoARIMA":
        """Fit on history ``y`` (at least 6 observations); see :meth:`ForecastModel.fit`."""
        y = np.asarray(y, dtype=float)
        if y.size < 6:
            raise ValueError(f"ARIMA needs at least 6 observations, got {y.size}")
        seasonal = self.m > 1 and y.size >= 2 * self.m + 2
        with _quiet():
            from statsforecast.models import AutoARIMA as _AutoARIMA

            self.model = _AutoARIMA(season_length=self.m if seasonal else 1, seasonal=seasonal, max_p=1, max_q=1,
                                    max_P=1, max_Q=0, start_p=1, start_q=0, start_P=0, start_Q=0).fit(y)
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps; see :meth:`ForecastModel.predict`."""
        with _quiet():
            return _from_statsforecast(self.model, h, level)


def _from_statsforecast(model: object, h: int, level: float) -> Prediction:
    """Predict with a fitted statsforecast model and return a :class:`Prediction`."""
    lv = int(level) if float(level).is_integer() else float(level)
    out = model.predict(h, level=[lv])
    return Prediction(np.asarray(out["mean"], dtype=float), np.asarray(out[f"lo-{lv}"], dtype=float),
                      np.asarray(out[f"hi-{lv}"], dtype=float))
