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


def test_ingest_status_and_doctor_print_the_same_rows_in(tmp_path):
    import re

    from tests.realdata_helpers import cli, ingest_line, new_workspace

    entries = {"news_alerts": {"file": "news_alerts.csv", "collector": "news_export", "source_name": "News alerts"},
               "tip_flows": {"file": "tip_flows_2019.txt", "collector": "flows", "source_name": "TIP report 2019"}}
    root = new_workspace(tmp_path / "ws", entries, [e["file"] for e in entries.values()])
    code, ingested = cli(root, "ingest")
    assert code == 0, ingested
    _, status = cli(root, "status")
    _, doctor = cli(root, "doctor")
    for entry in entries:
        at_ingest = ingest_line(ingested, entry)[0]
        row = next(line for line in status.splitlines() if re.search(rf"\b{entry}\b", line))
        at_status = int(re.findall(r"\d[\d,]*", row.split(entry, 1)[1])[0].replace(",", ""))
        check = next(line for line in doctor.splitlines() if f"source {entry}" in line)
        at_doctor = int(re.search(r"rows in ([\d,]+)", check).group(1).replace(",", ""))
        assert at_ingest == at_status == at_doctor, (entry, at_ingest, at_status, at_doctor)
    assert ingest_line(ingested, "news_alerts")[0] == 4  # an item not about trafficking is a row in too


def test_doctor_steps_cover_every_check_in_order_for_its_progress(use_home, capsys):
    import io

    from workbench.doctor import steps
    from workbench.progress import Steps

    planned = steps()
    assert [name for name, _ in planned][:2] == ["environment", "catalogs"] and planned[-1][0] == "store"
    assert len(planned) == 3 + len(catalog.entries())  # one step per catalog entry
    log = io.StringIO()
    stepped = []
    with Steps(len(planned), "doctor", stream=log, rich=False) as progress:
        for name, check in planned:
            progress.start(name)
            stepped += list(check())
            progress.done("ok")
    assert [(f.area, f.check) for f in stepped] == [(f.area, f.check) for f in run_checks()]
    lines = log.getvalue().splitlines()
    assert f"[{len(planned)}/{len(planned)}] store: ok" in lines[-2] and "\x1b" not in log.getvalue()
