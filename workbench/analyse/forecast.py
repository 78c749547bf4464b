"""A forecasting ladder chosen per series by rolling-origin backtest (MASE).

Models share one small interface (``fit(y)`` then ``predict(h, level)`` giving mean,
lower and upper) and are registered by name in :data:`MODELS`. :class:`Forecaster` takes
the long ``unique_id, ds, y`` frame, backtests every model on ``n_windows`` consecutive
origins (each forecasting ``horizon`` steps), scores them with MASE, and keeps per series
the model with the lowest mean MASE, but only if it beats seasonal naive: otherwise the
baseline is kept and ``beats_baseline`` is False, so a forecast never pretends. Counts
are never negative, so means and interval bounds are clipped at zero.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from scipy.stats import norm


@dataclass
class Prediction:
    """Point forecast and interval of one model, ``h`` steps ahead."""

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


class Naive:
    """Last value carried forward; interval from one-step differences (random walk)."""

    name = "naive"

    def __init__(self, season_length: int = 12, freq: str = "MS") -> None:
        self.freq = freq

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "Naive":
        """Fit on history ``y``."""
        self.y = np.asarray(y, dtype=float)
        diffs = np.diff(self.y)
        self.sigma = float(np.std(diffs, ddof=1)) if diffs.size > 1 else 0.0
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps with a ``level``% interval."""
        mean = np.repeat(self.y[-1], h)
        half = norm.ppf(0.5 + level / 200) * self.sigma * np.sqrt(np.arange(1, h + 1))
        return Prediction(mean, mean - half, mean + half)


class SeasonalNaive:
    """Value of the same season last cycle; interval from seasonal differences."""

    name = "seasonal_naive"

    def __init__(self, season_length: int = 12, freq: str = "MS") -> None:
        self.m = season_length

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "SeasonalNaive":
        """Fit on history ``y`` (needs at least one full season)."""
        self.y = np.asarray(y, dtype=float)
        if self.y.size < self.m:
            raise ValueError(f"seasonal naive needs {self.m} observations, got {self.y.size}")
        diffs = self.y[self.m:] - self.y[:-self.m]
        self.sigma = float(np.std(diffs, ddof=1)) if diffs.size > 1 else 0.0
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps with a ``level``% interval."""
        last = self.y[-self.m:]
        mean = np.array([last[i % self.m] for i in range(h)])
        k = np.floor(np.arange(h) / self.m) + 1
        half = norm.ppf(0.5 + level / 200) * self.sigma * np.sqrt(k)
        return Prediction(mean, mean - half, mean + half)


class ETS:
    """Exponential smoothing state-space model (statsmodels ``ETSModel``).

    Additive errors, additive damped trend, and additive seasonality when the history has
    at least two full seasons; analytic prediction intervals.
    """

    name = "ets"

    def __init__(self, season_length: int = 12, freq: str = "MS") -> None:
        self.m = season_length

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "ETS":
        """Fit on history ``y``."""
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        y = np.asarray(y, dtype=float)
        seasonal = "add" if y.size >= 2 * self.m + 2 else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # a Series, not an array: statsmodels' ETS prediction intervals need an index
            model = ETSModel(pd.Series(y), error="add", trend="add", damped_trend=True, seasonal=seasonal,
                             seasonal_periods=self.m if seasonal else None)
            self.result = model.fit(disp=False, maxiter=200)
        self.n = y.size
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps with a ``level``% interval."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = self.result.get_prediction(start=self.n, end=self.n + h - 1).summary_frame(alpha=1 - level / 100)
        return Prediction(frame["mean"].to_numpy(), frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy())


def _quiet_prophet():
    """Import Prophet with cmdstanpy's and prophet's chatter silenced; return the class."""
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)  # "Importing plotly failed"
    stan = logging.getLogger("cmdstanpy")
    if not stan.handlers:  # cmdstanpy adds an INFO handler of its own only when it finds none
        stan.addHandler(logging.NullHandler())
    from prophet import Prophet as _Prophet

    for name in ("cmdstanpy", "prophet"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.ERROR)  # cmdstanpy sets INFO on import; reset it after
        logger.propagate = False
        for handler in logger.handlers:
            handler.setLevel(logging.ERROR)
    return _Prophet


class Prophet:
    """Prophet (yearly seasonality for monthly data, weekly data gets yearly too)."""

    name = "prophet"

    def __init__(self, season_length: int = 12, freq: str = "MS") -> None:
        self.freq = freq

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "Prophet":
        """Fit on history ``y`` stamped ``ds``."""
        _Prophet = _quiet_prophet()
        self.ds = pd.DatetimeIndex(ds) if ds is not None else pd.date_range("2000-01-01", periods=len(y),
                                                                             freq=self.freq)
        self.model = _Prophet(yearly_seasonality=True, weekly_seasonality=False, daily_seasonality=False,
                              uncertainty_samples=300)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model.fit(pd.DataFrame({"ds": self.ds, "y": np.asarray(y, dtype=float)}))
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps with a ``level``% interval."""
        self.model.interval_width = level / 100  # used when the interval is simulated, at predict time
        np.random.seed(0)  # Prophet samples its intervals from numpy's global generator: keep runs repeatable
        future = pd.DataFrame({"ds": pd.date_range(self.ds[-1], periods=h + 1, freq=self.freq)[1:]})
        frame = self.model.predict(future)
        return Prediction(frame["yhat"].to_numpy(), frame["yhat_lower"].to_numpy(), frame["yhat_upper"].to_numpy())


