"""Statistical disclosure control, applied before anything is rendered for an audience.

- **Primary suppression**: a count ``0 < c < k`` is withheld (shown as ``<k``). Zeros are
  shown: they are not small groups of people.
- **Secondary suppression** (:func:`suppress_table`) in tables with row and column
  totals: when a row or column holds exactly one withheld cell, its total gives the cell
  away by subtraction, so the smallest other positive cell of that row or column is
  withheld too, repeated until no row or column has a lone withheld cell. Withheld cells
  can still be pinned down by combining several rows and columns (e.g. when withheld
  totals link two blocks), so the table is then checked as a linear system
  (:func:`recoverable_cells`) and, while any withheld cell is determined, the smallest
  positive open cell sharing a row or column with it is withheld as well. Complements
  are always open positive cells, hence at least ``k``: a withheld small count is never
  bracketed by other small counts.
- **Coarsening**: H3 cells are replaced by their parents at the audience's resolution.
- **Sanitising**: free text, source-identifying columns and coordinates are dropped.

Audiences (:func:`policy_for`):

========================  ===  ====  =========  ===============  ============
audience                  k    H3    free text  source columns   coordinates
========================  ===  ====  =========  ===============  ============
``public``                10   4     dropped    dropped          dropped
``partner``               10   5     dropped    dropped          dropped
``law_enforcement``       10   7     kept       kept             kept
========================  ===  ====  =========  ===============  ============

**Cross-run rules** (public and partner): parameters are snapped to a published grid
before a report runs (:func:`snap_parameters`: periods to whole months for partners and
whole quarters for the public, regions ``ALL`` or one country) and every shown count of
at least ``k`` is rounded to the nearest 5 (:func:`round_counts`), so no two allowed
queries differ by an exact small group. Secondary suppression assumes every withheld
cell is at least 1 (zeros are shown) and checks each withheld cell's feasible range by
linear programming. A percentage is withheld when its numerator, denominator or
complement is a count below ``k`` (:func:`percentage`).

Law enforcement is a closed, vetted audience: it sees finer cells, the records' sources
and their text. Its counts are still suppressed, because DEVELOPERS.md rules that counts
below the threshold never reach an exported file, whoever reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

#: Columns holding free text (or text-like detail: a URL points at the text).
FREE_TEXT_COLUMNS = ("summary", "url", "place_name")
#: Columns identifying a source, a source record or a file. ``incident_id`` is a hash
#: of source name and record id, so it identifies the source record too.
SOURCE_COLUMNS = ("source_name", "source_record_id", "source_file_sha256", "batch_id", "catalog_entry",
                  "incident_id")
#: Point coordinates (cells and countries are the public geography).
COORDINATE_COLUMNS = ("lat", "lon")


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
        Whether counts below ``k`` are withheld (true for every built-in audience).
    h3_resolution : int
        Finest H3 resolution shown.
    drop_free_text : bool
        Drop :data:`FREE_TEXT_COLUMNS`.
    drop_source_names : bool
        Drop :data:`SOURCE_COLUMNS`.
    drop_coordinates : bool
        Drop point coordinates (:data:`COORDINATE_COLUMNS`).
    rounding : int
        Shown counts (at least ``k``) are rounded to the nearest multiple of this base
        (:func:`round_counts`); 1 shows them exactly.
    period_grid : str or None
        ``"M"`` or ``"Q"``: dates in the parameters are snapped to whole months or
        quarters (:func:`snap_parameters`); None leaves them as given.
    region_grid : bool
        Regions restricted to the published list (``ALL`` or one country).
    """

    audience: str
    k: int = 10
    suppress: bool = True
    h3_resolution: int = 5
    drop_free_text: bool = True
    drop_source_names: bool = True
    drop_coordinates: bool = True
    rounding: int = 1
    period_grid: str | None = None
    region_grid: bool = False


POLICIES = {
    "public": DisclosurePolicy("public", h3_resolution=4, rounding=5, period_grid="Q", region_grid=True),
    "partner": DisclosurePolicy("partner", h3_resolution=5, rounding=5, period_grid="M", region_grid=True),
    "law_enforcement": DisclosurePolicy("law_enforcement", h3_resolution=7, drop_free_text=False,
                                        drop_source_names=False, drop_coordinates=False),
}


