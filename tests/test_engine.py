"""The dask engine gives exactly what the pandas engine gives."""

import os
import re

import pandas as pd
import pytest

from workbench import engine as engines
from workbench.analyse.hexbin import hex_counts
from workbench.collect.bulk import collect_bulk
from workbench.synthetic.bulk import synthetic_export
from workbench.store import Store

META = {"collector": "bulk", "source_name": "Traffik Analysis Hub", "chunk_rows": 400}


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    frame = synthetic_export(2000, seed=11, n_places=40)
    frame.loc[[10, 1500], "lat"] = 123.0          # planted bad rows, in two different partitions
    frame.loc[700, "source_record_id"] = None
    frame.loc[901, ["source_name", "source_record_id"]] = frame.loc[900, ["source_name", "source_record_id"]].to_numpy()
    # ^ a duplicate record inside one chunk (the file's own incident_id column is never trusted)
    path = tmp_path_factory.mktemp("bulk") / "export.parquet"
    frame.to_parquet(path, row_group_size=200)
    return path


def test_engine_names_and_blocks(monkeypatch):
    monkeypatch.delenv("WORKBENCH_ENGINE", raising=False)
    assert engines.default_engine() == "pandas" and engines.active_engine() is None
    with engines.use("dask"):
        assert engines.default_engine() == "dask" and isinstance(engines.get_engine(), engines.DaskEngine)
    assert isinstance(engines.get_engine(), engines.PandasEngine)
    with pytest.raises(ValueError, match="spark"):
        engines.get_engine("spark")


def test_dask_collects_the_same_rows_and_rejects(client, export):
    on_pandas = collect_bulk(export, META | {"engine": "pandas"})
    on_dask = collect_bulk(export, META | {"engine": "dask"})
    assert on_pandas.rows_in == on_dask.rows_in == 2000
    pd.testing.assert_frame_equal(on_dask.candidates, on_pandas.candidates)
    pd.testing.assert_frame_equal(on_dask.rejects, on_pandas.rejects)
    assert len(on_pandas.rejects) == 4  # two out-of-range points, one missing id, one duplicate id
    assert "row 701" in set(on_pandas.rejects["record"])


def test_dask_and_pandas_store_identical_rows(client, export, tmp_path):
    stored = {}
    for name in ("pandas", "dask"):
        result = collect_bulk(export, META | {"engine": name})
        store = Store(tmp_path / name)
        report = store.ingest(result.candidates, result.rejects, catalog_entry="tah", rows_in=result.rows_in,
                              source_file_sha256=result.source_file_sha256)
        assert report.new + report.quarantined == 2000
        stored[name] = store.incidents().drop(columns=["ingested_at", "batch_id"])
    pd.testing.assert_frame_equal(stored["dask"], stored["pandas"])


@pytest.mark.parametrize("resolution", [5, 7, 8])
def test_dask_hex_counts_are_identical(client, resolution):
    incidents = synthetic_export(3000, seed=12, n_places=40, with_cells=True)
    on_pandas = hex_counts(incidents, resolution, engine="pandas")
    on_dask = hex_counts(incidents, resolution, engine="dask")
    pd.testing.assert_frame_equal(on_dask, on_pandas)
    assert on_dask.attrs == on_pandas.attrs
    assert on_pandas["count"].sum() + on_pandas.attrs["unlocated"] == len(incidents)


def test_hex_counts_takes_a_dask_frame(client):
    import dask.dataframe as dd

    incidents = synthetic_export(1000, seed=13, n_places=20)
    counts = hex_counts(dd.from_pandas(incidents, npartitions=3), 6)
    pd.testing.assert_frame_equal(counts, hex_counts(incidents, 6, engine="pandas"))


def test_environment_chooses_the_default_engine(monkeypatch):
    monkeypatch.setenv("WORKBENCH_ENGINE", "dask")
    assert engines.default_engine() == "dask"
    with engines.use("pandas"):
        assert engines.default_engine() == "pandas"
    assert os.environ["WORKBENCH_ENGINE"] == "dask"


def test_dask_counts_parquet_files_with_arrow_strings(client, tmp_path):
    import dask.dataframe as dd

    incidents = synthetic_export(1500, seed=14, n_places=20, with_cells=True)
    incidents.loc[[1, 2], "h3_cell"] = ["", None]  # blank cells fall back on the coordinates
    incidents.to_parquet(tmp_path / "part.parquet", row_group_size=500)
    with __import__("dask").config.set({"dataframe.convert-string": True}):
        frame = dd.read_parquet(tmp_path / "part.parquet", columns=["incident_id", "h3_cell", "lat", "lon"])
        counts = hex_counts(frame, 5, engine="dask")
    pd.testing.assert_frame_equal(counts, hex_counts(incidents, 5, engine="pandas"))


CATALOG = """version: 2
metadata: {description: bulk export}
user_parameters: {}
aliases: {}
data:
  export_file:
    datatype: intake.readers.datatypes:FileData
    kwargs: {url: '{CATALOG_DIR}/../data/export.parquet'}
    metadata: {}
    user_parameters: {}
entries:
  tah_export:
    reader: workbench.catalog:SourceRecords
    output_instance: pandas:DataFrame
    kwargs: {args: ['{data(export_file)}']}
    metadata: {collector: bulk, source_name: Traffik Analysis Hub, chunk_rows: 400}
    user_parameters: {}
"""


def test_cli_ingest_and_hotspots_take_an_engine(client, export, tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    from typer.testing import CliRunner

    from workbench import catalog
    from workbench.cli import app

    (tmp_path / "catalogs").mkdir()
    (tmp_path / "data").mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent / "catalogs" / "store.yaml", tmp_path / "catalogs")
    (tmp_path / "catalogs" / "bulk.yaml").write_text(CATALOG, "utf-8")
    shutil.copy(export, tmp_path / "data" / "export.parquet")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    catalog.clear_cache()
    try:
        done = CliRunner().invoke(app, ["ingest", "--engine", "dask"])
        assert done.exit_code == 0, done.output
        assert "rows in 2000 = stored 1996 (new 1996, already stored 0) + quarantined 4" in done.output
        outputs = []
        for name in ("pandas", "dask"):
            done = CliRunner().invoke(app, ["hotspots", "--resolution", "5", "--engine", name])
            assert done.exit_code == 0, done.output
            outputs.append(re.sub(r"\(\d+\.\d s\)", "", done.output))  # all but the time taken
        assert outputs[0] == outputs[1] and "located incidents" in outputs[0]
        done = CliRunner().invoke(app, ["ingest", "--engine", "spark"])
        assert done.exit_code == 1 and "not one of" in done.output
    finally:
        catalog.clear_cache()
