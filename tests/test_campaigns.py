"""Campaign targeting (ranking, safe exports) and evaluation (interrupted time series)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench.apply.campaign_evaluation import CampaignEvaluation, evaluate_campaign
from workbench.apply.campaign_export import EXPORT_COLUMNS, export_targets
from workbench.apply.campaigns import CampaignTargeting, target_table
from workbench.share.disclosure import policy_for


def _km(lat1, lon1, lat2, lon2):
    la1, lo1, la2, lo2 = map(np.radians, (lat1, lon1, lat2, lon2))
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


@pytest.fixture(scope="module")
def world():
    from workbench.synthetic.demo import DemoConfig, simulate_incidents

    w = simulate_incidents(DemoConfig(seed=7, scale=0.3))
    return w.assign(exploitation_types=w["exploitation_type"].map(lambda t: [t]),
                    origin_country_iso3=w["origin_iso3"])


@pytest.fixture(scope="module")
def targets(world):
    return CampaignTargeting(resolution=5).fit(world)


def test_a_planted_hotspot_cell_is_the_top_target(targets):
    from workbench.synthetic.demo import PLANTED_HOTSPOTS

    top = targets.targets.iloc[0]
    nearest = min(_km(top["centre_lat"], top["centre_lon"], h[2], h[3]) for h in PLANTED_HOTSPOTS)
    assert nearest < 20
    assert top["hotspot_class"].startswith("hot")
    assert (targets.targets["incidents"] >= 10).all()
    assert targets.targets["score"].is_monotonic_decreasing
    assert top["language"] in ("en", "es")  # the country's language (no language column in the world)


def test_city_unit_ranks_a_planted_hotspot_city_first(world):
    res = CampaignTargeting(unit="city").fit(world)
    assert res.targets["place"].iloc[0] in ("Benin City", "Almería")
    assert res.targets["radius_km"].iloc[0] > 0


def test_language_comes_from_the_reports_when_there_are_enough(world):
    w = world.assign(language=np.where(world["country_iso3"] == "ESP", "ca", "en"))
    res = CampaignTargeting().fit(w)
    esp = res.targets[res.targets["country_iso3"] == "ESP"]
    assert len(esp) and (esp["language"] == "ca").all() and (esp["language_source"] == "reports").all()
    # partner case files are written in the partner's language, not the place's: not used
    partner = CampaignTargeting().fit(w.assign(source_type="partner"))
    esp = partner.targets[partner.targets["country_iso3"] == "ESP"]
    assert (esp["language"] == "es").all() and (esp["language_source"] == "country").all()


def test_exports_are_valid_and_hold_no_small_counts(targets, tmp_path):
    import geopandas as gpd

    paths = export_targets(targets, tmp_path, k=10, top=15)
    csv = pd.read_csv(paths["csv"])
    assert list(csv.columns) == list(EXPORT_COLUMNS)
    assert len(csv) > 0 and (csv["incidents"] >= 10).all() and (csv["incidents"] % 10 == 0).all()
    assert csv["language"].notna().all() and (csv["radius_km"] > 0).all()
    gdf = gpd.read_file(paths["geojson"])
    assert set(EXPORT_COLUMNS) <= set(gdf.columns) and len(gdf) == len(csv)
    assert (gdf.geom_type == "Polygon").all() and gdf.crs.to_epsg() == 4326
    for row in gdf.itertuples():
        x, y = np.asarray(row.geometry.exterior.coords).T
        assert np.allclose(_km(row.centre_lat, row.centre_lon, y, x), row.radius_km, rtol=0.01)
    features = json.loads(paths["geojson"].read_text())["features"]
    counts = [f["properties"]["incidents"] for f in features]
    assert all(c >= 10 for c in counts)


def test_partner_target_table_is_coarsened(targets):
    table = target_table(targets, policy_for("partner"), top=15)
    assert "rank" not in table.columns
    assert ((table["incidents"] >= 10) & (table["incidents"] % 10 == 0)).all()


@pytest.fixture(scope="module", params=[7, 42])
def planted(world, request, tmp_path_factory):
    from workbench.synthetic.suppliers import write_campaign

    out = tmp_path_factory.mktemp(f"campaign{request.param}")
    truth = write_campaign(world, out, request.param)
    return truth, pd.read_csv(out / "campaign_log.csv"), pd.read_csv(out / "campaign_reports.csv")


def test_its_recovers_the_planted_effect_and_not_the_null_one(planted):
    truth, log, reports = planted
    effect, null = truth["campaigns"]
    assert effect["rate_ratio"] > 1 and null["rate_ratio"] == 1
    res = evaluate_campaign(log, reports, effect["campaign_id"])
    assert res.design == "did"
    assert res.p_value < 0.05 and res.ci[0] <= effect["rate_ratio"] <= res.ci[1]
    assert "higher" in res.note
    res0 = evaluate_campaign(log, reports, null["campaign_id"])
    assert res0.p_value > 0.05 and res0.ci[0] <= 1 <= res0.ci[1]
    assert "No clear change" in res0.note
    single = evaluate_campaign(log, reports, effect["campaign_id"], control="")
    assert single.design == "its" and single.p_value < 0.05 and single.effect > 1


def test_null_campaigns_are_rarely_significant():
    from workbench.synthetic.suppliers import campaign_series

    rejections = 0
    for seed in range(30):
        rng = np.random.default_rng(1000 + seed)
        a = campaign_series("2024-11-04", 104, 64, 60.0, 1.0, rng).assign(unique_id="a/treated")
        b = campaign_series("2024-11-04", 104, 64, 45.0, 1.0, rng).assign(unique_id="a/control")
        res = CampaignEvaluation(pd.concat([a, b]), a["ds"].iloc[64]).fit()
        rejections += res.p_value < 0.05
    assert rejections <= 5  # nominal 5% of 30 is 1.5; HAC errors are a little liberal in short series


def test_bad_series_are_named():
    series = pd.DataFrame({"unique_id": "x", "ds": pd.date_range("2024-01-01", periods=30, freq="W-MON"),
                           "y": 5.0})
    series.loc[3, "y"] = -1
    with pytest.raises(ValueError, match=r"series row 3 \(x\): field 'y'=-1"):
        CampaignEvaluation(series, "2024-06-01")
    with pytest.raises(ValueError, match="need at least 8 before"):
        CampaignEvaluation(series.assign(y=5.0), "2024-01-15").fit()
    with pytest.raises(ValueError, match="lacks column"):
        CampaignEvaluation(series.drop(columns="ds"), "2024-06-01")
