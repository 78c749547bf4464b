"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) with the network off."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class PageReport:
    """What happened when a page was opened offline."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def count_in_frames(self, selector: str) -> int:
        """Count elements matching ``selector`` in the page and all its frames."""
        return sum(frame.locator(selector).count() for frame in self.page.frames)


def open_offline(browser, path: Path, settle_ms: int = 800) -> PageReport:
    """Open a local file with every non-file, non-data request aborted and recorded."""
    context = browser.new_context()
    page = context.new_page()
    report = PageReport(page)

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            r.continue_()
        else:
            report.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: report.page_errors.append(str(e)))
    page.on("dialog", lambda d: (report.dialogs.append(d.message), d.dismiss()))
    page.goto(Path(path).resolve().as_uri(), wait_until="load")
    page.wait_for_timeout(settle_ms)
    return report


@pytest.fixture(scope="session")
def browser():
    """A session-wide headless Chromium."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()
