"""Open local pages in headless Chromium with the network off, and report what happened.

Debian's ``/usr/bin/chromium`` is driven by Playwright (``playwright install`` is never
needed). Every request that is not ``file:`` or ``data:`` is aborted and recorded, and
Chromium's host resolver fails every name as a second line of defence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
LOCAL_SCHEMES = ("file:", "data:")


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's Chromium headless.

    Parameters
    ----------
    playwright : playwright.sync_api.Playwright
        A started Playwright.

    Returns
    -------
    playwright.sync_api.Browser
        The browser.
    """
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)


@dataclass
class PageReport:
    """A page opened offline, with what went wrong while it loaded.

    Attributes
    ----------
    page : playwright.sync_api.Page
        The open page.
    console_errors : list of str
        ``console.error`` messages (including failed resource loads).
    page_errors : list of str
        Uncaught exceptions.
    blocked : list of str
        URLs of requests that were aborted because they needed the network.
    dialogs : list of str
        Messages of ``alert``/``confirm``/``prompt`` dialogs (dismissed).
    """

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Every console error, page error, blocked request and dialog, labelled."""
        return ([f"console: {m}" for m in self.console_errors] + [f"error: {m}" for m in self.page_errors]
                + [f"blocked: {u}" for u in self.blocked] + [f"dialog: {m}" for m in self.dialogs])

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        """Evaluate JavaScript in the top frame and return its (JSON-able) result."""
        return self.page.evaluate(expression, arg)

    def evaluate_in_frames(self, expression: str) -> list[Any]:
        """Evaluate JavaScript in the top frame and every iframe (folium maps in reports)."""
        return [frame.evaluate(expression) for frame in self.page.frames]

    def count_in_frames(self, selector: str) -> int:
        """Count elements matching a CSS selector in the page and all its frames."""
        return sum(self.evaluate_in_frames(f"document.querySelectorAll({selector!r}).length"))

    def text_in_frames(self) -> str:
        """The visible text of the page and all its frames."""
        return "\n".join(t or "" for t in self.evaluate_in_frames("document.body ? document.body.innerText : ''"))

    def close(self) -> None:
        """Close the page's browser context."""
        self.page.context.close()

    def __enter__(self) -> "PageReport":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def open_offline(browser: Any, path: Path | str, settle_ms: int = 300) -> PageReport:
    """Open a local file with the network blocked and record what went wrong.

    Parameters
    ----------
    browser : playwright.sync_api.Browser
        From the ``browser`` fixture.
    path : Path or str
        An HTML file.
    settle_ms : int
        Extra wait after the ``load`` event (which already waits for iframes).

    Returns
    -------
    PageReport
        Use it as a context manager (or call ``close``) to free the browser context.
    """
    return open_all_offline(browser, [path], settle_ms)[0]


def open_all_offline(browser: Any, paths: list[Path | str], settle_ms: int = 300) -> list[PageReport]:
    """Open several local files at once, each in its own context, the network blocked.

    Every page is loaded (``load`` event) one after the other, then all settle together:
    the one wait of ``settle_ms`` after the last load gives every page at least that long
    after its own load, as :func:`open_offline` would, without a wait per page.

    Parameters
    ----------
    browser : playwright.sync_api.Browser
        From the ``browser`` fixture.
    paths : list of Path or str
        HTML files.
    settle_ms : int
        Extra wait after the last ``load`` event.

    Returns
    -------
    list of PageReport
        In the order of ``paths``; close each (or use it as a context manager).
    """
    reports = [_load_offline(browser, path) for path in paths]
    if reports:
        reports[-1].page.wait_for_timeout(settle_ms)
    return reports


def _load_offline(browser: Any, path: Path | str) -> PageReport:
    """Open one file in a new context with every non-local request aborted and recorded."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    report = PageReport(page)

    def route(r: Any) -> None:
        if r.request.url.startswith(LOCAL_SCHEMES):
            r.continue_()
        else:
            report.blocked.append(r.request.url)
            r.abort("internetdisconnected")

    context.route("**/*", route)
    page.on("websocket", lambda ws: report.blocked.append(ws.url))
    page.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: report.page_errors.append(str(e)))
    page.on("dialog", lambda d: (report.dialogs.append(d.message), d.dismiss()))
    page.goto(Path(path).resolve().as_uri(), wait_until="load")
    return report
