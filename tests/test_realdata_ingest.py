"""Unknown is data, fix and re-ingest, empty workspaces (issue 12, items 1, 5, 6)."""

from __future__ import annotations

import textwrap

import pandas as pd

from tests.realdata_helpers import cli, ingest_line, new_workspace
from workbench.places.countries import country_name, to_iso3

# A partner export with no ids, "0" for unknown, blanks, an exact duplicate row, and a
# crosswalk whose fields: block is empty (every category from defaults:).
CASES = textwrap.dedent("""\
    year,country,nationality,notes
    2021,Mexico,0,
    2021,0,GT,
    2022-Q3,,,
    2022,Mexico,0,
    2022,Mexico,0,
    2023,Narnia,MX,
    """)
DEFAULTS_ONLY = textwrap.dedent("""\
    partner: hotline cases (defaults only)
    columns:
      occurred_on: year
      country: country
      victim_nationality: nationality
      summary: notes
    unknown: ["0"]
    defaults:
      grading: B2
      reported_at: '2024-01-01'
    fields: {}
    """)


def _workspace(tmp_path, crosswalk=DEFAULTS_ONLY):
    root = tmp_path / "ws"
    (tmp_path / "cases.csv").write_text(CASES, encoding="utf-8")
    new_workspace(root, {"hotline": {"file": "cases.csv", "collector": "partner", "source_name": "Hotline",
                                     "crosswalk": "hotline_cases"}}, [tmp_path / "cases.csv"])
    (root / "crosswalks" / "hotline_cases.yaml").write_text(crosswalk, encoding="utf-8")
    return root


def test_incomplete_records_are_stored_with_unknowns_and_only_wrong_ones_quarantined(tmp_path):
    from workbench.store import Store

    root = _workspace(tmp_path)
    code, out = cli(root, "ingest")
    assert code == 0, out
    assert ingest_line(out, "hotline") == (6, 5, 1)  # only "Narnia" (not a country) is wrong
    stored = Store(root / "data" / "store").incidents()
    assert set(stored["exploitation_types"].map(tuple)) == {("not_recorded",)}
    assert (stored["country_iso3"] == "UNK").sum() == 2  # "0" and blank: place not known
    assert stored["victim_nationality_iso3"].isna().sum() == 4 and (stored["victim_nationality_iso3"] == "GTM").sum() == 1
    assert sorted(stored["occurred_precision"]) == ["quarter"] + ["year"] * 4  # "2022-Q3" keeps its quarter
    assert stored["source_record_id"].is_unique  # the duplicate rows stay two records
    quarantine = Store(root / "data" / "store").quarantine()
    assert "Narnia" in quarantine["reason"].iloc[0] and "not a known country" in quarantine["reason"].iloc[0]


def test_zero_records_from_a_non_empty_file_is_an_error_and_fix_then_replace_works(tmp_path):
    from workbench.store import Store

    root = _workspace(tmp_path)
    (root / "data" / "raw" / "cases.csv").write_text("year,country,nationality,notes\n", encoding="utf-8")
    code, out = cli(root, "ingest", "hotline")
    assert code == 1 and "records read" in out and "NOT INGESTED" in out
    assert not (root / "data" / "store" / "manifest.json").exists()  # not recorded as ingested
    (root / "data" / "raw" / "cases.csv").write_text(CASES, encoding="utf-8")
    code, out = cli(root, "ingest", "hotline")
    assert code == 0 and ingest_line(out, "hotline") == (6, 5, 1)
    code, out = cli(root, "ingest", "hotline")
    assert "skipped" in out
    # fix the crosswalk (Narnia is a name this partner uses for unknown) and re-ingest with --replace
    (root / "crosswalks" / "hotline_cases.yaml").write_text(DEFAULTS_ONLY.replace('["0"]', '["0", "Narnia"]'),
                                                            encoding="utf-8")
    code, out = cli(root, "ingest", "hotline", "--replace")
    assert code == 0, out
    assert ingest_line(out, "hotline") == (6, 6, 0) and "replaced 1" in out
    store = Store(root / "data" / "store")
    assert store.counts() == {"incidents": 6, "quarantined": 0, "batches": 1}
    assert len(list((root / "data" / "store" / "incidents").iterdir())) == 1  # old batch files removed
    code, out = cli(root, "doctor")
    assert "0 failed" in out, out


def test_init_makes_an_empty_workspace_where_ingest_and_doctor_pass(tmp_path):
    root = tmp_path / "empty"
    code, out = cli(tmp_path, "init", str(root))
    assert code == 0 and (root / "catalogs" / "sources.yaml").is_file() and (root / "crosswalks").is_dir()
    assert not (root / "data" / "demo").exists()
    code, out = cli(root, "ingest")
    assert code == 0
    code, out = cli(root, "doctor")
    assert code == 0 and "0 failed" in out
    code, out = cli(tmp_path, "init", str(root))
    assert code == 2 and "already has catalogs" in out


