"""The report gallery: ``reports/index.html``, self-contained (no external resources) and escaped."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from workbench.share.export import write_text_atomic


@dataclass(frozen=True)
class ReportEntry:
    """One report in the gallery.

    Attributes
    ----------
    title : str
        Report title.
    path : Path
        Its HTML (or, for a failed run, its executed notebook), relative to the reports
        folder (an absolute path inside the reports folder is accepted too).
    parameters : dict
        Parameters it ran with.
    audience : str
        Audience it was written for.
    run_time : str
        When it ran.
    status : str
        ``ok`` or ``failed``.
    """

    title: str
    path: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    audience: str = ""
    run_time: str = ""
    status: str = "ok"


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Workbench reports</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: 6px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }}
code {{ font-size: 12px; }}
.ok {{ color: #1e7b34; }} .failed {{ color: #b00020; font-weight: bold; }}
</style></head><body>
<h1>Workbench reports</h1>
<p>Latest run: {latest}. Every report works offline; counts below the audience's disclosure threshold
are withheld.</p>
<table><thead><tr><th>Report</th><th>Audience</th><th>Parameters</th><th>Run</th><th>Status</th></tr></thead>
<tbody>
{rows}
</tbody></table>
{older}
</body></html>
"""


def _href(reports_dir: Path, path: Path) -> str:
    """A relative, percent-encoded URL (so no name can become ``javascript:`` or ``//host``)."""
    path = Path(path)
    if path.is_absolute():
        path = path.resolve().relative_to(reports_dir.resolve())  # ValueError when outside
    if ".." in path.parts:
        raise ValueError(f"report path {path} leaves the reports folder")
    return html.escape(quote(path.as_posix()), quote=True)


def _row(reports_dir: Path, e: ReportEntry) -> str:
    params = ", ".join(f"{k}={v}" for k, v in sorted(e.parameters.items()))
    status = "ok" if e.status == "ok" else "failed"
    return (f'<tr><td><a href="{_href(reports_dir, e.path)}">{html.escape(e.title)}</a></td>'
            f"<td>{html.escape(e.audience)}</td><td><code>{html.escape(params)}</code></td>"
            f'<td>{html.escape(e.run_time)}</td><td class="{status}">{html.escape(e.status)}</td></tr>')


def write_index(reports_dir: Path, entries: list[ReportEntry]) -> Path:
    """Write ``index.html`` listing the given reports and links to earlier runs.

    Every title, parameter, audience and time is HTML-escaped, and links are relative
    to ``reports_dir``, so the folder can be copied or opened from ``file://``.

    Parameters
    ----------
    reports_dir : Path
        The reports folder (earlier runs are its ``runs/*`` folders).
    entries : list of ReportEntry
        Reports of the latest run.

    Returns
    -------
    Path
        ``reports_dir / "index.html"``, written atomically.

    Raises
    ------
    ValueError
        If an entry's path lies outside ``reports_dir``.
    """
    reports_dir = Path(reports_dir)
    rows = "\n".join(_row(reports_dir, e) for e in entries)
    runs_dir = reports_dir / "runs"
    runs = sorted((p.name for p in runs_dir.iterdir() if p.is_dir()), reverse=True) if runs_dir.is_dir() else []
    older = ""
    if len(runs) > 1:
        older = "<h2>Earlier runs</h2><ul>" + "".join(
            f'<li><a href="runs/{html.escape(quote(r), quote=True)}/">{html.escape(r)}</a></li>' for r in runs[1:20]
        ) + "</ul>"
    page = _PAGE.format(latest=html.escape(runs[0] if runs else "none"), rows=rows, older=older)
    return write_text_atomic(reports_dir / "index.html", page)