#: Model name -> class (callers ask for models by name).
MODELS: dict[str, Callable[..., object]] = {cls.name: cls for cls in (Naive, SeasonalNaive, ETS, Prophet)}
BASELINE = "seasonal_naive"


def mase(actual: np.ndarray, predicted: np.ndarray, history: np.ndarray, season_length: int) -> float:
    """Mean absolute scaled error.

    The scale is the in-sample MAE of the seasonal naive forecast on ``history``; when
    that is zero (a perfectly repeating history) the non-seasonal naive MAE is used, and
    when that is zero too the error is undefined (NaN).

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
    scale = np.mean(np.abs(history[season_length:] - history[:-season_length])) if history.size > season_length else 0
    if not scale:
        scale = np.mean(np.abs(np.diff(history))) if history.size > 1 else 0
    if not scale:
        return float("nan")
    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(predicted))) / scale)


@dataclass
class ForecastResults:
    """Results of :class:`Forecaster`.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        ``unique_id, ds, model, yhat, yhat_lower, yhat_upper`` for the chosen model of each
        series, ``horizon`` steps past its last observation (clipped at zero).
    backtest : pandas.DataFrame
        ``unique_id, model, window, cutoff, mase, mae, error`` per backtest window
        (``error`` says why a model failed there; its MASE is then NaN).
    selection : pandas.DataFrame
        ``unique_id, model, mase, baseline_mase, beats_baseline``.
    skipped : pandas.DataFrame
        ``unique_id, reason`` for series too short or failing.
    level : float
        Interval level in percent.
    one_step : pandas.DataFrame
        The chosen model's one-step forecast of each series' latest observation, made
        from the history before it (``unique_id, ds, y, yhat, yhat_upper``).
    """

    forecasts: pd.DataFrame
    backtest: pd.DataFrame
    selection: pd.DataFrame
    skipped: pd.DataFrame
    level: float
    one_step: pd.DataFrame = field(default_factory=pd.DataFrame)

    def surges(self) -> pd.DataFrame:
        """Series whose latest observation is above its one-step forecast interval.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds, y, yhat_upper`` (empty when nothing surged).
        """
        if self.one_step.empty:
            return pd.DataFrame(columns=["unique_id", "ds", "y", "yhat_upper"])
        hit = self.one_step[self.one_step["y"] > self.one_step["yhat_upper"]]
        return hit[["unique_id", "ds", "y", "yhat_upper"]].reset_index(drop=True)


class Forecaster:
    """Backtest a ladder of models per series and forecast with the best.

    Parameters
    ----------
    series : pandas.DataFrame
        Long frame ``unique_id, ds, y`` on a regular grid.
    models : tuple of str
        Names from :data:`MODELS`; seasonal naive is always added as the baseline.
    season_length : int
        Season length (12 for monthly data, 52 for weekly).
    horizon : int
        Steps forecast at each origin and at the end.
    level : float
        Prediction interval level in percent.
    n_windows : int
        Backtest origins (consecutive, non-overlapping horizons at the end of the history).
    freq : str
        Frequency of ``ds`` (``"MS"`` or ``"W-MON"``).
    """

    def __init__(self, series: pd.DataFrame, models: tuple[str, ...] = ("seasonal_naive", "ets", "prophet"),
                 season_length: int = 12, horizon: int = 6, level: float = 80, n_windows: int = 3,
                 freq: str = "MS") -> None:
        unknown = [m for m in models if m not in MODELS]
        if unknown:
            raise ValueError(f"unknown model(s) {unknown}; registered: {sorted(MODELS)}")
        missing = {"unique_id", "ds", "y"} - set(series.columns)
        if missing:
            raise ValueError(f"series lacks column(s) {sorted(missing)} (need unique_id, ds, y)")
        self.series = series
        self.models = tuple(dict.fromkeys((BASELINE, *models)))
        self.m = season_length
        self.h = horizon
        self.level = level
        self.n_windows = n_windows
        self.freq = freq

    @property
    def min_length(self) -> int:
        """Shortest history that can be backtested: one season + 1 before the first origin."""
        return self.m + 1 + self.h * self.n_windows

    def _predict(self, name: str, y: np.ndarray, ds: pd.DatetimeIndex, h: int) -> Prediction:
        model = MODELS[name](season_length=self.m, freq=self.freq).fit(y, ds)
        return model.predict(h, self.level)

    def fit(self) -> ForecastResults:
        """Run the backtest, select per series, and forecast.

        Returns
        -------
        ForecastResults
            Forecasts, backtest scores, selection and skipped series.
        """
        back_rows, sel_rows, fc_rows, skip_rows, step_rows = [], [], [], [], []
        for uid, group in self.series.sort_values("ds").groupby("unique_id", sort=True):
            y = group["y"].to_numpy(dtype=float)
            ds = pd.DatetimeIndex(group["ds"])
            if y.size < self.min_length:
                skip_rows.append({"unique_id": uid, "reason": f"{y.size} observations; needs {self.min_length}"})
                continue
            scores: dict[str, list[float]] = {name: [] for name in self.models}
            for w in range(self.n_windows):
                cut = y.size - self.h * (self.n_windows - w)
                train, test = y[:cut], y[cut:cut + self.h]
                for name in self.models:
                    error = None
                    try:
                        pred = self._predict(name, train, ds[:cut], self.h)
                        score = mase(test, np.clip(pred.mean, 0, None), train, self.m)
                        mae = float(np.mean(np.abs(test - np.clip(pred.mean, 0, None))))
                    except Exception as exc:  # a model failing on one series must not stop the ladder
                        score, mae, error = float("nan"), float("nan"), f"{type(exc).__name__}: {exc}"
                    scores[name].append(score)
                    back_rows.append({"unique_id": uid, "model": name, "window": w, "cutoff": ds[cut - 1],
                                      "mase": score, "mae": mae, "error": error})
            means = {name: float(np.nanmean(v)) if np.isfinite(v).any() else float("inf")
                     for name, v in scores.items()}
            baseline = means[BASELINE]
            best = min(means, key=lambda n: (means[n], n != BASELINE))
            beats = best != BASELINE and means[best] < baseline
            chosen = best if beats else BASELINE
            sel_rows.append({"unique_id": uid, "model": chosen, "mase": means[chosen], "baseline_mase": baseline,
                             "beats_baseline": bool(beats)})
            final = self._predict(chosen, y, ds, self.h)
            future = pd.date_range(ds[-1], periods=self.h + 1, freq=self.freq)[1:]
            for i, stamp in enumerate(future):
                fc_rows.append({"unique_id": uid, "ds": stamp, "model": chosen,
                                "yhat": max(final.mean[i], 0.0), "yhat_lower": max(final.lower[i], 0.0),
                                "yhat_upper": max(final.upper[i], 0.0)})
            step = self._predict(chosen, y[:-1], ds[:-1], 1)
            step_rows.append({"unique_id": uid, "ds": ds[-1], "y": y[-1], "yhat": max(step.mean[0], 0.0),
                              "yhat_upper": max(step.upper[0], 0.0)})
        return ForecastResults(
            forecasts=pd.DataFrame(fc_rows, columns=["unique_id", "ds", "model", "yhat", "yhat_lower", "yhat_upper"]),
            backtest=pd.DataFrame(back_rows, columns=["unique_id", "model", "window", "cutoff", "mase", "mae",
                                                      "error"]),
            selection=pd.DataFrame(sel_rows, columns=["unique_id", "model", "mase", "baseline_mase",
                                                      "beats_baseline"]),
            skipped=pd.DataFrame(skip_rows, columns=["unique_id", "reason"]),
            level=self.level,
            one_step=pd.DataFrame(step_rows, columns=["unique_id", "ds", "y", "yhat", "yhat_upper"]),
        )
