"""The registry of forecast models: callers ask for models by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.analyse.forecast.models import ForecastModel

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
