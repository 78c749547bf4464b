"""Every executed report, of every audience: a readable first screen, and no withheld count recoverable.

The runs (``partner_run``, ``other_runs``) are executed once per test session: see
tests/notebook_runs.py.
"""

import pytest

from tests.browser import open_all_offline
from tests.report_checks import FIRST_SCREEN, UNREADABLE

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_every_report_opens_with_findings_and_a_drawing_and_reads_cleanly(partner_run, other_runs, browser):
    """One browser session over every executed report: the first screen (1280 x 1000) holds the
    key findings and a drawn chart or map; every map has a legend; no text, in the page or its
    map frames, holds an H3 id, nan, a Python repr, scientific notation or a snake_case header."""
    results = [r for r in partner_run[1] + other_runs[1] if r.ok]
    problems = []
    pages = open_all_offline(browser, [r.html for r in results], settle_ms=600)  # loaded together
    for page in pages:
        page.page.set_viewport_size({"width": 1280, "height": 1000})
    if pages:
        pages[-1].page.wait_for_timeout(300)  # every page has had 300 ms at its new size
    for r, page in zip(results, pages):
        screen = page.evaluate(FIRST_SCREEN)
        if screen["findings"] is None or screen["findings"] > screen["height"]:
            problems.append((r.html.name, "no key findings on the first screen"))
        elif not 3 <= screen["items"] <= 5:
            problems.append((r.html.name, f"{screen['items']} key findings"))
        if not screen["drawn"]:
            problems.append((r.html.name, "no drawn chart or map on the first screen"))
        if screen["legends"] < screen["maps"]:
            problems.append((r.html.name, f"{screen['maps'] - screen['legends']} map(s) without a legend"))
        text = page.text_in_frames()
        for what, pattern in UNREADABLE.items():
            hit = pattern.search(text)
            if hit:
                problems.append((r.html.name, f"{what}: {text[max(0, hit.start() - 40):hit.end() + 20]!r}"))
        page.close()
    assert problems == []


def test_the_auditor_recovers_no_withheld_count_from_any_audience(partner_run, other_runs):
    """Every report for every audience of a run, attacked together by subtraction and by counting rows."""
    from workbench.share.ledger import audit_run

    for reports, results in (partner_run, other_runs):
        ledgers = list((reports / "runs" / "t1").glob("*.disclosure.json"))
        assert len(ledgers) == len([r for r in results if r.ok]), "every report leaves its disclosure ledger"
        result = audit_run(reports / "runs" / "t1")
        print(f"\ndisclosure audit of {len(ledgers)} reports: {result}")
        assert result.published > 0 and result.ok, str(result)


def test_the_html_auditor_recovers_nothing_from_any_exported_report_of_any_audience(partner_run, other_runs):
    """The exported pages themselves (tables, sentences, map popups), every audience's reports of the run
    attacked together by subtraction, by counting listed rows and by repeats across reports."""
    from workbench.share.html_audit import audit_folder

    for reports, results in (partner_run, other_runs):
        audited = audit_folder(reports / "runs" / "t1")
        assert set(audited) == {r.parameters["audience"] for r in results if r.ok}, "every page names its audience"
        for audience, result in audited.items():
            print(f"\nexported HTML, {audience}: {result}")
            assert result.reports == len([r for r in results if r.ok and r.parameters["audience"] == audience])
            assert result.published > 0 and result.ok, f"{audience}: {result}"