#: Parameters holding a period's first day, last day, or one reference day.
PERIOD_STARTS = ("period_start",)
PERIOD_ENDS = ("period_end", "as_of", "previous_as_of")


def snap_parameters(parameters: dict, policy: DisclosurePolicy) -> tuple[dict, list[str]]:
    """Snap report parameters to the audience's published grid.

    Any audience that can choose parameters can query the store; two allowed queries
    that differ by a small group (``region=GBR`` and ``region=GBR,UKR``; a period one
    day longer) would give that group away by subtraction. For an audience with a grid
    (public, partner):

    - period starts move to the first day of their month (``period_grid="M"``) or
      quarter (``"Q"``), period ends and reference days (``as_of``) to the last day;
    - a region must be ``ALL`` or one country (a list of countries is refused);
    - shown counts are rounded as well (:func:`round_counts`, the policy's ``rounding``).

    Parameters
    ----------
    parameters : dict
        Checked parameters (ISO dates as text).
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    parameters : dict
        A copy on the grid.
    notes : list of str
        One line per value moved (for the report's provenance).

    Raises
    ------
    ValueError
        When a region is not on the published list.
    """
    out, notes = dict(parameters), []
    if policy.region_grid:
        region = str(out.get("region", "ALL") or "ALL")
        if "," in region:
            raise ValueError(f"audience {policy.audience}: region must be ALL or one country (the published grid), "
                             f"not {region!r}; law_enforcement may combine countries")
    if policy.period_grid:
        freq = policy.period_grid
        for name in PERIOD_STARTS + PERIOD_ENDS:
            value = out.get(name)
            if not isinstance(value, str) or len(value) != 10:
                continue
            period = pd.Timestamp(value).to_period(freq)
            snapped = period.start_time if name in PERIOD_STARTS else period.end_time
            text = str(snapped.date())
            if text != value:
                out[name] = text
                notes.append(f"{name} {value} -> {text} (whole {'months' if freq == 'M' else 'quarters'} "
                             f"for the {policy.audience} audience)")
    return out, notes


def policy_for(audience: str, k: int | None = None) -> DisclosurePolicy:
    """Return the disclosure policy of an audience.

    Parameters
    ----------
    audience : str
        ``public``, ``partner`` or ``law_enforcement``.
    k : int, optional
        Override of the threshold (at least 2).

    Returns
    -------
    DisclosurePolicy
        The policy.

    Raises
    ------
    ValueError
        For an unknown audience or a threshold below 2.
    """
    if audience not in POLICIES:
        raise ValueError(f"unknown audience {audience!r}; choose one of {sorted(POLICIES)}")
    if k is None:
        return POLICIES[audience]
    if int(k) < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    return replace(POLICIES[audience], k=int(k))


def _is_small(values: pd.Series | pd.DataFrame, k: int) -> pd.Series | pd.DataFrame:
    num = values.apply(pd.to_numeric, errors="coerce") if isinstance(values, pd.DataFrame) \
        else pd.to_numeric(values, errors="coerce")
    return ((num > 0) & (num < k)).fillna(False).astype(bool)


def round_count(value: object, base: int, k: int) -> object:
    """Round one shown count to the nearest multiple of ``base``, never below ``k``.

    Parameters
    ----------
    value : object
        A count (or a missing/withheld value, returned as it is).
    base : int
        Rounding base (1: unchanged).
    k : int
        Threshold: a count of at least ``k`` is never rounded down below ``k``, and a
        count below ``k`` is returned as it is (it is withheld elsewhere).

    Returns
    -------
    object
        The rounded count (an int), or ``value`` unchanged.
    """
    if value is None or pd.isna(value) or base <= 1:
        return value
    number = float(value)
    if number < k:
        return value
    rounded = int(base * np.floor(number / base + 0.5))  # half up, as statistical offices publish
    return max(rounded, int(base * np.ceil(k / base)))


