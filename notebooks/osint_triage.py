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
# # Open-source (OSINT) triage
# What the news feeds brought in: volume by language and month, the most frequent
# exploitation types and sectors, where the geoparsed incidents are, and the review
# queue of items whose triage is uncertain (a weak term only, a false friend such as
# "drug trafficking" next to exploitation words, no exploitation type recognised).
# Counts below the audience's threshold are withheld.

# %% tags=["parameters"]
period_start = "2024-11-01"
period_end = "2026-10-31"
language = "ALL"
audience = "partner"

# %%
import pandas as pd
from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.scope import Scope
from workbench.share import osint_triage as triage
from workbench.share import disclosure, maps, report, tables
from workbench.share.ledger import DisclosureLedger

policy = disclosure.policy_for(audience)
osint = triage.osint_incidents(catalog.load("incidents"), period_start, period_end, language)
ledger = DisclosureLedger.for_policy(policy, "osint_triage")
total = ledger.add(f"osint|{period_start}|{period_end}|{language}|incidents", len(osint))
# the headline total and every country's count are one set: no country's count can be had by subtraction
by_country = osint["country_iso3"].fillna("UNK").value_counts() if len(osint) else pd.Series(dtype=int)
country_names = {iso: f"osint|{period_start}|{period_end}|{language}|country|{iso}" for iso in by_country.index}
rates = tables.media_rates(osint, catalog.load("media_volume"), policy)
listed = {country_names[c] for c in rates.attrs.get("iso3", []) if c in country_names}
report.relate_parts(ledger, total, {country_names[i]: int(v) for i, v in by_country.items()}, listed)
ledger.settle()
rates = report.mask_withheld(rates, "OSINT incidents", [country_names[c] for c in rates.attrs["iso3"]], ledger,
                             also=("media items", "per 1,000 items", "shrunk rate")) if len(rates) else rates
top_lang = osint["language"].value_counts().head(1) if "language" in osint.columns and len(osint) else pd.Series(dtype=int)
opening = [
    report.KeyFinding("osint:total", f"{{{total}}} incidents found in open sources from {period_start} to "
                      f"{period_end} ({'all languages' if language == 'ALL' else report.language_name(language)}).", "",
                      "volume", "volume"),
    report.KeyFinding("osint:rates", "Highest rate per 1,000 media items: " + (
        f"{rates.iloc[0]['country']} (shrunk rate {rates.iloc[0]['shrunk rate']})." if len(rates)
        and pd.notna(rates.iloc[0]["shrunk rate"]) else "no country has enough media volume to say."), "", "rates",
        "rates"),
    report.KeyFinding("osint:language", ("Most items were in " + report.language_name(top_lang.index[0]) + "." if len(top_lang) else
                                         "No item in scope."), "", "volume", "volume"),
]
display(HTML(report.key_findings_html(opening, ledger, tables.header_text(Scope("ALL", period_start, period_end),
                                                                               policy, "Open sources only."))))
_ = report.publish_ledger(ledger)
cells = triage.osint_cells(osint, policy)
if len(cells):
    cells = cells.assign(place=[tables.place_of_cell(c) for c in cells["h3_cell"]])
m = maps.offline_map(catalog.load("countries"))
maps.add_points(m, cells, radius_col="size", popup_cols=["place", "incidents"])
maps.add_legend(m, "OSINT incidents (circle size: incidents per area)",
                [("an area with incidents; click for its count", "#8e44ad")])
display(m)
Scope("ALL", period_start, period_end).block(osint, policy, catalog.load("quarantine"))

# %% [markdown]
# ## Volume by language and by month <a id="volume"></a>

# %%
display(tables.render(triage.volume(osint, policy, by="language"), policy, index=True, empty="No OSINT incidents."))
tables.render(triage.volume(osint, policy, by="month"), policy, index=True, empty="No OSINT incidents in scope.")

# %% [markdown]
# ## Incidents per 1,000 media items <a id="rates"></a>
# More news about a place is not more trafficking: OSINT incidents are divided by all news
# items seen about the country (relevant or not); the shrunk rate pulls countries with
# little news towards the overall rate.

# %%
display(tables.render(rates, policy, empty="No media volume recorded in scope."))
tables.note(rates.attrs["note"])

# %% [markdown]
# ## Top tags

# %%
tables.render(triage.top_tags(osint, policy), policy, empty="No tags in scope.")

# %% [markdown]
# ## How sure is the triage? <a id="confidence"></a>
# Every stored item read again: the relevance model's probability, how precisely the
# place was found and with what confidence, and how many articles were merged into
# each incident as one story. Measured on hand-labelled real news never used for
# training (`workbench evaluate-triage`, fresh held-back part of 186 items): relevance
# F1 0.94 (precision 0.92, recall 0.95) against 0.72 for keywords alone and 0.59 for
# flagging everything; country right for 86% of relevant items; story clustering B-cubed
# F1 0.92 over all items.

# %%
tables.render(triage.confidence_bands(osint, policy), policy, empty="No OSINT incidents.")

# %% [markdown]
# ## Review queue (low-confidence triage)
# Every low-confidence item, none left out (a relevant item without a recognised
# exploitation type is stored as "not recorded" and waits here). Law enforcement sees the
# items (escaped summary and link, model probability, place confidence, articles in the
# story); other audiences see only how many items wait for review, by language and reason.

# %%
tables.render(triage.review_queue(osint, policy), policy, index=policy.drop_free_text,
              empty="Nothing to review.")
