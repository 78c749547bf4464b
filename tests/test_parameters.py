"""Parameters are checked against the notebook's parameters cell before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench import catalog
from workbench.parameters import (
    ParameterError,
    declared_parameters,
    parse_parameters_cell,
    publish_key,
    resolve_notebook,
    validate_parameters,
)
from workbench.plan import RunPlan


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if anything would execute a notebook."""
    import papermill

    def refuse(*args, **kwargs):  # pragma: no cover - reaching it is the failure
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)
    return refuse


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """An empty workspace (the repository's notebooks) with a published public report."""
    latest = tmp_path / "reports" / "latest"
    latest.mkdir(parents=True)
    (latest / "hotspot_map-public.html").write_text("PUBLIC REPORT")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    catalog.clear_cache()
    yield tmp_path
    catalog.clear_cache()


def _cli(args):
    from workbench.cli import app

    return CliRunner().invoke(app, args)


def _one_error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    assert lines[0].startswith("error: ")
    return lines[0]


def test_a_parameter_name_is_never_code(workspace, no_kernel):
    result = _cli(["run", "hotspot_map", "-p", "__import__('pathlib').Path('K').touch();x=1"])
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert "unknown parameter" in line
    assert not (workspace / "K").exists() and not Path("K").exists()
    assert not (workspace / "reports" / "runs").exists()  # nothing run, nothing written


def test_a_plan_parameter_key_is_never_code(workspace, no_kernel):
    plan = workspace / "p.yaml"
    plan.write_text("reports:\n  - notebook: hotspot_map\n    parameters:\n"
                    "      \"__import__('os').system('touch K');x\": 1\n")
    result = _cli(["run", "--plan", str(plan)])
    assert result.exit_code == 2 and "unknown parameter" in _one_error_line(result)
    assert not (workspace / "K").exists()
    with pytest.raises(ParameterError, match="report 1: hotspot_map: unknown parameter"):
        RunPlan.from_dict({"reports": [{"notebook": "hotspot_map", "parameters": {"display(HTML('x'));y": 1}}]})


def test_a_misspelt_audience_does_not_replace_the_public_report(workspace, no_kernel):
    result = _cli(["run", "hotspot_map", "-p", "audiance=public"])
    assert result.exit_code == 2
    assert "did you mean 'audience'?" in _one_error_line(result)
    assert (workspace / "reports" / "latest" / "hotspot_map-public.html").read_text() == "PUBLIC REPORT"
    assert not (workspace / "reports" / "runs").exists()


@pytest.mark.parametrize("args, expected", [
    (["-p", "region=ZZZ"], "unknown country code 'ZZZ'"),
    (["-p", "region=ESP,XXX"], "unknown country code 'XXX'"),
    (["-p", "period_start=2026-02-01", "-p", "period_end=2026-01-01"], "period is reversed"),
    (["-p", "period_start=2026-02-30"], "not a calendar date"),
    (["-p", "period_start=yesterday"], "must be an ISO date"),
    (["-p", "exploitation_type=forced_labor"], "did you mean 'forced_labour'?"),
    (["-p", "audience=press"], "unknown audience 'press'"),
    (["-p", "audience=['public']"], "unknown audience"),
    (["-p", "h3_resolution=seven"], "must be a whole number"),
    (["-p", "h3_resolution=99"], "must be between 0 and 15"),
    (["-p", "alpha=nan"], "must be a number"),
    (["-p", "region"], "is not name=value"),
    (["-p", "region=ESP", "-p", "region=ITA"], "given twice"),
])
def test_invalid_values_exit_2_with_one_line(workspace, no_kernel, args, expected):
    result = _cli(["run", "hotspot_map", *args])
    assert result.exit_code == 2, result.output
    assert expected in _one_error_line(result)
    assert not (workspace / "reports" / "runs").exists()


def test_a_notebook_name_typo_is_one_line_with_a_suggestion(workspace, no_kernel):
    result = _cli(["run", "hotspt_map"])
    assert result.exit_code == 2
    assert _one_error_line(result) == "error: no notebook 'hotspt_map'; did you mean 'hotspot_map'?"
    far = _cli(["run", "zzzz"])
    assert far.exit_code == 2 and "have " in _one_error_line(far) and "hotspot_map" in far.output


