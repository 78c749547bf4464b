"""A bulk export streamed into the store chunk by chunk stores what the in-memory ingest stores.

``Store.ingest_chunks`` writes each checked chunk as it is read (memory about one chunk);
these tests pin that it gives the same rows, quarantine, report and file schema as
``Store.ingest(..., validated=True)`` on the joined chunks, that ids repeated across
chunks and ids already stored are told apart, and that a failure half way commits nothing.
"""

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from workbench.collect import collect
from workbench.collect.bulk import bulk_chunks
from workbench.exceptions import EmptyReadError
from workbench.schema import SeenIds
from workbench.store import Store
from workbench.synthetic.bulk import synthetic_export

META = {"collector": "bulk", "source_name": "Traffik Analysis Hub", "chunk_rows": 100}


def export(tmp_path, n=400, seed=5):
    """An export of ``n`` rows in 100-row chunks, a few bad rows and two records repeated later."""
    frame = synthetic_export(n, seed=seed, n_places=25)
    frame["source_name"] = META["source_name"]
    frame.at[3, "lat"] = 123.0
    frame.at[150, "country_iso3"] = "XXX"
    frame = pd.concat([frame, frame.iloc[[7, 120]]], ignore_index=True)  # repeats, in the last chunk
    path = tmp_path / "export.parquet"
    frame.to_parquet(path, index=False, row_group_size=100)
    return path


def stored(root):
    store = Store(root)
    incidents = store.incidents().drop(columns=["ingested_at", "batch_id"])
    quarantine = store.quarantine()[["record", "reason", "raw"]]
    quarantine["raw"] = [json.dumps({k: v for k, v in json.loads(r).items() if k not in ("batch_id", "ingested_at")})
                         for r in quarantine["raw"]]
    return incidents, quarantine


def test_streamed_ingest_stores_what_the_in_memory_ingest_stores(tmp_path):
    path = export(tmp_path)
    result = collect(path, META)
    at = pd.Timestamp("2026-11-01T10:00:00Z")
    whole = Store(tmp_path / "whole").ingest(result.candidates, result.rejects, catalog_entry="tah", ingested_at=at,
                                             source_file_sha256=result.source_file_sha256, rows_in=result.rows_in,
                                             validated=True)
    sha, chunks = bulk_chunks(path, META)
    streamed = Store(tmp_path / "streamed").ingest_chunks(chunks, catalog_entry="tah", source_file_sha256=sha,
                                                          ingested_at=at)
    assert (streamed.rows_in, streamed.new, streamed.already_stored, streamed.quarantined) == \
        (whole.rows_in, whole.new, whole.already_stored, whole.quarantined) == (402, 398, 0, 4)
    assert streamed.top_reasons == whole.top_reasons
    got, got_q = stored(tmp_path / "streamed")
    want, want_q = stored(tmp_path / "whole")
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(got_q, want_q)
    for kind in ("incidents", "quarantine"):
        (a,), (b,) = (list((tmp_path / s / kind).glob("*.parquet")) for s in ("streamed", "whole"))
        assert pq.read_schema(a).equals(pq.read_schema(b), check_metadata=True)


def test_streamed_ingest_counts_ids_already_stored_and_replaces(tmp_path):
    path = export(tmp_path)
    root = tmp_path / "store"
    first = Store(root).ingest_chunks(bulk_chunks(path, META)[1], catalog_entry="a", source_file_sha256="1" * 64)
    again = Store(root).ingest_chunks(bulk_chunks(path, META)[1], catalog_entry="b", source_file_sha256="2" * 64)
    assert (again.new, again.already_stored, again.quarantined) == (0, first.new, first.quarantined)
    skipped = Store(root).ingest_chunks(iter(()), catalog_entry="a", source_file_sha256="1" * 64)
    assert skipped.skipped_reason
    replaced = Store(root).ingest_chunks(bulk_chunks(path, META)[1], catalog_entry="b", source_file_sha256="3" * 64,
                                         replace=True)
    assert replaced.replaced and Store(root).counts()["incidents"] == first.new


def test_a_failure_half_way_commits_nothing(tmp_path):
    path = export(tmp_path)
    root = tmp_path / "store"

    def failing():
        for i, chunk in enumerate(bulk_chunks(path, META)[1]):
            if i == 2:
                raise EmptyReadError("stop")
            yield chunk

    with pytest.raises(EmptyReadError):
        Store(root).ingest_chunks(failing(), catalog_entry="a", source_file_sha256="1" * 64)
    assert not (root / "manifest.json").exists()
    assert not [p for p in root.rglob("*") if p.is_file() and p.name != ".lock"]


def test_seen_ids_are_exact_for_hex_and_other_ids():
    seen = SeenIds()
    first = pd.Series(["00000000000000ff", "abcdefabcdef0123", "ID-1", None], dtype="string")
    assert not seen.add(first).any()
    second = pd.Series(["abcdefabcdef0123", "ABCDEFABCDEF0123", "id-1", "ID-1", "00000000000000fe", None],
                       dtype="string")
    assert seen.add(second).tolist() == [True, False, False, True, False, False]
    assert len(seen) == 6 and np.all(np.diff(seen.numbers.astype(np.float64)) > 0)