def test_workspace_crosswalk_is_used_before_the_packaged_one(tmp_path, monkeypatch):
    from workbench import catalog
    from workbench.taxonomy import load_crosswalk

    (tmp_path / "catalogs").mkdir()
    (tmp_path / "crosswalks").mkdir()
    (tmp_path / "crosswalks" / "harbour_light.yaml").write_text(
        "columns: {record_id: Ref}\nfields: {}\nunknown: ['-']\n", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    catalog.clear_cache()
    walk = load_crosswalk("harbour_light")
    assert walk.columns == {"record_id": "Ref"} and walk.unknown_values == ("-",) and "crosswalks" in walk.path
    monkeypatch.delenv("WORKBENCH_HOME")
    assert load_crosswalk("harbour_light").fields  # the packaged one again


def test_countries_by_official_name_short_name_and_code():
    official = {"Iran (Islamic Republic of)": "IRN", "Republic of Korea": "KOR", "Syrian Arab Republic": "SYR",
                "Timor-Leste": "TLS", "Russian Federation": "RUS", "Bolivia (Plurinational State of)": "BOL",
                "Côte d'Ivoire": "CIV", "Türkiye": "TUR", "Democratic Republic of the Congo": "COD",
                "Lao People's Democratic Republic": "LAO", "Viet Nam": "VNM", "KR": "KOR", "GT": "GTM",
                "MEX": "MEX", "United Kingdom": "GBR", "UK": "GBR", "Kosovo": "XKX", "unknown": "UNK"}
    assert {name: to_iso3(name) for name in official} == official
    assert to_iso3("Narnia") is None and to_iso3("0") is None and to_iso3("") is None and to_iso3(None) is None
    assert to_iso3(float("nan")) is None
    assert country_name("UNK") == "Unknown" and country_name("KOR") == "South Korea"
    assert isinstance(pd.Series(["KR"]).map(to_iso3).iloc[0], str)


def test_readme_bring_your_own_data_example_ingests_as_written(tmp_path):
    """The README's catalog and crosswalk, verbatim, over the fixtures: every entry ingests."""
    import re
    import shutil
    from pathlib import Path

    from tests.realdata_helpers import DATA
    from workbench.workspace import init_workspace

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme[readme.index("## Bring your own data"):]
    root = init_workspace(tmp_path / "ws")
    (root / "catalogs" / "sources.yaml").write_text(
        "version: 2\n" + re.search(r"```yaml\n(.*?)```", section, re.S).group(1), encoding="utf-8")
    (root / "crosswalks" / "hotline_cases.yaml").write_text(
        re.search(r"# crosswalks/hotline_cases.yaml\n(.*?)```", section, re.S).group(1), encoding="utf-8")
    for src, dst in [("ctdc_global_synthetic.csv", "ctdc_global.csv"), ("hotline_cases_2019.geojson",
                     "hotline_2019.geojson"), ("glotip_data_release.xlsx", "glotip.xlsx"),
                     ("tip_flows_2019.txt", "tip_flows_2019.txt"), ("news_alerts.csv", "alerts.csv")]:
        shutil.copyfile(DATA / src, root / "data" / "raw" / dst)
    (root / "data" / "raw" / "cases.csv").write_text("year,country,nationality\n2021,Mexico,0\n2022,0,GT\n",
                                                     encoding="utf-8")
    code, out = cli(root, "ingest")
    assert code == 0, out
    assert ingest_line(out, "cases") == (2, 2, 0) and ingest_line(out, "ctdc") == (65, 63, 2)
    assert ingest_line(out, "glotip") == (9, 7, 2) and ingest_line(out, "tip_flows_2019") == (7, 6, 1)
    assert ingest_line(out, "hotline_2019") == (7, 6, 1)


def test_frequency_follows_date_precision_and_scope_counts_what_a_report_stands_on():
    from workbench.analyse.scope import Scope, frequency_for, scope_summary
    from workbench.collect.periods import parse_period

    def frame(precisions):
        return pd.DataFrame({"occurred_on": pd.Timestamp("2020-01-01"), "occurred_precision": precisions,
                             "exploitation_types": [["not_recorded"]] + [["forced_labour"]] * (len(precisions) - 1),
                             "lat": float("nan"), "country_iso3": ["UNK"] + ["MEX"] * (len(precisions) - 1),
                             "catalog_entry": ["a"] * (len(precisions) - 1) + ["b"]})

    assert frequency_for(frame(["year"] * 10)) == "Y"
    assert frequency_for(frame(["quarter"] * 9 + ["day"])) == "Q"
    assert frequency_for(frame(["day"] * 10)) == "M" and frequency_for(frame(["day"] * 10), finest="W") == "W"
    assert frequency_for(frame(["month"] * 5 + ["year"] * 5)) == "Y"  # half year-only: never placed in months
    summary = scope_summary(frame(["year"] * 4)).set_index("measure")["records"]
    assert summary["records used"] == 4 and summary["no recorded exploitation type"] == 1
    assert summary["place unknown"] == 1 and summary["date known only to the year"] == 4
    assert len(Scope(sources="b").apply(frame(["year"] * 4))) == 1
    assert parse_period("2024-Q2") == (pd.Timestamp("2024-04-01"), "quarter")
    assert parse_period("Q4 2023") == (pd.Timestamp("2023-10-01"), "quarter")
