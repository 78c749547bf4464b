"""Helpers for the real-data tests: an empty workspace with catalog entries, the CLI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data" / "realdata"


def new_workspace(root: Path, entries: dict[str, dict[str, Any]], files: list[str | Path] = ()) -> Path:
    """``workbench init root``, copy fixture files to data/raw and list them in sources.yaml.

    ``entries`` maps entry name -> {"file": name in data/raw, **metadata}.
    """
    from workbench.workspace import init_workspace

    init_workspace(root)
    for f in files:
        src = Path(f) if Path(f).is_absolute() else DATA / f
        if src.is_dir():
            shutil.copytree(src, root / "data" / "raw" / src.name)
        else:
            shutil.copyfile(src, root / "data" / "raw" / src.name)
    write_sources(root, entries)
    return root


def write_sources(root: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Write catalogs/sources.yaml with one SourceRecords entry per item (no intake boilerplate)."""
    data, listed = {}, {}
    for name, spec in entries.items():
        spec = dict(spec)
        data[f"{name}_file"] = {"datatype": "intake.readers.datatypes:FileData",
                                "kwargs": {"url": "{CATALOG_DIR}/../data/raw/" + spec.pop("file")}}
        listed[name] = {"reader": "workbench.catalog:SourceRecords", "output_instance": "pandas:DataFrame",
                        "kwargs": {"args": [f"{{data({name}_file)}}"]}, "metadata": spec}
    (root / "catalogs" / "sources.yaml").write_text(
        yaml.safe_dump({"version": 2, "data": data, "entries": listed}, sort_keys=False), encoding="utf-8")


def cli(root: Path, *args: str) -> tuple[int, str]:
    """Run the workbench CLI in workspace ``root``; return (exit code, output)."""
    from typer.testing import CliRunner

    from workbench import catalog
    from workbench.cli import app

    old = os.environ.get("WORKBENCH_HOME")
    os.environ["WORKBENCH_HOME"] = str(root)
    catalog.clear_cache()
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        if old is None:
            os.environ.pop("WORKBENCH_HOME", None)
        else:
            os.environ["WORKBENCH_HOME"] = old
        catalog.clear_cache()
    return result.exit_code, result.output


def ingest_line(output: str, entry: str) -> tuple[int, int, int]:
    """(rows in, stored, quarantined) from the CLI's line for ``entry``."""
    import re

    for line in output.splitlines():
        if line.startswith(f"{entry}:"):
            m = re.search(r"rows in (\d+) = stored (\d+).*?\+ quarantined (\d+)", line)
            if m:
                return int(m.group(1)), int(m.group(2)), int(m.group(3))
    raise AssertionError(f"no ingest line for {entry} in:\n{output}")
