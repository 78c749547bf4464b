import pytest

pytest_plugins = ["tests.workspace"]


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
