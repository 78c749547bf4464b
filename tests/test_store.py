import json
import threading

import pandas as pd
import pytest

from workbench.store import ReconciliationError, Store
from tests.test_schema import record

SHA = "b" * 64


def candidates(ids, **over):
    return pd.DataFrame([record(i, **over) for i in ids]).drop(
        columns=["catalog_entry", "source_file_sha256", "ingested_at", "batch_id"])


def no_rejects():
    return pd.DataFrame(columns=["record", "reason", "raw"])


def test_ingest_reconciles_and_quarantines_with_reasons(tmp_path):
    store = Store(tmp_path / "store")
    cands = pd.concat([candidates([1, 2, 3]), candidates([4], lat=99.0)], ignore_index=True)
    rejects = pd.DataFrame([{"record": "line 9", "reason": "record line 9: invalid JSON", "raw": "{"}])
    report = store.ingest(cands, rejects, catalog_entry="src", source_file_sha256=SHA, rows_in=5)
    assert (report.rows_in, report.new, report.already_stored, report.quarantined) == (5, 3, 0, 2)
    assert "rows in 5 = stored 3" in str(report)
    assert store.counts() == {"incidents": 3, "quarantined": 2, "batches": 1}
    reasons = store.quarantine()["reason"].tolist()
    assert any("record 4: field 'lat'" in r for r in reasons)
    assert any("invalid JSON" in r for r in reasons)


def test_same_file_twice_adds_nothing(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest(candidates([1, 2]), no_rejects(), catalog_entry="src", source_file_sha256=SHA, rows_in=2)
    again = store.ingest(candidates([1, 2]), no_rejects(), catalog_entry="src", source_file_sha256=SHA, rows_in=2)
    assert again.skipped_reason and again.batch_id is None
    assert store.counts()["incidents"] == 2


def test_overlapping_new_file_stores_each_record_once(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest(candidates([1, 2]), no_rejects(), catalog_entry="src", source_file_sha256=SHA, rows_in=2)
    report = store.ingest(candidates([2, 3]), no_rejects(), catalog_entry="src", source_file_sha256="c" * 64,
                          rows_in=2)
    assert (report.new, report.already_stored, report.quarantined) == (1, 1, 0)
    assert sorted(store.incidents()["source_record_id"]) == ["1", "2", "3"]


def test_rows_in_must_match(tmp_path):
    with pytest.raises(ReconciliationError):
        Store(tmp_path).ingest(candidates([1]), no_rejects(), catalog_entry="s", source_file_sha256=SHA, rows_in=3)


def test_uncommitted_files_are_invisible_and_cleaned(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest(candidates([1]), no_rejects(), catalog_entry="src", source_file_sha256=SHA, rows_in=1)
    # a killed ingest leaves a data file the manifest does not list
    orphan = tmp_path / "store" / "incidents" / "part-orphan.parquet"
    candidates([7]).assign(catalog_entry="x", source_file_sha256=SHA, ingested_at=pd.Timestamp.now(tz="UTC"),
                           batch_id="o").to_parquet(orphan)
    assert store.counts()["incidents"] == 1
    store.ingest(candidates([2]), no_rejects(), catalog_entry="src", source_file_sha256="d" * 64, rows_in=1)
    assert not orphan.exists()
    assert store.counts()["incidents"] == 2


def test_writers_are_serialised(tmp_path):
    store = Store(tmp_path / "store")
    errors = []

    def work(k):
        try:
            store.ingest(candidates(range(k * 10, k * 10 + 10)), no_rejects(), catalog_entry=f"s{k}",
                         source_file_sha256=f"{k:x}" * 64, rows_in=10)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    manifest = json.loads((tmp_path / "store" / "manifest.json").read_text())
    assert len(manifest["batches"]) == 4
    assert store.counts()["incidents"] == 40


def test_round_trip_keeps_lists_and_types(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest(candidates([1], means_of_control=["debt_bondage", "isolation"]), no_rejects(),
                 catalog_entry="src", source_file_sha256=SHA, rows_in=1)
    got = store.incidents()
    assert got.loc[0, "means_of_control"] == ["debt_bondage", "isolation"]
    assert str(got["occurred_on"].dtype) == "datetime64[ns]"
    assert store.incidents(where="country_iso3 = ?", params=["GBR"]).empty


def test_store_written_before_mention_counts_still_reads(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest(candidates([1, 2]), no_rejects(), catalog_entry="src", source_file_sha256=SHA, rows_in=2)
    part = next((tmp_path / "store" / "incidents").glob("*.parquet"))
    pd.read_parquet(part).drop(columns="mention_count").to_parquet(part)  # an old batch file
    got = store.incidents()
    assert len(got) == 2 and got["mention_count"].isna().all() and str(got["mention_count"].dtype) == "Int64"
    assert store.mentions().empty and store.media_volume().empty
