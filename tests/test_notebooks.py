"""Every report notebook runs on the small demo, exports offline HTML and leaks nothing."""

import re
from html.parser import HTMLParser

import pytest

from tests.browser import open_offline
from workbench import catalog, runner

pytestmark = [pytest.mark.slow, pytest.mark.browser]
MAP_NOTEBOOKS = {"hotspot_map", "intelligence_report"}


class Cells(HTMLParser):
    """Collect the text of every table cell."""

    def __init__(self):
        super().__init__()
        self.cells, self._in = [], False

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._in, self._buf = True, ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._in:
            self.cells.append(self._buf.strip())
            self._in = False

    def handle_data(self, data):
        if self._in:
            self._buf += data


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


@pytest.fixture(scope="module")
def partner_run(demo_home, tmp_path_factory):
    import os

    old = os.environ.get("WORKBENCH_HOME")
    os.environ["WORKBENCH_HOME"] = str(demo_home)
    catalog.clear_cache()
    try:
        reports = tmp_path_factory.mktemp("reports")
        results = runner.run_reports(None, {"audience": "partner"}, reports_dir=reports, run_id="t1")
        yield reports, results
    finally:
        if old is None:
            os.environ.pop("WORKBENCH_HOME", None)
        else:
            os.environ["WORKBENCH_HOME"] = old
        catalog.clear_cache()


def test_every_report_runs_and_is_indexed(partner_run):
    reports, results = partner_run
    assert [r.notebook for r in results] == list(runner.DEFAULT_REPORTS)
    assert all(r.ok for r in results), [r.error for r in results]
    index = (reports / "index.html").read_text()
    for r in results:
        assert r.html.exists() and r.html.relative_to(reports).as_posix() in index


def test_reports_draw_offline_in_chromium(partner_run, browser):
    _, results = partner_run
    for r in results:
        page = open_offline(browser, r.html, settle_ms=1200)
        assert page.console_errors == [] and page.page_errors == [] and page.blocked == [], r.notebook
        if r.notebook in MAP_NOTEBOOKS:
            assert page.count_in_frames(".leaflet-pane") >= 5, r.notebook
            assert page.count_in_frames("path.leaflet-interactive") > 100, r.notebook
        page.page.close()


def test_partner_reports_leak_no_small_counts_and_no_raw_text(partner_run, demo_home):
    _, results = partner_run
    import os

    os.environ["WORKBENCH_HOME"] = str(demo_home)
    catalog.clear_cache()
    try:
        incidents = catalog.load("incidents")
    finally:
        os.environ.pop("WORKBENCH_HOME", None)
        catalog.clear_cache()
    texts = set(incidents["summary"].dropna()) | set(incidents["source_name"].dropna())
    texts |= {t for t in incidents["source_record_id"].dropna() if len(t) > 5}
    for r in results:
        html = r.html.read_text(encoding="utf-8")
        parser = Cells()
        parser.feed(html)
        small = [c for c in parser.cells if re.fullmatch(r"\d+", c.replace(",", "")) and 0 < int(c.replace(",", "")) < 10]
        assert small == [], (r.notebook, small[:5])
        leaked = [t for t in texts if t in html]
        assert leaked == [], (r.notebook, leaked[:3])


def test_a_failing_run_is_reported_not_raised(demo_home, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(demo_home))
    catalog.clear_cache()
    result = runner.run_notebook("hotspot_map", {"exploitation_type": "not_a_type"}, tmp_path)
    catalog.clear_cache()
    assert not result.ok and result.html is None
    assert "ValueError" in result.error and "not_a_type" in result.error