def round_counts(table: pd.DataFrame, count_cols: list[str] | None, base: int, k: int) -> pd.DataFrame:
    """Round every shown count of a table (:func:`round_count`), after suppression.

    Rounding is what stops two allowed queries that differ by a small group (a region
    added, a period one day longer) from giving that group away by subtraction: the
    difference of two rounded counts no longer pins down the difference of the true
    ones. Totals are rounded on their own (rounded cells may not add up to them, as in
    any published rounded table).

    Parameters
    ----------
    table : pandas.DataFrame
        Counts (withheld cells missing).
    count_cols : list of str or None
        Columns to round (every numeric column when None).
    base : int
        Rounding base.
    k : int
        Threshold.

    Returns
    -------
    pandas.DataFrame
        A copy with the count columns as nullable integers.
    """
    out = table.copy()
    if base <= 1:
        return out
    cols = count_cols if count_cols is not None else list(out.select_dtypes("number").columns)
    for col in cols:
        values = pd.to_numeric(out[col], errors="coerce")
        out[col] = pd.array([round_count(v, base, k) if pd.notna(v) else pd.NA for v in values], dtype="Int64")
    return out


def percentage(numerator: object, denominator: object, k: int, decimals: int = 0) -> str | None:
    """A percentage that never gives a small count away, or None when it must be withheld.

    "23 incidents; 22% graded B2 or better" gives 5 away. A percentage is withheld when
    its numerator, its denominator or their difference (the complement) is a count
    ``0 < c < k``, or when any of them is itself withheld.

    Parameters
    ----------
    numerator, denominator : object
        Counts (missing means withheld).
    k : int
        Threshold.
    decimals : int
        Decimal places shown.

    Returns
    -------
    str or None
        e.g. ``"22%"``, or None: show "withheld" (or nothing) instead.
    """
    values = []
    for v in (numerator, denominator):
        if v is None or pd.isna(v):
            return None
        values.append(float(v))
    num, den = values
    if den <= 0 or num < 0 or num > den:
        return None
    if any(0 < c < k for c in (num, den, den - num)):
        return None
    return f"{100 * num / den:.{decimals}f}%"


def suppress_counts(table: pd.DataFrame, count_cols: list[str], k: int, base: int = 1) -> pd.DataFrame:
    """Primary suppression: withhold counts ``0 < c < k``.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table.
    count_cols : list of str
        Columns holding counts.
    k : int
        Threshold.
    base : int
        Round the shown counts to this base (:func:`round_counts`; the policy's
        ``rounding``); 1 shows them exactly.

    Returns
    -------
    pandas.DataFrame
        A copy where the count columns are nullable integers and small counts are
        ``pd.NA`` (show them with :func:`display_count`).
    """
    out = table.copy()
    for col in count_cols:
        values = pd.to_numeric(out[col], errors="coerce")
        out[col] = values.mask(_is_small(values, k)).round().astype("Int64")
    return round_counts(out, count_cols, base, k) if base > 1 else out


def _lines(index: pd.Index, columns: pd.Index, total_label: str) -> list[tuple[list[tuple], tuple]]:
    """Every additive constraint of a table with margins: ``(cells, total cell)``."""
    rows = [r for r in index if r != total_label]
    cols = [c for c in columns if c != total_label]
    lines = []
    if total_label in columns:  # each row's cells sum to its total column (the total row too)
        lines += [([(r, c) for c in cols], (r, total_label)) for r in index]
    if total_label in index:  # each column's cells sum to its total row (the total column too)
        lines += [([(r, c) for r in rows], (total_label, c)) for c in columns]
    return lines


def _determined(hidden: pd.DataFrame, lines: list[tuple[list[tuple], tuple]]) -> list[tuple]:
    """Withheld cells whose value follows from the shown cells by linear algebra.

    With ``A x = b`` the margins' equations over the withheld cells ``x``, cell ``i``
    is determined exactly when every vector of the null space of ``A`` is 0 at ``i``.
    """
    cells = [(r, c) for r in hidden.index for c in hidden.columns if hidden.at[r, c]]
    if not cells or not lines:
        return []
    position = {cell: i for i, cell in enumerate(cells)}
    a = np.zeros((len(lines), len(cells)))
    for row, (parts, total) in enumerate(lines):
        for cell in parts:
            if cell in position:
                a[row, position[cell]] = 1.0
        if total in position:
            a[row, position[total]] = -1.0
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]
    return [cell for cell in cells if np.all(np.abs(null[:, position[cell]]) < 1e-9)]


