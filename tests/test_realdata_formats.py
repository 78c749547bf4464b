"""Every real-data format through the CLI into an empty workspace (issue 12, items 3, 4, 8).

Fixtures in tests/data/realdata are shaped like the public files (make_fixtures.py says
how): rows in = stored + quarantined for each, only wrong rows quarantined, none stored
wrong.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.realdata_helpers import cli, ingest_line, new_workspace

ENTRIES = {
    "ctdc": {"file": "ctdc_global_synthetic.csv", "collector": "ctdc", "source_name": "CTDC global",
             "reported_at": "2022-06-01"},
    "glotip": {"file": "glotip_data_release.xlsx", "collector": "aggregates", "source_name": "UNODC GLOTIP"},
    "tidy_counts": {"file": "victims_tidy.csv", "collector": "aggregates", "source_name": "NRM statistics"},
    "tip_flows": {"file": "tip_flows_2019.txt", "collector": "flows", "source_name": "TIP report 2019"},
    "hotline_points": {"file": "hotline_cases_2019.geojson", "collector": "points", "source_name": "Hotline map",
                       "period": "2019", "columns": {"record_id": "OBJECTID"}},
    "news_alerts": {"file": "news_alerts.csv", "collector": "news_export", "source_name": "News alerts"},
}
#: entry -> (rows in, stored, quarantined): only the deliberately wrong rows are quarantined.
EXPECTED = {"ctdc": (65, 63, 2), "glotip": (9, 7, 2), "tidy_counts": (5, 5, 0), "tip_flows": (7, 6, 1),
            "hotline_points": (7, 6, 1)}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("byod") / "ws"
    new_workspace(root, ENTRIES, [e["file"] for e in ENTRIES.values()])
    code, out = cli(root, "ingest")
    assert code == 0, out
    return root, out


def test_each_format_reconciles_and_only_wrong_rows_are_quarantined(workspace):
    root, out = workspace
    for entry, expected in EXPECTED.items():
        rows_in, stored, quarantined = ingest_line(out, entry)
        assert rows_in == stored + quarantined
        assert (rows_in, stored, quarantined) == expected, entry
    assert "rows in 4 = stored 2" in out and "quarantined 1 + not relevant 1" in out  # news: url is the id


def test_ctdc_victims_are_stored_with_unknowns_year_precision_and_stated_age_overlap(workspace):
    from workbench.schema import validate_incidents
    from workbench.store import Store

    root, out = workspace
    incidents = Store(root / "data" / "store").incidents(where="catalog_entry = 'ctdc'")
    _, wrong = validate_incidents(incidents)
    assert wrong.empty  # nothing stored that the schema would call wrong
    assert set(incidents["occurred_precision"]) == {"year"}
    assert (incidents["country_iso3"] == "UNK").sum() > 0
    assert incidents["exploitation_types"].map(lambda t: t == ["not_recorded"]).sum() > 0
    assert {"child_0_17", "adult_18_39", "adult_25_plus"} <= set(incidents["victim_age_band"])
    assert "9--17" in out and "stored as Child (0-17)" in out  # the overlap is stated at ingest
    raw = pd.read_csv(root / "data" / "raw" / "ctdc_global_synthetic.csv", dtype=str)
    duplicates = int(raw.duplicated(keep=False).sum())
    assert duplicates >= 4 and incidents["source_record_id"].is_unique  # exact duplicates stay separate victims
    assert set(incidents["victim_nationality_iso3"].dropna()) <= {"UKR", "PHL", "MDA", "USA", "VNM"}


def test_aggregates_keep_censored_values_as_intervals(workspace):
    from workbench import catalog

    root, _ = workspace
    catalog.clear_cache()
    import os

    os.environ["WORKBENCH_HOME"] = str(root)
    try:
        agg = catalog.load("aggregates")
        flows = catalog.load("flows")
    finally:
        os.environ.pop("WORKBENCH_HOME")
        catalog.clear_cache()
    mex = agg[(agg["country_iso3"] == "MEX") & (agg["category"] == "Total")].iloc[0]
    assert (mex["value_lower"], mex["value_upper"], mex["censored"]) == (2315, 2315, False)
    irn = agg[agg["country_iso3"] == "IRN"].iloc[0]
    assert (irn["value_lower"], irn["value_upper"], bool(irn["censored"]), irn["value_text"]) == (1, 4, True, "<5")
    assert set(agg["country_iso3"]) >= {"MEX", "IRN", "KOR", "SYR", "TLS", "GBR", "VNM"}
    syr = agg[agg["country_iso3"] == "SYR"].iloc[0]
    assert pd.isna(syr["value_lower"]) and pd.isna(syr["value_upper"])  # ".." is a value not given
    assert set(agg.loc[agg["country_iso3"] == "GBR", "exploitation_type"]) == {"sexual_exploitation", "forced_labour"}
    assert set(zip(flows["origin_iso3"], flows["destination_iso3"])) == {
        ("RUS", "KOR"), ("IRN", "TUR"), ("SYR", "LBN"), ("TLS", "IDN"), ("PRK", "CHN"), ("VNM", "GBR")}
    assert set(flows["year"]) == {2019}


def test_points_are_reprojected_dated_from_the_entry_and_given_ids(workspace):
    from workbench.store import Store

    root, out = workspace
    points = Store(root / "data" / "store").incidents(where="catalog_entry = 'hotline_points'")
    assert set(points["country_iso3"]) == {"USA"} and set(points["occurred_precision"]) == {"year"}
    assert (points["occurred_on"].dt.year == 2019).all()
    assert points["source_record_id"].is_unique  # OBJECTID 0 everywhere is not used as an id
    assert points["lat"].between(29, 35).all() and points["lon"].between(-119, -84).all()
    assert "reprojected from EPSG:4269" in out


def test_published_counts_show_intervals_and_withhold_below_k(workspace):
    from workbench.analyse.aggregates import format_interval, published_counts
    from workbench.store import Store

    root, _ = workspace
    agg = Store(root / "data" / "store").table("aggregates")
    shown = published_counts(agg, ["MEX", "IRN"], "2019-01-01", "2020-12-31")
    assert set(shown["value"]) == {"2,315", "1,204", "1-4"}
    withheld = published_counts(agg, ["MEX", "IRN"], k=10, totals_only=True)
    assert withheld["value"].tolist() == ["<10", "2,315"]  # IRN 2020 (<5), MEX 2019 total
    assert format_interval(float("nan"), float("nan")) == "not given" and format_interval(101, float("nan")) == "101+"


@pytest.mark.parametrize("kind", ["gpkg", "shp_zip"])
def test_points_from_geopackage_and_zipped_shapefile_in_a_projected_crs(tmp_path, kind):
    import zipfile

    import geopandas as gpd
    from shapely.geometry import Point

    from workbench.collect import collect

    frame = gpd.GeoDataFrame({"case_no": ["c1", "c2", "c3"], "seen": ["2021-03", "", "2021-Q4"]},
                             geometry=[Point(-3.70, 40.42), Point(2.17, 41.39), Point(-0.38, 39.47)],
                             crs="EPSG:4326").to_crs("EPSG:3857")
    if kind == "gpkg":
        path = tmp_path / "cases.gpkg"
        frame.to_file(path, layer="cases", driver="GPKG")
        meta = {"layer": "cases"}
    else:
        frame.to_file(tmp_path / "cases.shp")
        path = tmp_path / "cases.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for part in tmp_path.glob("cases.*"):
                if part.suffix != ".zip":
                    archive.write(part, part.name)
        meta = {}
    result = collect(path, {"collector": "points", "source_name": "NGO map", "period": "2021",
                            "columns": {"record_id": "case_no", "occurred_on": "seen"},
                            "exploitation_type": "forced_labour", **meta})
    c = result.candidates.set_index("source_record_id")
    assert result.rows_in == 3 and result.rejects.empty
    assert set(c["country_iso3"]) == {"ESP"} and abs(c.loc["c1", "lat"] - 40.42) < 1e-6
    assert c["occurred_precision"].tolist() == ["month", "year", "quarter"]  # blank: the entry's period
    assert c.loc["c3", "occurred_on"] == pd.Timestamp("2021-10-01")
    assert all(t == ["forced_labour"] for t in c["exploitation_types"])
    assert any("reprojected from EPSG:3857" in n for n in result.notes["assumptions"])


def test_doctor_checks_only_what_the_workspace_lists_and_passes(workspace):
    root, _ = workspace
    code, out = cli(root, "doctor")
    assert code == 0 and "0 failed" in out, out
    assert "source glotip" in out and "aggregates rows" in out and "app_reports" not in out


def test_ctdc_subset_of_columns_and_majority_status_when_no_age_band(tmp_path):
    from workbench.collect import collect

    path = tmp_path / "ctdc_subset.csv"
    path.write_text("yearOfRegistration,ageBroad,majorityStatus,isSexualExploit,CountryOfExploitation\n"
                    "2020,,Minor,1,US\n2020,,Adult,0,\n2020,,,0,0\n2020,48+,Adult,1,KR\n", encoding="utf-8")
    result = collect(path, {"collector": "ctdc", "source_name": "CTDC subset"})
    c = result.candidates
    assert c["victim_age_band"].tolist() == ["child_0_17", "adult_18_plus", "unknown", "adult_40_plus"]
    assert c["country_iso3"].tolist() == ["USA", "UNK", "UNK", "KOR"]
    assert c["exploitation_types"].tolist() == [["sexual_exploitation"], ["not_recorded"], ["not_recorded"],
                                                ["sexual_exploitation"]]
    assert c["victim_gender"].isna().all()  # no gender column: not claimed unknown, just not given


def test_ctdc_repeated_rows_are_separate_victims_and_each_wrong_repeat_is_quarantined(tmp_path):
    from workbench.collect import collect

    path = tmp_path / "ctdc_repeats.csv"
    good, bad = "2020,Female,1,0,US", "2020,Female,2,0,US"  # isForcedLabour=2: not a 0/1 flag
    path.write_text("yearOfRegistration,gender,isForcedLabour,isSexualExploit,CountryOfExploitation\n"
                    + "\n".join([good, bad, good, good, bad]) + "\n", encoding="utf-8")
    result = collect(path, {"collector": "ctdc", "source_name": "CTDC repeats"})
    c, r = result.candidates, result.rejects
    assert len(c) + len(r) == 5 and len(c) == 3
    assert c["source_record_id"].str.split(":").str[1].tolist() == ["2", "4", "5"]  # file line of each row
    assert c["incident_id"].is_unique
    assert c["exploitation_types"].tolist() == [["forced_labour"]] * 3
    c["exploitation_types"].iloc[0].append("changed")  # rows share no list: one victim's edit is not another's
    assert c["exploitation_types"].iloc[1] == ["forced_labour"]
    assert r["record"].tolist() == ["row 3", "row 6"]
    assert all("isForcedLabour" in reason for reason in r["reason"])
