from pathlib import Path

import pytest

from workbench.share.export import external_references
from workbench.share.gallery import ReportEntry, write_index


def test_index_escapes_and_links(tmp_path):
    (tmp_path / "runs" / "r2").mkdir(parents=True)
    (tmp_path / "runs" / "r1").mkdir(parents=True)
    entries = [
        ReportEntry("<script>x</script>", Path("runs/r2/a b.html"), {"region": "<b>"}, "partner", "2026-11-22", "ok"),
        ReportEntry("B", tmp_path / "runs" / "r2" / "b.ipynb", {}, "public", "now", "failed"),
        ReportEntry("C", Path("javascript:alert(1)"), {}, "public", "now", "ok"),
    ]
    page = write_index(tmp_path, entries)
    html = page.read_text() + "".join(p.read_text() for p in sorted(tmp_path.glob("audience-*.html")))
    assert page == tmp_path / "index.html"
    # one page per audience, linked from the index; no page mixes audiences
    assert 'href="audience-partner.html"' in page.read_text() and 'href="audience-public.html"' in page.read_text()
    assert "a%20b.html" not in (tmp_path / "audience-public.html").read_text()
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "region=&lt;b&gt;" in html and "partner" in html and "2026-11-22" in html
    assert 'href="runs/r2/a%20b.html"' in html  # relative, percent-encoded
    assert 'href="runs/r2/b.ipynb"' in html and 'class="failed"' in html  # absolute path made relative
    assert 'href="javascript:' not in html and 'href="javascript%3Aalert%281%29"' in html
    assert 'href="runs/r1/"' in html  # earlier runs listed
    assert external_references(html) == [] and "http" not in html
    assert not list(tmp_path.glob(".*.tmp"))


def test_failure_page_says_honestly_whether_a_last_good_version_exists(tmp_path):
    from workbench.share.failure import failure_page

    none = failure_page(tmp_path / "a.error.html", "A <b>", {"region": "<x>"}, "ValueError: bad", None).read_text()
    assert "no earlier good version" in none and "last good version stays" not in none
    assert "{{" not in none and "&lt;b&gt;" in none and "&lt;x&gt;" in none
    kept = failure_page(tmp_path / "b.error.html", "B", {}, "ValueError: bad", None,
                        "../../latest/b.html", "2026-11-01T02:15:00").read_text()
    assert 'href="../../latest/b.html"' in kept and "last good version" in kept and "no earlier" not in kept


def test_paths_outside_the_reports_folder_are_refused(tmp_path):
    with pytest.raises(ValueError):
        write_index(tmp_path, [ReportEntry("x", Path("../elsewhere.html"))])
    with pytest.raises(ValueError):
        write_index(tmp_path, [ReportEntry("x", tmp_path.parent / "elsewhere.html")])
    assert not (tmp_path / "index.html").exists()
