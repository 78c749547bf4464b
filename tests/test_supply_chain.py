"""Supply-chain risk: the planted supplier next to a planted hotspot ranks first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.apply.supply_chain import (SupplyChainRisk, evidence_table, hotspot_lookup, site_table,
                                          validate_sites)
from workbench.share.disclosure import policy_for


@pytest.fixture(scope="module")
def world():
    from workbench.synthetic.demo import DemoConfig, simulate_incidents

    w = simulate_incidents(DemoConfig(seed=7, scale=0.3))
    return w.assign(exploitation_types=w["exploitation_type"].map(lambda t: [t]))


@pytest.fixture(scope="module")
def demo_sites(world, tmp_path_factory):
    from workbench.synthetic.suppliers import write_suppliers

    out = tmp_path_factory.mktemp("suppliers")
    truth = write_suppliers(world, out, 7)
    return pd.read_csv(out / "supplier_sites.csv"), truth


@pytest.fixture(scope="module")
def gi(world):
    from workbench.analyse.getis_ord import GetisOrdHotspots
    from workbench.analyse.hexbin import hex_counts

    return GetisOrdHotspots(permutations=0).fit(hex_counts(world, resolution=5))


@pytest.fixture(scope="module")
def results(world, demo_sites, gi):
    return SupplyChainRisk().fit(demo_sites[0], world, hotspot_classes=gi)


def test_planted_supplier_ranks_first_and_far_suppliers_low(results, demo_sites):
    sites, truth = demo_sites
    ranked = results.sites
    assert ranked["name"].iloc[0] == truth["planted_site"]
    top = ranked.iloc[0]
    assert top["risk_level"] == "high" and top["alert"]
    assert top["same_sector"] >= 0.5 * top["within_150km"]  # the planted hotspot is agriculture
    far = ranked[ranked["name"].isin(truth["far_sites"])]
    assert len(far) >= 10
    assert (far["risk_level"] == "low").all()
    assert (far["within_150km"] == 0).all() and (far["score"] < top["score"] / 4).all()
    assert not far["alert"].any()


def test_band_counts_match_brute_force_haversine(world, results):
    inc = world.dropna(subset=["lat", "lon"])
    la, lo = np.radians(inc["lat"].to_numpy()), np.radians(inc["lon"].to_numpy())
    for site in results.sites.head(6).itertuples(index=False):
        a, b = np.radians(site.lat), np.radians(site.lon)
        h = np.sin((la - a) / 2) ** 2 + np.cos(a) * np.cos(la) * np.sin((lo - b) / 2) ** 2
        km = 2 * 6371.0088 * np.arcsin(np.sqrt(h))
        assert site.within_10km == int((km <= 10).sum())
        assert site.within_50km == int((km <= 50).sum())
        assert site.within_150km == int((km <= 150).sum())
        assert abs(site.nearest_km - km.min()) < 0.01
        near = inc[km <= 150]
        assert site.same_sector == int((near["sector"] == site.sector).sum())
        ev = results.evidence[results.evidence["site_id"] == site.site_id]
        assert ev.loc[ev["dimension"] == "sector", "incidents"].sum() == site.within_150km
        assert ev.loc[ev["dimension"] == "period", "incidents"].sum() == site.within_150km


def test_sites_given_by_city_resolve(results, demo_sites):
    from workbench.places.gazetteer import resolve_city

    _, truth = demo_sites
    by_city = results.sites[results.sites["name"].isin(truth["given_by_city"])]
    assert len(by_city) == len(truth["given_by_city"]) > 0
    assert (by_city["location_source"] == "city").all()
    one = validate_sites(pd.DataFrame({"name": ["A"], "product": ["tomatoes"], "sector": ["agriculture"],
                                       "city": ["almeria"], "country": ["Spain"]}))
    hit = resolve_city("Almería", "ESP")
    assert one.loc[0, "country_iso3"] == "ESP" and one.loc[0, "location_source"] == "city"
    assert (one.loc[0, "lat"], one.loc[0, "lon"]) == (hit["lat"], hit["lon"])


@pytest.mark.parametrize("row, message", [
    ({"sector": "farming"}, r"record 1 \('Bad'\): field 'sector'='farming'"),
    ({"lat": None, "lon": None, "city": "Atlantis", "country": "ESP"}, r"record 1 \('Bad'\): field 'city'='Atlantis'"),
    ({"lat": 123.0}, r"record 1 \('Bad'\): field 'lat'=123"),
    ({"country": "Narnia"}, r"record 1 \('Bad'\): field 'country'='Narnia'"),
    ({"lat": None, "lon": None}, r"record 1 \('Bad'\): field 'city'"),
])
def test_bad_sites_are_named(row, message):
    good = {"name": "Good", "product": "tomatoes", "sector": "agriculture", "lat": 40.0, "lon": -3.0,
            "city": None, "country": "ESP"}
    bad = dict(good, name="Bad", **row)
    with pytest.raises(ValueError, match=message):
        validate_sites(pd.DataFrame([good, bad]))


def test_alerts_fire_on_new_and_intensifying_hot_spots(world):
    import h3

    sites = pd.DataFrame({"name": ["N", "I", "P", "C", "S", "X"], "product": "tomatoes", "sector": "agriculture",
                          "lat": [36.8, 40.4, 41.4, 45.0, 52.2, 10.0], "lon": [-2.6, -3.7, 2.2, 25.0, 21.0, 10.0]})
    cell = {r.name: h3.latlng_to_cell(r.lat, r.lon, 5) for r in sites.itertuples()}
    patterns = pd.DataFrame({"h3_cell": [cell["N"], cell["I"], cell["P"], cell["C"], cell["S"]],
                             "pattern": ["new hot spot", "Intensifying_Hot", "persistent hot spot",
                                         "new cold spot", "no pattern detected"]})
    res = SupplyChainRisk().fit(sites, world, hotspot_classes=patterns)
    assert set(res.alerts["name"]) == {"N", "I"}
    cls = res.sites.set_index("name")["hotspot_class"]
    assert cls["N"] == "new_hot" and cls["I"] == "intensifying_hot" and cls["P"] == "persistent_hot"
    assert cls["C"] == "new_cold" and pd.isna(cls["X"])
    hot = res.sites.set_index("name")["score_hotspot"]
    assert hot["N"] == 1.0 and 0 < hot["P"] < 1 and hot["C"] == 0
    # a site whose own cell is not hot but touches a new hot spot: half the weight, no alert
    ring = sorted(h3.grid_ring(cell["N"], 1))[0]
    near = pd.DataFrame({"name": ["A"], "product": "tomatoes", "sector": "agriculture",
                         "lat": [h3.cell_to_latlng(ring)[0]], "lon": [h3.cell_to_latlng(ring)[1]]})
    adj = SupplyChainRisk().fit(near, world, hotspot_classes=patterns).sites.iloc[0]
    assert pd.isna(adj["hotspot_class"]) and adj["adjacent_hotspot_class"] == "new_hot"
    assert adj["score_hotspot"] == 0.5 and not adj["alert"]
    # the side may come in its own column
    split = pd.DataFrame({"h3_cell": [cell["N"], cell["C"]], "pattern": ["new", "intensifying"],
                          "hot_cold": ["hot", "cold"]})
    lookup = hotspot_lookup(split).set_index("h3_cell")
    assert lookup.loc[cell["N"], "alert"] and not lookup.loc[cell["C"], "alert"]
    with pytest.raises(ValueError, match=r"row 0: field 'pattern'='trending'"):
        hotspot_lookup(pd.DataFrame({"h3_cell": [cell["N"]], "pattern": ["trending"]}))


def test_several_hotspot_sources_combine_strongest_class_and_any_alert(world):
    import h3

    cells = {n: h3.latlng_to_cell(40.0 + i, -3.0, 5) for i, n in enumerate("AB")}
    sites = pd.DataFrame({"name": list("AB"), "product": "tomatoes", "sector": "agriculture",
                          "lat": [h3.cell_to_latlng(c)[0] for c in cells.values()],
                          "lon": [h3.cell_to_latlng(c)[1] for c in cells.values()]})
    gi = pd.DataFrame({"h3_cell": [cells["A"], cells["B"]], "hotspot_class": ["hot_90", "hot_99"],
                       "significant": [False, True]})
    emerging = pd.DataFrame({"h3_cell": [cells["A"]], "pattern": ["new hot spot"]})
    both = SupplyChainRisk().fit(sites, world, hotspot_classes=[gi, emerging]).sites.set_index("name")
    assert both.at["A", "hotspot_class"] == "new_hot" and bool(both.at["A", "alert"])  # emerging wins in A
    assert both.at["B", "hotspot_class"] == "hot_99" and bool(both.at["B", "alert"])
    only_gi = SupplyChainRisk().fit(sites, world, hotspot_classes=gi).sites.set_index("name")
    assert not bool(only_gi.at["A", "alert"])


def test_gi_alerts_only_for_significant_hot_cells(results, gi):
    hot = set(gi.table.loc[gi.table["significant"] & (gi.table["gi_z"] > 0), "h3_cell"])
    flagged = results.sites[results.sites["alert"]]
    assert len(flagged) > 0 and set(flagged["h3_cell"]) <= hot
    assert not results.sites.loc[~results.sites["h3_cell"].isin(hot), "alert"].any()


def test_partner_tables_never_show_small_counts(results):
    policy = policy_for("partner")
    table = site_table(results, policy)
    assert "lat" not in table.columns and "nearest" in table.columns
    counts = table.select_dtypes("number")
    assert not ((counts > 0) & (counts < 10)).any().any()
    ev = evidence_table(results, policy)
    assert not ((ev["incidents"] > 0) & (ev["incidents"] < 10)).fillna(False).any()
    for (_site, dim), group in ev.groupby(["site", "dimension"]):  # no lone withheld cell in a partition
        if dim in ("sector", "period") and len(group) > 1:
            assert group["incidents"].isna().sum() != 1

