"""A report notebook that fails is reported, not raised; an empty scope gives a report."""

import pytest

from tests.workspace import home
from workbench import catalog, runner

pytestmark = [pytest.mark.slow]


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
