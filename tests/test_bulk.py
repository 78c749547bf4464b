"""The bulk collector and the vectorised schema gate it relies on."""

import h3
import numpy as np
import pandas as pd
import pytest

from workbench.analyse.hexbin import latlng_cells
from workbench.collect import collect
from workbench.synthetic.bulk import synthetic_export
from workbench.schema import _short, coerce_incidents, incident_schema, validate_incidents
from workbench.store import Store

META = {"collector": "bulk", "source_name": "Traffik Analysis Hub", "chunk_rows": 300}


#: Row of :func:`planted` with no exploitation type: incomplete, not wrong (issue 12 item 1), so stored.
UNTYPED_ROW = 41


def planted(n: int = 1000, seed: int = 4) -> tuple[pd.DataFrame, dict[str, str]]:
    """A small export and its planted bad rows: record id -> the field that is wrong.

    Row ``UNTYPED_ROW`` has an empty exploitation type list: not bad, stored as ``not_recorded``.
    """
    frame = synthetic_export(n, seed=seed, n_places=30)
    bad = {}
    for row, field, value in ((5, "lat", 123.0), (17, "country_iso3", "XXX"), (40, "exploitation_types", ["nope"]),
                              (90, "victim_count", 0), (333, "language", "English"),
                              (650, "occurred_on", pd.Timestamp("1850-01-01"))):
        if row >= n:
            continue
        frame.at[row, field] = value
        bad[frame.at[row, "source_record_id"]] = field
    if UNTYPED_ROW < n:
        frame.at[UNTYPED_ROW, "exploitation_types"] = []
    return frame, bad


def test_missing_exploitation_type_is_stored_as_not_recorded_unknown_code_quarantined(tmp_path):
    frame, bad = planted(200)
    untyped = frame.at[UNTYPED_ROW, "source_record_id"]
    frame.to_parquet(tmp_path / "export.parquet")
    text = frame.copy()
    text["exploitation_types"] = text["exploitation_types"].map("|".join)  # [] -> blank cell
    text["means_of_control"] = text["means_of_control"].map("|".join)
    text.to_csv(tmp_path / "export.csv", index=False)
    text.drop(columns=["exploitation_types"]).to_csv(tmp_path / "no_types.csv", index=False)
    for name in ("export.parquet", "export.csv"):
        result = collect(tmp_path / name, META)
        stored = result.candidates.set_index("source_record_id")["exploitation_types"]
        assert stored[untyped] == ["not_recorded"], name
        assert untyped not in set(result.rejects["record"]), name
        wrong = result.rejects.set_index("record").loc[frame.at[40, "source_record_id"], "reason"]
        assert "field 'exploitation_types'=" in wrong and "nope" in wrong, name  # unknown code: record + field
    result = collect(tmp_path / "no_types.csv", META)  # the column is absent altogether
    assert result.rows_in == 200 and result.candidates["exploitation_types"].map(lambda v: list(v) == ["not_recorded"]).all()
    assert not result.rejects["reason"].str.contains("exploitation_types").any()


def test_parquet_export_reconciles_and_names_each_bad_record(tmp_path):
    frame, bad = planted()
    path = tmp_path / "export.parquet"
    frame.to_parquet(path, row_group_size=250)
    result = collect(path, META)
    assert result.rows_in == len(frame) == len(result.candidates) + len(result.rejects)
    assert sorted(result.rejects["record"]) == sorted(bad)
    for record, reason in zip(result.rejects["record"], result.rejects["reason"]):
        assert reason.startswith(f"record {record}: field '{bad[record]}'=")
    assert not set(result.candidates["source_record_id"]) & set(bad)


def test_cells_are_computed_from_the_coordinates(tmp_path):
    frame, _ = planted()
    path = tmp_path / "export.parquet"
    frame.to_parquet(path)
    cands = collect(path, META).candidates
    located = cands[cands["lat"].notna()]
    expected = [h3.latlng_to_cell(a, b, 7) for a, b in zip(located["lat"], located["lon"])]
    assert located["h3_cell"].tolist() == expected
    assert cands.loc[cands["lat"].isna(), "h3_cell"].isna().all()


def test_csv_export_with_text_lists_matches_parquet(tmp_path):
    frame, bad = planted()
    frame.to_parquet(tmp_path / "export.parquet")
    text = frame.copy()
    for col in ("exploitation_types", "means_of_control"):
        text[col] = text[col].map("|".join)
    text.to_csv(tmp_path / "export.csv", index=False)
    from_parquet = collect(tmp_path / "export.parquet", META)
    from_csv = collect(tmp_path / "export.csv", META)
    assert sorted(from_csv.rejects["record"]) == sorted(bad)
    keys = ["incident_id", "h3_cell", "country_iso3", "victim_count", "occurred_on"]
    pd.testing.assert_frame_equal(from_csv.candidates[keys], from_parquet.candidates[keys])
    assert from_csv.candidates["exploitation_types"].tolist() == from_parquet.candidates["exploitation_types"].tolist()


