"""Run plans: validation, failure pages, and the last good report kept."""

import pytest

from workbench import catalog
from workbench.plan import RunPlan, run_plan


def test_plan_validation_names_the_problem():
    with pytest.raises(ValueError, match="non-empty 'reports'"):
        RunPlan.from_dict({"name": "x"})
    with pytest.raises(ValueError, match="report 1: no notebook 'nope'"):
        RunPlan.from_dict({"reports": [{"notebook": "nope"}]})
    with pytest.raises(ValueError, match="report 1: unknown audience"):
        RunPlan.from_dict({"reports": [{"notebook": "hotspot_map", "audiences": ["press"]}]})
    plan = RunPlan.from_dict({"reports": [{"notebook": "hotspot_map", "parameters": {"alpha": 0.1},
                                           "parameter_sets": [{"region": "ESP"}, {"region": "NGA"}]}]})
    assert [p["region"] for p in plan.reports[0].parameter_sets] == ["ESP", "NGA"]
    assert all(p["alpha"] == 0.1 for p in plan.reports[0].parameter_sets)


def test_shipped_plans_are_valid():
    from tests.workspace import REPO

    for path in (REPO / "plans").glob("*.yaml"):
        assert RunPlan.load(path).reports


@pytest.mark.slow
def test_a_failed_run_keeps_the_last_good_report(demo_home, tmp_path, monkeypatch):
    import shutil

    plan = RunPlan.from_dict({"reports": [{"notebook": "hotspot_map", "audiences": ["partner"]}]})
    reports = tmp_path / "reports"
    monkeypatch.setenv("WORKBENCH_HOME", str(demo_home))
    catalog.clear_cache()
    first = run_plan(plan, reports_dir=reports, run_id="r1")
    assert first[0].ok
    good = (reports / "latest" / "hotspot_map-partner.html").read_text()
    # the same report again, on a workspace whose catalogs lost the store: the notebook fails
    broken = shutil.copytree(demo_home, tmp_path / "broken", symlinks=True)  # a copy: data and store kept
    (broken / "catalogs" / "store.yaml").unlink()
    monkeypatch.setenv("WORKBENCH_HOME", str(broken))
    catalog.clear_cache()
    second = run_plan(plan, reports_dir=reports, run_id="r2")
    catalog.clear_cache()
    assert not second[0].ok and "no catalog entry 'incidents'" in second[0].error
    assert (reports / "latest" / "hotspot_map-partner.html").read_text() == good  # not overwritten
    error_page = (reports / "runs" / "r2" / "hotspot_map-partner.error.html").read_text()
    assert "Failing cell" in error_page and "catalog.load" in error_page and "Traceback" in error_page
    index = "".join(p.read_text() for p in [reports / "index.html", *sorted(reports.glob("audience-*.html"))])
    assert "last good version kept" in index and "runs/r2/hotspot_map-partner.error.html" in index
    assert "latest/hotspot_map-partner.html" in index


def test_cli_run_exits_non_zero_on_failure(demo_home, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from workbench.cli import app

    monkeypatch.setenv("WORKBENCH_HOME", str(demo_home))
    catalog.clear_cache()
    plan = tmp_path / "bad.yaml"
    plan.write_text("name: bad\nreports:\n  - notebook: hotspot_map\n    parameters: {exploitation_type: nope}\n")
    result = CliRunner().invoke(app, ["run", "--plan", str(plan)])
    catalog.clear_cache()
    assert result.exit_code == 2 and "not in the taxonomy" in result.output and "Traceback" not in result.output
    # a report that fails while running: exit 1 and FAILED
    import workbench.runner
    from workbench.runner import RunResult

    def failing(name, params, out_dir, title=None, stem=None, last_good=None):
        return RunResult(name, params, False, None, out_dir / f"{stem}.ipynb", 0.1, "cell 3: ValueError: boom")

    monkeypatch.setattr(workbench.runner, "run_notebook", failing)
    plan.write_text("name: bad\nreports:\n  - notebook: hotspot_map\n")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["run", "--plan", str(plan)])
    catalog.clear_cache()
    assert result.exit_code == 1 and "FAILED" in result.output and "boom" in result.output


@pytest.mark.browser
def test_pdf_is_printed_offline(tmp_path):
    from workbench.share.pdf import html_to_pdf

    page = tmp_path / "r.html"
    page.write_text("<html><body><h1>Report</h1><img src='https://example.org/x.png'></body></html>")
    pdf = html_to_pdf(page, tmp_path / "r.pdf", settle_ms=100)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1000
