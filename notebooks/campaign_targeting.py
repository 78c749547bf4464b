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
# # Campaign targeting and evaluation
# Where geo-targeted prevention campaigns could reach the most people at risk: places
# ranked by hot spot strength, recruitment that advertising can counter (false job
# offers, social media, agencies, study or travel offers) and vulnerability (child
# victims, countries of origin). Then: did a past campaign change reporting?

# %% tags=["parameters"]
region = "ALL"
period_start = "2024-11-01"
period_end = "2026-10-31"
exploitation_type = "ALL"
audience = "partner"
sources = "ALL"
top = 15
h3_resolution = 5
unit = "h3"
campaign_id = "CMP-2025-01"

# %%
from IPython.display import display

from workbench import catalog
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.scope import Scope
from workbench.apply import campaign_evaluation, campaign_export, campaigns
from workbench.share import disclosure, maps, tables

scope = Scope(region, period_start, period_end, exploitation_type, sources)
policy = disclosure.policy_for(audience)
resolution = min(h3_resolution, policy.h3_resolution)
incidents = scope.apply(catalog.load("incidents"))
counts = hex_counts(incidents, resolution=resolution)
hotspots = GetisOrdHotspots(permutations=0).fit(counts) if len(counts) else None
targets = (campaigns.CampaignTargeting(resolution=resolution, unit=unit, min_incidents=policy.k)
           .fit(incidents, hotspots) if len(incidents) else None)
display(tables.header(scope, policy, f"Places: {unit} (H3 resolution {resolution}); top {top}."))
display(scope.block(incidents, policy, catalog.load("quarantine")))
print(targets.note if targets is not None else "No incidents in scope: nothing to target.")

# %% [markdown]
# ## Ranked target areas
# The order is the ranking. Incident counts are rounded down to a multiple of the
# threshold, as in the exported files.

# %%
tables.render(campaigns.target_table(targets, policy, top), policy, empty="No place has enough incidents to target.")

# %% [markdown]
# ## Map of the target areas
# Circles show each campaign's radius round the centre of its area.

# %%
m = maps.offline_map(catalog.load("countries"))
campaigns.add_targets(m, targets, top)

# %% [markdown]
# ## Export for advertising platforms
# `campaign_export.export_targets` writes the same rows as GeoJSON circles and CSV (formulas
# neutralised); places under the threshold never appear and counts are coarsened.
# Preview of the exported rows:

# %%
tables.render(campaign_export.export_preview(targets, policy.k, top), policy, empty="Nothing to export.")

# %% [markdown]
# ## Did the campaign change reporting?
# An interrupted time series of weekly app reports in the campaign area, with a control
# area (difference in differences): a Poisson regression with trend, yearly season, a
# level change and a trend change at the start, and Newey-West standard errors.

# %%
log = catalog.load("campaign_log")
evaluation = campaign_evaluation.evaluate_campaign(log, catalog.load("campaign_reports"), campaign_id)
display(tables.render(campaign_evaluation.campaign_info(log, campaign_id)))
print(evaluation.note)
tables.render(evaluation.summary())

# %%
evaluation.plot(policy)
