"""Store integrity: the manifest against the files it lists, and repair from the raw files.

The store's manifest lists every committed batch and its Parquet files. A file deleted or
a manifest cut short (a full disk, a careless clean-up) must not go unnoticed: every
``workbench`` command that reads or writes the store calls :func:`check_store` first and
stops with one line naming the damage. ``workbench repair`` (:func:`repair_store`) then
drops each damaged batch and ingests its catalog entry's raw file again (raw files are
immutable, so the same records come back with the same ids); a manifest that cannot be
read is first rebuilt from the batch files' own provenance columns, the damaged one kept
aside as ``manifest.json.damaged-<time>``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import catalog
from workbench.exceptions import StoreIntegrityError
from workbench.ingest import ingest_entry
from workbench.store import FILE_KINDS, MANIFEST_VERSION, Store, _write_text_atomic


@dataclass
class Damage:
    """What is wrong with a store.

    Attributes
    ----------
    manifest_error : str or None
        Why the manifest cannot be read, when it cannot.
    batches : list of dict
        Damaged batches: ``batch_id``, ``catalog_entry``, ``source_file_sha256`` and the
        ``missing`` files (relative to the store root).
    """

    manifest_error: str | None = None
    batches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is damaged."""
        return self.manifest_error is None and not self.batches

    def describe(self, root: Path) -> str:
        """One line naming the damage and the command that repairs it."""
        if self.manifest_error is not None:
            return f"store {root} is damaged: its manifest cannot be read ({self.manifest_error}); run `workbench repair`"
        first = self.batches[0]
        more = f" and {len(self.batches) - 1} other batch(es)" if len(self.batches) > 1 else ""
        return (f"store {root} is damaged: batch {first['batch_id']} ({first['catalog_entry']}) lost "
                f"{', '.join(first['missing'][:2])}{more}; run `workbench repair`")


def inspect_store(root: str | Path) -> Damage:
    """Compare the manifest with the files on disk (cheap: no data file is read).

    Parameters
    ----------
    root : str or Path
        Store root.

    Returns
    -------
    Damage
        ``ok`` when the manifest reads and every file it lists is there (a store that
        does not exist yet is not damaged).
    """
    root = Path(root)
    path = root / "manifest.json"
    if not path.exists():
        return Damage()
    try:
        manifest = json.loads(path.read_text("utf-8"))
        batches = manifest["batches"]
        if not isinstance(batches, list):
            raise TypeError("'batches' is not a list")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        return Damage(manifest_error=f"{type(exc).__name__}: {str(exc)[:120]}")
    except OSError as exc:
        return Damage(manifest_error=f"{exc.strerror or exc}")
    damaged = []
    for batch in batches:
        files = batch.get("files", {}) if isinstance(batch, dict) else {}
        missing = [f for listed in files.values() for f in listed if not (root / f).is_file()]
        if missing:
            damaged.append({"batch_id": batch.get("batch_id"), "catalog_entry": batch.get("catalog_entry"),
                            "source_file_sha256": batch.get("source_file_sha256"), "missing": missing})
    return Damage(batches=damaged)


def check_store(root: str | Path) -> None:
    """Raise when the store is damaged.

    Parameters
    ----------
    root : str or Path
        Store root.

    Raises
    ------
    StoreIntegrityError
        One line: what is damaged and ``run `workbench repair```.
    """
    damage = inspect_store(root)
    if not damage.ok:
        raise StoreIntegrityError(damage.describe(Path(root)))


