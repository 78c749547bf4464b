"""The report gallery: ``reports/index.html``, self-contained (no external resources) and escaped."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from workbench.share.export import write_text_atomic
from workbench.share.templating import render_block


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


def _href(reports_dir: Path, path: Path) -> str:
    """A relative, percent-encoded URL (so no name can become ``javascript:`` or ``//host``)."""
    path = Path(path)
    if path.is_absolute():
        path = path.resolve().relative_to(reports_dir.resolve())  # ValueError when outside
    if ".." in path.parts:
        raise ValueError(f"report path {path} leaves the reports folder")
    return quote(path.as_posix())  # only letters, digits and "_.-~/" remain: nothing to escape


AUDIENCE_LABELS = {"public": "Public", "partner": "Partners", "law_enforcement": "Law enforcement",
                   "": "Default audience"}


def audience_page(audience: str) -> str:
    """File name of an audience's gallery page.

    Parameters
    ----------
    audience : str
        Audience (empty for reports run without one).

    Returns
    -------
    str
        ``audience-<name>.html``.
    """
    return f"audience-{audience or 'default'}.html"


def _row(reports_dir: Path, e: ReportEntry) -> dict[str, str]:
    params = ", ".join(f"{k}={v}" for k, v in sorted(e.parameters.items()))
    status = "ok" if e.status == "ok" else "failed"
    pdf = Path(e.path).with_suffix(".pdf")
    pdf_href = _href(reports_dir, pdf) if status == "ok" and (reports_dir / pdf if not pdf.is_absolute() else pdf).exists() else ""
    return {"href": _href(reports_dir, e.path), "title": e.title, "audience": e.audience, "params": params,
            "run_time": e.run_time, "status": status, "status_text": e.status, "pdf": pdf_href}


def _render(**context: object) -> str:
    return render_block("gallery.html.j2", **context)


def write_index(reports_dir: Path, entries: list[ReportEntry]) -> Path:
    """Write ``index.html`` (one link per audience) and one gallery page per audience.

    Every title, parameter, audience and time is HTML-escaped (Jinja2 autoescaping), and
    links are relative to ``reports_dir``, so the folder can be copied or opened from
    ``file://``. Public, partner and law-enforcement reports never share a page.

    Parameters
    ----------
    reports_dir : Path
        The reports folder (earlier runs are its ``runs/*`` folders).
    entries : list of ReportEntry
        Reports of the latest run (failures and the published ones).

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
    runs_dir = reports_dir / "runs"
    runs = sorted((p.name for p in runs_dir.iterdir() if p.is_dir()), reverse=True) if runs_dir.is_dir() else []
    latest = runs[0] if runs else "none"
    older = [{"href": f"runs/{quote(r)}/", "name": r} for r in runs[1:20]]
    by_audience: dict[str, list[ReportEntry]] = {}
    for e in entries:
        by_audience.setdefault(e.audience or "", []).append(e)
    order = [a for a in ("public", "partner", "law_enforcement") if a in by_audience]
    order += sorted(a for a in by_audience if a not in order)
    nav = [("All audiences", "index.html")] + [(AUDIENCE_LABELS.get(a, a), audience_page(a)) for a in order]
    for audience in order:
        rows = [_row(reports_dir, e) for e in by_audience[audience]]
        page = _render(title=f"Workbench reports: {AUDIENCE_LABELS.get(audience, audience)}", nav=nav,
                       latest=latest, audiences=[], rows=rows, older=[])
        write_text_atomic(reports_dir / audience_page(audience), page)
    audiences = [{"href": audience_page(a), "label": AUDIENCE_LABELS.get(a, a), "count": len(by_audience[a]),
                  "failed": sum(e.status != "ok" for e in by_audience[a])} for a in order]
    page = _render(title="Workbench reports", nav=[], latest=latest, audiences=audiences, rows=[], older=older)
    return write_text_atomic(reports_dir / "index.html", page)
