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
# Monthly incident series and a forecasting ladder chosen per series by its rolling-origin
# backtest error (MASE): smooth series are offered naive, ETS and ARIMA, intermittent ones
# (many empty months) naive, Croston and TSB, and every model must beat seasonal naive or
# the baseline is kept, and the table says so. Forecasts of the country/type hierarchy are
# then reconciled so that each country's forecast is the sum of its types' and the total
# the sum of the countries'. Prediction intervals are clipped at zero; a surge is a latest
# month above its forecast interval.

# %% tags=["parameters"]
region = "ALL"
period_start = "2022-11-01"
period_end = "2026-10-31"
exploitation_type = "ALL"
audience = "partner"
sources = "ALL"
group_by = "country_iso3"
max_series = 8
horizon = 6
models = "auto"
frequency = "auto"
reconcile_method = "mint_shrink"
hierarchy_rows = 3

# %%
import html

from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.forecast import Forecaster, ladder_table
from workbench.analyse.reconcile import coherence_line, hierarchy_table, reconcile_or_none
from workbench.analyse.routes import RouteFlows
from workbench.analyse.scope import Scope, series_frequency
from workbench.analyse.series import incident_series
from workbench.share import charts, disclosure, tables

scope = Scope(region, period_start, period_end, exploitation_type, sources)
policy = disclosure.policy_for(audience)
everything = catalog.load("incidents")
incidents = scope.apply(everything)
freq, season, freq_note = series_frequency(incidents, frequency)  # from the records' date precision
series = tables.largest_series(
    incident_series(incidents, freq=freq, by=(group_by,), start=period_start, end=period_end), max_series
)
results = (Forecaster(models=tuple(models.split(",")), season_length=season, horizon=horizon).fit(series)
           if len(series) else None)  # None: nothing in scope to forecast
display(tables.header(scope, policy, f"Series by {group_by}; {horizon} periods ahead; {freq_note}."))
display(scope.block(incidents, policy, catalog.load("quarantine")))

# %% [markdown]
# ## The ladder (backtest MASE per model)
# MASE below 1 beats the in-sample seasonal naive error; "-" marks a model that was not a
# candidate for the series' demand pattern.

# %%
tables.render(ladder_table(results), policy, empty="No series in scope to forecast.")

# %% [markdown]
# ## Model selection

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

# %% [markdown]
# ## Reconciled country and type forecasts
# Totals count type tags here: an incident of two types counts in both, so a country's
# reconciled forecast can exceed its incident forecast. Forecasts are expected counts
# over the horizon; values below the audience's threshold are withheld.

# %%
tree = incident_series(incidents, freq=freq, by=("country_iso3", "exploitation_type"), start=period_start,
                       end=period_end, totals=True)
tree_results = (Forecaster(models=tuple(models.split(",")), season_length=season, horizon=horizon)
                .fit(tree[["unique_id", "ds", "y"]]) if len(tree) else None)
reconciled = reconcile_or_none(tree_results, reconcile_method)  # None: no hierarchy in scope
display(HTML(f"<p>{html.escape(coherence_line(reconciled))}</p>"))
tables.render(hierarchy_table(reconciled, policy.k if policy.suppress else None, hierarchy_rows), policy,
              empty="No hierarchy in scope to reconcile.")

# %% [markdown]
# ## Corridor trends (latest quarter against the same quarter a year before)
# Origin -> country of exploitation corridors whose count changed significantly (exact
# Poisson rate test, false discovery rate controlled), or that are new or ended. The
# `routes` report has the full picture and the flow map.

# %%
routes = RouteFlows(Scope(region, "", "", exploitation_type, sources).apply(everything),
                    freq="YS" if freq == "YS" else "QS", compare="previous_year",
                    end=period_end).fit()
tables.render(tables.route_change_table(routes, policy, labels=("growing", "new", "declining", "ended"), top=10),
              policy, empty="No corridor changed significantly.")