def rebuild_manifest(root: str | Path) -> list[str]:
    """Rebuild an unreadable manifest from the batch files' provenance columns.

    Each batch's incidents, quarantine, aggregates and flows files carry
    ``catalog_entry``, ``source_file_sha256`` and ``batch_id``; the counts become the rows
    of its files (``already_stored`` and ``merged`` are not recoverable and are 0). The
    damaged manifest is kept as ``manifest.json.damaged-<time>``. Files of a batch whose
    provenance cannot be read are left for the next ingest to remove as orphans.

    Parameters
    ----------
    root : str or Path
        Store root.

    Returns
    -------
    list of str
        What was done, one line each.
    """
    import pyarrow.parquet as pq

    root = Path(root)
    batches: dict[str, dict[str, Any]] = {}
    for kind in FILE_KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("part-*.parquet")):
            batch_id = path.stem.removeprefix("part-")
            entry = batches.setdefault(batch_id, {"batch_id": batch_id, "files": {}, "counts": {}})
            entry["files"].setdefault(kind, []).append(f"{kind}/{path.name}")
            try:
                table = pq.read_table(path, columns=[c for c in ("catalog_entry", "source_file_sha256", "ingested_at",
                                                                 "quarantined_at") if c in pq.read_schema(path).names])
            except Exception:  # noqa: BLE001 - an unreadable file: its batch cannot be trusted
                entry["unreadable"] = True
                continue
            entry["counts"][kind] = table.num_rows
            if table.num_rows:
                row = table.slice(0, 1).to_pylist()[0]
                for key in ("catalog_entry", "source_file_sha256"):
                    entry.setdefault(key, row.get(key))
                stamp = row.get("ingested_at") or row.get("quarantined_at")
                if stamp is not None:
                    entry.setdefault("ingested_at", str(stamp))
    kept, lines = [], []
    for batch_id, b in sorted(batches.items()):
        if b.get("unreadable") or not b.get("catalog_entry") or not b.get("source_file_sha256"):
            lines.append(f"batch {batch_id}: provenance unreadable; its files are dropped (re-ingest its source)")
            continue
        counts = b["counts"]
        table = next((k for k in ("aggregates", "flows") if k in counts), "incidents")
        new = int(counts.get(table, 0))
        quarantined = int(counts.get("quarantine", 0))
        kept.append({"catalog_entry": b["catalog_entry"], "source_file_sha256": b["source_file_sha256"],
                     "batch_id": batch_id, "rows_in": new + quarantined, "new": new, "already_stored": 0,
                     "quarantined": quarantined, "not_relevant": 0, "merged": 0, "table": table,
                     "ingested_at": b.get("ingested_at", ""), "files": b["files"], "rebuilt": True})
    path = root / "manifest.json"
    if path.exists():
        aside = root / f"manifest.json.damaged-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}"
        path.replace(aside)
        lines.insert(0, f"damaged manifest kept as {aside.name}")
    _write_text_atomic(path, json.dumps({"version": MANIFEST_VERSION, "batches": kept}, indent=1, default=str))
    lines.append(f"manifest rebuilt from the batch files: {len(kept)} batch(es)")
    return lines


def repair_store(root: str | Path | None = None) -> list[str]:
    """Repair the store: rebuild an unreadable manifest, re-ingest batches that lost files.

    Each damaged batch is dropped from the manifest (its remaining files go with it) and
    its catalog entry's raw file is ingested again; records also held by other batches
    count as already stored, the lost ones come back with the same ids.

    Parameters
    ----------
    root : str or Path, optional
        Store root (the catalog's by default).

    Returns
    -------
    list of str
        What was done, one line each (``store is intact`` when nothing was wrong).
    """
    store = Store(root or catalog.store_root())
    lines: list[str] = []
    damage = inspect_store(store.root)
    if damage.manifest_error is not None:
        with store.lock():
            lines += rebuild_manifest(store.root)
        damage = inspect_store(store.root)
    if damage.ok:
        return lines or [f"store {store.root} is intact: nothing to repair"]
    lost = {b["batch_id"] for b in damage.batches}
    with store.lock():
        manifest = store.manifest()
        manifest["batches"] = [b for b in manifest["batches"] if b.get("batch_id") not in lost]
        _write_text_atomic(store.manifest_path, json.dumps(manifest, indent=1, default=str))
        store._remove_orphans()  # the damaged batches' remaining files
    for entry in dict.fromkeys(b["catalog_entry"] for b in damage.batches):
        ids = ", ".join(b["batch_id"] for b in damage.batches if b["catalog_entry"] == entry)
        try:
            report = ingest_entry(entry, store)
        except (ValueError, KeyError, OSError) as exc:
            lines.append(f"{entry}: batch {ids} dropped; NOT re-ingested: {' '.join(str(exc).split())}")
            continue
        lines.append(f"{entry}: batch {ids} re-ingested from its raw file: {report}")
    return lines
