"""Routes and corridors: planted corridors are counted, tested and disclosed correctly."""

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from tests.workspace import REPO, home
from workbench.analyse.routes import DIRECT, RouteFlows
from workbench.share import disclosure, flow_maps, maps, tables
from workbench.share.export import external_references

EVIL = "<script>alert(1)</script>"
PARTNER = disclosure.policy_for("partner")
K = PARTNER.k

#: Planted corridors: (origin, transit, destination, nationality, incidents in 2024, in 2025).
PLAN = [
    ("NGA", "LBY", "ITA", None, 20, 60),   # growing 3x, through the hub
    ("ERI", "LBY", "ITA", None, 30, 30),   # stable, through the hub
    ("NGA", "LBY", "ESP", None, 15, 15),
    ("SDN", "LBY", "FRA", None, 12, 12),
    ("ROU", None, "GBR", None, 30, 30),    # stable, direct
    ("UKR", None, "POL", None, 0, 15),     # new
    ("PHL", None, "PHL", None, 12, 12),    # domestic
    ("ALB", "GBR", "GBR", None, 3, 40),    # transit = destination: direct; baseline below k
    (None, None, "GBR", "VNM", 0, 5),      # origin from nationality, below k
    (None, None, "ITA", None, 2, 7),       # unknown origin: never invented
]


def planted(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for origin, transit, dest, nat, *per_year in PLAN:
        for year, n in zip((2024, 2025), per_year):
            days = rng.integers(0, 365, n)
            for d in days:
                rows.append({"origin_country_iso3": origin, "transit_country_iso3": transit, "country_iso3": dest,
                             "victim_nationality_iso3": nat, "occurred_on": pd.Timestamp(f"{year}-01-01")
                             + pd.Timedelta(days=int(d)), "occurred_precision": "day"})
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    frame["incident_id"] = [f"{i:016x}" for i in range(len(frame))]
    for col in ("origin_country_iso3", "transit_country_iso3", "country_iso3", "victim_nationality_iso3"):
        frame[col] = frame[col].astype("string")
    return frame


@pytest.fixture(scope="module")
def results():
    return RouteFlows(freq="YS", compare="previous_year", end="2025-12-31").fit(planted())


@pytest.fixture(scope="module")
def countries():
    from workbench import catalog

    with home(REPO):
        return catalog.load("countries")


def flow(res, origin, transit, dest):
    f = res.flows
    row = f[(f["origin"] == origin) & (f["transit"] == transit) & (f["destination"] == dest)]
    assert len(row) <= 1
    return row.iloc[0] if len(row) else None


def change(res, origin, transit, dest):
    c = res.change
    return c[(c["origin"] == origin) & (c["transit"] == transit) & (c["destination"] == dest)].iloc[0]


def test_flows_count_every_planted_corridor_exactly(results):
    for origin, transit, dest, nat, before, now in PLAN:
        if origin is None and nat is None:
            continue
        o = origin or nat
        t = DIRECT if transit in (None, o, dest) else transit
        row = flow(results, o, t, dest)
        assert row["count"] == before + now, (o, t, dest)
        assert row["domestic"] == (o == dest)
        assert row["from_nationality"] == (before + now if origin is None else 0)
    assert len(results.flows) == len(PLAN) - 1
    assert results.flows["count"].is_monotonic_decreasing
    assert flow(results, "ALB", "GBR", "GBR") is None  # a transit equal to the destination is direct


def test_unknown_origin_is_counted_apart_and_never_invented(results):
    assert results.unknown_origin.set_index("destination")["count"].to_dict() == {"ITA": 9}
    assert results.flows["origin"].notna().all()
    total = results.flows["count"].sum() + results.unknown_origin["count"].sum() + results.n_unknown_destination
    assert total == results.n_incidents == sum(b + n for *_, b, n in PLAN)


def test_legs_split_routes_at_their_transit(results):
    legs = results.legs.set_index(["source", "target", "leg"])["count"]
    assert legs[("NGA", "LBY", "origin->transit")] == 20 + 60 + 15 + 15
    assert legs[("ERI", "LBY", "origin->transit")] == 60
    assert legs[("LBY", "ITA", "transit->destination")] == 80 + 60
    assert legs[("LBY", "ESP", "transit->destination")] == 30
    assert legs[("ROU", "GBR", "origin->destination")] == 60
    assert legs[("PHL", "PHL", "origin->destination")] == 24
    assert ("NGA", "ITA", "origin->destination") not in legs.index
    via = sum(b + n for o, t, *_, b, n in PLAN if t == "LBY")
    assert legs.xs("origin->transit", level="leg").sum() == legs.xs("transit->destination", level="leg").sum() == via


def test_growth_is_detected_for_the_growing_corridor_only(results):
    grow = change(results, "NGA", "LBY", "ITA")
    assert (grow["baseline"], grow["current"]) == (20, 60)
    assert grow["growth"] == "growing" and grow["q_value"] < 0.05
    assert grow["ratio_low"] > 1 and grow["rate_ratio"] == pytest.approx((60 / 365) / (20 / 366))
    for stable in (("ERI", "LBY", "ITA"), ("ROU", DIRECT, "GBR"), ("PHL", DIRECT, "PHL")):
        row = change(results, *stable)
        assert row["growth"] == "no significant change" and row["q_value"] > 0.05, stable
    assert results.current_window == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))
    assert results.baseline_window == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))


