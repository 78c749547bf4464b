from pathlib import Path

from workbench.share.gallery import ReportEntry, write_index


def test_index_escapes_and_links(tmp_path):
    (tmp_path / "runs" / "r2").mkdir(parents=True)
    (tmp_path / "runs" / "r1").mkdir(parents=True)
    entries = [ReportEntry("<script>x</script>", Path("runs/r2/a.html"), {"region": "<b>"}, "partner", "now", "ok"),
               ReportEntry("B", Path("runs/r2/b.ipynb"), {}, "public", "now", "failed")]
    html = write_index(tmp_path, entries).read_text()
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert 'href="runs/r2/a.html"' in html and 'class="failed"' in html
    assert 'href="runs/r1/"' in html  # earlier runs listed
    assert "http" not in html
