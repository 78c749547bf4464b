"""Every notebook beyond the default reports runs for partners, offline, and leaks nothing.

The runs (``other_runs``) are executed once per test session: see tests/notebook_runs.py.
"""

import pytest

from tests.browser import open_all_offline
from tests.report_checks import assert_no_leak

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_every_other_notebook_runs_offline_and_leaks_nothing(other_runs, demo_home, browser):
    _, results = other_runs
    assert {r.notebook for r in results} >= {"whats_changed"}
    assert all(r.ok for r in results), [r.error for r in results]
    assert_no_leak(results, demo_home)
    pages = open_all_offline(browser, [r.html for r in results], settle_ms=800)  # one browser, loaded together
    for r, page in zip(results, pages):
        assert page.console_errors == [] and page.page_errors == [] and page.blocked == [], r.notebook
        page.close()
