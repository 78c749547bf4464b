# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Trends and forecasts
# Monthly incident series, a forecasting ladder (seasonal naive, ETS, Prophet) chosen
# per series by its rolling-origin backtest error (MASE), prediction intervals clipped at
# zero, and surge alerts where the latest month exceeds its forecast interval. A series
# whose models cannot beat seasonal naive says so.

# %% tags=["parameters"]
region = "ALL"
period_start = "2022-11-01"
period_end = "2026-10-31"
exploitation_type = "ALL"
audience = "partner"
group_by = "country_iso3"
max_series = 8
horizon = 6
models = "seasonal_naive,ets,prophet"

# %%
from IPython.display import display

from workbench import catalog
from workbench.analyse.forecast import Forecaster
from workbench.analyse.scope import Scope
from workbench.analyse.series import incident_series
from workbench.share import charts, disclosure, tables

scope = Scope(region, period_start, period_end, exploitation_type)
policy = disclosure.policy_for(audience)
incidents = scope.apply(catalog.load("incidents"))
series = tables.largest_series(
    incident_series(incidents, freq="MS", by=(group_by,), start=period_start, end=period_end), max_series
)
results = (Forecaster(series, models=tuple(models.split(",")), season_length=12, horizon=horizon).fit()
           if len(series) else None)  # None: nothing in scope to forecast
display(tables.header(scope, policy, f"Series by {group_by}; {horizon} months ahead."))

# %% [markdown]
# ## Model selection (backtest)

# %%
tables.render(tables.selection_table(results), policy)

# %% [markdown]
# ## Surge alerts

# %%
tables.render(tables.surge_table(results, policy), policy, empty="No series is above its forecast interval.")

# %% [markdown]
# ## Forecasts

# %%
charts.forecast_grid(series, results, policy)
