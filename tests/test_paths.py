"""Source paths are confined to the workspace and must be regular files, checked before opening."""

from __future__ import annotations

import json
import os
import shutil
import signal
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from tests.workspace import REPO, home
from workbench import catalog
from workbench.collect.files import SourceFileError, confined_path, read_source_bytes

REPORT = {"report_id": "A", "submitted_at": "2025-03-01T10:00:00Z", "incident_date": "2025-02-10", "language": "en",
          "country": "GB", "exploitation": ["forced_labour"]}


def _catalog(root, url: str, extra: str = "") -> None:
    (root / "catalogs").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "catalogs" / "store.yaml", root / "catalogs" / "store.yaml")
    (root / "catalogs" / "sources.yaml").write_text(f"""version: 2
metadata: {{description: test}}
user_parameters: {{}}
aliases: {{}}
data:
  f:
    datatype: intake.readers.datatypes:FileData
    kwargs: {{url: '{url}'}}
    metadata: {{}}
    user_parameters: {{}}
entries:
  app_reports:
    reader: workbench.catalog:SourceRecords
    output_instance: pandas:DataFrame
    kwargs: {{args: ['{{data(f)}}']}}
    metadata: {{collector: app, source_name: app{extra}}}
    user_parameters: {{}}
""")


@contextmanager
def no_hang(seconds: int):
    """Fail (instead of hanging the suite) when the block takes longer than ``seconds``."""
    def fail(signum, frame):  # pragma: no cover - reaching it is the failure
        raise TimeoutError(f"hung for {seconds} s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def outside(tmp_path):
    secret = tmp_path / "outside" / "secret.jsonl"
    secret.parent.mkdir()
    secret.write_text(json.dumps(REPORT) + "\n")
    return secret


def _ingest(root):
    from workbench.ingest import ingest_entry

    with home(root):
        return ingest_entry("app_reports")


@pytest.mark.parametrize("url", [
    "{CATALOG_DIR}/../../outside/secret.jsonl",
    "{CATALOG_DIR}/../data/../../outside/secret.jsonl",
    "/etc/passwd",
    "{CATALOG_DIR}/../../../../../../../../etc/passwd",
])
def test_a_catalog_path_outside_the_workspace_is_refused(tmp_path, outside, url):
    root = tmp_path / "ws"
    _catalog(root, url)
    with pytest.raises(SourceFileError, match="outside the workspace"):
        _ingest(root)
    assert not (root / "data" / "store").exists()  # nothing read, nothing stored


def test_a_symlink_pointing_outside_is_refused_and_one_inside_is_read(tmp_path, outside):
    root = tmp_path / "ws"
    (root / "data").mkdir(parents=True)
    (root / "data" / "link.jsonl").symlink_to(outside)
    _catalog(root, "{CATALOG_DIR}/../data/link.jsonl")
    with pytest.raises(SourceFileError, match="outside the workspace"):
        _ingest(root)
    (root / "data" / "real.jsonl").write_text(json.dumps(REPORT) + "\n")
    (root / "data" / "inner.jsonl").symlink_to(root / "data" / "real.jsonl")
    _catalog(root, "{CATALOG_DIR}/../data/inner.jsonl")
    assert _ingest(root).new == 1


def test_a_folder_listed_in_allowed_roots_may_hold_sources(tmp_path, outside):
    root = tmp_path / "ws"
    _catalog(root, "{CATALOG_DIR}/../../outside/secret.jsonl", extra=", allowed_roots: ['../outside']")
    assert _ingest(root).new == 1


def test_a_fifo_is_refused_before_anything_opens_it(tmp_path):
    root = tmp_path / "ws"
    (root / "data").mkdir(parents=True)
    os.mkfifo(root / "data" / "pipe.jsonl")
    _catalog(root, "{CATALOG_DIR}/../data/pipe.jsonl")
    with no_hang(20):
        with pytest.raises(SourceFileError, match="FIFO"):
            _ingest(root)
        with pytest.raises(SourceFileError, match="not a regular file"):
            read_source_bytes(root / "data" / "pipe.jsonl")


def test_folders_devices_and_missing_files_are_refused(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(SourceFileError, match="is a folder"):
        confined_path(tmp_path / "d", tmp_path)
    with pytest.raises(SourceFileError, match="no such file"):
        confined_path(tmp_path / "nope", tmp_path)
    with pytest.raises(SourceFileError, match="outside the workspace|is a device"):
        confined_path("/dev/null", tmp_path)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(SourceFileError, match="cannot be resolved"):
        confined_path(loop, tmp_path)


def test_cli_ingest_names_the_refused_path_in_one_line(tmp_path, outside, monkeypatch):
    from workbench.cli import app

    root = tmp_path / "ws"
    _catalog(root, "{CATALOG_DIR}/../../outside/secret.jsonl")
    monkeypatch.setenv("WORKBENCH_HOME", str(root))
    catalog.clear_cache()
    result = CliRunner().invoke(app, ["ingest"])
    catalog.clear_cache()
    assert result.exit_code == 1 and "Traceback" not in result.output
    refused = [line for line in result.output.splitlines() if "NOT INGESTED:" in line]
    assert len(refused) == 1 and "outside the workspace" in refused[0]  # one line naming the path (plus progress)


def test_every_collector_gets_the_size_cap_from_the_catalog(tmp_path):
    root = tmp_path / "ws"
    (root / "data").mkdir(parents=True)
    (root / "data" / "big.jsonl").write_text((json.dumps(REPORT) + "\n") * 50)
    _catalog(root, "{CATALOG_DIR}/../data/big.jsonl", extra=", max_bytes: 100")
    with pytest.raises(SourceFileError, match=r"over the limit of 100 \(metadata.max_bytes\)"):
        _ingest(root)
