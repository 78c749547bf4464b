"""The one place forecast models are registered: callers ask for models by name.

Each model class (see :class:`~workbench.analyse.forecast.models.ForecastModel`) is
listed below under its ``name``; nothing registers itself by being imported. To add a
model, write its class in its own module of this package and add one line here (or, at
run time, ``MODELS.register(MyModel.name, MyModel)``).
"""

from __future__ import annotations

from workbench.analyse.forecast.intermittent import TSB, Croston
from workbench.analyse.forecast.models import ARIMA, ETS, AutoARIMA, ForecastModel, Naive, SeasonalNaive
from workbench.analyse.forecast.prophet import Prophet
from workbench.registry import Registry

#: The model every other must beat.
BASELINE = "seasonal_naive"

#: Model name -> class (a :class:`~workbench.registry.Registry`).
MODELS: Registry[type[ForecastModel]] = Registry("forecast model")
MODELS.register(Naive.name, Naive)
MODELS.register(SeasonalNaive.name, SeasonalNaive)
MODELS.register(ETS.name, ETS)
MODELS.register(ARIMA.name, ARIMA)
MODELS.register(AutoARIMA.name, AutoARIMA)
MODELS.register(Croston.name, Croston)
MODELS.register(TSB.name, TSB)
MODELS.register(Prophet.name, Prophet)
