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
# Incident series (yearly, quarterly or monthly, as the records' date precision allows) and
# a forecasting ladder chosen per series by its rolling-origin backtest error (MASE):
# smooth series are offered naive, ETS and ARIMA, intermittent ones (many empty periods)
# naive, Croston and TSB, and a model replaces seasonal naive only when it beats it by a
# margin on most backtest windows; otherwise the baseline is kept, and the tables say why.
# Prediction intervals come from the chosen model's own backtest errors (conformal) and the
# ladder table gives the share of backtest actuals each series' interval held. Periods in
# which no source was reporting are "no data", never zero. Forecasts of the country/type
# hierarchy are then reconciled so that each country's forecast is the sum of its types'
# and the total the sum of the countries'. Intervals are clipped at zero; a surge is a
# latest period above its forecast interval.

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
from workbench.analyse.aggregates import published_counts
from workbench.analyse.scope import Scope, series_frequency
from workbench.analyse.series import incident_series
from workbench.share import charts, disclosure, report, tables

scope = Scope(region, period_start, period_end, exploitation_type, sources)
policy = disclosure.policy_for(audience)
everything = catalog.load("incidents")
incidents = scope.apply(everything)
freq, season, freq_note = series_frequency(incidents, frequency)  # from the records' date precision
series = tables.largest_series(
    incident_series(incidents, freq=freq, by=(group_by,), start=period_start, end=period_end, coarse="drop"),
    max_series)  # the few records dated more coarsely than freq are left out, never put in a period's first month
longest = int(series.groupby("unique_id")["y"].count().max()) if len(series) else 0
steps = max(1, min(horizon, (longest - season - 1) // 2))  # short (e.g. yearly) series: a horizon two windows fit
if steps < horizon:
    freq_note += f"; horizon shortened from {horizon} to {steps} periods so that the longest series has 2 backtests"
results = (Forecaster(models=tuple(models.split(",")), season_length=season, horizon=steps).fit(series)
           if len(series) else None)  # None: nothing in scope to forecast
found = report.findings_for(region=region, exploitation_type=exploitation_type, sources=sources,
                              resolution=policy.h3_resolution)
report.open_report(found, policy, Scope(region, "", "", exploitation_type, sources).apply(everything),
                   tables.header_text(scope, policy, f"Series by {group_by}; {steps} periods ahead; {freq_note}."),
                   sections={"surges": "surge-alerts", "trends": "surge-alerts", "volume": "forecasts",
                             "corridors": "corridor-trends"},
                   order=("surges", "trends", "volume", "corridors"), report="trend_forecast", chart=False)
display(charts.forecast_grid(series, results, policy))
scope.block(incidents, policy, catalog.load("quarantine"))

# %% [markdown]
# ## Surge alerts <a id="surge-alerts"></a>
# From the run's findings ledger: each country's monthly series over the last 36 months,
# the latest month against its one-step forecast interval.

# %%
display(tables.render(tables.ledger_surges(found, policy), policy,
                      empty=report.surges_empty_text(found)))
tables.render(tables.ledger_trends(found), policy, empty="No country's trend is clear enough to state.")

# %% [markdown]
# ## Appendix: the ladder (backtest MASE per model) <a id="forecasts"></a>
# MASE below 1 beats the in-sample seasonal naive error; "-" marks a model that was not a
# candidate for the series' demand pattern, and a MASE marked "not ranked" was scored on
# fewer backtest windows than the baseline. "windows" is how many backtest windows the
# series' length allowed; "coverage" is the share of backtest actuals inside the interval.

# %%
tables.render(tables.readable(ladder_table(results)), policy, empty="No series in scope to forecast.")

# %% [markdown]
# ## Appendix: model selection

# %%
tables.render(tables.readable(tables.selection_table(results)), policy)


# %% [markdown]
# ## Published counts (aggregate tables, beside our records, never added to them)
# Other organisations' published counts in scope (e.g. a national or UNODC data release); a
# censored value such as <5 is shown as the interval 1-4.

# %%
published = published_counts(catalog.load("aggregates"), scope.countries, scope.start, scope.end,
                             scope.source_entries, policy.k if policy.suppress else None, totals_only=True)
tables.render(tables.readable(published.head(20)), policy, empty="No published counts in scope.")

# %% [markdown]
# ## Reconciled country and type forecasts
# Totals count type tags here: an incident of two types counts in both, so a country's
# reconciled forecast can exceed its incident forecast. Forecasts are expected counts
# over the horizon; values below the audience's threshold are withheld.

# %%
tree = incident_series(incidents, freq=freq, by=("country_iso3", "exploitation_type"), start=period_start,
                       end=period_end, totals=True, coarse="drop")
tree_results = (Forecaster(models=tuple(models.split(",")), season_length=season, horizon=steps)
                .fit(tree[["unique_id", "ds", "y"]]) if len(tree) else None)
reconciled = reconcile_or_none(tree_results, reconcile_method)  # None: no hierarchy in scope
display(HTML(f"<p>{html.escape(coherence_line(reconciled))}</p>"))
tables.render(hierarchy_table(reconciled, policy.k if policy.suppress else None, hierarchy_rows), policy,
              empty="No hierarchy in scope to reconcile.")

# %% [markdown]
# ## Corridor trends (latest quarter against the same quarter a year before) <a id="corridor-trends"></a>
# Origin -> country of exploitation corridors whose count changed significantly (exact
# Poisson rate test, false discovery rate controlled), or that are new or ended. The
# `routes` report has the full picture and the flow map.

# %%
tables.render(tables.ledger_corridors(found, policy), policy, empty="No corridor in scope.")
