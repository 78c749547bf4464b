"""The findings ledger's Key Judgements pass the artefact checks (planted truth, seeded, fast).

A source that stops halfway gives no "fall" judgement through the ledger (it is listed as
withheld, with the reason); corridor judgements are scrutinised like every other kind;
hotspots use the automatic Gi* inference (permutation on sparse counts); year-only data is
judged in years.
"""

from __future__ import annotations

import re

import h3
import numpy as np
import pandas as pd
import pytest

from workbench import findings
from workbench.share import assessment

LAGOS = (6.45, 3.39)


def _rows(source, kind, country, months, per_month, origin=None, precision="day", where=LAGOS, spread=0.6, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for month in months:
        for k in range(per_month):
            lat, lon = where[0] + rng.uniform(-spread, spread), where[1] + rng.uniform(-spread, spread)
            rows.append({"incident_id": f"{source}-{month:%Y%m}-{k}", "source_name": source, "source_type": kind,
                         "catalog_entry": source.lower(), "country_iso3": country,
                         "occurred_on": month + pd.Timedelta(days=int(k % 27)), "occurred_precision": precision,
                         "location_precision": "exact", "url": None, "source_reliability": "B",
                         "info_credibility": "2", "origin_country_iso3": origin, "victim_nationality_iso3": None,
                         "transit_country_iso3": None, "exploitation_type": "forced_labour",
                         "lat": lat, "lon": lon, "h3_cell": h3.latlng_to_cell(lat, lon, 7)})
    return rows


def _frame(rows):
    frame = pd.DataFrame(rows)
    frame["reported_at"] = (frame["occurred_on"] + pd.Timedelta(days=2)).dt.tz_localize("UTC")
    return frame


def test_a_source_that_stops_halfway_gives_no_fall_judgement_through_the_ledger():
    months = pd.date_range("2023-01-01", periods=36, freq="MS")
    incidents = _frame(_rows("App", "app", "NGA", months, 6)
                       + _rows("Partner", "partner", "NGA", months[:18], 10, seed=1))  # stops halfway
    found = findings.compute_findings(incidents, findings.FindingsScope(end_month="2025-12", trend_months=36),
                                      judge=assessment)
    falls = [j for j in found.judgements if j["kind"] == "trend" and " fell " in j["statement"]]
    assert falls == []  # the count drops by more than half, but only because Partner stopped
    trend = [w for w in found.withheld if w["kind"] == "trend"]
    assert len(trend) == 1 and trend[0]["subject"] == "Nigeria"
    assert "partner source" in trend[0]["reason"] and "stopped reporting after June 2024" in trend[0]["reason"]
    assert not re.search(r"\d", trend[0]["reason"].replace("2024", ""))  # words, no counts
    again = findings.Findings.from_json(found.to_json())
    assert again.withheld == found.withheld and again.hotspot_inference == found.hotspot_inference
    # the same data with both sources reporting throughout is not withheld
    rows = _rows("App", "app", "NGA", months, 6) + _rows("Partner", "partner", "NGA", months, 10, seed=1)
    keep = np.random.default_rng(5).random(len(rows)) < 0.85  # noisy, level counts
    steady = _frame([r for r, k in zip(rows, keep) if k])
    calm = findings.compute_findings(steady, findings.FindingsScope(end_month="2025-12", trend_months=36),
                                     judge=assessment)
    assert not [w for w in calm.withheld if w["kind"] == "trend"]


def test_corridor_judgements_pass_scrutiny_in_the_ledger():
    # Nigeria -> Italy: a partner source that reports on the corridor starts in the latest quarter's year
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    rows = _rows("App", "app", "ITA", months, 2, origin="NGA", where=(41.9, 12.5))
    rows += _rows("Ngo", "partner", "ITA", months[-3:], 12, origin="NGA", where=(41.9, 12.5), seed=2)
    incidents = _frame(rows)
    found = findings.compute_findings(incidents, findings.FindingsScope(end_month="2025-12"), judge=assessment)
    grew = found.growing_corridors()
    assert "Nigeria -> Italy" in set(grew["corridor"])  # the change test sees the rise ...
    assert not [j for j in found.judgements if j["kind"] == "corridor_growth"]  # ... but it is not judged
    withheld = [w for w in found.withheld if w["kind"] == "corridor growth"]
    assert withheld and withheld[0]["subject"] == "Nigeria -> Italy"
    assert "started reporting in October 2025" in withheld[0]["reason"]


def test_ledger_hotspots_use_permutation_inference_on_sparse_counts():
    months = pd.date_range("2025-01-01", periods=12, freq="MS")
    rows = _rows("App", "app", "NGA", months, 4, spread=1.0, seed=3)  # sparse noise over a wide area
    rows += _rows("App", "app", "NGA", months[-6:], 8, spread=0.12, seed=4)  # planted cluster near Lagos
    found = findings.compute_findings(_frame(rows), findings.FindingsScope(end_month="2025-12"), judge=assessment)
    assert found.hotspot_inference.startswith("Conditional permutation p-values")
    assert f"{findings.HOTSPOT_PERMUTATIONS} permutations" in found.hotspot_inference
    assert "may be overstated" not in found.hotspot_inference
    assert any(j["kind"] in ("hotspot", "new_hotspot") and "permutation" in j["basis"] for j in found.judgements)


def test_the_report_lists_withheld_judgements_and_caveats():
    from workbench.share import report
    from workbench.share.disclosure import policy_for
    from workbench.share.ledger import DisclosureLedger

    months = pd.date_range("2023-01-01", periods=36, freq="MS")
    incidents = _frame(_rows("App", "app", "NGA", months, 6)
                       + _rows("Partner", "partner", "NGA", months[:18], 10, seed=1))
    found = findings.compute_findings(incidents, findings.FindingsScope(end_month="2025-12", trend_months=36),
                                      judge=assessment)
    text = report.withheld_html(found)
    assert "<th>Statement</th>" in text and "trend" in text and "stopped reporting after June 2024" in text
    from dataclasses import asdict

    from workbench.share.judgements import judgement

    judged = asdict(judgement("trend", "Ghana", "reported incidents in Ghana rose", 0.8, "low", "model",
                              caveats=["a caveat <b>"]))
    ledger = DisclosureLedger(k=policy_for("partner").k)
    html = report.judgements_html(report.judgement_blocks([judged], ledger), ledger)
    assert "Scrutiny: a caveat &lt;b&gt;" in html


def test_year_only_records_are_judged_in_years():
    from workbench.share import report

    years = [pd.Timestamp(f"{y}-01-01") for y in range(2017, 2022)]
    rows = []
    for y, n in zip(years, (20, 22, 21, 24, 60)):  # Nigeria rises in 2021
        rows += _rows("Ctdc", "partner", "NGA", [y], n, precision="year", seed=y.year)
        rows += _rows("Registry", "partner", "NGA", [y], 10, precision="year", seed=y.year + 1)
    found = findings.compute_findings(_frame(rows), findings.FindingsScope(end_month="2021-12"), judge=assessment)
    assert found.frequency == "Y" and found.windows["latest"] == ["2021-01-01", "2021-12-31"]
    statements = [j["statement"] for j in found.judgements]
    assert "reported incidents in Nigeria rose in 2021 against 2020" in statements
    words = " ".join(statements + [j["basis"] for j in found.judgements] + list(report.window_words(found)))
    assert not re.search(r"months to|months before|December 2021", words)
    assert report.window_words(found)[:2] == ("in 2021", "in 2020")
