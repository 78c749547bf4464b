"""Export executed notebooks as self-contained HTML: no code, no network requests.

nbconvert 7's ``lab`` template loads require.js, MathJax and Mermaid from cdnjs (and the
widget manager from unpkg when a notebook has widget state). The ``workbench_report``
template in ``templates/`` extends ``lab`` with those blocks emptied, so an exported
report makes no request at all; LaTeX in Markdown then shows as source. Folium maps
are notebook outputs of the form ``<iframe srcdoc="...">`` holding the whole map page
(Leaflet inlined by :mod:`workbench.share.maps`), and are kept as they are.
"""

from __future__ import annotations

import base64
import os
import re
import uuid
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from workbench.share.html_audit import protect_html, run_pages

#: The nbconvert template used for reports (in :func:`template_dir`).
TEMPLATE_NAME = "workbench_report"

_URL = r"""((?:(?:https?|wss?|ftp):)?//[^\s"'<>()\\]+)"""
#: Places where a page makes the browser fetch something: attributes (``srcset`` is
#: handled below), CSS ``url()`` and ``@import``, ES module imports, WebSockets.
_RESOURCE = re.compile(
    r"""(?:\b(?:src|href|data|poster|action|formaction|background|manifest)\s*=\s*["']?\s*"""
    r"""|@import\s+(?:url\(\s*)?["']?\s*|\burl\(\s*["']?\s*"""
    r"""|\bimport\s*\(\s*["']|\bimport\s*["']|\bfrom\s*["']|\bWebSocket\(\s*["'])""" + _URL,
    re.IGNORECASE,
)
_SRCSET = re.compile(r"""\bsrcset\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_ANCHOR = re.compile(r"""<(?:a|area)\b[^>]*?\bhref\s*=\s*["']?\s*""" + _URL, re.IGNORECASE)
_DATA_HTML = re.compile(r"data:text/html(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)", re.IGNORECASE)


class ExternalReference(NamedTuple):
    """A network URL found in a page.

    Attributes
    ----------
    kind : str
        ``"resource"``: the browser would fetch it by itself (script, style, image,
        font, frame, import...); ``"link"``: a plain ``<a href>`` a reader may follow.
    url : str
        The URL as written (``https://...`` or protocol-relative ``//...``).
    """

    kind: str
    url: str


def template_dir() -> Path:
    """Return the folder of the workbench's nbconvert templates.

    Returns
    -------
    Path
        ``workbench/share/templates`` (holds ``workbench_report/``).
    """
    return Path(str(resources.files("workbench").joinpath("share/templates")))


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write a text file atomically: a temporary file in the same folder, then ``os.replace``.

    Readers see the old file or the new one, never a partial one; on failure the
    temporary file is removed.

    Parameters
    ----------
    path : str or Path
        Destination (its folder is created).
    text : str
        Content, written as UTF-8.

    Returns
    -------
    Path
        ``path``.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8") as fh:  # created with the usual permissions
            fh.write(text)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def export_html(notebook_path: str | Path, html_path: str | Path, title: str | None = None,
                disclosure_gate: bool = True) -> Path:
    """Convert an executed notebook to offline HTML without code cells.

    Inputs and prompts are left out, and so are ``stderr`` streams (logs and warnings
    are not report content and may show paths). The page is refused if it would still
    fetch anything from the network (links a reader may click are allowed).

    Last, the disclosure gate (:func:`workbench.share.html_audit.protect_html`) attacks
    the page as exported, together with the pages of the same audience already in its
    folder (the run), by subtraction and by counting listed rows: a count that closes a
    leak is withheld in the page (which then says so), and a leak that cannot be closed
    in the page refuses it.

    Parameters
    ----------
    notebook_path : str or Path
        The executed ``.ipynb``.
    html_path : str or Path
        Output ``.html``, written atomically.
    title : str, optional
        Page title (the notebook's file name by default).
    disclosure_gate : bool
        Run the disclosure gate (on for every report; off only to inspect a raw export).

    Returns
    -------
    Path
        ``html_path``.

    Raises
    ------
    ValueError
        If the exported page would load a resource from the network, or if a withheld
        count could be worked out from it and the run's other pages and the gate cannot
        close the leak in it (nothing is written then).
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook_path), as_version=4)
    for cell in nb.cells:
        if cell.get("outputs"):
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    if title:
        nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or Path(notebook_path).stem}})
    leaks = [ref.url for ref in external_references(body) if ref.kind == "resource"]
    if leaks:
        raise ValueError(f"{notebook_path}: the exported page would load {leaks[:3]} from the network")
    if disclosure_gate:
        html_path = Path(html_path)
        body, _ = protect_html(body, html_path.stem, run_pages(html_path.parent, exclude=html_path.name))
    return write_text_atomic(html_path, body)


_URL_ATTRIBUTES = frozenset({"src", "href", "data", "poster", "action", "formaction", "background", "manifest",
                             "xlink:href", "ping", "cite", "longdesc", "icon", "codebase", "archive", "dynsrc",
                             "lowsrc"})
_LEADING_URL = re.compile(r"^\s*" + _URL)
#: An anchor's ``href`` written inside script code (a link the reader may follow, not a fetch).
_CODE_ANCHOR = re.compile(r"""<a\b[^<>]*?\bhref\s*=\s*\\?["']?\s*""" + _URL, re.IGNORECASE)


class _MarkupScan:
    """The parts of a document a browser acts on: tag attributes and script/style code.

    Text between tags is never scanned, so outside text that merely shows a URL, or
    shows escaped markup such as ``&lt;img src="https://..."&gt;`` in a table cell, is
    not taken for a reference; ``srcdoc`` documents (unescaped by the parser, as the
    browser does) and base64 ``data:text/html`` frames are scanned as documents too.
    """

    def __init__(self, page: str) -> None:
        from html.parser import HTMLParser

        self.attributes: list[tuple[str, str, str]] = []
        self.code: list[str] = []
        self.documents: list[str] = []
        scan = self

        class Parser(HTMLParser):
            def __init__(self) -> None:
                super().__init__(convert_charrefs=True)
                self.inside: str | None = None

            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                for name, value in attrs:
                    if value is not None:
                        scan.attributes.append((tag.lower(), name.lower(), value))
                if tag.lower() in ("script", "style"):
                    self.inside = tag.lower()

            def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                for name, value in attrs:
                    if value is not None:
                        scan.attributes.append((tag.lower(), name.lower(), value))

            def handle_endtag(self, tag: str) -> None:
                if tag.lower() == self.inside:
                    self.inside = None

            def handle_data(self, data: str) -> None:
                if self.inside:
                    scan.code.append(data)

        parser = Parser()
        parser.feed(page)
        parser.close()
        for _, name, value in self.attributes:
            if name == "srcdoc":
                self.documents.append(value)
        for text in [v for _, _, v in self.attributes] + self.code:
            self.documents.extend(base64.b64decode(m).decode("utf-8", "replace") for m in _DATA_HTML.findall(text))


def external_references(html: str) -> list[ExternalReference]:
    """List the network URLs a page refers to, as resources or as links.

    Looks at ``src``/``href``/``srcset``/``data``/``poster``/``action`` (and the other
    URL-valued) attributes, inline ``style`` attributes, CSS ``url()`` and ``@import``,
    ES module imports and WebSockets in script and style elements, in the page and in
    every frame embedded in it (``srcdoc`` or base64 ``data:text/html``, as folium maps
    are). Text outside tags is not looked at: a URL, or escaped markup, shown in a table
    cell from outside data is text, not a reference. The scan is deliberately
    over-cautious: a URL that also appears in a non-anchor position counts as a resource.

    Parameters
    ----------
    html : str
        A page.

    Returns
    -------
    list of ExternalReference
        Sorted, unique ``(kind, url)`` pairs; empty for a page that works offline.
    """
    found: set[ExternalReference] = set()
    todo, seen = [html], set()
    while todo:
        doc = todo.pop()
        if doc in seen:
            continue
        seen.add(doc)
        scan = _MarkupScan(doc)
        todo.extend(scan.documents)
        for tag, name, value in scan.attributes:
            if name in _URL_ATTRIBUTES:
                m = _LEADING_URL.match(value)
                if m:
                    kind = "link" if tag in ("a", "area") and name == "href" else "resource"
                    found.add(ExternalReference(kind, m.group(1)))
            elif name in ("srcset", "imagesrcset"):
                candidates = (part.split()[0] for part in value.split(",") if part.strip())
                found.update(ExternalReference("resource", url) for url in candidates if re.match(_URL, url))
            elif name == "style":
                found.update(ExternalReference("resource", m.group(1)) for m in _RESOURCE.finditer(value))
        for code in scan.code:
            # Markup built in script code (e.g. Leaflet's attribution ``<a href="...">``) is a
            # link where it is an anchor's href; every other URL-valued position is a resource.
            anchors = {m.start(1) for m in _CODE_ANCHOR.finditer(code)}
            found.update(ExternalReference("link" if m.start(1) in anchors else "resource", m.group(1))
                         for m in _RESOURCE.finditer(code))
    resources_ = {ref.url for ref in found if ref.kind == "resource"}
    return sorted(ref for ref in found if ref.kind == "resource" or ref.url not in resources_)
