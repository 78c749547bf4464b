"""`workbench demo`, the main job: builds the data, ingests every source, runs the demo plan."""

import pytest

from tests.workspace import home, make_workspace

pytestmark = pytest.mark.slow


def test_demo_command_ingests_every_source_and_runs_the_demo_plan(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from workbench import catalog, cli
    from workbench.cli import workflow

    root = make_workspace(tmp_path / "w", ingest=False)
    calls = []
    monkeypatch.setattr(workflow, "run", lambda notebooks, param, plan: calls.append((notebooks, param, plan)))
    with home(root):
        done = CliRunner().invoke(cli.app, ["demo"])
        sources = [e.name for e in catalog.sources()]
    assert done.exit_code == 0, done.output
    assert "NOT INGESTED" not in done.output
    for name in sources:
        assert f"{name}: rows in" in done.output, (name, done.output[:2000])
    assert len(calls) == 1 and calls[0][2].name == "demo.yaml"
    assert (root / "data" / "demo" / "ground_truth.json").exists()