def test_the_new_corridor_is_listed(results):
    new = results.new_corridors
    assert list(zip(new["origin"], new["destination"])) == [("UKR", "POL"), ("VNM", "GBR")]
    assert new.iloc[0]["current"] == 15 and new.iloc[0]["first_seen"] >= pd.Timestamp("2025-01-01")


def test_a_partial_period_is_compared_with_the_same_part_of_the_baseline():
    res = RouteFlows(freq="QS", compare="previous", end="2025-05-15").fit(planted())
    assert res.current_window == (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-05-15"))
    assert res.baseline_window == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-14"))
    inc = planted()
    in_base = inc["occurred_on"].between(*res.baseline_window) & (inc["origin_country_iso3"] == "ROU")
    assert change(res, "ROU", DIRECT, "GBR")["baseline"] == in_base.sum()
    assert res.flows["last_seen"].max() <= pd.Timestamp("2025-05-15")  # end bounds the flows too


def test_the_transit_hub_has_the_highest_betweenness(results, countries):
    net = results.network.set_index("country")
    assert net["betweenness"].idxmax() == "LBY" and net.loc["LBY", "betweenness"] > 0
    assert net.loc["LBY", "through"] == sum(b + n for o, t, *_, b, n in PLAN if t == "LBY")
    assert net.loc["ITA", "in_strength"] == 140 and net.loc["PHL", "domestic"] == 24
    graph = results.graph(countries)
    assert graph["LBY"]["ITA"]["weight"] == 140 and not graph.has_edge("PHL", "PHL")
    assert graph.nodes["LBY"]["name"] == "Libya" and 20 < graph.nodes["LBY"]["lat"] < 33
    assert graph.nodes["NGA"]["out_flow"] == 110


def test_disclosure_withholds_counts_below_k(results):
    shown = tables.route_table(results, PARTNER, top=50)
    small = shown[(shown["origin"] == "VNM")].iloc[0]
    assert pd.isna(small["incidents"]) and pd.isna(small["first seen"])
    assert shown["incidents"].dropna().ge(K).all()
    html = tables.render(shown, PARTNER).data
    assert "[c]" in html
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
    assert not [c for c in cells if re.fullmatch(r"\d+", c) and 0 < int(c) < K]
    ch = tables.route_change_table(results, PARTNER, top=None).set_index(["origin", "destination"])
    alb = ch.loc[("ALB", "GBR")]  # baseline 3: withheld, and so is everything that would reveal it
    assert pd.isna(alb["baseline"]) and pd.isna(alb["current"]) and pd.isna(alb["rate ratio"])
    assert alb["growth"] == "growing"
    assert ch.loc[("NGA", "ITA"), "current"] == 60 and ch.loc[("UKR", "POL"), "baseline"] == 0
    cells = re.findall(r"<td[^>]*>(.*?)</td>", tables.render(ch.reset_index(), PARTNER).data)
    assert not [c for c in cells if re.fullmatch(r"\d+", c) and 0 < int(c) < K]


def test_small_corridors_feed_neither_the_map_nor_the_hubs(results):
    drawn = tables.route_map_flows(results, PARTNER)
    assert drawn["count"].ge(K).all() and not ((drawn["source"] == "VNM") & (drawn["target"] == "GBR")).any()
    assert (drawn["source"] != drawn["target"]).all()
    hubs = tables.route_hubs_table(results, PARTNER).set_index("country")
    assert hubs.loc["GBR", "incidents in"] == disclosure.round_count(60 + 43, 5, K)  # ROU and ALB (rounded to 5 for partners); VNM's 5 left out
    assert tables.route_map_flows(results, disclosure.policy_for("law_enforcement"))["count"].ge(K).all()


def test_flow_map_is_offline_and_escapes_names(results, countries):
    named = countries.assign(name=countries["name"].where(countries["iso3"] != "ITA", EVIL))
    m = maps.offline_map(named)
    flows = tables.route_map_flows(results, PARTNER)
    flow_maps.add_flows(m, flows, named, note=EVIL)
    html = maps.map_html(m)
    assert external_references(html) == [("link", "https://leafletjs.com")]  # Leaflet's attribution only
    assert EVIL not in html and "alert(1)" in html
    # every occurrence is HTML-escaped (then JSON-encoded: & -> \u0026): basemap, line, head, legend
    escaped = "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;/script\\u0026gt;"
    assert html.count("alert(1)") == html.count(escaped) >= 4
    assert html.count('"_w"') >= 2 * len(flows)  # a line and a head per flow


def test_bad_codes_name_the_record_and_field():
    bad = planted().head(5).copy()
    bad.loc[2, "origin_country_iso3"] = "Nigeria"
    with pytest.raises(ValueError, match=r"record 0+2: field 'origin_country_iso3'='Nigeria'"):
        RouteFlows().fit(bad)
    with pytest.raises(ValueError, match="freq"):
        RouteFlows(freq="W")


def test_nothing_in_scope_gives_empty_results():
    res = RouteFlows().fit(planted().iloc[0:0])
    assert res.flows.empty and res.change.empty and res.network.empty and res.current_window is None
    assert tables.route_table(res, PARTNER).empty and tables.route_map_flows(res, PARTNER).empty


def test_hubs_are_ranked_by_the_routes_recorded_through_them_not_by_shortest_paths():
    """Every transit corridor has a direct counterpart: shortest-path betweenness is 0 for all,
    yet the transit country carries the routed incidents and leads the hubs table."""
    flows = pd.DataFrame({"origin": ["ALB", "ALB", "VNM", "VNM"], "transit": ["FRA", "", "FRA", ""],
                          "destination": ["GBR", "GBR", "GBR", "GBR"], "count": [16, 26, 17, 30]})
    flows["domestic"] = False
    from workbench.analyse.routes import legs_of, network_measures

    net = network_measures(legs_of(flows), flows).set_index("country")
    assert net["betweenness"].eq(0).all()
    assert net["route_share"].idxmax() == "FRA" and net.loc["FRA", "route_share"] == pytest.approx(33 / 89)
    res = SimpleNamespace(network=net.reset_index(), restrict=lambda k: SimpleNamespace(network=net.reset_index()))
    table = tables.route_hubs_table(res, disclosure.policy_for("law_enforcement"))
    assert table.iloc[0]["country"] == "FRA" and "shortest-path betweenness" not in table.columns
    assert "is 0 for every country" in table.attrs["note"] and table.attrs["hubs"]
