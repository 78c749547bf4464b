"""A workspace of one's own: catalogs, crosswalks, data and reports, without the demo.

``workbench init DIR`` writes::

    DIR/catalogs/store.yaml        the curated store (incidents, quarantine, aggregates, flows...)
    DIR/catalogs/reference.yaml    Natural Earth boundaries and the city gazetteer
    DIR/catalogs/sources.yaml      your sources (empty; commented examples for every collector)
    DIR/crosswalks/                your crosswalks (looked up before the packaged ones)
    DIR/data/raw/                  where to put the files you bring
    DIR/data/reference/            boundaries (copied from the package's repository)
    DIR/reports/                   report output

Point the workbench at it with ``export WORKBENCH_HOME=DIR`` (or run from a folder
without its own ``catalogs/`` while ``WORKBENCH_HOME`` is unset: see
:func:`workspace`; ``workbench.catalog.workspace`` is the same function).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

_SOURCES = """\
# Your raw sources (intake 2 catalog). Each entry's metadata names its collector; paths
# are relative to this catalog's folder. `workbench ingest` reads every entry listed here
# (and only those); `workbench ingest ENTRY --replace` re-reads one after a fix.
# Collectors: app, partner (crosswalk), osint, osint_dump, news_export, bulk, ctdc,
# points, aggregates, flows. See README "Bring your own data" for one example of each.
version: 2
metadata:
  description: Raw sources of this workspace
user_parameters: {}
aliases: {}
data: {}
#  ctdc_file:
#    datatype: intake.readers.datatypes:FileData
#    kwargs: {url: '{CATALOG_DIR}/../data/raw/ctdc_global_synthetic.csv'}
entries: {}
#  ctdc_2023:
#    reader: workbench.catalog:SourceRecords
#    output_instance: pandas:DataFrame
#    kwargs: {args: ['{data(ctdc_file)}']}
#    metadata:
#      collector: ctdc
#      source_name: CTDC global k-anonymised
#      reported_at: '2024-01-01'
"""

_README = """\
Crosswalks of this workspace: <name>.yaml maps a partner's columns and categories onto
the workbench taxonomy (see the packaged examples in workbench/resources/crosswalks/).
A crosswalk here is used before a packaged one of the same name.
"""


def workspace() -> Path:
    """Return the workspace folder holding ``catalogs/``, ``data/`` and ``reports/``.

    Returns
    -------
    Path
        ``$WORKBENCH_HOME``, or the repository root, or the current folder.
    """
    env = os.environ.get("WORKBENCH_HOME")
    if env:
        return Path(env).resolve()
    repo = Path(__file__).resolve().parent.parent
    if (repo / "catalogs").is_dir():
        return repo
    return Path.cwd()


def workspace_folder(name: str) -> Path:
    """Return ``<workspace>/<name>`` when it exists, else the repository's folder.

    Parameters
    ----------
    name : str
        ``notebooks`` or ``plans``.

    Returns
    -------
    Path
        The folder (a test workspace may bring its own, or use the repository's).
    """
    local = workspace() / name
    return local if local.is_dir() else Path(__file__).resolve().parent.parent / name


def init_workspace(root: str | Path, force: bool = False) -> Path:
    """Create an empty workspace (no demo data).

    Parameters
    ----------
    root : str or Path
        The folder; created if missing.
    force : bool
        Write into a folder that already has ``catalogs/`` (existing files are kept).

    Returns
    -------
    Path
        The workspace folder (resolved).

    Raises
    ------
    FileExistsError
        When ``root/catalogs`` exists and ``force`` is false.
    """
    repo = Path(__file__).resolve().parent.parent
    root = Path(root).resolve()
    if (root / "catalogs").exists() and not force:
        raise FileExistsError(f"{root} already has catalogs/; use --force to add what is missing")
    for sub in ("catalogs", "crosswalks", "data/raw", "data/reference", "reports"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for name in ("store.yaml", "reference.yaml"):
        target = root / "catalogs" / name
        if not target.exists():
            shutil.copyfile(repo / "catalogs" / name, target)
    sources = root / "catalogs" / "sources.yaml"
    if not sources.exists():
        sources.write_text(_SOURCES, encoding="utf-8")
    readme = root / "crosswalks" / "README.txt"
    if not readme.exists():
        readme.write_text(_README, encoding="utf-8")
    for path in sorted((repo / "data" / "reference").glob("*.geojson")):
        target = root / "data" / "reference" / path.name
        if not target.exists():
            shutil.copyfile(path, target)
    return root
