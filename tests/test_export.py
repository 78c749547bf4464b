import base64
import re

import nbformat
import pytest

from tests.browser import open_offline
from tests.workspace import REPO
from workbench.share.export import export_html, external_references

pytestmark = pytest.mark.browser

COUNTRIES = REPO / "data" / "reference" / "ne_110m_admin_0_countries.geojson"


def tiny_notebook(path, extra_markdown=""):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny report\nSee [the source](https://example.org/about) and $x^2$."
                                      + extra_markdown),
        nbformat.v4.new_code_cell(
            "import sys; print('secret code path', file=sys.stderr)\n"
            "import geopandas as gpd, pandas as pd\nfrom workbench.share import maps\n"
            f"m = maps.offline_map(gpd.read_file({str(COUNTRIES)!r}).rename(columns={{'NAME': 'name'}}))\n"
            "maps.add_points(m, pd.DataFrame({'lat': [40.4], 'lon': [-3.7], 'place': ['<i>Madrid</i>']}), "
            "popup_cols=['place'])\nm"),
        nbformat.v4.new_code_cell("pd.DataFrame({'place': ['<b>bold</b>']})"),
    ]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    import papermill

    folder = tmp_path_factory.mktemp("export")
    out = folder / "tiny.out.ipynb"
    papermill.execute_notebook(str(tiny_notebook(folder / "tiny.ipynb")), str(out), kernel_name="python3",
                               progress_bar=False)
    return out


def test_export_has_no_code_no_network_and_the_map_draws(executed, tmp_path, browser):
    html_path = export_html(executed, tmp_path / "tiny.html", title="Tiny <report>")
    html = html_path.read_text(encoding="utf-8")
    assert "<title>Tiny &lt;report&gt;</title>" in html
    assert "maps.offline_map" not in html and "import geopandas" not in html  # no code cells
    assert "secret code path" not in html  # stderr is not content
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and re.search(r"<iframe[^>]*\ssrcdoc=", html)
    assert external_references(html) == [("link", "https://example.org/about"), ("link", "https://leafletjs.com")]
    assert not list(tmp_path.glob(".*.tmp"))
    with open_offline(browser, html_path) as page:
        assert page.problems == []
        assert len(page.page.frames) == 2  # the report and the map's srcdoc frame
        assert page.count_in_frames(".jp-CodeCell .jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt") == 0
        assert page.count_in_frames(".jp-OutputArea-output") == 2  # the map and the table
        assert page.count_in_frames(".leaflet-pane") >= 5
        assert page.count_in_frames("path.leaflet-interactive") >= 150  # countries and the point
        assert "Tiny report" in page.text_in_frames()


def test_stock_lab_template_fetches_from_cdns_ours_does_not(tmp_path):
    from nbconvert import HTMLExporter

    nb = tiny_notebook(tmp_path / "plain.ipynb")
    stock, _ = HTMLExporter(template_name="lab").from_filename(str(nb))
    fetched = " ".join(url for kind, url in external_references(stock) if kind == "resource")
    assert "require.js" in fetched and "mathjax" in fetched and "mermaid" in fetched
    ours = export_html(nb, tmp_path / "plain.html").read_text(encoding="utf-8")
    assert [ref for ref in external_references(ours) if ref.kind == "resource"] == []
    assert "<title>plain</title>" in ours


def test_export_refuses_a_page_that_would_fetch_something(tmp_path):
    nb = tiny_notebook(tmp_path / "remote.ipynb", "\n\n![logo](https://example.org/logo.png)")
    with pytest.raises(ValueError, match="example.org/logo.png"):
        export_html(nb, tmp_path / "remote.html")
    assert not (tmp_path / "remote.html").exists() and not list(tmp_path.glob(".*.tmp"))


def test_external_reference_scanner():
    inner = '<script src="https://cdn.example/in-frame.js"></script>'
    frame64 = base64.b64encode(f'<img src="//img.example/x.png">{inner}'.encode()).decode()
    html = ('<script src="https://cdn.example/x.js"></script><a href="https://example.org/">x</a>'
            '<style>@import url("//fonts.example/f.css"); /* see https://comment.example/ */'
            ' body { background: url(https://img.example/bg.png) }</style>'
            '<img srcset="https://img.example/a.png 1x, /local.png 2x">'
            '<script type="module">import mermaid from "https://cdnjs.example/m.mjs";</script>'
            '<iframe srcdoc="&lt;link rel=&quot;stylesheet&quot; href=&quot;https://css.example/s.css&quot;&gt;">'
            f'</iframe><iframe src="data:text/html;base64,{frame64}"></iframe>'
            '<a href="#top">top</a><img src="data:image/png;base64,AAAA"><script src="local.js"></script>')
    found = external_references(html)
    assert [url for kind, url in found if kind == "link"] == ["https://example.org/"]
    assert sorted(url for kind, url in found if kind == "resource") == sorted([
        "https://cdn.example/x.js", "//fonts.example/f.css", "https://img.example/bg.png",
        "https://img.example/a.png", "https://cdnjs.example/m.mjs", "https://css.example/s.css",
        "//img.example/x.png", "https://cdn.example/in-frame.js"])
    assert external_references('<a href="https://e.org/x">x</a><link rel="preload" href="https://e.org/x">') == [
        ("resource", "https://e.org/x")]  # also fetched: a resource
