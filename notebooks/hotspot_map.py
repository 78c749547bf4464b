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
# # Hotspot map
# Where incidents cluster more than chance would explain: counts per H3 hexagon, tested
# with the Getis-Ord Gi* statistic, the false discovery rate controlled across all cells.
# Cells are coarsened and small counts suppressed according to the audience.

# %% tags=["parameters"]
region = "ALL"
period_start = "2025-11-01"
period_end = "2026-10-31"
exploitation_type = "ALL"
audience = "partner"
sources = "ALL"
h3_resolution = 0
alpha = 0.05
emerging_steps = 12
emerging_freq = "MS"

# %%
import html

from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.emerging import recent_emerging
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.robustness import RobustnessCheck
from workbench.analyse.scope import Scope
from workbench.share import disclosure, maps, report, tables

scope = Scope(region, period_start, period_end, exploitation_type, sources)
policy = disclosure.policy_for(audience)
everything = Scope(region, "", "", exploitation_type, sources).apply(catalog.load("incidents"))
incidents = scope.apply(everything)
resolution = min(h3_resolution or policy.h3_resolution, policy.h3_resolution)
found = report.findings_for(region=region, exploitation_type=exploitation_type, sources=sources,
                              resolution=resolution)
report.open_report(found, policy, everything,
                   tables.header_text(scope, policy, f"H3 resolution {resolution}; false discovery rate {alpha}."),
                   sections={"hotspots": "map", "volume": "map", "trends": "map", "emerging": "emerging"},
                   order=("hotspots", "emerging", "volume", "trends"), report="hotspot_map", chart=False)
counts = hex_counts(incidents, resolution=resolution)
hotspots = GetisOrdHotspots(alpha=alpha).fit(counts) if len(counts) else None  # None: nothing located in scope
m = maps.offline_map(catalog.load("countries"), focus=scope.countries)
maps.add_hotspot_cells(m, tables.hotspot_cells(hotspots, policy))
maps.add_place_labels(m, report.hotspot_labels(found))
display(m)
if hotspots is not None:  # which p-values the classes rest on (permutation on sparse counts) and why
    display(HTML(f"<p>{html.escape(hotspots.inference_note)}</p>"))
scope.block(incidents, policy, catalog.load("quarantine"))

# %% [markdown]
# ## Map <a id="map"></a>
# Red hexagons are hotspots over the report's period (Gi* significant after FDR at
# 90/95/99% confidence), blue cold spots; the labelled places are the run's hotspots of the
# last months (the key findings). The basemap is the Natural Earth country layer; the map
# works offline.

# %%
tables.render(tables.headline(incidents, policy), policy)

# %% [markdown]
# ## Robust to source grading
# The same test run again without the weakest-graded reports (source reliability E or F,
# or information credibility 5 or 6, or no grading). A hotspot marked "no" rests on
# reports nobody can vouch for: treat it as a lead to check, not a finding.

# %%
robustness = RobustnessCheck(resolution=resolution, alpha=alpha).fit(incidents) if len(counts) else None
tables.render(tables.robust_hotspot_table(robustness, policy), policy)

# %% [markdown]
# ## Emerging hotspots <a id="emerging"></a>
# How clustering changed step by step (months by default; `emerging_freq = "W-MON"` for
# weeks) up to the end of the period: Gi* for every step (false discovery rate controlled
# within each step) and a Mann-Kendall trend test of each cell's Gi* scores, classed as
# in ArcGIS's Emerging Hot Spot Analysis (new, consecutive, intensifying, persistent,
# diminishing, sporadic, oscillating, historical; hot and cold).
# A cell counts as hot in a step only when its neighbourhood holds at least three
# incidents then; counts per cell and step are sparse, so read isolated classes with care.

# %%
if (emerging_steps, emerging_freq, alpha) == (12, "MS", 0.05):  # the run's findings ledger: same in every report
    emerging = report.ledger_emerging(found)
    display(tables.note(f"12 monthly steps to {report.month_words(found.end_month)} (the run's findings)."))
else:  # other settings asked for: computed here, over the report's period
    emerging = recent_emerging(incidents, resolution=resolution, steps=emerging_steps, freq=emerging_freq,
                               end=period_end or None, alpha=alpha)
tables.render(tables.emerging_pattern_counts(emerging, policy), policy)

# %%
m = maps.offline_map(catalog.load("countries"), focus=scope.countries)
maps.add_emerging_cells(m, tables.emerging_cells(emerging, policy))
m

# %% [markdown]
# ## Appendix: hotspot cells
# The strongest hot cells over the report's period, named after the nearest well-known
# place: Gi* z-score and the false-discovery-rate-adjusted q value.

# %%
tables.render(tables.hotspot_table(hotspots, policy), policy)
