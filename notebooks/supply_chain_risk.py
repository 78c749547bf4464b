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
# # Supply-chain risk
# A company's supplier sites, ranked by their exposure to trafficking incidents nearby:
# incidents within distance bands, in the site's own sector, in recent months, and the
# hot spot class of the site's hexagon. Sites inside a significant hot spot raise an
# alert. Only aggregated counts are shown, small counts withheld; nothing from the text
# of any report.

# %% tags=["parameters"]
company = "Demo Fresh Produce Ltd"
audience = "partner"
h3_resolution = 0
recency_months = 12
evidence_sites = 5
emerging_steps = 12

# %%
from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.emerging import recent_emerging
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.scope import Scope
from workbench.apply import supply_chain
from workbench.share import disclosure, maps, report, tables

policy = disclosure.policy_for(audience)
resolution = min(h3_resolution or policy.h3_resolution, policy.h3_resolution)
sites = supply_chain.company_sites(catalog.load("supplier_sites"), company)
incidents = catalog.load("incidents")
counts = hex_counts(incidents, resolution=resolution)
hotspots = GetisOrdHotspots(permutations=0).fit(counts) if len(counts) else None
emerging = recent_emerging(incidents, resolution=resolution, steps=emerging_steps, freq="MS")
model = supply_chain.SupplyChainRisk(recency_months=recency_months, h3_resolution=resolution)
results = model.fit(sites, incidents, hotspot_classes=[h for h in (hotspots, emerging) if h is not None])
site_rows = tables.readable(supply_chain.site_table(results, policy))
alerts = tables.readable(supply_chain.alert_table(results))
ledger = report.DisclosureLedger.for_policy(policy, "supply_chain_risk")
name_col = next((c for c in site_rows.columns if c.lower() in ("site", "name", "supplier site")), site_rows.columns[0])
opening = [
    report.KeyFinding("supply:alerts", (f"{len(alerts):,} of {len(sites):,} supplier sites lie inside a hotspot."
                                        if len(alerts) else f"None of the {len(sites):,} supplier sites lies inside a "
                                        "hotspot."), "", "alerts", "alerts"),
    report.KeyFinding("supply:top", f"Highest exposure: {site_rows.iloc[0][name_col]}." if len(site_rows) else
                      "No site could be scored.", "", "sites-ranked-by-risk", "sites ranked by risk"),
    report.KeyFinding("supply:note", results.note, "", "how-the-score-is-built", "how the score is built"),
]
ledger.settle()
display(HTML(report.key_findings_html(opening, ledger, tables.header_text_plain(
    policy, f"{company}: {len(sites)} supplier sites; H3 resolution {resolution}."))))
_ = report.publish_ledger(ledger)
m = maps.offline_map(catalog.load("countries"))
maps.add_hotspot_cells(m, tables.hotspot_cells(hotspots, policy))
supply_chain.add_sites(m, results)
display(m)
Scope().block(incidents, policy, catalog.load("quarantine"))

# %% [markdown]
# ## Sites ranked by risk <a id="sites-ranked-by-risk"></a>
# The order is the ranking. Counts are incidents within each distance band; "same sector"
# and "recent" count within the widest band.

# %%
tables.render(site_rows, policy)

# %% [markdown]
# ## Alerts <a id="alerts"></a>
# Sites inside a significant hot spot (Gi*, false discovery rate controlled) or a new,
# consecutive or intensifying hot spot of the emerging hot spot analysis (monthly steps).

# %%
tables.render(alerts, policy, empty="No site lies inside a hot spot.")

# %% [markdown]
# ## Evidence behind the highest scores
# Aggregated counts by distance band, period, sector and exploitation type, for the
# highest-ranked sites.

# %%
for name in results.sites["name"].head(evidence_sites):
    display(tables.render(supply_chain.evidence_table(results, policy, site=name), policy))

# %% [markdown]
# ## How the score is built <a id="how-the-score-is-built"></a>
# Each component lies between 0 and 1; the score is their weighted sum times 100. It ranks
# sites for due diligence; it is not a probability, and a low score is no evidence that a
# site is free of exploitation.

# %%
tables.render(supply_chain.weights_table(model))
