"""What one ingest did: :class:`IngestReport` (rows in = stored + quarantined, and more for open sources)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.accounting import rows_in as accounted_rows_in


@dataclass
class IngestReport:
    """What one ingest did.

    Attributes
    ----------
    catalog_entry : str
        The catalog entry read.
    source_file_sha256 : str
        Hash of the file read.
    batch_id : str or None
        The committed batch, or None when nothing was committed.
    rows_in : int
        Records read from the source (parsed + rejected); for open sources, counted after
        near-duplicate copies were merged (``merged``) and without items not about
        trafficking (``not_relevant``), so ``rows_in == new + already_stored + quarantined``
        always; :attr:`items` counts everything read.
    new : int
        Records stored by this ingest.
    already_stored : int
        Records whose id was already in the store (kept once, not added).
    quarantined : int
        Records rejected, each with its reason in the quarantine table.
    skipped_reason : str or None
        Why the whole file was skipped (e.g. already ingested), if it was.
    top_reasons : dict
        Most frequent quarantine reasons (field-level) and their counts.
    notes : dict
        The collector's notes shown to the analyst.
    not_relevant : int
        Open sources: items read but not about trafficking (counted, not stored).
    merged : int
        Open sources: articles that are near-duplicate copies of a story stored earlier
        or earlier in this batch; kept as mentions of that story's incident.
    osint : bool
        Whether the source is an open source (the report line then accounts for items).
    table : str
        The store table the records went to (``incidents``, ``aggregates`` or ``flows``).
    replaced : list of str
        Batches of the same entry this ingest replaced (``--replace``).
    """

    catalog_entry: str
    source_file_sha256: str
    batch_id: str | None
    rows_in: int
    new: int
    already_stored: int
    quarantined: int
    skipped_reason: str | None = None
    top_reasons: dict[str, int] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    not_relevant: int = 0
    merged: int = 0
    osint: bool = False
    table: str = "incidents"
    replaced: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Records of this source present in the store after the ingest."""
        return self.new + self.already_stored

    @property
    def items(self) -> int:
        """Everything read (rows in as :func:`workbench.accounting.rows_in` defines it)."""
        return accounted_rows_in({"rows_in": self.rows_in, "not_relevant": self.not_relevant, "merged": self.merged})

    def __str__(self) -> str:
        head = f"{self.catalog_entry}: "
        if "malformed" in self.notes:
            head += f"[WARNING: {self.notes['malformed']}] "
        if self.skipped_reason:
            return head + f"skipped ({self.skipped_reason}); nothing added"
        if self.replaced:
            head += f"[replaced {len(self.replaced)} earlier batch(es)] "
        if self.table != "incidents":
            return head + f"rows in {self.items} = stored {self.stored} (in {self.table}) + quarantined {self.quarantined}"
        if self.osint or self.not_relevant or self.merged:
            return head + (
                f"rows in {self.items} = stored {self.stored} (new {self.new}, already stored "
                f"{self.already_stored}) + quarantined {self.quarantined} + not relevant {self.not_relevant} "
                f"+ merged duplicates {self.merged}"
            )
        return head + (
            f"rows in {self.items} = stored {self.stored} (new {self.new}, already stored "
            f"{self.already_stored}) + quarantined {self.quarantined}"
        )



def skipped_report(catalog_entry: str, source_file_sha256: str, rows_in: int, batch_id: str) -> IngestReport:
    """Report of an ingest skipped because the file was already ingested.

    Parameters
    ----------
    catalog_entry, source_file_sha256 : str
        The source and its hash.
    rows_in : int
        Records in the file (0 when it was not read again).
    batch_id : str
        The batch that holds it.

    Returns
    -------
    IngestReport
        With ``skipped_reason`` set and nothing added.
    """
    return IngestReport(catalog_entry, source_file_sha256, None, rows_in, 0, 0, 0,
                        skipped_reason=f"file already ingested in batch {batch_id}")