def test_the_runner_validates_before_any_kernel(workspace, no_kernel, tmp_path):
    from workbench.runner import run_notebook

    with pytest.raises(ParameterError, match="unknown parameter"):
        run_notebook("hotspot_map", {"audiance": "public"}, tmp_path / "out")
    with pytest.raises(ParameterError, match="no notebook"):
        run_notebook("../notebooks/hotspot_map", {}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_values_are_coerced_to_the_declared_type():
    checked = validate_parameters("hotspot_map", {"h3_resolution": "7", "alpha": "0.01", "region": " gbr, ukr ",
                                                  "exploitation_type": "Forced_Labour", "audience": "law_enforcement"})
    assert checked == {"region": "GBR,UKR", "exploitation_type": "forced_labour", "audience": "law_enforcement",
                       "h3_resolution": 7, "alpha": 0.01}
    assert validate_parameters("key_judgements", {"end_month": "2026-03"}) == {"end_month": "2026-03"}
    assert validate_parameters("whats_changed", {"as_of": "", "region": "all"}) == {"as_of": "", "region": "ALL"}
    for bad in (True, None, [1], {"a": 1}, 1.5, float("inf")):
        with pytest.raises(ParameterError):
            validate_parameters("hotspot_map", {"h3_resolution": bad})
    for bad in (True, None, ["ESP"], {"ESP": 1}, "ESP\nx", "E" * 500):
        with pytest.raises(ParameterError):
            validate_parameters("hotspot_map", {"region": bad})
    with pytest.raises(ParameterError, match="not before"):
        validate_parameters("whats_changed", {"as_of": "2026-01-01", "previous_as_of": "2026-01-01"})
    with pytest.raises(ParameterError, match="period is reversed"):  # against the declared default
        validate_parameters("hotspot_map", {"period_start": "2099-01-01"})


def test_the_parameters_cell_must_be_literal_assignments():
    assert list(parse_parameters_cell("a = 1\nb: str = 'x'\n")) == ["a", "b"]
    for source in ("import os\n", "a = f()\n", "a, b = 1, 2\n", "a.b = 1\n", "a = [x for x in y]\n", "a = (\n"):
        with pytest.raises(ParameterError, match="parameters cell"):
            parse_parameters_cell(source)
    every = declared_parameters("hotspot_map")
    assert every["audience"].default == "partner" and every["h3_resolution"].default == 0  # 0: the audience's resolution


def test_resolve_notebook_refuses_paths_and_non_strings():
    assert resolve_notebook("routes") == "routes"
    for bad in ("../etc/passwd", "routes.py", "", None, 3, ["routes"]):
        with pytest.raises(ParameterError, match="no notebook"):
            resolve_notebook(bad)


def test_the_publish_key_holds_parameter_names():
    assert publish_key("hotspot_map", {"audience": "partner"}) == "hotspot_map-partner"
    region = publish_key("hotspot_map", {"region": "public"})
    audience = publish_key("hotspot_map", {"audience": "public"})
    assert region != audience and "region" in region
    assert publish_key("h", {"region": "ESP,ITA"}) != publish_key("h", {"region": "ESP ITA"})
    long_a = publish_key("h", {"company": "x" * 300 + "a"})
    long_b = publish_key("h", {"company": "x" * 300 + "b"})
    assert long_a != long_b and len(long_a) <= 150


# -- cross-run disclosure: no two allowed runs differ by a small group ------------------------------


def test_public_and_partner_runs_cannot_difference_regions():
    for audience in ("public", "partner"):
        assert validate_parameters("intelligence_report", {"region": "GBR", "audience": audience})["region"] == "GBR"
        with pytest.raises(ParameterError, match="region must be ALL or one country"):
            validate_parameters("intelligence_report", {"region": "GBR,UKR", "audience": audience})
    with pytest.raises(ParameterError, match="region must be ALL or one country"):  # partner is the default
        validate_parameters("intelligence_report", {"region": "GBR,UKR"})
    law = validate_parameters("intelligence_report", {"region": "GBR,UKR", "audience": "law_enforcement"})
    assert law["region"] == "GBR,UKR"


def test_periods_one_day_apart_give_the_same_run():
    one = validate_parameters("intelligence_report", {"period_start": "2025-03-01", "period_end": "2026-02-28"})
    two = validate_parameters("intelligence_report", {"period_start": "2025-03-02", "period_end": "2026-02-27"})
    assert one == two == {"period_start": "2025-03-01", "period_end": "2026-02-28"}
    public = validate_parameters("intelligence_report", {"period_start": "2025-03-02", "period_end": "2026-02-27",
                                                         "audience": "public"})
    assert public == {"period_start": "2025-01-01", "period_end": "2026-03-31", "audience": "public"}
    law = validate_parameters("intelligence_report", {"period_start": "2025-03-02", "audience": "law_enforcement"})
    assert law["period_start"] == "2025-03-02"
    a = validate_parameters("whats_changed", {"as_of": "2026-05-14"})
    b = validate_parameters("whats_changed", {"as_of": "2026-05-15"})
    assert a == b == {"as_of": "2026-05-31"}


def test_sources_are_checked_against_the_workspace_catalog_before_any_kernel(workspace, no_kernel):
    from workbench.workspace import init_workspace

    init_workspace(workspace, force=True)
    (workspace / "catalogs" / "mine.yaml").write_text(
        "version: 2\nentries:\n"
        "  ctdc_victims:\n    reader: workbench.catalog:SourceRecords\n"
        "    kwargs: {args: ['{CATALOG_DIR}/../data/ctdc.csv']}\n"
        "    metadata: {collector: ctdc, source_name: CTDC}\n"
        "  hotline_points:\n    reader: workbench.catalog:SourceRecords\n"
        "    kwargs: {args: ['{CATALOG_DIR}/../data/points.geojson']}\n"
        "    metadata: {collector: points, source_name: Hotline}\n", encoding="utf-8")
    catalog.clear_cache()
    checked = validate_parameters("hotspot_map", {"sources": " hotline_points, ctdc_victims,hotline_points "})
    assert checked["sources"] == "hotline_points,ctdc_victims"
    assert validate_parameters("hotspot_map", {"sources": "all"})["sources"] == "ALL"
    result = _cli(["run", "hotspot_map", "-p", "sources=ctdc_victim"])
    assert result.exit_code == 2, result.output
    assert "parameter 'sources': 'ctdc_victim' is not a catalog source entry; did you mean 'ctdc_victims'?" in (
        _one_error_line(result))
    far = _cli(["run", "hotspot_map", "-p", "sources=ctdc_victims,zzz"])
    assert far.exit_code == 2 and "sources: ctdc_victims, hotline_points" in _one_error_line(far)
    store = _cli(["run", "hotspot_map", "-p", "sources=incidents"])  # an entry, but not a source
    assert store.exit_code == 2 and "'incidents' is a catalog entry but not a source" in _one_error_line(store)
    assert not (workspace / "reports" / "runs").exists()
