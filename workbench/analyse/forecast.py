"""A forecasting ladder chosen per series by rolling-origin backtest (MASE).

Models share one small interface, ``Model(season_length, freq).fit(y, ds)`` then
``.predict(h, level)`` giving a :class:`Prediction` (mean, lower, upper), and are
registered by name in :data:`MODELS`: ``naive``, ``seasonal_naive``, ``ets``, ``arima``
(fast SARIMA by least squares), ``auto_arima`` (statsforecast's full AutoARIMA, slow),
``croston`` and ``tsb`` (intermittent counts; intervals from residual quantiles) and
``prophet``. :class:`Forecaster` takes the long ``unique_id, ds, y`` frame, backtests
every candidate on ``n_windows`` consecutive origins (each forecasting ``horizon``
steps), scores them with MASE, and keeps per series the model with the lowest mean
MASE, but only if it beats seasonal naive: otherwise the baseline is kept,
``beats_baseline`` is False and the note says so. With ``models="auto"`` (the
default) the candidates depend on the series: smooth series get naive, ETS and ARIMA,
intermittent ones (average inter-demand interval >= 1.32, Syntetos-Boylan) naive,
Croston and TSB. Counts are never negative, so means and interval bounds are clipped
at zero.

Minimum history: ``season_length + 1 + horizon * n_windows`` observations, so that the
first backtest training window holds a full season plus one, which the MASE scale (the
in-sample seasonal naive error) needs. Shorter series are skipped with their reason
(or raise, with ``on_short="raise"``).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

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

    def __init__(self, season_length: int = 12, freq: str = "MS") -> None:
        self.m = int(season_length)
        self.freq = freq

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


class AutoARIMA(ForecastModel):
    """Seasonal ARIMA chosen by AICc (statsforecast's ``AutoARIMA``, Hyndman-Khandakar).

    The orders of differencing come from the unit-root tests (KPSS for ``d``, seasonal
    strength for ``D``), then a stepwise search over p, q <= 1, P <= 1, Q = 0, each model
    estimated by exact maximum likelihood. Thorough but slow (0.1-0.3 s a fit), so not in
    the ``"auto"`` ladder: the ``arima`` rung is its fast cousin. Analytic intervals.
    """

    name = "auto_arima"

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


def _from_statsforecast(model: object, h: int, level: float) -> Prediction:
    """Predict with a fitted statsforecast model and return a :class:`Prediction`."""
    lv = int(level) if float(level).is_integer() else float(level)
    out = model.predict(h, level=[lv])
    return Prediction(np.asarray(out["mean"], dtype=float), np.asarray(out[f"lo-{lv}"], dtype=float),
                      np.asarray(out[f"hi-{lv}"], dtype=float))


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


def _quiet_prophet() -> type:
    """Import Prophet with cmdstanpy's and prophet's chatter silenced; return the class."""
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)  # "Importing plotly failed"
    stan = logging.getLogger("cmdstanpy")
    if not stan.handlers:  # cmdstanpy adds an INFO handler of its own only when it finds none
        stan.addHandler(logging.NullHandler())
    from prophet import Prophet as _Prophet

    for name in ("cmdstanpy", "prophet"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)  # cmdstanpy sets INFO on import; reset it after
        logger.propagate = False
    return _Prophet


class Prophet(ForecastModel):
    """Prophet with linear growth and yearly seasonality only (no weekly or daily terms,
    which monthly or Monday-stamped weekly data cannot show). Yearly seasonality is
    switched on when the history spans two seasons (``2 * season_length``). Intervals are
    Prophet's simulated ones, drawn with a fixed seed so runs repeat.
    """

    name = "prophet"

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "Prophet":
        """Fit on history ``y`` stamped ``ds`` (at least 3 observations); see :meth:`ForecastModel.fit`."""
        _Prophet = _quiet_prophet()
        y = np.asarray(y, dtype=float)
        if y.size < 3:
            raise ValueError(f"Prophet needs at least 3 observations, got {y.size}")
        self.ds = (pd.DatetimeIndex(ds) if ds is not None
                   else pd.date_range("2000-01-03", periods=y.size, freq=self.freq))
        self.model = _Prophet(yearly_seasonality=bool(y.size >= 2 * self.m), weekly_seasonality=False,
                              daily_seasonality=False, uncertainty_samples=300)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model.fit(pd.DataFrame({"ds": self.ds, "y": y}))
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps; see :meth:`ForecastModel.predict`."""
        self.model.interval_width = level / 100  # read when the interval is simulated, at predict time
        future = pd.DataFrame({"ds": pd.date_range(self.ds[-1], periods=h + 1, freq=self.freq)[1:]})
        state = np.random.get_state()  # Prophet samples from numpy's global generator
        np.random.seed(0)
        try:
            frame = self.model.predict(future)
        finally:
            np.random.set_state(state)
        return Prediction(frame["yhat"].to_numpy(), frame["yhat_lower"].to_numpy(), frame["yhat_upper"].to_numpy())


#: Model name -> class; callers ask for models by name. Add your own with :func:`register_model`.
MODELS: dict[str, type[ForecastModel]] = {}
#: The model every other must beat.
BASELINE = "seasonal_naive"


def register_model(cls: type[ForecastModel]) -> type[ForecastModel]:
    """Register a model class under its ``name`` (usable as a class decorator).

    Parameters
    ----------
    cls : type
        A :class:`ForecastModel` subclass with a unique ``name``.

    Returns
    -------
    type
        ``cls`` unchanged.
    """
    MODELS[cls.name] = cls
    return cls


for _cls in (Naive, SeasonalNaive, ETS, ARIMA, AutoARIMA, Croston, TSB, Prophet):
    register_model(_cls)


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


_FORECAST_COLUMNS = ["unique_id", "ds", "model", "yhat", "yhat_lower", "yhat_upper"]
_BACKTEST_COLUMNS = ["unique_id", "model", "window", "cutoff", "mase", "mae", "error"]
_SELECTION_COLUMNS = ["unique_id", "model", "mase", "baseline_mase", "beats_baseline", "note", "pattern", "adi",
                      "candidates"]
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
        ``unique_id, model, mase, baseline_mase, beats_baseline, note, pattern, adi,
        candidates``: the chosen model and its mean backtest MASE against seasonal
        naive's, the series' demand pattern and ADI, and the models it was offered
        (comma-separated).
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

    def mase_table(self) -> pd.DataFrame:
        """Mean backtest MASE of every model offered to each series, one column per model.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, pattern, <model>..., chosen, beats_baseline`` (a model not
            offered to a series, or failing on it, is NaN; MASE is a ratio, not a count).
        """
        models = list(dict.fromkeys(self.backtest["model"]))
        if self.backtest.empty:
            wide = pd.DataFrame(columns=["unique_id"])
        else:
            wide = (self.backtest.groupby(["unique_id", "model"], sort=False)["mase"].mean(numeric_only=True)
                    .unstack("model").reindex(columns=models).reset_index())
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


class _Ladder:
    """The per-series work of :class:`Forecaster` (picklable, so it can run in worker processes)."""

    def __init__(self, models: tuple[str, ...], m: int, h: int, level: float, n_windows: int, freq: str) -> None:
        self.models, self.m, self.h, self.level, self.n_windows, self.freq = models, m, h, level, n_windows, freq

    def candidates(self, y: np.ndarray) -> tuple[str, ...]:
        """The models offered to ``y``: ``"auto"`` expands by demand pattern, baseline first."""
        names: list[str] = [BASELINE]
        for name in self.models:
            names.extend(AUTO_MODELS[demand_pattern(y)] if name == "auto" else (name,))
        return tuple(dict.fromkeys(names))

    def predict(self, name: str, y: np.ndarray, ds: pd.DatetimeIndex, h: int) -> Prediction:
        """Fit ``name`` on ``y`` and forecast ``h`` steps; refuse non-finite output."""
        pred = MODELS[name](season_length=self.m, freq=self.freq).fit(y, ds).predict(h, self.level)
        if not all(np.isfinite(a).all() and len(a) == h for a in (pred.mean, pred.lower, pred.upper)):
            raise ValueError(f"{name} gave a non-finite forecast")
        return pred

    def run(self, uid: str, y: np.ndarray, ds: pd.DatetimeIndex) -> dict[str, list]:
        """Backtest, select and forecast one series; rows for each results frame."""
        out: dict[str, list] = {"back": [], "sel": [], "fc": [], "steps": [], "errors": []}
        models = self.candidates(y)
        scores = self.backtest(uid, y, ds, models, out)
        chosen, row = self.select(scores)
        note = row.pop("note")
        try:
            final = self.predict(chosen, y, ds, self.h)
        except Exception as exc:  # the baseline always forecasts: fall back rather than lose the series
            note = f"{chosen} failed on the full history ({type(exc).__name__}: {exc}); baseline kept"
            chosen, row["mase"], row["beats_baseline"] = BASELINE, row["baseline_mase"], False
            final = self.predict(chosen, y, ds, self.h)
        out["sel"].append({"unique_id": uid, "model": chosen, **row, "note": note, "pattern": demand_pattern(y),
                           "adi": adi(y), "candidates": ",".join(models)})
        future = pd.date_range(ds[-1], periods=self.h + 1, freq=self.freq)[1:]
        out["fc"].append(pd.DataFrame({"unique_id": uid, "ds": future, "model": chosen,
                                       "yhat": np.clip(final.mean, 0, None),
                                       "yhat_lower": np.clip(final.lower, 0, None),
                                       "yhat_upper": np.clip(final.upper, 0, None)}))
        try:
            step = self.predict(chosen, y[:-1], ds[:-1], 1)
            out["steps"].append({"unique_id": uid, "ds": ds[-1], "y": y[-1], "yhat": max(step.mean[0], 0.0),
                                 "yhat_upper": max(step.upper[0], 0.0)})
        except Exception:  # no one-step check for this series; surges() simply cannot flag it
            pass
        return out

    def backtest(self, uid: str, y: np.ndarray, ds: pd.DatetimeIndex, models: tuple[str, ...],
                 out: dict[str, list]) -> dict[str, np.ndarray]:
        """Score every model on every window; append rows; return MASE per model (NaN = failed)."""
        scores = {name: np.full(self.n_windows, np.nan) for name in models}
        failed = {name: False for name in models}
        for w in range(self.n_windows):
            cut = y.size - self.h * (self.n_windows - w)
            train, test = y[:cut], y[cut:cut + self.h]
            for name in models:
                error = None
                try:
                    mean = np.clip(self.predict(name, train, ds[:cut], self.h).mean, 0, None)
                    score = mase(test, mean, train, self.m)
                    mae = float(np.mean(np.abs(test - mean)))
                    out["errors"].append((uid, name, w, ds[cut:cut + self.h], test, mean))
                except Exception as exc:  # a model failing on one series must not stop the ladder
                    score, mae, error = np.nan, np.nan, f"{type(exc).__name__}: {exc}"
                    failed[name] = True
                scores[name][w] = score
                out["back"].append({"unique_id": uid, "model": name, "window": w, "cutoff": ds[cut - 1],
                                    "mase": score, "mae": mae, "error": error})
        return {name: (np.full(self.n_windows, np.nan) if failed[name] else s) for name, s in scores.items()}

    @staticmethod
    def select(scores: dict[str, np.ndarray]) -> tuple[str, dict]:
        """Lowest mean MASE over the windows where MASE is defined; the baseline on ties."""
        defined = np.isfinite(scores[BASELINE])  # the scale is undefined only on a constant training window
        if not defined.any():
            return BASELINE, {"mase": np.nan, "baseline_mase": np.nan, "beats_baseline": False,
                              "note": "MASE undefined (constant history in every window); baseline kept"}
        means = {name: float(s[defined].mean()) for name, s in scores.items() if np.isfinite(s[defined]).all()}
        baseline = means[BASELINE]
        best = min(means, key=lambda n: (means[n], n != BASELINE))
        beats = best != BASELINE and means[best] < baseline and not np.isclose(means[best], baseline)
        chosen = best if beats else BASELINE
        failed = sorted(set(scores) - set(means))
        notes = [f"failed in backtest: {', '.join(failed)}"] if failed else []
        if not beats and len(scores) > 1:
            notes.append("no model beat seasonal naive in the backtest; baseline kept")
        return chosen, {"mase": means[chosen], "baseline_mase": baseline, "beats_baseline": bool(beats),
                        "note": "; ".join(notes)}


def _error_frame(parts: list[tuple]) -> pd.DataFrame:
    """Backtest errors ``(uid, model, window, ds, y, yhat)`` pieces as one frame (built once: fast)."""
    if not parts:
        return pd.DataFrame(columns=_ERROR_COLUMNS)
    sizes = [len(p[4]) for p in parts]
    return pd.DataFrame({
        "unique_id": np.repeat([p[0] for p in parts], sizes),
        "model": np.repeat([p[1] for p in parts], sizes),
        "window": np.repeat([p[2] for p in parts], sizes),
        "ds": np.concatenate([np.asarray(p[3]) for p in parts]),
        "y": np.concatenate([p[4] for p in parts]),
        "yhat": np.concatenate([p[5] for p in parts]),
    })


def _run_chunk(ladder: _Ladder, items: list[tuple[str, np.ndarray, pd.DatetimeIndex]]) -> dict[str, list]:
    """Run :meth:`_Ladder.run` on several series (one worker's share)."""
    out: dict[str, list] = {"back": [], "sel": [], "fc": [], "steps": [], "errors": []}
    for uid, y, ds in items:
        for key, rows in ladder.run(uid, y, ds).items():
            out[key].extend(rows)
    return out


class Forecaster:
    """Backtest a ladder of models per series and forecast with the best.

    Parameters
    ----------
    series : pandas.DataFrame
        Long frame ``unique_id, ds, y`` (e.g. from
        :func:`~workbench.analyse.series.incident_series`), each series on a complete,
        regular grid.
    models : str or sequence of str
        Names from :data:`MODELS`, or ``"auto"`` (the default): per series, smooth
        series get ``naive, ets, arima`` and intermittent ones (ADI >=
        :data:`INTERMITTENT_ADI`) ``naive, croston, tsb`` (:data:`AUTO_MODELS`).
        ``"auto"`` may be combined with names (``("auto", "prophet")``). Seasonal naive
        is always added as the baseline.
    season_length : int
        Season length (12 for monthly data, 52 for weekly).
    horizon : int
        Steps forecast at each backtest origin and at the end.
    level : float
        Prediction interval level in percent (e.g. 80; a fraction like 0.8 is refused).
    n_windows : int
        Backtest origins: consecutive, non-overlapping horizons ending at the last
        observation.
    freq : str, optional
        Frequency of ``ds`` (``"MS"``, ``"W-MON"``...); inferred from the stamps when None.
    on_short : {"skip", "raise"}
        What to do with a series shorter than :func:`min_history`: record it in
        ``skipped``, or raise ``ValueError``.
    n_jobs : int
        Worker processes (series are split between them; 1 runs in this process).

    Examples
    --------
    >>> res = Forecaster(incident_series(incidents, by=("country_iso3",))).fit()  # doctest: +SKIP
    >>> res.selection, res.mase_table(), res.surges()  # doctest: +SKIP
    """

    def __init__(self, series: pd.DataFrame, models: str | tuple[str, ...] = "auto",
                 season_length: int = 12, horizon: int = 6, level: float = 80, n_windows: int = 3,
                 freq: str | None = None, on_short: Literal["skip", "raise"] = "skip", n_jobs: int = 1) -> None:
        if isinstance(models, str):
            models = (models,)
        unknown = [m for m in models if m not in MODELS and m != "auto"]
        if unknown:
            raise ValueError(f"unknown model(s) {unknown}; registered: {sorted(MODELS)} or 'auto'")
        missing = {"unique_id", "ds", "y"} - set(series.columns)
        if missing:
            raise ValueError(f"series lacks column(s) {sorted(missing)} (need unique_id, ds, y)")
        if len(series) == 0:
            raise ValueError("series is empty: nothing to forecast")
        for name, value in (("season_length", season_length), ("horizon", horizon), ("n_windows", n_windows),
                            ("n_jobs", n_jobs)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value}")
        if not 1 < level < 100:
            raise ValueError(f"level is a percentage in (1, 100), e.g. 80; got {level}")
        if on_short not in ("skip", "raise"):
            raise ValueError(f"on_short must be 'skip' or 'raise', got {on_short!r}")
        bad = series["y"].isna() | series["ds"].isna()
        if bad.any():
            row = series[bad].iloc[0]
            raise ValueError(f"series {row['unique_id']!r}: missing ds or y at row {series.index[bad][0]}")
        dup = series.duplicated(["unique_id", "ds"])
        if dup.any():
            row = series[dup].iloc[0]
            raise ValueError(f"series {row['unique_id']!r}: ds {row['ds']} appears more than once")
        self.series = series
        self.models = tuple(dict.fromkeys((BASELINE, *models)))
        self.m = int(season_length)
        self.h = int(horizon)
        self.level = float(level)
        self.n_windows = int(n_windows)
        self.freq = freq or self._infer_freq(series)
        self.on_short = on_short
        self.n_jobs = int(n_jobs)

    @staticmethod
    def _infer_freq(series: pd.DataFrame) -> str:
        for uid, group in series.groupby("unique_id", sort=True):
            if len(group) >= 3:
                freq = pd.infer_freq(pd.DatetimeIndex(group["ds"].sort_values()))
                if freq is None:
                    raise ValueError(f"series {uid!r}: ds is not on a regular grid; pass freq or fill the gaps")
                return freq
        return "MS"

    @property
    def min_length(self) -> int:
        """Shortest history that can be backtested (see :func:`min_history`)."""
        return min_history(self.m, self.h, self.n_windows)

    def fit(self) -> ForecastResults:
        """Run the backtest, select a model per series, and forecast.

        Returns
        -------
        ForecastResults
            Forecasts, backtest scores, selection, skipped series and one-step checks.

        Raises
        ------
        ValueError
            With ``on_short="raise"``, on the first series shorter than
            :attr:`min_length`; on a series whose stamps are not on the ``freq`` grid.
        """
        skipped, items = [], []
        for uid, group in self.series.sort_values("ds").groupby("unique_id", sort=True):
            y = group["y"].to_numpy(dtype=float)
            ds = pd.DatetimeIndex(group["ds"])
            if not ds.equals(pd.date_range(ds[0], periods=len(ds), freq=self.freq)):
                raise ValueError(f"series {uid!r}: ds is not a complete {self.freq} grid (gaps or off-grid stamps)")
            if y.size < self.min_length:
                reason = f"{y.size} observations; needs {self.min_length}"
                if self.on_short == "raise":
                    raise ValueError(f"series {uid!r}: {reason} (season_length + 1 + horizon * n_windows)")
                skipped.append({"unique_id": uid, "reason": reason})
                continue
            items.append((uid, y, ds))
        ladder = _Ladder(self.models, self.m, self.h, self.level, self.n_windows, self.freq)
        if self.n_jobs > 1 and len(items) > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            chunks = [items[i::self.n_jobs] for i in range(self.n_jobs)]
            with ProcessPoolExecutor(self.n_jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                parts = list(pool.map(_run_chunk, [ladder] * len(chunks), chunks))
            out = {key: [row for part in parts for row in part[key]] for key in parts[0]}
            order = {uid: i for i, (uid, _, _) in enumerate(items)}  # back to the sorted series order
            out["sel"].sort(key=lambda r: order[r["unique_id"]])
            out["back"].sort(key=lambda r: order[r["unique_id"]])  # stable: windows and models keep their order
            out["steps"].sort(key=lambda r: order[r["unique_id"]])
            out["errors"].sort(key=lambda f: order[f[0]])
            out["fc"].sort(key=lambda f: order[f["unique_id"].iloc[0]])
        else:
            out = _run_chunk(ladder, items)
        back, sel, fc, steps, errors = out["back"], out["sel"], out["fc"], out["steps"], out["errors"]
        return ForecastResults(
            forecasts=pd.concat(fc, ignore_index=True) if fc else pd.DataFrame(columns=_FORECAST_COLUMNS),
            backtest=pd.DataFrame(back, columns=_BACKTEST_COLUMNS),
            selection=pd.DataFrame(sel, columns=_SELECTION_COLUMNS),
            skipped=pd.DataFrame(skipped, columns=["unique_id", "reason"]),
            level=self.level,
            one_step=pd.DataFrame(steps, columns=_ONE_STEP_COLUMNS),
            errors=_error_frame(errors),
        )


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
        ``series, pattern, <model> MASE..., chosen, beats baseline``; MASE as text with
        two decimals (a ratio, not a count), ``"-"`` where the model was not a candidate
        and ``"n/a"`` where it failed or MASE was undefined (constant history).
    """
    if results is None or results.selection.empty:
        return pd.DataFrame(columns=["series", "pattern", "chosen", "beats baseline"])
    wide = results.mase_table()
    models = [c for c in wide.columns if c not in ("unique_id", "pattern", "chosen", "beats_baseline")]
    sel = results.selection
    offered = {uid: set(c.split(",")) for uid, c in zip(sel["unique_id"], sel["candidates"])}
    out = pd.DataFrame({"series": wide["unique_id"].astype(str), "pattern": wide["pattern"]})
    for model in models:
        out[f"{model} MASE"] = [
            ("-" if model not in offered.get(uid, ()) else "n/a" if not np.isfinite(v) else f"{v:.2f}")
            for uid, v in zip(wide["unique_id"], wide[model].astype(float))]
    out["chosen"] = wide["chosen"]
    out["beats baseline"] = wide["beats_baseline"].map({True: "yes", False: "no: baseline kept"})
    return out.reset_index(drop=True)