def test_records_without_an_id_are_named_by_their_row(tmp_path):
    frame, _ = planted(200)
    frame.loc[[3, 150], "source_record_id"] = None
    frame.to_parquet(tmp_path / "export.parquet", row_group_size=100)
    rejects = collect(tmp_path / "export.parquet", META).rejects
    named = rejects[rejects["record"].str.startswith("row ")]
    assert sorted(named["record"]) == ["row 151", "row 4"]  # 1 = first data row
    assert named["reason"].str.contains("field 'source_record_id'").all()


def test_ingest_through_the_store_accounts_for_every_row(tmp_path):
    frame, bad = planted()
    frame.to_parquet(tmp_path / "export.parquet")
    result = collect(tmp_path / "export.parquet", META)
    store = Store(tmp_path / "store")
    report = store.ingest(result.candidates, result.rejects, catalog_entry="tah", rows_in=result.rows_in,
                          source_file_sha256=result.source_file_sha256)
    assert (report.new, report.quarantined) == (len(frame) - len(bad), len(bad))
    assert store.counts()["incidents"] == len(frame) - len(bad)


def test_latlng_cells_match_h3_and_skip_missing_points():
    rng = np.random.default_rng(0)
    lat, lon = rng.uniform(-80, 80, 500), rng.uniform(-179, 179, 500)
    lat[:50] = lat[50:100]  # repeated points are indexed once, same answer
    lon[:50] = lon[50:100]
    lat[7], lon[8], lat[9] = np.nan, np.nan, 95.0
    cells = latlng_cells(lat, lon, 6)
    for i in range(500):
        expect = None if i in (7, 8, 9) else h3.latlng_to_cell(lat[i], lon[i], 6)
        assert cells[i] == expect


def test_fast_gate_reports_what_the_pandera_schema_reports():
    import pandera.pandas as pa

    frame, _ = planted(400)
    frame = frame.assign(catalog_entry="e", source_file_sha256="a" * 64, ingested_at=pd.Timestamp.now(tz="UTC"),
                         batch_id="b")
    frame.loc[[1, 2], "source_name"] = ["", None]
    frame.loc[3, "url"] = "ftp://x"
    frame.loc[4, "h3_cell"] = "not-a-cell"
    frame.loc[5, "incident_id"] = "XYZ"
    frame.loc[6, "summary"] = "s" * 2001
    frame.loc[7, "means_of_control"] = None
    data = coerce_incidents(frame)
    with pytest.raises(pa.errors.SchemaErrors) as err:
        incident_schema().validate(data, lazy=True)
    expected = {(int(c.index), f"field {c.column!r}={_short(c.failure_case)}: expected {c.check}")
                for c in err.value.failure_cases.itertuples()}
    _, rejected = validate_incidents(frame)
    rows = {rid: i for i, rid in enumerate(data["source_record_id"])}
    found = {(rows[r.split(":")[0].removeprefix("record ")], part)
             for r in rejected["reason"] for part in r.split(": ", 1)[1].split("; ") if "expected" in part}
    assert found == expected
    columns = {part.split("'")[1] for _, part in expected}
    assert columns >= {"source_name", "url", "h3_cell", "incident_id", "summary", "lat", "country_iso3",
                       "exploitation_types", "victim_count", "language"}


def test_small_and_large_inputs_hash_the_same_ids(monkeypatch):
    """Below DUCKDB_HASH_FROM records hashlib hashes the ids, above it DuckDB: the same ids, the same type."""
    import numpy as np

    from workbench.collect import bulk

    rng = np.random.default_rng(0)
    names = pd.Series(rng.choice(np.array(["STT app", "Harbour Light", "é\u2028x", None], dtype=object), 300))
    ids = pd.Series(rng.choice(np.array(["1", "abc", "\x00z", "", None, "9" * 50], dtype=object), 300))
    for name, rid in ((names, ids), (names.astype("string[pyarrow]"), ids.astype("string[pyarrow]"))):
        small = bulk.incident_ids(name, rid)
        monkeypatch.setattr(bulk, "DUCKDB_HASH_FROM", 0)
        large = bulk.incident_ids(name, rid)
        monkeypatch.undo()
        pd.testing.assert_series_equal(small, large)
        assert small.notna().sum() == (name.notna() & rid.notna()).sum()