def _interval_exposed(hidden: pd.DataFrame, values: pd.DataFrame, lines: list[tuple[list[tuple], tuple]],
                      least: float = 1.0, width: float = 1.0) -> list[tuple]:
    """Withheld cells an attacker can pin down knowing that every withheld cell is >= ``least``.

    Zeros are shown, so a withheld cell is at least 1: two withheld cells that must sum
    to 2 are both 1 although no equation alone fixes them. For each withheld cell the
    smallest and largest value consistent with the shown cells, the margins and that
    bound are found by linear programming; the cell is exposed when they are less than
    ``width`` apart.
    """
    from scipy.optimize import linprog

    cells = [(r, c) for r in hidden.index for c in hidden.columns if hidden.at[r, c]]
    if not cells or not lines:
        return []
    position = {cell: i for i, cell in enumerate(cells)}
    rows, rhs = [], []
    for parts, total in lines:
        coeff = np.zeros(len(cells))
        known = 0.0
        for cell in parts:
            if cell in position:
                coeff[position[cell]] += 1.0
            else:
                known += float(values.at[cell]) if pd.notna(values.at[cell]) else 0.0
        if total in position:
            coeff[position[total]] -= 1.0
            rhs.append(-known)
        else:
            rhs.append((float(values.at[total]) if pd.notna(values.at[total]) else 0.0) - known)
        if coeff.any():
            rows.append(coeff)
        else:
            rhs.pop()
    if not rows:
        return []
    a_eq, b_eq = np.array(rows), np.array(rhs)
    exposed = []
    for cell, i in position.items():
        goal = np.zeros(len(cells))
        goal[i] = 1.0
        low = linprog(goal, A_eq=a_eq, b_eq=b_eq, bounds=[(least, None)] * len(cells), method="highs")
        high = linprog(-goal, A_eq=a_eq, b_eq=b_eq, bounds=[(least, None)] * len(cells), method="highs")
        if low.status == 0 and high.status == 0 and (-high.fun) - low.fun < width:
            exposed.append(cell)
    return exposed


def suppress_table(table: pd.DataFrame, k: int, total_label: str = "Total", base: int = 1) -> pd.DataFrame:
    """Primary and secondary suppression of a count table with row and column totals.

    See the module docstring for the procedure. Margins are assumed additive (cells sum
    to their totals); for tables where they are not (e.g. incidents counted under
    several types), the result errs on the side of withholding more.

    Parameters
    ----------
    table : pandas.DataFrame
        Counts, with a ``total_label`` row and/or column (margins). Without margins only
        primary suppression applies.
    k : int
        Threshold.
    total_label : str
        Label of the margins.
    base : int
        Round the shown counts to this base afterwards (:func:`round_counts`).

    Returns
    -------
    pandas.DataFrame
        Nullable-integer table; withheld cells (totals included) are ``pd.NA``. No
        withheld cell can be recovered exactly from what is shown, even knowing that
        every withheld cell is at least 1 (zeros are shown).
    """
    values = table.apply(pd.to_numeric, errors="coerce").astype(float)
    hidden = _is_small(values, k)
    lines = _lines(values.index, values.columns, total_label)

    def withhold_smallest(candidates: list[tuple]) -> bool:
        open_cells = [cell for cell in candidates if not hidden.at[cell]]
        positive = [cell for cell in open_cells if values.at[cell] > 0]
        pick = min(positive or open_cells, key=lambda cell: values.at[cell], default=None)
        if pick is not None:
            hidden.at[pick] = True
        return pick is not None

    while True:
        changed = False
        for parts, total in lines:  # a lone withheld cell in a row or column
            line = parts + [total]
            if sum(bool(hidden.at[cell]) for cell in line) == 1:
                changed |= withhold_smallest(line)
        if changed:
            continue
        exposed = _determined(hidden, lines)  # recoverable through several lines
        if not exposed:  # ... or pinned down because every withheld cell is at least 1
            exposed = _interval_exposed(hidden, values, lines)
        if not exposed:
            break
        neighbours = [cell for parts, total in lines if exposed[0] in parts or exposed[0] == total
                      for cell in parts + [total]]
        everything = [(r, c) for r in values.index for c in values.columns]
        if not (withhold_smallest(neighbours) or withhold_smallest(everything)):
            break
    out = values.mask(hidden).round().astype("Int64")
    return round_counts(out, None, base, k) if base > 1 else out


