"""Every report notebook runs on the small demo, exports offline HTML and leaks nothing."""

import re

import pytest

from tests.browser import open_offline
from tests.workspace import home
from workbench import catalog, runner

pytestmark = [pytest.mark.slow, pytest.mark.browser]
MAP_NOTEBOOKS = {"hotspot_map", "intelligence_report"}


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


def run_in(root, reports, notebooks, audiences):
    from workbench.plan import RunPlan, run_plan

    with home(root):
        plan = RunPlan.from_dict({"name": "test", "reports": [
            {"notebook": n, "audiences": audiences} for n in notebooks]})
        return run_plan(plan, reports_dir=reports, run_id="t1")


@pytest.fixture(scope="module")
def partner_run(demo_home, tmp_path_factory):
    reports = tmp_path_factory.mktemp("reports")
    return reports, run_in(demo_home, reports, runner.DEFAULT_REPORTS, ["public", "partner", "law_enforcement"])


@pytest.fixture(scope="module")
def other_runs(demo_home, tmp_path_factory):
    reports = tmp_path_factory.mktemp("other_reports")
    others = [n for n in runner.available_notebooks() if n not in runner.DEFAULT_REPORTS]
    return reports, run_in(demo_home, reports, others, ["partner"])


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
    for r in results:
        page = open_offline(browser, r.html, settle_ms=1200)
        assert page.console_errors == [] and page.page_errors == [] and page.blocked == [], r.notebook
        if r.notebook in MAP_NOTEBOOKS:
            assert page.count_in_frames(".leaflet-pane") >= 5, r.notebook
            assert page.count_in_frames("path.leaflet-interactive") > 100, r.notebook
        page.page.close()


#: Column headers of numbers that are not counts of people (map cells of an emerging pattern: the map draws each).
NOT_PEOPLE = {"places"}


def count_cells(html: str) -> list[str]:
    """Text of every table cell, except the columns headed as numbers of places rather than of people."""
    from bs4 import BeautifulSoup

    out = []
    for table in BeautifulSoup(html, "html.parser").find_all("table"):
        head = [th.get_text(strip=True).lower() for th in table.select("thead th")]
        for tr in table.find_all("tr"):
            for i, cell in enumerate(tr.find_all(["td", "th"], recursive=False)):
                if not (i < len(head) and head[i] in NOT_PEOPLE):
                    out.append(cell.get_text(strip=True))
    return out


def assert_no_leak(results, demo_home):
    with home(demo_home):
        incidents = catalog.load("incidents")
    from workbench.share.disclosure import policy_for

    texts = set(incidents["summary"].dropna()) | {t for t in incidents["source_record_id"].dropna() if len(t) > 5}
    names = set(incidents["source_name"].dropna())
    for r in results:
        html = r.html.read_text(encoding="utf-8")
        # source names: only for an audience whose policy shows them (law enforcement's named-source detail)
        secret = texts | (names if policy_for(r.parameters.get("audience", "partner")).drop_source_names else set())
        small = [c for c in count_cells(html) if re.fullmatch(r"\d+", c.replace(",", ""))
                 and 0 < int(c.replace(",", "")) < 10]
        assert small == [], (r.notebook, small[:5])
        leaked = [t for t in secret if t in html]
        assert leaked == [], (r.notebook, r.parameters.get("audience"), leaked[:3])


def test_no_report_for_any_audience_leaks_small_counts_or_raw_text(partner_run, demo_home):
    assert_no_leak(partner_run[1], demo_home)


def test_every_other_notebook_runs_offline_and_leaks_nothing(other_runs, demo_home, browser):
    _, results = other_runs
    assert {r.notebook for r in results} >= {"whats_changed"}
    assert all(r.ok for r in results), [r.error for r in results]
    assert_no_leak(results, demo_home)
    for r in results:
        page = open_offline(browser, r.html, settle_ms=800)
        assert page.console_errors == [] and page.page_errors == [] and page.blocked == [], r.notebook
        page.page.close()


