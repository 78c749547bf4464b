import nbformat
import pytest

from tests.browser import open_offline
from workbench.share.export import export_html, external_references

pytestmark = pytest.mark.browser


def tiny_notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny report"),
        nbformat.v4.new_code_cell("import sys; print('secret code path', file=sys.stderr)\n"
                                  "from workbench.share import maps\nm = maps.offline_map(None)\nm"),
        nbformat.v4.new_code_cell("import pandas as pd\npd.DataFrame({'place': ['<b>bold</b>']})"),
    ]
    nbformat.write(nb, path)


def test_export_has_no_code_no_network_and_the_map_draws(tmp_path, browser):
    import papermill

    src, out = tmp_path / "tiny.ipynb", tmp_path / "tiny.out.ipynb"
    tiny_notebook(src)
    papermill.execute_notebook(str(src), str(out), kernel_name="python3", progress_bar=False)
    html_path = export_html(out, tmp_path / "tiny.html", title="Tiny")
    html = html_path.read_text(encoding="utf-8")
    assert "maps.offline_map" not in html and "import pandas" not in html  # no code cells
    assert "secret code path" not in html  # stderr is not content
    assert "&lt;b&gt;bold&lt;/b&gt;" in html  # table text escaped
    assert [u for kind, u in external_references(html) if kind == "resource"] == []
    page = open_offline(browser, html_path)
    assert page.count_in_frames(".leaflet-pane") >= 5
    assert page.console_errors == [] and page.page_errors == [] and page.blocked == []
    assert not list(tmp_path.glob(".*.tmp"))


def test_external_reference_scanner_sees_resources_and_links():
    html = ('<script src="https://cdn.example/x.js"></script><a href="https://example.org/">x</a>'
            '<style>@import url("//fonts.example/f.css");</style>')
    found = external_references(html)
    assert ("resource", "https://cdn.example/x.js") in found
    assert ("link", "https://example.org/") in found
    assert ("resource", "//fonts.example/f.css") in found
