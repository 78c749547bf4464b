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
h3_resolution = 0
unit = "h3"
campaign_id = "CMP-2025-01"

# %%
from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.scope import Scope
from workbench.apply import campaign_evaluation, campaign_export, campaigns
from workbench.share import disclosure, maps, report, tables

scope = Scope(region, period_start, period_end, exploitation_type, sources)
policy = disclosure.policy_for(audience)
resolution = min(h3_resolution or policy.h3_resolution, policy.h3_resolution)
incidents = scope.apply(catalog.load("incidents"))
counts = hex_counts(incidents, resolution=resolution)
hotspots = GetisOrdHotspots(permutations=0).fit(counts) if len(counts) else None
targets = (campaigns.CampaignTargeting(resolution=resolution, unit=unit, min_incidents=policy.k)
           .fit(incidents, hotspots) if len(incidents) else None)
found = report.findings_for(region=region, exploitation_type=exploitation_type, sources=sources,
                              resolution=resolution)
ranked = tables.readable(campaigns.target_table(targets, policy, top))
ledger = report.DisclosureLedger.for_policy(policy, "campaign_targeting")
opening = report.collect_key_findings(found, ledger,
                                      {"hotspots": "ranked-target-areas", "volume": "ranked-target-areas",
                                       "trends": "evaluation"}, ("hotspots", "volume", "trends"), limit=3)
place_col = next((c for c in ranked.columns if c.lower() in ("place", "area", "name")), None)
if len(ranked) and place_col:
    opening.insert(0, report.KeyFinding("campaign:top", f"Top target area: {ranked.iloc[0][place_col]} (of "
                                        f"{len(ranked):,} ranked).", "", "ranked-target-areas", "ranked target areas"))
opening.append(report.KeyFinding("campaign:note", targets.note if targets is not None else
                                 "No incidents in scope: nothing to target.", "", "", ""))
ledger.settle()
display(HTML(report.key_findings_html(opening[:5], ledger, tables.header_text(
    scope, policy, f"Places: {unit} (H3 resolution {resolution}); top {top}."), ledger_key=found.key)))
_ = report.publish_ledger(ledger)
m = maps.offline_map(catalog.load("countries"), focus=scope.countries)
campaigns.add_targets(m, targets, top)
display(m)
scope.block(incidents, policy, catalog.load("quarantine"))

# %% [markdown]
# ## Ranked target areas <a id="ranked-target-areas"></a>
# The order is the ranking. Incident counts are rounded down to a multiple of the
# threshold, as in the exported files.

# %%
tables.render(ranked, policy, empty="No place has enough incidents to target.")

# %% [markdown]
# ## Export for advertising platforms
# `campaign_export.export_targets` writes the same rows as GeoJSON circles and CSV (formulas
# neutralised); places under the threshold never appear and counts are coarsened.
# Preview of the exported rows:

# %%
tables.render(tables.readable(campaign_export.export_preview(targets, policy.k, top)), policy, empty="Nothing to export.")

# %% [markdown]
# ## Did the campaign change reporting? <a id="evaluation"></a>
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
