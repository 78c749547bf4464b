"""One findings ledger per run: every report states the ledger's findings, and only those."""

import json
import re

import pytest

from tests.workspace import home
from workbench import findings
from workbench.share import report
from workbench.share.ledger import DisclosureLedger, audit, audit_run

# ``ledger_run`` (intelligence_report, key_judgements, trend_forecast and routes for partners,
# plan run L1) is executed once per test session: tests/notebook_runs.py.


def test_the_ledger_is_computed_once_and_read_back_identically(demo_home):
    with home(demo_home):
        first = findings.findings_for(resolution=5, recompute=True, judge=report.assessment)
        again = report.findings_for(resolution=5)
        stored = json.loads((findings.ledger_dir() / f"{first.key}.json").read_text())
    assert again.key == first.key and again.to_json() == first.to_json()
    assert stored["parameters"]["resolution"] == 5 and len(stored["provenance"]["store_manifest_sha256"]) == 64
    # corridors use the nationality fallback, and only corridors the change test calls growing are judged to grow
    grew = {r.corridor for r in first.growing_corridors().itertuples() if not r.domestic}
    judged = {j["subject"] for j in first.judgements if j["kind"] == "corridor_growth" and " grew " in j["statement"]}
    assert judged <= grew
    surged = {r.country for r in first.surges.itertuples()}
    assert {j["subject"] for j in first.judgements if j["kind"] == "surge"} <= surged


@pytest.mark.slow
def test_every_stated_finding_is_in_the_ledger_and_reports_agree(ledger_run):
    reports, results, found = ledger_run
    assert all(r.ok for r in results), [r.error for r in results]
    ids = found.finding_ids()
    for r in results:
        html = r.html.read_text(encoding="utf-8")
        assert 'class="wb-key-findings"' in html, r.notebook
        assert f'data-ledger="{found.key}"' in html, r.notebook
        stated = re.findall(r'data-finding="([^"]+)"', html)
        assert 3 <= len([s for s in stated if not s.startswith("judgement:")]) or r.notebook != "intelligence_report"
        for finding in stated:
            if finding == "surges:none":
                assert found.surges.empty, r.notebook
            elif finding == "hotspots:none":
                assert found.hotspots.empty, r.notebook
            elif finding == "corridors:none-growing":
                grew = found.growing_corridors()
                assert grew[~grew["domestic"].astype(bool) & (grew["current"] >= 10)].empty, r.notebook
            else:
                assert finding in ids, (r.notebook, finding)
        if found.surges.empty:  # no report may list a surge the ledger does not have
            assert "Surge in" not in html, r.notebook


@pytest.mark.slow
def test_the_auditor_recovers_nothing_from_the_run(ledger_run):
    reports, results, _ = ledger_run
    result = audit_run(reports / "runs" / "L1")
    print("auditor:", result)
    assert result.published > 10 and result.ok, str(result)


def test_leak_window_counts_and_their_sum_are_withheld_together():
    # key_judgements once said "latest window: 15; window before: <10" and "Sources: 23 incidents"
    ledger = DisclosureLedger(k=10)
    latest, before = ledger.add("kj|latest", 15), ledger.add("kj|before", 8)
    total = ledger.add("kj|sources", 23)
    ledger.relate(total, [latest, before])
    assert not audit([ledger]).ok  # before settling the 8 is recoverable
    ledger.settle()
    assert ledger.show(before) == "[c]" and "[c]" in (ledger.show(latest), ledger.show(total))
    assert audit([ledger]).ok


def test_leak_headline_total_minus_the_other_countries():
    # osint_triage once gave Romania's headline total 233 and the other countries' 224 (so 9)
    ledger = DisclosureLedger(k=10)
    parts = [ledger.add("osint|ROU|total", 233)]
    shown = [ledger.add(f"osint|c{i}", v) for i, v in enumerate([100, 60, 64])]
    hidden = ledger.add("osint|small", 9)
    ledger.relate(parts[0], shown + [hidden])
    ledger.settle()
    result = audit([ledger])
    assert result.ok and result.withheld >= 2, str(result)


def test_leak_listing_every_row_under_a_withheld_count():
    # typology_screening withheld "accounts firing each typology" but listed all 18 alerted accounts
    ledger = DisclosureLedger(k=10)
    count = ledger.add("screening|typology|T1|accounts", 7)
    ledger.listing(count, rows=7)
    assert audit([ledger]).by_listing == [count]
    fixed = DisclosureLedger(k=10)
    count = fixed.add("screening|typology|T1|accounts", 7)
    fixed.listing(count, rows=fixed.allowed_rows(count, 7))
    assert audit([fixed]).ok


def test_the_auditor_joins_the_reports_of_a_run():
    # partner withholds b (8) and, secondarily, c (12); a public report that shows c gives b away
    partner, public = DisclosureLedger(k=10, report="partner"), DisclosureLedger(k=10, report="public")
    for name, value in (("a", 30), ("b", 8), ("c", 12), ("total", 50)):
        partner.add(name, value)
    partner.relate("total", ["a", "b", "c"])
    partner.settle()
    assert partner.is_withheld("b") and audit([partner]).ok
    public.add("c", 12)
    assert audit([partner, public]).recovered == ["b"]
