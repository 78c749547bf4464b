"""Outputs are safe: no HTML injection from any field, inert CSV, partners see only their own."""

import json

import pandas as pd
import pytest

from tests.browser import open_offline
from tests.test_schema import record
from tests.workspace import home, make_workspace
from workbench import catalog
from workbench.share.extract import neutralise_formulas, partner_extract, write_safe_csv

EVIL = ['<script>alert("x")</script>', '<img src=x onerror=alert(1)>', "javascript:alert(1)",
        '" onmouseover="alert(1)', "{{ 7*7 }}", "${alert(2)}", "=HYPERLINK(\"http://evil.example\")"]


@pytest.fixture(scope="module")
def evil_home(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("evil"), scale=0.15, seed=5, ingest=False)
    lines = []
    for i, text in enumerate(EVIL * 3):
        lines.append(json.dumps({
            "report_id": f"{text}-{i}", "submitted_at": "2026-10-01T10:00:00Z", "language": "en",
            "incident_date": "2026-09-20", "location": {"lat": 40.41 + i / 1000, "lon": -3.7},
            "place": text, "country": "ES", "exploitation": ["forced_labour"], "control": [],
            "victims": {"count": 2}, "description": f"{text} {text}", "grading": "C3",
        }))
    with open(root / "data" / "demo" / "app_reports.jsonl", "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    sources = (root / "catalogs" / "sources.yaml").read_text()
    (root / "catalogs" / "sources.yaml").write_text(
        sources.replace("source_name: STT reporting app", "source_name: '<b onclick=alert(3)>app</b>'"))
    from workbench.ingest import ingest_all

    with home(root):
        ingest_all()
    return root


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("notebook, audience", [("intelligence_report", "law_enforcement"),
                                                ("hotspot_map", "public")])
def test_no_html_injection_through_to_the_report(evil_home, tmp_path, browser, monkeypatch, notebook, audience):
    from workbench import runner

    monkeypatch.setenv("WORKBENCH_HOME", str(evil_home))
    catalog.clear_cache()
    stored = catalog.load("incidents")
    assert stored["place_name"].isin(EVIL).sum() > 0  # the payloads really are in the store
    result = runner.run_notebook(notebook, {"audience": audience, "region": "ESP"}, tmp_path)
    catalog.clear_cache()
    assert result.ok, result.error
    html = result.html.read_text(encoding="utf-8")
    for raw in ('<script>alert("x")', "onerror=alert", 'onmouseover="alert', "<b onclick", "javascript:alert"):
        assert raw not in html
    page = open_offline(browser, result.html, settle_ms=1000)
    assert page.dialogs == [] and page.page_errors == [] and page.blocked == []


def test_csv_exports_neutralise_formulas(tmp_path):
    frame = pd.DataFrame({"text": ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "safe", "\tx"], "n": [-1, 2, 3, 4, 5, 6]})
    out = neutralise_formulas(frame)
    assert out["text"].tolist() == ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "safe", "'\tx"]
    assert out["n"].tolist() == [-1, 2, 3, 4, 5, 6]
    path = write_safe_csv(frame.assign(tags=[["a", "b"]] * 6), tmp_path / "x.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert not back["text"].str.match(r"^[=+\-@\t]").any() and back.loc[0, "tags"] == "a;b"


def test_a_partner_extract_never_holds_another_partners_records(tmp_path):
    rows = [record(i, source_type="partner", source_name="Alpha", country_iso3="ESP") for i in range(30)]
    rows += [record(100 + i, source_type="partner", source_name="Beta", country_iso3="ESP" if i % 2 else "NGA",
                    summary=f"beta secret {i}") for i in range(25)]
    incidents = pd.DataFrame(rows)
    from workbench.schema import incident_id

    incidents["incident_id"] = [incident_id(s, r) for s, r in zip(incidents.source_name, incidents.source_record_id)]
    extract = partner_extract(incidents, "Alpha")
    assert set(extract.own_records["source_name"]) == {"Alpha"} and len(extract.own_records) == 30
    written = "".join(p.read_text() for p in extract.write(tmp_path))
    assert "Beta" not in written and "beta secret" not in written
    counts = extract.aggregates.to_numpy(dtype=float, na_value=float("nan"))
    assert not ((counts > 0) & (counts < 10)).any()
    with pytest.raises(ValueError, match="no stored records from partner 'Gamma'"):
        partner_extract(incidents, "Gamma")
