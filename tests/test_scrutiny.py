"""Issue 13 item 4: judgements that survive scrutiny; the printed term matches the printed probability."""

import re

import numpy as np
import pandas as pd
import pytest

from workbench.share import assessment, judgements, scrutiny
from workbench.share.disclosure import policy_for
from workbench.share.judgements import YARDSTICK, check_judgements, check_text

SENTENCE = re.compile(r"It is ([a-z ]+) \((\d+)-(\d+)%; p ([=<>]) (\d\.\d\d)\)")
EDGES = sorted({round(x, 4) for b in YARDSTICK for e in (b.low, b.high) for x in (e - 0.001, e, e + 0.001)
                if 0 <= x <= 1} | {0.07, 0.225, 0.375, 0.52, 0.775, 0.93})


@pytest.mark.parametrize("p", EDGES)
def test_every_band_edge_prints_a_term_that_matches_its_probability(p):
    kj = judgements.judgement("trend", "Testland", "incidents rose", p, "moderate", "model")
    html = judgements.render_judgements([kj], policy_for("partner"))
    term, lo, hi, sign, shown = SENTENCE.search(html.replace("&gt;", ">").replace("&lt;", "<")).groups()
    lo, hi, shown = int(lo) / 100, int(hi) / 100, float(shown)
    assert judgements.band(term).label == f"{int(lo * 100)}-{int(hi * 100)}%"
    assert lo <= shown <= hi  # the printed probability lies in the printed band
    if sign == "=":
        assert not kj.in_gap and abs(shown - p) <= 0.005 + 1e-9
    else:  # a gap: the cautious neighbour, and the probability stated as beyond its edge
        assert kj.in_gap and ((sign == ">" and p > hi and shown == hi) or (sign == "<" and p < lo and shown == lo))
    assert check_judgements([kj]) == [] and check_text(html) == []


def test_the_p_093_case_is_no_longer_almost_certain():
    kj = judgements.judgement("surge", "X", "the count rose", 0.93, "low", "model")
    assert kj.sentence.startswith("It is highly likely (80-90%; p > 0.90)") and kj.in_gap
    assert "almost certain" not in kj.sentence


def _rows(source, kind, country, months, per_month, precision="day", location="exact", url=None):
    rows = []
    for month in months:
        for k in range(per_month):
            rows.append({"source_name": source, "source_type": kind, "country_iso3": country,
                         "occurred_on": month + pd.Timedelta(days=int(k % 27)), "occurred_precision": precision,
                         "location_precision": location, "url": url, "source_reliability": "B",
                         "info_credibility": "2", "origin_country_iso3": None, "h3_cell": None})
    return rows


def test_a_source_that_stops_reporting_yields_no_fall_judgement():
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    rows = _rows("App", "app", "NGA", months, 6) + _rows("Partner", "partner", "NGA", months[:14], 8)
    incidents = pd.DataFrame(rows)
    incidents["reported_at"] = (incidents["occurred_on"] + pd.Timedelta(days=2)).dt.tz_localize("UTC")
    withheld = []
    found = assessment.trend_judgements(incidents, months=24, end=months[-1], withheld=withheld)
    assert not [j for j in found if "fell" in j.statement]  # the count halves, but only because Partner stopped
    assert len(withheld) == 1 and "fell" in withheld[0][0].statement
    reason = scrutiny.withheld_table(withheld)["reason"].iloc[0]
    assert "partner source" in reason and "stopped reporting after February 2025" in reason
    steady = pd.DataFrame(_rows("App", "app", "NGA", months, 6) + _rows("Partner", "partner", "NGA", months, 8))
    steady["reported_at"] = (steady["occurred_on"] + pd.Timedelta(days=2)).dt.tz_localize("UTC")
    assert scrutiny.source_changes(steady, steady, months[0], months[-1], falling=True) == []


def test_a_january_spike_of_year_only_dates_is_withheld():
    jan = pd.DataFrame(_rows("Registry", "partner", "GHA", [pd.Timestamp("2025-01-01")], 30, precision="year")
                       + _rows("App", "app", "GHA", [pd.Timestamp("2025-01-01")], 10))
    kj = judgements.judgement("surge", "Ghana", "the January 2025 count in Ghana reflects a real rise", 0.97,
                              "moderate", "model")
    found = scrutiny.scrutinise(kj, jan, period=jan)
    assert [f.check for f in found if f.action == "withhold"] == ["date_precision"]
    assert scrutiny.apply_findings(kj, found) is None


def test_hotspots_on_country_centroids_are_withheld_and_one_voice_is_downgraded():
    centroid = pd.DataFrame(_rows("CTDC", "partner", "MDA", [pd.Timestamp("2025-03-01")], 20, location="country"))
    kj = judgements.judgement("hotspot", "Chisinau", "the area around Chisinau is a hotspot", 0.99, "high", "Gi*")
    assert scrutiny.apply_findings(kj, scrutiny.scrutinise(kj, centroid)) is None
    march = [pd.Timestamp("2025-03-01")]
    media = pd.DataFrame(_rows("Feed", "osint", "THA", march, 12, url="https://www.one.example/a")
                         + _rows("App", "app", "THA", [pd.Timestamp("2025-03-01")], 1))
    kj = judgements.judgement("hotspot", "Bangkok", "the area around Bangkok is a hotspot", 0.99, "high", "Gi*")
    kept = scrutiny.apply_findings(kj, scrutiny.scrutinise(kj, media))
    assert kept is not None and kept.confidence == "low"
    assert any("single osint source" in c for c in kept.caveats) and any("one outlet" in c for c in kept.caveats)
    html = judgements.render_judgements([kept], policy_for("public"))
    assert "Scrutiny: Almost all of the records come from a single osint source" in html and "%" not in \
        re.sub(r"\(\d+-\d+%", "", html).replace("graded B2", "")
