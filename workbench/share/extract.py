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


def partner_extract(incidents: pd.DataFrame, partner: str, k: int | None = None) -> PartnerExtract:
    """Build a partner's extract.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents (all sources).
    partner : str
        The partner's ``source_name`` as stored.
    k : int, optional
        Suppression threshold (the partner policy's by default).

    Returns
    -------
    PartnerExtract
        Own records and controlled aggregates; no other source's record appears.

    Raises
    ------
    ValueError
        When no stored record comes from ``partner`` (a typo must not yield an empty file
        that looks like "no data").
    """
    own = incidents[incidents["source_name"] == partner]
    if own.empty:
        known = sorted(incidents.loc[incidents["source_type"] == "partner", "source_name"].unique())
        raise ValueError(f"no stored records from partner {partner!r}; partners in the store: {known}")
    own = own.drop(columns=[c for c in INTERNAL if c in own.columns]).reset_index(drop=True)
    policy = policy_for("partner", k)
    return PartnerExtract(partner, own, country_by_type(incidents, policy))
