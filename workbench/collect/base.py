"""What every collector returns, and the helpers collectors share.

The registry of collectors is :mod:`workbench.collect.registry`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

@dataclass
class CollectResult:
    """The outcome of reading one source file.

    Attributes
    ----------
    candidates : pandas.DataFrame
        Records parsed into candidate incidents (checked by the schema at ingest).
    rejects : pandas.DataFrame
        Records that could not be parsed: columns ``record``, ``reason``, ``raw``.
    source_file_sha256 : str
        SHA-256 of the file's bytes.
    notes : dict
        Anything the analyst should see (e.g. unmapped partner categories).
    """

    candidates: pd.DataFrame
    rejects: pd.DataFrame
    source_file_sha256: str
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_in(self) -> int:
        """Records read from the file (parsed + rejected)."""
        return len(self.candidates) + len(self.rejects)


def file_sha256(path: str | Path) -> str:
    """Hash a file's bytes.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        Hex SHA-256.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def reject(record: Any, reason: str, raw: Any) -> dict[str, str]:
    """Build one reject row.

    Parameters
    ----------
    record : Any
        The record's id, or its position (``line 12``) when it has none.
    reason : str
        What is wrong, naming the field.
    raw : Any
        The raw record (kept for the analyst; truncated).

    Returns
    -------
    dict
        ``record``, ``reason``, ``raw``.
    """
    text = raw if isinstance(raw, str) else json.dumps(raw, default=str, ensure_ascii=False)
    label = " ".join(str(record).split())  # one line, whatever the source put in its ids
    label = label if len(label) <= 80 else label[:77] + "..."
    return {"record": label, "reason": f"record {label}: {reason}", "raw": text[:4000]}


def rejects_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Turn reject rows into the frame collectors return.

    Parameters
    ----------
    rows : list of dict
        From :func:`reject`.

    Returns
    -------
    pandas.DataFrame
        Columns ``record``, ``reason``, ``raw``.
    """
    return pd.DataFrame(rows, columns=["record", "reason", "raw"])


def grading(code: Any, default: str) -> tuple[str, str]:
    """Split an Admiralty grading like ``"B2"`` into reliability and credibility.

    Parameters
    ----------
    code : Any
        Grading from the record, or None.
    default : str
        Grading used when the record has none (from the catalog metadata).

    Returns
    -------
    tuple of str
        ``(source_reliability, info_credibility)``; not checked here (the schema does).
    """
    text = str(code).strip().upper() if code not in (None, "") and not pd.isna(code) else default
    return (text[:1], text[1:2]) if len(text) == 2 else (text, "")
