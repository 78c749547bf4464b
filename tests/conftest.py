"""Shared test set-up: seeded property tests, the order files run in, one browser per worker.

Expensive artefacts (the demo workspace, the executed report notebooks) are *shared
units* (tests/shared.py): each is built once per session, by whichever xdist worker
needs it first, in a folder every worker reads; a worker waiting for a unit another
worker is building builds the next one this session needs. The units are declared in
tests/workspace.py (``demo``: the small demo workspace; each worker works in its own
copy, ``demo_home``) and tests/notebook_runs.py (the report runs: ``partner_run``,
``other_runs``, ``ledger_run``, ``key_judgements_runs``).
"""

import os

import pytest
from hypothesis import settings

pytest_plugins = ["tests.workspace", "tests.notebook_runs"]

# Property tests are seeded like every other test: the same examples on every run and every
# machine, so CI never turns red on a draw it has not seen before. A counterexample found while
# exploring (``HYPOTHESIS_PROFILE=explore``) is pinned with ``@example`` next to its test.
settings.register_profile("seeded", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "seeded"))


def files_costliest_first(items: list) -> list:
    """Test items regrouped by file, files that execute notebooks (marker ``slow``) first.

    ``make test`` runs one file per xdist worker at a time (``--dist loadfile``), taking
    files in this order (``--no-loadscope-reorder``; xdist's own reorder puts files with
    the most tests first, which started the longest file, test_notebooks.py with its
    few but slow tests, late and left one worker running it alone at the end). Files
    with more notebook-running tests come first; the others follow with the most tests
    first, as xdist would order them. Order within a file is kept. The notebook runs
    themselves are shared units (tests/notebook_runs.py), built by whichever worker needs
    them first, so the files that read them can sit on either worker.
    """
    files: dict[str, list] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::")[0], []).append(item)

    def cost(name: str) -> tuple[int, int]:
        tests = files[name]
        return (-sum(1 for t in tests if t.get_closest_marker("slow")), -len(tests))

    return [item for name in sorted(files, key=cost) for item in files[name]]


def pytest_collection_modifyitems(config, items):
    if hasattr(config, "workerinput"):  # only where xdist distributes files (the order is then the schedule)
        items[:] = files_costliest_first(items)


@pytest.fixture(scope="session")
def browser():
    """A session-wide headless Chromium; open pages with ``tests.browser.open_offline``,
    which aborts and records every request that is not ``file:`` or ``data:``."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_chromium

    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()
