import json

from workbench import catalog
from workbench.doctor import check_store, format_report, run_checks


def test_doctor_passes_on_a_healthy_workspace(use_home):
    findings = run_checks()
    failed = [f for f in findings if not f.ok and not f.warning]
    assert failed == []
    areas = {f.area for f in findings}
    assert areas == {"environment", "catalog", "store"}
    report = format_report(findings)
    assert "0 failed" in report and "rows in = stored + quarantined" in report


def test_doctor_finds_a_damaged_store(tmp_path, use_home):
    import shutil

    root = tmp_path / "store"
    shutil.copytree(catalog.store_root(), root)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["batches"][0]["new"] += 5
    (root / "manifest.json").write_text(json.dumps(manifest))
    (root / "incidents" / "part-orphan.parquet").write_bytes(b"junk")
    by_check = {f.check: f for f in check_store(root)}
    assert not by_check["rows in = stored + quarantined"].ok
    assert not by_check["batch counts match manifest"].ok
    assert by_check["no uncommitted files"].warning
    first = manifest["batches"][0]["files"]["incidents"][0]
    (root / first).unlink()
    assert not {f.check: f for f in check_store(root)}["batch files present"].ok
