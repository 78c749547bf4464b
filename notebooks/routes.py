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
# # Routes and corridors
# Where people are moved from, through and to: the largest corridors (origin -> transit ->
# country of exploitation), which grew, appeared or shrank against a baseline (exact
# Poisson rate test, false discovery rate controlled), the countries central to the
# network, and a flow map. The region selects places of exploitation. An origin missing
# from a record is taken from the victims' nationality when known, never guessed.
# Counts below the audience's threshold are withheld, and corridors under it are left out
# of the hubs table and the map.

# %% tags=["parameters"]
region = "ALL"
period_start = "2025-11-01"
period_end = "2026-10-31"
exploitation_type = "ALL"
audience = "partner"
sources = "ALL"
top = 15
compare = "previous_year"
freq = "YS"

# %%
from IPython.display import HTML, display

from workbench import catalog
from workbench.analyse.routes import RouteFlows
from workbench.analyse.flows import reported_corridors
from workbench.analyse.scope import Scope
from workbench.share import disclosure, flow_maps, maps, report, tables

scope = Scope(region, period_start, period_end, exploitation_type, sources)
policy = disclosure.policy_for(audience)
# region and type only: the baseline may lie before period_start
incidents = Scope(region, "", "", exploitation_type, sources).apply(catalog.load("incidents"))
routes = RouteFlows(freq=freq, compare=compare, start=period_start, end=period_end).fit(incidents)
windows = (f"Change: {routes.current_window[0].date()} to {routes.current_window[1].date()} against "
           f"{routes.baseline_window[0].date()} to {routes.baseline_window[1].date()}." if routes.current_window
           else "No dated incidents to compare.")
found = report.findings_for(region=region, exploitation_type=exploitation_type, sources=sources,
                              resolution=policy.h3_resolution)
report.open_report(found, policy, incidents, tables.header_text(scope, policy, f"{windows} {routes.note}"),
                   sections={"corridors": "corridor-change", "volume": "largest-corridors",
                             "largest": "largest-corridors"},  # surges and trends: no section here, no link
                   order=("corridors", "largest", "volume", "surges", "trends"), report="routes", chart=False)
countries = catalog.load("countries")
m = maps.offline_map(countries, focus=scope.countries)
flow_maps.add_flows(m, tables.route_map_flows(routes, policy), countries,  # the whole period, not the change windows
                    title=f"Corridors, {period_start} to {period_end} (line width: incidents)",
                    note=f"corridors under {policy.k} incidents not drawn" if policy.suppress else "")
display(m)
scope.block(incidents, policy, catalog.load("quarantine"))

# %% [markdown]
# ## Corridor change, latest quarter <a id="corridor-change"></a>
# From the run's findings ledger (the same in every report): latest complete quarter
# against the same quarter a year before.

# %%
tables.render(tables.ledger_corridors(found, policy), policy, empty="No corridor in scope.")

# %% [markdown]
# ## Corridors named in flow lists (reported, not counted incidents)
# Flow lists (e.g. a yearly report's origin -> destination lines) from the store's flows table:
# how many lists name each corridor and in which years; they are never added to incident counts.

# %%
listed = reported_corridors(catalog.load("flows"), scope.countries, period_start, period_end,
                            scope.source_entries)
listed = listed.head(top).astype({"lists": str})  # lists naming a corridor: not a count of people
if listed["reported_count"].isna().all():  # lists without counts: nothing to show (nor to withhold)
    listed = listed.drop(columns="reported_count")
if policy.suppress and "reported_count" in listed:  # counts of people in the lists: controlled like any count
    listed = disclosure.suppress_counts(listed.astype({"reported_count": "Int64"}), ["reported_count"], policy.k)
tables.render(listed, policy, empty="No flow list in scope.")

# %% [markdown]
# ## Largest corridors <a id="largest-corridors"></a>

# %%
display(tables.render(tables.readable(tables.route_table(routes, policy, top=top)), policy,
                      empty="No corridor in scope."))
if not policy.drop_source_names:  # law enforcement: which source each corridor's count came from
    by_source = tables.sources_by_corridor(scope.apply(incidents), policy, top=top)
    display(HTML("<h3>Sources behind the corridors' counts (law enforcement only)</h3>"),
            tables.note(by_source.attrs["note"]), tables.render(by_source, policy, empty="No corridor to attribute."))

# %% [markdown]
# ## Growing and declining corridors over the report's period

# %%
tables.render(tables.readable(tables.route_change_table(routes, policy, labels=("growing", "declining", "ended"),
                                                       top=top)),
              policy, empty="No corridor changed significantly between the report's period and the year before.")

# %% [markdown]
# ## New corridors (none in the baseline)

# %%
tables.render(tables.readable(tables.route_change_table(routes, policy, labels=("new",), top=top)), policy,
              empty="No new corridor.")

# %% [markdown]
# ## Appendix: network hubs
# Countries by incidents routed through them as transit, and the share of all
# international incidents whose recorded route passes through them.

# %%
hubs = tables.route_hubs_table(routes, policy)
display(tables.note(hubs.attrs.get("note", "")))
tables.render(tables.readable(hubs), policy, empty="No network in scope.")

# %% [markdown]
# ## Incidents with unknown origin, by country of exploitation

# %%
tables.render(tables.readable(tables.route_unknown_table(routes, policy)), policy,
              empty="Every incident has an origin.")

