"""Statistical disclosure control, applied before anything is rendered for an audience.

- **Primary suppression**: a count ``0 < c < k`` is withheld (shown as ``<k``).
- **Secondary suppression** in tables with totals: when a row or column holds exactly one
  withheld cell, its total would give it away by subtraction, so the smallest other
  non-zero cell of that row or column is withheld too; repeated until no row or column
  has a lone withheld cell. Zeros are not withheld (they are not small groups of people),
  but they never serve as the complementary cell.
- **Coarsening**: H3 cells are replaced by their parents at the audience's resolution.
- **Sanitising**: free text and source-identifying columns are dropped.

Audiences: ``public`` and ``partner`` get all of the above; ``law_enforcement`` gets
exact counts and fine cells (it is a closed, vetted audience) but still no raw free text
in exported files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Columns that hold free text or identify a source or a file.
SENSITIVE_COLUMNS = (
    "summary", "url", "source_name", "source_record_id", "place_name", "source_file_sha256", "batch_id",
    "catalog_entry",
)


@dataclass(frozen=True)
class DisclosurePolicy:
    """What an audience may see.

    Attributes
    ----------
    audience : str
        ``public``, ``partner`` or ``law_enforcement``.
    k : int
        Smallest count shown.
    suppress : bool
        Whether counts below ``k`` are withheld.
    h3_resolution : int
        Finest H3 resolution shown.
    drop_free_text : bool
        Drop summaries and other free text.
    drop_source_names : bool
        Drop source names and record ids.
    """

    audience: str
    k: int = 10
    suppress: bool = True
    h3_resolution: int = 5
    drop_free_text: bool = True
    drop_source_names: bool = True


POLICIES = {
    "public": DisclosurePolicy("public", k=10, suppress=True, h3_resolution=4),
    "partner": DisclosurePolicy("partner", k=10, suppress=True, h3_resolution=5),
    "law_enforcement": DisclosurePolicy("law_enforcement", k=10, suppress=False, h3_resolution=7,
                                        drop_free_text=True, drop_source_names=False),
}


def policy_for(audience: str, k: int | None = None) -> DisclosurePolicy:
    """Return the disclosure policy of an audience.

    Parameters
    ----------
    audience : str
        ``public``, ``partner`` or ``law_enforcement``.
    k : int, optional
        Override of the threshold (never below 2).

    Returns
    -------
    DisclosurePolicy
        The policy.

    Raises
    ------
    ValueError
        For an unknown audience.
    """
    if audience not in POLICIES:
        raise ValueError(f"unknown audience {audience!r}; choose one of {sorted(POLICIES)}")
    policy = POLICIES[audience]
    if k is not None:
        if k < 2:
            raise ValueError("k must be at least 2")
        policy = DisclosurePolicy(**{**policy.__dict__, "k": int(k)})
    return policy


def _is_small(values: pd.Series, k: int) -> pd.Series:
    num = pd.to_numeric(values, errors="coerce")
    return (num > 0) & (num < k)


def suppress_counts(table: pd.DataFrame, count_cols: list[str], k: int) -> pd.DataFrame:
    """Primary suppression: withhold counts ``0 < c < k``.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table.
    count_cols : list of str
        Columns holding counts.
    k : int
        Threshold.

    Returns
    -------
    pandas.DataFrame
        A copy with small counts replaced by ``pd.NA`` (nullable integer columns).
    """
    out = table.copy()
    for col in count_cols:
        values = pd.to_numeric(out[col], errors="coerce")
        out[col] = values.mask(_is_small(values, k)).round().astype("Int64")
    return out


def suppress_table(table: pd.DataFrame, k: int, total_label: str = "Total") -> pd.DataFrame:
    """Primary and secondary suppression of a count table with row and column totals.

    Parameters
    ----------
    table : pandas.DataFrame
        Counts, with a ``total_label`` row and column (margins).
    k : int
        Threshold.
    total_label : str
        Label of the margins.

    Returns
    -------
    pandas.DataFrame
        Nullable-integer table; withheld cells are ``pd.NA``. No withheld cell can be
        recovered from its row or column total by subtraction.
    """
    values = table.apply(pd.to_numeric, errors="coerce").astype(float)
    hidden = pd.DataFrame(
        ((values > 0) & (values < k)).to_numpy(), index=values.index, columns=values.columns
    )
    rows = [r for r in values.index if r != total_label]
    cols = [c for c in values.columns if c != total_label]
    lines: list[list[tuple]] = []
    if total_label in values.columns:  # every row's cells sum to its total column
        lines += [[(r, c) for c in cols] + [(r, total_label)] for r in values.index]
    if total_label in values.index:  # every column's cells sum to its total row
        lines += [[(r, c) for r in rows] + [(total_label, c)] for c in values.columns]

    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden.at[cell] for cell in line) != 1:
                continue
            open_cells = [cell for cell in line if not hidden.at[cell]]
            positive = [cell for cell in open_cells if values.at[cell] > 0]
            # the smallest positive cell costs the least information; else any cell
            pick = min(positive or open_cells, key=lambda cell: values.at[cell], default=None)
            if pick is not None:
                hidden.at[pick] = True
                changed = True
    return values.mask(hidden).round().astype("Int64")


def check_table(table: pd.DataFrame, count_cols: list[str] | None, k: int) -> None:
    """Refuse a table that still shows a count ``0 < c < k``.

    Parameters
    ----------
    table : pandas.DataFrame
        A table about to be rendered.
    count_cols : list of str or None
        Count columns (all numeric columns when None).
    k : int
        Threshold.

    Raises
    ------
    ValueError
        Naming the column and value that is too small.
    """
    cols = count_cols if count_cols is not None else list(table.select_dtypes("number").columns)
    for col in cols:
        small = _is_small(table[col], k)
        if small.any():
            raise ValueError(f"column {col!r} shows {int(small.sum())} count(s) below {k}, e.g. "
                             f"{table.loc[small, col].iloc[0]}")


def display_count(value: object, k: int) -> str:
    """Format a possibly-withheld count for display.

    Parameters
    ----------
    value : object
        A count or ``pd.NA``.
    k : int
        Threshold.

    Returns
    -------
    str
        ``"<k"`` for withheld or small values, else the number.
    """
    if value is None or pd.isna(value) or (0 < float(value) < k):
        return f"<{k}"
    return f"{int(value):,}"


def coarsen_cells(frame: pd.DataFrame, h3_col: str, resolution: int) -> pd.DataFrame:
    """Replace H3 cells by their parents at ``resolution``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table with an H3 column.
    h3_col : str
        The column.
    resolution : int
        Target resolution (cells already coarser are kept).

    Returns
    -------
    pandas.DataFrame
        A copy.
    """
    import h3

    out = frame.copy()
    out[h3_col] = [
        h3.cell_to_parent(c, resolution) if isinstance(c, str) and h3.get_resolution(c) > resolution else c
        for c in out[h3_col]
    ]
    return out


def sanitise_incidents(frame: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """Drop free text and source-identifying columns; coarsen cells and coordinates.

    Parameters
    ----------
    frame : pandas.DataFrame
        Store incidents.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    pandas.DataFrame
        Safe record-level columns (counts are still the caller's to aggregate and suppress).
    """
    drop = set()
    if policy.drop_free_text:
        drop |= {"summary", "url", "place_name"}
    if policy.drop_source_names:
        drop |= {"source_name", "source_record_id", "source_file_sha256", "batch_id", "catalog_entry"}
    out = frame.drop(columns=[c for c in drop if c in frame.columns])
    if "h3_cell" in out.columns:
        out = coarsen_cells(out, "h3_cell", policy.h3_resolution)
    if policy.suppress and {"lat", "lon"} <= set(out.columns):
        out = out.drop(columns=["lat", "lon"])
    return out