def recoverable_cells(table: pd.DataFrame, total_label: str = "Total", least: float | None = 1.0) -> list[tuple]:
    """Audit a suppressed table: which withheld cells can be worked out exactly?

    An attacker knows every shown cell and that rows and columns add up to their
    totals; a withheld cell is recoverable when those equations fix its value, whether
    by one subtraction or by combining several rows and columns.

    Parameters
    ----------
    table : pandas.DataFrame
        A table with margins in which withheld cells are missing (as from
        :func:`suppress_table`).
    total_label : str
        Label of the margins.
    least : float or None
        What the attacker knows about every withheld cell: at least this much (1 by
        default, since zeros are shown); None for the equations alone.

    Returns
    -------
    list of tuple
        ``(row, column)`` of each recoverable withheld cell; empty for a safe table.
    """
    lines = _lines(table.index, table.columns, total_label)
    hidden = table.isna()
    found = _determined(hidden, lines)
    if least is not None:
        values = table.apply(pd.to_numeric, errors="coerce").astype(float)
        found += [c for c in _interval_exposed(hidden, values, lines, least=least) if c not in found]
    return found


def check_table(table: pd.DataFrame, count_cols: list[str] | None, k: int) -> None:
    """Refuse a table that still shows a count ``0 < c < k`` (call right before rendering).

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
        Naming the column, the first offending row and its value.
    """
    cols = count_cols if count_cols is not None else list(table.select_dtypes("number").columns)
    for col in cols:
        small = _is_small(table[col], k)
        if small.any():
            row = small.idxmax()
            raise ValueError(f"column {col!r} shows {int(small.sum())} count(s) below {k}, "
                             f"e.g. {table.at[row, col]} in row {row!r}")


def display_count(value: object, k: int) -> str:
    """Format a possibly-withheld count for display.

    Parameters
    ----------
    value : object
        A count, or ``pd.NA``/``None`` for a withheld one.
    k : int
        Threshold.

    Returns
    -------
    str
        ``"<k"`` for withheld or small values, else the number with thousands separators.
    """
    if value is None or pd.isna(value) or 0 < float(value) < k:
        return f"<{k}"
    return f"{int(value):,}"


def coarsen_cells(frame: pd.DataFrame, h3_col: str, resolution: int) -> pd.DataFrame:
    """Replace H3 cells by their parents at ``resolution``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table with an H3 column (missing cells stay missing).
    h3_col : str
        The column.
    resolution : int
        Target resolution; cells already as coarse or coarser are kept.

    Returns
    -------
    pandas.DataFrame
        A copy (aggregate it again: several rows may now share a cell).
    """
    import h3

    out = frame.copy()
    out[h3_col] = [
        h3.cell_to_parent(c, resolution) if isinstance(c, str) and h3.get_resolution(c) > resolution else c
        for c in out[h3_col]
    ]
    return out


def sanitise_incidents(frame: pd.DataFrame, policy: DisclosurePolicy, h3_col: str = "h3_cell") -> pd.DataFrame:
    """Drop what the audience may not see from record-level incidents.

    Parameters
    ----------
    frame : pandas.DataFrame
        Store incidents.
    policy : DisclosurePolicy
        The audience's policy: free text, source columns and coordinates are dropped
        as it says, and H3 cells coarsened to its resolution.
    h3_col : str
        The H3 column, if present.

    Returns
    -------
    pandas.DataFrame
        A copy; counts are still the caller's to aggregate and suppress.
    """
    drop = ((FREE_TEXT_COLUMNS if policy.drop_free_text else ())
            + (SOURCE_COLUMNS if policy.drop_source_names else ())
            + (COORDINATE_COLUMNS if policy.drop_coordinates else ()))
    out = frame.drop(columns=[c for c in drop if c in frame.columns])
    if h3_col in out.columns:
        out = coarsen_cells(out, h3_col, policy.h3_resolution)
    return out
