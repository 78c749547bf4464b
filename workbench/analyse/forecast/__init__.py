"""A forecasting ladder chosen per series by rolling-origin backtest (MASE).

Models share one small interface, ``Model(season_length, freq).fit(y, ds)`` then
``.predict(h, level)`` giving a :class:`Prediction` (mean, lower, upper), and are
registered by name in :data:`MODELS`: ``naive``, ``seasonal_naive``, ``ets``, ``arima``
(fast SARIMA by least squares), ``auto_arima`` (statsforecast's full AutoARIMA, slow),
``croston`` and ``tsb`` (intermittent counts; intervals from residual quantiles) and
``prophet``. :class:`Forecaster` (settings) ``.fit(series)`` takes the long ``unique_id, ds, y`` frame, backtests
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

The package: :mod:`~workbench.analyse.forecast.models` (interface, naive, ETS, ARIMA),
:mod:`~workbench.analyse.forecast.intermittent` (Croston, TSB),
:mod:`~workbench.analyse.forecast.prophet`, :mod:`~workbench.analyse.forecast.registry`,
:mod:`~workbench.analyse.forecast.scoring` (MASE, demand pattern),
:mod:`~workbench.analyse.forecast.ladder` (:class:`Forecaster`) and
:mod:`~workbench.analyse.forecast.results`.
"""

from workbench.analyse.forecast.models import (ARIMA, ETS, AutoARIMA, ForecastModel, Naive, Prediction,
                                               SeasonalNaive)
from workbench.analyse.forecast.intermittent import TSB, TSB_ALPHAS, Croston
from workbench.analyse.forecast.prophet import Prophet
from workbench.analyse.forecast.scoring import (AUTO_MODELS, INTERMITTENT_ADI, adi, demand_pattern, mase,
                                                min_history)
from workbench.analyse.forecast.results import ForecastResults, ladder_table
from workbench.analyse.forecast.ladder import Forecaster
from workbench.analyse.forecast.registry import BASELINE, MODELS

__all__ = ["ARIMA", "AUTO_MODELS", "BASELINE", "ETS", "INTERMITTENT_ADI", "MODELS", "TSB", "TSB_ALPHAS", "AutoARIMA",
           "Croston", "ForecastModel", "ForecastResults", "Forecaster", "Naive", "Prediction", "Prophet",
           "SeasonalNaive", "adi", "demand_pattern", "ladder_table", "mase", "min_history"]
