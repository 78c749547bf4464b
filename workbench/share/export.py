"""Export executed notebooks as self-contained HTML (no code, no network requests)."""

from __future__ import annotations

import os
import re
import uuid
from importlib import resources
from pathlib import Path

#: Attributes and CSS constructs through which a page loads a resource.
_RESOURCE = re.compile(
    r"""(?:\b(?:src|href|data|poster|action)\s*=\s*["']?\s*|@import\s+(?:url\()?\s*["']?|url\(\s*["']?)"""
    r"""((?:https?:)?//[^\s"')>]+)""",
    re.IGNORECASE,
)
_ANCHOR = re.compile(r"""<a\b[^>]*\bhref\s*=\s*["']((?:https?:)?//[^"']+)""", re.IGNORECASE)


def template_dir() -> Path:
    """Return the folder of the workbench's nbconvert templates.

    Returns
    -------
    Path
        ``workbench/share/templates``.
    """
    return Path(str(resources.files("workbench").joinpath("share/templates")))


def export_html(notebook_path: str | Path, html_path: str | Path, title: str | None = None) -> Path:
    """Convert an executed notebook to offline HTML without code cells.

    Parameters
    ----------
    notebook_path : str or Path
        The executed ``.ipynb``.
    html_path : str or Path
        Output ``.html`` (written atomically).
    title : str, optional
        Page title (the notebook's name by default).

    Returns
    -------
    Path
        ``html_path``.

    Raises
    ------
    ValueError
        If the exported page would still load anything from the network.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook_path), as_version=4)
    for cell in nb.cells:  # logs and warnings on stderr are not report content (and may show paths)
        if cell.get("outputs"):
            cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    if title:
        nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="workbench_report",
        extra_template_basedirs=[str(template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    leaks = [url for kind, url in external_references(body) if kind == "resource"]
    if leaks:
        raise ValueError(f"{notebook_path}: exported HTML would load {leaks[:3]} from the network")
    out = Path(html_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, out)
    return out


def external_references(html: str) -> list[tuple[str, str]]:
    """List the network URLs a page refers to.

    Folium maps are embedded as ``srcdoc``/base64 iframes, so their HTML is decoded and
    searched too.

    Parameters
    ----------
    html : str
        A page.

    Returns
    -------
    list of tuple
        ``(kind, url)`` where kind is ``"resource"`` (the browser would fetch it: scripts,
        styles, images, fonts, frames) or ``"link"`` (a plain ``<a href>`` a reader may
        follow).
    """
    import base64
    import html as html_mod

    texts = [html]
    for encoded in re.findall(r"data:text/html;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)", html):
        texts.append(base64.b64decode(encoded).decode("utf-8", "replace"))
    for doc in re.findall(r'srcdoc="([^"]*)"', html):
        texts.append(html_mod.unescape(doc))
    found: list[tuple[str, str]] = []
    for text in texts:
        anchors = set(_ANCHOR.findall(text))
        for url in _RESOURCE.findall(text):
            kind = "link" if url in anchors else "resource"
            found.append((kind, url))
    return sorted(set(found))
