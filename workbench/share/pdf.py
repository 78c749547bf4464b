"""Print an exported HTML report to PDF with headless Chromium (no network)."""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    """Return the Chromium executable (Debian's ``/usr/bin/chromium``).

    Returns
    -------
    str
        Its path.

    Raises
    ------
    FileNotFoundError
        When Chromium is not installed.
    """
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not found:
        raise FileNotFoundError("PDF export needs Chromium (apt-get install chromium)")
    return found


def html_to_pdf(html_path: Path, pdf_path: Path, settle_ms: int = 1500) -> Path:
    """Print a local HTML file to PDF; every network request is refused.

    Parameters
    ----------
    html_path : Path
        The exported report.
    pdf_path : Path
        Output PDF.
    settle_ms : int
        Time for maps to draw before printing.

    Returns
    -------
    Path
        The PDF.

    Notes
    -----
    Printing runs in a worker thread: Playwright's sync API refuses to start inside a
    thread that already runs one (a notebook kernel's or a test's event loop).
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print, Path(html_path), Path(pdf_path), settle_ms).result()


def _print(html_path: Path, pdf_path: Path, settle_ms: int) -> Path:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                       else r.abort())
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            page.wait_for_timeout(settle_ms)
            pdf_path.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(pdf_path), format="A4", print_background=True,
                     margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"})
        finally:
            browser.close()
    return pdf_path