def test_a_failing_run_is_reported_not_raised(demo_home, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(demo_home))
    catalog.clear_cache()
    from workbench.parameters import ParameterError

    with pytest.raises(ParameterError, match="not_a_type"):  # refused before any kernel starts
        runner.run_notebook("hotspot_map", {"exploitation_type": "not_a_type"}, tmp_path)
    result = runner.run_notebook("hotspot_map", {"emerging_freq": "not_a_freq"}, tmp_path)  # fails in a cell
    catalog.clear_cache()
    assert not result.ok and result.html is None
    assert "ValueError" in result.error and "not_a_freq" in result.error


@pytest.mark.parametrize("notebook", ["hotspot_map", "intelligence_report", "trend_forecast"])
def test_an_empty_scope_gives_a_report_not_a_crash(demo_home, tmp_path, notebook):
    with home(demo_home):
        result = runner.run_notebook(notebook, {"region": "ISL", "audience": "public"}, tmp_path)
    assert result.ok, result.error


#: What a reader must never see in a report: H3 ids, "nan", Python reprs, scientific notation.
UNREADABLE = {
    "H3 cell id": re.compile(r"\b8[0-9a-f]{5,14}f{3,}\b"),
    "nan": re.compile(r"(?<![\w-])(nan|NaN|<NA>)(?![\w-])|(^|\t)None(\t|$)", re.MULTILINE),
    "Python repr": re.compile(r"(PosixPath\(|Timestamp\(|<IPython|<Figure size|array\(\[|dtype[:=]|\bdict_keys\(|\{'|\[np\.|"
                              r"np\.(float|int)\d*\()"),
    "scientific notation": re.compile(r"\b\d(\.\d+)?e[-+]?\d{1,3}\b", re.IGNORECASE),
    "snake_case header": re.compile(r"(^|\t)[a-z]+_[a-z_]+(\t|$)", re.MULTILINE),
}

#: The first screen as a reader sees it (1280 x 1000): where the key findings are, and which
#: charts or maps are drawn inside it (an image that has loaded; a map frame whose Leaflet panes
#: hold drawn vector paths in view).
FIRST_SCREEN = """() => {
  const h = window.innerHeight;
  const inView = r => r.top < h && r.bottom > 0 && r.height > 100;
  const kf = document.querySelector('.wb-key-findings');
  const drawn = [];
  for (const img of document.querySelectorAll('img')) {
    const r = img.getBoundingClientRect();
    if (inView(r) && img.complete && img.naturalWidth > 100) drawn.push('chart');
  }
  for (const svg of document.querySelectorAll('svg.main-svg')) {
    if (inView(svg.getBoundingClientRect()) && svg.querySelector('path')) drawn.push('svg chart');
  }
  for (const frame of document.querySelectorAll('iframe')) {
    const r = frame.getBoundingClientRect();
    const doc = frame.contentDocument;
    if (!inView(r) || !doc) continue;
    const w = doc.defaultView;
    const paths = [...doc.querySelectorAll('.leaflet-pane path')].filter(p => {
      const b = p.getBoundingClientRect();
      return b.width > 0 && b.height > 0 && b.right > 0 && b.bottom > 0 && b.left < w.innerWidth && b.top < w.innerHeight;
    });
    if (paths.length) drawn.push('map');
  }
  const maps = [...document.querySelectorAll('iframe')].map(f => f.contentDocument).filter(d => d && d.querySelector('.leaflet-container'));
  return {findings: kf ? kf.getBoundingClientRect().top : null, items: kf ? kf.querySelectorAll('li').length : 0,
          drawn: drawn, height: h, maps: maps.length,
          legends: maps.filter(d => d.querySelector('.wb-legend')).length};
}"""


def test_every_report_opens_with_findings_and_a_drawing_and_reads_cleanly(partner_run, other_runs, browser):
    """One browser session over every executed report: the first screen (1280 x 1000) holds the
    key findings and a drawn chart or map; every map has a legend; no text, in the page or its
    map frames, holds an H3 id, nan, a Python repr, scientific notation or a snake_case header."""
    results = [r for r in partner_run[1] + other_runs[1] if r.ok]
    problems = []
    for r in results:
        page = open_offline(browser, r.html, settle_ms=600)
        page.page.set_viewport_size({"width": 1280, "height": 1000})
        page.page.wait_for_timeout(300)
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
