"""Every report notebook runs on the small demo, exports offline HTML and leaks nothing.

The runs are executed once per test session (``partner_run``, ``other_runs``: see
tests/notebook_runs.py) and inspected here, in test_notebooks_others.py and in
test_notebooks_pages.py; runs of their own (a failure, an empty scope) are in
test_notebooks_scope.py.
"""

import re

import pytest

from tests.browser import open_all_offline
from tests.report_checks import MAP_NOTEBOOKS, assert_no_leak
from workbench import runner

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_notebooks_are_thin_and_parameterised():
    import jupytext

    names = runner.available_notebooks()
    assert set(runner.DEFAULT_REPORTS) <= set(names)
    for name in names:
        nb = jupytext.read(runner.notebooks_dir() / f"{name}.py")
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, name
        for line in tagged[0].source.splitlines():  # literal defaults only
            assert re.match(r"^\w+ = (\"[^\"]*\"|'[^']*'|-?[\d.]+|True|False|None)$", line), line
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert not re.search(r"(data/|\.csv|\.parquet|\.jsonl|\.geojson|open\()", code), name  # catalog only
        assert all(not c.get("outputs") for c in nb.cells)


def test_every_report_runs_for_every_audience_and_is_indexed(partner_run):
    reports, results = partner_run
    assert [r.notebook for r in results] == [n for n in runner.DEFAULT_REPORTS for _ in range(3)]
    assert [r.parameters["audience"] for r in results[:3]] == ["public", "partner", "law_enforcement"]
    assert all(r.ok for r in results), [r.error for r in results]
    index = "".join(p.read_text() for p in [reports / "index.html", *sorted(reports.glob("audience-*.html"))])
    for r in results:
        assert r.html.exists() and (reports / "latest" / r.html.name).exists()
        assert f"latest/{r.html.name}" in index


def test_every_report_carries_its_provenance(partner_run, demo_home):
    _, results = partner_run
    for r in results:
        html = r.html.read_text(encoding="utf-8")
        assert 'class="wb-provenance"' in html
        facts = ["git commit", "incidents", "pandas", r.parameters["audience"]]
        facts += ["countries"] if r.notebook in MAP_NOTEBOOKS else []  # only the entries really read
        for fact in facts:
            assert fact in html, (r.notebook, fact)
        import nbformat

        meta = nbformat.read(str(r.ipynb), as_version=4).metadata["workbench_provenance"]
        assert set(meta["catalog_entries"]) >= {"incidents"}
        assert all(len(h) == 64 for h in meta["catalog_entries"].values())


def test_reports_draw_offline_in_chromium(partner_run, browser):
    _, results = partner_run
    pages = open_all_offline(browser, [r.html for r in results], settle_ms=1200)  # one browser, loaded together
    for r, page in zip(results, pages):
        assert page.console_errors == [] and page.page_errors == [] and page.blocked == [], r.notebook
        if r.notebook in MAP_NOTEBOOKS:
            assert page.count_in_frames(".leaflet-pane") >= 5, r.notebook
            assert page.count_in_frames("path.leaflet-interactive") > 100, r.notebook
        page.close()


def test_no_report_for_any_audience_leaks_small_counts_or_raw_text(partner_run, demo_home):
    assert_no_leak(partner_run[1], demo_home)
