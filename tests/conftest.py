import os

import pytest
from hypothesis import settings

pytest_plugins = ["tests.workspace"]

# Property tests are seeded like every other test: the same examples on every run and every
# machine, so CI never turns red on a draw it has not seen before. A counterexample found while
# exploring (``HYPOTHESIS_PROFILE=explore``) is pinned with ``@example`` next to its test.
settings.register_profile("seeded", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "seeded"))


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
