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
# # Intelligence report
# The period at a glance: volumes by country and exploitation type, hotspots, corridors,
# trends and the grading of the sources behind them. Counts below the audience's
# threshold are suppressed (with secondary suppression in tables with totals).

# %% tags=["parameters"]
region = "ALL"
period_start = "2025-11-01"
period_end = "2026-10-31"
exploitation_type = "ALL"
audience = "partner"
sources = "ALL"
h3_resolution = 5

# %%
import html

from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.forecast import Forecaster
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.aggregates import published_counts
from workbench.analyse.scope import Scope, series_frequency
from workbench.analyse.series import incident_series
from workbench.share import disclosure, maps, tables

scope = Scope(region, period_start, period_end, exploitation_type, sources)
policy = disclosure.policy_for(audience)
incidents = scope.apply(catalog.load("incidents"))
display(tables.header(scope, policy))
display(scope.block(incidents, policy, catalog.load("quarantine")))
tables.render(tables.headline(incidents, policy), policy)

# %% [markdown]
# ## Where and what

# %%
tables.render(tables.country_by_type(incidents, policy), policy, index=True)

# %% [markdown]
# ## Hotspots

# %%
counts = hex_counts(incidents, resolution=min(h3_resolution, policy.h3_resolution))
hotspots = GetisOrdHotspots().fit(counts) if len(counts) else None  # None: nothing located in scope
m = maps.offline_map(catalog.load("countries"))
maps.add_hotspot_cells(m, tables.hotspot_cells(hotspots, policy))
m

# %% [markdown]
# ## Corridors (origin -> country of exploitation)

# %%
tables.render(tables.corridors(incidents, policy), policy)

# %% [markdown]
# ## Trend and surges (monthly, by country, last 36 months)

# %%
everything = catalog.load("incidents")
trend_scope = scope.trailing(36, latest=everything["occurred_on"].max())
trend_freq, trend_season, trend_note = series_frequency(trend_scope.apply(everything))  # from date precision
display(HTML(f"<p>{html.escape(trend_note)}</p>"))
series = tables.largest_series(
    incident_series(trend_scope.apply(everything), freq=trend_freq, by=("country_iso3",),
                    start=trend_scope.start, end=trend_scope.end, coarse="drop"), 6)
trend = Forecaster(models=("seasonal_naive", "ets"), season_length=trend_season, horizon=3).fit(series) if len(series) else None
display(tables.render(tables.selection_table(trend), policy))
tables.render(tables.surge_table(trend, policy), policy, empty="No country is above its forecast interval.")

# %% [markdown]
# ## Published counts (aggregate tables, beside our records, never added to them)
# Other organisations' published counts in scope (e.g. a national or UNODC data release); a
# censored value such as <5 is shown as the interval 1-4.

# %%
published = published_counts(catalog.load("aggregates"), scope.countries, scope.start, scope.end,
                             scope.source_entries, policy.k if policy.suppress else None, totals_only=False)
tables.render(published.head(20), policy, empty="No published counts in scope.")

# %% [markdown]
# ## Sources and grading

# %%
display(tables.render(tables.source_mix(incidents, policy), policy))
tables.render(tables.grading_mix(incidents, policy), policy, index=True)
