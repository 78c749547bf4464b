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
# The period at a glance: what changed, where, and along which corridors. Every finding
# comes from the run's findings ledger, so it is the same in every report of the run.
# Counts below the audience's threshold are withheld, over the whole report.

# %% tags=["parameters"]
region = "ALL"
period_start = "2025-11-01"
period_end = "2026-10-31"
exploitation_type = "ALL"
audience = "partner"
sources = "ALL"
h3_resolution = 0

# %%
from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.aggregates import published_counts
from workbench.analyse.scope import Scope
from workbench.share import disclosure, maps, report, tables

scope = Scope(region, period_start, period_end, exploitation_type, sources)
policy = disclosure.policy_for(audience)
resolution = min(h3_resolution or policy.h3_resolution, policy.h3_resolution)
found = report.findings_for(region=region, exploitation_type=exploitation_type, sources=sources,
                              resolution=resolution)
everything = Scope(region, "", "", exploitation_type, sources).apply(catalog.load("incidents"))
incidents = scope.apply(everything)
ledger = report.open_report(found, policy, everything, tables.header_text(scope, policy), report="intelligence_report",
                            sections={"volume": "where-and-what", "hotspots": "hotspots", "surges": "surges",
                                      "corridors": "corridors", "trends": "surges"})
scope.block(incidents, policy, catalog.load("quarantine"))

# %% [markdown]
# ## Hotspots <a id="hotspots"></a>
# Significant hot cells of the last months of the ledger (Gi*, false discovery rate
# controlled); labelled areas are the ledger's hotspots.

# %%
first, last = found.windows.get("latest", [period_start, period_end])
window = everything[(everything["occurred_on"] >= first) & (everything["occurred_on"] <= last)]
counts = hex_counts(window, resolution=resolution)
hotspots = GetisOrdHotspots(permutations=0).fit(counts) if len(counts) > 1 else None  # the ledger's Gi*
m = maps.offline_map(catalog.load("countries"), focus=scope.countries)
maps.add_hotspot_cells(m, tables.hotspot_cells(hotspots, policy))
maps.add_place_labels(m, report.hotspot_labels(found))
display(m)
if not policy.drop_source_names:  # law enforcement: which source each area's count came from
    by_source = tables.sources_by_area(window, found, policy)
    display(HTML("<h3>Sources behind the areas' counts (law enforcement only)</h3>"),
            tables.note(by_source.attrs["note"]), tables.render(by_source, policy, empty="No incident to attribute."))

# %% [markdown]
# ## Where and what <a id="where-and-what"></a>
# Incidents in the report's period by country and exploitation type.

# %%
tables.render(tables.readable(tables.country_by_type(incidents, policy)), policy, index=True)

# %% [markdown]
# ## Corridors <a id="corridors"></a>
# Origin (or, failing it, the victims' nationality) -> transit -> country of
# exploitation, latest quarter against the same quarter a year before.

# %%
display(tables.render(tables.ledger_corridors(found, policy), policy, empty="No corridor in scope."))
if not policy.drop_source_names:  # law enforcement: which source each corridor's count came from
    by_source = tables.sources_by_corridor(incidents, policy)
    display(HTML("<h3>Sources behind the corridors' counts (law enforcement only)</h3>"),
            tables.note(by_source.attrs["note"]), tables.render(by_source, policy, empty="No corridor to attribute."))

# %% [markdown]
# ## Surges and trends <a id="surges"></a>

# %%
display(tables.render(tables.ledger_surges(found, policy), policy,
                      empty=report.surges_empty_text(found)))
tables.render(tables.ledger_trends(found), policy, empty="No country's trend is clear enough to state.")

# %% [markdown]
# ## Published counts (aggregate tables, beside our records, never added to them)
# Other organisations' published counts in scope (e.g. a national or UNODC data release); a
# censored value such as <5 is shown as the interval 1-4.

# %%
published = published_counts(catalog.load("aggregates"), scope.countries, scope.start, scope.end,
                             scope.source_entries, policy.k if policy.suppress else None, totals_only=False)
tables.render(tables.readable(published.head(20)), policy, empty="No published counts in scope.")

# %% [markdown]
# ## Sources and grading

# %%
display(tables.render(tables.source_mix(incidents, policy), policy))
tables.render(tables.grading_mix(incidents, policy), policy, index=True)

# %% [markdown]
# ## Appendix: model selection
# Backtest error (MASE; below 1 beats the in-sample seasonal naive error) of the model
# chosen for each country's monthly series.

# %%
tables.render(tables.ledger_forecast(found), policy, empty="No series in scope to forecast.")
