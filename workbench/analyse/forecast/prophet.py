"""The Prophet rung (optional: imported only when the rung is fitted)."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from workbench.analyse.forecast.models import ForecastModel, Prediction


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
    min_obs = 3

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
