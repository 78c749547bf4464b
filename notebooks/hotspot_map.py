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
h3_resolution = 5
alpha = 0.05

# %%
from IPython.display import display

from workbench import catalog
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import cell_polygons, hex_counts
from workbench.analyse.scope import Scope
from workbench.share import disclosure, maps, tables

scope = Scope(region, period_start, period_end, exploitation_type)
policy = disclosure.policy_for(audience)
incidents = scope.apply(catalog.load("incidents"))
resolution = min(h3_resolution, policy.h3_resolution)
counts = hex_counts(incidents, resolution=resolution)
hotspots = GetisOrdHotspots(counts, alpha=alpha).fit() if len(counts) else None  # None: nothing located in scope
display(tables.header(scope, policy, f"H3 resolution {resolution}; false discovery rate {alpha}."))
tables.render(tables.headline(incidents, policy), policy)

# %% [markdown]
# ## Map
# Red hexagons are hotspots (Gi* significant after FDR at 90/95/99% confidence), blue
# cold spots. The basemap is the Natural Earth country layer; the map works offline.

# %%
m = maps.offline_map(catalog.load("countries"))
maps.add_hotspot_cells(m, tables.hotspot_cells(hotspots, policy))
m

# %% [markdown]
# ## Hotspot cells

# %%
tables.render(tables.hotspot_table(hotspots, policy), policy)
