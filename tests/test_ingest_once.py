"""Bulk ingest validates each row once: the same stored rows and quarantine as checking twice.

The bulk collector checks every chunk as it reads it (Arrow-held text and lists) and the
store then only rejects ids repeated across chunks. These tests ingest a small seeded
export with planted bad rows (in every chunk, and a record repeated in a later chunk)
both ways, the one-pass path and the full second check on Python objects, and compare
what the store holds; and they pin the expected records, reasons and cells.
"""

import json

import numpy as np
import pandas as pd
import pytest

from workbench.collect import collect
from workbench.grid import latlng_cells
from workbench.ingest import file_under_catalog_source
from workbench.store import Store
from workbench.synthetic.bulk import synthetic_export

META = {"collector": "bulk", "source_name": "Traffik Analysis Hub", "chunk_rows": 100}


def seeded_export(n: int = 400, seed: int = 11) -> tuple[pd.DataFrame, dict[str, str]]:
    """An export of ``n`` rows (4 chunks), its planted bad records -> the field named in the reason."""
    frame = synthetic_export(n, seed=seed, n_places=25)
    frame["source_name"] = META["source_name"]  # (rows naming another source are covered in test_bulk)
    bad = {}
    for row, field, value in ((3, "lat", 123.0), (120, "country_iso3", "XXX"),
                              (230, "exploitation_types", ["forced_labour", "people_smuggling"]),
                              (260, "means_of_control", ["debt_bondage", "  "]), (310, "victim_count", 0),
                              (350, "language", "English"), (390, "source_reliability", "Z")):
        frame.at[row, field] = value
        bad[frame.at[row, "source_record_id"]] = field
    frame.at[50, "exploitation_types"] = []  # incomplete, not wrong: stored as not_recorded
    frame.at[51, "means_of_control"] = None  # no means recorded: stored as an empty list
    repeated = frame.iloc[[7]]  # record 7 again, in the last chunk: the later copy is rejected
    return pd.concat([frame, repeated], ignore_index=True), bad


def _python_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Arrow-held columns as Python objects (the path every other collector takes)."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.ArrowDtype):
            out[name] = pd.Series([None if v is None else list(v) for v in out[name].tolist()], index=out.index,
                                  dtype=object)
        elif isinstance(out[name].dtype, pd.StringDtype):
            out[name] = out[name].astype(object).where(out[name].notna(), None)
    return out


def _stored(store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    incidents = store.incidents().drop(columns=["ingested_at", "batch_id", "catalog_entry"])
    quarantine = store.quarantine()[["record", "reason", "raw"]].sort_values("record").reset_index(drop=True)
    # a record rejected by the store carries its batch's provenance (a fresh id and time per store)
    quarantine["raw"] = [json.dumps({k: v for k, v in json.loads(r).items() if k not in ("batch_id", "ingested_at")})
                         for r in quarantine["raw"]]
    return incidents, quarantine


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_one_pass_stores_what_the_double_check_stores(tmp_path, fmt):
    frame, bad = seeded_export()
    path = tmp_path / f"export.{fmt}"
    if fmt == "parquet":
        frame.to_parquet(path, index=False, row_group_size=100)
    else:
        text = frame.copy()
        for name in ("exploitation_types", "means_of_control"):
            text[name] = text[name].map(lambda v: "|".join(v) if isinstance(v, (list, np.ndarray)) else "")
        text.to_csv(path, index=False)
    result = collect(path, META)
    assert result.notes["validated"] and result.notes["chunks"] == (5 if fmt == "parquet" else 1)
    once = Store(tmp_path / "once").ingest(result.candidates, result.rejects, catalog_entry="tah",
                                           source_file_sha256=result.source_file_sha256, rows_in=result.rows_in,
                                           validated=True)
    candidates = _python_objects(result.candidates)
    file_under_catalog_source(candidates, META)  # what ingest_entry did before: ids computed again
    twice = Store(tmp_path / "twice").ingest(candidates, result.rejects, catalog_entry="tah",
                                             source_file_sha256=result.source_file_sha256, rows_in=result.rows_in)
    blank_part_dropped = fmt == "csv"  # "debt_bondage|  " is one code and a blank part, dropped
    wrong = len(bad) - blank_part_dropped
    assert (once.new, once.quarantined) == (twice.new, twice.quarantined) == (400 - wrong, wrong + 1)
    assert once.top_reasons == twice.top_reasons
    got, got_q = _stored(Store(tmp_path / "once"))
    want, want_q = _stored(Store(tmp_path / "twice"))
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(got_q, want_q)


def test_one_pass_expected_records_reasons_and_cells(tmp_path):
    frame, bad = seeded_export()
    frame.to_parquet(tmp_path / "export.parquet", index=False, row_group_size=100)
    result = collect(tmp_path / "export.parquet", META)
    store = Store(tmp_path / "store")
    report = store.ingest(result.candidates, result.rejects, catalog_entry="tah",
                          source_file_sha256=result.source_file_sha256, rows_in=result.rows_in, validated=True)
    assert report.rows_in == 401 == report.new + report.quarantined
    incidents, quarantine = _stored(store)
    reasons = dict(zip(quarantine["record"], quarantine["reason"]))
    for record, field in bad.items():
        assert f"field '{field}'=" in reasons[record], (record, reasons[record])
    assert reasons[bad_record(frame, 230)].endswith(
        "field 'exploitation_types'=['forced_labour', 'people_smuggling']: expected a non-empty list of codes "
        "from the taxonomy")
    assert "['debt_bondage', '  ']" in reasons[bad_record(frame, 260)]
    repeated = frame.at[7, "source_record_id"]
    assert reasons[repeated] == f"record {repeated}: field 'incident_id': duplicate of an earlier record in this batch"
    raw = json.loads(quarantine.set_index("record").at[bad_record(frame, 3), "raw"])
    assert raw["lat"] == 123.0 and raw["exploitation_types"].startswith("[")  # the row as read from the file
    rows = incidents.set_index("source_record_id")
    assert rows.at[frame.at[50, "source_record_id"], "exploitation_types"] == ["not_recorded"]
    assert rows.at[frame.at[51, "source_record_id"], "means_of_control"] == []
    kept = frame.drop_duplicates("source_record_id").set_index("source_record_id").loc[rows.index]
    cells = latlng_cells(kept["lat"].to_numpy(float), kept["lon"].to_numpy(float))
    assert [c if isinstance(c, str) else None for c in rows["h3_cell"].tolist()] == cells.tolist()
    assert set(rows.index).isdisjoint(bad)


def bad_record(frame: pd.DataFrame, row: int) -> str:
    """The record id of a row of the export."""
    return str(frame.at[row, "source_record_id"])
