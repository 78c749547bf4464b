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
# # What changed
# New or intensified hotspots, forecast breaches and new or growing corridors since the
# previous run. Both pictures are rebuilt from the store as it was known on each date
# (incidents reported by then), so the comparison is reproducible.

# %% tags=["parameters"]
region = "ALL"
exploitation_type = "ALL"
as_of = ""
previous_as_of = ""
audience = "partner"
sources = "ALL"
window_months = 3

# %%
import pandas as pd
from IPython.display import display

from workbench import catalog
from workbench.analyse.scope import Scope
from workbench.share import digest, disclosure, tables

policy = disclosure.policy_for(audience)
scope = Scope(region, "", "", exploitation_type, sources)
incidents = scope.apply(catalog.load("incidents"))
now = pd.Timestamp(as_of) if as_of else incidents["reported_at"].max().tz_convert(None).normalize()
before = pd.Timestamp(previous_as_of) if previous_as_of else now - pd.DateOffset(months=1)
resolution = min(5, policy.h3_resolution)
changes = digest.compare(
    digest.snapshot(incidents, before, window_months, resolution, policy.k),
    digest.snapshot(incidents, now, window_months, resolution, policy.k),
)
display(tables.header(scope, policy, f"Changes from {before.date()} to {now.date()}; "
                                     f"{window_months}-month window; H3 resolution {resolution}."))
display(scope.block(incidents, policy, catalog.load("quarantine")))

# %% [markdown]
# ## New hotspots

# %%
tables.render(changes["new_hotspots"], policy, empty="No new hotspot.")

# %% [markdown]
# ## Intensified hotspots

# %%
tables.render(changes["intensified_hotspots"], policy, empty="No hotspot intensified.")

# %% [markdown]
# ## Forecast breaches (latest month above its forecast interval)

# %%
tables.render(changes["new_surges"], policy, empty="No new breach.")

# %% [markdown]
# ## New and growing corridors

# %%
display(tables.render(changes["new_corridors"], policy, empty="No new corridor."))
tables.render(changes["growing_corridors"], policy, empty="No corridor grew by half or more.")
