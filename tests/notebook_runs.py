"""Fixtures: the report notebooks executed on the demo workspace, once per test session.

Each fixture below is a shared unit (:mod:`tests.shared`): its notebooks are executed
once per session, by whichever xdist worker needs them first (a worker waiting for
a unit another worker is executing executes the next unit meanwhile), in one
workspace every worker reads (``runs_home``, a copy of the demo workspace that only
these runs write to: the findings ledgers their kernels store). Each run keeps the
shape it had as a module fixture: its own reports folder and run id, the same plan, so
every page passes the disclosure gate beside the same pages as before. Tests only read
what the runs left (pages, executed notebooks, ledgers).

- ``partner_run``: the default reports for the public, partner and law enforcement
  audiences, one plan, run ``t1`` (tests/test_notebooks.py, test_notebooks_pages.py);
- ``other_runs``: every other notebook for partners, run ``t1`` in its own reports folder
  (tests/test_notebooks_others.py, test_notebooks_pages.py);
- ``ledger_run``: the reports that state the findings ledger, run ``L1`` (test_findings.py);
- ``key_judgements_runs``: key_judgements for each audience, each in its own folder
  (test_judgements.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.shared import unit
from tests.workspace import home

AUDIENCES = ["public", "partner", "law_enforcement"]
#: The reports that state the findings ledger (test_findings.py).
LEDGER_REPORTS = ("intelligence_report", "key_judgements", "trend_forecast", "routes")


def run_in(root: Path, reports: Path, notebooks, audiences, run_id: str = "t1") -> list:
    """Run a plan of ``notebooks`` x ``audiences`` in workspace ``root`` into ``reports``."""
    from workbench.plan import RunPlan, run_plan

    with home(root):
        plan = RunPlan.from_dict({"name": "test", "reports": [
            {"notebook": n, "audiences": audiences} for n in notebooks]})
        return run_plan(plan, reports_dir=reports, run_id=run_id)


@unit("runs_home", fixtures=("runs_home",), needs=("demo",))
def _runs_home(out: Path, get) -> Path:
    """A copy of the demo workspace for the shared notebook runs (their kernels store ledgers in it)."""
    shutil.copytree(get("demo"), out, symlinks=True)
    return out


@unit("reports", fixtures=("partner_run",), needs=("runs_home",))
def _reports(out: Path, get) -> tuple:
    from workbench import runner

    return out, run_in(get("runs_home"), out, runner.DEFAULT_REPORTS, AUDIENCES)


@unit("others", fixtures=("other_runs",), needs=("runs_home",))
def _others(out: Path, get) -> tuple:
    from workbench import runner

    others = [n for n in runner.available_notebooks() if n not in runner.DEFAULT_REPORTS]
    return out, run_in(get("runs_home"), out, others, ["partner"])


@unit("ledger", fixtures=("ledger_run",), needs=("runs_home",))
def _ledger(out: Path, get) -> tuple:
    from workbench.plan import RunPlan, run_plan

    with home(get("runs_home")):
        plan = RunPlan.from_dict({"name": "ledger", "reports": [
            {"notebook": n, "audiences": ["partner"]} for n in LEDGER_REPORTS]})
        return out, run_plan(plan, reports_dir=out, run_id="L1")


@unit("judgements", fixtures=("key_judgements_runs",), needs=("runs_home",))
def _judgements(out: Path, get) -> dict:
    from workbench import runner

    with home(get("runs_home")):
        return {a: runner.run_notebook("key_judgements", {"audience": a}, out / a) for a in AUDIENCES}


@pytest.fixture(scope="session")
def runs_home(shared_units) -> Path:
    """The workspace the shared runs executed in (read-only)."""
    return shared_units.get("runs_home")


@pytest.fixture(scope="session")
def partner_run(shared_units) -> tuple:
    """``(reports folder, results)`` of the default reports for every audience (plan run ``t1``)."""
    return shared_units.get("reports")


@pytest.fixture(scope="session")
def other_runs(shared_units) -> tuple:
    """``(reports folder, results)`` of every other notebook for partners (plan run ``t1``)."""
    return shared_units.get("others")


@pytest.fixture(scope="session")
def ledger_run(shared_units, runs_home) -> tuple:
    """``(reports folder, results, findings)`` of the ledger reports for partners (plan run ``L1``)."""
    from workbench.share import report

    reports, results = shared_units.get("ledger")
    with home(runs_home):
        found = report.findings_for(resolution=5)
    return reports, results, found


@pytest.fixture(scope="session")
def key_judgements_runs(shared_units) -> dict:
    """Audience -> the key_judgements run for it (each in its own folder)."""
    return shared_units.get("judgements")
