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
from IPython.display import display

from workbench import catalog
from workbench.analyse.scope import Scope
from workbench.share import osint_triage as triage
from workbench.share import disclosure, maps, tables

policy = disclosure.policy_for(audience)
osint = triage.osint_incidents(catalog.load("incidents"), period_start, period_end, language)
display(tables.header(Scope("ALL", period_start, period_end), policy, f"Open sources only; language: {language}."))
display(Scope("ALL", period_start, period_end).block(osint, policy, catalog.load("quarantine")))
tables.render(tables.headline(osint, policy), policy)

# %% [markdown]
# ## Volume by language and by month

# %%
display(tables.render(triage.volume(osint, policy, by="language"), policy, index=True, empty="No OSINT incidents."))
tables.render(triage.volume(osint, policy, by="month"), policy, index=True, empty="No OSINT incidents in scope.")

# %% [markdown]
# ## Incidents per 1,000 media items
# More news about a place is not more trafficking: OSINT incidents are divided by all news
# items seen about the country (relevant or not); the shrunk rate pulls countries with
# little news towards the overall rate.

# %%
rates = tables.media_rates(osint, catalog.load("media_volume"), policy)
display(tables.render(rates, policy, empty="No media volume recorded in scope."))
tables.note(rates.attrs["note"])

# %% [markdown]
# ## Top tags

# %%
tables.render(triage.top_tags(osint, policy), policy, empty="No tags in scope.")

# %% [markdown]
# ## Where (geoparsed, coarsened to the audience's H3 resolution)

# %%
cells = triage.osint_cells(osint, policy)
m = maps.offline_map(catalog.load("countries"))
maps.add_points(m, cells, radius_col="size", popup_cols=["h3_cell", "incidents"])
m

# %% [markdown]
# ## Review queue (low-confidence triage)
# Law enforcement sees the items (escaped summary and link); other audiences see only
# how many items wait for review, by language and reason.

# %%
tables.render(triage.review_queue(osint, policy), policy, index=policy.drop_free_text,
              empty="Nothing to review.")
