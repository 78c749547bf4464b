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
from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.scope import Scope
from workbench.share import digest, disclosure, report, tables

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
ledger = report.DisclosureLedger.for_policy(policy, "whats_changed")
labels = {"new_hotspots": ("new hotspot(s)", "new-hotspots"), "intensified_hotspots": ("intensified hotspot(s)",
          "intensified-hotspots"), "new_surges": ("new forecast breach(es)", "forecast-breaches"),
          "new_corridors": ("new corridor(s)", "new-and-growing-corridors"),
          "growing_corridors": ("corridor(s) grown by half or more", "new-and-growing-corridors")}
opening = [report.KeyFinding(f"changed:{key}", f"{len(changes[key]):,} {words} since {before.date()}.", "", anchor,
                             anchor.replace("-", " ")) for key, (words, anchor) in labels.items()]
ledger.settle()
display(HTML(report.key_findings_html(opening, ledger, tables.header_text(
    scope, policy, f"Changes from {before.date()} to {now.date()}; {window_months}-month window; H3 resolution "
    f"{resolution}."))))
_ = report.publish_ledger(ledger)
display(report.change_chart({words: len(changes[key]) for key, (words, _) in labels.items()},
                            f"What changed from {before.date()} to {now.date()}"))
scope.block(incidents, policy, catalog.load("quarantine"))

# %% [markdown]
# ## New hotspots <a id="new-hotspots"></a>

# %%
tables.render(tables.readable(changes["new_hotspots"]), policy, empty="No new hotspot.")

# %% [markdown]
# ## Intensified hotspots <a id="intensified-hotspots"></a>

# %%
tables.render(tables.readable(changes["intensified_hotspots"]), policy, empty="No hotspot intensified.")

# %% [markdown]
# ## Forecast breaches (latest month above its forecast interval) <a id="forecast-breaches"></a>

# %%
tables.render(tables.readable(changes["new_surges"]), policy, empty="No new breach.")

# %% [markdown]
# ## New and growing corridors <a id="new-and-growing-corridors"></a>

# %%
display(tables.render(tables.readable(changes["new_corridors"]), policy, empty="No new corridor."))
tables.render(tables.readable(changes["growing_corridors"]), policy, empty="No corridor grew by half or more.")
