"""The report gallery: ``reports/index.html``, self-contained and escaped."""

from __future__ import annotations

import html
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ReportEntry:
    """One report in the gallery.

    Attributes
    ----------
    title : str
        Report title.
    path : Path
        Its HTML (or, for a failed run, its executed notebook), relative to the reports
        folder.
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
body {{ font: 15px/1.5 system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; padding: 6px 8px;
border-bottom: 1px solid #ddd; vertical-align: top; }} code {{ font-size: 12px; }}
.ok {{ color: #1e7b34; }} .failed {{ color: #b00020; font-weight: bold; }}
</style></head><body>
<h1>Workbench reports</h1>
<p>Latest run: {latest}. Every report works offline; counts below the suppression threshold are withheld
in public and partner reports.</p>
<table><thead><tr><th>Report</th><th>Audience</th><th>Parameters</th><th>Run</th><th>Status</th></tr></thead>
<tbody>
{rows}
</tbody></table>
{older}
</body></html>
"""


def write_index(reports_dir: Path, entries: list[ReportEntry]) -> Path:
    """Write ``index.html`` listing the given reports and links to earlier runs.

    Parameters
    ----------
    reports_dir : Path
        The reports folder.
    entries : list of ReportEntry
        Reports of the latest run.

    Returns
    -------
    Path
        The index file (written atomically).
    """
    reports_dir = Path(reports_dir)
    rows = "\n".join(
        "<tr><td><a href=\"{href}\">{title}</a></td><td>{aud}</td><td><code>{params}</code></td>"
        "<td>{when}</td><td class=\"{cls}\">{status}</td></tr>".format(
            href=html.escape(Path(e.path).as_posix(), quote=True),
            title=html.escape(e.title),
            aud=html.escape(e.audience),
            params=html.escape(", ".join(f"{k}={v}" for k, v in sorted(e.parameters.items()))),
            when=html.escape(e.run_time),
            cls="ok" if e.status == "ok" else "failed",
            status=html.escape(e.status),
        )
        for e in entries
    )
    runs_dir = reports_dir / "runs"
    runs = sorted((p.name for p in runs_dir.iterdir() if p.is_dir()), reverse=True) if runs_dir.is_dir() else []
    older = ""
    if len(runs) > 1:
        older = "<h2>Earlier runs</h2><ul>" + "".join(
            f'<li><a href="runs/{html.escape(r, quote=True)}/">{html.escape(r)}</a></li>' for r in runs[1:20]
        ) + "</ul>"
    page = _PAGE.format(latest=html.escape(runs[0] if runs else "none"), rows=rows, older=older)
    out = reports_dir / "index.html"
    reports_dir.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".index.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return out
