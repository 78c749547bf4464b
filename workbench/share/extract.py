"""Extracts for partners: their own records, plus disclosure-controlled aggregates.

A partner may see every record it sent us (it holds them already), and of everyone
else's data only aggregates that passed disclosure control. Files are written as CSV with
spreadsheet formulas neutralised, so a cell such as ``=HYPERLINK(...)`` from any source
opens as text, never as a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench import catalog
from workbench.share.disclosure import policy_for
from workbench.share.tables import country_by_type

#: Cells starting with these characters are run as formulas by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Provenance columns internal to the store, not part of a partner's own record.
INTERNAL = ("catalog_entry", "source_file_sha256", "ingested_at", "batch_id", "h3_cell")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with ``'``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table.

    Returns
    -------
    pandas.DataFrame
        A copy; numbers are untouched, text like ``=1+1`` becomes ``'=1+1``.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v
            )
    return out


def write_safe_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a CSV whose text cells cannot run as spreadsheet formulas.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (list cells are joined with ``;``).
    path : str or Path
        Output file.

    Returns
    -------
    Path
        The file.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, (list, tuple))).any():
            out[col] = out[col].map(lambda v: ";".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    neutralise_formulas(out).to_csv(path, index=False)
    return path


@dataclass
class PartnerExtract:
    """What one partner receives.

    Attributes
    ----------
    partner : str
        The partner's ``source_name``.
    own_records : pandas.DataFrame
        Every record the partner sent (internal provenance columns removed).
    aggregates : pandas.DataFrame
        Incidents of all sources by country and exploitation type, suppressed for the
        partner audience (primary and secondary).
    """

    partner: str
    own_records: pd.DataFrame
    aggregates: pd.DataFrame

    def write(self, folder: str | Path) -> list[Path]:
        """Write both tables as formula-safe CSV files into ``folder``.

        Parameters
        ----------
        folder : str or Path
            Output folder.

        Returns
        -------
        list of Path
            The files written.
        """
        folder = Path(folder)
        return [write_safe_csv(self.own_records, folder / "own_records.csv"),
                write_safe_csv(self.aggregates.reset_index(), folder / "aggregates_country_by_type.csv")]


def partner_id(name: str) -> str:
    """Return the canonical id of a partner, used as its extract folder's name.

    Readable (accents folded, lower case, runs of other characters as ``-``) and
    followed by a hash of the exact name, so names that differ only in punctuation
    (``Alpha.Beta`` and ``Alpha,Beta``) never share a folder.

    Parameters
    ----------
    name : str
        The partner's ``source_name`` as its catalog entry declares it.

    Returns
    -------
    str
        e.g. ``harbour-light-alliance-3f2a9c1b``.
    """
    import hashlib
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60] or "partner"
    return f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


def declared_partners() -> list[str]:
    """Return the source names the catalogs declare as partners.

    Returns
    -------
    list of str
        ``metadata.source_name`` of every source entry read by the ``partner`` collector
        or marked ``partner: true`` (the app, feeds and bulk exports are not partners).
    """
    return sorted({str(e.metadata["source_name"]) for e in catalog.sources()
                   if e.metadata.get("source_name")
                   and (e.metadata.get("collector") == "partner" or e.metadata.get("partner") is True)})


def partner_extract(incidents: pd.DataFrame, partner: str, k: int | None = None,
                    partners: list[str] | None = None) -> PartnerExtract:
    """Build a partner's extract.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents (all sources).
    partner : str
        The partner's ``source_name`` as stored.
    k : int, optional
        Suppression threshold (the partner policy's by default).
    partners : list of str, optional
        The source names declared as partners (:func:`declared_partners`); when given,
        ``partner`` must be one of them.

    Returns
    -------
    PartnerExtract
        Own records and controlled aggregates; no other source's record appears.

    Raises
    ------
    ValueError
        When no stored record comes from ``partner`` (a typo must not yield an empty file
        that looks like "no data"), or ``partner`` is not a partner source (the app's
        records hold free text no extract may carry).
    """
    if partners is not None and partner not in partners:
        raise ValueError(f"{partner!r} is not a source declared as a partner; partners: {sorted(partners)}")
    own = incidents[incidents["source_name"] == partner]
    if not own.empty and (own["source_type"] != "partner").any():
        kinds = sorted(set(own["source_type"].astype(str)))
        raise ValueError(f"{partner!r} is not a partner source (its records are {', '.join(kinds)}): "
                         "extracts are only for partners")
    if own.empty:
        known = sorted(incidents.loc[incidents["source_type"] == "partner", "source_name"].unique())
        raise ValueError(f"no stored records from partner {partner!r}; partners in the store: {known}")
    own = own.drop(columns=[c for c in INTERNAL if c in own.columns]).reset_index(drop=True)
    policy = policy_for("partner", k)
    return PartnerExtract(partner, own, country_by_type(incidents, policy))
