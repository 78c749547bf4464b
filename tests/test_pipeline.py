"""End to end on the small demo: generate -> ingest (reconciled) -> catalog -> analyses."""

import json

import pandas as pd

from workbench import catalog
from workbench.store import Store


def test_demo_is_seeded(tmp_path):
    from workbench.synthetic import DemoConfig, generate_demo

    a = generate_demo(tmp_path / "a", DemoConfig(seed=3, scale=0.1, news_items=20))
    b = generate_demo(tmp_path / "b", DemoConfig(seed=3, scale=0.1, news_items=20))
    assert a == b
    for name in a["files"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_every_source_reconciles_and_quarantine_explains(use_home):
    store = Store(catalog.store_root())
    ledger = store.batches()
    assert set(ledger["catalog_entry"]) == {e.name for e in catalog.sources()}
    assert (ledger["rows_in"] == ledger["new"] + ledger["already_stored"] + ledger["quarantined"]).all()
    counts = store.counts()
    assert counts["incidents"] == ledger["new"].sum()
    assert counts["quarantined"] == ledger["quarantined"].sum() > 0
    quarantine = catalog.load("quarantine")
    assert quarantine["reason"].str.match(r"^record ").all()


def test_reingest_adds_nothing(use_home):
    from workbench.ingest import ingest_all

    before = Store(catalog.store_root()).counts()
    reports = ingest_all()
    assert all(r.skipped_reason for r in reports)
    assert Store(catalog.store_root()).counts() == before


def test_catalog_is_the_way_in(use_home):
    names = {e.name for e in catalog.entries()}
    assert {"incidents", "quarantine", "countries", "cities", "app_reports", "harbour_light", "news_rss"} <= names
    incidents = catalog.load("incidents")
    assert set(incidents["source_type"]) == {"app", "partner", "osint", "community"}
    assert len(set(incidents["language"])) >= 8  # multilingual app reports and feeds
    spain = catalog.load("incidents", where="country_iso3 = ?", params=["ESP"])
    assert len(spain) and (spain["country_iso3"] == "ESP").all()
    countries = catalog.load("countries")
    assert {"iso3", "name", "geometry"} <= set(countries.columns) and len(countries) > 150
    assert catalog.entry_hash("incidents") and catalog.entry_hash("countries")


def test_store_holds_no_contact_details(use_home):
    summaries = " ".join(catalog.load("incidents")["summary"].dropna())
    assert "@example.org" not in summaries and "7700 900" not in summaries
    assert "[email]" in summaries


def test_planted_truth_is_written(use_home):
    truth = json.loads((use_home / "data" / "demo" / "ground_truth.json").read_text())
    assert truth["planted_surge"]["country_iso3"] == "POL"
    assert {h["country_iso3"] for h in truth["planted_hotspots"]} == {"ESP", "NGA"}
    incidents = catalog.load("incidents")
    assert pd.to_datetime(incidents["occurred_on"]).max() <= pd.Timestamp("2026-11-30")


def test_cli_ingest_names_an_unreadable_source_and_goes_on(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from tests.workspace import make_workspace
    from workbench.cli import app

    root = make_workspace(tmp_path / "w", scale=0.05, ingest=False)
    (root / "data" / "demo" / "partner_harbour_light.csv").write_text("CaseRef;DateReported\nH1;x\n")
    monkeypatch.setenv("WORKBENCH_HOME", str(root))
    catalog.clear_cache()
    result = CliRunner().invoke(app, ["ingest"])
    catalog.clear_cache()
    assert result.exit_code == 1
    assert "harbour_light: NOT INGESTED:" in result.output and "partner_harbour_light.csv" in result.output
    assert "Traceback" not in result.output
    assert "app_reports: rows in" in result.output and "news_rss:" in result.output
