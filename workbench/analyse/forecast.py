"""A forecasting ladder chosen per series by rolling-origin backtest (MASE).

Models share one small interface, ``Model(season_length, freq).fit(y, ds)`` then
``.predict(h, level)`` giving a :class:`Prediction` (mean, lower, upper), and are
registered by name in :data:`MODELS`. :class:`Forecaster` takes the long
``unique_id, ds, y`` frame, backtests every model on ``n_windows`` consecutive origins
(each forecasting ``horizon`` steps), scores them with MASE, and keeps per series the
model with the lowest mean MASE, but only if it beats seasonal naive: otherwise the
baseline is kept and ``beats_baseline`` is False, so a forecast that cannot beat
seasonal naive says so. Counts are never negative, so means and interval bounds are
clipped at zero.

Minimum history: ``season_length + 1 + horizon * n_windows`` observations, so that the
first backtest training window holds a full season plus one, which the MASE scale (the
in-sample seasonal naive error) needs. Shorter series are skipped with their reason
(or raise, with ``on_short="raise"``).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
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
    """Exponential smoothing state-space model (statsmodels ``ETSModel``).

    Additive errors and additive damped trend, plus additive seasonality when the history
    holds at least two full seasons and two more observations. Parameters and initial
    states are estimated by maximum likelihood (as R's ``forecast::ets``); prediction
    intervals are the analytic ones of the state-space model.
    """

    name = "ets"

    def fit(self, y: np.ndarray, ds: pd.DatetimeIndex | None = None) -> "ETS":
        """Fit on history ``y`` (at least 5 observations); see :meth:`ForecastModel.fit`."""
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        y = np.asarray(y, dtype=float)
        if y.size < 5:
            raise ValueError(f"ETS needs at least 5 observations, got {y.size}")
        seasonal = "add" if self.m > 1 and y.size >= 2 * self.m + 2 else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; a bad fit shows in the backtest
            # a Series, not an array: statsmodels' ETS prediction intervals need an index
            model = ETSModel(pd.Series(y), error="add", trend="add", damped_trend=True, seasonal=seasonal,
                             seasonal_periods=self.m if seasonal else None)
            self.result = model.fit(disp=False, maxiter=500)
        self.n = y.size
        return self

    def predict(self, h: int, level: float) -> Prediction:
        """Forecast ``h`` steps; see :meth:`ForecastModel.predict`."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = self.result.get_prediction(start=self.n, end=self.n + h - 1).summary_frame(alpha=1 - level / 100)
        return Prediction(frame["mean"].to_numpy(), frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy())


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


for _cls in (Naive, SeasonalNaive, ETS, Prophet):
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


_FORECAST_COLUMNS = ["unique_id", "ds", "model", "yhat", "yhat_lower", "yhat_upper"]
_BACKTEST_COLUMNS = ["unique_id", "model", "window", "cutoff", "mase", "mae", "error"]
_SELECTION_COLUMNS = ["unique_id", "model", "mase", "baseline_mase", "beats_baseline", "note"]
_ONE_STEP_COLUMNS = ["unique_id", "ds", "y", "yhat", "yhat_upper"]


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
        ``unique_id, model, mase, baseline_mase, beats_baseline, note``: the chosen model
        and its mean backtest MASE against seasonal naive's.
    skipped : pandas.DataFrame
        ``unique_id, reason`` for series that were not forecast.
    level : float
        Interval level in percent.
    one_step : pandas.DataFrame
        The chosen model's one-step forecast of each series' latest observation, made
        from the history before it: ``unique_id, ds, y, yhat, yhat_upper``.
    """

    forecasts: pd.DataFrame
    backtest: pd.DataFrame
    selection: pd.DataFrame
    skipped: pd.DataFrame
    level: float
    one_step: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_ONE_STEP_COLUMNS))

    def surges(self) -> pd.DataFrame:
        """Series whose latest observation is above its one-step forecast interval.

        Returns
        -------
        pandas.DataFrame
            ``unique_id, ds, y, yhat_upper`` (empty when nothing surged).
        """
        hit = self.one_step[self.one_step["y"] > self.one_step["yhat_upper"]]
        return hit[["unique_id", "ds", "y", "yhat_upper"]].reset_index(drop=True)


class Forecaster:
    """Backtest a ladder of models per series and forecast with the best.

    Parameters
    ----------
    series : pandas.DataFrame
        Long frame ``unique_id, ds, y`` (e.g. from
        :func:`~workbench.analyse.series.incident_series`), each series on a complete,
        regular grid.
    models : sequence of str
        Names from :data:`MODELS`; seasonal naive is always added as the baseline.
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

    Examples
    --------
    >>> res = Forecaster(incident_series(incidents, by=("country_iso3",))).fit()  # doctest: +SKIP
    >>> res.selection, res.surges()  # doctest: +SKIP
    """

    def __init__(self, series: pd.DataFrame, models: tuple[str, ...] = ("seasonal_naive", "ets", "prophet"),
                 season_length: int = 12, horizon: int = 6, level: float = 80, n_windows: int = 3,
                 freq: str | None = None, on_short: Literal["skip", "raise"] = "skip") -> None:
        if isinstance(models, str):
            models = (models,)
        unknown = [m for m in models if m not in MODELS]
        if unknown:
            raise ValueError(f"unknown model(s) {unknown}; registered: {sorted(MODELS)}")
        missing = {"unique_id", "ds", "y"} - set(series.columns)
        if missing:
            raise ValueError(f"series lacks column(s) {sorted(missing)} (need unique_id, ds, y)")
        if len(series) == 0:
            raise ValueError("series is empty: nothing to forecast")
        for name, value in (("season_length", season_length), ("horizon", horizon), ("n_windows", n_windows)):
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

    def _predict(self, name: str, y: np.ndarray, ds: pd.DatetimeIndex, h: int) -> Prediction:
        pred = MODELS[name](season_length=self.m, freq=self.freq).fit(y, ds).predict(h, self.level)
        if not all(np.isfinite(a).all() and len(a) == h for a in (pred.mean, pred.lower, pred.upper)):
            raise ValueError(f"{name} gave a non-finite forecast")
        return pred

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
        back, sel, fc, skipped, steps = [], [], [], [], []
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
            scores = self._backtest(uid, y, ds, back)
            chosen, row = self._select(scores)
            note = row.pop("note")
            try:
                final = self._predict(chosen, y, ds, self.h)
            except Exception as exc:  # the baseline always forecasts: fall back rather than lose the series
                note = f"{chosen} failed on the full history ({type(exc).__name__}: {exc}); baseline kept"
                chosen, row["mase"], row["beats_baseline"] = BASELINE, row["baseline_mase"], False
                final = self._predict(chosen, y, ds, self.h)
            sel.append({"unique_id": uid, "model": chosen, **row, "note": note})
            future = pd.date_range(ds[-1], periods=self.h + 1, freq=self.freq)[1:]
            fc.append(pd.DataFrame({"unique_id": uid, "ds": future, "model": chosen,
                                    "yhat": np.clip(final.mean, 0, None),
                                    "yhat_lower": np.clip(final.lower, 0, None),
                                    "yhat_upper": np.clip(final.upper, 0, None)}))
            try:
                step = self._predict(chosen, y[:-1], ds[:-1], 1)
                steps.append({"unique_id": uid, "ds": ds[-1], "y": y[-1], "yhat": max(step.mean[0], 0.0),
                              "yhat_upper": max(step.upper[0], 0.0)})
            except Exception:  # no one-step check for this series; surges() simply cannot flag it
                pass
        return ForecastResults(
            forecasts=pd.concat(fc, ignore_index=True) if fc else pd.DataFrame(columns=_FORECAST_COLUMNS),
            backtest=pd.DataFrame(back, columns=_BACKTEST_COLUMNS),
            selection=pd.DataFrame(sel, columns=_SELECTION_COLUMNS),
            skipped=pd.DataFrame(skipped, columns=["unique_id", "reason"]),
            level=self.level,
            one_step=pd.DataFrame(steps, columns=_ONE_STEP_COLUMNS),
        )

    def _backtest(self, uid: str, y: np.ndarray, ds: pd.DatetimeIndex, rows: list) -> dict[str, np.ndarray]:
        """Score every model on every window; append rows; return MASE per model (NaN = failed)."""
        scores = {name: np.full(self.n_windows, np.nan) for name in self.models}
        failed = {name: False for name in self.models}
        for w in range(self.n_windows):
            cut = y.size - self.h * (self.n_windows - w)
            train, test = y[:cut], y[cut:cut + self.h]
            for name in self.models:
                error = None
                try:
                    mean = np.clip(self._predict(name, train, ds[:cut], self.h).mean, 0, None)
                    score = mase(test, mean, train, self.m)
                    mae = float(np.mean(np.abs(test - mean)))
                except Exception as exc:  # a model failing on one series must not stop the ladder
                    score, mae, error = np.nan, np.nan, f"{type(exc).__name__}: {exc}"
                    failed[name] = True
                scores[name][w] = score
                rows.append({"unique_id": uid, "model": name, "window": w, "cutoff": ds[cut - 1],
                             "mase": score, "mae": mae, "error": error})
        return {name: (np.full(self.n_windows, np.nan) if failed[name] else s) for name, s in scores.items()}

    def _select(self, scores: dict[str, np.ndarray]) -> tuple[str, dict]:
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
        note = f"failed in backtest: {', '.join(failed)}" if failed else ""
        return chosen, {"mase": means[chosen], "baseline_mase": baseline, "beats_baseline": bool(beats), "note": note}
