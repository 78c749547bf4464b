"""Fault tolerance: killed ingests leave the store as it was; writers queue; re-runs finish."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.store import Store

REPO = Path(__file__).resolve().parent.parent
INGEST = """
import sys
from workbench.collect import collect
from workbench.store import Store
path, root = sys.argv[1], sys.argv[2]
result = collect(path, {"collector": "app", "source_name": "app"})
Store(root).ingest(result.candidates, result.rejects, catalog_entry=sys.argv[3],
                   source_file_sha256=result.source_file_sha256, rows_in=result.rows_in)
print("committed", flush=True)
"""


@pytest.fixture(scope="module")
def big_app_file(tmp_path_factory):
    from workbench.synthetic import DemoConfig
    from workbench.synthetic.demo import generate_sources

    out = tmp_path_factory.mktemp("big")
    # the incident sources only: the app file is the one generate_demo writes (the other
    # generators, transactions, suppliers and article dumps, run after it and are not read here)
    generate_sources(out, DemoConfig(seed=11, scale=2.0, news_items=10))
    return out / "app_reports.jsonl"


def start(path, root, entry="app"):
    return subprocess.Popen([sys.executable, "-c", INGEST, str(path), str(root), entry], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_ingest_leaves_the_store_as_it_was(tmp_path, big_app_file):
    from workbench.doctor import check_store

    root = tmp_path / "store"
    seen_states = set()
    for delay in (0.5, 1.5, 2.5, 3.5, 5.0):
        before = Store(root).counts() if (root / "manifest.json").exists() else {"incidents": 0, "batches": 0}
        proc = start(big_app_file, root)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = Store(root).counts() if (root / "manifest.json").exists() else {"incidents": 0, "batches": 0}
        json.loads((root / "manifest.json").read_text()) if (root / "manifest.json").exists() else None
        committed = after["batches"] == before["batches"] + 1
        assert after["batches"] in (before["batches"], before["batches"] + 1)
        assert committed or after["incidents"] == before["incidents"]
        seen_states.add(committed)
        if (root / "manifest.json").exists():
            assert all(f.ok or f.warning for f in check_store(root))
        if committed:
            break
    # re-running after the crash completes, adds every record once, and cleans orphans
    proc = start(big_app_file, root)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    store = Store(root)
    con = store.connect()
    n, distinct = con.execute("SELECT count(*), count(DISTINCT incident_id) FROM incidents").fetchone()
    con.close()
    assert n == distinct > 0
    assert store.counts()["batches"] == 1
    assert all(f.ok for f in check_store(root) if f.check == "no uncommitted files")
    assert False in seen_states  # at least one kill really interrupted an ingest


def test_concurrent_ingests_from_processes_are_serialised(tmp_path, big_app_file):
    root = tmp_path / "store"
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(big_app_file.read_bytes())
    procs = [start(big_app_file, root, "a"), start(copy, root, "b")]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    store = Store(root)
    ledger = store.batches()
    assert sorted(ledger["catalog_entry"]) == ["a", "b"]
    # the same records under two entries: the second ingest found them all already stored
    assert sorted(ledger["new"].tolist())[0] == 0
    assert (ledger["rows_in"] == ledger["new"] + ledger["already_stored"] + ledger["quarantined"]).all()
